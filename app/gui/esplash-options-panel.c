/* esplash-options-panel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-options-panel.h"

/* The baud drop-down's entries, as in the .ui; 0 = automatic. */
static const guint bauds[] = { 0, 115200, 230400, 460800, 921600, 1500000 };
#define DEFAULT_BAUD_INDEX 0

/* The after drop-down's entries, as in the .ui. */
enum {
  AFTER_RESET_AND_RUN = 0,
  AFTER_STAY_IN_BOOTLOADER = 1,
};

struct _EsplashOptionsPanel
{
  GtkWidget    parent_instance;

  GtkWidget   *box;
  GtkDropDown *baud_drop_down;
  GtkDropDown *after_drop_down;
  GtkSwitch   *verify_switch;
  GtkSwitch   *skip_switch;
  GtkSwitch   *erase_switch;
};

G_DEFINE_FINAL_TYPE (EsplashOptionsPanel, esplash_options_panel, GTK_TYPE_WIDGET)

static gboolean
baud_get_mapping (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  guint baud = g_variant_get_uint32 (variant);

  g_value_set_uint (value, DEFAULT_BAUD_INDEX);
  for (guint i = 0; i < G_N_ELEMENTS (bauds); i++)
    {
      if (bauds[i] == baud)
        g_value_set_uint (value, i);
    }
  return TRUE;
}

static GVariant *
baud_set_mapping (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  guint index = g_value_get_uint (value);

  return g_variant_new_uint32 (bauds[index < G_N_ELEMENTS (bauds) ? index : DEFAULT_BAUD_INDEX]);
}

static gboolean
after_get_mapping (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  g_value_set_uint (value, g_str_equal (g_variant_get_string (variant, NULL), "stay")
                             ? AFTER_STAY_IN_BOOTLOADER : AFTER_RESET_AND_RUN);
  return TRUE;
}

static GVariant *
after_set_mapping (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  return g_variant_new_string (g_value_get_uint (value) == AFTER_STAY_IN_BOOTLOADER ? "stay" : "reset");
}

void
esplash_options_panel_bind (EsplashOptionsPanel *self,
                            GSettings           *settings)
{
  g_return_if_fail (ESPLASH_IS_OPTIONS_PANEL (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_settings_bind (settings, "verify", self->verify_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "skip-unchanged", self->skip_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "erase-all", self->erase_switch, "active", G_SETTINGS_BIND_DEFAULT);
  /* erasing everything first leaves nothing to compare with */
  g_object_bind_property (self->erase_switch, "active", self->skip_switch, "sensitive",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  g_settings_bind_with_mapping (settings, "baud", self->baud_drop_down, "selected",
                                G_SETTINGS_BIND_DEFAULT, baud_get_mapping, baud_set_mapping,
                                NULL, NULL);
  g_settings_bind_with_mapping (settings, "after", self->after_drop_down, "selected",
                                G_SETTINGS_BIND_DEFAULT, after_get_mapping, after_set_mapping,
                                NULL, NULL);
}

guint
esplash_options_panel_get_baud (EsplashOptionsPanel *self)
{
  guint index;

  g_return_val_if_fail (ESPLASH_IS_OPTIONS_PANEL (self), 0);

  index = gtk_drop_down_get_selected (self->baud_drop_down);
  return bauds[index < G_N_ELEMENTS (bauds) ? index : DEFAULT_BAUD_INDEX];
}

gboolean
esplash_options_panel_get_verify (EsplashOptionsPanel *self)
{
  g_return_val_if_fail (ESPLASH_IS_OPTIONS_PANEL (self), TRUE);

  return gtk_switch_get_active (self->verify_switch);
}

gboolean
esplash_options_panel_get_skip_unchanged (EsplashOptionsPanel *self)
{
  g_return_val_if_fail (ESPLASH_IS_OPTIONS_PANEL (self), TRUE);

  return gtk_switch_get_active (self->skip_switch);
}

gboolean
esplash_options_panel_get_erase_all (EsplashOptionsPanel *self)
{
  g_return_val_if_fail (ESPLASH_IS_OPTIONS_PANEL (self), FALSE);

  return gtk_switch_get_active (self->erase_switch);
}

EsplashAfter
esplash_options_panel_get_after (EsplashOptionsPanel *self)
{
  g_return_val_if_fail (ESPLASH_IS_OPTIONS_PANEL (self), ESPLASH_AFTER_HARD_RESET);

  return gtk_drop_down_get_selected (self->after_drop_down) == AFTER_STAY_IN_BOOTLOADER
           ? ESPLASH_AFTER_NO_RESET : ESPLASH_AFTER_HARD_RESET;
}

static void
esplash_options_panel_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), ESPLASH_TYPE_OPTIONS_PANEL);

  G_OBJECT_CLASS (esplash_options_panel_parent_class)->dispose (object);
}

static void
esplash_options_panel_class_init (EsplashOptionsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esplash_options_panel_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-options-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashOptionsPanel, box);
  gtk_widget_class_bind_template_child (widget_class, EsplashOptionsPanel, baud_drop_down);
  gtk_widget_class_bind_template_child (widget_class, EsplashOptionsPanel, after_drop_down);
  gtk_widget_class_bind_template_child (widget_class, EsplashOptionsPanel, verify_switch);
  gtk_widget_class_bind_template_child (widget_class, EsplashOptionsPanel, skip_switch);
  gtk_widget_class_bind_template_child (widget_class, EsplashOptionsPanel, erase_switch);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
esplash_options_panel_init (EsplashOptionsPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drop_down_set_selected (self->baud_drop_down, DEFAULT_BAUD_INDEX);
}
