/* esplash-stub.c: flasher-stub images in esptool's JSON format (protocol.md §5.2).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "esplash-stub.h"
#include "esplash-error.h"

struct _EsplashStub {
  GObject  parent_instance;

  guint32  entry;
  GBytes  *text;
  guint32  text_start;
  GBytes  *data;        /* NULL when the stub has no data segment */
  guint32  data_start;
  guint32  bss_start;
  char    *path;
};

G_DEFINE_FINAL_TYPE (EsplashStub, esplash_stub, G_TYPE_OBJECT)

static void
esplash_stub_finalize (GObject *object)
{
  EsplashStub *self = ESPLASH_STUB (object);

  g_clear_pointer (&self->text, g_bytes_unref);
  g_clear_pointer (&self->data, g_bytes_unref);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (esplash_stub_parent_class)->finalize (object);
}

static void
esplash_stub_class_init (EsplashStubClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = esplash_stub_finalize;
}

static void
esplash_stub_init (EsplashStub *self)
{
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/';
}

/* g_base64_decode() skips characters it does not know, so a damaged file
 * would decode to plausible garbage: check the text strictly first. */
static gboolean
check_base64 (const char *text,
              gsize      *bad_offset)
{
  gsize len = strlen (text);
  gsize body = len;

  while (body > 0 && len - body < 2 && text[body - 1] == '=')
    body--;
  for (gsize i = 0; i < body; i++)
    if (!is_base64_char (text[i]))
      {
        *bad_offset = i;
        return FALSE;
      }
  if (len % 4 != 0)
    {
      *bad_offset = len;
      return FALSE;
    }
  return TRUE;
}

/* Reads integer member @name of @obj into @value; @present says whether it was there. */
static gboolean
get_u32 (JsonObject  *obj,
         const char  *name,
         const char  *source,
         gboolean     required,
         gboolean    *present,
         guint32     *value,
         GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  gint64 v;

  *present = node != NULL;
  if (node == NULL)
    {
      if (!required)
        return TRUE;
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Stub %s: field \"%s\" is missing", source, name);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Stub %s: field \"%s\" is not an integer", source, name);
      return FALSE;
    }
  v = json_node_get_int (node);
  if (v < 0 || v > G_MAXUINT32)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Stub %s: field \"%s\" = %" G_GINT64_FORMAT " is not a 32-bit address",
                   source, name, v);
      return FALSE;
    }
  *value = (guint32) v;
  return TRUE;
}

/* Decodes base64 member @name; NULL with @error unset when absent and optional. */
static GBytes *
get_segment (JsonObject  *obj,
             const char  *name,
             const char  *source,
             gboolean     required,
             GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  const char *text;
  guchar *bytes;
  gsize bad = 0, len = 0;

  if (node == NULL)
    {
      if (required)
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                     "Stub %s: field \"%s\" is missing", source, name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Stub %s: field \"%s\" is not a string", source, name);
      return NULL;
    }
  text = json_node_get_string (node);
  if (!check_base64 (text, &bad))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Stub %s: field \"%s\" is not valid base64 (at character %" G_GSIZE_FORMAT ")",
                   source, name, bad);
      return NULL;
    }
  bytes = g_base64_decode (text, &len);
  return g_bytes_new_take (bytes, len);
}

static EsplashStub *
stub_parse (GBytes      *json,
            const char  *source,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(EsplashStub) self = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean present, has_data_start;
  JsonNode *root;
  JsonObject *obj;
  gsize size = 0;
  const char *text = g_bytes_get_data (json, &size);

  if (!json_parser_load_from_data (parser, text != NULL ? text : "", size, &local_error))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Stub %s is not valid JSON: %s", source, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Stub %s is not valid JSON: the document is empty", source);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Stub %s: the JSON is not an object", source);
      return NULL;
    }
  obj = json_node_get_object (root);

  /* Unknown members (e.g. the NAND plugin of esp32s3.json) are ignored. */
  self = g_object_new (ESPLASH_TYPE_STUB, NULL);
  if (!get_u32 (obj, "entry", source, TRUE, &present, &self->entry, error) ||
      !get_u32 (obj, "text_start", source, TRUE, &present, &self->text_start, error) ||
      !get_u32 (obj, "data_start", source, FALSE, &has_data_start, &self->data_start, error) ||
      !get_u32 (obj, "bss_start", source, FALSE, &present, &self->bss_start, error))
    return NULL;

  self->text = get_segment (obj, "text", source, TRUE, error);
  if (self->text == NULL)
    return NULL;
  if (g_bytes_get_size (self->text) == 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Stub %s: field \"text\" is empty", source);
      return NULL;
    }

  self->data = get_segment (obj, "data", source, FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (self->data != NULL && !has_data_start)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Stub %s: field \"data\" is present but \"data_start\" is missing", source);
      return NULL;
    }
  /* An empty data segment needs no upload. */
  if (self->data != NULL && g_bytes_get_size (self->data) == 0)
    g_clear_pointer (&self->data, g_bytes_unref);

  return g_steal_pointer (&self);
}

/**
 * esplash_stub_new_from_bytes:
 * @json: the JSON text
 *
 * Returns: (transfer full) (nullable): the stub, or %NULL with
 *   %ESPLASH_ERROR_INVALID_IMAGE naming the offending field
 */
EsplashStub *
esplash_stub_new_from_bytes (GBytes  *json,
                             GError **error)
{
  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return stub_parse (json, "JSON", error);
}

/**
 * esplash_stub_new_from_file:
 * @path: a stub JSON file
 *
 * Returns: (transfer full) (nullable): the stub, or %NULL with
 *   %ESPLASH_ERROR_NOT_FOUND, %ESPLASH_ERROR_PERMISSION_DENIED or
 *   %ESPLASH_ERROR_INVALID_IMAGE
 */
EsplashStub *
esplash_stub_new_from_file (const char  *path,
                            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *source = NULL;
  EsplashStub *self;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      EsplashError code = ESPLASH_ERROR_FAILED;

      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        code = ESPLASH_ERROR_NOT_FOUND;
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES))
        code = ESPLASH_ERROR_PERMISSION_DENIED;
      g_set_error (error, ESPLASH_ERROR, code,
                   "Cannot read stub file: %s", local_error->message);
      return NULL;
    }

  json = g_bytes_new_take (g_steal_pointer (&contents), len);
  source = g_strdup_printf ("file %s", path);
  self = stub_parse (json, source, error);
  if (self != NULL)
    self->path = g_strdup (path);
  return self;
}

guint32
esplash_stub_get_entry (EsplashStub *self)
{
  g_return_val_if_fail (ESPLASH_IS_STUB (self), 0);
  return self->entry;
}

/**
 * esplash_stub_get_text:
 *
 * Returns: (transfer none): the code segment, never empty
 */
GBytes *
esplash_stub_get_text (EsplashStub *self)
{
  g_return_val_if_fail (ESPLASH_IS_STUB (self), NULL);
  return self->text;
}

guint32
esplash_stub_get_text_start (EsplashStub *self)
{
  g_return_val_if_fail (ESPLASH_IS_STUB (self), 0);
  return self->text_start;
}

/**
 * esplash_stub_get_data:
 *
 * Returns: (transfer none) (nullable): the data segment, %NULL if the stub has none
 */
GBytes *
esplash_stub_get_data (EsplashStub *self)
{
  g_return_val_if_fail (ESPLASH_IS_STUB (self), NULL);
  return self->data;
}

guint32
esplash_stub_get_data_start (EsplashStub *self)
{
  g_return_val_if_fail (ESPLASH_IS_STUB (self), 0);
  return self->data_start;
}

guint32
esplash_stub_get_bss_start (EsplashStub *self)
{
  g_return_val_if_fail (ESPLASH_IS_STUB (self), 0);
  return self->bss_start;
}

/**
 * esplash_stub_get_path:
 *
 * Returns: (nullable): the file the stub was loaded from
 */
const char *
esplash_stub_get_path (EsplashStub *self)
{
  g_return_val_if_fail (ESPLASH_IS_STUB (self), NULL);
  return self->path;
}

static void
add_dir (GPtrArray  *dirs,
         const char *dir)
{
  if (dir == NULL || *dir == '\0')
    return;
  for (guint i = 0; i < dirs->len; i++)
    if (g_str_equal (g_ptr_array_index (dirs, i), dir))
      return;
  g_ptr_array_add (dirs, g_strdup (dir));
}

/**
 * esplash_stub_dup_search_path:
 * @stub_dir: (nullable): a directory the user asked for
 *
 * Returns: (transfer full): the directories esplash_stub_find() searches, in
 *   order, without duplicates
 */
GStrv
esplash_stub_dup_search_path (const char *stub_dir)
{
  GPtrArray *dirs = g_ptr_array_new ();
  g_autofree char *user_dir = g_build_filename (g_get_user_data_dir (), "esplash", "stubs", NULL);

  add_dir (dirs, stub_dir);
  add_dir (dirs, g_getenv ("ESPLASH_STUB_DIR"));
  add_dir (dirs, ESPLASH_STUB_INSTALL_DIR);
  add_dir (dirs, user_dir);
  g_ptr_array_add (dirs, NULL);
  return (GStrv) g_ptr_array_free (dirs, FALSE);
}

/**
 * esplash_stub_find:
 * @chip: the chip
 * @revision: its revision (major × 100 + minor), which picks the ESP32-P4 stub
 * @stub_dir: (nullable): a directory to search first
 *
 * Loads the first stub file for @chip found along
 * esplash_stub_dup_search_path(). A file that exists but is broken is an
 * error; the search does not skip it.
 *
 * Returns: (transfer full) (nullable): the stub, or %NULL with
 *   %ESPLASH_ERROR_NOT_FOUND listing the places searched
 */
EsplashStub *
esplash_stub_find (const EsplashChipInfo *chip,
                   guint                  revision,
                   const char            *stub_dir,
                   GError               **error)
{
  g_auto(GStrv) dirs = NULL;
  g_autofree char *name = NULL;
  g_autofree char *searched = NULL;

  g_return_val_if_fail (chip != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = esplash_chip_stub_file_name (chip, revision);
  dirs = esplash_stub_dup_search_path (stub_dir);
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dirs[i], name, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return esplash_stub_new_from_file (path, error);
    }

  searched = g_strjoinv (", ", dirs);
  g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
               "No flasher stub %s for %s; searched %s. "
               "Run scripts/fetch-stubs.sh, or pass --stub-dir with a folder that holds it",
               name, chip->name, searched);
  return NULL;
}
