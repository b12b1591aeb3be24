/* esplash-port-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-port-item.h"

struct _EsplashPortItem
{
  GObject   parent_instance;

  char     *id;
  char     *title;
  gboolean  is_virtual;
  gboolean  looks_like_esp;
  EsplashPortKind kind;
  char     *adapter_key;   /* "10c4:ea60:0001": the rate that worked is remembered under it */
  char     *usb_serial;    /* nullable */
};

G_DEFINE_FINAL_TYPE (EsplashPortItem, esplash_port_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
esplash_port_item_finalize (GObject *object)
{
  EsplashPortItem *self = ESPLASH_PORT_ITEM (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->adapter_key);
  g_free (self->usb_serial);

  G_OBJECT_CLASS (esplash_port_item_parent_class)->finalize (object);
}

static void
esplash_port_item_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  EsplashPortItem *self = ESPLASH_PORT_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_port_item_class_init (EsplashPortItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = esplash_port_item_finalize;
  object_class->get_property = esplash_port_item_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* What the drop-down shows (GtkDropDown:expression). */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
esplash_port_item_init (EsplashPortItem *self)
{
}

EsplashPortItem *
esplash_port_item_new_for_port (const EsplashPortInfo *info)
{
  EsplashPortItem *self;
  const char *name;

  g_return_val_if_fail (info != NULL && info->path != NULL, NULL);

  self = g_object_new (ESPLASH_TYPE_PORT_ITEM, NULL);
  self->id = g_strdup (info->path);
  name = info->friendly_name;
  if (name == NULL || *name == '\0')
    name = info->description;
  if (name == NULL || *name == '\0' || g_strcmp0 (name, info->path) == 0)
    self->title = g_strdup (info->path);
  else if (info->serial != NULL && *info->serial != '\0')
    /* TRANSLATORS: a serial port with the adapter's serial number:
     * "CP2102 USB-UART bridge (0001) — /dev/ttyUSB0" */
    self->title = g_strdup_printf (_("%s (%s) — %s"), name, info->serial, info->path);
  else
    /* TRANSLATORS: a serial port: "CP2102 USB-UART bridge — /dev/ttyUSB0" */
    self->title = g_strdup_printf (_("%s — %s"), name, info->path);
  self->looks_like_esp = info->looks_like_esp;
  self->kind = info->kind;
  self->adapter_key = esplash_port_info_dup_adapter_key (info);
  if (info->serial != NULL && *info->serial != '\0')
    self->usb_serial = g_strdup (info->serial);
  return self;
}

EsplashPortItem *
esplash_port_item_new_virtual (void)
{
  EsplashPortItem *self = g_object_new (ESPLASH_TYPE_PORT_ITEM, NULL);

  self->id = g_strdup (ESPLASH_PORT_ITEM_VIRTUAL_ID);
  /* TRANSLATORS: the built-in simulated board, for trying the app out */
  self->title = g_strdup (_("Virtual ESP32-S3 (demo)"));
  self->is_virtual = TRUE;
  self->adapter_key = g_strdup (ESPLASH_PORT_ITEM_VIRTUAL_ID);
  return self;
}

EsplashPortItem *
esplash_port_item_new_virtual_board (const char *id,
                                     const char *title)
{
  EsplashPortItem *self = g_object_new (ESPLASH_TYPE_PORT_ITEM, NULL);

  self->id = g_strdup (id);
  self->title = g_strdup (title);
  self->is_virtual = TRUE;
  self->adapter_key = g_strdup (id);
  return self;
}

const char *
esplash_port_item_get_usb_serial (EsplashPortItem *self)
{
  g_return_val_if_fail (ESPLASH_IS_PORT_ITEM (self), NULL);

  return self->usb_serial;
}

const char *
esplash_port_item_get_id (EsplashPortItem *self)
{
  g_return_val_if_fail (ESPLASH_IS_PORT_ITEM (self), NULL);

  return self->id;
}

const char *
esplash_port_item_get_title (EsplashPortItem *self)
{
  g_return_val_if_fail (ESPLASH_IS_PORT_ITEM (self), NULL);

  return self->title;
}

gboolean
esplash_port_item_is_virtual (EsplashPortItem *self)
{
  g_return_val_if_fail (ESPLASH_IS_PORT_ITEM (self), FALSE);

  return self->is_virtual;
}

gboolean
esplash_port_item_looks_like_esp (EsplashPortItem *self)
{
  g_return_val_if_fail (ESPLASH_IS_PORT_ITEM (self), FALSE);

  return self->looks_like_esp;
}

EsplashPortKind
esplash_port_item_get_kind (EsplashPortItem *self)
{
  g_return_val_if_fail (ESPLASH_IS_PORT_ITEM (self), ESPLASH_PORT_KIND_OTHER);

  return self->kind;
}

gboolean
esplash_port_item_equal (EsplashPortItem *a,
                         EsplashPortItem *b)
{
  g_return_val_if_fail (ESPLASH_IS_PORT_ITEM (a) && ESPLASH_IS_PORT_ITEM (b), FALSE);

  return g_strcmp0 (a->id, b->id) == 0 &&
         g_strcmp0 (a->title, b->title) == 0 &&
         a->is_virtual == b->is_virtual &&
         a->looks_like_esp == b->looks_like_esp &&
         a->kind == b->kind;
}

/* Where the rate found for this adapter is remembered. */
const char *
esplash_port_item_get_adapter_key (EsplashPortItem *self)
{
  g_return_val_if_fail (ESPLASH_IS_PORT_ITEM (self), NULL);

  return self->adapter_key;
}
