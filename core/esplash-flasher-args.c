/* esplash-flasher-args.c: ESP-IDF's flasher_args.json and flash_project_args.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "esplash-flasher-args.h"
#include "esplash-bundle-private.h"
#include "esplash-error.h"

static void
file_free (EsplashFlasherArgsFile *file)
{
  g_free (file->path);
  g_free (file->part);
  g_free (file);
}

void
esplash_flasher_args_free (EsplashFlasherArgs *args)
{
  if (args == NULL)
    return;
  g_free (args->flash_mode);
  g_free (args->flash_freq);
  g_free (args->flash_size);
  g_free (args->chip);
  g_ptr_array_unref (args->files);
  g_free (args);
}

static EsplashFlasherArgs *
args_new (void)
{
  EsplashFlasherArgs *args = g_new0 (EsplashFlasherArgs, 1);

  args->files = g_ptr_array_new_with_free_func ((GDestroyNotify) file_free);
  return args;
}

gboolean
esplash_parse_offset (const char *text,
                      guint32    *offset)
{
  guint64 value;
  const char *digits;
  guint base = 10;

  if (text == NULL || *text == '\0')
    return FALSE;
  digits = text;
  if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    {
      digits = text + 2;
      base = 16;
    }
  /* g_ascii_string_to_unsigned accepts no sign, no spaces, no junk */
  if (*digits == '\0' || *digits == '+' || *digits == '-' ||
      !g_ascii_string_to_unsigned (digits, base, 0, G_MAXUINT32, &value, NULL))
    return FALSE;
  *offset = (guint32) value;
  return TRUE;
}

/* json-glib's parser recurses per nesting level; refuse deep nesting
 * before handing it hostile input. */
#define MAX_JSON_DEPTH  32

static gboolean
json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Past white space and comments, which json-glib skips as white space:
 * its scanner (1.6) takes any '/' up to the next '/' as a comment
 * (cpair_comment_single "//\n" makes '/' both the start and the end), so
 * that {/"/} is an empty object and a C comment is one only by luck. */
static gsize
skip_space (const char *text,
            gsize       len,
            gsize       i)
{
  while (i < len)
    {
      if (json_space (text[i]))
        i++;
      else if (text[i] == '/')
        {
          const char *close = memchr (text + i + 1, '/', len - i - 1);

          i = close != NULL ? (gsize) (close - text) + 1 : len;
        }
      else
        break;
    }
  return i;
}

/* Past a string starting at text[i]: "…" with backslash escapes, or '…'
 * (json-glib accepts both). */
static gsize
skip_string (const char *text,
             gsize       len,
             gsize       i)
{
  char quote = text[i];

  for (i++; i < len; i++)
    {
      if (quote == '"' && text[i] == '\\')
        i++;
      else if (text[i] == quote)
        return i + 1;
    }
  return len;
}

/* Where the first top-level JSON value ends, by json-glib's lexical rules
 * (strings, comments, nesting), without parsing it; len when it never
 * does. A broken value ends where the scan can tell, so that json-glib
 * reports the syntax error. Deep nesting is refused here. */
static gboolean
json_first_value_end (const char  *text,
                      gsize        len,
                      gsize       *end,
                      GError     **error)
{
  gsize i = 0;
  guint depth = 0;

  if (len >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    i = 3;   /* a UTF-8 byte order mark */
  *end = len;
  while ((i = skip_space (text, len, i)) < len)
    {
      char c = text[i];

      if (c == '"' || c == '\'')
        {
          i = skip_string (text, len, i);
          if (depth == 0)
            break;
        }
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_JSON_DEPTH)
            {
              g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "Invalid JSON: nested more than %u levels deep (byte %zu)",
                           MAX_JSON_DEPTH, i);
              return FALSE;
            }
          i++;
        }
      else if (c == '}' || c == ']')
        {
          i++;
          if (depth <= 1)
            break;   /* the value closed (or a stray bracket: json-glib says so) */
          depth--;
        }
      else if (depth > 0)
        i++;
      else
        {
          /* A number or a literal at the top level ends before white
           * space, a comment or punctuation; punctuation alone is kept
           * for json-glib to refuse. */
          gsize start = i;

          while (i < len && !json_space (text[i]) && strchr ("{}[],:\"'/", text[i]) == NULL)
            i++;
          if (i == start)
            i++;
          break;
        }
    }
  *end = MIN (i, len);
  return TRUE;
}

/* Line and column (from 1) of byte @pos, as json-glib counts them. */
static void
json_position (const char *text,
               gsize       pos,
               guint      *line,
               guint      *column)
{
  *line = 1;
  *column = 1;
  for (gsize i = 0; i < pos; i++)
    {
      if (text[i] == '\n')
        {
          (*line)++;
          *column = 1;
        }
      else
        (*column)++;
    }
}

/**
 * esplash_json_load:
 *
 * Parses one JSON value. Only the first top-level value goes to json-glib:
 * anything but white space after it is refused (json-glib 1.6 would take
 * the first value, leak the others, and the file would pass as valid).
 */
JsonNode *
esplash_json_load (const char  *text,
                   gsize        len,
                   GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize value_end, rest;

  if (len == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "The file is empty, not JSON");
      return NULL;
    }
  if (len > ESPLASH_JSON_MAX_LEN)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "The file is %zu bytes long, too large for a build description", len);
      return NULL;
    }
  if (!json_first_value_end (text, len, &value_end, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, (gssize) value_end, &local_error))
    {
      const char *msg = local_error->message;
      guint line = 0, column = 0;
      int used = 0;

      /* json-glib says "<data>:LINE:COLUMN: Parse error: …" */
      if (g_str_has_prefix (msg, "<data>:") &&
          sscanf (msg + 7, "%u:%u: %n", &line, &column, &used) == 2 && used > 0)
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                     "Invalid JSON at line %u, column %u: %s", line, column, msg + 7 + used);
      else
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                     "Invalid JSON: %s", msg);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "Invalid JSON: the file holds no value");
      return NULL;
    }
  rest = skip_space (text, len, value_end);
  if (rest < len)
    {
      guint line, column;

      json_position (text, rest, &line, &column);
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "The file has more after its JSON value at line %u, column %u: a file must "
                   "hold one JSON object; was it concatenated or partly overwritten?",
                   line, column);
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

static gboolean
add_file (EsplashFlasherArgs  *args,
          guint32              offset,
          const char          *path,
          const char          *where,
          GError             **error)
{
  EsplashFlasherArgsFile *file;

  if (path == NULL || *path == '\0' || strlen (path) > 4096)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "%s: the file name for offset 0x%X is empty or too long", where, offset);
      return FALSE;
    }
  if (args->files->len >= ESPLASH_FLASHER_ARGS_MAX_FILES)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "%s: more than %u files to flash; that is not an ESP-IDF build", where,
                   ESPLASH_FLASHER_ARGS_MAX_FILES);
      return FALSE;
    }
  for (guint i = 0; i < args->files->len; i++)
    {
      const EsplashFlasherArgsFile *other = g_ptr_array_index (args->files, i);

      if (other->offset == offset)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "%s: offset 0x%X is given twice (%s and %s)", where, offset,
                       other->path, path);
          return FALSE;
        }
    }
  file = g_new0 (EsplashFlasherArgsFile, 1);
  file->offset = offset;
  file->path = g_strdup (path);
  g_ptr_array_add (args->files, file);
  return TRUE;
}

/* Sets a flash setting from an option name in either spelling. */
static gboolean
take_option (EsplashFlasherArgs *args,
             const char         *name,
             const char         *value)
{
  char **slot = NULL;

  if (g_str_equal (name, "--flash_mode") || g_str_equal (name, "--flash-mode") ||
      g_str_equal (name, "-fm"))
    slot = &args->flash_mode;
  else if (g_str_equal (name, "--flash_freq") || g_str_equal (name, "--flash-freq") ||
           g_str_equal (name, "-ff"))
    slot = &args->flash_freq;
  else if (g_str_equal (name, "--flash_size") || g_str_equal (name, "--flash-size") ||
           g_str_equal (name, "-fs"))
    slot = &args->flash_size;
  if (slot == NULL)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
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

static void
read_settings (EsplashFlasherArgs *args,
               JsonObject         *root)
{
  JsonNode *node = json_object_get_member (root, "flash_settings");
  JsonNode *extra = json_object_get_member (root, "extra_esptool_args");

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *s = json_node_get_object (node);

      args->flash_mode = g_strdup (member_string (s, "flash_mode"));
      args->flash_freq = g_strdup (member_string (s, "flash_freq"));
      args->flash_size = g_strdup (member_string (s, "flash_size"));
    }
  node = json_object_get_member (root, "write_flash_args");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      guint n = json_array_get_length (a);

      for (guint i = 0; i + 1 < n; i++)
        {
          JsonNode *k = json_array_get_element (a, i), *v = json_array_get_element (a, i + 1);
          EsplashFlasherArgs probe = { 0 };

          if (!JSON_NODE_HOLDS_VALUE (k) || json_node_get_value_type (k) != G_TYPE_STRING ||
              !JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING)
            continue;
          /* flash_settings wins where both are present */
          if (!take_option (&probe, json_node_get_string (k), json_node_get_string (v)))
            continue;
          if (args->flash_mode == NULL && probe.flash_mode != NULL)
            args->flash_mode = g_steal_pointer (&probe.flash_mode);
          if (args->flash_freq == NULL && probe.flash_freq != NULL)
            args->flash_freq = g_steal_pointer (&probe.flash_freq);
          if (args->flash_size == NULL && probe.flash_size != NULL)
            args->flash_size = g_steal_pointer (&probe.flash_size);
          g_free (probe.flash_mode);
          g_free (probe.flash_freq);
          g_free (probe.flash_size);
          i++;
        }
    }
  if (extra != NULL && JSON_NODE_HOLDS_OBJECT (extra))
    args->chip = g_strdup (member_string (json_node_get_object (extra), "chip"));
}

/* Per-part objects ({"offset": "0x1000", "file": …, "encrypted": "true"})
 * name the flash_files entries. */
static void
read_part_names (EsplashFlasherArgs *args,
                 JsonObject         *root)
{
  g_autoptr(GList) members = json_object_get_members (root);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (root, l->data);
      JsonObject *part;
      const char *offset_text, *file, *encrypted;
      guint32 offset;

      if (!JSON_NODE_HOLDS_OBJECT (node) || g_str_equal (l->data, "flash_files") ||
          g_str_equal (l->data, "flash_settings") || g_str_equal (l->data, "extra_esptool_args"))
        continue;
      part = json_node_get_object (node);
      offset_text = member_string (part, "offset");
      file = member_string (part, "file");
      encrypted = member_string (part, "encrypted");
      if (offset_text == NULL || file == NULL || !esplash_parse_offset (offset_text, &offset))
        continue;
      for (guint i = 0; i < args->files->len; i++)
        {
          EsplashFlasherArgsFile *f = g_ptr_array_index (args->files, i);

          if (f->offset == offset && g_str_equal (f->path, file) && f->part == NULL)
            {
              f->part = g_strdup (l->data);
              f->encrypted = g_strcmp0 (encrypted, "true") == 0;
            }
        }
    }
}

EsplashFlasherArgs *
esplash_flasher_args_parse_json (const char  *text,
                                 gsize        len,
                                 GError     **error)
{
  g_autoptr(EsplashFlasherArgs) args = args_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *obj, *files;
  JsonNode *node;

  root = esplash_json_load (text, len, error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "The top level is not a JSON object; this is not an ESP-IDF "
                           "flasher_args.json");
      return NULL;
    }
  obj = json_node_get_object (root);
  node = json_object_get_member (obj, "flash_files");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "There is no \"flash_files\" object; this is not an ESP-IDF "
                           "flasher_args.json (rebuild with idf.py build)");
      return NULL;
    }
  files = json_node_get_object (node);
  members = json_object_get_members (files);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (files, key);
      guint32 offset;

      if (!esplash_parse_offset (key, &offset))
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "\"flash_files\": “%s” is not a flash offset (expected a hex string "
                       "such as \"0x10000\")", key);
          return NULL;
        }
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "\"flash_files\": the value for “%s” is not a file name string", key);
          return NULL;
        }
      if (!add_file (args, offset, json_node_get_string (value), "\"flash_files\"", error))
        return NULL;
    }
  if (args->files->len == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "\"flash_files\" is empty: the build lists nothing to flash");
      return NULL;
    }
  read_settings (args, obj);
  read_part_names (args, obj);
  return g_steal_pointer (&args);
}

EsplashFlasherArgs *
esplash_flasher_args_parse_text (const char  *text,
                                 gsize        len,
                                 GError     **error)
{
  g_autoptr(EsplashFlasherArgs) args = args_new ();
  g_autofree char *copy = NULL;
  g_auto(GStrv) lines = NULL;

  if (len == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "The file is empty: nothing to flash");
      return NULL;
    }
  if (len > ESPLASH_JSON_MAX_LEN)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "The file is %zu bytes long, too large for a list of files to flash", len);
      return NULL;
    }
  if (memchr (text, '\0', len) != NULL || !g_utf8_validate (text, (gssize) len, NULL))
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "The file is not text (it holds NUL bytes or invalid UTF-8); "
                           "an ESP-IDF flash_project_args file is plain text");
      return NULL;
    }
  copy = g_strndup (text, len);
  lines = g_strsplit (copy, "\n", -1);
  for (guint n = 0; lines[n] != NULL; n++)
    {
      g_auto(GStrv) tokens = g_strsplit_set (g_strstrip (lines[n]), " \t", -1);
      g_autoptr(GPtrArray) words = g_ptr_array_new ();
      g_autofree char *where = g_strdup_printf ("line %u", n + 1);

      for (guint t = 0; tokens[t] != NULL; t++)
        if (*tokens[t] != '\0')
          g_ptr_array_add (words, tokens[t]);
      for (guint w = 0; w < words->len; w++)
        {
          const char *word = g_ptr_array_index (words, w);
          guint32 offset;

          if (word[0] == '-')
            {
              const char *value = w + 1 < words->len ? g_ptr_array_index (words, w + 1) : NULL;

              /* options esptool takes without a value (--encrypt …) are skipped */
              if (value != NULL && value[0] != '-' && take_option (args, word, value))
                w++;
              continue;
            }
          if (!esplash_parse_offset (word, &offset))
            {
              g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "line %u: “%s” is not a flash offset; each line must be "
                           "\"<offset> <file>\" or options such as --flash_mode dio",
                           n + 1, word);
              return NULL;
            }
          if (w + 1 >= words->len)
            {
              g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "line %u: offset %s has no file after it", n + 1, word);
              return NULL;
            }
          if (!add_file (args, offset, g_ptr_array_index (words, w + 1), where, error))
            return NULL;
          w++;
        }
    }
  if (args->files->len == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "The file lists no \"<offset> <file>\" pairs: nothing to flash");
      return NULL;
    }
  return g_steal_pointer (&args);
}
