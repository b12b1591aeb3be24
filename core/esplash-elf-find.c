/* esplash-elf-find.c: the application ELF that belongs to a build output
 * the user dropped or chose (a file or a folder), for decoding a crash.
 *
 * This is apart from esplash-elf-symbols.c because it is another concept:
 * that file reads one ELF with libdw; this one only looks at names, folders
 * and build descriptions, and never opens an ELF. It knows the layouts of
 * the build systems:
 *  - ESP-IDF: build/project_description.json's "app_elf", else
 *    build/flasher_args.json's app file with .elf for .bin (a dropped
 *    bootloader or partition table image finds the app one folder up);
 *  - PlatformIO: .pio/build/ENV/firmware.elf (the environment built last);
 *  - Arduino: SKETCH.ino.elf beside SKETCH.ino.bin or SKETCH.ino.merged.bin,
 *    in the sketch's build/FQBN/ folder or arduino-cli's --output-dir;
 *  - else NAME.elf beside NAME.bin, or a folder's only .elf.
 * A path that a description names must stay inside the description's folder
 * (esplash_bundle_resolve_inside, as for flashing). The declaration is in
 * esplash-elf-symbols.h, beside the loader of what is found.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "esplash-elf-symbols.h"
#include "esplash-bundle-private.h"

static gboolean
is_regular_file (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* @dir/@rel when it stays inside @dir and is a regular file. */
static char *
file_inside (const char *dir,
             const char *rel,
             const char *what)
{
  EsplashPlanCheck problem;
  g_autofree char *message = NULL;
  g_autofree char *path = esplash_bundle_resolve_inside (dir, rel, what, &problem, &message);

  if (path == NULL)
    {
      g_debug ("%s", message);
      return NULL;
    }
  return is_regular_file (path) ? g_steal_pointer (&path) : NULL;
}

/* A small JSON object file (ESP-IDF's build descriptions are a few KB). */
static JsonObject *
read_json_object (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!is_regular_file (path))
    return NULL;
  bytes = esplash_bundle_read_file (path, &error);
  if (bytes == NULL || g_bytes_get_size (bytes) > 4 * 1024 * 1024 ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   (gssize) g_bytes_get_size (bytes), &error))
    {
      g_debug ("%s: %s", path, error != NULL ? error->message : "too large");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

/* ESP-IDF's build/project_description.json: "app_elf": "NAME.elf". */
static char *
from_project_description (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "project_description.json", NULL);
  g_autoptr(JsonObject) obj = read_json_object (path);
  const char *app_elf;

  if (obj == NULL)
    return NULL;
  app_elf = json_object_get_string_member_with_default (obj, "app_elf", NULL);
  if (app_elf == NULL || !g_str_has_suffix (app_elf, ".elf"))
    return NULL;
  return file_inside (dir, app_elf, "project_description.json");
}

/* NAME.bin or NAME.merged.bin (Arduino's) → "NAME.elf"; NULL for another name. */
static char *
elf_name_for_bin (const char *bin)
{
  static const char *const suffixes[] = { ".merged.bin", ".bin" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      gsize len = strlen (bin), suffix_len = strlen (suffixes[i]);

      if (len > suffix_len && g_str_has_suffix (bin, suffixes[i]))
        return g_strdup_printf ("%.*s.elf", (int) (len - suffix_len), bin);
    }
  return NULL;
}

/* ESP-IDF's build/flasher_args.json: "app": { "file": "NAME.bin" } →
 * NAME.elf in the same folder. */
static char *
from_flasher_args (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "flasher_args.json", NULL);
  g_autoptr(JsonObject) obj = read_json_object (path);
  g_autofree char *elf = NULL;
  JsonNode *app;
  const char *file;

  if (obj == NULL)
    return NULL;
  app = json_object_get_member (obj, "app");
  if (app == NULL || !JSON_NODE_HOLDS_OBJECT (app))
    return NULL;
  file = json_object_get_string_member_with_default (json_node_get_object (app), "file", NULL);
  if (file == NULL)
    return NULL;
  elf = elf_name_for_bin (file);
  return elf != NULL ? file_inside (dir, elf, "flasher_args.json") : NULL;
}

/* ESP-IDF's descriptions in @dir. */
static char *
from_esp_idf (const char *dir)
{
  char *found = from_project_description (dir);

  return found != NULL ? found : from_flasher_args (dir);
}

/* NAME.elf beside @bin (PlatformIO's firmware.bin, Arduino's
 * SKETCH.ino.bin and SKETCH.ino.merged.bin, any NAME.bin). */
static char *
elf_beside_bin (const char *bin)
{
  g_autofree char *dir = g_path_get_dirname (bin);
  g_autofree char *base = g_path_get_basename (bin);
  g_autofree char *elf = elf_name_for_bin (base);
  g_autofree char *path = NULL;

  if (elf == NULL)
    return NULL;
  path = g_build_filename (dir, elf, NULL);
  return is_regular_file (path) ? g_steal_pointer (&path) : NULL;
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The entries of @dir, sorted (the result does not depend on the order
 * the file system lists them in). */
static GPtrArray *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  return names;
}

/* In one folder: NAME.elf beside NAME.bin / NAME.merged.bin, else the
 * folder's only .elf. */
static char *
from_folder_files (const char *dir)
{
  g_autoptr(GPtrArray) names = list_dir (dir);
  g_autofree char *lone_elf = NULL;
  guint n_elf = 0;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_str_has_suffix (name, ".bin"))
        {
          char *found = elf_beside_bin (path);

          if (found != NULL)
            return found;
        }
      else if (g_str_has_suffix (name, ".elf") && is_regular_file (path))
        {
          n_elf++;
          g_free (lone_elf);
          lone_elf = g_steal_pointer (&path);
        }
    }
  return n_elf == 1 ? g_steal_pointer (&lone_elf) : NULL;
}

/* PlatformIO's project: .pio/build/ENV/firmware.elf (beside firmware.bin
 * when there is one); of several environments the one built last. */
static char *
from_platformio (const char *dir)
{
  g_autofree char *build = g_build_filename (dir, ".pio", "build", NULL);
  g_autoptr(GPtrArray) envs = list_dir (build);
  g_autofree char *best = NULL;
  gint64 best_mtime = G_MININT64;

  for (guint i = 0; i < envs->len; i++)
    {
      g_autofree char *elf = g_build_filename (build, g_ptr_array_index (envs, i),
                                               "firmware.elf", NULL);
      GStatBuf st;

      if (g_stat (elf, &st) == 0 && S_ISREG (st.st_mode) && (gint64) st.st_mtime > best_mtime)
        {
          best_mtime = st.st_mtime;
          g_free (best);
          best = g_steal_pointer (&elf);
        }
    }
  return g_steal_pointer (&best);
}

/* A dropped folder: a project (with build/ or .pio/), a build folder, or
 * Arduino's export or build folder (build/FQBN/ one level down). */
static char *
from_folder (const char *dir)
{
  g_autofree char *build = g_build_filename (dir, "build", NULL);
  g_autoptr(GPtrArray) build_subdirs = NULL;
  char *found;

  if ((found = from_esp_idf (dir)) != NULL ||
      (found = from_esp_idf (build)) != NULL ||
      (found = from_platformio (dir)) != NULL ||
      (found = from_folder_files (dir)) != NULL ||
      (found = from_folder_files (build)) != NULL)
    return found;

  build_subdirs = list_dir (build);
  for (guint i = 0; i < build_subdirs->len; i++)
    {
      g_autofree char *sub = g_build_filename (build, g_ptr_array_index (build_subdirs, i), NULL);

      if (g_file_test (sub, G_FILE_TEST_IS_DIR) && (found = from_folder_files (sub)) != NULL)
        return found;
    }
  return NULL;
}

/* A dropped file: the ELF itself, a build description, or an image of the
 * build (ESP-IDF's bootloader and partition table sit one folder down). */
static char *
from_file (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *parent = NULL;
  char *found;

  if (g_str_has_suffix (base, ".elf"))
    return g_strdup (path);
  if (strcmp (base, "project_description.json") == 0)
    return from_project_description (dir);
  if (strcmp (base, "flasher_args.json") == 0)
    return from_flasher_args (dir);

  parent = g_path_get_dirname (dir);
  if ((found = from_esp_idf (dir)) != NULL ||
      (found = from_esp_idf (parent)) != NULL ||
      (found = elf_beside_bin (path)) != NULL)
    return found;
  return from_folder_files (dir);
}

/**
 * esplash_elf_find_for_build:
 * @path: a dropped file or folder
 *
 * The application ELF that belongs to a build output: ESP-IDF
 * (project_description.json's "app_elf", or flasher_args.json's app file
 * with .elf for .bin, in the build folder), PlatformIO
 * (.pio/build/ENV/firmware.elf, beside firmware.bin), Arduino
 * (SKETCH.ino.elf beside SKETCH.ino.bin or SKETCH.ino.merged.bin), else
 * NAME.elf beside NAME.bin, or a folder's only .elf. A folder is looked
 * into, and into its build/ subfolder (and the folders one level below
 * that, where Arduino puts its output). A path a description names must
 * stay inside its folder.
 *
 * Returns: (transfer full) (nullable): the ELF's path (symbolic links
 *   resolved), or NULL when there is none
 */
char *
esplash_elf_find_for_build (const char *path)
{
  g_autofree char *abs = NULL;
  g_autofree char *found = NULL;
  char *real;

  g_return_val_if_fail (path != NULL, NULL);

  abs = g_canonicalize_filename (path, NULL);
  if (g_file_test (abs, G_FILE_TEST_IS_DIR))
    found = from_folder (abs);
  else if (is_regular_file (abs))
    found = from_file (abs);
  if (found == NULL)
    return NULL;
  real = realpath (found, NULL);
  if (real != NULL)
    {
      g_free (found);
      found = g_strdup (real);    /* g_free()-able, whatever the allocator */
      free (real);
    }
  return g_steal_pointer (&found);
}
