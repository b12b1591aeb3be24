/* esplash-manifest.c: ESP Web Tools manifest.json.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "esplash-manifest.h"
#include "esplash-bundle-private.h"
#include "esplash-error.h"

static void
part_free (EsplashManifestPart *part)
{
  g_free (part->path);
  g_free (part);
}

static void
build_free (EsplashManifestBuild *build)
{
  g_free (build->chip_family);
  g_free (build->serial_type);
  g_ptr_array_unref (build->parts);
  g_free (build);
}

void
esplash_manifest_free (EsplashManifest *manifest)
{
  if (manifest == NULL)
    return;
  g_free (manifest->name);
  g_free (manifest->version);
  g_ptr_array_unref (manifest->builds);
  g_free (manifest);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
member_bool (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

/* An integer in [0, max]: JSON numbers arrive as gint64 or double. */
static gboolean
member_uint (JsonNode *node,
             guint64   max,
             guint64  *value)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    {
      gint64 v = json_node_get_int (node);

      if (v < 0 || (guint64) v > max)
        return FALSE;
      *value = (guint64) v;
      return TRUE;
    }
  if (type == G_TYPE_DOUBLE)
    {
      gdouble d = json_node_get_double (node);

      if (!isfinite (d) || d < 0 || d > (gdouble) max || d != floor (d))
        return FALSE;
      *value = (guint64) d;
      return TRUE;
    }
  return FALSE;
}

static EsplashManifestBuild *
read_build (JsonNode  *node,
            guint      index,
            GError   **error)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) part_free);
  EsplashManifestBuild *build;
  JsonObject *obj;
  JsonNode *parts_node;
  JsonArray *array;
  const char *family;
  guint64 mb = 0;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "builds[%u] is not an object", index);
      return NULL;
    }
  obj = json_node_get_object (node);
  family = member_string (obj, "chipFamily");
  if (family == NULL || *family == '\0')
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "builds[%u] has no \"chipFamily\" string (such as \"ESP32-S3\")", index);
      return NULL;
    }
  if (json_object_has_member (obj, "flashSizeMB") &&
      !member_uint (json_object_get_member (obj, "flashSizeMB"), 1024, &mb))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "builds[%u]: \"flashSizeMB\" is not a whole number of megabytes", index);
      return NULL;
    }
  parts_node = json_object_get_member (obj, "parts");
  if (parts_node == NULL || !JSON_NODE_HOLDS_ARRAY (parts_node))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "builds[%u] (%s) has no \"parts\" array", index, family);
      return NULL;
    }
  array = json_node_get_array (parts_node);
  if (json_array_get_length (array) == 0 ||
      json_array_get_length (array) > ESPLASH_MANIFEST_MAX_PARTS)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "builds[%u] (%s) has %u parts; 1 to %u are allowed", index, family,
                   json_array_get_length (array), ESPLASH_MANIFEST_MAX_PARTS);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *p = json_array_get_element (array, i);
      EsplashManifestPart *part;
      const char *path;
      guint64 offset;

      if (!JSON_NODE_HOLDS_OBJECT (p) ||
          (path = member_string (json_node_get_object (p), "path")) == NULL || *path == '\0')
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "builds[%u].parts[%u] has no \"path\" string", index, i);
          return NULL;
        }
      if (!member_uint (json_object_get_member (json_node_get_object (p), "offset"),
                        G_MAXUINT32, &offset))
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "builds[%u].parts[%u] (%s): \"offset\" must be a whole number "
                       "(decimal, e.g. 65536 for 0x10000) below 4 GiB", index, i, path);
          return NULL;
        }
      part = g_new0 (EsplashManifestPart, 1);
      part->path = g_strdup (path);
      part->offset = (guint32) offset;
      g_ptr_array_add (parts, part);
    }

  build = g_new0 (EsplashManifestBuild, 1);
  build->chip_family = g_strdup (family);
  build->flash_size_mb = (guint) mb;
  build->serial_type = g_strdup (member_string (obj, "serialType"));
  build->parts = g_steal_pointer (&parts);
  return build;
}

EsplashManifest *
esplash_manifest_parse (const char  *text,
                        gsize        len,
                        GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(EsplashManifest) manifest = NULL;
  JsonObject *obj;
  JsonNode *builds;
  JsonArray *array;

  root = esplash_json_load (text, len, error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "The top level is not a JSON object; this is not an ESP Web Tools "
                           "manifest");
      return NULL;
    }
  obj = json_node_get_object (root);
  builds = json_object_get_member (obj, "builds");
  if (builds == NULL || !JSON_NODE_HOLDS_ARRAY (builds))
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "There is no \"builds\" array; this is not an ESP Web Tools manifest");
      return NULL;
    }
  array = json_node_get_array (builds);
  if (json_array_get_length (array) == 0 ||
      json_array_get_length (array) > ESPLASH_MANIFEST_MAX_BUILDS)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "The manifest has %u builds; 1 to %u are allowed",
                   json_array_get_length (array), ESPLASH_MANIFEST_MAX_BUILDS);
      return NULL;
    }

  manifest = g_new0 (EsplashManifest, 1);
  manifest->builds = g_ptr_array_new_with_free_func ((GDestroyNotify) build_free);
  manifest->name = g_strdup (member_string (obj, "name"));
  manifest->version = g_strdup (member_string (obj, "version"));
  manifest->prompt_erase = member_bool (obj, "new_install_prompt_erase") ||
                           member_bool (obj, "new_install_skip_erase");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      EsplashManifestBuild *build = read_build (json_array_get_element (array, i), i, error);

      if (build == NULL)
        return NULL;
      g_ptr_array_add (manifest->builds, build);
    }
  return g_steal_pointer (&manifest);
}

char *
esplash_manifest_dup_families (const EsplashManifest *manifest)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < manifest->builds->len; i++)
    {
      const EsplashManifestBuild *b = g_ptr_array_index (manifest->builds, i);

      if (g_ptr_array_find_with_equal_func (seen, b->chip_family, g_str_equal, NULL))
        continue;
      g_ptr_array_add (seen, b->chip_family);
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append (s, b->chip_family);
    }
  return g_string_free (s, FALSE);
}

const EsplashManifestBuild *
esplash_manifest_pick_build (const EsplashManifest  *manifest,
                             const EsplashChipInfo  *chip,
                             guint32                 flash_size,
                             GError                **error)
{
  const EsplashManifestBuild *generic = NULL, *first_sized = NULL;

  g_return_val_if_fail (manifest != NULL && chip != NULL, NULL);

  for (guint i = 0; i < manifest->builds->len; i++)
    {
      const EsplashManifestBuild *b = g_ptr_array_index (manifest->builds, i);

      if (g_ascii_strcasecmp (b->chip_family, chip->name) != 0)
        continue;
      if (b->flash_size_mb == 0)
        {
          if (generic == NULL)
            generic = b;
        }
      else if (flash_size != 0 && (guint64) b->flash_size_mb * 1024 * 1024 == flash_size)
        return b;
      else if (first_sized == NULL)
        first_sized = b;
    }
  if (generic != NULL)
    return generic;
  /* flash size not known yet: the first sized build stands in; once
   * connected, a build for another size is not taken */
  if (first_sized != NULL && flash_size == 0)
    return first_sized;
  {
    g_autofree char *families = esplash_manifest_dup_families (manifest);

    g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED_CHIP,
                 "The manifest has no build for %s%s (it has builds for %s); pick the "
                 "manifest made for this chip", chip->name,
                 first_sized != NULL ? " with this flash size" : "", families);
  }
  return NULL;
}
