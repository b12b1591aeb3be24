/* esplash-cli-baud.c: the rate -b auto found, remembered per adapter in
 * the user's cache (esplash/adapter-bauds), so that only the first run on an
 * adapter searches; the window keeps the same in its settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-cli-private.h"

#define GROUP "adapter-bauds"
#define MAX_ADAPTERS 64

static char *
memory_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "esplash", "adapter-bauds", NULL);
}

guint
cli_baud_memory_lookup (const char *adapter_key)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = memory_path ();
  guint64 baud;

  if (adapter_key == NULL || !g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return 0;
  baud = g_key_file_get_uint64 (file, GROUP, adapter_key, NULL);
  return baud <= G_MAXUINT ? (guint) baud : 0;
}

/* Best effort: a cache that cannot be written only costs the next run a
 * search. */
void
cli_baud_memory_store (const char *adapter_key,
                       guint       baud)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = memory_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_auto(GStrv) keys = NULL;
  gsize n = 0;

  if (adapter_key == NULL || baud == 0)
    return;
  g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL);
  if (g_key_file_get_uint64 (file, GROUP, adapter_key, NULL) == baud)
    return;
  g_key_file_remove_key (file, GROUP, adapter_key, NULL);
  keys = g_key_file_get_keys (file, GROUP, &n, NULL);
  for (gsize i = 0; keys != NULL && n >= MAX_ADAPTERS && i <= n - MAX_ADAPTERS; i++)
    g_key_file_remove_key (file, GROUP, keys[i], NULL);   /* the oldest first */
  g_key_file_set_uint64 (file, GROUP, adapter_key, baud);
  if (g_mkdir_with_parents (dir, 0700) == 0)
    g_key_file_save_to_file (file, path, NULL);
}
