/* test-bundle.c: build outputs → flash plans.
 *
 * The expected plans are what esptool / idf.py / arduino-cli would flash:
 * bootloader at the chip's bootloader offset (ESP32 0x1000, ESP32-S3 and
 * ESP32-C3 0x0: protocol.md §6.1, esptool's BOOTLOADER_FLASH_OFFSET), the
 * partition table at 0x8000, Arduino's boot_app0.bin at the otadata
 * partition (0xe000 in its default.csv), the app at 0x10000 (the factory or
 * ota_0 partition). Facts about the real images come from
 *   /usr/bin/python3 /opt/esptool-4.8.1/esptool.py image_info --version 2 FILE
 * (chip id, legacy min_rev, min/max_rev_full) and from their bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-bundle-fixtures.h"

typedef struct {
  EsplashChipFamily family;
  guint16           image_id;
  const char       *idf_target;    /* flasher_args "chip" */
  const char       *web_family;    /* manifest chipFamily */
  guint32           bootloader;    /* expected bootloader offset */
} Chip;

static const Chip chips[] = {
  { ESPLASH_CHIP_ESP32, ID_ESP32, "esp32", "ESP32", 0x1000 },
  { ESPLASH_CHIP_ESP32S3, ID_ESP32S3, "esp32s3", "ESP32-S3", 0x0 },
  { ESPLASH_CHIP_ESP32C3, ID_ESP32C3, "esp32c3", "ESP32-C3", 0x0 },
};

static GBytes *
app_for (const Chip *c)
{
  ImageSpec spec;

  spec_init (&spec, c->image_id, TRUE);
  return make_image (&spec);
}

static GBytes *
bootloader_for (const Chip *c)
{
  ImageSpec spec;

  spec_init (&spec, c->image_id, FALSE);
  return make_image (&spec);
}

static void
assert_no_refusal (EsplashFlashPlan *plan)
{
  g_autoptr(GError) error = NULL;

  esplash_flash_plan_ensure_writable (plan, FALSE, &error);
  g_assert_no_error (error);
}

/* ---- ESP-IDF ----------------------------------------------------------- */

static void
make_idf_build (const char *root,
                const Chip *c)
{
  g_autoptr(GBytes) bl = bootloader_for (c);
  g_autoptr(GBytes) app = app_for (c);
  g_autoptr(GBytes) table = make_table (idf_singleapp, G_N_ELEMENTS (idf_singleapp));
  g_autofree char *json = NULL;

  write_bytes (root, "build/bootloader/bootloader.bin", bl);
  write_bytes (root, "build/partition_table/partition-table.bin", table);
  write_bytes (root, "build/blink.bin", app);
  /* as idf.py writes it (components/esptool_py/flasher_args.json.in) */
  json = g_strdup_printf (
    "{\n"
    "    \"write_flash_args\" : [ \"--flash_mode\", \"dio\",\n"
    "                           \"--flash_size\", \"4MB\",\n"
    "                           \"--flash_freq\", \"40m\" ],\n"
    "    \"flash_settings\" : {\n"
    "        \"flash_mode\": \"dio\",\n"
    "        \"flash_size\": \"4MB\",\n"
    "        \"flash_freq\": \"40m\"\n"
    "    },\n"
    "    \"flash_files\" : {\n"
    "        \"0x%x\" : \"bootloader/bootloader.bin\",\n"
    "        \"0x10000\" : \"blink.bin\",\n"
    "        \"0x8000\" : \"partition_table/partition-table.bin\"\n"
    "    },\n"
    "    \"bootloader\" : { \"offset\" : \"0x%x\", \"file\" : \"bootloader/bootloader.bin\", "
    "\"encrypted\" : \"false\" },\n"
    "    \"app\" : { \"offset\" : \"0x10000\", \"file\" : \"blink.bin\", \"encrypted\" : \"false\" },\n"
    "    \"partition-table\" : { \"offset\" : \"0x8000\", \"file\" : "
    "\"partition_table/partition-table.bin\", \"encrypted\" : \"false\" },\n"
    "    \"extra_esptool_args\" : { \"after\" : \"hard_reset\", \"before\" : \"default_reset\", "
    "\"stub\" : true, \"chip\" : \"%s\" }\n"
    "}\n", c->bootloader, c->bootloader, c->idf_target);
  write_text (root, "build/flasher_args.json", json);
}

static void
test_idf (gconstpointer data)
{
  const Chip *c = data;
  g_autofree char *root = make_tmp_dir ();
  g_autofree char *build = g_build_filename (root, "build", NULL);
  g_autofree char *json = g_build_filename (build, "flasher_args.json", NULL);
  const Want want[] = {
    { c->bootloader, ESPLASH_PLAN_KIND_BOOTLOADER, "bootloader/bootloader.bin" },
    { 0x8000, ESPLASH_PLAN_KIND_PARTITION_TABLE, "partition_table/partition-table.bin" },
    { 0x10000, ESPLASH_PLAN_KIND_APP, "blink.bin" },
  };
  const char *as_root[] = { root, NULL }, *as_build[] = { build, NULL }, *as_json[] = { json, NULL };
  const char *const *inputs[] = { as_root, as_build, as_json };

  make_idf_build (root, c);
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      /* the chip comes from flasher_args.json when none is given */
      g_autoptr(EsplashFlashPlan) plan = plan_for (inputs[i], NULL);

      assert_plan (plan, want, G_N_ELEMENTS (want));
      g_assert_true (esplash_flash_plan_get_chip (plan) == chip_of (c->family));
      g_assert_cmpstr (esplash_flash_plan_get_flash_mode (plan), ==, "dio");
      g_assert_cmpstr (esplash_flash_plan_get_flash_freq (plan), ==, "40m");
      g_assert_cmpstr (esplash_flash_plan_get_flash_size (plan), ==, "4MB");
      g_assert_nonnull (strstr (esplash_flash_plan_get_entry (plan, 0)->reason,
                                "flasher_args.json"));
      assert_no_refusal (plan);
    }

  /* without flasher_args.json: flash_project_args */
  {
    g_autofree char *args = g_strdup_printf ("--flash_mode dio --flash_freq 40m --flash_size 4MB\n"
                                             "0x%x bootloader/bootloader.bin\n"
                                             "0x10000 blink.bin\n"
                                             "0x8000 partition_table/partition-table.bin\n",
                                             c->bootloader);
    g_autoptr(EsplashFlashPlan) plan = NULL;

    g_assert_cmpint (g_unlink (json), ==, 0);
    write_text (build, "flash_project_args", args);
    plan = plan_for (as_root, chip_of (c->family));
    assert_plan (plan, want, G_N_ELEMENTS (want));
    g_assert_cmpstr (esplash_flash_plan_get_flash_size (plan), ==, "4MB");
    assert_no_refusal (plan);
  }

  /* the three files dropped alone, no description: placed by content */
  {
    g_autofree char *bl = g_build_filename (build, "bootloader", "bootloader.bin", NULL);
    g_autofree char *pt = g_build_filename (build, "partition_table", "partition-table.bin", NULL);
    g_autofree char *app = g_build_filename (build, "blink.bin", NULL);
    const char *files[] = { app, pt, bl, NULL };
    g_autoptr(EsplashFlashPlan) plan = plan_for (files, NULL);

    assert_plan (plan, want, G_N_ELEMENTS (want));
    g_assert_nonnull (strstr (esplash_flash_plan_get_entry (plan, 2)->reason, "factory"));
    assert_no_refusal (plan);
  }
  rm_rf (root);
}

/* ---- Arduino ------------------------------------------------------------ */

static GBytes *
make_merged (const Chip *c,
             GBytes     *bl,
             GBytes     *table,
             GBytes     *ota,
             GBytes     *app)
{
  gsize len = 0x10000 + g_bytes_get_size (app);
  guint8 *d = g_malloc (len);

  memset (d, 0xFF, len);
  memcpy (d + c->bootloader, g_bytes_get_data (bl, NULL), g_bytes_get_size (bl));
  memcpy (d + 0x8000, g_bytes_get_data (table, NULL), g_bytes_get_size (table));
  memcpy (d + 0xE000, g_bytes_get_data (ota, NULL), g_bytes_get_size (ota));
  memcpy (d + 0x10000, g_bytes_get_data (app, NULL), g_bytes_get_size (app));
  return g_bytes_new_take (d, len);
}

static void
test_arduino (gconstpointer data)
{
  const Chip *c = data;
  g_autofree char *root = make_tmp_dir ();
  g_autofree char *fqbn = g_strdup_printf ("build/esp32.esp32.%s", c->idf_target);
  g_autofree char *out = g_build_filename (root, fqbn, NULL);
  g_autofree char *merged_path = g_build_filename (out, "Blink.ino.merged.bin", NULL);
  g_autoptr(GBytes) bl = bootloader_for (c);
  g_autoptr(GBytes) app = app_for (c);
  g_autoptr(GBytes) table = make_table (arduino_default, G_N_ELEMENTS (arduino_default));
  g_autoptr(GBytes) ota = make_boot_app0 ();
  g_autoptr(GBytes) merged = make_merged (c, bl, table, ota, app);
  const Want want[] = {
    { c->bootloader, ESPLASH_PLAN_KIND_BOOTLOADER, "Blink.ino.bootloader.bin" },
    { 0x8000, ESPLASH_PLAN_KIND_PARTITION_TABLE, "Blink.ino.partitions.bin" },
    { 0xE000, ESPLASH_PLAN_KIND_OTADATA, "boot_app0.bin" },
    { 0x10000, ESPLASH_PLAN_KIND_APP, "Blink.ino.bin" },
  };
  const Want want_merged[] = { { 0x0, ESPLASH_PLAN_KIND_MERGED, "Blink.ino.merged.bin" } };
  const char *sketch[] = { root, NULL }, *folder[] = { out, NULL };
  const char *merged_only[] = { merged_path, NULL };

  write_bytes (out, "Blink.ino.bootloader.bin", bl);
  write_bytes (out, "Blink.ino.partitions.bin", table);
  write_bytes (out, "Blink.ino.bin", app);
  write_bytes (out, "Blink.ino.merged.bin", merged);
  write_bytes (out, "boot_app0.bin", ota);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(EsplashFlashPlan) plan = plan_for (i == 0 ? sketch : folder, NULL);
      gboolean saw_merged = FALSE;

      /* the chip is the one the images name */
      g_assert_true (esplash_flash_plan_get_chip (plan) == chip_of (c->family));
      assert_plan (plan, want, G_N_ELEMENTS (want));
      for (guint k = 0; k < esplash_flash_plan_get_n_entries (plan); k++)
        {
          const EsplashPlanEntry *e = esplash_flash_plan_get_entry (plan, k);

          if (e->kind == ESPLASH_PLAN_KIND_MERGED)
            {
              saw_merged = TRUE;
              g_assert_false (e->enabled);
              g_assert_true (e->has_offset);
              g_assert_cmphex (e->offset, ==, 0);
            }
        }
      g_assert_true (saw_merged);
      assert_no_refusal (plan);
    }

  /* the merged file alone is written at 0x0 as is */
  {
    g_autoptr(EsplashFlashPlan) plan = plan_for (merged_only, chip_of (c->family));

    assert_plan (plan, want_merged, 1);
    g_assert_true (g_bytes_equal (esplash_flash_plan_get_entry (plan, 0)->data, merged));
    assert_no_refusal (plan);
  }
  rm_rf (root);
}

/* ---- PlatformIO --------------------------------------------------------- */

static void
test_platformio (gconstpointer data)
{
  const Chip *c = data;
  g_autofree char *root = make_tmp_dir ();
  g_autofree char *env = g_build_filename (root, ".pio", "build", c->idf_target, NULL);
  g_autoptr(GBytes) bl = bootloader_for (c);
  g_autoptr(GBytes) app = app_for (c);
  g_autoptr(GBytes) table = make_table (idf_singleapp, G_N_ELEMENTS (idf_singleapp));
  const Want want[] = {
    { c->bootloader, ESPLASH_PLAN_KIND_BOOTLOADER, "bootloader.bin" },
    { 0x8000, ESPLASH_PLAN_KIND_PARTITION_TABLE, "partitions.bin" },
    { 0x10000, ESPLASH_PLAN_KIND_APP, "firmware.bin" },
  };
  const char *project[] = { root, NULL }, *env_dir[] = { env, NULL };

  write_bytes (env, "bootloader.bin", bl);
  write_bytes (env, "partitions.bin", table);
  write_bytes (env, "firmware.bin", app);
  write_text (env, "firmware.map", "not firmware");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(EsplashFlashPlan) plan = plan_for (i == 0 ? project : env_dir,
                                                   chip_of (c->family));

      assert_plan (plan, want, G_N_ELEMENTS (want));
      assert_no_refusal (plan);
    }
  rm_rf (root);
}

/* ---- ESP Web Tools ------------------------------------------------------ */

static void
test_web_tools (gconstpointer data)
{
  const Chip *c = data;
  g_autofree char *root = make_tmp_dir ();
  g_autofree char *manifest = g_build_filename (root, "manifest.json", NULL);
  g_autoptr(GString) json = g_string_new ("{\n  \"name\": \"Blink\",\n  \"version\": \"1.0\",\n"
                                          "  \"new_install_prompt_erase\": true,\n"
                                          "  \"builds\": [\n");
  const char *as_file[] = { manifest, NULL }, *as_dir[] = { root, NULL };

  /* every chip's build in one manifest; decimal offsets */
  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      const Chip *b = &chips[i];
      g_autoptr(GBytes) bl = bootloader_for (b);
      g_autoptr(GBytes) app = app_for (b);
      g_autoptr(GBytes) table = make_table (arduino_default, G_N_ELEMENTS (arduino_default));
      g_autoptr(GBytes) ota = make_boot_app0 ();
      g_autofree char *bl_name = g_strdup_printf ("%s/bootloader.bin", b->idf_target);
      g_autofree char *pt_name = g_strdup_printf ("%s/partitions.bin", b->idf_target);
      g_autofree char *app_name = g_strdup_printf ("%s/firmware.bin", b->idf_target);

      write_bytes (root, bl_name, bl);
      write_bytes (root, pt_name, table);
      write_bytes (root, "boot_app0.bin", ota);
      write_bytes (root, app_name, app);
      g_string_append_printf (json,
                              "    { \"chipFamily\": \"%s\", \"parts\": [\n"
                              "      { \"path\": \"%s\", \"offset\": %u },\n"
                              "      { \"path\": \"%s\", \"offset\": 32768 },\n"
                              "      { \"path\": \"boot_app0.bin\", \"offset\": 57344 },\n"
                              "      { \"path\": \"%s\", \"offset\": 65536 } ] }%s\n",
                              b->web_family, bl_name, b->bootloader, pt_name, app_name,
                              i + 1 < G_N_ELEMENTS (chips) ? "," : "");
    }
  g_string_append (json, "  ]\n}\n");
  write_text (root, "manifest.json", json->str);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *bl_name = g_strdup_printf ("%s/bootloader.bin", c->idf_target);
      g_autofree char *pt_name = g_strdup_printf ("%s/partitions.bin", c->idf_target);
      g_autofree char *app_name = g_strdup_printf ("%s/firmware.bin", c->idf_target);
      const Want want[] = {
        { c->bootloader, ESPLASH_PLAN_KIND_BOOTLOADER, bl_name },
        { 0x8000, ESPLASH_PLAN_KIND_PARTITION_TABLE, pt_name },
        { 0xE000, ESPLASH_PLAN_KIND_OTADATA, "boot_app0.bin" },
        { 0x10000, ESPLASH_PLAN_KIND_APP, app_name },
      };
      g_autoptr(EsplashFlashPlan) plan = plan_for (i == 0 ? as_file : as_dir, chip_of (c->family));

      assert_plan (plan, want, G_N_ELEMENTS (want));
      g_assert_true (esplash_flash_plan_get_prompt_erase (plan));
      assert_no_refusal (plan);
    }

  /* no chip: the build cannot be picked */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EsplashBundle) bundle = esplash_bundle_new_from_paths (as_file, &error);
    g_autoptr(EsplashFlashPlan) plan = NULL;

    g_assert_no_error (error);
    g_assert_null (esplash_bundle_guess_chip (bundle));
    plan = esplash_bundle_resolve (bundle, NULL, &error);
    g_assert_null (plan);
    g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "ESP32, ESP32-S3, ESP32-C3"));
  }
  rm_rf (root);
}

/* ---- the real images ----------------------------------------------------- */

static char *
shared_image (const char *name)
{
  const char *shared = g_getenv ("ESPLASH_SHARED_DIR");

  g_assert_nonnull (shared);
  return g_build_filename (shared, "testdata", "images", name, NULL);
}

static void
test_real_bootloaders (void)
{
  /* esptool image_info: bootloader_esp32.bin "Chip ID: 0 (ESP32)", no hash;
   * bootloader_esp32c3.bin "Chip ID: 5 (ESP32-C3)", validation hash valid */
  static const struct {
    const char        *file;
    EsplashChipFamily  family;
    guint32            offset;
  } cases[] = {
    { "bootloader_esp32.bin", ESPLASH_CHIP_ESP32, 0x1000 },
    { "bootloader_esp32c3.bin", ESPLASH_CHIP_ESP32C3, 0x0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = shared_image (cases[i].file);
      const char *paths[] = { path, NULL };
      const Want want[] = { { cases[i].offset, ESPLASH_PLAN_KIND_BOOTLOADER, cases[i].file } };
      g_autoptr(EsplashFlashPlan) plan = plan_for (paths, NULL);
      const EsplashPlanEntry *e;

      assert_plan (plan, want, 1);
      e = esplash_flash_plan_get_entry (plan, 0);
      g_assert_cmpint (e->image_chip_id, ==, chip_of (cases[i].family)->image_chip_id);
      g_assert_true (esplash_flash_plan_get_chip (plan) == chip_of (cases[i].family));
      g_assert_nonnull (strstr (e->reason, "bootloader offset"));
      assert_no_refusal (plan);
    }
}

static void
test_real_wrong_chip (void)
{
  g_autofree char *path = shared_image ("bootloader_esp32.bin");
  const char *paths[] = { path, NULL };
  g_autoptr(EsplashFlashPlan) plan = plan_for (paths, chip_of (ESPLASH_CHIP_ESP32S3));
  g_autoptr(GError) error = NULL;
  const EsplashPlanFinding *f;

  f = esplash_flash_plan_find_finding (plan, ESPLASH_PLAN_CHECK_CHIP_MISMATCH, 0);
  g_assert_nonnull (f);
  g_assert_cmpint (f->severity, ==, ESPLASH_PLAN_REFUSAL_OVERRIDABLE);
  g_assert_nonnull (strstr (f->message, "is an image for ESP32 (chip id 0)"));
  g_assert_false (esplash_flash_plan_ensure_writable (plan, FALSE, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED_CHIP);
  g_assert_nonnull (strstr (error->message, "--force"));
  g_clear_error (&error);
  g_assert_true (esplash_flash_plan_ensure_writable (plan, TRUE, &error));
  g_assert_no_error (error);
}

/* esptool image_info: esp32s3_header.bin has "legacy min_rev = 10" and max
 * v0.0 (legacy rule: major revision ≥ 10); esp32c3_header_min_rev.bin has
 * min v2.55, max v655.35 (full rule). */
static void
test_real_revisions (void)
{
  static const struct {
    const char        *file;
    EsplashChipFamily  family;
    guint              revision;
    gboolean           refused;
  } cases[] = {
    { "esp32s3_header.bin", ESPLASH_CHIP_ESP32S3, 0, TRUE },
    { "esp32s3_header.bin", ESPLASH_CHIP_ESP32S3, 902, TRUE },
    { "esp32s3_header.bin", ESPLASH_CHIP_ESP32S3, 1000, FALSE },
    { "esp32c3_header_min_rev.bin", ESPLASH_CHIP_ESP32C3, 3, TRUE },
    { "esp32c3_header_min_rev.bin", ESPLASH_CHIP_ESP32C3, 254, TRUE },
    { "esp32c3_header_min_rev.bin", ESPLASH_CHIP_ESP32C3, 255, FALSE },
    { "esp32c3_header_min_rev.bin", ESPLASH_CHIP_ESP32C3, 400, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = shared_image (cases[i].file);
      g_autoptr(GError) error = NULL;
      g_autoptr(EsplashBundle) bundle = NULL;
      g_autoptr(EsplashFlashPlan) plan = NULL;
      EsplashPlanTarget target;
      const EsplashPlanFinding *f;

      bundle = esplash_bundle_new ();
      g_assert_true (esplash_bundle_add_file_at (bundle, 0x0, path, &error));
      esplash_plan_target_init (&target);
      target.chip = chip_of (cases[i].family);
      target.revision = cases[i].revision;
      plan = esplash_bundle_resolve (bundle, &target, &error);
      g_assert_no_error (error);
      dump_plan (plan);
      f = esplash_flash_plan_find_finding (plan, ESPLASH_PLAN_CHECK_REVISION, -1);
      if (!cases[i].refused)
        {
          g_assert_null (f);
          continue;
        }
      g_assert_nonnull (f);
      g_assert_cmpint (f->severity, ==, ESPLASH_PLAN_REFUSAL_OVERRIDABLE);
      g_assert_nonnull (strstr (f->message, cases[i].family == ESPLASH_CHIP_ESP32S3
                                              ? "revision 10 or higher" : "v2.55 to no maximum"));
      g_assert_false (esplash_flash_plan_ensure_writable (plan, FALSE, &error));
      g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED_CHIP);
    }
}

static void
test_real_partition_table (void)
{
  /* partitions_singleapp.bin (bytes): factory app at 0x10000, 1 MiB */
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *table = shared_image ("partitions_singleapp.bin");
  g_autofree char *app_path = g_build_filename (dir, "hello.bin", NULL);
  g_autoptr(GBytes) app = app_for (&chips[0]);
  const char *paths[] = { table, app_path, NULL };
  const Want want[] = {
    { 0x8000, ESPLASH_PLAN_KIND_PARTITION_TABLE, "partitions_singleapp.bin" },
    { 0x10000, ESPLASH_PLAN_KIND_APP, "hello.bin" },
  };
  g_autoptr(EsplashFlashPlan) plan = NULL;

  write_bytes (dir, "hello.bin", app);
  plan = plan_for (paths, NULL);
  assert_plan (plan, want, G_N_ELEMENTS (want));
  g_assert_nonnull (strstr (esplash_flash_plan_get_entry (plan, 1)->reason,
                            "factory partition “factory” at 0x10000"));
  assert_no_refusal (plan);
  rm_rf (dir);
}

static void
test_real_data_files (void)
{
  g_autofree char *one_kb = shared_image ("one_kb.bin");
  g_autofree char *esp8266 = shared_image ("bootloader_esp8266.bin");
  const char *unknown[] = { one_kb, NULL }, *e8266[] = { esp8266, NULL };
  g_autoptr(EsplashFlashPlan) plan = plan_for (unknown, chip_of (ESPLASH_CHIP_ESP32));
  g_autoptr(EsplashFlashPlan) plan8266 = NULL;
  g_autoptr(GError) error = NULL;
  const Want want[] = { { 0x0, ESPLASH_PLAN_KIND_BOOTLOADER, "bootloader_esp8266.bin" } };

  /* a 1 KiB data file has no place until the user gives one */
  dump_plan (plan);
  g_assert_nonnull (esplash_flash_plan_find_finding (plan, ESPLASH_PLAN_CHECK_NO_OFFSET, 0));
  g_assert_false (esplash_flash_plan_ensure_writable (plan, TRUE, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "give its offset"));
  g_clear_error (&error);
  esplash_flash_plan_set_offset (plan, 0, 0x300000);
  g_assert_true (esplash_flash_plan_get_entry (plan, 0)->user_override);
  g_assert_cmpuint (esplash_flash_plan_check (plan, NULL), ==, 0);
  assert_no_refusal (plan);

  /* esptool image_info: an ESP8266 image; the ESP8266 boots from 0x0 */
  plan8266 = plan_for (e8266, chip_of (ESPLASH_CHIP_ESP8266));
  assert_plan (plan8266, want, 1);
  assert_no_refusal (plan8266);
}

/* ---- plan API ------------------------------------------------------------ */

static void
test_plan_regions_and_text (void)
{
  g_autofree char *root = make_tmp_dir ();
  g_autofree char *build = g_build_filename (root, "build", NULL);
  const char *paths[] = { build, NULL };
  g_autoptr(EsplashFlashPlan) plan = NULL;
  g_autoptr(GPtrArray) regions = NULL;
  g_auto(GStrv) lines = NULL;
  const EsplashFlashRegion *r;

  make_idf_build (root, &chips[1]);
  plan = plan_for (paths, NULL);
  esplash_flash_plan_set_enabled (plan, 1, FALSE);
  regions = esplash_flash_plan_dup_regions (plan);
  g_assert_cmpuint (regions->len, ==, 2);
  r = g_ptr_array_index (regions, 1);
  g_assert_cmphex (r->address, ==, 0x10000);
  g_assert_true (g_bytes_equal (r->data, esplash_flash_plan_get_entry (plan, 2)->data));

  lines = esplash_flash_plan_format (plan);
  g_assert_true (g_str_has_prefix (lines[0], "Firmware: ESP-IDF build ("));
  g_assert_nonnull (strstr (lines[0], "for ESP32-S3"));
  g_assert_nonnull (strstr (lines[1], "mode dio, frequency 40m, size 4MB"));
  g_assert_true (g_str_has_prefix (lines[2], "0x00000000  bootloader"));
  g_assert_true (g_str_has_prefix (lines[3], "[skipped] 0x00008000  partition-table"));
  g_assert_nonnull (strstr (lines[4], "app “blink” 1.0.0"));
  rm_rf (root);
}

/* One JSON value, then only white space (or a comment, which json-glib
 * takes as white space): accepted, as is a byte order mark before it. */
static void
test_json_trailing_space (void)
{
  static const char flasher_args[] =
    "\xEF\xBB\xBF{ \"flash_files\": { \"0x10000\": \"app.bin\", \"0x1000\": \"b}[l\\\"'.bin\" },\n"
    "  /* { [ \" not JSON */ \"extra\": '}' }\n\n \t\r\n/* written by hand */\n";
  static const char manifest[] =
    "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [ { \"path\": \"a.bin\", "
    "\"offset\": 65536 } ] } ] }\r\n\r\n   ";
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashFlasherArgs) args = NULL;
  g_autoptr(EsplashManifest) m = NULL;
  const EsplashFlasherArgsFile *f;

  args = esplash_flasher_args_parse_json (flasher_args, sizeof flasher_args - 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (args);
  g_assert_cmpuint (args->files->len, ==, 2);
  f = g_ptr_array_index (args->files, 0);
  g_assert_cmpstr (f->path, ==, "app.bin");
  f = g_ptr_array_index (args->files, 1);
  g_assert_cmpstr (f->path, ==, "b}[l\"'.bin");

  m = esplash_manifest_parse (manifest, sizeof manifest - 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  g_assert_cmpuint (m->builds->len, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      const char *id = chips[i].idf_target;
      g_autofree char *idf = g_strdup_printf ("/esplash/bundle/idf/%s", id);
      g_autofree char *ard = g_strdup_printf ("/esplash/bundle/arduino/%s", id);
      g_autofree char *pio = g_strdup_printf ("/esplash/bundle/platformio/%s", id);
      g_autofree char *web = g_strdup_printf ("/esplash/bundle/web-tools/%s", id);

      g_test_add_data_func (idf, &chips[i], test_idf);
      g_test_add_data_func (ard, &chips[i], test_arduino);
      g_test_add_data_func (pio, &chips[i], test_platformio);
      g_test_add_data_func (web, &chips[i], test_web_tools);
    }
  g_test_add_func ("/esplash/bundle/real/bootloaders", test_real_bootloaders);
  g_test_add_func ("/esplash/bundle/real/wrong-chip", test_real_wrong_chip);
  g_test_add_func ("/esplash/bundle/real/revisions", test_real_revisions);
  g_test_add_func ("/esplash/bundle/real/partition-table", test_real_partition_table);
  g_test_add_func ("/esplash/bundle/real/data-files", test_real_data_files);
  g_test_add_func ("/esplash/bundle/plan/regions-and-text", test_plan_regions_and_text);
  g_test_add_func ("/esplash/bundle/json/trailing-space", test_json_trailing_space);
  return g_test_run ();
}
