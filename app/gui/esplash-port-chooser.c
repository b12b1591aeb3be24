/* esplash-port-chooser.c
 *
 * The ports come from an EsplashPortWatch (listed every second on a worker
 * thread) and are only applied when the list changed, so the open popover
 * and the selection are left alone between ticks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-port-chooser.h"
#include "esplash-port-watch.h"

#define REFRESH_INTERVAL_MS 1000

struct _EsplashPortChooser
{
  GtkWidget      parent_instance;

  GtkDropDown   *drop_down;

  GListStore    *ports;            /* EsplashPortItem; the virtual board last */
  char          *preferred_port;
  gboolean       syncing;          /* selection changed by us, not the user */
  EsplashPortWatch *watch;
};

G_DEFINE_FINAL_TYPE (EsplashPortChooser, esplash_port_chooser, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SELECTED,
  PROP_PREFERRED_PORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
find_port (EsplashPortChooser *self,
           const char         *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->ports));

  for (guint i = 0; id != NULL && i < n; i++)
    {
      g_autoptr(EsplashPortItem) item = g_list_model_get_item (G_LIST_MODEL (self->ports), i);

      if (g_strcmp0 (esplash_port_item_get_id (item), id) == 0)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

/* The user's last pick when present, else the first port that looks like
 * an ESP board, else the virtual board (always last). */
static void
select_best (EsplashPortChooser *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->ports));
  guint position = find_port (self, self->preferred_port);

  for (guint i = 0; position == GTK_INVALID_LIST_POSITION && i < n; i++)
    {
      g_autoptr(EsplashPortItem) item = g_list_model_get_item (G_LIST_MODEL (self->ports), i);

      if (esplash_port_item_looks_like_esp (item))
        position = i;
    }
  if (position == GTK_INVALID_LIST_POSITION && n > 0)
    position = n - 1;

  if (position != gtk_drop_down_get_selected (self->drop_down))
    {
      self->syncing = TRUE;
      gtk_drop_down_set_selected (self->drop_down, position);
      self->syncing = FALSE;
    }
}

static void
apply_ports (EsplashPortChooser *self)
{
  GPtrArray *ports = esplash_port_watch_get_ports (self->watch);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->ports));
  gboolean same;

  for (guint i = 0; i < ports->len; i++)
    g_ptr_array_add (items, g_object_ref (g_ptr_array_index (ports, i)));
  g_ptr_array_add (items, esplash_port_item_new_virtual ());

  same = n_old == items->len;
  for (guint i = 0; same && i < n_old; i++)
    {
      g_autoptr(EsplashPortItem) old = g_list_model_get_item (G_LIST_MODEL (self->ports), i);

      same = esplash_port_item_equal (old, g_ptr_array_index (items, i));
    }
  if (same)
    return;

  self->syncing = TRUE;
  g_list_store_splice (self->ports, 0, n_old, items->pdata, items->len);
  self->syncing = FALSE;
  select_best (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

EsplashPortWatch *
esplash_port_chooser_get_port_watch (EsplashPortChooser *self)
{
  g_return_val_if_fail (ESPLASH_IS_PORT_CHOOSER (self), NULL);

  return self->watch;
}

static void
selected_cb (EsplashPortChooser *self)
{
  EsplashPortItem *item;

  if (self->syncing)
    return;
  item = esplash_port_chooser_get_selected (self);
  if (item != NULL && g_strcmp0 (self->preferred_port, esplash_port_item_get_id (item)) != 0)
    {
      g_free (self->preferred_port);
      self->preferred_port = g_strdup (esplash_port_item_get_id (item));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREFERRED_PORT]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

static void
esplash_port_chooser_dispose (GObject *object)
{
  EsplashPortChooser *self = ESPLASH_PORT_CHOOSER (object);

  if (self->watch != NULL)
    g_signal_handlers_disconnect_by_data (self->watch, self);
  g_clear_object (&self->watch);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPLASH_TYPE_PORT_CHOOSER);

  G_OBJECT_CLASS (esplash_port_chooser_parent_class)->dispose (object);
}

static void
esplash_port_chooser_finalize (GObject *object)
{
  EsplashPortChooser *self = ESPLASH_PORT_CHOOSER (object);

  g_clear_object (&self->ports);
  g_free (self->preferred_port);

  G_OBJECT_CLASS (esplash_port_chooser_parent_class)->finalize (object);
}

static void
esplash_port_chooser_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  EsplashPortChooser *self = ESPLASH_PORT_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      g_value_set_object (value, esplash_port_chooser_get_selected (self));
      break;
    case PROP_PREFERRED_PORT:
      g_value_set_string (value, self->preferred_port);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_port_chooser_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  EsplashPortChooser *self = ESPLASH_PORT_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_PREFERRED_PORT:
      esplash_port_chooser_set_preferred_port (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_port_chooser_class_init (EsplashPortChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esplash_port_chooser_dispose;
  object_class->finalize = esplash_port_chooser_finalize;
  object_class->get_property = esplash_port_chooser_get_property;
  object_class->set_property = esplash_port_chooser_set_property;

  properties[PROP_SELECTED] =
    g_param_spec_object ("selected", NULL, NULL, ESPLASH_TYPE_PORT_ITEM,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PREFERRED_PORT] =
    g_param_spec_string ("preferred-port", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-port-chooser.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashPortChooser, drop_down);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
esplash_port_chooser_init (EsplashPortChooser *self)
{
  g_type_ensure (ESPLASH_TYPE_PORT_ITEM);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->ports = g_list_store_new (ESPLASH_TYPE_PORT_ITEM);
  gtk_drop_down_set_model (self->drop_down, G_LIST_MODEL (self->ports));
  g_signal_connect_object (self->drop_down, "notify::selected",
                           G_CALLBACK (selected_cb), self, G_CONNECT_SWAPPED);

  /* The virtual board is there at once; real ports follow in a moment. */
  self->watch = esplash_port_watch_new ();
  apply_ports (self);
  g_signal_connect_object (self->watch, "changed", G_CALLBACK (apply_ports), self, G_CONNECT_SWAPPED);
  esplash_port_watch_set_active (self->watch, TRUE, REFRESH_INTERVAL_MS);
}

EsplashPortItem *
esplash_port_chooser_get_selected (EsplashPortChooser *self)
{
  g_return_val_if_fail (ESPLASH_IS_PORT_CHOOSER (self), NULL);

  return gtk_drop_down_get_selected_item (self->drop_down);
}

const char *
esplash_port_chooser_get_preferred_port (EsplashPortChooser *self)
{
  g_return_val_if_fail (ESPLASH_IS_PORT_CHOOSER (self), NULL);

  return self->preferred_port;
}

void
esplash_port_chooser_set_preferred_port (EsplashPortChooser *self,
                                         const char         *id)
{
  g_return_if_fail (ESPLASH_IS_PORT_CHOOSER (self));

  if (id != NULL && *id == '\0')
    id = NULL;
  if (g_strcmp0 (self->preferred_port, id) == 0)
    return;
  g_free (self->preferred_port);
  self->preferred_port = g_strdup (id);
  select_best (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREFERRED_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}
