/* esplash-record-file.c
 *
 * The file is opened for appending (and closed) when it is chosen, so a
 * read-only folder is found out before the first board, not after it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash.h"
#include "esplash-record-file.h"

struct _EsplashRecordFile
{
  GtkWidget             parent_instance;

  GtkLabel             *label;
  GtkFileChooserNative *chooser;
  GSettings            *settings;   /* nullable */
  char                 *path;       /* nullable */
};

G_DEFINE_FINAL_TYPE (EsplashRecordFile, esplash_record_file, GTK_TYPE_WIDGET)

enum {
  SIGNAL_LOG,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
esplash_record_file_show_error (EsplashRecordFile *self,
                                const char        *message)
{
  g_return_if_fail (ESPLASH_IS_RECORD_FILE (self));

  gtk_label_set_text (self->label, message);
  gtk_widget_remove_css_class (GTK_WIDGET (self->label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->label), "error");
}

static void
refused (EsplashRecordFile *self,
         const GError      *error)
{
  g_autofree char *message = g_strdup_printf (_("The record file cannot be used: %s"), error->message);

  esplash_record_file_show_error (self, message);
  g_signal_emit (self, signals[SIGNAL_LOG], 0, (int) ESPLASH_LOG_ERROR, message);
}

static void
show_path (EsplashRecordFile *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->label), "error");
  if (self->path == NULL)
    {
      gtk_label_set_text (self->label, _("Not recorded"));
      gtk_widget_add_css_class (GTK_WIDGET (self->label), "dim-label");
    }
  else
    {
      g_autofree char *name = g_filename_display_name (self->path);

      gtk_label_set_text (self->label, name);
      gtk_widget_remove_css_class (GTK_WIDGET (self->label), "dim-label");
    }
}

gboolean
esplash_record_file_set_path (EsplashRecordFile  *self,
                              const char         *path,
                              GError            **error)
{
  g_return_val_if_fail (ESPLASH_IS_RECORD_FILE (self), FALSE);

  if (path != NULL && !esplash_flash_record_check_path (path, error))
    return FALSE;
  g_free (self->path);
  self->path = g_strdup (path);
  show_path (self);
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "production-record", path != NULL ? path : "");
  return TRUE;
}

const char *
esplash_record_file_get_path (EsplashRecordFile *self)
{
  g_return_val_if_fail (ESPLASH_IS_RECORD_FILE (self), NULL);

  return self->path;
}

void
esplash_record_file_bind (EsplashRecordFile *self,
                          GSettings         *settings)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (ESPLASH_IS_RECORD_FILE (self));

  g_set_object (&self->settings, settings);
  path = g_settings_get_string (settings, "production-record");
  /* Last time's file may not be writable now (a removed drive): say so
   * rather than flash boards nobody records. */
  if (*path != '\0' && !esplash_record_file_set_path (self, path, &error))
    refused (self, error);
}

static void
chooser_response_cb (EsplashRecordFile    *self,
                     gint                  response,
                     GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  path = file != NULL ? g_file_get_path (file) : NULL;
  if (path != NULL && !esplash_record_file_set_path (self, path, &error))
    refused (self, error);
}

static void
choose_cb (EsplashRecordFile *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y%m%d");
  g_autofree char *name = NULL;
  g_autoptr(GtkFileFilter) jsonl = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) csv = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Record Every Board"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Record"), _("_Cancel"));
  /* TRANSLATORS: file name suggested for the production record; keep it ASCII */
  name = g_strdup_printf (_("flash-record-%s.jsonl"), date);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  gtk_file_filter_set_name (jsonl, _("JSON Lines (one object per board)"));
  gtk_file_filter_add_pattern (jsonl, "*.jsonl");
  gtk_file_filter_set_name (csv, _("CSV (one row per board)"));
  gtk_file_filter_add_pattern (csv, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), jsonl);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), csv);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
esplash_record_file_dispose (GObject *object)
{
  EsplashRecordFile *self = ESPLASH_RECORD_FILE (object);
  GtkWidget *child;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (esplash_record_file_parent_class)->dispose (object);
}

static void
esplash_record_file_finalize (GObject *object)
{
  g_free (ESPLASH_RECORD_FILE (object)->path);

  G_OBJECT_CLASS (esplash_record_file_parent_class)->finalize (object);
}

static void
esplash_record_file_class_init (EsplashRecordFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = esplash_record_file_dispose;
  object_class->finalize = esplash_record_file_finalize;

  signals[SIGNAL_LOG] = g_signal_new ("log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                      NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BOX_LAYOUT);
}

static void
esplash_record_file_init (EsplashRecordFile *self)
{
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (_("Record of every board"));
  GtkWidget *choose = gtk_button_new_with_mnemonic (_("_Choose File…"));

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))), 12);
  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_xalign (self->label, 0);
  gtk_label_set_wrap (self->label, TRUE);
  gtk_label_set_selectable (self->label, TRUE);
  gtk_box_append (GTK_BOX (text), title);
  gtk_box_append (GTK_BOX (text), GTK_WIDGET (self->label));
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_parent (text, GTK_WIDGET (self));

  gtk_widget_set_valign (choose, GTK_ALIGN_CENTER);
  g_signal_connect_object (choose, "clicked", G_CALLBACK (choose_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_set_parent (choose, GTK_WIDGET (self));
  show_path (self);
}

GtkWidget *
esplash_record_file_new (void)
{
  return g_object_new (ESPLASH_TYPE_RECORD_FILE, NULL);
}
