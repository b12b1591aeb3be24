/* test-job.c: EsplashJob against the in-process simulator — events reach
 * the caller's thread in order, the result comes last, cancel and errors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"

/* What a run delivered, in order. */
typedef struct {
  GThread      *main_thread;
  GMainContext *context;
  GArray       *stages;          /* guint EsplashStage, as signalled */
  guint         n_progress;
  guint         n_other;         /* stage + log signals */
  guint         n_progress_after_cancel;
  gdouble       last_fraction;
  gboolean      fraction_dropped;
  gboolean      event_after_result;
  gboolean      event_off_thread;
  gboolean      finished;
  gboolean      ok;
  GError       *error;
  GCancellable *cancel_when_writing; /* cancelled at the first write progress */
  gint64        cancel_time;
  gint64        result_time;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->stages, g_array_unref);
  g_clear_error (&run->error);
}

static void
check_delivery (Run *run)
{
  if (g_thread_self () != run->main_thread)
    run->event_off_thread = TRUE;
  if (run->finished)
    run->event_after_result = TRUE;
}

static void
stage_cb (EsplashJob *job,
          guint       stage,
          guint       region_index,
          guint       region_count,
          Run        *run)
{
  check_delivery (run);
  run->n_other++;
  g_array_append_val (run->stages, stage);
}

static void
progress_cb (EsplashJob *job,
             guint64     done,
             guint64     total,
             Run        *run)
{
  check_delivery (run);
  run->n_progress++;
  g_assert_cmpuint (done, <=, total);
  if (run->cancel_time != 0)
    run->n_progress_after_cancel++;
  if (run->cancel_when_writing != NULL && run->cancel_time == 0 &&
      esplash_job_get_stage (job) == ESPLASH_STAGE_WRITING && done > 0)
    {
      run->cancel_time = g_get_monotonic_time ();
      g_cancellable_cancel (run->cancel_when_writing);
    }
}

static void
log_cb (EsplashJob *job,
        guint       level,
        const char *message,
        Run        *run)
{
  check_delivery (run);
  run->n_other++;
  g_assert_nonnull (message);
  g_test_message ("log %s: %s", esplash_log_level_nick (level), message);
}

static void
fraction_cb (EsplashJob *job,
             GParamSpec *pspec,
             Run        *run)
{
  gdouble fraction = esplash_job_get_fraction (job);

  check_delivery (run);
  if (fraction < run->last_fraction)
    run->fraction_dropped = TRUE;
  run->last_fraction = fraction;
}

static void
finished_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  g_assert_true (g_thread_self () == run->main_thread);
  run->result_time = g_get_monotonic_time ();
  run->ok = esplash_job_run_finish (ESPLASH_JOB (source), result, &run->error);
  run->finished = TRUE;
}

static void
run_init (Run        *run,
          EsplashJob *job)
{
  memset (run, 0, sizeof *run);
  run->main_thread = g_thread_self ();
  run->context = g_main_context_default ();
  run->stages = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect (job, "stage", G_CALLBACK (stage_cb), run);
  g_signal_connect (job, "progress", G_CALLBACK (progress_cb), run);
  g_signal_connect (job, "log", G_CALLBACK (log_cb), run);
  g_signal_connect (job, "notify::fraction", G_CALLBACK (fraction_cb), run);
}

/* Runs @job to the end on the default context, then keeps iterating a
 * little so anything delivered after the result would be noticed. */
static void
run_job (Run          *run,
         EsplashJob   *job,
         GCancellable *cancellable)
{
  gint64 settle;

  esplash_job_run_async (job, cancellable, finished_cb, run);
  while (!run->finished)
    g_main_context_iteration (run->context, TRUE);

  settle = g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < settle)
    {
      if (!g_main_context_iteration (run->context, FALSE))
        g_usleep (5000);
    }
}

static GBytes *
load_image (const char *name)
{
  const char *shared = g_getenv ("ESPLASH_SHARED_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_assert_nonnull (shared);
  path = g_build_filename (shared, "testdata", "images", name, NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static EsplashSim *
new_sim (gboolean         timing,
         EsplashSimFaults faults,
         guint            fault_after)
{
  EsplashSimOptions options;

  esplash_sim_options_init (&options, ESPLASH_CHIP_ESP32S3);
  options.console = ESPLASH_CONSOLE_UART;
  options.boot_mode = ESPLASH_SIM_BOOT_FLASH;
  options.timing = timing;
  options.faults = faults;
  options.fault_after = fault_after;
  return esplash_sim_new (&options);
}

static EsplashJobPlan *
new_plan (EsplashJobAction  action,
          EsplashTransport *transport)
{
  EsplashJobPlan *plan = esplash_job_plan_new (action);
  EsplashConnectOptions connect;

  esplash_connect_options_init (&connect);
  connect.stub_dir = g_getenv ("ESPLASH_STUB_DIR");
  esplash_job_plan_set_connect_options (plan, &connect);
  esplash_job_plan_set_transport (plan, transport);
  return plan;
}

static gboolean
stages_contain (GArray *stages,
                guint   stage,
                guint  *index)
{
  for (guint i = 0; i < stages->len; i++)
    {
      if (g_array_index (stages, guint, i) == stage)
        {
          *index = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_write_events (void)
{
  g_autoptr(EsplashSim) sim = new_sim (FALSE, ESPLASH_SIM_FAULT_NONE, 0);
  g_autoptr(EsplashTransport) transport = esplash_sim_transport_new (sim);
  g_autoptr(EsplashJobPlan) plan = new_plan (ESPLASH_JOB_WRITE, transport);
  g_autoptr(GBytes) image = load_image ("fifty_kb.bin");
  g_autoptr(GBytes) flash = NULL;
  g_autoptr(EsplashJob) job = NULL;
  guint opening = 0, writing = 0, done = 0;
  Run run;

  esplash_job_plan_add_region (plan, 0x10000, image, "fifty_kb.bin");
  job = esplash_job_new (plan);
  run_init (&run, job);
  run_job (&run, job, NULL);

  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_false (run.event_off_thread);
  g_assert_false (run.event_after_result);
  g_assert_false (run.fraction_dropped);
  g_assert_cmpfloat (esplash_job_get_fraction (job), ==, 1.0);
  g_assert_cmpfloat (run.last_fraction, ==, 1.0);
  g_assert_cmpuint (run.n_progress, >, 0);

  /* Opening first, writing in between, done last. */
  g_assert_true (stages_contain (run.stages, ESPLASH_STAGE_OPENING, &opening));
  g_assert_true (stages_contain (run.stages, ESPLASH_STAGE_WRITING, &writing));
  g_assert_true (stages_contain (run.stages, ESPLASH_STAGE_DONE, &done));
  g_assert_cmpuint (opening, ==, 0);
  g_assert_cmpuint (opening, <, writing);
  g_assert_cmpuint (writing, <, done);
  g_assert_cmpuint (done, ==, run.stages->len - 1);
  g_assert_cmpuint (esplash_job_get_stage (job), ==, ESPLASH_STAGE_DONE);

  /* The chip was described on the way, and the bytes landed. */
  g_assert_cmpstr (esplash_job_get_chip_name (job), ==, "ESP32-S3");
  g_assert_nonnull (esplash_job_get_chip_description (job));
  flash = esplash_sim_dup_flash (sim, 0x10000, g_bytes_get_size (image));
  g_assert_true (g_bytes_equal (flash, image));

  g_assert_false (esplash_job_is_running (job));
  g_assert_true (esplash_transport_is_closed (transport));
  run_clear (&run);
}

static void
test_write_coalesces (void)
{
  g_autoptr(EsplashSim) sim = new_sim (FALSE, ESPLASH_SIM_FAULT_NONE, 0);
  g_autoptr(EsplashTransport) transport = esplash_sim_transport_new (sim);
  g_autoptr(EsplashJobPlan) plan = new_plan (ESPLASH_JOB_WRITE, transport);
  g_autoptr(GBytes) image = load_image ("one_mb.bin");
  g_autoptr(EsplashJob) job = NULL;
  gint64 deadline;
  Run run;

  esplash_job_plan_add_region (plan, 0x10000, image, "one_mb.bin");
  job = esplash_job_new (plan);
  run_init (&run, job);

  /* Let the worker finish without the main loop running: every run of
   * progress events between two other events must reach us as one. */
  esplash_job_run_async (job, NULL, finished_cb, &run);
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  while (!esplash_transport_is_closed (transport) && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  g_assert_true (esplash_transport_is_closed (transport));
  g_usleep (200000);
  while (!run.finished)
    g_main_context_iteration (run.context, TRUE);

  g_assert_no_error (run.error);
  g_assert_cmpuint (run.n_progress, >, 0);
  g_assert_cmpuint (run.n_progress, <=, run.n_other + 1);
  g_assert_false (run.fraction_dropped);
  g_assert_cmpfloat (esplash_job_get_fraction (job), ==, 1.0);
  run_clear (&run);
}

static void
test_write_cancel (void)
{
  g_autoptr(EsplashSim) sim = new_sim (TRUE, ESPLASH_SIM_FAULT_NONE, 0);
  g_autoptr(EsplashTransport) transport = esplash_sim_transport_new (sim);
  g_autoptr(EsplashJobPlan) plan = new_plan (ESPLASH_JOB_WRITE, transport);
  g_autoptr(GBytes) image = load_image ("one_mb.bin");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(EsplashJob) job = NULL;
  Run run;

  esplash_job_plan_add_region (plan, 0x10000, image, "one_mb.bin");
  job = esplash_job_new (plan);
  run_init (&run, job);
  run.cancel_when_writing = cancellable;
  run_job (&run, job, cancellable);

  g_assert_false (run.ok);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (esplash_job_dup_diagnosis (job));   /* a cancel is no failure */
  g_assert_cmpint (run.cancel_time, >, 0);
  g_test_message ("cancel to result: %" G_GINT64_FORMAT " ms",
                  (run.result_time - run.cancel_time) / G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (run.result_time - run.cancel_time, <, 500 * G_TIME_SPAN_MILLISECOND);
  g_assert_false (run.event_off_thread);
  g_assert_false (run.event_after_result);
  g_assert_false (run.fraction_dropped);
  g_assert_cmpfloat (esplash_job_get_fraction (job), <, 1.0);
  g_assert_true (esplash_transport_is_closed (transport));
  run_clear (&run);
}

static void
test_error_stall (void)
{
  /* The chip stops answering a few commands into the session. */
  g_autoptr(EsplashSim) sim = new_sim (FALSE, ESPLASH_SIM_FAULT_STALL, 12);
  g_autoptr(EsplashTransport) transport = esplash_sim_transport_new (sim);
  g_autoptr(EsplashJobPlan) plan = new_plan (ESPLASH_JOB_WRITE, transport);
  g_autoptr(GBytes) image = load_image ("fifty_kb.bin");
  g_autoptr(EsplashJob) job = NULL;
  g_autoptr(EsplashDiagnosis) diagnosis = NULL;
  Run run;

  esplash_job_plan_add_region (plan, 0x10000, image, "fifty_kb.bin");
  job = esplash_job_new (plan);
  run_init (&run, job);
  run_job (&run, job, NULL);

  g_assert_false (run.ok);
  g_assert_nonnull (run.error);
  g_assert_true (run.error->domain == ESPLASH_ERROR);
  g_assert_cmpstr (run.error->message, !=, "");
  g_test_message ("stall error: %s", run.error->message);
  /* The failure is explained in the user's terms, from what the line showed. */
  diagnosis = esplash_job_dup_diagnosis (job);
  g_assert_nonnull (diagnosis);
  g_test_message ("diagnosis: %s — %s", diagnosis->id, diagnosis->title);
  g_assert_cmpstr (diagnosis->id, ==, ESPLASH_DIAGNOSIS_STALL_MID_WRITE);
  g_assert_false (run.event_off_thread);
  g_assert_false (run.event_after_result);
  g_assert_false (esplash_job_is_running (job));
  g_assert_true (esplash_transport_is_closed (transport));
  run_clear (&run);
}

static void
test_describe (void)
{
  g_autoptr(EsplashSim) sim = new_sim (FALSE, ESPLASH_SIM_FAULT_NONE, 0);
  g_autoptr(EsplashTransport) transport = esplash_sim_transport_new (sim);
  g_autoptr(EsplashJobPlan) plan = new_plan (ESPLASH_JOB_DESCRIBE, transport);
  g_autoptr(EsplashJob) job = esplash_job_new (plan);
  g_autofree char *chip_name = NULL;
  const EsplashChipDescription *description;
  Run run;

  g_assert_null (esplash_job_get_chip_description (job));
  run_init (&run, job);
  run_job (&run, job, NULL);

  g_assert_no_error (run.error);
  description = esplash_job_get_chip_description (job);
  g_assert_nonnull (description);
  g_assert_true (description->chip == esplash_chip_get (ESPLASH_CHIP_ESP32S3));
  g_assert_cmpuint (description->flash_size, ==, esplash_sim_get_flash_size (sim));
  g_object_get (job, "chip-name", &chip_name, NULL);
  g_assert_cmpstr (chip_name, ==, "ESP32-S3");
  g_assert_cmpfloat (esplash_job_get_fraction (job), ==, 1.0);
  g_assert_true (esplash_transport_is_closed (transport));
  /* The default "after" ran the app again. */
  g_assert_cmpint (esplash_sim_get_state (sim), !=, ESPLASH_SIM_STATE_ROM_LOADER);
  g_assert_cmpint (esplash_sim_get_state (sim), !=, ESPLASH_SIM_STATE_STUB);
  run_clear (&run);
}

static void
test_missing_file (void)
{
  g_autoptr(EsplashSim) sim = new_sim (FALSE, ESPLASH_SIM_FAULT_NONE, 0);
  g_autoptr(EsplashTransport) transport = esplash_sim_transport_new (sim);
  g_autoptr(EsplashJobPlan) plan = new_plan (ESPLASH_JOB_WRITE, transport);
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/esplash/firmware.bin");
  g_autoptr(EsplashJob) job = NULL;
  guint resets = esplash_sim_get_reset_count (sim);
  Run run;

  esplash_job_plan_add_file (plan, 0x10000, file);
  job = esplash_job_new (plan);
  run_init (&run, job);
  run_job (&run, job, NULL);

  /* Fails on the file, before the board is reset. */
  g_assert_error (run.error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (run.error->message, "firmware.bin"));
  g_assert_cmpuint (run.stages->len, ==, 0);
  g_assert_cmpuint (esplash_sim_get_reset_count (sim), ==, resets);
  g_assert_cmpuint (esplash_sim_count_commands (sim, 0x08 /* SYNC */), ==, 0);
  g_assert_true (esplash_transport_is_closed (transport));
  run_clear (&run);
}

static void
test_no_port (void)
{
  g_autoptr(EsplashJobPlan) plan = esplash_job_plan_new (ESPLASH_JOB_DESCRIBE);
  g_autoptr(EsplashJob) job = esplash_job_new (plan);
  Run run;

  run_init (&run, job);
  run_job (&run, job, NULL);
  g_assert_error (run.error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT);
  g_assert_false (run.event_after_result);
  run_clear (&run);

  /* A job runs once. */
  run_init (&run, job);
  run_job (&run, job, NULL);
  g_assert_error (run.error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT);
  run_clear (&run);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/job/plan/no-port", test_no_port);
  g_test_add_func ("/esplash/job/plan/missing-file", test_missing_file);
  g_test_add_func ("/esplash/job/describe", test_describe);
  g_test_add_func ("/esplash/job/write/events", test_write_events);
  g_test_add_func ("/esplash/job/write/coalesces", test_write_coalesces);
  g_test_add_func ("/esplash/job/write/cancel", test_write_cancel);
  g_test_add_func ("/esplash/job/error/stall", test_error_stall);

  return g_test_run ();
}
