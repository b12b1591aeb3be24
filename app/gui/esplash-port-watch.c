/* esplash-port-watch.c
 *
 * libserialport has no hotplug events, and udev is not everywhere (macOS,
 * Windows, containers): a listing every second is what every flasher's
 * port picker does. It runs on a worker thread, because walking sysfs
 * may touch slow USB devices, and never two at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-port-watch.h"

struct _EsplashPortWatch
{
  GObject            parent_instance;

  GPtrArray         *ports;        /* EsplashPortItem of the last listing */
  gboolean           listed_once;
  guint              timeout_id;
  GCancellable      *cancellable;  /* of the listing under way */
  EsplashPortLister  lister;
  gpointer           lister_data;
};

G_DEFINE_FINAL_TYPE (EsplashPortWatch, esplash_port_watch, G_TYPE_OBJECT)

enum {
  SIGNAL_ADDED,
  SIGNAL_REMOVED,
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  EsplashPortLister lister;
  gpointer          data;
} Listing;

static GPtrArray *
default_lister (gpointer   user_data,
                GError   **error)
{
  return esplash_port_list (error);
}

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Listing *listing = task_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *ports = listing->lister (listing->data, &error);

  if (ports == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, ports, (GDestroyNotify) g_ptr_array_unref);
}

static EsplashPortItem *
find (GPtrArray  *items,
      const char *id)
{
  for (guint i = 0; i < items->len; i++)
    if (g_strcmp0 (esplash_port_item_get_id (g_ptr_array_index (items, i)), id) == 0)
      return g_ptr_array_index (items, i);
  return NULL;
}

static void
apply (EsplashPortWatch *self,
       GPtrArray        *infos)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->ports);
  gboolean initial = !self->listed_once;
  gboolean changed = FALSE;

  self->ports = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < infos->len; i++)
    {
      const EsplashPortInfo *info = g_ptr_array_index (infos, i);

      if (info->path != NULL)
        g_ptr_array_add (self->ports, esplash_port_item_new_for_port (info));
    }
  self->listed_once = TRUE;
  /* Gone first: a board that re-enumerated under the same name is removed, then added. */
  for (guint i = 0; i < old->len; i++)
    {
      EsplashPortItem *item = g_ptr_array_index (old, i);
      EsplashPortItem *now = find (self->ports, esplash_port_item_get_id (item));

      if (now == NULL || !esplash_port_item_equal (now, item))
        {
          changed = TRUE;
          g_signal_emit (self, signals[SIGNAL_REMOVED], 0, item);
        }
    }
  for (guint i = 0; i < self->ports->len; i++)
    {
      EsplashPortItem *item = g_ptr_array_index (self->ports, i);
      EsplashPortItem *before = find (old, esplash_port_item_get_id (item));

      if (before == NULL || !esplash_port_item_equal (before, item))
        {
          changed = TRUE;
          g_signal_emit (self, signals[SIGNAL_ADDED], 0, item, initial);
        }
    }
  if (changed)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  EsplashPortWatch *self = ESPLASH_PORT_WATCH (source);
  g_autoptr(GCancellable) cancellable = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) infos = g_task_propagate_pointer (G_TASK (result), &error);

  /* Stopped (or stopped and started again) since: not ours to apply. */
  if (g_cancellable_is_cancelled (cancellable) || cancellable != self->cancellable)
    return;
  g_clear_object (&self->cancellable);
  if (infos == NULL)
    /* Keep what we have: a transient udev hiccup should not unplug every board. */
    g_debug ("Listing serial ports failed: %s", error->message);
  else
    apply (self, infos);
}

static void
list_now (EsplashPortWatch *self)
{
  g_autoptr(GTask) task = NULL;
  Listing *listing;

  if (self->cancellable != NULL)
    return;   /* the last one is still under way */
  self->cancellable = g_cancellable_new ();
  listing = g_new0 (Listing, 1);
  listing->lister = self->lister != NULL ? self->lister : default_lister;
  listing->data = self->lister_data;
  task = g_task_new (self, self->cancellable, list_done_cb, g_object_ref (self->cancellable));
  g_task_set_task_data (task, listing, g_free);
  g_task_run_in_thread (task, list_thread);
}

static gboolean
tick_cb (gpointer user_data)
{
  list_now (ESPLASH_PORT_WATCH (user_data));
  return G_SOURCE_CONTINUE;
}

void
esplash_port_watch_set_active (EsplashPortWatch *self,
                               gboolean          active,
                               guint             interval_ms)
{
  g_return_if_fail (ESPLASH_IS_PORT_WATCH (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (!active)
    {
      if (self->cancellable != NULL)
        g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      /* Watching again starts over: what is there then was not plugged in. */
      g_ptr_array_set_size (self->ports, 0);
      self->listed_once = FALSE;
      return;
    }
  list_now (self);
  self->timeout_id = g_timeout_add (MAX (interval_ms, 50), tick_cb, self);
}

GPtrArray *
esplash_port_watch_get_ports (EsplashPortWatch *self)
{
  return self->ports;
}

void
esplash_port_watch_set_lister (EsplashPortWatch  *self,
                               EsplashPortLister  lister,
                               gpointer           user_data)
{
  self->lister = lister;
  self->lister_data = user_data;
}

static void
esplash_port_watch_dispose (GObject *object)
{
  EsplashPortWatch *self = ESPLASH_PORT_WATCH (object);

  esplash_port_watch_set_active (self, FALSE, 0);
  g_clear_pointer (&self->ports, g_ptr_array_unref);

  G_OBJECT_CLASS (esplash_port_watch_parent_class)->dispose (object);
}

static void
esplash_port_watch_class_init (EsplashPortWatchClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = esplash_port_watch_dispose;

  signals[SIGNAL_ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 2, ESPLASH_TYPE_PORT_ITEM,
                                        G_TYPE_BOOLEAN);
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_REMOVED] = g_signal_new ("removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, ESPLASH_TYPE_PORT_ITEM);
}

static void
esplash_port_watch_init (EsplashPortWatch *self)
{
  self->ports = g_ptr_array_new_with_free_func (g_object_unref);
}

EsplashPortWatch *
esplash_port_watch_new (void)
{
  return g_object_new (ESPLASH_TYPE_PORT_WATCH, NULL);
}
