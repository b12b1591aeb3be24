/* esplash-log-pane.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esplash-log-pane.h"

/* The text view lays out lines lazily, so a scroll right after expanding
 * lands short of the end: repeat it for the first frames. */
#define SCROLL_FRAMES 10

struct _EsplashLogPane
{
  GtkWidget             parent_instance;

  GtkExpander          *expander;
  GtkTextView          *view;

  GtkTextMark          *end;
  guint                 scroll_frames;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (EsplashLogPane, esplash_log_pane, GTK_TYPE_WIDGET)

void
esplash_log_pane_append (EsplashLogPane  *self,
                         EsplashLogLevel  level,
                         const char      *message)
{
  GtkTextBuffer *buffer;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S ");
  g_autofree char *line = g_strconcat (message, "\n", NULL);
  const char *tag = NULL;
  GtkTextIter end;

  g_return_if_fail (ESPLASH_IS_LOG_PANE (self));

  if (level == ESPLASH_LOG_WARNING)
    tag = "warning";
  else if (level == ESPLASH_LOG_ERROR)
    tag = "error";
  else if (level == ESPLASH_LOG_DEBUG)
    tag = "debug";

  buffer = gtk_text_view_get_buffer (self->view);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert_with_tags_by_name (buffer, &end, stamp, -1, "stamp", NULL);
  gtk_text_buffer_insert_with_tags_by_name (buffer, &end, line, -1, tag, NULL);
  if (gtk_expander_get_expanded (self->expander))
    gtk_text_view_scroll_to_mark (self->view, self->end, 0.0, TRUE, 0.0, 1.0);
}

void
esplash_log_pane_clear (EsplashLogPane *self)
{
  g_return_if_fail (ESPLASH_IS_LOG_PANE (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->view), "", 0);
}

char *
esplash_log_pane_dup_text (EsplashLogPane *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (ESPLASH_IS_LOG_PANE (self), NULL);

  buffer = gtk_text_view_get_buffer (self->view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

gboolean
esplash_log_pane_get_expanded (EsplashLogPane *self)
{
  g_return_val_if_fail (ESPLASH_IS_LOG_PANE (self), FALSE);

  return gtk_expander_get_expanded (self->expander);
}

void
esplash_log_pane_set_expanded (EsplashLogPane *self,
                               gboolean        expanded)
{
  g_return_if_fail (ESPLASH_IS_LOG_PANE (self));

  gtk_expander_set_expanded (self->expander, expanded);
}

static gboolean
scroll_cb (GtkWidget     *widget,
           GdkFrameClock *clock,
           gpointer       user_data)
{
  EsplashLogPane *self = ESPLASH_LOG_PANE (user_data);

  gtk_text_view_scroll_to_mark (self->view, self->end, 0.0, TRUE, 0.0, 1.0);
  return ++self->scroll_frames < SCROLL_FRAMES ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
expanded_cb (EsplashLogPane *self)
{
  if (!gtk_expander_get_expanded (self->expander))
    return;
  self->scroll_frames = 0;
  gtk_widget_add_tick_callback (GTK_WIDGET (self->view), scroll_cb, self, NULL);
}

static void
copy_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EsplashLogPane *self = ESPLASH_LOG_PANE (widget);
  g_autofree char *text = esplash_log_pane_dup_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

static void
clear_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  esplash_log_pane_clear (ESPLASH_LOG_PANE (widget));
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(EsplashLogPane) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *path = g_file_get_parse_name (G_FILE (source));
      g_autofree char *message = NULL;

      /* TRANSLATORS: "Cannot save the log to /tmp/x.txt: Permission denied" */
      message = g_strdup_printf (_("Cannot save the log to %s: %s"), path, error->message);
      esplash_log_pane_append (self, ESPLASH_LOG_ERROR, message);
    }
}

static void
save_response_cb (EsplashLogPane       *self,
                  gint                  response,
                  GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      char *text = esplash_log_pane_dup_text (self);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                           G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                           saved_cb, g_object_ref (self));
    }
  g_clear_object (&self->chooser);
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EsplashLogPane *self = ESPLASH_LOG_PANE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "esplash-%Y%m%d-%H%M%S.log");

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Save Log"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (save_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
esplash_log_pane_dispose (GObject *object)
{
  EsplashLogPane *self = ESPLASH_LOG_PANE (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPLASH_TYPE_LOG_PANE);

  G_OBJECT_CLASS (esplash_log_pane_parent_class)->dispose (object);
}

static void
esplash_log_pane_class_init (EsplashLogPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esplash_log_pane_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-log-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashLogPane, expander);
  gtk_widget_class_bind_template_child (widget_class, EsplashLogPane, view);
  gtk_widget_class_install_action (widget_class, "log.copy", NULL, copy_activated);
  gtk_widget_class_install_action (widget_class, "log.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "log.clear", NULL, clear_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
esplash_log_pane_init (EsplashLogPane *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;

  gtk_widget_init_template (GTK_WIDGET (self));

  buffer = gtk_text_view_get_buffer (self->view);
  gtk_text_buffer_create_tag (buffer, "stamp", "foreground", "#77767b", NULL);
  gtk_text_buffer_create_tag (buffer, "debug", "foreground", "#77767b", NULL);
  gtk_text_buffer_create_tag (buffer, "warning", "foreground", "#c64600", NULL);
  gtk_text_buffer_create_tag (buffer, "error", "foreground", "#e01b24", "weight", 700, NULL);
  gtk_text_buffer_get_end_iter (buffer, &end);
  self->end = gtk_text_buffer_create_mark (buffer, "end", &end, FALSE);
  g_signal_connect_object (self->expander, "notify::expanded", G_CALLBACK (expanded_cb),
                           self, G_CONNECT_SWAPPED);
}
