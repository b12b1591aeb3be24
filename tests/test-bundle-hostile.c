/* test-bundle-hostile.c: malformed and hostile firmware inputs. Each must
 * give a clear error (code and key phrase asserted) or a refusal in the
 * plan, and never crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <unistd.h>

#include "test-bundle-fixtures.h"

/* ---- inputs refused while loading ---------------------------------------- */

typedef struct {
  const char  *test;
  const char  *file;       /* created in a temp dir */
  const char  *text;
  EsplashError code;
  const char  *phrase;
} LoadCase;

#define FA_HEAD "{ \"flash_settings\": {\"flash_mode\": \"dio\"},\n  \"flash_files\": "

static const LoadCase load_cases[] = {
  { "json-syntax", "flasher_args.json", "{\n  \"flash_files\": {\n    \"0x1000\" \"bl.bin\"\n  }\n}\n",
    ESPLASH_ERROR_INVALID_IMAGE, "Invalid JSON at line 3" },
  { "json-truncated", "flasher_args.json", "{ \"flash_files\": { \"0x1000\": \"bl.b",
    ESPLASH_ERROR_INVALID_IMAGE, "Invalid JSON" },
  { "json-empty", "flasher_args.json", "", ESPLASH_ERROR_INVALID_IMAGE, "empty" },
  { "json-deep", "manifest.json", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    ESPLASH_ERROR_INVALID_IMAGE, "nested more than" },
  { "json-not-object", "flasher_args.json", "[1, 2, 3]", ESPLASH_ERROR_INVALID_IMAGE,
    "neither an ESP-IDF flasher_args.json" },
  /* One JSON value per file: json-glib would take the first and drop
   * (and leak) the rest. Two files run together, a shorter file written
   * over a longer one, a value after a string. */
  { "json-concatenated", "flasher_args.json",
    FA_HEAD "{ \"0x10000\": \"a.bin\" } }\n" FA_HEAD "{ \"0x20000\": \"b.bin\" } }\n",
    ESPLASH_ERROR_INVALID_IMAGE, "has more after its JSON value at line 3, column 1: a file must "
    "hold one JSON object; was it concatenated or partly overwritten?" },
  { "json-partly-overwritten", "flasher_args.json",
    "{ \"flash_files\": { \"0x10000\": \"app.bin\" } }\n"
    "    \"0x8000\": \"partition_table/partition-table.bin\"\n  }\n}\n",
    ESPLASH_ERROR_INVALID_IMAGE, "has more after its JSON value at line 2, column 5" },
  { "manifest-trailing-json", "manifest.json",
    "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [ { \"path\": \"a.bin\", "
    "\"offset\": 0 } ] } ] } {\"builds\": []}",
    ESPLASH_ERROR_INVALID_IMAGE, "has more after its JSON value at line 1, column 92" },
  { "json-string-then-object", "manifest.json", "\"x\"{\"builds\": []}",
    ESPLASH_ERROR_INVALID_IMAGE, "has more after its JSON value at line 1, column 4" },
  { "json-trailing-garbage", "flasher_args.json", FA_HEAD "{ \"0x10000\": \"a.bin\" } }\n\n\x01",
    ESPLASH_ERROR_INVALID_IMAGE, "has more after its JSON value at line 4, column 1" },
  { "json-slash-comment", "manifest.json", "{/\"/}{/\"/}",   /* json-glib: '/' to '/' is a comment */
    ESPLASH_ERROR_INVALID_IMAGE, "has more after its JSON value at line 1, column 6" },
  { "json-broken-first-value", "flasher_args.json", "{ \"flash_files\": { \"0x1000\": 1 ] }\n{}",
    ESPLASH_ERROR_INVALID_IMAGE, "Invalid JSON at line 1" },
  { "flasher-args-bad-offset", "flasher_args.json", FA_HEAD "{ \"banana\": \"a.bin\" } }",
    ESPLASH_ERROR_INVALID_IMAGE, "“banana” is not a flash offset" },
  { "flasher-args-offset-overflow", "flasher_args.json", FA_HEAD "{ \"0x100000000\": \"a.bin\" } }",
    ESPLASH_ERROR_INVALID_IMAGE, "is not a flash offset" },
  { "flasher-args-negative-offset", "flasher_args.json", FA_HEAD "{ \"-4096\": \"a.bin\" } }",
    ESPLASH_ERROR_INVALID_IMAGE, "is not a flash offset" },
  { "flasher-args-number-file", "flasher_args.json", FA_HEAD "{ \"0x1000\": 42 } }",
    ESPLASH_ERROR_INVALID_IMAGE, "not a file name string" },
  { "flasher-args-no-files", "flasher_args.json", FA_HEAD "{ } }",
    ESPLASH_ERROR_INVALID_IMAGE, "\"flash_files\" is empty" },
  { "flasher-args-files-array", "flasher_args.json", FA_HEAD "[ \"a.bin\" ] }",
    ESPLASH_ERROR_INVALID_IMAGE, "no \"flash_files\" object" },
  { "project-args-bad-line", "flash_project_args",
    "--flash_mode dio --flash_freq 40m --flash_size 2MB\nzzz bootloader/bootloader.bin\n",
    ESPLASH_ERROR_INVALID_IMAGE, "line 2: “zzz” is not a flash offset" },
  { "project-args-no-file", "flash_project_args", "0x1000 bootloader.bin\n0x8000\n",
    ESPLASH_ERROR_INVALID_IMAGE, "line 2: offset 0x8000 has no file" },
  { "project-args-duplicate", "flash_project_args", "0x1000 a.bin\n0x1000 b.bin\n",
    ESPLASH_ERROR_INVALID_IMAGE, "offset 0x1000 is given twice" },
  { "project-args-binary", "flash_project_args", "0x1000 a\xff\xfe.bin\n",
    ESPLASH_ERROR_INVALID_IMAGE, "is not text" },
  { "manifest-no-builds", "manifest.json", "{ \"name\": \"x\", \"builds\": [] }",
    ESPLASH_ERROR_INVALID_IMAGE, "has 0 builds" },
  { "manifest-offset-string", "manifest.json",
    "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [ { \"path\": \"a.bin\", \"offset\": \"0x1000\" } ] } ] }",
    ESPLASH_ERROR_INVALID_IMAGE, "\"offset\" must be a whole number" },
  { "manifest-offset-negative", "manifest.json",
    "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [ { \"path\": \"a.bin\", \"offset\": -1 } ] } ] }",
    ESPLASH_ERROR_INVALID_IMAGE, "\"offset\" must be a whole number" },
  { "manifest-offset-fraction", "manifest.json",
    "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [ { \"path\": \"a.bin\", \"offset\": 4096.5 } ] } ] }",
    ESPLASH_ERROR_INVALID_IMAGE, "\"offset\" must be a whole number" },
  { "manifest-offset-huge", "manifest.json",
    "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [ { \"path\": \"a.bin\", \"offset\": 1e300 } ] } ] }",
    ESPLASH_ERROR_INVALID_IMAGE, "below 4 GiB" },
  { "manifest-no-family", "manifest.json",
    "{ \"builds\": [ { \"parts\": [ { \"path\": \"a.bin\", \"offset\": 0 } ] } ] }",
    ESPLASH_ERROR_INVALID_IMAGE, "no \"chipFamily\"" },
  { "manifest-part-no-path", "manifest.json",
    "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [ { \"offset\": 0 } ] } ] }",
    ESPLASH_ERROR_INVALID_IMAGE, "parts[0] has no \"path\"" },
  { "hex-bad-checksum", "fw.hex", ":020000040000FA\n:04000000E9030210FF\n:00000001FF\n",
    ESPLASH_ERROR_INVALID_IMAGE, "line 2: bad record checksum" },
  { "hex-not-hex", "fw.hex", ":0400000GE9030210FE\n:00000001FF\n",
    ESPLASH_ERROR_INVALID_IMAGE, "line 1: character 9 is not a hexadecimal digit" },
  { "hex-count-mismatch", "fw.hex", ":08000000E903021000\n:00000001FF\n",
    ESPLASH_ERROR_INVALID_IMAGE, "line 1: the record says it holds 8 data bytes but has 4" },
  { "hex-no-eof", "fw.hex", ":04000000E9030210FE\n",
    ESPLASH_ERROR_INVALID_IMAGE, "without an end-of-file record" },
  { "hex-unknown-type", "fw.hex", ":0000000AF6\n:00000001FF\n",
    ESPLASH_ERROR_INVALID_IMAGE, "unknown record type 0x0A" },
  { "hex-overlap", "fw.hex", ":04000000E9030210FE\n:020002001122C9\n:00000001FF\n",
    ESPLASH_ERROR_INVALID_IMAGE, "line 2: data at 0x00000002 overlaps" },
  { "hex-after-eof", "fw.hex", ":04000000E9030210FE\n:00000001FF\n:04000000E9030210FE\n",
    ESPLASH_ERROR_INVALID_IMAGE, "line 3: text after the end-of-file record" },
  { "hex-beyond-4gib", "fw.hex", ":02000004FFFFFC\n:04FFFE0001020304F5\n:00000001FF\n",
    ESPLASH_ERROR_INVALID_IMAGE, "ends beyond 4 GiB" },
  { "hex-no-data", "fw.hex", ":00000001FF\n", ESPLASH_ERROR_INVALID_IMAGE, "no data records" },
  { "hex-not-a-record", "fw.hex", ":04000000E9030210FE\nhello\n:00000001FF\n",
    ESPLASH_ERROR_INVALID_IMAGE, "line 2: a record must start with ':'" },
};

static void
test_load (gconstpointer data)
{
  const LoadCase *c = data;
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, c->file, NULL);
  g_autoptr(GError) error = NULL;
  const char *paths[] = { path, NULL };
  g_autoptr(EsplashBundle) bundle = NULL;

  write_text (dir, c->file, c->text);
  bundle = esplash_bundle_new_from_paths (paths, &error);
  g_assert_null (bundle);
  g_assert_error (error, ESPLASH_ERROR, (gint) c->code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, c->phrase));
  /* the message names the file */
  g_assert_nonnull (strstr (error->message, c->file));
  rm_rf (dir);
}

static void
test_missing_path (void)
{
  g_autoptr(GError) error = NULL;
  const char *paths[] = { "/nonexistent/esplash/build", NULL };
  g_autoptr(EsplashBundle) bundle = esplash_bundle_new_from_paths (paths, &error);

  g_assert_null (bundle);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "does not exist"));
}

static void
test_empty_folder (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  const char *paths[] = { dir, NULL };
  g_autoptr(EsplashBundle) bundle = NULL;

  write_text (dir, "README.md", "no firmware here");
  bundle = esplash_bundle_new_from_paths (paths, &error);
  g_assert_null (bundle);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "No firmware in"));
  rm_rf (dir);
}

static void
test_pio_several_envs (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  const char *paths[] = { dir, NULL };
  g_autoptr(EsplashBundle) bundle = NULL;
  ImageSpec spec;
  g_autoptr(GBytes) app = NULL;

  spec_init (&spec, ID_ESP32, TRUE);
  app = make_image (&spec);
  write_bytes (dir, ".pio/build/esp32dev/firmware.bin", app);
  write_bytes (dir, ".pio/build/esp32-s3-devkitc-1/firmware.bin", app);
  bundle = esplash_bundle_new_from_paths (paths, &error);
  g_assert_null (bundle);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "several PlatformIO environments (esp32-s3-devkitc-1, esp32dev)"));
  rm_rf (dir);
}

/* ---- refusals in the plan ------------------------------------------------ */

typedef struct {
  EsplashFlashPlan *plan;
  char             *dir;
} Planned;

static void
planned_clear (Planned *p)
{
  g_clear_object (&p->plan);
  if (p->dir != NULL)
    rm_rf (p->dir);
  g_clear_pointer (&p->dir, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Planned, planned_clear)

/* Asserts a finding with @check and @severity whose message holds @phrase,
 * and what ensure_writable says with and without force. */
static void
assert_finding (EsplashFlashPlan    *plan,
                EsplashPlanCheck     check,
                EsplashPlanSeverity  severity,
                EsplashError         code,
                const char          *phrase)
{
  const EsplashPlanFinding *f = esplash_flash_plan_find_finding (plan, check, -1);
  g_autoptr(GError) error = NULL;
  gboolean forced, alone = TRUE, hard = FALSE;

  dump_plan (plan);
  g_assert_nonnull (f);
  g_assert_cmpint (f->severity, ==, severity);
  g_assert_cmpint (f->error_code, ==, code);
  g_assert_nonnull (strstr (f->message, phrase));
  if (severity == ESPLASH_PLAN_WARNING)
    {
      g_assert_true (esplash_flash_plan_ensure_writable (plan, FALSE, &error));
      g_assert_no_error (error);
      return;
    }
  for (guint i = 0; i < esplash_flash_plan_get_n_findings (plan); i++)
    {
      const EsplashPlanFinding *other = esplash_flash_plan_get_finding (plan, i);

      if (other != f && other->severity != ESPLASH_PLAN_WARNING)
        alone = FALSE;
      if (other->severity == ESPLASH_PLAN_REFUSAL)
        hard = TRUE;
    }
  g_assert_false (esplash_flash_plan_ensure_writable (plan, FALSE, &error));
  if (alone)
    g_assert_error (error, ESPLASH_ERROR, (gint) code);
  g_clear_error (&error);
  /* --force helps only when nothing else blocks */
  forced = esplash_flash_plan_ensure_writable (plan, TRUE, &error);
  g_assert_cmpint (forced, ==, !hard);
}

static EsplashFlashPlan *
resolve_dir (const char            *path,
             const EsplashChipInfo *chip,
             guint32                flash_size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashBundle) bundle = NULL;
  const char *paths[] = { path, NULL };
  EsplashPlanTarget target;
  EsplashFlashPlan *plan;

  bundle = esplash_bundle_new_from_paths (paths, &error);
  g_assert_no_error (error);
  esplash_plan_target_init (&target);
  target.chip = chip;
  target.flash_size = flash_size;
  target.revision = 0;
  plan = esplash_bundle_resolve (bundle, &target, &error);
  g_assert_no_error (error);
  return plan;
}

/* A folder with flasher_args.json listing @files (offset → relative path);
 * files named in @write are created as valid ESP32 images. */
static void
flasher_args_dir (Planned    *p,
                  const char *flash_files,
                  const char *settings)
{
  g_autofree char *json = g_strdup_printf ("{ %s \"flash_files\": { %s },\n"
                                           "  \"extra_esptool_args\": { \"chip\": \"esp32\" } }",
                                           settings != NULL ? settings : "", flash_files);

  p->dir = make_tmp_dir ();
  write_text (p->dir, "build/flasher_args.json", json);
}

static void
write_image (const char *dir,
             const char *rel,
             guint16     chip_id,
             gboolean    app)
{
  ImageSpec spec;
  g_autoptr(GBytes) img = NULL;

  spec_init (&spec, chip_id, app);
  img = make_image (&spec);
  write_bytes (dir, rel, img);
}

static void
test_path_dotdot (void)
{
  g_auto(Planned) p = { 0 };
  g_autofree char *build = NULL;

  flasher_args_dir (&p, "\"0x10000\": \"../secret.bin\"", NULL);
  write_image (p.dir, "secret.bin", ID_ESP32, TRUE);
  build = g_build_filename (p.dir, "build", NULL);
  p.plan = resolve_dir (build, NULL, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_PATH_ESCAPES, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_INVALID_ARGUMENT, "which leaves its folder");
  g_assert_null (esplash_flash_plan_get_entry (p.plan, 0)->data);
}

static void
test_path_absolute (void)
{
  g_auto(Planned) p = { 0 };

  p.dir = make_tmp_dir ();
  write_text (p.dir, "manifest.json",
              "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [ "
              "{ \"path\": \"/etc/passwd\", \"offset\": 65536 } ] } ] }");
  p.plan = resolve_dir (p.dir, esplash_chip_get (ESPLASH_CHIP_ESP32), 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_PATH_ESCAPES, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_INVALID_ARGUMENT, "names the absolute path /etc/passwd");
}

static void
test_path_symlink (void)
{
  g_auto(Planned) p = { 0 };
  g_autofree char *outside = make_tmp_dir ();
  g_autofree char *target = g_build_filename (outside, "app.bin", NULL);
  g_autofree char *link = NULL;

  flasher_args_dir (&p, "\"0x10000\": \"app.bin\"", NULL);
  write_image (outside, "app.bin", ID_ESP32, TRUE);
  link = g_build_filename (p.dir, "build", "app.bin", NULL);
  g_assert_cmpint (symlink (target, link), ==, 0);
  p.plan = resolve_dir (p.dir, NULL, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_PATH_ESCAPES, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_INVALID_ARGUMENT, "a symbolic link to");
  rm_rf (outside);
}

static void
test_path_symlinked_folder_scan (void)
{
  /* a folder scan does not follow links out of the folder either */
  g_auto(Planned) p = { 0 };
  g_autofree char *outside = make_tmp_dir ();
  g_autofree char *target = g_build_filename (outside, "firmware.bin", NULL);
  g_autofree char *link = NULL;

  p.dir = make_tmp_dir ();
  write_image (outside, "firmware.bin", ID_ESP32, TRUE);
  write_image (p.dir, "bootloader.bin", ID_ESP32, FALSE);
  link = g_build_filename (p.dir, "firmware.bin", NULL);
  g_assert_cmpint (symlink (target, link), ==, 0);
  p.plan = resolve_dir (p.dir, NULL, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_PATH_ESCAPES, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_INVALID_ARGUMENT, "outside its folder");
  rm_rf (outside);
}

static void
test_missing_file (void)
{
  g_auto(Planned) p = { 0 };

  flasher_args_dir (&p, "\"0x10000\": \"app.bin\"", NULL);
  p.plan = resolve_dir (p.dir, NULL, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_MISSING_FILE, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_NOT_FOUND, "names app.bin, which does not exist");
}

static void
test_url_part (void)
{
  g_auto(Planned) p = { 0 };

  p.dir = make_tmp_dir ();
  write_text (p.dir, "manifest.json",
              "{ \"builds\": [ { \"chipFamily\": \"ESP32-C3\", \"parts\": [ "
              "{ \"path\": \"https://example.com/fw.bin\", \"offset\": 0 } ] } ] }");
  p.plan = resolve_dir (p.dir, esplash_chip_get (ESPLASH_CHIP_ESP32C3), 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_URL_PART, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_INVALID_ARGUMENT, "Esplash does not download firmware");
}

static void
test_manifest_no_build (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  const char *paths[] = { dir, NULL };
  g_autoptr(EsplashBundle) bundle = NULL;
  g_autoptr(EsplashFlashPlan) plan = NULL;
  EsplashPlanTarget target;

  write_text (dir, "manifest.json",
              "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [ "
              "{ \"path\": \"a.bin\", \"offset\": 0 } ] } ] }");
  bundle = esplash_bundle_new_from_paths (paths, &error);
  g_assert_no_error (error);
  esplash_plan_target_init (&target);
  target.chip = esplash_chip_get (ESPLASH_CHIP_ESP32C6);
  plan = esplash_bundle_resolve (bundle, &target, &error);
  g_assert_null (plan);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED_CHIP);
  g_assert_nonnull (strstr (error->message, "no build for ESP32-C6 (it has builds for ESP32)"));
  rm_rf (dir);
}

static void
test_empty_file (void)
{
  g_auto(Planned) p = { 0 };

  flasher_args_dir (&p, "\"0x10000\": \"app.bin\"", NULL);
  write_text (p.dir, "build/app.bin", "");
  p.plan = resolve_dir (p.dir, NULL, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_EMPTY_FILE, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_INVALID_IMAGE, "is empty (0 bytes)");
}

/* A broken image listed as the app: @mutate damages a valid one. */
static EsplashFlashPlan *
plan_with_app (Planned     *p,
               GBytes      *bytes,
               guint32      flash_size)
{
  flasher_args_dir (p, "\"0x10000\": \"app.bin\"", NULL);
  write_bytes (p->dir, "build/app.bin", bytes);
  p->plan = resolve_dir (p->dir, esplash_chip_get (ESPLASH_CHIP_ESP32), flash_size);
  return p->plan;
}

static GBytes *
valid_app (guint16 chip_id)
{
  ImageSpec spec;

  spec_init (&spec, chip_id, TRUE);
  return make_image (&spec);
}

static GBytes *
mutated (GBytes *in,
         gsize   keep,      /* truncate to (0 = all) */
         gsize   at,
         guint8  value)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (in, &len);
  guint8 *copy;

  if (keep != 0)
    len = MIN (len, keep);
  copy = g_memdup2 (d, len);
  if (at < len)
    copy[at] = value;
  return g_bytes_new_take (copy, len);
}

static void
test_image_truncated_header (void)
{
  g_auto(Planned) p = { 0 };
  g_autoptr(GBytes) app = valid_app (ID_ESP32);
  g_autoptr(GBytes) bad = mutated (app, 20, G_MAXSIZE, 0);

  plan_with_app (&p, bad, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_INVALID_IMAGE, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                  ESPLASH_ERROR_INVALID_IMAGE, "Image truncated");
}

static void
test_image_segment_past_end (void)
{
  g_auto(Planned) p = { 0 };
  g_autoptr(GBytes) app = valid_app (ID_ESP32);
  /* segment 0's length (offset 28) high byte: 16 MiB more than the file */
  g_autoptr(GBytes) bad = mutated (app, 0, 31, 0x01);

  plan_with_app (&p, bad, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_INVALID_IMAGE, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                  ESPLASH_ERROR_INVALID_IMAGE, "declares 16777472 bytes of data");
}

static void
test_image_huge_count (void)
{
  g_auto(Planned) p = { 0 };
  g_autoptr(GBytes) app = valid_app (ID_ESP32);
  g_autoptr(GBytes) bad = mutated (app, 0, 1, 0xC8);

  plan_with_app (&p, bad, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_INVALID_IMAGE, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                  ESPLASH_ERROR_INVALID_IMAGE, "declares 200 segments, at most 16");
}

static void
test_image_bad_checksum (void)
{
  g_auto(Planned) p = { 0 };
  ImageSpec spec;
  g_autoptr(GBytes) app = NULL, bad = NULL;

  spec_init (&spec, ID_ESP32, TRUE);
  spec.hash = FALSE;
  app = make_image (&spec);
  /* a data byte of segment 1 (after 24 + 8 + 256 + 8 header bytes) */
  bad = mutated (app, 0, 300, 0x5A);
  plan_with_app (&p, bad, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_BAD_CHECKSUM, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                  ESPLASH_ERROR_INVALID_IMAGE, "has a bad checksum");
}

static void
test_image_bad_sha256 (void)
{
  g_auto(Planned) p = { 0 };
  g_autoptr(GBytes) app = valid_app (ID_ESP32);
  /* the last byte of the appended digest */
  g_autoptr(GBytes) bad = mutated (app, 0, g_bytes_get_size (app) - 1,
                                   ((const guint8 *) g_bytes_get_data (app, NULL))[g_bytes_get_size (app) - 1] ^ 1);

  plan_with_app (&p, bad, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_BAD_SHA256, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                  ESPLASH_ERROR_INVALID_IMAGE, "SHA-256 digest that does not match");
  g_assert_null (esplash_flash_plan_find_finding (p.plan, ESPLASH_PLAN_CHECK_BAD_CHECKSUM, -1));
}

static void
test_image_bad_hash_flag (void)
{
  g_auto(Planned) p = { 0 };
  g_autoptr(GBytes) app = valid_app (ID_ESP32);
  g_autoptr(GBytes) bad = mutated (app, 0, 23, 0x07);

  plan_with_app (&p, bad, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_INVALID_IMAGE, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                  ESPLASH_ERROR_INVALID_IMAGE, "hash_appended byte");
}

static void
test_not_an_image (void)
{
  g_auto(Planned) p = { 0 };
  static const char zip[] = "PK\003\004 a zip file, not firmware";
  g_autoptr(GBytes) junk = g_bytes_new_static (zip, sizeof zip - 1);

  flasher_args_dir (&p, "\"0x10000\": \"app.bin\"", NULL);
  write_text (p.dir, "build/flasher_args.json",
              "{ \"flash_files\": { \"0x10000\": \"app.bin\" },"
              "  \"app\": { \"offset\": \"0x10000\", \"file\": \"app.bin\" } }");
  write_bytes (p.dir, "build/app.bin", junk);
  p.plan = resolve_dir (p.dir, esplash_chip_get (ESPLASH_CHIP_ESP32), 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_NOT_IMAGE, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                  ESPLASH_ERROR_INVALID_IMAGE, "is listed as the app but is not a firmware image");
}

static void
test_wrong_chip (void)
{
  g_auto(Planned) p = { 0 };
  g_autoptr(GBytes) app = valid_app (ID_ESP32C3);

  plan_with_app (&p, app, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_CHIP_MISMATCH, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                  ESPLASH_ERROR_UNSUPPORTED_CHIP, "is an image for ESP32-C3 (chip id 5), not for this ESP32");
}

static void
test_mixed_chips (void)
{
  g_auto(Planned) p = { 0 };

  p.dir = make_tmp_dir ();
  write_image (p.dir, "bootloader.bin", ID_ESP32, FALSE);
  write_image (p.dir, "firmware.bin", ID_ESP32S3, TRUE);
  p.plan = resolve_dir (p.dir, NULL, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_MIXED_CHIPS, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                  ESPLASH_ERROR_UNSUPPORTED_CHIP, "built for 2 different chips");
  /* and the bootloader has no offset without a chip */
  g_assert_nonnull (esplash_flash_plan_find_finding (p.plan, ESPLASH_PLAN_CHECK_UNKNOWN_CHIP, -1));
}

static void
test_revision (void)
{
  g_auto(Planned) p = { 0 };
  ImageSpec spec;
  g_autoptr(GBytes) app = NULL;

  spec_init (&spec, ID_ESP32, TRUE);
  spec.min_rev_full = 300;       /* v3.0 */
  app = make_image (&spec);
  plan_with_app (&p, app, 0);   /* revision 0 */
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_REVISION, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                  ESPLASH_ERROR_UNSUPPORTED_CHIP, "requires chip revision v3.0 to no maximum");
}

static void
test_overlap (void)
{
  g_auto(Planned) p = { 0 };

  flasher_args_dir (&p, "\"0x10000\": \"a.bin\", \"0x10800\": \"b.bin\"", NULL);
  write_image (p.dir, "build/a.bin", ID_ESP32, TRUE);
  write_image (p.dir, "build/b.bin", ID_ESP32, TRUE);
  p.plan = resolve_dir (p.dir, NULL, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_OVERLAP, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_INVALID_ARGUMENT, "overlap; change an offset");
  /* the misaligned one is a warning as well */
  g_assert_nonnull (esplash_flash_plan_find_finding (p.plan, ESPLASH_PLAN_CHECK_MISALIGNED, -1));
}

static void
test_shared_sector (void)
{
  g_auto(Planned) p = { 0 };

  flasher_args_dir (&p, "\"0x10000\": \"a.bin\", \"0x10e00\": \"b.bin\"", NULL);
  write_image (p.dir, "build/a.bin", ID_ESP32, TRUE);   /* 3.4 KiB: ends in sector 0x10000 */
  write_text (p.dir, "build/b.bin", "some data that shares the sector");
  p.plan = resolve_dir (p.dir, NULL, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_SHARED_SECTOR, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                  ESPLASH_ERROR_INVALID_ARGUMENT, "share the flash sector at 0x10000");
}

static void
test_misaligned_warning (void)
{
  g_auto(Planned) p = { 0 };

  flasher_args_dir (&p, "\"0x10800\": \"a.bin\"", NULL);
  write_image (p.dir, "build/a.bin", ID_ESP32, TRUE);
  p.plan = resolve_dir (p.dir, NULL, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_MISALIGNED, ESPLASH_PLAN_WARNING,
                  ESPLASH_ERROR_INVALID_ARGUMENT, "wipes 0x10000–0x107ff as well");
}

static void
test_beyond_flash (void)
{
  g_auto(Planned) p = { 0 };

  flasher_args_dir (&p, "\"0x3ff800\": \"a.bin\"", NULL);
  write_image (p.dir, "build/a.bin", ID_ESP32, TRUE);
  p.plan = resolve_dir (p.dir, NULL, 4 * 1024 * 1024);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_BEYOND_FLASH, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_IMAGE_TOO_LARGE, "beyond the 4 MiB flash");
}

static void
test_beyond_4gib (void)
{
  g_auto(Planned) p = { 0 };

  flasher_args_dir (&p, "\"0xffffff00\": \"a.bin\"", NULL);
  write_image (p.dir, "build/a.bin", ID_ESP32, TRUE);
  p.plan = resolve_dir (p.dir, NULL, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_BEYOND_FLASH, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_IMAGE_TOO_LARGE, "beyond the 4 GiB address space");
}

static void
test_app_too_large (void)
{
  g_auto(Planned) p = { 0 };
  static const PartSpec tiny[] = {
    { "nvs", 1, 2, 0x9000, 0x6000 },
    { "factory", 0, 0, 0x10000, 0x1000 },
  };
  g_autoptr(GBytes) table = make_table (tiny, G_N_ELEMENTS (tiny));
  ImageSpec spec;
  g_autoptr(GBytes) app = NULL;

  p.dir = make_tmp_dir ();
  spec_init (&spec, ID_ESP32, TRUE);
  spec.body = 0x2000;
  app = make_image (&spec);
  write_bytes (p.dir, "partitions.bin", table);
  write_bytes (p.dir, "firmware.bin", app);
  p.plan = resolve_dir (p.dir, esplash_chip_get (ESPLASH_CHIP_ESP32), 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_APP_TOO_LARGE, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                  ESPLASH_ERROR_IMAGE_TOO_LARGE, "larger than the app partition “factory” at 0x10000");
}

static void
test_unknown_content (void)
{
  g_auto(Planned) p = { 0 };

  p.dir = make_tmp_dir ();
  write_text (p.dir, "mystery.dat", "nothing recognisable here at all");
  {
    g_autofree char *file = g_build_filename (p.dir, "mystery.dat", NULL);

    p.plan = resolve_dir (file, esplash_chip_get (ESPLASH_CHIP_ESP32), 0);
  }
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_NO_OFFSET, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_INVALID_ARGUMENT, "Cannot tell where mystery.dat goes");
}

/* A Secure Boot v2 signed bootloader: image, 0xFF to a sector, then the
 * signature sector (magic 0xE7, version 2). Flash settings that differ from
 * its header would change signed bytes. */
static void
test_signed_bootloader (void)
{
  g_auto(Planned) p = { 0 };
  ImageSpec spec;
  g_autoptr(GBytes) bl = NULL;
  GByteArray *signed_bl = g_byte_array_new ();
  g_autoptr(GBytes) out = NULL;
  guint8 ff = 0xFF;

  spec_init (&spec, ID_ESP32, FALSE);
  bl = make_image (&spec);
  g_byte_array_append (signed_bl, g_bytes_get_data (bl, NULL), g_bytes_get_size (bl));
  while (signed_bl->len % 4096 != 0)
    g_byte_array_append (signed_bl, &ff, 1);
  {
    guint8 sector[4096];

    memset (sector, 0xFF, sizeof sector);
    memset (sector, 0, 1216);
    sector[0] = 0xE7;
    sector[1] = 0x02;
    g_byte_array_append (signed_bl, sector, sizeof sector);
  }
  out = g_byte_array_free_to_bytes (signed_bl);
  /* the header says dio/40m/4MB; the build asks for qio */
  flasher_args_dir (&p, "\"0x1000\": \"bootloader/bootloader.bin\"",
                    "\"flash_settings\": { \"flash_mode\": \"qio\", \"flash_freq\": \"40m\", "
                    "\"flash_size\": \"4MB\" },");
  write_bytes (p.dir, "build/bootloader/bootloader.bin", out);
  p.plan = resolve_dir (p.dir, NULL, 0);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_SIGNED_PATCH, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_INVALID_IMAGE, "breaks the signature");

  /* the same settings as the header: nothing changes, nothing refused */
  g_clear_object (&p.plan);
  write_text (p.dir, "build/flasher_args.json",
              "{ \"flash_settings\": { \"flash_mode\": \"dio\", \"flash_freq\": \"40m\", "
              "\"flash_size\": \"4MB\" }, \"flash_files\": { \"0x1000\": \"bootloader/bootloader.bin\" } }");
  p.plan = resolve_dir (p.dir, esplash_chip_get (ESPLASH_CHIP_ESP32), 0);
  dump_plan (p.plan);
  g_assert_null (esplash_flash_plan_find_finding (p.plan, ESPLASH_PLAN_CHECK_SIGNED_PATCH, -1));
  g_assert_true (esplash_flash_plan_ensure_writable (p.plan, FALSE, NULL));
}

static void
test_nothing_enabled (void)
{
  g_auto(Planned) p = { 0 };

  flasher_args_dir (&p, "\"0x10000\": \"a.bin\"", NULL);
  write_image (p.dir, "build/a.bin", ID_ESP32, TRUE);
  p.plan = resolve_dir (p.dir, NULL, 0);
  esplash_flash_plan_set_enabled (p.plan, 0, FALSE);
  esplash_flash_plan_check (p.plan, NULL);
  assert_finding (p.plan, ESPLASH_PLAN_CHECK_NOTHING_TO_WRITE, ESPLASH_PLAN_REFUSAL,
                  ESPLASH_ERROR_INVALID_ARGUMENT, "Nothing to write");
}

/* Every truncation of a merged image, and garbage named like each kind,
 * goes through loading, resolving and checking without a crash. */
static void
test_truncations (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autoptr(GBytes) table = make_table (idf_singleapp, G_N_ELEMENTS (idf_singleapp));
  g_autoptr(GBytes) app = valid_app (ID_ESP32S3);
  ImageSpec spec;
  g_autoptr(GBytes) bl = NULL;
  gsize len = 0x10000 + g_bytes_get_size (app);
  g_autofree guint8 *merged = g_malloc (len);
  static const char *const names[] = { "bootloader.bin", "partitions.bin", "firmware.bin",
                                       "boot_app0.bin", "x.ino.merged.bin", "spiffs.bin" };

  spec_init (&spec, ID_ESP32S3, FALSE);
  bl = make_image (&spec);
  memset (merged, 0xFF, len);
  memcpy (merged, g_bytes_get_data (bl, NULL), g_bytes_get_size (bl));
  memcpy (merged + 0x8000, g_bytes_get_data (table, NULL), g_bytes_get_size (table));
  memcpy (merged + 0x10000, g_bytes_get_data (app, NULL), g_bytes_get_size (app));
  for (gsize cut = 0; cut <= len; cut += cut < 0x200 ? 7 : 0x777)
    for (guint n = 0; n < G_N_ELEMENTS (names); n++)
      {
        g_autoptr(GBytes) piece = g_bytes_new (merged, cut);
        g_autofree char *path = g_build_filename (dir, names[n], NULL);
        const char *paths[] = { path, NULL };
        g_autoptr(EsplashBundle) bundle = NULL;
        g_autoptr(EsplashFlashPlan) plan = NULL;
        g_auto(GStrv) lines = NULL;
        EsplashPlanTarget target;

        write_bytes (dir, names[n], piece);
        bundle = esplash_bundle_new_from_paths (paths, NULL);
        g_assert_nonnull (bundle);
        esplash_plan_target_init (&target);
        target.chip = esplash_chip_get (ESPLASH_CHIP_ESP32S3);
        target.revision = 0;
        target.flash_size = 4 * 1024 * 1024;
        plan = esplash_bundle_resolve (bundle, &target, NULL);
        g_assert_nonnull (plan);
        lines = esplash_flash_plan_format (plan);
        g_assert_nonnull (lines[0]);
        g_unlink (path);
      }
  rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (load_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/esplash/bundle/hostile/load/%s", load_cases[i].test);

      g_test_add_data_func (name, &load_cases[i], test_load);
    }
  g_test_add_func ("/esplash/bundle/hostile/load/missing-path", test_missing_path);
  g_test_add_func ("/esplash/bundle/hostile/load/empty-folder", test_empty_folder);
  g_test_add_func ("/esplash/bundle/hostile/load/pio-several-envs", test_pio_several_envs);
  g_test_add_func ("/esplash/bundle/hostile/plan/path-dotdot", test_path_dotdot);
  g_test_add_func ("/esplash/bundle/hostile/plan/path-absolute", test_path_absolute);
  g_test_add_func ("/esplash/bundle/hostile/plan/path-symlink", test_path_symlink);
  g_test_add_func ("/esplash/bundle/hostile/plan/path-symlink-scan", test_path_symlinked_folder_scan);
  g_test_add_func ("/esplash/bundle/hostile/plan/missing-file", test_missing_file);
  g_test_add_func ("/esplash/bundle/hostile/plan/url-part", test_url_part);
  g_test_add_func ("/esplash/bundle/hostile/plan/manifest-no-build", test_manifest_no_build);
  g_test_add_func ("/esplash/bundle/hostile/plan/empty-file", test_empty_file);
  g_test_add_func ("/esplash/bundle/hostile/plan/truncated-header", test_image_truncated_header);
  g_test_add_func ("/esplash/bundle/hostile/plan/segment-past-end", test_image_segment_past_end);
  g_test_add_func ("/esplash/bundle/hostile/plan/huge-segment-count", test_image_huge_count);
  g_test_add_func ("/esplash/bundle/hostile/plan/bad-checksum", test_image_bad_checksum);
  g_test_add_func ("/esplash/bundle/hostile/plan/bad-sha256", test_image_bad_sha256);
  g_test_add_func ("/esplash/bundle/hostile/plan/bad-hash-flag", test_image_bad_hash_flag);
  g_test_add_func ("/esplash/bundle/hostile/plan/not-an-image", test_not_an_image);
  g_test_add_func ("/esplash/bundle/hostile/plan/wrong-chip", test_wrong_chip);
  g_test_add_func ("/esplash/bundle/hostile/plan/mixed-chips", test_mixed_chips);
  g_test_add_func ("/esplash/bundle/hostile/plan/revision", test_revision);
  g_test_add_func ("/esplash/bundle/hostile/plan/overlap", test_overlap);
  g_test_add_func ("/esplash/bundle/hostile/plan/shared-sector", test_shared_sector);
  g_test_add_func ("/esplash/bundle/hostile/plan/misaligned", test_misaligned_warning);
  g_test_add_func ("/esplash/bundle/hostile/plan/beyond-flash", test_beyond_flash);
  g_test_add_func ("/esplash/bundle/hostile/plan/beyond-4gib", test_beyond_4gib);
  g_test_add_func ("/esplash/bundle/hostile/plan/app-too-large", test_app_too_large);
  g_test_add_func ("/esplash/bundle/hostile/plan/unknown-content", test_unknown_content);
  g_test_add_func ("/esplash/bundle/hostile/plan/signed-bootloader", test_signed_bootloader);
  g_test_add_func ("/esplash/bundle/hostile/plan/nothing-enabled", test_nothing_enabled);
  g_test_add_func ("/esplash/bundle/hostile/truncations", test_truncations);
  return g_test_run ();
}
