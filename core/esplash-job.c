/* esplash-job.c: one device operation on a worker, reported on the
 * caller's main context — the object, its properties and signals, the
 * delivery of events (the queue is in esplash-job-queue.c, the work in
 * esplash-job-worker.c, the plan in esplash-job-plan.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-job.h"
#include "esplash-job-private.h"

#include "esplash-error.h"

/**
 * EsplashJob:
 *
 * One operation on one chip — describe, write, verify, read, erase or
 * reset — as set out by an #EsplashJobPlan.
 *
 * Run it with esplash_job_run() on a thread of your own, or with
 * esplash_job_run_async(), which works on a worker thread and emits the
 * signals on the main context that was thread-default when the job was
 * created. Every job has its own device, port and events, so several jobs
 * may run at the same time.
 */
G_DEFINE_FINAL_TYPE (EsplashJob, esplash_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PLAN,
  PROP_RUNNING,
  PROP_STAGE,
  PROP_FRACTION,
  PROP_CHIP_NAME,
  PROP_CHIP_REVISION,
  PROP_FLASH_SIZE,
  PROP_MAC,
  PROP_CRYSTAL_MHZ,
  N_PROPS
};

enum {
  SIGNAL_STAGE,
  SIGNAL_PROGRESS,
  SIGNAL_LOG,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- progress fraction ------------------------------------------------- */

static void
raise_fraction (EsplashJob *self,
                gdouble     fraction)
{
  fraction = CLAMP (fraction, 0.0, 1.0);
  if (fraction <= self->fraction)
    return;
  self->fraction = fraction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

/* ---- context side: the drain ------------------------------------------- */

static void
deliver_event (EsplashJob         *self,
               const EsplashEvent *event)
{
  gdouble lo, hi;

  switch (event->kind)
    {
    case ESPLASH_EVENT_STAGE:
      if (event->stage != self->stage)
        {
          self->stage = event->stage;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
        }
      if (event->stage == ESPLASH_STAGE_RECONNECTING)
        self->resume_count++;
      if (esplash_job_plan_stage_band (self->plan, event->stage, &lo, &hi))
        raise_fraction (self, lo);
      g_signal_emit (self, signals[SIGNAL_STAGE], 0,
                     (guint) event->stage, event->region_index, event->region_count);
      break;

    case ESPLASH_EVENT_PROGRESS:
      {
        guint64 done = event->overall_done;
        guint64 total = event->overall_total;

        if (total == 0)
          {
            done = event->region_done;
            total = event->region_total;
          }
        if (event->stage == ESPLASH_STAGE_WRITING)
          self->bytes_unchanged = MAX (self->bytes_unchanged, event->overall_skipped);
        if (total > 0 && esplash_job_plan_stage_band (self->plan, event->stage, &lo, &hi))
          raise_fraction (self, lo + (hi - lo) * MIN (done, total) / (gdouble) total);
        g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, done, total);
      }
      break;

    case ESPLASH_EVENT_LOG:
      g_signal_emit (self, signals[SIGNAL_LOG], 0, (guint) event->level,
                     event->message != NULL ? event->message : "");
      break;

    default:
      break;
    }
}

static void
deliver_description (EsplashJob                   *self,
                     const EsplashChipDescription *description)
{
  self->description = *description;
  self->described = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHIP_NAME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHIP_REVISION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLASH_SIZE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAC]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CRYSTAL_MHZ]);
}

static void
deliver_finished (EsplashJob      *self,
                  EsplashJobEntry *entry)
{
  g_autoptr(GTask) task = NULL;

  g_mutex_lock (&self->mutex);
  task = g_steal_pointer (&self->task);
  g_mutex_unlock (&self->mutex);

  if (entry->error == NULL)
    raise_fraction (self, 1.0);
  g_clear_pointer (&self->read_data, g_bytes_unref);
  self->read_data = g_steal_pointer (&entry->read_data);
  g_clear_pointer (&self->diagnosis, esplash_diagnosis_free);
  self->diagnosis = g_steal_pointer (&entry->diagnosis);
  self->elapsed = (g_get_monotonic_time () - self->start_time) / (gdouble) G_USEC_PER_SEC;
  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  /* esplash_job_run() has no task: it takes the error from the entry. */
  if (task == NULL)
    return;
  if (entry->error != NULL)
    g_task_return_error (task, g_steal_pointer (&entry->error));
  else
    g_task_return_boolean (task, TRUE);
}

void
esplash_job_deliver (EsplashJob      *self,
                     EsplashJobEntry *entry)
{
  switch (entry->kind)
    {
    case ESPLASH_JOB_ENTRY_EVENT:
      deliver_event (self, &entry->event);
      break;
    case ESPLASH_JOB_ENTRY_DESCRIBED:
      deliver_description (self, &entry->description);
      break;
    case ESPLASH_JOB_ENTRY_FINISHED:
      deliver_finished (self, entry);
      break;
    default:
      break;
    }
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  EsplashJob *self = ESPLASH_JOB (source_object);

  esplash_job_push_entry (self, esplash_job_work (self, cancellable));
  g_task_return_boolean (task, TRUE);
}

/* ---- GObject ----------------------------------------------------------- */

static void
esplash_job_dispose (GObject *object)
{
  EsplashJob *self = ESPLASH_JOB (object);

  g_clear_pointer (&self->read_data, g_bytes_unref);
  g_clear_pointer (&self->diagnosis, esplash_diagnosis_free);

  G_OBJECT_CLASS (esplash_job_parent_class)->dispose (object);
}

static void
esplash_job_finalize (GObject *object)
{
  EsplashJob *self = ESPLASH_JOB (object);

  esplash_job_queue_clear (self);
  g_clear_object (&self->task);
  g_mutex_clear (&self->mutex);
  g_clear_pointer (&self->plan, esplash_job_plan_unref);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (esplash_job_parent_class)->finalize (object);
}

static void
esplash_job_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EsplashJob *self = ESPLASH_JOB (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      g_value_set_boxed (value, self->plan);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_STAGE:
      g_value_set_uint (value, self->stage);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_CHIP_NAME:
      g_value_set_string (value, esplash_job_get_chip_name (self));
      break;
    case PROP_CHIP_REVISION:
      g_value_set_uint (value, self->described ? self->description.revision : 0);
      break;
    case PROP_FLASH_SIZE:
      g_value_set_uint (value, self->described ? self->description.flash_size : 0);
      break;
    case PROP_MAC:
      g_value_take_string (value, esplash_job_dup_mac (self));
      break;
    case PROP_CRYSTAL_MHZ:
      g_value_set_uint (value, self->described ? self->description.crystal_mhz : 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_job_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EsplashJob *self = ESPLASH_JOB (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      self->plan = g_value_dup_boxed (value);
      if (self->plan == NULL)
        self->plan = esplash_job_plan_new (ESPLASH_JOB_DESCRIBE);
      esplash_job_plan_seal (self->plan);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_job_class_init (EsplashJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = esplash_job_dispose;
  object_class->finalize = esplash_job_finalize;
  object_class->get_property = esplash_job_get_property;
  object_class->set_property = esplash_job_set_property;

  /**
   * EsplashJob:plan:
   *
   * What the job does; sealed once the job exists.
   */
  properties[PROP_PLAN] =
    g_param_spec_boxed ("plan", NULL, NULL, ESPLASH_TYPE_JOB_PLAN,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * EsplashJob:running:
   *
   * %TRUE from the start of a run until its result is delivered.
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * EsplashJob:stage:
   *
   * The latest #EsplashStage, as a number.
   */
  properties[PROP_STAGE] =
    g_param_spec_uint ("stage", NULL, NULL, 0, G_MAXUINT, ESPLASH_STAGE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * EsplashJob:fraction:
   *
   * Overall progress 0…1 over every stage of the plan; it never goes down
   * and reaches 1 when a run succeeds.
   */
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * EsplashJob:chip-name:
   *
   * "ESP32-S3", once connected.
   */
  properties[PROP_CHIP_NAME] =
    g_param_spec_string ("chip-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * EsplashJob:chip-revision:
   *
   * The chip revision as major × 100 + minor, once connected.
   */
  properties[PROP_CHIP_REVISION] =
    g_param_spec_uint ("chip-revision", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * EsplashJob:flash-size:
   *
   * The detected flash size in bytes (0 when unknown).
   */
  properties[PROP_FLASH_SIZE] =
    g_param_spec_uint ("flash-size", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * EsplashJob:mac:
   *
   * The MAC address as "aa:bb:cc:dd:ee:ff", once connected.
   */
  properties[PROP_MAC] =
    g_param_spec_string ("mac", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * EsplashJob:crystal-mhz:
   *
   * The crystal frequency in MHz, once connected.
   */
  properties[PROP_CRYSTAL_MHZ] =
    g_param_spec_uint ("crystal-mhz", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EsplashJob::stage:
   * @self: the job
   * @stage: the #EsplashStage entered
   * @region_index: 0-based region, for per-region stages
   * @region_count: number of regions, 0 when not per-region
   *
   * Emitted when the job enters a stage (and for each region of a
   * per-region stage).
   */
  signals[SIGNAL_STAGE] =
    g_signal_new ("stage", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);
  /**
   * EsplashJob::progress:
   * @self: the job
   * @done: bytes done in the current stage (over all regions)
   * @total: bytes to do in the current stage
   *
   * Emitted as the chip acknowledges data. For the overall progress of the
   * job, watch #EsplashJob:fraction instead.
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_UINT64);
  /**
   * EsplashJob::log:
   * @self: the job
   * @level: an #EsplashLogLevel, as a number
   * @message: one line of English detail
   *
   * Emitted for each line of detail (what was detected, chosen, skipped).
   */
  signals[SIGNAL_LOG] =
    g_signal_new ("log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
}

static void
esplash_job_init (EsplashJob *self)
{
  g_mutex_init (&self->mutex);
  g_queue_init (&self->queue);
  self->context = g_main_context_ref_thread_default ();
}

/**
 * esplash_job_new:
 * @plan: what to do; sealed by this call
 *
 * Events of the job are delivered on the thread-default #GMainContext of
 * the calling thread.
 *
 * Returns: (transfer full): a new job
 */
EsplashJob *
esplash_job_new (EsplashJobPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);

  return g_object_new (ESPLASH_TYPE_JOB, "plan", plan, NULL);
}

/**
 * esplash_job_get_plan:
 * @self: a job
 *
 * Returns: (transfer none): the plan (sealed)
 */
EsplashJobPlan *
esplash_job_get_plan (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), NULL);

  return self->plan;
}

/**
 * esplash_job_is_running:
 * @self: a job
 *
 * Returns: %TRUE from the start of a run until its result is delivered
 */
gboolean
esplash_job_is_running (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), FALSE);

  return self->running;
}

/**
 * esplash_job_get_stage:
 * @self: a job
 *
 * Returns: the latest stage delivered
 */
EsplashStage
esplash_job_get_stage (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), ESPLASH_STAGE_IDLE);

  return self->stage;
}

/**
 * esplash_job_get_fraction:
 * @self: a job
 *
 * Returns: the overall progress, 0 to 1; it never goes down and is 1 after
 *   a successful run
 */
gdouble
esplash_job_get_fraction (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), 0.0);

  return self->fraction;
}

/**
 * esplash_job_get_chip_description:
 * @self: a job
 *
 * Returns: (transfer none) (nullable): the chip, once connected
 */
const EsplashChipDescription *
esplash_job_get_chip_description (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), NULL);

  return self->described ? &self->description : NULL;
}

/**
 * esplash_job_get_chip_name:
 * @self: a job
 *
 * Returns: (transfer none) (nullable): "ESP32-S3", once connected
 */
const char *
esplash_job_get_chip_name (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), NULL);

  if (!self->described || self->description.chip == NULL)
    return NULL;
  return self->description.chip->name;
}

/**
 * esplash_job_dup_mac:
 * @self: a job
 *
 * Returns: (transfer full) (nullable): the MAC as "aa:bb:cc:dd:ee:ff"
 */
char *
esplash_job_dup_mac (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), NULL);

  return self->described ? esplash_chip_description_dup_mac (&self->description) : NULL;
}

/**
 * esplash_job_dup_read_data:
 * @self: a job
 *
 * Returns: (transfer full) (nullable): the bytes a finished READ job read
 */
GBytes *
esplash_job_dup_read_data (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), NULL);

  return self->read_data != NULL ? g_bytes_ref (self->read_data) : NULL;
}

/**
 * esplash_job_dup_diagnosis:
 * @self: a job
 *
 * What went wrong in a failed run, in the user's terms: the cause, the
 * evidence and the steps to fix it (see esplash_diagnose()). Cancelled and
 * successful runs have none.
 *
 * Returns: (transfer full) (nullable): the diagnosis of the last failed run
 */
EsplashDiagnosis *
esplash_job_dup_diagnosis (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), NULL);

  return self->diagnosis != NULL ? esplash_diagnosis_copy (self->diagnosis) : NULL;
}

/**
 * esplash_job_get_elapsed:
 * @self: a job
 *
 * Returns: wall time of the last run in seconds (0 before it ended)
 */
gdouble
esplash_job_get_elapsed (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), 0.0);

  return self->elapsed;
}

/**
 * esplash_job_get_bytes_unchanged:
 * @self: a job
 *
 * How much of what a write job was given the flash held already, so that
 * it was not sent (see #EsplashWriteOptions.no_skip). Read it on the job's
 * main context, e.g. when the job has finished.
 *
 * Returns: bytes found unchanged by the last run
 */
guint64
esplash_job_get_bytes_unchanged (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), 0);

  return self->bytes_unchanged;
}

/**
 * esplash_job_get_resume_count:
 * @self: a job
 *
 * How often the last run lost its session with the chip (a reply lost or
 * damaged, the chip reset, the port gone) and took it up again, going on
 * from what the flash held. Read it on the job's main context.
 *
 * Returns: the count; 0 when nothing was interrupted
 */
guint
esplash_job_get_resume_count (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), 0);

  return self->resume_count;
}

/* Marks the job as started; FALSE when it ran before. */
static gboolean
start (EsplashJob  *self,
       GError     **error)
{
  if (self->started)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "This job has already run; create a new job to run it again");
      return FALSE;
    }
  self->started = TRUE;
  self->running = TRUE;
  self->start_time = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  return TRUE;
}

/**
 * esplash_job_run:
 * @self: a job that has not run yet
 * @cancellable: (nullable): cancels the run
 * @error: the reason the job failed; %G_IO_ERROR_CANCELLED when cancelled
 *
 * Runs the plan on the calling thread, blocking until it ends. The
 * #EsplashJob::stage, #EsplashJob::progress and #EsplashJob::log signals and
 * the property notifications are emitted on this thread while it runs, as
 * they happen (the job's main context is not used). Several jobs may run at
 * once, each on its own thread.
 *
 * Returns: %TRUE when the plan was carried out (and verified)
 */
gboolean
esplash_job_run (EsplashJob    *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  EsplashJobEntry *finished;
  gboolean ok;

  g_return_val_if_fail (ESPLASH_IS_JOB (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!start (self, error))
    return FALSE;

  g_mutex_lock (&self->mutex);
  self->direct = TRUE;
  g_mutex_unlock (&self->mutex);

  finished = esplash_job_work (self, cancellable);
  esplash_job_deliver (self, finished);
  ok = finished->error == NULL;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&finished->error));
  esplash_job_entry_free (finished);

  g_mutex_lock (&self->mutex);
  self->direct = FALSE;
  g_mutex_unlock (&self->mutex);
  return ok;
}

/**
 * esplash_job_run_async:
 * @self: a job that has not run yet
 * @cancellable: (nullable): cancels the run
 * @callback: (scope async): called on the thread-default context of this
 *   call after every event of the run was delivered
 * @user_data: (closure callback): for @callback
 *
 * Runs the plan on a worker thread. The signals and property notifications
 * are emitted on the #GMainContext that was thread-default when the job was
 * created; finish with esplash_job_run_finish().
 */
void
esplash_job_run_async (EsplashJob          *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  GError *error = NULL;

  g_return_if_fail (ESPLASH_IS_JOB (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, esplash_job_run_async);
  /* A cancel that arrives after the work completed does not undo it. */
  g_task_set_check_cancellable (task, FALSE);

  if (!start (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_mutex_lock (&self->mutex);
  self->task = g_steal_pointer (&task);
  g_mutex_unlock (&self->mutex);

  /* The worker's own task only carries the thread; the outcome reaches the
   * caller through the event queue (see drain_cb). */
  worker = g_task_new (self, cancellable, NULL, NULL);
  g_task_set_source_tag (worker, job_thread);
  g_task_set_check_cancellable (worker, FALSE);
  g_task_run_in_thread (worker, job_thread);
}

/**
 * esplash_job_run_finish:
 * @self: the job
 * @result: the result given to the callback of esplash_job_run_async()
 * @error: the reason the job failed; %G_IO_ERROR_CANCELLED when cancelled
 *
 * Returns: %TRUE when the plan was carried out (and verified)
 */
gboolean
esplash_job_run_finish (EsplashJob    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == esplash_job_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
