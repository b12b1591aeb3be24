/* esplash-chip-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-chip-dialog.h"

struct _EsplashChipDialog
{
  GtkWindow   parent_instance;

  GtkListBox *list;
  GString    *text;      /* what Copy copies */
};

G_DEFINE_FINAL_TYPE (EsplashChipDialog, esplash_chip_dialog, GTK_TYPE_WINDOW)

static void
add_row (EsplashChipDialog *self,
         const char        *name,
         const char        *value)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *name_label = gtk_label_new (name);
  GtkWidget *value_label = gtk_label_new (value);
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_widget_add_css_class (box, "esplash-row");
  gtk_label_set_xalign (GTK_LABEL (name_label), 0.0);
  gtk_widget_set_valign (name_label, GTK_ALIGN_CENTER);
  /* The value takes the rest of the row and wraps only when it must. */
  gtk_widget_set_hexpand (value_label, TRUE);
  gtk_label_set_xalign (GTK_LABEL (value_label), 1.0);
  gtk_label_set_wrap (GTK_LABEL (value_label), TRUE);
  gtk_label_set_width_chars (GTK_LABEL (value_label), 20);
  gtk_label_set_justify (GTK_LABEL (value_label), GTK_JUSTIFY_RIGHT);
  gtk_label_set_selectable (GTK_LABEL (value_label), TRUE);
  gtk_widget_add_css_class (value_label, "dim-label");
  gtk_box_append (GTK_BOX (box), name_label);
  gtk_box_append (GTK_BOX (box), value_label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value_label),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, name_label, NULL, -1);
  gtk_list_box_append (self->list, row);

  g_string_append_printf (self->text, "%s: %s\n", name, value);
}

static const char *
yes_no (gboolean value)
{
  return value ? _("Enabled") : _("Disabled");
}

static const char *
console_name (EsplashConsole console)
{
  switch (console)
    {
    case ESPLASH_CONSOLE_USB_OTG:
      /* TRANSLATORS: how the computer reaches the chip: its own USB port (CDC) */
      return _("Built-in USB (USB-OTG)");
    case ESPLASH_CONSOLE_USB_JTAG:
      /* TRANSLATORS: how the computer reaches the chip: its USB-Serial/JTAG unit */
      return _("Built-in USB (USB-Serial/JTAG)");
    case ESPLASH_CONSOLE_UART:
    default:
      /* TRANSLATORS: how the computer reaches the chip: a USB-to-serial adapter */
      return _("Serial port (UART)");
    }
}

static void
fill (EsplashChipDialog            *self,
      const EsplashChipDescription *chip)
{
  g_autofree char *revision = g_strdup_printf ("v%u.%u", chip->revision / 100, chip->revision % 100);
  g_autofree char *mac_text = esplash_chip_description_dup_mac (chip);
  g_autofree char *crystal = NULL;
  g_autofree char *flash_id = NULL;
  g_autofree char *flash_size = NULL;

  add_row (self, _("Chip"), chip->chip->name);
  add_row (self, _("Revision"), revision);
  if (chip->chip->description != NULL)
    add_row (self, _("Features"), chip->chip->description);
  if (chip->crystal_mhz > 0)
    {
      /* TRANSLATORS: crystal oscillator frequency, "40 MHz" */
      crystal = g_strdup_printf (_("%u MHz"), chip->crystal_mhz);
      add_row (self, _("Crystal"), crystal);
    }
  add_row (self, _("MAC address"), mac_text);

  if (chip->flash_id != 0)
    /* TRANSLATORS: the flash chip's JEDEC id: "manufacturer 0xc8, device 0x4016" */
    flash_id = g_strdup_printf (_("manufacturer 0x%02x, device 0x%02x%02x"),
                                chip->flash_id & 0xff,
                                (chip->flash_id >> 8) & 0xff, (chip->flash_id >> 16) & 0xff);
  add_row (self, _("Flash ID"), flash_id != NULL ? flash_id : _("Unknown"));
  if (chip->flash_size > 0)
    flash_size = g_format_size_full (chip->flash_size, G_FORMAT_SIZE_IEC_UNITS);
  add_row (self, _("Flash size"), flash_size != NULL ? flash_size : _("Unknown"));

  add_row (self, _("Connected through"), console_name (chip->console));
  add_row (self, _("Loader"), chip->stub_running ? _("Flasher stub") : _("ROM bootloader"));
  add_row (self, _("Secure Download Mode"), yes_no (chip->secure_download_mode));
  if (chip->security.valid)
    {
      /* Flash encryption is on while an odd number of FLASH_CRYPT_CNT bits is set. */
      guint bits = 0;
      gboolean encrypted;
      g_autofree char *flags = g_strdup_printf ("0x%08x", chip->security.flags);

      for (guint cnt = chip->security.flash_crypt_cnt; cnt != 0; cnt >>= 1)
        bits += cnt & 1;
      encrypted = (bits & 1) != 0;

      add_row (self, _("Secure Boot"),
               yes_no ((chip->security.flags & ESPLASH_SECURITY_SECURE_BOOT_EN) != 0));
      add_row (self, _("Flash encryption"), yes_no (encrypted));
      add_row (self, _("Security flags"), flags);
    }
  else
    {
      /* TRANSLATORS: the chip's ROM cannot report its security settings */
      const char *unknown = _("Not reported by this chip");

      add_row (self, _("Secure Boot"), unknown);
      add_row (self, _("Flash encryption"), unknown);
    }
}

char *
esplash_chip_dialog_dup_text (EsplashChipDialog *self)
{
  g_return_val_if_fail (ESPLASH_IS_CHIP_DIALOG (self), NULL);

  return g_strdup (self->text->str);
}

static void
copy_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EsplashChipDialog *self = ESPLASH_CHIP_DIALOG (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->text->str);
}

static void
esplash_chip_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), ESPLASH_TYPE_CHIP_DIALOG);

  G_OBJECT_CLASS (esplash_chip_dialog_parent_class)->dispose (object);
}

static void
esplash_chip_dialog_finalize (GObject *object)
{
  EsplashChipDialog *self = ESPLASH_CHIP_DIALOG (object);

  g_string_free (self->text, TRUE);

  G_OBJECT_CLASS (esplash_chip_dialog_parent_class)->finalize (object);
}

static void
esplash_chip_dialog_class_init (EsplashChipDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esplash_chip_dialog_dispose;
  object_class->finalize = esplash_chip_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-chip-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashChipDialog, list);
  gtk_widget_class_install_action (widget_class, "chip.copy", NULL, copy_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
esplash_chip_dialog_init (EsplashChipDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->text = g_string_new (NULL);
}

EsplashChipDialog *
esplash_chip_dialog_new (GtkWindow                    *parent,
                         const EsplashChipDescription *chip)
{
  EsplashChipDialog *self;

  g_return_val_if_fail (chip != NULL && chip->chip != NULL, NULL);

  self = g_object_new (ESPLASH_TYPE_CHIP_DIALOG, "transient-for", parent, NULL);
  fill (self, chip);
  return self;
}
