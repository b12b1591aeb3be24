/* test-stub.c: flasher-stub JSON loading and lookup.
 *
 * The expected values of the shared stub files were computed with Python's
 * json and base64 modules (lengths and MD5 of the decoded segments).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "esplash.h"

typedef struct {
  const char *file;
  guint32 entry, text_start;
  gsize text_len;
  const char *text_md5;
  guint32 data_start;
  gsize data_len;
  const char *data_md5;
  guint32 bss_start;
} StubFacts;

static const StubFacts facts[] = {
  { "esp32.json", 1074434092u, 1074429952u, 6456, "d495f63a306a3f0e012700cc1c031cb6", 1073605996u, 212, "5db21ce4a452000bffbd831714e0468a", 1073528832u },
  { "esp32c2.json", 1077415824u, 1077411840u, 5816, "704f8274a22b97485e44613d402f96b4", 1070296428u, 204, "0f859099c59f0e219e55b792d6c87cdf", 1070219264u },
  { "esp32c3.json", 1077415578u, 1077411840u, 5880, "4659109a8a116702c5beb0cc5f595fcc", 1070165352u, 204, "3abe7b1cef33190b5955eade8a96e321", 1070088192u },
  { "esp32c5.json", 1082136018u, 1082130432u, 8028, "eb60a2577dba64a55f310073cbf7acdd", 1082470156u, 216, "c951711f88cc5437d5d6c8d5e503081d", 1082392576u },
  { "esp32c6.json", 1082134972u, 1082130432u, 6900, "cd872b2c628598d3bece267b59e87a98", 1082470156u, 216, "d7ec10312c56edf2563e590ee0e43c0b", 1082392576u },
  { "esp32c61.json", 1082134832u, 1082130432u, 6552, "4dd8b300d144b6e424b9bd7e07b37a25", 1082223976u, 204, "20afaf5d2d964b6a1959c1679c28ee6a", 1082146816u },
  { "esp32h2.json", 1082134162u, 1082130432u, 5864, "529dcaa46e4c8e3837e0cf239562e1cd", 1082404200u, 204, "491c43cde2af50f91eb79ee4442ea461", 1082327040u },
  { "esp32h4.json", 1082199698u, 1082195968u, 5884, "296e135e2cad3e01b8168d6f040357cc", 1082404200u, 204, "1f3384fbb55eb2f37a9db7567dc18515", 1082327040u },
  { "esp32p4-rev1.json", 1341199446u, 1341194240u, 8176, "38615d7fba8c30dc915dd2a92aab5be9", 1341533624u, 204, "bc15d96ae9db8de7bdf79accfdcc3bf6", 1341456384u },
  { "esp32p4.json", 1341461590u, 1341456384u, 8176, "b066962600f24d29880b8205585aa6d6", 1341599160u, 204, "cdd98a951bed612c5b3a7282d4a7cb1a", 1341521920u },
  { "esp32s2.json", 1073909924u, 1073905664u, 6600, "36eda39e870e5733b574dfac65eee213", 1073622464u, 212, "3e7046bcfd59ffe5af2409be2daabbf5", 1073545216u },
  { "esp32s3.json", 1077384484u, 1077379072u, 7832, "0fadd9942152ec4df1c075c2d00fe8d8", 1070280128u, 264, "82df6def60e66857a9d23150f51091d8", 1070202880u },
  { "esp32s31.json", 788537886u, 788533248u, 7144, "1b90331ad139f15fdbb0baa57c174438", 788647352u, 204, "7d72143a5c4c88d1585257c4d153545f", 788570112u },
  { "esp8266.json", 1074840836u, 1074840832u, 11456, "2f1cdc61b44cf29e0e68db789ecfe533", 1073720940u, 920, "6b30b362256f3faad3d50533225fe0c1", 1073643776u },
};

static char *
shared_stub_dir (void)
{
  const char *shared = g_getenv ("ESPLASH_SHARED_DIR");

  if (shared == NULL)
    return NULL;
  return g_build_filename (shared, "testdata", "stubs", NULL);
}

static void
assert_md5 (GBytes     *bytes,
            const char *want)
{
  g_autofree char *md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, bytes);

  g_assert_cmpstr (md5, ==, want);
}

static void
test_shared_files (void)
{
  g_autofree char *dir = shared_stub_dir ();
  g_autoptr(GDir) d = NULL;
  g_autoptr(GError) error = NULL;
  guint n_files = 0;
  const char *name;

  if (dir == NULL)
    {
      g_test_skip ("ESPLASH_SHARED_DIR is not set");
      return;
    }
  d = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(EsplashStub) stub = NULL;
      const StubFacts *f = NULL;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      for (guint i = 0; i < G_N_ELEMENTS (facts); i++)
        if (g_str_equal (facts[i].file, name))
          f = &facts[i];
      g_test_message ("%s", name);
      g_assert_nonnull (f);   /* a new file: add its facts above */

      path = g_build_filename (dir, name, NULL);
      stub = esplash_stub_new_from_file (path, &error);
      g_assert_no_error (error);
      g_assert_nonnull (stub);
      g_assert_cmpstr (esplash_stub_get_path (stub), ==, path);
      g_assert_cmpuint (esplash_stub_get_entry (stub), ==, f->entry);
      g_assert_cmpuint (esplash_stub_get_text_start (stub), ==, f->text_start);
      g_assert_cmpuint (g_bytes_get_size (esplash_stub_get_text (stub)), ==, f->text_len);
      assert_md5 (esplash_stub_get_text (stub), f->text_md5);
      g_assert_cmpuint (esplash_stub_get_data_start (stub), ==, f->data_start);
      g_assert_nonnull (esplash_stub_get_data (stub));
      g_assert_cmpuint (g_bytes_get_size (esplash_stub_get_data (stub)), ==, f->data_len);
      assert_md5 (esplash_stub_get_data (stub), f->data_md5);
      g_assert_cmpuint (esplash_stub_get_bss_start (stub), ==, f->bss_start);
      n_files++;
    }
  g_assert_cmpuint (n_files, ==, G_N_ELEMENTS (facts));
}

static EsplashStub *
parse (const char  *json,
       GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

  return esplash_stub_new_from_bytes (bytes, error);
}

static void
test_minimal (void)
{
  /* "AAEC" = 00 01 02; no data, no bss; unknown members ignored */
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashStub) stub =
    parse ("{\"entry\": 1074266112, \"text\": \"AAEC\", \"text_start\": 1074266112,"
           " \"plugins\": {\"nand\": {\"text\": 5}}, \"version\": \"x\"}", &error);
  const guint8 want[] = { 0x00, 0x01, 0x02 };

  g_assert_no_error (error);
  g_assert_cmpuint (esplash_stub_get_entry (stub), ==, 0x40080000);
  g_assert_cmpmem (g_bytes_get_data (esplash_stub_get_text (stub), NULL),
                   g_bytes_get_size (esplash_stub_get_text (stub)), want, sizeof want);
  g_assert_null (esplash_stub_get_data (stub));
  g_assert_cmpuint (esplash_stub_get_bss_start (stub), ==, 0);
  g_assert_null (esplash_stub_get_path (stub));
}

static void
test_padding (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashStub) one = parse ("{\"entry\": 1, \"text\": \"AA==\", \"text_start\": 2,"
                                      " \"data\": \"AAE=\", \"data_start\": 3}", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (esplash_stub_get_text (one)), ==, 1);
  g_assert_cmpuint (g_bytes_get_size (esplash_stub_get_data (one)), ==, 2);
  g_assert_cmpuint (esplash_stub_get_data_start (one), ==, 3);
}

static void
test_malformed (void)
{
  static const struct { const char *json; const char *message; } cases[] = {
    { "{\"entry\": 1, \"text\": \"AAEC\"", "Stub JSON is not valid JSON: " },
    { "", "Stub JSON is not valid JSON: " },
    { "[1, 2]", "Stub JSON: the JSON is not an object" },
    { "{\"text\": \"AAEC\", \"text_start\": 2}", "Stub JSON: field \"entry\" is missing" },
    { "{\"entry\": 1, \"text_start\": 2}", "Stub JSON: field \"text\" is missing" },
    { "{\"entry\": 1, \"text\": \"AAEC\"}", "Stub JSON: field \"text_start\" is missing" },
    { "{\"entry\": \"1\", \"text\": \"AAEC\", \"text_start\": 2}", "Stub JSON: field \"entry\" is not an integer" },
    { "{\"entry\": 1.5, \"text\": \"AAEC\", \"text_start\": 2}", "Stub JSON: field \"entry\" is not an integer" },
    { "{\"entry\": null, \"text\": \"AAEC\", \"text_start\": 2}", "Stub JSON: field \"entry\" is not an integer" },
    { "{\"entry\": -4, \"text\": \"AAEC\", \"text_start\": 2}", "Stub JSON: field \"entry\" = -4 is not a 32-bit address" },
    { "{\"entry\": 4294967296, \"text\": \"AAEC\", \"text_start\": 2}", "Stub JSON: field \"entry\" = 4294967296 is not a 32-bit address" },
    { "{\"entry\": 1, \"text\": 12, \"text_start\": 2}", "Stub JSON: field \"text\" is not a string" },
    { "{\"entry\": 1, \"text\": [\"AAEC\"], \"text_start\": 2}", "Stub JSON: field \"text\" is not a string" },
    { "{\"entry\": 1, \"text\": \"AA*C\", \"text_start\": 2}", "Stub JSON: field \"text\" is not valid base64 (at character 2)" },
    { "{\"entry\": 1, \"text\": \"AAE\", \"text_start\": 2}", "Stub JSON: field \"text\" is not valid base64 (at character 3)" },
    { "{\"entry\": 1, \"text\": \"A===\", \"text_start\": 2}", "Stub JSON: field \"text\" is not valid base64 (at character 1)" },
    { "{\"entry\": 1, \"text\": \"AA==AAEC\", \"text_start\": 2}", "Stub JSON: field \"text\" is not valid base64 (at character 2)" },
    { "{\"entry\": 1, \"text\": \"\", \"text_start\": 2}", "Stub JSON: field \"text\" is empty" },
    { "{\"entry\": 1, \"text\": \"AAEC\", \"text_start\": 2, \"data\": \"AAEC\"}", "Stub JSON: field \"data\" is present but \"data_start\" is missing" },
    { "{\"entry\": 1, \"text\": \"AAEC\", \"text_start\": 2, \"data\": \"A\", \"data_start\": 3}", "Stub JSON: field \"data\" is not valid base64 (at character 1)" },
    { "{\"entry\": 1, \"text\": \"AAEC\", \"text_start\": 2, \"bss_start\": \"x\"}", "Stub JSON: field \"bss_start\" is not an integer" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EsplashStub) stub = parse (cases[i].json, &error);

      g_test_message ("%s", cases[i].json);
      g_assert_null (stub);
      g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
      if (!g_str_has_prefix (error->message, cases[i].message))
        g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_file_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("esplash-stub-XXXXXX", &error);
  g_autofree char *bad = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *want = NULL;
  EsplashStub *stub;

  g_assert_no_error (error);
  bad = g_build_filename (tmp, "esp32.json", NULL);
  missing = g_build_filename (tmp, "nope.json", NULL);

  stub = esplash_stub_new_from_file (missing, &error);
  g_assert_null (stub);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  /* the message names the file and the field */
  g_assert_true (g_file_set_contents (bad, "{\"entry\": 1, \"text\": 5, \"text_start\": 0}", -1, NULL));
  stub = esplash_stub_new_from_file (bad, &error);
  g_assert_null (stub);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  want = g_strdup_printf ("Stub file %s: field \"text\" is not a string", bad);
  g_assert_cmpstr (error->message, ==, want);

  g_assert_cmpint (g_remove (bad), ==, 0);
  g_assert_cmpint (g_rmdir (tmp), ==, 0);
}

/* Writes a minimal stub whose entry marks where it came from. */
static void
write_stub (const char *dir,
            const char *name,
            guint       marker)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *json = g_strdup_printf ("{\"entry\": %u, \"text\": \"AAEC\", \"text_start\": 0}", marker);

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
}

static void
remove_stub (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_remove (path), ==, 0);
}

static guint
found_marker (const EsplashChipInfo *chip,
              guint                  revision,
              const char            *stub_dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashStub) stub = esplash_stub_find (chip, revision, stub_dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (stub);
  return esplash_stub_get_entry (stub);
}

static void
test_search_order (void)
{
  const EsplashChipInfo *s3 = esplash_chip_get (ESPLASH_CHIP_ESP32S3);
  const EsplashChipInfo *p4 = esplash_chip_get (ESPLASH_CHIP_ESP32P4);
  g_autofree char *arg_dir = g_dir_make_tmp ("esplash-arg-XXXXXX", NULL);
  g_autofree char *env_dir = g_dir_make_tmp ("esplash-env-XXXXXX", NULL);
  /* G_TEST_OPTION_ISOLATE_DIRS gives each test its own user data dir */
  g_autofree char *user_dir = g_build_filename (g_get_user_data_dir (), "esplash", "stubs", NULL);
  g_autofree char *installed = g_build_filename (ESPLASH_STUB_INSTALL_DIR, "esp32s3.json", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) path = NULL;
  EsplashStub *stub;

  g_assert_nonnull (arg_dir);
  g_assert_nonnull (env_dir);
  g_assert_cmpint (g_mkdir_with_parents (user_dir, 0700), ==, 0);
  g_setenv ("ESPLASH_STUB_DIR", env_dir, TRUE);

  path = esplash_stub_dup_search_path (arg_dir);
  g_assert_cmpuint (g_strv_length (path), ==, 4);
  g_assert_cmpstr (path[0], ==, arg_dir);
  g_assert_cmpstr (path[1], ==, env_dir);
  g_assert_cmpstr (path[2], ==, ESPLASH_STUB_INSTALL_DIR);
  g_assert_cmpstr (path[3], ==, user_dir);
  g_clear_pointer (&path, g_strfreev);

  /* no argument, or the same dir twice: listed once */
  path = esplash_stub_dup_search_path (env_dir);
  g_assert_cmpuint (g_strv_length (path), ==, 3);
  g_clear_pointer (&path, g_strfreev);

  if (g_file_test (installed, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("stubs are installed system-wide; the search-order test needs them absent");
      g_unsetenv ("ESPLASH_STUB_DIR");
      return;
    }

  write_stub (user_dir, "esp32s3.json", 4);
  g_assert_cmpuint (found_marker (s3, 0, arg_dir), ==, 4);
  write_stub (env_dir, "esp32s3.json", 2);
  g_assert_cmpuint (found_marker (s3, 0, arg_dir), ==, 2);
  write_stub (arg_dir, "esp32s3.json", 1);
  g_assert_cmpuint (found_marker (s3, 0, arg_dir), ==, 1);
  g_assert_cmpuint (found_marker (s3, 0, NULL), ==, 2);
  g_unsetenv ("ESPLASH_STUB_DIR");
  g_assert_cmpuint (found_marker (s3, 0, NULL), ==, 4);

  /* ESP32-P4 picks its file by revision */
  write_stub (arg_dir, "esp32p4-rev1.json", 11);
  write_stub (arg_dir, "esp32p4.json", 12);
  g_assert_cmpuint (found_marker (p4, 100, arg_dir), ==, 11);
  g_assert_cmpuint (found_marker (p4, 301, arg_dir), ==, 12);

  /* a broken file found first is an error, not skipped */
  {
    g_autofree char *broken = g_build_filename (arg_dir, "esp32s3.json", NULL);

    g_assert_true (g_file_set_contents (broken, "{", -1, NULL));
    stub = esplash_stub_find (s3, 0, arg_dir, &error);
    g_assert_null (stub);
    g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
    g_assert_nonnull (strstr (error->message, broken));
    g_clear_error (&error);
  }

  /* nothing anywhere: NOT_FOUND, listing every place and what to do */
  remove_stub (arg_dir, "esp32s3.json");
  remove_stub (user_dir, "esp32s3.json");
  g_setenv ("ESPLASH_STUB_DIR", env_dir, TRUE);
  remove_stub (env_dir, "esp32s3.json");
  stub = esplash_stub_find (s3, 0, arg_dir, &error);
  g_assert_null (stub);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "esp32s3.json"));
  g_assert_nonnull (strstr (error->message, "ESP32-S3"));
  g_assert_nonnull (strstr (error->message, arg_dir));
  g_assert_nonnull (strstr (error->message, env_dir));
  g_assert_nonnull (strstr (error->message, ESPLASH_STUB_INSTALL_DIR));
  g_assert_nonnull (strstr (error->message, user_dir));
  g_assert_nonnull (strstr (error->message, "scripts/fetch-stubs.sh"));
  g_assert_nonnull (strstr (error->message, "--stub-dir"));
  g_unsetenv ("ESPLASH_STUB_DIR");

  remove_stub (arg_dir, "esp32p4-rev1.json");
  remove_stub (arg_dir, "esp32p4.json");
  g_assert_cmpint (g_rmdir (arg_dir), ==, 0);
  g_assert_cmpint (g_rmdir (env_dir), ==, 0);
}

static void
test_find_product_stubs (void)
{
  /* The stubs the tests run with ($ESPLASH_STUB_DIR) serve every chip. */
  const char *dir = g_getenv ("ESPLASH_STUB_DIR");
  guint n = 0;
  const EsplashChipInfo *const *chips = esplash_chip_list (&n);

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("ESPLASH_STUB_DIR is not set or absent (run scripts/fetch-stubs.sh)");
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EsplashStub) stub = esplash_stub_find (chips[i], 0, NULL, &error);

      g_test_message ("%s", chips[i]->name);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (esplash_stub_get_path (stub), dir));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/esplash/stub/shared-files", test_shared_files);
  g_test_add_func ("/esplash/stub/minimal", test_minimal);
  g_test_add_func ("/esplash/stub/padding", test_padding);
  g_test_add_func ("/esplash/stub/malformed", test_malformed);
  g_test_add_func ("/esplash/stub/file-errors", test_file_errors);
  g_test_add_func ("/esplash/stub/find/product-stubs", test_find_product_stubs);
  g_test_add_func ("/esplash/stub/find/search-order", test_search_order);

  return g_test_run ();
}
