/* esplash-job-worker.c: the body of a job — load the files, open the port,
 * connect, do the plan's action, leave the loader, close the port.
 *
 * Runs on a worker thread (esplash_job_run_async()) or on the caller's
 * (esplash_job_run()); it reports only through the esplash_job_push_*()
 * functions and never touches the job's delivered state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-job.h"
#include "esplash-job-private.h"

#include "esplash-error.h"

static GBytes *
load_file (EsplashJob                 *self,
           const EsplashJobPlanRegion *region,
           GCancellable               *cancellable,
           GError                    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  GBytes *data;

  data = g_file_load_bytes (region->file, cancellable, NULL, &local_error);
  if (data != NULL)
    {
      esplash_job_push_log (self, ESPLASH_LOG_DEBUG,
                            "Loaded %s (%" G_GSIZE_FORMAT " bytes) for 0x%08x",
                            region->name, g_bytes_get_size (data), region->address);
      return data;
    }

  path = g_file_get_parse_name (region->file);
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

/* The plan's regions as EsplashFlashRegion, files loaded. */
static GPtrArray *
load_regions (EsplashJob    *self,
              GCancellable  *cancellable,
              GError       **error)
{
  const EsplashJobPlan *plan = self->plan;
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);

  if (plan->regions->len == 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Nothing to %s: add at least one firmware file",
                   plan->action == ESPLASH_JOB_VERIFY ? "verify" : "write");
      return NULL;
    }

  for (guint i = 0; i < plan->regions->len; i++)
    {
      const EsplashJobPlanRegion *region = g_ptr_array_index (plan->regions, i);
      g_autoptr(GBytes) data = NULL;

      if (region->data != NULL)
        data = g_bytes_ref (region->data);
      else
        data = load_file (self, region, cancellable, error);
      if (data == NULL)
        return NULL;
      g_ptr_array_add (regions, esplash_flash_region_new (region->address, data, region->name));
    }

  return g_steal_pointer (&regions);
}

static gboolean
read_flash (EsplashJob     *self,
            EsplashDevice  *device,
            GBytes        **read_data,
            GCancellable   *cancellable,
            GError        **error)
{
  const EsplashJobPlan *plan = self->plan;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;

  data = esplash_flash_read (device, plan->read_address, plan->read_size, cancellable, error);
  if (data == NULL)
    return FALSE;

  if (plan->read_file != NULL &&
      !g_file_replace_contents (plan->read_file,
                                g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                NULL, cancellable, &local_error))
    {
      path = g_file_get_parse_name (plan->read_file);
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                   "Read 0x%x bytes of flash but cannot save them to %s: %s",
                   plan->read_size, path, local_error->message);
      return FALSE;
    }

  *read_data = g_steal_pointer (&data);
  return TRUE;
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
  EsplashJobEntry *described;

  if (!esplash_device_connect (device, &plan->connect, cancellable, error))
    return FALSE;

  described = g_new0 (EsplashJobEntry, 1);
  described->kind = ESPLASH_JOB_ENTRY_DESCRIBED;
  if (!esplash_device_describe (device, &described->description, cancellable, error))
    {
      esplash_job_entry_free (described);
      return FALSE;
    }
  esplash_job_push_entry (self, described);

  switch (plan->action)
    {
    case ESPLASH_JOB_WRITE:
      if (!esplash_flash_write (device, regions, &plan->write, cancellable, error))
        return FALSE;
      break;

    case ESPLASH_JOB_VERIFY:
      if (!esplash_flash_verify (device, regions, cancellable, error))
        return FALSE;
      break;

    case ESPLASH_JOB_READ:
      if (!read_flash (self, device, read_data, cancellable, error))
        return FALSE;
      break;

    case ESPLASH_JOB_ERASE_ALL:
      esplash_job_push_stage (self, ESPLASH_STAGE_ERASING);
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

static void
device_event_cb (const EsplashEvent *event,
                 gpointer            user_data)
{
  esplash_job_push_event (ESPLASH_JOB (user_data), event);
}

/* Turns what a failed run saw into a diagnosis, while the device still
 * holds its observations (boot log, resets tried, SYNC replies). */
static EsplashDiagnosis *
diagnose_failure (EsplashJob       *self,
                  EsplashTransport *transport,
                  EsplashDevice    *device,
                  const GError     *error)
{
  const EsplashJobPlan *plan = self->plan;
  const char *url = plan->url;
  g_autoptr(EsplashAttempt) attempt = NULL;

  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return NULL;
  if (url == NULL && transport != NULL)
    url = esplash_transport_get_url (transport);
  attempt = esplash_attempt_new (url);
  if (device != NULL)
    esplash_attempt_set_device (attempt, device);
  esplash_attempt_set_error (attempt, error);
  /* Only a local port has a device node, owners and groups to look at. */
  if (transport == NULL || esplash_transport_get_kind (transport) == ESPLASH_TRANSPORT_KIND_SERIAL)
    esplash_attempt_probe_host (attempt);
  return esplash_diagnose (attempt, plan->connect.chip);
}

static gboolean
run_plan (EsplashJob         *self,
          GBytes            **read_data,
          EsplashDiagnosis  **diagnosis,
          GCancellable       *cancellable,
          GError            **error)
{
  const EsplashJobPlan *plan = self->plan;
  g_autoptr(GPtrArray) regions = NULL;
  g_autoptr(EsplashTransport) transport = NULL;
  g_autoptr(EsplashDevice) device = NULL;
  gboolean ok;

  /* Read the files before touching the port: a typo in a path should not
   * reset the board. */
  if (plan->action == ESPLASH_JOB_WRITE || plan->action == ESPLASH_JOB_VERIFY)
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

  esplash_job_push_stage (self, ESPLASH_STAGE_OPENING);
  if (plan->transport != NULL)
    {
      transport = g_object_ref (plan->transport);
    }
  else if (plan->url != NULL)
    {
      transport = esplash_transport_open (plan->url, error);
      if (transport == NULL)
        {
          *diagnosis = diagnose_failure (self, NULL, NULL, *error);
          return FALSE;
        }
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
  if (!ok && !g_cancellable_is_cancelled (cancellable))
    *diagnosis = diagnose_failure (self, transport, device, *error);

  /* Whatever happened, the port is released when the job ends. */
  esplash_device_close (device);
  esplash_transport_close (transport);

  if (ok)
    esplash_job_push_stage (self, ESPLASH_STAGE_DONE);
  return ok;
}

EsplashJobEntry *
esplash_job_work (EsplashJob   *self,
                  GCancellable *cancellable)
{
  EsplashJobEntry *finished = g_new0 (EsplashJobEntry, 1);
  g_autoptr(GBytes) read_data = NULL;

  finished->kind = ESPLASH_JOB_ENTRY_FINISHED;
  if (!run_plan (self, &read_data, &finished->diagnosis, cancellable, &finished->error) &&
      g_cancellable_is_cancelled (cancellable) &&
      !g_error_matches (finished->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* A layer that noticed the cancel as a broken read still reports it
       * as a cancellation: the user asked for it, it is not a failure. */
      g_clear_error (&finished->error);
      g_set_error_literal (&finished->error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "The operation was cancelled");
      g_clear_pointer (&finished->diagnosis, esplash_diagnosis_free);
    }
  /* A transport handed in with the plan is closed even when the job failed
   * before it could open the device. */
  if (self->plan->transport != NULL)
    esplash_transport_close (self->plan->transport);
  finished->read_data = g_steal_pointer (&read_data);
  return finished;
}
