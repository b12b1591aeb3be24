/* esplash-bundle.c: dropped files and build folders → a flash plan.
 *
 * Loading reads every file once and records what it is; resolving picks
 * offsets for a chip (a manifest's build too) and runs the checks. Paths
 * named by a description or found in a folder must stay inside it: they are
 * resolved with realpath() and compared by prefix, so "../", absolute paths
 * and symbolic links out of the folder are refused.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-bundle.h"
#include "esplash-bundle-private.h"
#include "esplash-flasher-args.h"
#include "esplash-ihex.h"
#include "esplash-manifest.h"

G_DEFINE_FINAL_TYPE (EsplashBundle, esplash_bundle, G_TYPE_OBJECT)

void
esplash_bundle_item_free (EsplashBundleItem *item)
{
  g_free (item->path);
  g_clear_pointer (&item->data, g_bytes_unref);
  g_free (item->offset_reason);
  g_free (item->part);
  g_free (item->disabled_reason);
  g_free (item->problem_message);
  esplash_detected_clear (&item->det);
  g_free (item);
}

static void
esplash_bundle_finalize (GObject *object)
{
  EsplashBundle *self = ESPLASH_BUNDLE (object);

  g_ptr_array_unref (self->items);
  g_ptr_array_unref (self->sources);
  g_free (self->description);
  g_clear_pointer (&self->manifest, esplash_manifest_free);
  g_free (self->manifest_dir);
  g_free (self->manifest_name);
  g_free (self->flash_mode);
  g_free (self->flash_freq);
  g_free (self->flash_size);
  g_free (self->chip_hint);
  G_OBJECT_CLASS (esplash_bundle_parent_class)->finalize (object);
}

static void
esplash_bundle_class_init (EsplashBundleClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = esplash_bundle_finalize;
}

static void
esplash_bundle_init (EsplashBundle *self)
{
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_bundle_item_free);
  self->sources = g_ptr_array_new_with_free_func (g_free);
}

EsplashBundle *
esplash_bundle_new (void)
{
  return g_object_new (ESPLASH_TYPE_BUNDLE, NULL);
}

static void
add_source (EsplashBundle *self,
            char          *text)
{
  g_ptr_array_add (self->sources, text);
  g_clear_pointer (&self->description, g_free);
}

const char *
esplash_bundle_get_description (EsplashBundle *self)
{
  g_return_val_if_fail (ESPLASH_IS_BUNDLE (self), NULL);
  if (self->description == NULL)
    {
      g_autoptr(GString) s = g_string_new (NULL);

      for (guint i = 0; i < self->sources->len; i++)
        g_string_append_printf (s, "%s%s", i > 0 ? "; " : "",
                                (const char *) g_ptr_array_index (self->sources, i));
      self->description = g_string_free (g_steal_pointer (&s), FALSE);
    }
  return self->description;
}

/* ---- files and paths ---------------------------------------------------- */

EsplashBundleItem *
esplash_bundle_item_new (const char *path)
{
  EsplashBundleItem *item = g_new0 (EsplashBundleItem, 1);

  item->path = g_strdup (path);
  item->det.image_chip_id = -1;
  return item;
}

void
esplash_bundle_item_set_problem (EsplashBundleItem             *item,
                  EsplashPlanCheck  problem,
                  char             *message)
{
  item->problem = problem;
  g_free (item->problem_message);
  item->problem_message = message;
  g_clear_pointer (&item->data, g_bytes_unref);
}

void
esplash_bundle_item_set_data (EsplashBundleItem   *item,
               GBytes *data)
{
  item->data = data;
  esplash_detected_clear (&item->det);
  esplash_detect (data, item->path, &item->det);
}

/* An item for a file a description or a folder names. */
EsplashBundleItem *
esplash_bundle_item_from_listed (const char *base_dir,
                  const char *rel,
                  const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  EsplashPlanCheck problem = 0;
  char *message = NULL;
  EsplashBundleItem *item = esplash_bundle_item_new (rel);
  GBytes *data;

  path = esplash_bundle_resolve_inside (base_dir, rel, what, &problem, &message);
  if (path == NULL)
    {
      esplash_bundle_item_set_problem (item, problem, message);
      return item;
    }
  data = esplash_bundle_read_file (path, &error);
  if (data == NULL)
    esplash_bundle_item_set_problem (item, ESPLASH_PLAN_CHECK_MISSING_FILE,
                      g_strdup_printf ("%s names %s, which cannot be read: %s", what, rel,
                                       error->message));
  else
    esplash_bundle_item_set_data (item, data);
  return item;
}

/* ---- descriptions ------------------------------------------------------- */

static void
take_settings (EsplashBundle      *self,
               EsplashFlasherArgs *args)
{
  g_free (self->flash_mode);
  g_free (self->flash_freq);
  g_free (self->flash_size);
  self->flash_mode = g_strdup (args->flash_mode);
  self->flash_freq = g_strdup (args->flash_freq);
  self->flash_size = g_strdup (args->flash_size);
  if (args->chip != NULL)
    {
      g_free (self->chip_hint);
      self->chip_hint = g_strdup (args->chip);
    }
}

static gboolean
add_flasher_args (EsplashBundle  *self,
                  const char     *path,
                  GBytes         *contents,
                  gboolean        json,
                  GError        **error)
{
  g_autoptr(EsplashFlasherArgs) args = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  gsize len;
  const char *text = g_bytes_get_data (contents, &len);

  args = json ? esplash_flasher_args_parse_json (text, len, error)
              : esplash_flasher_args_parse_text (text, len, error);
  if (args == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  take_settings (self, args);
  for (guint i = 0; i < args->files->len; i++)
    {
      const EsplashFlasherArgsFile *f = g_ptr_array_index (args->files, i);
      EsplashBundleItem *item = esplash_bundle_item_from_listed (dir, f->path, base);

      item->has_offset = TRUE;
      item->offset = f->offset;
      item->part = g_strdup (f->part);
      item->offset_reason = f->part != NULL
        ? g_strdup_printf ("0x%x from %s (%s)", f->offset, base, f->part)
        : g_strdup_printf ("0x%x from %s", f->offset, base);
      g_ptr_array_add (self->items, item);
    }
  add_source (self, g_strdup_printf ("ESP-IDF build (%s)", path));
  return TRUE;
}

static gboolean
add_manifest (EsplashBundle  *self,
              const char     *path,
              GBytes         *contents,
              GError        **error)
{
  EsplashManifest *manifest;
  gsize len;
  const char *text = g_bytes_get_data (contents, &len);

  if (self->manifest != NULL)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "%s: only one ESP Web Tools manifest can be flashed at a time (already "
                   "have %s)", path, self->manifest_name);
      return FALSE;
    }
  manifest = esplash_manifest_parse (text, len, error);
  if (manifest == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  self->manifest = manifest;
  self->manifest_dir = g_path_get_dirname (path);
  self->manifest_name = g_strdup (path);
  add_source (self, g_strdup_printf ("ESP Web Tools manifest (%s%s%s)", path,
                                     manifest->name != NULL ? ": " : "",
                                     manifest->name != NULL ? manifest->name : ""));
  return TRUE;
}

static gboolean
add_hex (EsplashBundle  *self,
         const char     *path,
         GBytes         *contents,
         GError        **error)
{
  g_autoptr(GPtrArray) regions = NULL;
  gsize len;
  const char *text = g_bytes_get_data (contents, &len);

  regions = esplash_ihex_parse (text, len, error);
  if (regions == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  for (guint i = 0; i < regions->len; i++)
    {
      const EsplashIhexRegion *r = g_ptr_array_index (regions, i);
      g_autofree char *name = regions->len > 1 ? g_strdup_printf ("%s@0x%x", path, r->address)
                                               : g_strdup (path);
      EsplashBundleItem *item = esplash_bundle_item_new (name);

      esplash_bundle_item_set_data (item, g_bytes_ref (r->data));
      item->has_offset = TRUE;
      item->offset = r->address;
      item->offset_reason = g_strdup_printf ("0x%x from the addresses in the HEX file", r->address);
      g_ptr_array_add (self->items, item);
    }
  add_source (self, g_strdup_printf ("Intel HEX file %s", path));
  return TRUE;
}

/* A file dropped on its own, recognised by name and content. */
static gboolean
add_file (EsplashBundle  *self,
          const char     *path,
          GError        **error)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *lower = g_ascii_strdown (base, -1);
  g_autoptr(GBytes) data = esplash_bundle_read_file (path, error);
  gsize len;
  const guint8 *d;
  EsplashBundleItem *item;

  if (data == NULL)
    return FALSE;
  d = g_bytes_get_data (data, &len);
  if (g_str_has_suffix (lower, ".json") || (len > 0 && d[0] == '{'))
    {
      g_autoptr(JsonNode) root = esplash_json_load ((const char *) d, len, error);

      if (root == NULL)
        {
          g_prefix_error (error, "%s: ", path);
          return FALSE;
        }
      if (JSON_NODE_HOLDS_OBJECT (root) &&
          json_object_has_member (json_node_get_object (root), "flash_files"))
        return add_flasher_args (self, path, data, TRUE, error);
      if (JSON_NODE_HOLDS_OBJECT (root) &&
          json_object_has_member (json_node_get_object (root), "builds"))
        return add_manifest (self, path, data, error);
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "%s is JSON but neither an ESP-IDF flasher_args.json (no \"flash_files\") "
                   "nor an ESP Web Tools manifest (no \"builds\")", path);
      return FALSE;
    }
  if (g_str_equal (lower, "flash_project_args") || g_str_equal (lower, "flash_args") ||
      g_str_has_suffix (lower, "_args"))
    return add_flasher_args (self, path, data, FALSE, error);
  if (g_str_has_suffix (lower, ".hex") || g_str_has_suffix (lower, ".ihex") ||
      esplash_ihex_sniff (d, len))
    return add_hex (self, path, data, error);

  item = esplash_bundle_item_new (path);
  esplash_bundle_item_set_data (item, g_steal_pointer (&data));
  g_ptr_array_add (self->items, item);
  add_source (self, g_strdup (path));
  return TRUE;
}

/* ---- folders ------------------------------------------------------------ */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* Sorted names in @dir for which @want is TRUE (NULL: all). */
static GPtrArray *
list_dir (const char  *dir,
          gboolean   (*want) (const char *dir, const char *name),
          GError     **error)
{
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  const char *name;

  d = g_dir_open (dir, 0, &local_error);
  if (d == NULL)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PERMISSION_DENIED,
                   "Cannot list %s: %s", dir, local_error->message);
      return NULL;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    if (want == NULL || want (dir, name))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}

static gboolean
is_firmware_name (const char *dir,
                  const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_str_has_suffix (lower, ".bin") || g_str_has_suffix (lower, ".hex");
}

static gboolean
is_pio_env (const char *dir,
            const char *name)
{
  g_autofree char *fw = g_build_filename (dir, name, "firmware.bin", NULL);

  return g_file_test (fw, G_FILE_TEST_IS_REGULAR);
}

static gboolean
is_subdir (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_IS_DIR);
}

/* Every *.bin / *.hex in @dir (Arduino, PlatformIO, plain folders). */
static gboolean
scan_folder (EsplashBundle  *self,
             const char     *dir,
             const char     *what,
             GError        **error)
{
  g_autoptr(GPtrArray) names = list_dir (dir, is_firmware_name, error);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_bundle_item_free);
  gboolean have_parts = FALSE;
  g_autofree char *base = g_path_get_basename (dir);
  g_autofree char *what_dir = g_strdup_printf ("The folder %s", base);

  if (names == NULL)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *lower = g_ascii_strdown (name, -1);
      EsplashBundleItem *item;

      if (g_str_has_suffix (lower, ".hex"))
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);

          if (!add_file (self, path, error))
            return FALSE;
          continue;
        }
      item = esplash_bundle_item_from_listed (dir, name, what_dir);
      g_ptr_array_add (items, item);
      if (item->data != NULL && item->det.kind != ESPLASH_PLAN_KIND_MERGED &&
          item->det.kind != ESPLASH_PLAN_KIND_UNKNOWN)
        have_parts = TRUE;
    }
  for (guint i = 0; i < items->len; i++)
    {
      EsplashBundleItem *item = g_ptr_array_index (items, i);

      if (item->data == NULL || g_bytes_get_size (item->data) == 0)
        continue;
      /* arduino-cli and PlatformIO upload the parts; the merged file is
       * for web flashers */
      if (item->det.kind == ESPLASH_PLAN_KIND_MERGED && have_parts)
        {
          item->disabled = TRUE;
          item->disabled_reason = g_strdup ("left out: the separate parts in the folder are "
                                            "written instead, as arduino-cli does; enable it "
                                            "(alone) to write the merged image");
        }
      else if (item->det.kind == ESPLASH_PLAN_KIND_UNKNOWN)
        {
          item->disabled = TRUE;
          item->disabled_reason = g_strdup ("left out: not recognised as firmware; enable it "
                                            "and give an offset to write it");
        }
    }
  if (items->len == 0 && self->items->len == 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
                   "No firmware in %s: no flasher_args.json, flash_project_args, "
                   "manifest.json, .pio/build or *.bin files; drop the build folder", dir);
      return FALSE;
    }
  while (items->len > 0)
    g_ptr_array_add (self->items, g_ptr_array_steal_index (items, 0));
  add_source (self, g_strdup_printf ("%s (%s)", what, dir));
  return TRUE;
}

static char *
find_in (const char        *dir,
         const char *const *candidates)
{
  for (guint i = 0; candidates[i] != NULL; i++)
    {
      char *path = g_build_filename (dir, candidates[i], NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return path;
      g_free (path);
    }
  return NULL;
}

static gboolean
add_folder (EsplashBundle  *self,
            const char     *dir,
            GError        **error)
{
  static const char *const descriptions[] = {
    "flasher_args.json", "build/flasher_args.json", "flash_project_args",
    "build/flash_project_args", "flash_args", "build/flash_args", "manifest.json", NULL,
  };
  g_autofree char *desc = find_in (dir, descriptions);
  g_autofree char *pio = g_build_filename (dir, ".pio", "build", NULL);
  g_autofree char *arduino = g_build_filename (dir, "build", NULL);

  if (desc != NULL)
    return add_file (self, desc, error);
  if (g_file_test (pio, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GPtrArray) envs = list_dir (pio, is_pio_env, error);
      g_autofree char *env_dir = NULL;

      if (envs == NULL)
        return FALSE;
      if (envs->len == 0)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
                       "%s has no built PlatformIO environment (no firmware.bin); run "
                       "pio run first", pio);
          return FALSE;
        }
      if (envs->len > 1)
        {
          g_autofree char *joined = NULL;

          g_ptr_array_add (envs, NULL);
          joined = g_strjoinv (", ", (char **) envs->pdata);
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                       "%s has several PlatformIO environments (%s); drop the folder of "
                       "the one to flash (.pio/build/<env>)", pio, joined);
          return FALSE;
        }
      env_dir = g_build_filename (pio, g_ptr_array_index (envs, 0), NULL);
      return scan_folder (self, env_dir, "PlatformIO build", error);
    }
  /* an Arduino sketch folder exported with "build/<fqbn>/" */
  if (g_file_test (arduino, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GPtrArray) subs = list_dir (arduino, is_subdir, error);

      if (subs == NULL)
        return FALSE;
      if (subs->len == 1)
        {
          g_autofree char *sub = g_build_filename (arduino, g_ptr_array_index (subs, 0), NULL);

          return scan_folder (self, sub, "Arduino build", error);
        }
    }
  return scan_folder (self, dir, "build folder", error);
}

gboolean
esplash_bundle_add_path (EsplashBundle  *self,
                         const char     *path,
                         GError        **error)
{
  g_return_val_if_fail (ESPLASH_IS_BUNDLE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return add_folder (self, path, error);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
                   "%s does not exist; check the path", path);
      return FALSE;
    }
  return add_file (self, path, error);
}

gboolean
esplash_bundle_add_file_at (EsplashBundle  *self,
                            guint32         offset,
                            const char     *path,
                            GError        **error)
{
  g_autoptr(GBytes) data = NULL;
  EsplashBundleItem *item;

  g_return_val_if_fail (ESPLASH_IS_BUNDLE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = esplash_bundle_read_file (path, error);
  if (data == NULL)
    return FALSE;
  item = esplash_bundle_item_new (path);
  esplash_bundle_item_set_data (item, g_steal_pointer (&data));
  item->has_offset = TRUE;
  item->offset = offset;
  item->offset_reason = g_strdup_printf ("0x%x as given", offset);
  g_ptr_array_add (self->items, item);
  add_source (self, g_strdup_printf ("%s at 0x%x", path, offset));
  return TRUE;
}

EsplashBundle *
esplash_bundle_new_from_paths (const char *const  *paths,
                               GError            **error)
{
  g_autoptr(EsplashBundle) self = esplash_bundle_new ();

  g_return_val_if_fail (paths != NULL, NULL);
  if (paths[0] == NULL)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "No firmware given: name a build folder, flasher_args.json, "
                           "manifest.json or image files");
      return NULL;
    }
  for (guint i = 0; paths[i] != NULL; i++)
    if (!esplash_bundle_add_path (self, paths[i], error))
      return NULL;
  return g_steal_pointer (&self);
}
