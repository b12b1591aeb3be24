/* test-library-concurrent.c: four virtual ESP32-S3 boards flashed at the
 * same time from one process — with esplash_job_run() on four threads and
 * with esplash_job_run_async() on one context (and sixteen that way). Each job's signals must carry
 * only its own progress (every board gets an image of its own size), and
 * every board must end up holding its own image, verified.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"

#define N_BOARDS 4
#define MAX_BOARDS 16
#define IMAGE_ADDRESS 0x10000u
#define RENDEZVOUS_TIMEOUT_S 20

/* Where the threads meet: each waits in its first write progress until all
 * four are writing, which proves the writes overlap. */
typedef struct {
  GMutex mutex;
  GCond  cond;
  guint  n_writing;
} Rendezvous;

typedef struct {
  guint          index;
  EsplashSim    *sim;
  GBytes        *image;
  EsplashJob    *job;
  GThread       *thread;          /* where this job's signals must arrive */
  Rendezvous    *rendezvous;      /* NULL: do not wait for the others */
  gboolean       met;             /* all four were writing at once */

  guint          n_progress;
  guint          n_foreign;       /* signals for another job or on another thread */
  guint          n_wrong_total;   /* write progress whose total is not this image's size */
  gboolean       done_went_down;
  EsplashStage   progress_stage;
  guint64        last_done;
  guint64        write_done;      /* last write progress */
  guint64        write_total;
  gboolean       saw_writing;
  gboolean       saw_verifying;
  gboolean       fraction_dropped;
  gdouble        last_fraction;

  gboolean       finished;
  gboolean       ok;
  GError        *error;
} Board;

static GBytes *
make_image (guint index)
{
  /* Sizes differ per board, so a progress total names its board. */
  gsize size = (48 + 16 * index) * 1024;
  guint8 *data = g_malloc (size);
  g_autoptr(GRand) rand = g_rand_new_with_seed (0xE5B1A500 + index);

  for (gsize i = 0; i < size; i++)
    data[i] = g_rand_int (rand) & 0xFF;
  return g_bytes_new_take (data, size);
}

static void
check_origin (Board      *board,
              EsplashJob *job)
{
  if (job != board->job || g_thread_self () != board->thread)
    board->n_foreign++;
}

static void
meet_the_others (Board *board)
{
  Rendezvous *rv = board->rendezvous;
  gint64 deadline = g_get_monotonic_time () + RENDEZVOUS_TIMEOUT_S * G_TIME_SPAN_SECOND;

  g_mutex_lock (&rv->mutex);
  rv->n_writing++;
  g_cond_broadcast (&rv->cond);
  while (rv->n_writing < N_BOARDS)
    {
      if (!g_cond_wait_until (&rv->cond, &rv->mutex, deadline))
        break;
    }
  board->met = rv->n_writing == N_BOARDS;
  g_mutex_unlock (&rv->mutex);
}

static void
stage_cb (EsplashJob *job,
          guint       stage,
          guint       region_index,
          guint       region_count,
          Board      *board)
{
  check_origin (board, job);
  if (stage == ESPLASH_STAGE_WRITING)
    board->saw_writing = TRUE;
  if (stage == ESPLASH_STAGE_VERIFYING)
    board->saw_verifying = TRUE;
}

static void
progress_cb (EsplashJob *job,
             guint64     done,
             guint64     total,
             Board      *board)
{
  EsplashStage stage = esplash_job_get_stage (job);

  check_origin (board, job);
  board->n_progress++;
  if (stage != board->progress_stage)
    {
      board->progress_stage = stage;
      board->last_done = 0;
    }
  if (done < board->last_done)
    board->done_went_down = TRUE;
  board->last_done = done;

  if (stage != ESPLASH_STAGE_WRITING)
    return;
  if (total != g_bytes_get_size (board->image))
    board->n_wrong_total++;
  board->write_done = done;
  board->write_total = total;
  if (board->rendezvous != NULL && done > 0 && done < total)
    {
      meet_the_others (board);
      board->rendezvous = NULL;   /* once */
    }
}

static void
fraction_cb (EsplashJob *job,
             GParamSpec *pspec,
             Board      *board)
{
  gdouble fraction = esplash_job_get_fraction (job);

  check_origin (board, job);
  if (fraction < board->last_fraction)
    board->fraction_dropped = TRUE;
  board->last_fraction = fraction;
}

static void
board_init (Board      *board,
            guint       index,
            Rendezvous *rendezvous)
{
  g_autoptr(EsplashJobPlan) plan = esplash_job_plan_new (ESPLASH_JOB_WRITE);
  g_autoptr(EsplashTransport) transport = NULL;
  EsplashSimOptions options;

  memset (board, 0, sizeof *board);
  board->index = index;
  board->rendezvous = rendezvous;
  esplash_sim_options_init (&options, ESPLASH_CHIP_ESP32S3);
  options.mac[0] = 0x02;
  options.mac[5] = index;
  board->sim = esplash_sim_new (&options);
  board->image = make_image (index);

  transport = esplash_sim_transport_new (board->sim);
  esplash_job_plan_set_transport (plan, transport);
  esplash_job_plan_set_stub_dir (plan, g_getenv ("ESPLASH_STUB_DIR"));
  esplash_job_plan_set_chip (plan, ESPLASH_CHIP_ESP32S3);
  esplash_job_plan_add_region (plan, IMAGE_ADDRESS, board->image, "image.bin");
  board->job = esplash_job_new (plan);
  g_signal_connect (board->job, "stage", G_CALLBACK (stage_cb), board);
  g_signal_connect (board->job, "progress", G_CALLBACK (progress_cb), board);
  g_signal_connect (board->job, "notify::fraction", G_CALLBACK (fraction_cb), board);
}

static void
board_clear (Board *board)
{
  g_clear_object (&board->job);
  g_clear_object (&board->sim);
  g_clear_pointer (&board->image, g_bytes_unref);
  g_clear_error (&board->error);
}

/* What every board must show after the run, whichever way it ran. */
static void
check_board (Board *board)
{
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *mac = NULL;
  g_autofree char *expected_mac = g_strdup_printf ("02:00:00:00:00:%02x", board->index);

  g_test_message ("board %u: %u progress signals, wrote %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                  board->index, board->n_progress, board->write_done, board->write_total);
  g_assert_no_error (board->error);
  g_assert_true (board->ok);
  g_assert_cmpuint (board->n_foreign, ==, 0);
  g_assert_cmpuint (board->n_wrong_total, ==, 0);
  g_assert_false (board->done_went_down);
  g_assert_false (board->fraction_dropped);
  g_assert_true (board->saw_writing);
  g_assert_true (board->saw_verifying);
  g_assert_cmpuint (board->write_total, ==, g_bytes_get_size (board->image));
  g_assert_cmpuint (board->write_done, ==, board->write_total);
  g_assert_cmpfloat (esplash_job_get_fraction (board->job), ==, 1.0);

  /* The job talked to its own chip … */
  mac = esplash_job_dup_mac (board->job);
  g_assert_cmpstr (mac, ==, expected_mac);
  /* … which now holds this board's image. */
  flash = esplash_sim_dup_flash (board->sim, IMAGE_ADDRESS, g_bytes_get_size (board->image));
  g_assert_true (g_bytes_equal (flash, board->image));
}

static gpointer
board_thread (gpointer data)
{
  Board *board = data;

  board->thread = g_thread_self ();
  board->ok = esplash_job_run (board->job, NULL, &board->error);
  board->finished = TRUE;
  return NULL;
}

static void
test_threads (void)
{
  Board boards[N_BOARDS];
  GThread *threads[N_BOARDS];
  Rendezvous rendezvous = { 0 };

  g_mutex_init (&rendezvous.mutex);
  g_cond_init (&rendezvous.cond);
  for (guint i = 0; i < N_BOARDS; i++)
    board_init (&boards[i], i, &rendezvous);

  for (guint i = 0; i < N_BOARDS; i++)
    threads[i] = g_thread_new ("board", board_thread, &boards[i]);
  for (guint i = 0; i < N_BOARDS; i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < N_BOARDS; i++)
    {
      check_board (&boards[i]);
      g_assert_true (boards[i].met);
      board_clear (&boards[i]);
    }
  g_mutex_clear (&rendezvous.mutex);
  g_cond_clear (&rendezvous.cond);
}

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Board *board = user_data;

  board->ok = esplash_job_run_finish (ESPLASH_JOB (source), result, &board->error);
  board->finished = TRUE;
}

/* @data: how many boards (16: issue 13's library scale) */
static void
test_async (gconstpointer data)
{
  guint n = GPOINTER_TO_UINT (data);
  Board boards[MAX_BOARDS];
  guint n_finished = 0;

  for (guint i = 0; i < n; i++)
    {
      board_init (&boards[i], i, NULL);
      boards[i].thread = g_thread_self ();
    }
  for (guint i = 0; i < n; i++)
    esplash_job_run_async (boards[i].job, NULL, async_done_cb, &boards[i]);

  while (n_finished < n)
    {
      g_main_context_iteration (NULL, TRUE);
      n_finished = 0;
      for (guint i = 0; i < n; i++)
        n_finished += boards[i].finished;
    }

  for (guint i = 0; i < n; i++)
    {
      check_board (&boards[i]);
      board_clear (&boards[i]);
    }
}

/* A second run of a job is refused at once, on the calling thread. */
static void
test_run_twice (void)
{
  Board board;
  g_autoptr(GError) error = NULL;

  board_init (&board, 0, NULL);
  board.thread = g_thread_self ();
  board.ok = esplash_job_run (board.job, NULL, &board.error);
  check_board (&board);
  g_assert_false (esplash_job_run (board.job, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT);
  board_clear (&board);
}

/* Cancelling one of two synchronous runs stops only that one. */
static void
cancel_progress_cb (EsplashJob   *job,
                    guint64       done,
                    guint64       total,
                    GCancellable *cancellable)
{
  if (esplash_job_get_stage (job) == ESPLASH_STAGE_WRITING && done > 0)
    g_cancellable_cancel (cancellable);
}

static gpointer
cancelled_thread (gpointer data)
{
  Board *board = data;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  board->thread = g_thread_self ();
  g_signal_connect (board->job, "progress", G_CALLBACK (cancel_progress_cb), cancellable);
  board->ok = esplash_job_run (board->job, cancellable, &board->error);
  board->finished = TRUE;
  return NULL;
}

static void
test_cancel_one (void)
{
  Board boards[2];
  GThread *threads[2];

  for (guint i = 0; i < 2; i++)
    board_init (&boards[i], i, NULL);
  threads[1] = g_thread_new ("kept", board_thread, &boards[1]);
  threads[0] = g_thread_new ("cancelled", cancelled_thread, &boards[0]);
  g_thread_join (threads[0]);
  g_thread_join (threads[1]);

  g_assert_false (boards[0].ok);
  g_assert_error (boards[0].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (esplash_job_is_running (boards[0].job));
  g_assert_cmpfloat (esplash_job_get_fraction (boards[0].job), <, 1.0);
  check_board (&boards[1]);
  for (guint i = 0; i < 2; i++)
    board_clear (&boards[i]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/library/concurrent/threads", test_threads);
  g_test_add_data_func ("/esplash/library/concurrent/async", GUINT_TO_POINTER (N_BOARDS), test_async);
  g_test_add_data_func ("/esplash/library/concurrent/async-16", GUINT_TO_POINTER (16), test_async);
  g_test_add_func ("/esplash/library/concurrent/cancel-one", test_cancel_one);
  g_test_add_func ("/esplash/library/run/twice", test_run_twice);

  return g_test_run ();
}
