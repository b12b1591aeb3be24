/* esplash-monitor-save.c
 *
 * The text is taken from the ring when the user has chosen the file, so it
 * has what arrived meanwhile. A write in flight holds a reference on this
 * object, which holds the error banner: a failure reported after the view
 * has gone shows nowhere, harmlessly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-monitor-save.h"

struct _EsplashMonitorSave
{
  GObject               parent_instance;

  EsplashMonitorView   *view;         /* owns us */
  EsplashMonitorRing   *ring;         /* the view's */
  GtkWidget            *error_box;
  GtkLabel             *error_label;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (EsplashMonitorSave, esplash_monitor_save, G_TYPE_OBJECT)

gboolean
esplash_monitor_save_write (EsplashMonitorRing  *ring,
                            gboolean             stamps,
                            GFile               *file,
                            GError             **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (ring != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bytes = esplash_monitor_ring_dup_text (ring, stamps);
  return g_file_replace_contents (file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                  NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL,
                                  error);
}

static void
show_error (EsplashMonitorSave *self,
            const char         *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (self->error_box, TRUE);
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(EsplashMonitorSave) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *path = g_file_get_parse_name (G_FILE (source));
      g_autofree char *message = NULL;

      /* TRANSLATORS: "Cannot save the output to /tmp/x.log: Permission denied" */
      message = g_strdup_printf (_("Cannot save the output to %s: %s"), path, error->message);
      show_error (self, message);
    }
}

static void
response_cb (EsplashMonitorSave   *self,
             gint                  response,
             GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      gboolean stamps = esplash_monitor_view_get_timestamps (self->view);
      g_autoptr(GBytes) bytes = esplash_monitor_ring_dup_text (self->ring, stamps);

      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                           G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                           saved_cb, g_object_ref (self));
    }
  g_clear_object (&self->chooser);
}

void
esplash_monitor_save_ask (EsplashMonitorSave *self)
{
  GtkRoot *root;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "monitor-%Y%m%d-%H%M%S.log");

  g_return_if_fail (ESPLASH_IS_MONITOR_SAVE (self));

  if (self->chooser != NULL)
    return;
  root = gtk_widget_get_root (GTK_WIDGET (self->view));
  self->chooser = gtk_file_chooser_native_new (_("Save Monitor Output"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

void
esplash_monitor_save_close (EsplashMonitorSave *self)
{
  g_return_if_fail (ESPLASH_IS_MONITOR_SAVE (self));

  if (self->chooser == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->chooser, self);
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
}

EsplashMonitorSave *
esplash_monitor_save_new (EsplashMonitorView *view,
                          EsplashMonitorRing *ring,
                          GtkWidget          *error_box,
                          GtkLabel           *error_label)
{
  EsplashMonitorSave *self;

  g_return_val_if_fail (ESPLASH_IS_MONITOR_VIEW (view), NULL);
  g_return_val_if_fail (ring != NULL, NULL);
  g_return_val_if_fail (GTK_IS_WIDGET (error_box), NULL);
  g_return_val_if_fail (GTK_IS_LABEL (error_label), NULL);

  self = g_object_new (ESPLASH_TYPE_MONITOR_SAVE, NULL);
  self->view = view;
  self->ring = ring;
  self->error_box = g_object_ref (error_box);
  self->error_label = g_object_ref (error_label);
  return self;
}

static void
esplash_monitor_save_dispose (GObject *object)
{
  EsplashMonitorSave *self = ESPLASH_MONITOR_SAVE (object);

  esplash_monitor_save_close (self);
  g_clear_object (&self->error_box);
  g_clear_object (&self->error_label);

  G_OBJECT_CLASS (esplash_monitor_save_parent_class)->dispose (object);
}

static void
esplash_monitor_save_class_init (EsplashMonitorSaveClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = esplash_monitor_save_dispose;
}

static void
esplash_monitor_save_init (EsplashMonitorSave *self)
{
}
