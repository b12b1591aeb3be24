/* esplash-job.c: one device operation on a worker, reported on the
 * caller's main context.
 *
 * The worker (g_task_run_in_thread) only queues: device events, the chip
 * description and finally the outcome go into one queue under a mutex. A
 * single idle source on the job's GMainContext drains the queue in order and
 * turns the entries into signals, property changes and — last — the
 * completion of the caller's GTask. Because the outcome travels through the
 * same queue, the callback can never overtake an event.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-job.h"

#include "esplash-error.h"

/* ---- the plan ---------------------------------------------------------- */

typedef struct {
  guint32  address;
  GBytes  *data;      /* NULL until loaded when @file is set */
  char    *name;
  GFile   *file;
} PlanRegion;

struct _EsplashJobPlan {
  gatomicrefcount        ref_count;
  gboolean               sealed;
  EsplashJobAction       action;
  char                  *url;
  EsplashTransport      *transport;
  EsplashConnectOptions  connect;
  char                  *stub_dir;
  EsplashWriteOptions    write;
  char                  *flash_mode;
  char                  *flash_freq;
  char                  *flash_size;
  EsplashAfter           after;
  GPtrArray             *regions;      /* PlanRegion */
  guint32                read_address;
  guint32                read_size;
  GFile                 *read_file;
};

G_DEFINE_BOXED_TYPE (EsplashJobPlan, esplash_job_plan, esplash_job_plan_ref, esplash_job_plan_unref)

static void
plan_region_free (gpointer data)
{
  PlanRegion *region = data;

  g_clear_pointer (&region->data, g_bytes_unref);
  g_clear_object (&region->file);
  g_free (region->name);
  g_free (region);
}

/**
 * esplash_job_action_nick:
 * @action: an #EsplashJobAction
 *
 * Returns: (transfer none): "describe", "write", "read", "erase-all" or "reset"
 */
const char *
esplash_job_action_nick (EsplashJobAction action)
{
  switch (action)
    {
    case ESPLASH_JOB_DESCRIBE:
      return "describe";
    case ESPLASH_JOB_WRITE:
      return "write";
    case ESPLASH_JOB_READ:
      return "read";
    case ESPLASH_JOB_ERASE_ALL:
      return "erase-all";
    case ESPLASH_JOB_RESET:
      return "reset";
    default:
      return "unknown";
    }
}

/**
 * esplash_job_plan_new:
 * @action: what the job will do
 *
 * Returns: (transfer full): an empty plan with default options
 */
EsplashJobPlan *
esplash_job_plan_new (EsplashJobAction action)
{
  EsplashJobPlan *plan = g_new0 (EsplashJobPlan, 1);

  g_atomic_ref_count_init (&plan->ref_count);
  plan->action = action;
  esplash_connect_options_init (&plan->connect);
  esplash_write_options_init (&plan->write);
  plan->after = ESPLASH_AFTER_HARD_RESET;
  plan->regions = g_ptr_array_new_with_free_func (plan_region_free);
  return plan;
}

EsplashJobPlan *
esplash_job_plan_ref (EsplashJobPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);

  g_atomic_ref_count_inc (&plan->ref_count);
  return plan;
}

void
esplash_job_plan_unref (EsplashJobPlan *plan)
{
  g_return_if_fail (plan != NULL);

  if (!g_atomic_ref_count_dec (&plan->ref_count))
    return;

  g_free (plan->url);
  g_clear_object (&plan->transport);
  g_free (plan->stub_dir);
  g_free (plan->flash_mode);
  g_free (plan->flash_freq);
  g_free (plan->flash_size);
  g_ptr_array_unref (plan->regions);
  g_clear_object (&plan->read_file);
  g_free (plan);
}

EsplashJobAction
esplash_job_plan_get_action (const EsplashJobPlan *plan)
{
  g_return_val_if_fail (plan != NULL, ESPLASH_JOB_DESCRIBE);

  return plan->action;
}

void
esplash_job_plan_set_url (EsplashJobPlan *plan,
                          const char     *url)
{
  g_return_if_fail (plan != NULL && !plan->sealed);

  g_free (plan->url);
  plan->url = g_strdup (url);
}

void
esplash_job_plan_set_transport (EsplashJobPlan   *plan,
                                EsplashTransport *transport)
{
  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (transport == NULL || ESPLASH_IS_TRANSPORT (transport));

  g_set_object (&plan->transport, transport);
}

void
esplash_job_plan_set_connect_options (EsplashJobPlan              *plan,
                                      const EsplashConnectOptions *options)
{
  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (options != NULL);

  plan->connect = *options;
  g_free (plan->stub_dir);
  plan->stub_dir = g_strdup (options->stub_dir);
  plan->connect.stub_dir = plan->stub_dir;
}

void
esplash_job_plan_set_write_options (EsplashJobPlan            *plan,
                                    const EsplashWriteOptions *options)
{
  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (options != NULL);

  plan->write = *options;
  g_free (plan->flash_mode);
  g_free (plan->flash_freq);
  g_free (plan->flash_size);
  plan->flash_mode = g_strdup (options->flash_mode);
  plan->flash_freq = g_strdup (options->flash_freq);
  plan->flash_size = g_strdup (options->flash_size);
  plan->write.flash_mode = plan->flash_mode;
  plan->write.flash_freq = plan->flash_freq;
  plan->write.flash_size = plan->flash_size;
}

void
esplash_job_plan_set_after (EsplashJobPlan *plan,
                            EsplashAfter    after)
{
  g_return_if_fail (plan != NULL && !plan->sealed);

  plan->after = after;
}

void
esplash_job_plan_add_region (EsplashJobPlan *plan,
                             guint32         address,
                             GBytes         *data,
                             const char     *name)
{
  PlanRegion *region;

  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (data != NULL);

  region = g_new0 (PlanRegion, 1);
  region->address = address;
  region->data = g_bytes_ref (data);
  region->name = g_strdup (name);
  g_ptr_array_add (plan->regions, region);
}

void
esplash_job_plan_add_file (EsplashJobPlan *plan,
                           guint32         address,
                           GFile          *file)
{
  PlanRegion *region;

  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (G_IS_FILE (file));

  region = g_new0 (PlanRegion, 1);
  region->address = address;
  region->file = g_object_ref (file);
  region->name = g_file_get_basename (file);
  g_ptr_array_add (plan->regions, region);
}

guint
esplash_job_plan_get_n_regions (const EsplashJobPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);

  return plan->regions->len;
}

void
esplash_job_plan_set_read (EsplashJobPlan *plan,
                           guint32         address,
                           guint32         size,
                           GFile          *file)
{
  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  plan->read_address = address;
  plan->read_size = size;
  g_set_object (&plan->read_file, file);
}

/* ---- the queue between worker and context ------------------------------ */

typedef enum {
  ENTRY_EVENT,       /* a device event (stage, progress, log) */
  ENTRY_DESCRIBED,   /* the chip description is known */
  ENTRY_FINISHED,    /* the outcome; always the last entry */
} EntryKind;

typedef struct {
  EntryKind               kind;
  EsplashEvent            event;       /* message points into @message */
  char                   *message;
  EsplashChipDescription  description;
  GError                 *error;       /* FINISHED, NULL on success */
  GBytes                 *read_data;   /* FINISHED of a READ */
} Entry;

static void
entry_free (Entry *entry)
{
  g_free (entry->message);
  g_clear_error (&entry->error);
  g_clear_pointer (&entry->read_data, g_bytes_unref);
  g_free (entry);
}

struct _EsplashJob
{
  GObject          parent_instance;

  EsplashJobPlan  *plan;
  GMainContext    *context;

  /* Shared with the worker, under @mutex. */
  GMutex           mutex;
  GQueue           queue;           /* Entry */
  gboolean         drain_scheduled;
  GTask           *task;            /* the caller's; completed by the drain */

  /* Owned by @context's thread. */
  gboolean         started;
  gboolean         running;
  EsplashStage     stage;
  gdouble          fraction;
  gboolean         described;
  EsplashChipDescription description;
  GBytes          *read_data;
  gint64           start_time;
  gdouble          elapsed;
};

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

static gboolean drain_cb (gpointer user_data);

/* Worker side: append @entry and make sure one drain is scheduled. A
 * progress entry replaces an unsent progress entry of the same stage at the
 * tail, so a slow main loop sees the newest numbers, not a backlog; it never
 * jumps over another entry, so the order is kept. */
static void
push_entry (EsplashJob *self,
            Entry      *entry)
{
  Entry *tail;
  gboolean schedule = FALSE;

  g_mutex_lock (&self->mutex);
  tail = g_queue_peek_tail (&self->queue);
  if (entry->kind == ENTRY_EVENT && entry->event.kind == ESPLASH_EVENT_PROGRESS &&
      tail != NULL && tail->kind == ENTRY_EVENT &&
      tail->event.kind == ESPLASH_EVENT_PROGRESS &&
      tail->event.stage == entry->event.stage)
    {
      /* Keep the strings owned by the entry they point into. */
      char *message = tail->message;

      tail->message = entry->message;
      entry->message = message;
      tail->event = entry->event;
      tail->event.message = tail->message;
      entry_free (entry);
    }
  else
    {
      g_queue_push_tail (&self->queue, entry);
    }
  if (!self->drain_scheduled)
    {
      self->drain_scheduled = TRUE;
      schedule = TRUE;
    }
  g_mutex_unlock (&self->mutex);

  if (schedule)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      /* Below redraw priority so a flood of progress never starves the UI. */
      g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_callback (source, drain_cb, g_object_ref (self), g_object_unref);
      g_source_set_static_name (source, "[esplash] job events");
      g_source_attach (source, self->context);
    }
}

static void
push_event (EsplashJob         *self,
            const EsplashEvent *event)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->kind = ENTRY_EVENT;
  entry->event = *event;
  entry->message = g_strdup (event->message);
  entry->event.message = entry->message;
  push_entry (self, entry);
}

static void
push_stage (EsplashJob   *self,
            EsplashStage  stage)
{
  EsplashEvent event = { .kind = ESPLASH_EVENT_STAGE, .stage = stage };

  push_event (self, &event);
}

static void G_GNUC_PRINTF (3, 4)
push_log (EsplashJob      *self,
          EsplashLogLevel  level,
          const char      *format,
          ...)
{
  EsplashEvent event = { .kind = ESPLASH_EVENT_LOG, .level = level };
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  event.message = message;
  push_event (self, &event);
}

static void
device_event_cb (const EsplashEvent *event,
                 gpointer            user_data)
{
  push_event (ESPLASH_JOB (user_data), event);
}

/* ---- progress fraction ------------------------------------------------- */

/* The share of the bar each stage covers for this plan, so the fraction
 * moves steadily from connecting through writing to resetting. */
static gboolean
stage_band (EsplashJob   *self,
            EsplashStage  stage,
            gdouble      *lo,
            gdouble      *hi)
{
  const EsplashJobPlan *plan = self->plan;
  gboolean connect_only = plan->action == ESPLASH_JOB_DESCRIBE || plan->action == ESPLASH_JOB_RESET;
  gdouble connect_end = connect_only ? 0.9 : 0.05;
  gdouble work_end = 0.97;

  if (stage >= ESPLASH_STAGE_OPENING && stage <= ESPLASH_STAGE_CHANGING_BAUD)
    {
      guint step = stage - ESPLASH_STAGE_OPENING;
      guint n_steps = ESPLASH_STAGE_CHANGING_BAUD - ESPLASH_STAGE_OPENING + 1;

      *lo = connect_end * step / n_steps;
      *hi = connect_end * (step + 1) / n_steps;
      return TRUE;
    }

  switch (stage)
    {
    case ESPLASH_STAGE_ERASING:
      if (plan->action == ESPLASH_JOB_ERASE_ALL)
        *lo = connect_end, *hi = work_end;
      else if (plan->action == ESPLASH_JOB_WRITE && plan->write.erase_all)
        *lo = connect_end, *hi = 0.15;
      else
        return FALSE;   /* per-region erases are part of writing */
      return TRUE;
    case ESPLASH_STAGE_WRITING:
      *lo = plan->write.erase_all ? 0.15 : connect_end;
      *hi = plan->write.verify ? 0.85 : work_end;
      return TRUE;
    case ESPLASH_STAGE_VERIFYING:
      *lo = 0.85, *hi = work_end;
      return TRUE;
    case ESPLASH_STAGE_READING:
      *lo = connect_end, *hi = work_end;
      return TRUE;
    case ESPLASH_STAGE_LEAVING:
      *lo = connect_only ? connect_end : work_end, *hi = 0.99;
      return TRUE;
    case ESPLASH_STAGE_DONE:
      *lo = *hi = 1.0;
      return TRUE;
    case ESPLASH_STAGE_IDLE:
    case ESPLASH_STAGE_OPENING:
    case ESPLASH_STAGE_RESETTING:
    case ESPLASH_STAGE_SYNCING:
    case ESPLASH_STAGE_DETECTING:
    case ESPLASH_STAGE_UPLOADING_STUB:
    case ESPLASH_STAGE_CHANGING_BAUD:
    default:
      return FALSE;
    }
}

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
      if (stage_band (self, event->stage, &lo, &hi))
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
        if (total > 0 && stage_band (self, event->stage, &lo, &hi))
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
deliver_finished (EsplashJob *self,
                  Entry      *entry)
{
  g_autoptr(GTask) task = NULL;

  g_mutex_lock (&self->mutex);
  task = g_steal_pointer (&self->task);
  g_mutex_unlock (&self->mutex);

  if (entry->error == NULL)
    raise_fraction (self, 1.0);
  g_clear_pointer (&self->read_data, g_bytes_unref);
  self->read_data = g_steal_pointer (&entry->read_data);
  self->elapsed = (g_get_monotonic_time () - self->start_time) / (gdouble) G_USEC_PER_SEC;
  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  if (entry->error != NULL)
    g_task_return_error (task, g_steal_pointer (&entry->error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
drain_cb (gpointer user_data)
{
  EsplashJob *self = ESPLASH_JOB (user_data);
  GQueue batch = G_QUEUE_INIT;
  Entry *entry;

  g_mutex_lock (&self->mutex);
  batch = self->queue;
  g_queue_init (&self->queue);
  self->drain_scheduled = FALSE;
  g_mutex_unlock (&self->mutex);

  g_object_freeze_notify (G_OBJECT (self));
  while ((entry = g_queue_pop_head (&batch)) != NULL)
    {
      switch (entry->kind)
        {
        case ENTRY_EVENT:
          deliver_event (self, &entry->event);
          break;
        case ENTRY_DESCRIBED:
          deliver_description (self, &entry->description);
          break;
        case ENTRY_FINISHED:
          /* Thaw first so property changes reach handlers before the result. */
          g_object_thaw_notify (G_OBJECT (self));
          deliver_finished (self, entry);
          g_object_freeze_notify (G_OBJECT (self));
          break;
        default:
          break;
        }
      entry_free (entry);
    }
  g_object_thaw_notify (G_OBJECT (self));

  return G_SOURCE_REMOVE;
}

/* ---- worker ------------------------------------------------------------ */

static GPtrArray *
load_regions (EsplashJob    *self,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);

  if (self->plan->regions->len == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "Nothing to write: add at least one firmware file");
      return NULL;
    }

  for (guint i = 0; i < self->plan->regions->len; i++)
    {
      const PlanRegion *region = g_ptr_array_index (self->plan->regions, i);
      g_autoptr(GBytes) data = NULL;

      if (region->data != NULL)
        {
          data = g_bytes_ref (region->data);
        }
      else
        {
          g_autoptr(GError) local_error = NULL;

          data = g_file_load_bytes (region->file, cancellable, NULL, &local_error);
          if (data == NULL)
            {
              g_autofree char *path = g_file_get_parse_name (region->file);

              if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                g_propagate_error (error, g_steal_pointer (&local_error));
              else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
                g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
                             "The firmware file %s does not exist (moved or deleted?)", path);
              else
                g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                             "Cannot read the firmware file %s: %s", path, local_error->message);
              return NULL;
            }
          push_log (self, ESPLASH_LOG_DEBUG, "Loaded %s (%" G_GSIZE_FORMAT " bytes) for 0x%08x",
                    region->name, g_bytes_get_size (data), region->address);
        }
      g_ptr_array_add (regions, esplash_flash_region_new (region->address, data, region->name));
    }

  return g_steal_pointer (&regions);
}

static gboolean
work_on_device (EsplashJob     *self,
                EsplashDevice  *device,
                GPtrArray      *regions,
                GBytes        **read_data,
                GCancellable   *cancellable,
                GError        **error)
{
  const EsplashJobPlan *plan = self->plan;
  Entry *described;

  if (!esplash_device_connect (device, &plan->connect, cancellable, error))
    return FALSE;

  described = g_new0 (Entry, 1);
  described->kind = ENTRY_DESCRIBED;
  if (!esplash_device_describe (device, &described->description, cancellable, error))
    {
      entry_free (described);
      return FALSE;
    }
  push_entry (self, described);

  switch (plan->action)
    {
    case ESPLASH_JOB_WRITE:
      if (!esplash_flash_write (device, regions, &plan->write, cancellable, error))
        return FALSE;
      break;

    case ESPLASH_JOB_READ:
      {
        g_autoptr(GBytes) data = esplash_flash_read (device, plan->read_address, plan->read_size,
                                                     cancellable, error);

        if (data == NULL)
          return FALSE;
        if (plan->read_file != NULL)
          {
            g_autoptr(GError) local_error = NULL;

            if (!g_file_replace_contents (plan->read_file,
                                          g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                          NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                          NULL, cancellable, &local_error))
              {
                g_autofree char *path = g_file_get_parse_name (plan->read_file);

                g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                             "Read 0x%x bytes of flash but cannot save them to %s: %s",
                             plan->read_size, path, local_error->message);
                return FALSE;
              }
          }
        *read_data = g_steal_pointer (&data);
      }
      break;

    case ESPLASH_JOB_ERASE_ALL:
      push_event (self, &(EsplashEvent) { .kind = ESPLASH_EVENT_STAGE, .stage = ESPLASH_STAGE_ERASING });
      if (!esplash_flash_erase_all (device, cancellable, error))
        return FALSE;
      break;

    case ESPLASH_JOB_DESCRIBE:
    case ESPLASH_JOB_RESET:
    default:
      break;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  return esplash_device_leave (device, plan->after, cancellable, error);
}

static gboolean
run_job (EsplashJob    *self,
         GBytes       **read_data,
         GCancellable  *cancellable,
         GError       **error)
{
  const EsplashJobPlan *plan = self->plan;
  g_autoptr(GPtrArray) regions = NULL;
  g_autoptr(EsplashTransport) transport = NULL;
  g_autoptr(EsplashDevice) device = NULL;
  gboolean ok;

  /* Read the files before touching the port: a typo in a path should not
   * reset the board. */
  if (plan->action == ESPLASH_JOB_WRITE)
    {
      regions = load_regions (self, cancellable, error);
      if (regions == NULL)
        return FALSE;
    }
  if (plan->action == ESPLASH_JOB_READ && plan->read_size == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "Nothing to read: the size is 0 bytes");
      return FALSE;
    }

  push_stage (self, ESPLASH_STAGE_OPENING);
  if (plan->transport != NULL)
    {
      transport = g_object_ref (plan->transport);
    }
  else if (plan->url != NULL)
    {
      transport = esplash_transport_open (plan->url, error);
      if (transport == NULL)
        return FALSE;
    }
  else
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "No port chosen: pick the port the board is connected to");
      return FALSE;
    }

  device = esplash_device_new (transport);
  esplash_device_set_event_func (device, device_event_cb, self, NULL);
  ok = work_on_device (self, device, regions, read_data, cancellable, error);

  /* Whatever happened, the port is released when the job ends. */
  esplash_device_close (device);
  esplash_transport_close (transport);

  if (ok)
    push_stage (self, ESPLASH_STAGE_DONE);
  return ok;
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  EsplashJob *self = ESPLASH_JOB (source_object);
  Entry *finished = g_new0 (Entry, 1);
  g_autoptr(GBytes) read_data = NULL;
  gboolean ok;

  finished->kind = ENTRY_FINISHED;
  ok = run_job (self, &read_data, cancellable, &finished->error);
  /* A transport handed in with the plan is closed even when the job failed
   * before it could open the device. */
  if (self->plan->transport != NULL)
    esplash_transport_close (self->plan->transport);
  if (!ok)
    {
      /* A layer that noticed the cancel as a broken read still reports it
       * as a cancellation: the user asked for it, it is not a failure. */
      if (g_cancellable_is_cancelled (cancellable) &&
          !g_error_matches (finished->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&finished->error);
          g_set_error_literal (&finished->error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The operation was cancelled");
        }
    }
  finished->read_data = g_steal_pointer (&read_data);
  push_entry (self, finished);

  g_task_return_boolean (task, TRUE);
}

/* ---- GObject ----------------------------------------------------------- */

static void
esplash_job_dispose (GObject *object)
{
  EsplashJob *self = ESPLASH_JOB (object);

  g_clear_pointer (&self->read_data, g_bytes_unref);

  G_OBJECT_CLASS (esplash_job_parent_class)->dispose (object);
}

static void
esplash_job_finalize (GObject *object)
{
  EsplashJob *self = ESPLASH_JOB (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) entry_free);
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
      self->plan->sealed = TRUE;
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

  properties[PROP_PLAN] =
    g_param_spec_boxed ("plan", NULL, NULL, ESPLASH_TYPE_JOB_PLAN,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* An EsplashStage value. */
  properties[PROP_STAGE] =
    g_param_spec_uint ("stage", NULL, NULL, 0, G_MAXUINT, ESPLASH_STAGE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Overall progress 0…1; it never goes down. */
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHIP_NAME] =
    g_param_spec_string ("chip-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHIP_REVISION] =
    g_param_spec_uint ("chip-revision", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FLASH_SIZE] =
    g_param_spec_uint ("flash-size", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAC] =
    g_param_spec_string ("mac", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CRYSTAL_MHZ] =
    g_param_spec_uint ("crystal-mhz", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EsplashJob::stage:
   * @stage: the #EsplashStage entered
   * @region_index: 0-based region, for per-region stages
   * @region_count: number of regions, 0 when not per-region
   */
  signals[SIGNAL_STAGE] =
    g_signal_new ("stage", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);
  /**
   * EsplashJob::progress:
   * @done: bytes done in the current stage (over all regions)
   * @total: bytes to do in the current stage
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_UINT64);
  /**
   * EsplashJob::log:
   * @level: an #EsplashLogLevel
   * @message: one line of English detail
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
 *
 * Returns: (transfer none): the plan (sealed)
 */
EsplashJobPlan *
esplash_job_get_plan (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), NULL);

  return self->plan;
}

gboolean
esplash_job_is_running (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), FALSE);

  return self->running;
}

EsplashStage
esplash_job_get_stage (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), ESPLASH_STAGE_IDLE);

  return self->stage;
}

gdouble
esplash_job_get_fraction (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), 0.0);

  return self->fraction;
}

/**
 * esplash_job_get_chip_description:
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
 *
 * Returns: (transfer full) (nullable): the MAC as "aa:bb:cc:dd:ee:ff"
 */
char *
esplash_job_dup_mac (EsplashJob *self)
{
  const guint8 *mac;

  g_return_val_if_fail (ESPLASH_IS_JOB (self), NULL);

  if (!self->described)
    return NULL;
  mac = self->description.mac;
  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x",
                          mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/**
 * esplash_job_dup_read_data:
 *
 * Returns: (transfer full) (nullable): the bytes a finished READ job read
 */
GBytes *
esplash_job_dup_read_data (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), NULL);

  return self->read_data != NULL ? g_bytes_ref (self->read_data) : NULL;
}

gdouble
esplash_job_get_elapsed (EsplashJob *self)
{
  g_return_val_if_fail (ESPLASH_IS_JOB (self), 0.0);

  return self->elapsed;
}

/**
 * esplash_job_run_async:
 * @self: a job that has not run yet
 * @cancellable: (nullable): cancels the run
 * @callback: called on the thread-default context of this call after every
 *   event of the run was delivered
 * @user_data: for @callback
 *
 * Runs the plan on a worker thread.
 */
void
esplash_job_run_async (EsplashJob          *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;

  g_return_if_fail (ESPLASH_IS_JOB (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, esplash_job_run_async);
  /* A cancel that arrives after the work completed does not undo it. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->started)
    {
      g_task_return_new_error (task, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                               "This job has already run; create a new job to run it again");
      return;
    }
  self->started = TRUE;
  self->running = TRUE;
  self->start_time = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

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
