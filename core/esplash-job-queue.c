/* esplash-job-queue.c: the queue between a job's worker and the context
 * its signals are emitted on.
 *
 * The worker only queues: device events, the chip description and finally
 * the outcome go into one queue under a mutex. A single idle source on the
 * job's GMainContext drains the queue in order and hands each entry to
 * esplash_job_deliver(). Because the outcome travels through the same queue,
 * the caller's callback can never overtake an event. While esplash_job_run()
 * runs, the worker is the caller's thread and entries are delivered at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-job.h"
#include "esplash-job-private.h"

void
esplash_job_entry_free (EsplashJobEntry *entry)
{
  g_free (entry->message);
  g_clear_error (&entry->error);
  g_clear_pointer (&entry->read_data, g_bytes_unref);
  g_clear_pointer (&entry->diagnosis, esplash_diagnosis_free);
  g_free (entry);
}

void
esplash_job_queue_clear (EsplashJob *self)
{
  g_queue_clear_full (&self->queue, (GDestroyNotify) esplash_job_entry_free);
}

static gboolean
drain_cb (gpointer user_data)
{
  EsplashJob *self = ESPLASH_JOB (user_data);
  GQueue batch = G_QUEUE_INIT;
  EsplashJobEntry *entry;

  g_mutex_lock (&self->mutex);
  batch = self->queue;
  g_queue_init (&self->queue);
  self->drain_scheduled = FALSE;
  g_mutex_unlock (&self->mutex);

  g_object_freeze_notify (G_OBJECT (self));
  while ((entry = g_queue_pop_head (&batch)) != NULL)
    {
      if (entry->kind == ESPLASH_JOB_ENTRY_FINISHED)
        {
          /* Thaw first so property changes reach handlers before the result. */
          g_object_thaw_notify (G_OBJECT (self));
          esplash_job_deliver (self, entry);
          g_object_freeze_notify (G_OBJECT (self));
        }
      else
        {
          esplash_job_deliver (self, entry);
        }
      esplash_job_entry_free (entry);
    }
  g_object_thaw_notify (G_OBJECT (self));

  return G_SOURCE_REMOVE;
}

static gboolean
is_progress (const EsplashJobEntry *entry)
{
  return entry->kind == ESPLASH_JOB_ENTRY_EVENT && entry->event.kind == ESPLASH_EVENT_PROGRESS;
}

/* A progress entry replaces an unsent progress entry of the same stage at
 * the tail, so a slow main loop sees the newest numbers, not a backlog; it
 * never jumps over another entry, so the order is kept. */
void
esplash_job_push_entry (EsplashJob      *self,
                        EsplashJobEntry *entry)
{
  EsplashJobEntry *tail;
  gboolean schedule = FALSE;

  g_mutex_lock (&self->mutex);
  if (self->direct)
    {
      g_mutex_unlock (&self->mutex);
      esplash_job_deliver (self, entry);
      esplash_job_entry_free (entry);
      return;
    }

  tail = g_queue_peek_tail (&self->queue);
  if (is_progress (entry) && tail != NULL && is_progress (tail) &&
      tail->event.stage == entry->event.stage)
    {
      /* Keep the strings owned by the entry they point into. */
      char *message = tail->message;

      tail->message = entry->message;
      entry->message = message;
      tail->event = entry->event;
      tail->event.message = tail->message;
      esplash_job_entry_free (entry);
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

void
esplash_job_push_event (EsplashJob         *self,
                        const EsplashEvent *event)
{
  EsplashJobEntry *entry = g_new0 (EsplashJobEntry, 1);

  entry->kind = ESPLASH_JOB_ENTRY_EVENT;
  entry->event = *event;
  entry->message = g_strdup (event->message);
  entry->event.message = entry->message;
  esplash_job_push_entry (self, entry);
}

void
esplash_job_push_stage (EsplashJob   *self,
                        EsplashStage  stage)
{
  EsplashEvent event = { .kind = ESPLASH_EVENT_STAGE, .stage = stage };

  esplash_job_push_event (self, &event);
}

void
esplash_job_push_log (EsplashJob      *self,
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
  esplash_job_push_event (self, &event);
}
