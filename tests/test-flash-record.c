/* test-flash-record.c: the record of every board (JSON Lines, CSV, appends
 * from several threads).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "esplash.h"

static void
fill_record (EsplashFlashRecord *record,
             const char         *port)
{
  g_autoptr(GBytes) data = g_bytes_new_static ("abc", 3);

  esplash_flash_record_init (record);
  record->time = g_date_time_new_utc (2026, 3, 4, 5, 6, 7);
  record->port = g_strdup (port);
  record->usb_serial = g_strdup ("A1B2");
  record->chip = g_strdup ("ESP32-S3");
  record->revision = 2;
  record->mac = g_strdup ("24:0a:c4:01:02:03");
  record->flash_id = 0x1640ef;
  record->flash_size = 8 * 1024 * 1024;
  esplash_flash_record_add_image (record, 0x10000, data, "app.bin");
  record->duration_s = 1.5;
  record->ok = TRUE;
}

static char *
temp_path (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("esplash-record-XXXXXX", &error);

  g_assert_no_error (error);
  return g_build_filename (dir, name, NULL);
}

static void
remove_temp (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_sha256 (void)
{
  EsplashFlashRecord record;
  const EsplashRecordImage *image;

  fill_record (&record, "/dev/ttyUSB0");
  g_assert_cmpuint (record.images->len, ==, 1);
  image = g_ptr_array_index (record.images, 0);
  g_assert_cmpuint (image->offset, ==, 0x10000);
  g_assert_cmpuint (image->size, ==, 3);
  g_assert_cmpstr (image->sha256, ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_cmpstr (image->name, ==, "app.bin");
  esplash_flash_record_clear (&record);
}

static void
test_format_for_path (void)
{
  g_assert_cmpint (esplash_record_format_for_path ("boards.csv"), ==, ESPLASH_RECORD_FORMAT_CSV);
  g_assert_cmpint (esplash_record_format_for_path ("B.CSV"), ==, ESPLASH_RECORD_FORMAT_CSV);
  g_assert_cmpint (esplash_record_format_for_path ("boards.jsonl"), ==,
                   ESPLASH_RECORD_FORMAT_JSON_LINES);
  g_assert_cmpint (esplash_record_format_for_path ("csv"), ==, ESPLASH_RECORD_FORMAT_JSON_LINES);
}

static void
test_json_line (void)
{
  EsplashFlashRecord record;
  g_autofree char *path = temp_path ("boards.jsonl");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) lines = NULL;
  JsonObject *o, *image;

  fill_record (&record, "/dev/ttyUSB0");
  g_assert_true (esplash_flash_record_append (&record, path, ESPLASH_RECORD_FORMAT_JSON_LINES,
                                              &error));
  g_assert_no_error (error);
  record.ok = FALSE;
  record.error = g_strdup ("No reply");
  record.diagnosis_id = g_strdup ("no-sync");
  g_assert_true (esplash_flash_record_append (&record, path, ESPLASH_RECORD_FORMAT_JSON_LINES,
                                              &error));
  esplash_flash_record_clear (&record);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[2], ==, "");

  g_assert_true (json_parser_load_from_data (parser, lines[0], -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "time"), ==, "2026-03-04T05:06:07Z");
  g_assert_cmpstr (json_object_get_string_member (o, "port"), ==, "/dev/ttyUSB0");
  g_assert_cmpstr (json_object_get_string_member (o, "usb_serial"), ==, "A1B2");
  g_assert_cmpstr (json_object_get_string_member (o, "chip"), ==, "ESP32-S3");
  g_assert_cmpint (json_object_get_int_member (o, "revision"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "mac"), ==, "24:0a:c4:01:02:03");
  g_assert_cmpstr (json_object_get_string_member (o, "flash_id"), ==, "0x1640ef");
  g_assert_cmpint (json_object_get_int_member (o, "flash_size"), ==, 8 * 1024 * 1024);
  g_assert_cmpfloat (json_object_get_double_member (o, "duration_s"), ==, 1.5);
  g_assert_true (json_object_get_boolean_member (o, "ok"));
  g_assert_true (json_object_get_null_member (o, "error"));
  g_assert_true (json_object_get_null_member (o, "diagnosis_id"));
  image = json_array_get_object_element (json_object_get_array_member (o, "images"), 0);
  g_assert_cmpint (json_object_get_int_member (image, "offset"), ==, 0x10000);
  g_assert_cmpint (json_object_get_int_member (image, "size"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (image, "sha256"), ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_cmpstr (json_object_get_string_member (image, "name"), ==, "app.bin");

  g_assert_true (json_parser_load_from_data (parser, lines[1], -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_false (json_object_get_boolean_member (o, "ok"));
  g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, "No reply");
  g_assert_cmpstr (json_object_get_string_member (o, "diagnosis_id"), ==, "no-sync");
  remove_temp (path);
}

static void
test_csv (void)
{
  EsplashFlashRecord record;
  g_autofree char *path = temp_path ("boards.csv");
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) more = g_bytes_new_static ("", 0);

  fill_record (&record, "socket://a,\"b\":1");
  esplash_flash_record_add_image (&record, 0x8000, more, NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (esplash_flash_record_append (&record, path, ESPLASH_RECORD_FORMAT_CSV,
                                                  &error));
      g_assert_no_error (error);
    }
  esplash_flash_record_clear (&record);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  expected = g_strdup_printf (
    "%s\r\n"
    "2026-03-04T05:06:07Z,\"socket://a,\"\"b\"\":1\",A1B2,ESP32-S3,2,24:0a:c4:01:02:03,0x1640ef,"
    "8388608,0x10000:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad;"
    "0x8000:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,1.500,true,,\r\n",
    esplash_flash_record_csv_header ());
  g_assert_true (g_str_has_prefix (contents, expected));
  g_assert_cmpstr (contents + strlen (expected), ==, strchr (expected, '\n') + 1);
  g_assert_true (g_str_has_prefix (contents, "time,port,usb_serial,chip,"));
  remove_temp (path);
}

#define N_PER_THREAD 200

static gpointer
append_thread (gpointer data)
{
  const char *path = data;

  for (guint i = 0; i < N_PER_THREAD; i++)
    {
      EsplashFlashRecord record;
      g_autoptr(GError) error = NULL;
      g_autofree char *port = g_strdup_printf ("/dev/ttyUSB%u-%p", i, (void *) g_thread_self ());

      fill_record (&record, port);
      g_assert_true (esplash_flash_record_append (&record, path,
                                                  esplash_record_format_for_path (path), &error));
      g_assert_no_error (error);
      esplash_flash_record_clear (&record);
    }
  return NULL;
}

static void
check_concurrent (const char *name)
{
  g_autofree char *path = temp_path (name);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean csv = esplash_record_format_for_path (path) == ESPLASH_RECORD_FORMAT_CSV;
  GThread *a, *b;
  guint n;

  a = g_thread_new ("append-a", append_thread, path);
  b = g_thread_new ("append-b", append_thread, path);
  g_thread_join (a);
  g_thread_join (b);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, csv ? "\r\n" : "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpstr (lines[n - 1], ==, "");
  g_assert_cmpuint (n - 1, ==, 2 * N_PER_THREAD + (csv ? 1 : 0));
  for (guint i = 0; i + 1 < n; i++)
    {
      if (csv)
        {
          g_assert_true (i == 0 ? g_str_has_prefix (lines[i], "time,")
                                : g_str_has_prefix (lines[i], "2026-03-04T05:06:07Z,/dev/"));
          g_assert_true (i == 0 || g_str_has_suffix (lines[i], ",true,,"));
        }
      else
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(GError) error = NULL;

          g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
          g_assert_no_error (error);
        }
    }
  remove_temp (path);
}

static void
test_concurrent_json (void)
{
  check_concurrent ("boards.jsonl");
}

static void
test_concurrent_csv (void)
{
  check_concurrent ("boards.csv");
}

static void
test_unwritable (void)
{
  EsplashFlashRecord record;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = temp_path ("");
  g_autofree char *missing = g_build_filename (dir, "no-such-folder", "boards.jsonl", NULL);

  fill_record (&record, "/dev/ttyUSB0");
  g_assert_false (esplash_flash_record_append (&record, missing, ESPLASH_RECORD_FORMAT_JSON_LINES,
                                               &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_nonnull (strstr (error->message, "choose a file"));
  g_clear_error (&error);
  g_assert_false (esplash_flash_record_check_path (missing, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* a folder is not a file */
  g_assert_false (esplash_flash_record_append (&record, dir, ESPLASH_RECORD_FORMAT_CSV, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "Cannot append the record to"));
  g_clear_error (&error);

  /* no write permission (root may write anyway) */
  if (geteuid () != 0)
    {
      g_autofree char *ro = g_build_filename (dir, "read-only.jsonl", NULL);

      g_assert_true (g_file_set_contents (ro, "", 0, NULL));
      g_chmod (ro, 0444);
      g_assert_false (esplash_flash_record_append (&record, ro, ESPLASH_RECORD_FORMAT_JSON_LINES,
                                                   &error));
      g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PERMISSION_DENIED);
      g_assert_nonnull (strstr (error->message, "choose a file you can write"));
      g_clear_error (&error);
      g_unlink (ro);
    }
  esplash_flash_record_clear (&record);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esplash/flash-record/sha256", test_sha256);
  g_test_add_func ("/esplash/flash-record/format-for-path", test_format_for_path);
  g_test_add_func ("/esplash/flash-record/json-line", test_json_line);
  g_test_add_func ("/esplash/flash-record/csv", test_csv);
  g_test_add_func ("/esplash/flash-record/concurrent/json", test_concurrent_json);
  g_test_add_func ("/esplash/flash-record/concurrent/csv", test_concurrent_csv);
  g_test_add_func ("/esplash/flash-record/unwritable", test_unwritable);
  return g_test_run ();
}
