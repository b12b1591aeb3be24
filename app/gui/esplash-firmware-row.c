/* esplash-firmware-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-firmware-row.h"

struct _EsplashFirmwareRow
{
  GtkListBoxRow  parent_instance;

  GtkLabel      *name_label;
  GtkLabel      *kind_label;
  GtkLabel      *reason_label;
  GtkEntry      *offset_entry;
  GtkSwitch     *enabled_switch;
  GtkWidget     *remove_button;
  GtkWidget     *findings_box;

  guint          index;
  char          *path;
  char          *name;
  GString       *findings;
  gboolean       filling;       /* set from the plan, not by the user */
};

G_DEFINE_FINAL_TYPE (EsplashFirmwareRow, esplash_firmware_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  SIGNAL_CHANGED,
  SIGNAL_REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
kind_name (EsplashPlanKind kind)
{
  switch (kind)
    {
    case ESPLASH_PLAN_KIND_BOOTLOADER:
      return _("Bootloader");
    case ESPLASH_PLAN_KIND_PARTITION_TABLE:
      return _("Partition table");
    case ESPLASH_PLAN_KIND_APP:
      /* TRANSLATORS: the kind of a firmware file: the application */
      return _("Application");
    case ESPLASH_PLAN_KIND_OTADATA:
      return _("OTA data");
    case ESPLASH_PLAN_KIND_DATA:
      /* TRANSLATORS: the kind of a firmware file: data for a partition */
      return _("Data");
    case ESPLASH_PLAN_KIND_MERGED:
      return _("Merged image");
    case ESPLASH_PLAN_KIND_UNKNOWN:
    default:
      /* TRANSLATORS: the kind of a firmware file that was not recognised */
      return _("Unrecognised file");
    }
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
  if (!self->filling)
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
  if (!self->filling)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
fill (EsplashFirmwareRow     *self,
      const EsplashPlanEntry *entry)
{
  g_autoptr(GString) kind = g_string_new (kind_name (entry->kind));
  g_autofree char *write = NULL;
  g_autofree char *remove = NULL;

  self->path = g_strdup (entry->path);
  self->name = g_strdup (entry->name != NULL ? entry->name : entry->path);

  gtk_label_set_text (self->name_label, self->name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), self->path);
  if (entry->data != NULL)
    {
      g_autofree char *size = g_format_size (g_bytes_get_size (entry->data));

      g_string_append_printf (kind, " · %s", size);
    }
  if (entry->detail != NULL)
    g_string_append_printf (kind, " · %s", entry->detail);
  gtk_label_set_text (self->kind_label, kind->str);
  /* Both lines are cut short rather than wrapped: wrapping labels make
   * every relayout of the list slow. The whole text is in the tooltip. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->kind_label), kind->str);

  /* The reason comes from the core (English detail, like the log). */
  if (entry->user_override)
    gtk_label_set_text (self->reason_label, _("Offset set by you"));
  else if (entry->reason != NULL)
    gtk_label_set_text (self->reason_label, entry->reason);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->reason_label), gtk_label_get_text (self->reason_label));
  gtk_widget_set_visible (GTK_WIDGET (self->reason_label),
                          entry->user_override || entry->reason != NULL);

  self->filling = TRUE;
  if (entry->has_offset)
    esplash_firmware_row_set_offset (self, entry->offset);
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->offset_entry), "error");
  gtk_switch_set_active (self->enabled_switch, entry->enabled);
  self->filling = FALSE;

  /* Screen readers read the switches and buttons of many rows: name the file. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->name, -1);
  /* TRANSLATORS: accessible name of a row's switch, "Write app.bin" */
  write = g_strdup_printf (_("Write %s"), self->name);
  /* TRANSLATORS: accessible name of a row's button, "Remove app.bin" */
  remove = g_strdup_printf (_("Remove %s"), self->name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->enabled_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, write, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove, -1);
}

void
esplash_firmware_row_update_findings (EsplashFirmwareRow *self,
                                      EsplashFlashPlan   *plan)
{
  GtkWidget *child;

  g_return_if_fail (ESPLASH_IS_FIRMWARE_ROW (self));

  while ((child = gtk_widget_get_first_child (self->findings_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->findings_box), child);
  g_string_truncate (self->findings, 0);

  for (guint i = 0; i < esplash_flash_plan_get_n_findings (plan); i++)
    {
      const EsplashPlanFinding *finding = esplash_flash_plan_get_finding (plan, i);
      gboolean warning = finding->severity == ESPLASH_PLAN_WARNING;
      GtkWidget *box, *icon, *label;

      if (finding->entry != (gint) self->index)
        continue;
      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      icon = gtk_image_new_from_icon_name (warning ? "dialog-warning-symbolic" : "dialog-error-symbolic");
      label = gtk_label_new (finding->message);
      gtk_widget_set_valign (icon, GTK_ALIGN_START);
      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (box, warning ? "warning" : "error");
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (box), icon);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (self->findings_box), box);
      g_string_append_printf (self->findings, "%s\n", finding->message);
    }
  gtk_widget_set_visible (self->findings_box, self->findings->len > 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->findings->str, -1);
}

char *
esplash_firmware_row_dup_findings (EsplashFirmwareRow *self)
{
  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_ROW (self), NULL);

  return g_strdup (self->findings->str);
}

static void
esplash_firmware_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), ESPLASH_TYPE_FIRMWARE_ROW);

  G_OBJECT_CLASS (esplash_firmware_row_parent_class)->dispose (object);
}

static void
esplash_firmware_row_finalize (GObject *object)
{
  EsplashFirmwareRow *self = ESPLASH_FIRMWARE_ROW (object);

  g_free (self->path);
  g_free (self->name);
  g_string_free (self->findings, TRUE);

  G_OBJECT_CLASS (esplash_firmware_row_parent_class)->finalize (object);
}

static void
esplash_firmware_row_class_init (EsplashFirmwareRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esplash_firmware_row_dispose;
  object_class->finalize = esplash_firmware_row_finalize;

  /* The user edited the offset or flipped the switch. */
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
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareRow, kind_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareRow, reason_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareRow, offset_entry);
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareRow, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareRow, remove_button);
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareRow, findings_box);
  gtk_widget_class_bind_template_callback (widget_class, offset_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
}

static void
esplash_firmware_row_init (EsplashFirmwareRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->findings = g_string_new (NULL);
  g_signal_connect_object (self->enabled_switch, "notify::active",
                           G_CALLBACK (enabled_cb), self, G_CONNECT_SWAPPED);
}

EsplashFirmwareRow *
esplash_firmware_row_new (EsplashFlashPlan *plan,
                          guint             index)
{
  EsplashFirmwareRow *self;

  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), NULL);
  g_return_val_if_fail (index < esplash_flash_plan_get_n_entries (plan), NULL);

  self = g_object_new (ESPLASH_TYPE_FIRMWARE_ROW, NULL);
  self->index = index;
  fill (self, esplash_flash_plan_get_entry (plan, index));
  esplash_firmware_row_update_findings (self, plan);
  return self;
}

guint
esplash_firmware_row_get_index (EsplashFirmwareRow *self)
{
  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_ROW (self), 0);

  return self->index;
}

const char *
esplash_firmware_row_get_path (EsplashFirmwareRow *self)
{
  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_ROW (self), NULL);

  return self->path;
}

const char *
esplash_firmware_row_get_name (EsplashFirmwareRow *self)
{
  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_ROW (self), NULL);

  return self->name;
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
