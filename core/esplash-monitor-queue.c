/* esplash-monitor-queue.c: the serial monitor's road to the main context.
 *
 * The reader thread may read a few bytes a thousand times a second; the
 * main loop should see a handful of deliveries per frame whatever the
 * rate. So items wait in one ordered queue (adjacent output merged) that a
 * short timeout source on the caller's context empties — one run per
 * FLUSH_INTERVAL_MS at most. The queue is bounded: when the main loop
 * cannot keep up, the oldest output goes, and a warning note says how much
 * before the rest is delivered — never a silent gap.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"
#include "esplash-monitor-queue-private.h"

#define FLUSH_INTERVAL_MS   30
#define MAX_QUEUED_BYTES    (4 * 1024 * 1024)

struct _EsplashMonitorQueue
{
  GObject                   *owner;
  EsplashMonitorDeliverFunc  deliver;

  GMutex                     lock;
  GQueue                     items;          /* EsplashMonitorItem, oldest first */
  gsize                      queued_bytes;
  guint64                    dropped_bytes;
  GSource                   *source;         /* a flush is pending */
  GMainContext              *context;
};

static void
item_free (gpointer data)
{
  EsplashMonitorItem *item = data;

  if (item->bytes != NULL)
    g_byte_array_unref (item->bytes);
  g_free (item->text);
  g_free (item);
}

typedef struct {
  EsplashMonitorQueue *queue;
  GObject             *owner;
} Flush;

static void
flush_free (gpointer data)
{
  Flush *flush = data;

  g_object_unref (flush->owner);
  g_free (flush);
}

static gboolean
flush_cb (gpointer data)
{
  Flush *flush = data;
  EsplashMonitorQueue *self = flush->queue;
  GQueue items = G_QUEUE_INIT;
  guint64 dropped;

  g_mutex_lock (&self->lock);
  items = self->items;
  g_queue_init (&self->items);
  self->queued_bytes = 0;
  dropped = self->dropped_bytes;
  self->dropped_bytes = 0;
  g_clear_pointer (&self->source, g_source_unref);
  g_mutex_unlock (&self->lock);

  if (dropped > 0)
    {
      EsplashMonitorItem note = { ESPLASH_MONITOR_ITEM_NOTE, NULL, ESPLASH_MONITOR_NOTE_WARNING };

      note.text = g_strdup_printf ("%" G_GUINT64_FORMAT " bytes of output were dropped here: they "
                                   "came faster than they could be shown", dropped);
      self->deliver (flush->owner, &note);
      g_free (note.text);
    }
  for (EsplashMonitorItem *item; (item = g_queue_pop_head (&items)) != NULL; item_free (item))
    self->deliver (flush->owner, item);
  return G_SOURCE_REMOVE;
}

/* With the lock held. */
static void
schedule_flush (EsplashMonitorQueue *self)
{
  Flush *flush;

  if (self->source != NULL || self->context == NULL)
    return;
  flush = g_new0 (Flush, 1);
  flush->queue = self;
  flush->owner = g_object_ref (self->owner);
  self->source = g_timeout_source_new (FLUSH_INTERVAL_MS);
  g_source_set_callback (self->source, flush_cb, flush, flush_free);
  g_source_set_static_name (self->source, "[esplash] monitor output");
  g_source_attach (self->source, self->context);
}

/* With the lock held: the oldest output goes first. */
static void
drop_oldest_output (EsplashMonitorQueue *self)
{
  for (GList *l = self->items.head; l != NULL && self->queued_bytes > MAX_QUEUED_BYTES; l = l->next)
    {
      EsplashMonitorItem *item = l->data;
      gsize cut;

      if (item->kind != ESPLASH_MONITOR_ITEM_OUTPUT)
        continue;
      cut = MIN (item->bytes->len, self->queued_bytes - MAX_QUEUED_BYTES);
      g_byte_array_remove_range (item->bytes, 0, (guint) cut);
      self->queued_bytes -= cut;
      self->dropped_bytes += cut;
    }
}

static void
push (EsplashMonitorQueue *self,
      EsplashMonitorItem  *item)
{
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->items, item);
  schedule_flush (self);
  g_mutex_unlock (&self->lock);
}

EsplashMonitorQueue *
esplash_monitor_queue_new (GObject                   *owner,
                           EsplashMonitorDeliverFunc  deliver)
{
  EsplashMonitorQueue *self = g_new0 (EsplashMonitorQueue, 1);

  self->owner = owner;
  self->deliver = deliver;
  g_mutex_init (&self->lock);
  g_queue_init (&self->items);
  return self;
}

/* The owner's finalize: no flush can be pending then (it holds a ref). */
void
esplash_monitor_queue_free (EsplashMonitorQueue *self)
{
  if (self == NULL)
    return;
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_source_unref (self->source);
    }
  g_queue_clear_full (&self->items, item_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
esplash_monitor_queue_attach (EsplashMonitorQueue *self,
                              GMainContext        *context)
{
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref (context);
  g_mutex_unlock (&self->lock);
}

void
esplash_monitor_queue_output (EsplashMonitorQueue *self,
                              const guint8        *data,
                              gsize                len)
{
  EsplashMonitorItem *tail;

  if (len == 0)
    return;
  g_mutex_lock (&self->lock);
  tail = g_queue_peek_tail (&self->items);
  if (tail == NULL || tail->kind != ESPLASH_MONITOR_ITEM_OUTPUT)
    {
      tail = g_new0 (EsplashMonitorItem, 1);
      tail->kind = ESPLASH_MONITOR_ITEM_OUTPUT;
      tail->bytes = g_byte_array_new ();
      g_queue_push_tail (&self->items, tail);
    }
  g_byte_array_append (tail->bytes, data, (guint) len);
  self->queued_bytes += len;
  if (self->queued_bytes > MAX_QUEUED_BYTES)
    drop_oldest_output (self);
  schedule_flush (self);
  g_mutex_unlock (&self->lock);
}

void
esplash_monitor_queue_note (EsplashMonitorQueue *self,
                            EsplashMonitorNote   note,
                            char                *text)
{
  EsplashMonitorItem *item = g_new0 (EsplashMonitorItem, 1);

  item->kind = ESPLASH_MONITOR_ITEM_NOTE;
  item->note = note;
  item->text = text;
  push (self, item);
}

void
esplash_monitor_queue_state (EsplashMonitorQueue *self,
                             EsplashMonitorState  state,
                             const char          *message)
{
  EsplashMonitorItem *item = g_new0 (EsplashMonitorItem, 1);

  item->kind = ESPLASH_MONITOR_ITEM_STATE;
  item->state = state;
  item->text = g_strdup (message);
  push (self, item);
}
