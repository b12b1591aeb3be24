/* esplash-firmware-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-firmware-list.h"
#include "esplash-firmware-row.h"

struct _EsplashFirmwareList
{
  GtkWidget             parent_instance;

  GtkWidget            *box;
  GtkListBox           *list;

  GtkFileChooserNative *chooser;
  gboolean              restoring;
};

G_DEFINE_FINAL_TYPE (EsplashFirmwareList, esplash_firmware_list, GTK_TYPE_WIDGET)

enum {
  SIGNAL_CHANGED,
  SIGNAL_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define FOREACH_ROW(self, row) \
  for (guint i_ = 0; ((row) = (gpointer) gtk_list_box_get_row_at_index ((self)->list, i_)) != NULL; i_++)

static void
row_changed_cb (EsplashFirmwareList *self)
{
  if (!self->restoring)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
row_remove_cb (EsplashFirmwareList *self,
               EsplashFirmwareRow  *row)
{
  gtk_list_box_remove (self->list, GTK_WIDGET (row));
  row_changed_cb (self);
}

static gboolean
has_file (EsplashFirmwareList *self,
          GFile               *file)
{
  EsplashFirmwareRow *row;

  FOREACH_ROW (self, row)
    {
      if (g_file_equal (esplash_firmware_row_get_file (row), file))
        return TRUE;
    }
  return FALSE;
}

static EsplashFirmwareRow *
add_row (EsplashFirmwareList *self,
         GFile               *file,
         guint32              offset)
{
  EsplashFirmwareRow *row = esplash_firmware_row_new (file, offset);

  g_signal_connect_object (row, "changed", G_CALLBACK (row_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "remove", G_CALLBACK (row_remove_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_append (self->list, GTK_WIDGET (row));
  g_signal_emit (self, signals[SIGNAL_ADDED], 0, file, offset);
  return row;
}

void
esplash_firmware_list_add_files (EsplashFirmwareList *self,
                                 GFile *const        *files,
                                 guint                n_files)
{
  gboolean first;

  g_return_if_fail (ESPLASH_IS_FIRMWARE_LIST (self));
  g_return_if_fail (files != NULL || n_files == 0);

  /* A lone file in an empty list is most likely a merged image for 0x0. */
  first = gtk_list_box_get_row_at_index (self->list, 0) == NULL && n_files == 1;
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_file_get_basename (files[i]);

      if (!has_file (self, files[i]))
        add_row (self, files[i], esplash_firmware_guess_offset (name, first));
    }
  row_changed_cb (self);
}

guint
esplash_firmware_list_get_n_files (EsplashFirmwareList *self)
{
  EsplashFirmwareRow *row;
  guint n = 0;

  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), 0);

  FOREACH_ROW (self, row)
    n++;
  return n;
}

gboolean
esplash_firmware_list_is_ready (EsplashFirmwareList *self)
{
  EsplashFirmwareRow *row;
  guint n_enabled = 0;

  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), FALSE);

  FOREACH_ROW (self, row)
    {
      guint32 offset;

      if (!esplash_firmware_row_get_enabled (row))
        continue;
      if (!esplash_firmware_row_get_offset (row, &offset))
        return FALSE;
      n_enabled++;
    }
  return n_enabled > 0;
}

guint
esplash_firmware_list_add_to_plan (EsplashFirmwareList *self,
                                   EsplashJobPlan      *plan,
                                   GPtrArray           *names)
{
  EsplashFirmwareRow *row;
  guint n = 0;

  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), 0);

  FOREACH_ROW (self, row)
    {
      guint32 offset;

      if (!esplash_firmware_row_get_enabled (row) || !esplash_firmware_row_get_offset (row, &offset))
        continue;
      esplash_job_plan_add_file (plan, offset, esplash_firmware_row_get_file (row));
      if (names != NULL)
        g_ptr_array_add (names, g_file_get_basename (esplash_firmware_row_get_file (row)));
      n++;
    }
  return n;
}

GVariant *
esplash_firmware_list_save (EsplashFirmwareList *self)
{
  GVariantBuilder builder;
  EsplashFirmwareRow *row;

  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sub)"));
  FOREACH_ROW (self, row)
    {
      g_autofree char *uri = g_file_get_uri (esplash_firmware_row_get_file (row));
      guint32 offset;

      if (esplash_firmware_row_get_offset (row, &offset))
        g_variant_builder_add (&builder, "(sub)", uri, offset, esplash_firmware_row_get_enabled (row));
    }
  return g_variant_builder_end (&builder);
}

void
esplash_firmware_list_restore (EsplashFirmwareList *self,
                               GVariant            *saved)
{
  GVariantIter iter;
  const char *uri;
  guint32 offset;
  gboolean enabled;

  g_return_if_fail (ESPLASH_IS_FIRMWARE_LIST (self));
  g_return_if_fail (g_variant_is_of_type (saved, G_VARIANT_TYPE ("a(sub)")));

  self->restoring = TRUE;
  g_variant_iter_init (&iter, saved);
  while (g_variant_iter_next (&iter, "(&sub)", &uri, &offset, &enabled))
    {
      g_autoptr(GFile) file = g_file_new_for_uri (uri);

      /* Files deleted since are quietly forgotten. */
      if (has_file (self, file) || !g_file_query_exists (file, NULL))
        continue;
      esplash_firmware_row_set_enabled (add_row (self, file, offset), enabled);
    }
  self->restoring = FALSE;
  row_changed_cb (self);
}

static void
chooser_response_cb (EsplashFirmwareList  *self,
                     gint                  response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) model = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
      guint n = g_list_model_get_n_items (model);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (files, g_list_model_get_item (model, i));
      esplash_firmware_list_add_files (self, (GFile *const *) files->pdata, files->len);
    }
  g_clear_object (&self->chooser);
}

void
esplash_firmware_list_choose_files (EsplashFirmwareList *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) images = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  g_return_if_fail (ESPLASH_IS_FIRMWARE_LIST (self));

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Add Firmware"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  gtk_file_filter_set_name (images, _("Firmware images"));
  gtk_file_filter_add_suffix (images, "bin");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), images);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
esplash_firmware_list_dispose (GObject *object)
{
  EsplashFirmwareList *self = ESPLASH_FIRMWARE_LIST (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPLASH_TYPE_FIRMWARE_LIST);

  G_OBJECT_CLASS (esplash_firmware_list_parent_class)->dispose (object);
}

static void
esplash_firmware_list_class_init (EsplashFirmwareListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esplash_firmware_list_dispose;

  /* A file was added, removed, enabled or disabled, or an offset edited. */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A file was added at the offset given (for the log). */
  signals[SIGNAL_ADDED] =
    g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_FILE, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-firmware-list.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareList, box);
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareList, list);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
esplash_firmware_list_init (EsplashFirmwareList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
