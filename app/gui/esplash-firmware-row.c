/* esplash-firmware-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esplash-firmware-row.h"

struct _EsplashFirmwareRow
{
  GtkListBoxRow  parent_instance;

  GtkLabel      *name_label;
  GtkLabel      *size_label;
  GtkEntry      *offset_entry;
  GtkSwitch     *enabled_switch;
  GtkWidget     *remove_button;

  GFile         *file;
  guint64        size;
  GCancellable  *cancellable;
};

G_DEFINE_FINAL_TYPE (EsplashFirmwareRow, esplash_firmware_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_FILE,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  SIGNAL_REMOVE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/**
 * esplash_firmware_guess_offset:
 * @name: the file's base name
 * @first: whether it is the only file so far
 *
 * The usual ESP-IDF layout: the partition table at 0x8000, the app at
 * 0x10000; a lone unknown file is taken for a merged image at 0x0. The
 * bootloader's real offset depends on the chip (0x1000 on ESP32 and S2),
 * which is not known before connecting, so it starts at 0x0 and stays
 * editable.
 */
guint32
esplash_firmware_guess_offset (const char *name,
                               gboolean    first)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (strstr (lower, "bootloader") != NULL)
    return 0x0;
  if (g_str_has_prefix (lower, "partition"))
    return 0x8000;
  if (first)
    return 0x0;
  return 0x10000;
}

/* Always hexadecimal, with or without "0x": the entry is labelled so, and
 * "10000" typed by someone used to esptool means 0x10000. */
gboolean
esplash_firmware_parse_offset (const char *text,
                               guint32    *offset)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  const char *digits = stripped;
  guint64 value = 0;

  if (g_str_has_prefix (digits, "0x") || g_str_has_prefix (digits, "0X"))
    digits += 2;
  if (*digits == '\0' ||
      !g_ascii_string_to_unsigned (digits, 16, 0, G_MAXUINT32, &value, NULL) ||
      value % 4 != 0)
    return FALSE;

  *offset = (guint32) value;
  return TRUE;
}

static void
offset_changed_cb (EsplashFirmwareRow *self)
{
  guint32 offset;
  gboolean valid = esplash_firmware_row_get_offset (self, &offset);

  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->offset_entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->offset_entry), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->offset_entry),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               valid ? GTK_ACCESSIBLE_INVALID_FALSE : GTK_ACCESSIBLE_INVALID_TRUE,
                               -1);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
remove_clicked_cb (EsplashFirmwareRow *self)
{
  g_signal_emit (self, signals[SIGNAL_REMOVE], 0);
}

static void
enabled_cb (EsplashFirmwareRow *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->offset_entry),
                            gtk_switch_get_active (self->enabled_switch));
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
query_info_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, &error);
  EsplashFirmwareRow *self;
  g_autofree char *size = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ESPLASH_FIRMWARE_ROW (user_data);
  if (info == NULL)
    {
      /* TRANSLATORS: shown under a firmware file that cannot be read */
      gtk_label_set_text (self->size_label, _("Cannot read this file"));
      gtk_widget_add_css_class (GTK_WIDGET (self->size_label), "error");
      g_debug ("%s", error->message);
      return;
    }
  self->size = g_file_info_get_size (info);
  size = g_format_size (self->size);
  gtk_label_set_text (self->size_label, size);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
esplash_firmware_row_constructed (GObject *object)
{
  EsplashFirmwareRow *self = ESPLASH_FIRMWARE_ROW (object);
  g_autofree char *name = g_file_get_basename (self->file);
  g_autofree char *path = g_file_get_parse_name (self->file);

  G_OBJECT_CLASS (esplash_firmware_row_parent_class)->constructed (object);

  gtk_label_set_text (self->name_label, name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), path);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  /* Screen readers read the switches and buttons of many rows: name the file. */
  {
    /* TRANSLATORS: accessible name of a row's switch, "Write app.bin" */
    g_autofree char *write = g_strdup_printf (_("Write %s"), name);
    /* TRANSLATORS: accessible name of a row's button, "Remove app.bin" */
    g_autofree char *remove = g_strdup_printf (_("Remove %s"), name);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->enabled_switch),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, write, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove_button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, remove, -1);
  }
  g_file_query_info_async (self->file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT,
                           self->cancellable, query_info_cb, self);
}

static void
esplash_firmware_row_dispose (GObject *object)
{
  EsplashFirmwareRow *self = ESPLASH_FIRMWARE_ROW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPLASH_TYPE_FIRMWARE_ROW);

  G_OBJECT_CLASS (esplash_firmware_row_parent_class)->dispose (object);
}

static void
esplash_firmware_row_finalize (GObject *object)
{
  EsplashFirmwareRow *self = ESPLASH_FIRMWARE_ROW (object);

  g_clear_object (&self->file);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (esplash_firmware_row_parent_class)->finalize (object);
}

static void
esplash_firmware_row_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  EsplashFirmwareRow *self = ESPLASH_FIRMWARE_ROW (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_firmware_row_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  EsplashFirmwareRow *self = ESPLASH_FIRMWARE_ROW (object);

  switch (prop_id)
    {
    case PROP_FILE:
      self->file = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_firmware_row_class_init (EsplashFirmwareRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = esplash_firmware_row_constructed;
  object_class->dispose = esplash_firmware_row_dispose;
  object_class->finalize = esplash_firmware_row_finalize;
  object_class->get_property = esplash_firmware_row_get_property;
  object_class->set_property = esplash_firmware_row_set_property;

  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The offset, the switch or the size changed. */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The remove button was clicked; the list owner removes the row. */
  signals[SIGNAL_REMOVE] =
    g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-firmware-row.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareRow, size_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareRow, offset_entry);
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareRow, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareRow, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, offset_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
}

static void
esplash_firmware_row_init (EsplashFirmwareRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  /* TRANSLATORS: the file size is not known yet */
  gtk_label_set_text (self->size_label, _("Size unknown"));
  g_signal_connect_object (self->enabled_switch, "notify::active",
                           G_CALLBACK (enabled_cb), self, G_CONNECT_SWAPPED);
}

EsplashFirmwareRow *
esplash_firmware_row_new (GFile   *file,
                          guint32  offset)
{
  EsplashFirmwareRow *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (ESPLASH_TYPE_FIRMWARE_ROW, "file", file, NULL);
  esplash_firmware_row_set_offset (self, offset);
  return self;
}

GFile *
esplash_firmware_row_get_file (EsplashFirmwareRow *self)
{
  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_ROW (self), NULL);

  return self->file;
}

gboolean
esplash_firmware_row_get_offset (EsplashFirmwareRow *self,
                                 guint32            *offset)
{
  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_ROW (self), FALSE);

  return esplash_firmware_parse_offset (gtk_editable_get_text (GTK_EDITABLE (self->offset_entry)),
                                        offset);
}

void
esplash_firmware_row_set_offset (EsplashFirmwareRow *self,
                                 guint32             offset)
{
  g_autofree char *text = NULL;

  g_return_if_fail (ESPLASH_IS_FIRMWARE_ROW (self));

  text = g_strdup_printf ("0x%x", offset);
  gtk_editable_set_text (GTK_EDITABLE (self->offset_entry), text);
}

gboolean
esplash_firmware_row_get_enabled (EsplashFirmwareRow *self)
{
  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_ROW (self), FALSE);

  return gtk_switch_get_active (self->enabled_switch);
}

void
esplash_firmware_row_set_enabled (EsplashFirmwareRow *self,
                                  gboolean            enabled)
{
  g_return_if_fail (ESPLASH_IS_FIRMWARE_ROW (self));

  gtk_switch_set_active (self->enabled_switch, enabled);
}

guint64
esplash_firmware_row_get_size (EsplashFirmwareRow *self)
{
  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_ROW (self), 0);

  return self->size;
}
