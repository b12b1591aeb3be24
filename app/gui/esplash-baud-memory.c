/* esplash-baud-memory.c: the rate the automatic setting found, per adapter
 * (GSettings "adapter-bauds", keyed by USB vendor:product:serial), so the
 * search runs once per adapter and later connects start at its rate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-baud-memory.h"

#define KEY "adapter-bauds"
/* A dictionary that only grows: keep the newest few dozen adapters. */
#define MAX_ADAPTERS 64

guint
esplash_baud_memory_lookup (GSettings  *settings,
                            const char *adapter_key)
{
  g_autoptr(GVariant) dict = NULL;
  guint baud = 0;

  if (settings == NULL || adapter_key == NULL)
    return 0;
  dict = g_settings_get_value (settings, KEY);
  if (!g_variant_lookup (dict, adapter_key, "u", &baud))
    return 0;
  return baud;
}

void
esplash_baud_memory_store (GSettings  *settings,
                           const char *adapter_key,
                           guint       baud)
{
  g_autoptr(GVariant) old = NULL;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{su}"));
  GVariantIter iter;
  const char *key;
  guint value;
  gsize n, skip;

  if (settings == NULL || adapter_key == NULL || baud == 0 ||
      esplash_baud_memory_lookup (settings, adapter_key) == baud)
    return;
  old = g_settings_get_value (settings, KEY);
  n = g_variant_n_children (old);
  skip = n >= MAX_ADAPTERS ? n - MAX_ADAPTERS + 1 : 0;   /* the oldest first */
  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&su}", &key, &value))
    {
      if (skip > 0)
        {
          skip--;
          continue;
        }
      if (g_strcmp0 (key, adapter_key) != 0)
        g_variant_builder_add (&builder, "{su}", key, value);
    }
  g_variant_builder_add (&builder, "{su}", adapter_key, baud);
  g_settings_set_value (settings, KEY, g_variant_builder_end (&builder));
}

/* The chip's own USB ignores the rate, so Automatic leaves it there. */
char *
esplash_baud_memory_choose (GSettings             *settings,
                            guint                  chosen,
                            EsplashPortItem       *port,
                            EsplashConnectOptions *connect)
{
  connect->baud = chosen;
  if (chosen != 0 || esplash_port_item_get_kind (port) == ESPLASH_PORT_KIND_ESPRESSIF_USB)
    return NULL;
  connect->auto_baud = TRUE;
  connect->baud = esplash_baud_memory_lookup (settings, esplash_port_item_get_adapter_key (port));
  return g_strdup (esplash_port_item_get_adapter_key (port));
}
