/* test-image.c: firmware image parsing and flash-parameter patching.
 *
 * Expected numbers for the real images come from the real esptool v4.8.1:
 *   /usr/bin/python3 /opt/esptool-4.8.1/esptool.py --chip <chip> image_info --version 2 <file>
 * (entry, segments, checksum, hash validity, revisions), and data lengths and
 * digests from the file bytes (python3 hashlib, run once). Synthesized images
 * are built here with their checksum and digest computed independently.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"

static GBytes *
load_image (const char *name)
{
  const char *shared = g_getenv ("ESPLASH_SHARED_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_assert_nonnull (shared);
  path = g_build_filename (shared, "testdata", "images", name, NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static const EsplashChipInfo *
chip (EsplashChipFamily family)
{
  const EsplashChipInfo *c = esplash_chip_get (family);

  g_assert_nonnull (c);
  return c;
}

static gboolean
parse_bytes (GBytes                 *bytes,
             const EsplashChipInfo  *c,
             EsplashImageInfo       *info,
             GError                **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return esplash_image_parse (data, len, c, info, error);
}

static void
sha256 (const guint8 *data,
        gsize         len,
        guint8        out[32])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize n = 32;

  g_checksum_update (sum, data, (gssize) len);
  g_checksum_get_digest (sum, out, &n);
  g_assert_cmpuint (n, ==, 32);
}

static void
assert_segment (const EsplashImageInfo *info,
                guint                   i,
                guint32                 size,
                guint32                 load,
                guint32                 header_offset)
{
  /* esptool's "File offs" is where the segment header starts */
  g_assert_cmpuint (i, <, info->n_segments);
  g_assert_cmphex (info->segments[i].size, ==, size);
  g_assert_cmphex (info->segments[i].load_address, ==, load);
  g_assert_cmphex (info->segments[i].file_offset, ==, header_offset + 8);
}

/* ---- real images ------------------------------------------------------ */

static void
check_bootloader_esp32 (const EsplashImageInfo *info)
{
  g_assert_cmphex (info->magic, ==, 0xE9);
  g_assert_cmphex (info->entry, ==, 0x4009816c);
  g_assert_cmpuint (info->n_segments, ==, 4);
  g_assert_cmpuint (info->flash_mode, ==, 2);            /* DIO */
  g_assert_cmphex (info->flash_size_freq, ==, 0x10);     /* 2MB, 40m */
  g_assert_true (info->has_extended_header);
  g_assert_cmpuint (info->chip_id, ==, 0);
  g_assert_cmpuint (info->wp_pin, ==, 0);
  g_assert_cmpuint (info->min_rev, ==, 0);
  g_assert_cmpuint (info->min_rev_full, ==, 0);
  g_assert_cmpuint (info->max_rev_full, ==, 0);
  g_assert_false (info->hash_appended);
  assert_segment (info, 0, 0x00000, 0x3ffc0000, 0x18);
  assert_segment (info, 1, 0x00b3c, 0x3ffc0000, 0x20);
  assert_segment (info, 2, 0x01068, 0x40078000, 0xb64);
  assert_segment (info, 3, 0x002e4, 0x40098000, 0x1bd4);
  g_assert_cmphex (info->checksum_stored, ==, 0x83);
  g_assert_cmphex (info->checksum_computed, ==, 0x83);
  g_assert_cmpuint (info->data_length, ==, 7888);        /* whole file, no digest */
  g_assert_false (info->has_app_desc);
}

static void
test_bootloader_esp32 (void)
{
  g_autoptr(GBytes) img = load_image ("bootloader_esp32.bin");
  g_autoptr(GError) error = NULL;
  EsplashImageInfo info;

  g_assert_true (parse_bytes (img, chip (ESPLASH_CHIP_ESP32), &info, &error));
  g_assert_no_error (error);
  check_bootloader_esp32 (&info);

  /* without a chip the extended header is recognised from the bytes */
  g_assert_true (parse_bytes (img, NULL, &info, &error));
  g_assert_no_error (error);
  check_bootloader_esp32 (&info);
}

static void
test_bootloader_esp32c3 (void)
{
  g_autoptr(GBytes) img = load_image ("bootloader_esp32c3.bin");
  g_autoptr(GError) error = NULL;
  static const guint8 digest[32] = {
    0x4f, 0xae, 0xab, 0x1b, 0xd3, 0xfd, 0x6a, 0x7d, 0x4a, 0xdf, 0xa0, 0xfd, 0x38, 0xf4, 0x1b, 0xfc,
    0x67, 0xa8, 0xc3, 0xc0, 0xa9, 0xd6, 0xd8, 0x82, 0xb6, 0x55, 0x80, 0xda, 0x2e, 0x5e, 0x63, 0x47,
  };
  EsplashImageInfo info;

  g_assert_true (parse_bytes (img, chip (ESPLASH_CHIP_ESP32C3), &info, &error));
  g_assert_no_error (error);
  g_assert_cmphex (info.entry, ==, 0x403c0000);
  g_assert_cmpuint (info.n_segments, ==, 4);
  g_assert_cmpuint (info.flash_mode, ==, 2);
  g_assert_cmphex (info.flash_size_freq, ==, 0x10);
  g_assert_cmphex (info.wp_pin, ==, 0xee);
  g_assert_cmpuint (info.chip_id, ==, 5);
  g_assert_cmpuint (info.min_rev_full, ==, 0);
  g_assert_cmpuint (info.max_rev_full, ==, 0);
  assert_segment (&info, 0, 0x00014, 0x3fcd6100, 0x18);
  assert_segment (&info, 1, 0x01864, 0x3fcd6114, 0x34);
  assert_segment (&info, 2, 0x00de4, 0x403c0000, 0x18a0);
  assert_segment (&info, 3, 0x01e8c, 0x403c2000, 0x268c);
  g_assert_cmphex (info.checksum_stored, ==, 0x77);
  g_assert_cmphex (info.checksum_computed, ==, 0x77);
  g_assert_true (info.hash_appended);
  g_assert_cmpuint (info.data_length, ==, 17744 - 32);
  g_assert_true (info.sha256_valid);
  g_assert_cmpmem (info.sha256_stored, 32, digest, 32);

  /* an image for another chip parses; the chip id tells the caller */
  g_assert_true (parse_bytes (img, chip (ESPLASH_CHIP_ESP32), &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.chip_id, ==, 5);
}

static void
check_bootloader_esp8266 (const EsplashImageInfo *info)
{
  g_assert_cmphex (info->magic, ==, 0xE9);
  g_assert_false (info->has_extended_header);
  g_assert_false (info->hash_appended);
  g_assert_cmphex (info->entry, ==, 0x40100294);
  g_assert_cmpuint (info->n_segments, ==, 3);
  g_assert_cmpuint (info->flash_mode, ==, 0);            /* QIO */
  g_assert_cmphex (info->flash_size_freq, ==, 0x00);     /* 512KB, 40m */
  assert_segment (info, 0, 0x574, 0x40100000, 0x8);
  assert_segment (info, 1, 0x308, 0x3ffe8000, 0x584);
  assert_segment (info, 2, 0x21c, 0x3ffe8308, 0x894);
  g_assert_cmphex (info->checksum_stored, ==, 0xc0);
  g_assert_cmphex (info->checksum_computed, ==, 0xc0);
  g_assert_cmpuint (info->data_length, ==, 2752);
}

static void
test_bootloader_esp8266 (void)
{
  g_autoptr(GBytes) img = load_image ("bootloader_esp8266.bin");
  g_autoptr(GError) error = NULL;
  EsplashImageInfo info;

  g_assert_true (parse_bytes (img, chip (ESPLASH_CHIP_ESP8266), &info, &error));
  g_assert_no_error (error);
  check_bootloader_esp8266 (&info);

  /* bytes 8–23 are a segment header here, not an extended header */
  g_assert_true (parse_bytes (img, NULL, &info, &error));
  g_assert_no_error (error);
  check_bootloader_esp8266 (&info);
}

static void
test_esp8266_deepsleep (void)
{
  g_autoptr(GBytes) img = load_image ("esp8266_deepsleep.bin");
  g_autoptr(GError) error = NULL;
  EsplashImageInfo info;

  g_assert_true (parse_bytes (img, chip (ESPLASH_CHIP_ESP8266), &info, &error));
  g_assert_no_error (error);
  g_assert_cmphex (info.entry, ==, 0x4010f29c);
  g_assert_cmpuint (info.n_segments, ==, 1);
  g_assert_cmpuint (info.flash_mode, ==, 2);             /* DIO */
  g_assert_cmphex (info.flash_size_freq, ==, 0x40);      /* 4MB, 40m */
  assert_segment (&info, 0, 0x568, 0x4010f000, 0x8);
  g_assert_cmphex (info.checksum_stored, ==, 0x2d);
  g_assert_cmphex (info.checksum_computed, ==, 0x2d);
  /* 8 + 8 + 0x568 = 0x578; checksum at 0x57f; the IROM data follows */
  g_assert_cmphex (info.data_length, ==, 0x580);
}

static void
test_headers (void)
{
  g_autoptr(GBytes) s3 = load_image ("esp32s3_header.bin");
  g_autoptr(GBytes) c3 = load_image ("esp32c3_header_min_rev.bin");
  g_autoptr(GError) error = NULL;
  EsplashImageInfo info;

  g_assert_true (parse_bytes (s3, chip (ESPLASH_CHIP_ESP32S3), &info, &error));
  g_assert_no_error (error);
  g_assert_cmphex (info.entry, ==, 0xdeadbeef);
  g_assert_cmpuint (info.chip_id, ==, 9);
  g_assert_cmpuint (info.min_rev, ==, 10);
  g_assert_cmpuint (info.min_rev_full, ==, 0);
  g_assert_cmpuint (info.max_rev_full, ==, 0);
  g_assert_cmpuint (info.n_segments, ==, 1);
  assert_segment (&info, 0, 0, 0xdeadbeef, 0x18);
  g_assert_cmphex (info.checksum_stored, ==, 0xef);
  g_assert_cmphex (info.checksum_computed, ==, 0xef);
  g_assert_cmpuint (info.data_length, ==, 48);

  g_assert_true (parse_bytes (c3, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.chip_id, ==, 5);
  g_assert_cmpuint (info.min_rev, ==, 0);
  g_assert_cmpuint (info.min_rev_full, ==, 255);         /* v2.55 */
  g_assert_cmpuint (info.max_rev_full, ==, 65535);       /* v655.35 */
  g_assert_cmphex (info.checksum_computed, ==, 0xef);
}

/* ---- synthesized images ----------------------------------------------- */

static void
put_u32 (GByteArray *a,
         guint32     v)
{
  guint8 b[4] = { v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24 };

  g_byte_array_append (a, b, 4);
}

typedef struct {
  guint32       load_address;
  const guint8 *data;
  guint32       len;
} TestSegment;

/* An ESP32-family image holding @segs (checksum and, when @hash, the digest
 * computed here). */
static GBytes *
build_segments_image (guint16            chip_id,
                      const TestSegment *segs,
                      guint              n_segs,
                      gboolean           hash)
{
  GByteArray *a = g_byte_array_new ();
  guint8 header[8] = { 0xE9, n_segs, 2, 0x20, 0x00, 0x00, 0x08, 0x40 };
  guint8 ext[16] = { 0xEE, 0, 0, 0, chip_id & 0xFF, chip_id >> 8, 0, 0, 0, 0xFF, 0xFF };
  guint8 cks = 0xEF;
  guint8 zero = 0;

  ext[15] = hash ? 1 : 0;
  g_byte_array_append (a, header, 8);
  g_byte_array_append (a, ext, 16);
  for (guint s = 0; s < n_segs; s++)
    {
      put_u32 (a, segs[s].load_address);
      put_u32 (a, segs[s].len);
      g_byte_array_append (a, segs[s].data, segs[s].len);
      for (guint32 i = 0; i < segs[s].len; i++)
        cks ^= segs[s].data[i];
    }
  while (a->len % 16 != 15)
    g_byte_array_append (a, &zero, 1);
  g_byte_array_append (a, &cks, 1);
  if (hash)
    {
      guint8 d[32];

      sha256 (a->data, a->len, d);
      g_byte_array_append (a, d, 32);
    }
  return g_byte_array_free_to_bytes (a);
}

/* An ESP32-family image with one segment (in ESP32 DROM) holding @seg. */
static GBytes *
build_esp32_image (guint16       chip_id,
                   const guint8 *seg,
                   guint32       seg_len,
                   gboolean      hash)
{
  TestSegment one = { 0x3F400020, seg, seg_len };

  return build_segments_image (chip_id, &one, 1, hash);
}

static void
test_app_desc (void)
{
  guint8 desc[256] = { 0x32, 0x54, 0xCD, 0xAB };   /* 0xABCD5432 little-endian */
  g_autoptr(GBytes) img = NULL;
  g_autoptr(GError) error = NULL;
  EsplashImageInfo info;

  memcpy (desc + 16, "v5.1-dirty", 10);
  /* 32 chars, no NUL: must be cut at the field, not run into "time" */
  memcpy (desc + 48, "a_project_name_of_32_characters!", 32);
  memcpy (desc + 80, "12:34:56", 8);
  memcpy (desc + 96, "Jan  1 2025", 11);
  memcpy (desc + 112, "v5.3.1\x01x", 8);                /* control byte is masked */
  img = build_esp32_image (9, desc, sizeof desc, TRUE);

  g_assert_true (parse_bytes (img, chip (ESPLASH_CHIP_ESP32S3), &info, &error));
  g_assert_no_error (error);
  g_assert_true (info.hash_appended);
  g_assert_true (info.sha256_valid);
  g_assert_true (info.has_app_desc);
  g_assert_cmpstr (info.version, ==, "v5.1-dirty");
  g_assert_cmpstr (info.project_name, ==, "a_project_name_of_32_characters!");
  g_assert_cmpstr (info.compile_time, ==, "12:34:56");
  g_assert_cmpstr (info.compile_date, ==, "Jan  1 2025");
  g_assert_cmpstr (info.idf_version, ==, "v5.3.1?x");

  /* a segment too short for the description is not one */
  g_clear_pointer (&img, g_bytes_unref);
  img = build_esp32_image (9, desc, 100, FALSE);
  g_assert_true (parse_bytes (img, chip (ESPLASH_CHIP_ESP32S3), &info, &error));
  g_assert_no_error (error);
  g_assert_false (info.has_app_desc);
}

/* ---- bootloader description (ESP-IDF >= 5.2) --------------------------- */

#define BOOT_DESC_LEN 80

/* esp_bootloader_desc_t: magic 0x50, 3 reserved bytes, version (u32 LE),
 * idf_ver[32] at 8, date_time[24] at 40, 16 reserved bytes at 64. Strings
 * are copied without their NUL when they fill the field. */
static void
fill_boot_desc (guint8      *desc,
                guint32      version,
                const char  *idf_ver,
                const char  *date_time)
{
  memset (desc, 0, BOOT_DESC_LEN);
  desc[0] = 0x50;
  desc[4] = version & 0xFF;
  desc[5] = (version >> 8) & 0xFF;
  desc[6] = (version >> 16) & 0xFF;
  desc[7] = version >> 24;
  memcpy (desc + 8, idf_ver, MIN (strlen (idf_ver), 32));
  memcpy (desc + 40, date_time, MIN (strlen (date_time), 24));
}

/* Parses @img (with @c) and returns its bootloader description, or NULL. */
static const EsplashImageBootloaderDesc *
parse_boot_desc (GBytes                *img,
                 const EsplashChipInfo *c,
                 EsplashImageInfo      *info)
{
  g_autoptr(GError) error = NULL;
  const EsplashImageBootloaderDesc *desc;

  g_assert_true (parse_bytes (img, c, info, &error));
  g_assert_no_error (error);
  desc = esplash_image_info_get_bootloader_desc (info);
  g_assert_true (info->has_bootloader_desc == (desc != NULL));
  g_assert_true (desc == NULL || desc == &info->bootloader_desc);
  return desc;
}

static const guint8 some_code[96] = { 0x36, 0x41, 0x00, 0x0c, 0x08 };

static void
test_bootloader_desc (void)
{
  guint8 dram[BOOT_DESC_LEN + 48];
  TestSegment segs[] = {
    { 0x3FFF0030, dram, sizeof dram },             /* DRAM: the description first */
    { 0x40078000, some_code, sizeof some_code },
    { 0x40080400, some_code, sizeof some_code },
  };
  g_autoptr(GBytes) img = NULL;
  const EsplashImageBootloaderDesc *desc;
  EsplashImageInfo info;

  /* the fields of esptool's test/images/bootloader_esp32_v5_2.bin */
  memset (dram, 0xA5, sizeof dram);
  fill_boot_desc (dram, 1, "v5.2-dev-254-g1950b15", "Apr 25 2023 00:13:32");
  img = build_segments_image (0, segs, G_N_ELEMENTS (segs), FALSE);

  desc = parse_boot_desc (img, chip (ESPLASH_CHIP_ESP32), &info);
  g_assert_nonnull (desc);
  g_assert_false (info.has_app_desc);
  g_assert_cmpuint (desc->version, ==, 1);
  g_assert_cmpstr (desc->idf_version, ==, "v5.2-dev-254-g1950b15");
  g_assert_cmpstr (desc->date_time, ==, "Apr 25 2023 00:13:32");
  /* without a chip the image's own chip id picks the memory map */
  desc = parse_boot_desc (img, NULL, &info);
  g_assert_nonnull (desc);
  g_assert_cmpstr (desc->idf_version, ==, "v5.2-dev-254-g1950b15");

  /* a 32-bit version, and reserved bytes in use (newer ESP-IDF) */
  fill_boot_desc (dram, 0x01020304, "v6.0", "");
  dram[3] = 7;
  memset (dram + 64, 0x11, 16);
  g_clear_pointer (&img, g_bytes_unref);
  img = build_segments_image (0, segs, G_N_ELEMENTS (segs), TRUE);
  desc = parse_boot_desc (img, NULL, &info);
  g_assert_nonnull (desc);
  g_assert_cmphex (desc->version, ==, 0x01020304);
  g_assert_cmpstr (desc->idf_version, ==, "v6.0");
  g_assert_cmpstr (desc->date_time, ==, "");            /* build time left out */
}

/* For every chip: a bootloader whose segment 0 is in DRAM has the
 * description; the same segments plus one in DROM are an app, which has not. */
static void
test_bootloader_desc_chips (void)
{
  static const struct {
    EsplashChipFamily family;
    guint32 dram, iram, drom;
  } cases[] = {
    { ESPLASH_CHIP_ESP32,    0x3FFF0030, 0x40080400, 0x3F400020 },
    { ESPLASH_CHIP_ESP32S2,  0x3FFE6100, 0x4004C000, 0x3F000020 },
    { ESPLASH_CHIP_ESP32S3,  0x3FCEB700, 0x403C8700, 0x3C000020 },
    { ESPLASH_CHIP_ESP32C2,  0x3FCD5820, 0x403AC000, 0x3C000020 },
    { ESPLASH_CHIP_ESP32C3,  0x3FCD5820, 0x403CC710, 0x3C000020 },
    /* C5, C6, C61, H2, P4: IRAM and DRAM share addresses */
    { ESPLASH_CHIP_ESP32C5,  0x4084E5A0, 0x40846000, 0x42000020 },
    { ESPLASH_CHIP_ESP32C6,  0x40875720, 0x4086C410, 0x42000020 },
    { ESPLASH_CHIP_ESP32C61, 0x4084E5A0, 0x40846000, 0x42000020 },
    { ESPLASH_CHIP_ESP32H2,  0x4083CE00, 0x40834000, 0x42000020 },
    { ESPLASH_CHIP_ESP32P4,  0x4FF2CBD0, 0x4FF10000, 0x40000020 },
  };
  guint8 dram[BOOT_DESC_LEN];

  fill_boot_desc (dram, 2, "v5.4.1", "Mar  3 2025 10:20:30");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const EsplashChipInfo *c = chip (cases[i].family);
      TestSegment segs[] = {
        { cases[i].dram, dram, sizeof dram },     /* exactly the 80 bytes */
        { cases[i].iram, some_code, sizeof some_code },
        { cases[i].drom, some_code, sizeof some_code },
      };
      g_autoptr(GBytes) boot = build_segments_image (c->image_chip_id, segs, 2, TRUE);
      g_autoptr(GBytes) app = build_segments_image (c->image_chip_id, segs, 3, TRUE);
      const EsplashImageBootloaderDesc *desc;
      EsplashImageInfo info;

      g_test_message ("%s", c->name);
      desc = parse_boot_desc (boot, NULL, &info);
      g_assert_nonnull (desc);
      g_assert_cmpuint (desc->version, ==, 2);
      g_assert_cmpstr (desc->idf_version, ==, "v5.4.1");
      g_assert_cmpstr (desc->date_time, ==, "Mar  3 2025 10:20:30");
      g_assert_null (parse_boot_desc (app, c, &info));
    }
}

static void
test_bootloader_desc_absent (void)
{
  static const char *const real[] = {
    "bootloader_esp32.bin", "bootloader_esp32c3.bin", "bootloader_esp8266.bin",
    "esp32s3_header.bin", "esp32c3_header_min_rev.bin",
  };
  guint8 app_desc[256] = { 0x32, 0x54, 0xCD, 0xAB };
  guint8 boot_desc[BOOT_DESC_LEN];
  EsplashImageInfo info;

  /* the bootloaders here predate ESP-IDF 5.2 */
  for (guint i = 0; i < G_N_ELEMENTS (real); i++)
    {
      g_autoptr(GBytes) img = load_image (real[i]);

      g_test_message ("%s", real[i]);
      g_assert_null (parse_boot_desc (img, NULL, &info));
    }

  /* an app: its DROM segment 0 holds the app description, and a DRAM
   * segment that happens to start like a bootloader description is data */
  fill_boot_desc (boot_desc, 1, "v5.2", "Apr 25 2023 00:13:32");
  memcpy (app_desc + 112, "v5.2", 4);
  {
    TestSegment segs[] = {
      { 0x3F400020, app_desc, sizeof app_desc },
      { 0x3FFB0000, boot_desc, sizeof boot_desc },
    };
    g_autoptr(GBytes) img = build_segments_image (0, segs, 2, TRUE);

    g_assert_null (parse_boot_desc (img, chip (ESPLASH_CHIP_ESP32), &info));
    g_assert_true (info.has_app_desc);
  }
  /* the description in IRAM, or in a later DRAM segment, is not one */
  {
    TestSegment segs[] = {
      { 0x3FFB0000, some_code, sizeof some_code },
      { 0x3FFB1000, boot_desc, sizeof boot_desc },
    };
    TestSegment iram = { 0x40080000, boot_desc, sizeof boot_desc };
    g_autoptr(GBytes) later = build_segments_image (0, segs, 2, FALSE);
    g_autoptr(GBytes) in_iram = build_segments_image (0, &iram, 1, FALSE);

    g_assert_null (parse_boot_desc (later, NULL, &info));
    g_assert_null (parse_boot_desc (in_iram, NULL, &info));
  }
  /* a chip Esplash does not know (ESP32-H4, id 28): no memory map */
  {
    TestSegment dram = { 0x40810000, boot_desc, sizeof boot_desc };
    g_autoptr(GBytes) img = build_segments_image (28, &dram, 1, FALSE);

    g_assert_null (parse_boot_desc (img, chip (ESPLASH_CHIP_ESP32C6), &info));
  }
}

static void
test_bootloader_desc_garbled (void)
{
  guint8 d[BOOT_DESC_LEN];
  TestSegment seg = { 0x3FFF0030, d, sizeof d };
  const EsplashImageBootloaderDesc *desc;
  EsplashImageInfo info;

  /* wrong magic */
  fill_boot_desc (d, 1, "v5.2", "Apr 25 2023 00:13:32");
  d[0] = 0x51;
  {
    g_autoptr(GBytes) img = build_segments_image (0, &seg, 1, FALSE);

    g_assert_null (parse_boot_desc (img, NULL, &info));
  }

  /* a segment one byte too short for the description */
  d[0] = 0x50;
  seg.len = BOOT_DESC_LEN - 1;
  {
    g_autoptr(GBytes) img = build_segments_image (0, &seg, 1, FALSE);

    g_assert_null (parse_boot_desc (img, NULL, &info));
  }
  seg.len = BOOT_DESC_LEN;

  /* both strings fill their fields (no NUL) and are followed by non-zero
   * bytes; a control byte and a non-ASCII byte read as '?' */
  fill_boot_desc (d, 1, "v5.2.1-123-gabcdef0-dirty-xx\x01y\xffz", "Dec 31 2099 23:59:59 UTC");
  memset (d + 64, 'R', 16);
  {
    g_autoptr(GBytes) img = build_segments_image (0, &seg, 1, TRUE);

    desc = parse_boot_desc (img, NULL, &info);
    g_assert_nonnull (desc);
    g_assert_cmpstr (desc->idf_version, ==, "v5.2.1-123-gabcdef0-dirty-xx?y?z");
    g_assert_cmpstr (desc->date_time, ==, "Dec 31 2099 23:59:59 UTC");
  }

  /* a file that ends inside the description is not an image at all */
  {
    g_autoptr(GBytes) img = build_segments_image (0, &seg, 1, FALSE);
    gsize len;
    const guint8 *data = g_bytes_get_data (img, &len);
    g_autoptr(GError) error = NULL;

    memset (&info, 0xAA, sizeof info);
    g_assert_false (esplash_image_parse (data, 24 + 8 + 40, NULL, &info, &error));
    g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
    g_assert_false (info.has_bootloader_desc);
    g_assert_null (esplash_image_info_get_bootloader_desc (&info));
  }
}

static GByteArray *
build_esp8266_v2 (guint8 second_magic)
{
  GByteArray *a = g_byte_array_new ();
  guint8 h1[8] = { 0xEA, 4, 0, 0x20, 0x04, 0x10, 0x10, 0x40 };
  guint8 h2[8] = { 0xE9, 2, 3, 0x21, 0x94, 0x02, 0x10, 0x40 };
  guint8 irom[32], ram[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
  guint8 cks = 0xEF, zero = 0;

  h2[0] = second_magic;
  memset (irom, 0x5A, sizeof irom);
  g_byte_array_append (a, h1, 8);
  put_u32 (a, 0);
  put_u32 (a, sizeof irom);
  g_byte_array_append (a, irom, sizeof irom);
  g_byte_array_append (a, h2, 8);
  put_u32 (a, 0x40100000);
  put_u32 (a, 8);
  g_byte_array_append (a, ram, 8);
  put_u32 (a, 0x3FFE8000);
  put_u32 (a, 4);
  g_byte_array_append (a, ram + 8, 4);
  for (guint i = 0; i < sizeof ram; i++)
    cks ^= ram[i];
  while (a->len % 16 != 15)
    g_byte_array_append (a, &zero, 1);
  g_byte_array_append (a, &cks, 1);
  put_u32 (a, 0x12345678);    /* CRC32 (not checked) */
  return a;
}

static void
test_esp8266_v2 (void)
{
  g_autoptr(GByteArray) a = build_esp8266_v2 (0xE9);
  g_autoptr(GByteArray) bad = build_esp8266_v2 (0xE8);
  g_autoptr(GError) error = NULL;
  EsplashImageInfo info;
  guint8 cks = 0xEF;

  for (guint i = 1; i <= 12; i++)
    cks ^= (guint8) i;
  g_assert_true (esplash_image_parse (a->data, a->len, chip (ESPLASH_CHIP_ESP8266), &info, &error));
  g_assert_no_error (error);
  g_assert_cmphex (info.magic, ==, 0xEA);
  g_assert_cmpuint (info.n_segments, ==, 3);
  /* header 0–7, IROM 8–47, second header 48–55, then 56 and 72 */
  assert_segment (&info, 0, 32, 0, 8);
  assert_segment (&info, 1, 8, 0x40100000, 56);
  assert_segment (&info, 2, 4, 0x3FFE8000, 72);
  g_assert_cmphex (info.entry, ==, 0x40100294);        /* from the second header */
  g_assert_cmpuint (info.flash_mode, ==, 3);
  g_assert_cmphex (info.flash_size_freq, ==, 0x21);
  g_assert_cmphex (info.checksum_stored, ==, cks);
  g_assert_cmphex (info.checksum_computed, ==, cks);
  g_assert_cmpuint (info.data_length, ==, a->len - 4);

  /* with no chip, 0xEA alone selects the layout */
  g_assert_true (esplash_image_parse (a->data, a->len, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.n_segments, ==, 3);

  g_assert_false (esplash_image_parse (a->data, a->len, chip (ESPLASH_CHIP_ESP32), &info, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_assert_nonnull (strstr (error->message, "ESP8266 v2"));
  g_clear_error (&error);

  g_assert_false (esplash_image_parse (bad->data, bad->len, NULL, &info, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_assert_nonnull (strstr (error->message, "second header at offset 0x30"));
}

/* ---- malformed inputs ------------------------------------------------- */

/* Parses a modified copy of @base; expects failure whose message contains
 * every string in @needles. */
static void
expect_invalid (const guint8          *data,
                gsize                  len,
                const EsplashChipInfo *c,
                const char            *const *needles)
{
  g_autoptr(GError) error = NULL;
  EsplashImageInfo info;

  memset (&info, 0xAA, sizeof info);
  g_assert_false (esplash_image_parse (data, len, c, &info, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_test_message ("%s", error->message);
  for (guint i = 0; needles != NULL && needles[i] != NULL; i++)
    if (strstr (error->message, needles[i]) == NULL)
      g_error ("“%s” not in “%s”", needles[i], error->message);
  /* a failed parse leaves nothing half-filled */
  g_assert_cmpuint (info.n_segments, ==, 0);
  g_assert_cmpuint (info.data_length, ==, 0);
}

#define NEEDLES(...) ((const char *const[]) { __VA_ARGS__, NULL })

static void
test_malformed_image (void)
{
  g_autoptr(GBytes) c3 = load_image ("bootloader_esp32c3.bin");
  g_autoptr(GBytes) esp8266 = load_image ("bootloader_esp8266.bin");
  const EsplashChipInfo *esp32 = chip (ESPLASH_CHIP_ESP32);
  gsize c3_len, e8_len;
  const guint8 *c3_data = g_bytes_get_data (c3, &c3_len);
  const guint8 *e8_data = g_bytes_get_data (esp8266, &e8_len);
  g_autofree guint8 *buf = g_memdup2 (c3_data, c3_len);
  guint8 ff[64], zeros[64], one = 0xE9;

  memset (ff, 0xFF, sizeof ff);
  memset (zeros, 0, sizeof zeros);

  /* empty file */
  expect_invalid (NULL, 0, esp32, NEEDLES ("empty"));
  /* truncated 8-byte header */
  expect_invalid (&one, 1, esp32, NEEDLES ("1 bytes", "8-byte"));
  expect_invalid (e8_data, 5, chip (ESPLASH_CHIP_ESP8266), NEEDLES ("5 bytes", "8-byte"));
  /* header but no extended header */
  expect_invalid (c3_data, 20, esp32, NEEDLES ("20 bytes", "24-byte"));
  /* all 0xFF (erased flash), all zero: wrong magic */
  expect_invalid (ff, sizeof ff, esp32, NEEDLES ("0xFF"));
  expect_invalid (ff, sizeof ff, NULL, NEEDLES ("0xFF"));
  expect_invalid (zeros, sizeof zeros, chip (ESPLASH_CHIP_ESP8266), NEEDLES ("0x00", "0xEA"));

  /* 200 and 17 segments */
  buf[1] = 200;
  expect_invalid (buf, c3_len, esp32, NEEDLES ("200 segments", "16"));
  buf[1] = 17;
  expect_invalid (buf, c3_len, NULL, NEEDLES ("17 segments"));
  buf[1] = c3_data[1];

  /* segment 3 (header at 0x268c) claims more data than the file holds */
  g_assert_cmphex (buf[0x268c + 4], ==, 0x8c);
  memcpy (buf + 0x268c + 4, "\x00\x00\x01\x00", 4);     /* 0x10000 bytes */
  expect_invalid (buf, c3_len, esp32,
                  NEEDLES ("segment 3", "0x268c", "65536 bytes", "17744-byte"));
  /* 0xFFFFFFFF must not wrap the bounds check */
  memset (buf + 0x268c + 4, 0xFF, 4);
  expect_invalid (buf, c3_len, esp32, NEEDLES ("segment 3", "4294967295"));
  memcpy (buf, c3_data, c3_len);

  /* file ends inside the header of segment 2 */
  expect_invalid (c3_data, 0x18a0 + 4, esp32, NEEDLES ("segment 2", "0x18a0"));
  /* file ends before the checksum byte (segment 3 data ends at 0x4520) */
  expect_invalid (c3_data, 0x4520 + 3, esp32, NEEDLES ("checksum", "0x452f"));
  /* digest cut short */
  expect_invalid (c3_data, c3_len - 10, esp32, NEEDLES ("SHA-256", "22 remain"));
  /* hash_appended neither 0 nor 1 */
  buf[23] = 2;
  expect_invalid (buf, c3_len, esp32, NEEDLES ("hash_appended", "0x02"));
  buf[23] = 1;
  /* 0xEA is not an ESP32-family image */
  buf[0] = 0xEA;
  expect_invalid (buf, c3_len, esp32, NEEDLES ("ESP8266 v2"));
  buf[0] = 0xE9;
  /* absurd length: rejected before any byte is read */
  expect_invalid (buf, (gsize) 512 * 1024 * 1024, esp32, NEEDLES ("larger than any"));
  g_assert_cmpmem (buf, c3_len, c3_data, c3_len);
}

static void
test_bad_checksum_and_digest (void)
{
  g_autoptr(GBytes) c3 = load_image ("bootloader_esp32c3.bin");
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *orig = g_bytes_get_data (c3, &len);
  g_autofree guint8 *buf = g_memdup2 (orig, len);
  EsplashImageInfo info;

  /* a flipped data byte: both the checksum and the digest are off, but the
   * image still parses (esptool reports, does not refuse) */
  buf[0x40] ^= 0x01;
  g_assert_true (esplash_image_parse (buf, len, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmphex (info.checksum_stored, ==, 0x77);
  g_assert_cmphex (info.checksum_computed, ==, 0x76);
  g_assert_true (info.hash_appended);
  g_assert_false (info.sha256_valid);

  /* only the stored digest is wrong */
  memcpy (buf, orig, len);
  buf[len - 1] ^= 0x80;
  g_assert_true (esplash_image_parse (buf, len, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmphex (info.checksum_computed, ==, info.checksum_stored);
  g_assert_false (info.sha256_valid);
}

/* ---- patching --------------------------------------------------------- */

static void
test_patch_esp32 (void)
{
  g_autoptr(GBytes) img = load_image ("bootloader_esp32.bin");
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;
  gsize len, out_len;
  const guint8 *a = g_bytes_get_data (img, &len);
  const guint8 *b;

  out = esplash_image_patch_flash_params (img, chip (ESPLASH_CHIP_ESP32), "dio", "40m", "4MB",
                                          0, &msg, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  b = g_bytes_get_data (out, &out_len);
  g_assert_cmpuint (out_len, ==, len);
  g_assert_cmphex (b[2], ==, 0x02);                /* dio */
  g_assert_cmphex (b[3], ==, 0x20);                /* 4MB << 4 | 40m */
  g_assert_cmpmem (b, 2, a, 2);
  g_assert_cmpmem (b + 4, len - 4, a + 4, len - 4);  /* no digest: nothing else changes */
  g_assert_nonnull (msg);
  g_assert_nonnull (strstr (msg, "Flash params set to 0x0220"));
}

static void
test_patch_recomputes_sha (void)
{
  g_autoptr(GBytes) img = load_image ("bootloader_esp32c3.bin");
  g_autoptr(GByteArray) merged = g_byte_array_new ();
  g_autoptr(GBytes) merged_bytes = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;
  const gsize data_length = 17744 - 32;
  gsize len, out_len;
  const guint8 *a = g_bytes_get_data (img, &len);
  const guint8 *b;
  guint8 tail[100], digest[32];
  EsplashImageInfo info;

  /* a merged binary: the bytes after the digest must survive */
  memset (tail, 0xAB, sizeof tail);
  g_byte_array_append (merged, a, len);
  g_byte_array_append (merged, tail, sizeof tail);
  merged_bytes = g_bytes_new (merged->data, merged->len);

  out = esplash_image_patch_flash_params (merged_bytes, chip (ESPLASH_CHIP_ESP32C3),
                                          "qio", "80m", "4MB", 0, &msg, &error);
  g_assert_no_error (error);
  b = g_bytes_get_data (out, &out_len);
  g_assert_cmpuint (out_len, ==, len + sizeof tail);
  g_assert_cmphex (b[2], ==, 0x00);                /* qio */
  g_assert_cmphex (b[3], ==, 0x2F);                /* 4MB, 80m = 0xF */
  g_assert_nonnull (strstr (msg, "0x002f"));
  g_assert_cmpmem (b + 4, data_length - 4, a + 4, data_length - 4);
  sha256 (b, data_length, digest);
  g_assert_cmpmem (b + data_length, 32, digest, 32);
  g_assert_true (memcmp (b + data_length, a + data_length, 32) != 0);
  g_assert_cmpmem (b + len, sizeof tail, tail, sizeof tail);

  g_assert_true (parse_bytes (out, chip (ESPLASH_CHIP_ESP32C3), &info, &error));
  g_assert_no_error (error);
  g_assert_true (info.sha256_valid);
}

static void
test_patch_esp8266 (void)
{
  g_autoptr(GBytes) img = load_image ("bootloader_esp8266.bin");
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;
  gsize len, out_len;
  const guint8 *a = g_bytes_get_data (img, &len);
  const guint8 *b;

  out = esplash_image_patch_flash_params (img, chip (ESPLASH_CHIP_ESP8266), "dout", "26m", "1MB",
                                          0, &msg, &error);
  g_assert_no_error (error);
  b = g_bytes_get_data (out, &out_len);
  g_assert_cmpuint (out_len, ==, len);
  g_assert_cmphex (b[2], ==, 0x03);                /* dout */
  g_assert_cmphex (b[3], ==, 0x21);                /* ESP8266 1MB = 0x2, 26m = 0x1 */
  g_assert_cmpmem (b + 4, len - 4, a + 4, len - 4);
  g_assert_nonnull (strstr (msg, "0x0321"));
}

static void
test_patch_keep_and_detect (void)
{
  g_autoptr(GBytes) img = load_image ("bootloader_esp32.bin");
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;
  const guint8 *b;

  /* all keep: the same bytes, no message */
  out = esplash_image_patch_flash_params (img, chip (ESPLASH_CHIP_ESP32), NULL, "keep", "keep",
                                          0, &msg, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (out, img));
  g_assert_null (msg);
  g_clear_pointer (&out, g_bytes_unref);

  /* detect with an 8 MB chip: size nibble 3, the rest kept */
  out = esplash_image_patch_flash_params (img, chip (ESPLASH_CHIP_ESP32), "keep", "keep", "detect",
                                          8 * 1024 * 1024, &msg, &error);
  g_assert_no_error (error);
  b = g_bytes_get_data (out, NULL);
  g_assert_cmphex (b[2], ==, 0x02);
  g_assert_cmphex (b[3], ==, 0x30);
  g_clear_pointer (&out, g_bytes_unref);
  g_clear_pointer (&msg, g_free);

  /* detect without a detected size: warn, keep the size, apply the mode */
  out = esplash_image_patch_flash_params (img, chip (ESPLASH_CHIP_ESP32), "qio", NULL, "detect",
                                          0, &msg, &error);
  g_assert_no_error (error);
  b = g_bytes_get_data (out, NULL);
  g_assert_cmphex (b[2], ==, 0x00);
  g_assert_cmphex (b[3], ==, 0x10);
  g_assert_nonnull (strstr (msg, "could not be detected"));
  g_assert_nonnull (strstr (msg, "0x0010"));
}

static void
test_patch_invalid_arguments (void)
{
  g_autoptr(GBytes) img = load_image ("bootloader_esp32.bin");
  const EsplashChipInfo *esp32 = chip (ESPLASH_CHIP_ESP32);
  const char *bad[][3] = {
    { "fast", NULL, NULL },
    { NULL, "33m", NULL },
    { NULL, NULL, "3MB" },
    { NULL, NULL, "huge" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      char *msg = (char *) "untouched";
      GBytes *out = esplash_image_patch_flash_params (img, esp32, bad[i][0], bad[i][1], bad[i][2],
                                                      0, &msg, &error);

      g_assert_null (out);
      g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s", error->message);
      g_assert_null (msg);
    }
}

static void
test_patch_not_an_image (void)
{
  struct {
    const char        *file;
    EsplashChipFamily  family;
    gsize              cut;        /* 0: whole file */
    const char        *needle;
  } cases[] = {
    { "one_kb.bin", ESPLASH_CHIP_ESP32, 0, "doesn't look like" },
    { "bootloader_esp32c3.bin", ESPLASH_CHIP_ESP32, 0, "chip id 5" },
    { "bootloader_esp32c3.bin", ESPLASH_CHIP_ESP32C3, 17744 - 8, "SHA-256" },
    { "bootloader_esp8266.bin", ESPLASH_CHIP_ESP8266, 100, "not a valid ESP8266" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) whole = load_image (cases[i].file);
      g_autoptr(GBytes) img = cases[i].cut != 0
        ? g_bytes_new_from_bytes (whole, 0, cases[i].cut) : g_bytes_ref (whole);
      g_autoptr(GBytes) out = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *msg = NULL;

      out = esplash_image_patch_flash_params (img, chip (cases[i].family), "dio", "40m", "4MB",
                                              0, &msg, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (out, img));
      g_assert_nonnull (msg);
      g_test_message ("%s", msg);
      g_assert_nonnull (strstr (msg, cases[i].needle));
      g_assert_nonnull (strstr (msg, "not changing"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/image/parse/bootloader-esp32", test_bootloader_esp32);
  g_test_add_func ("/esplash/image/parse/bootloader-esp32c3", test_bootloader_esp32c3);
  g_test_add_func ("/esplash/image/parse/bootloader-esp8266", test_bootloader_esp8266);
  g_test_add_func ("/esplash/image/parse/esp8266-deepsleep", test_esp8266_deepsleep);
  g_test_add_func ("/esplash/image/parse/headers", test_headers);
  g_test_add_func ("/esplash/image/parse/app-desc", test_app_desc);
  g_test_add_func ("/esplash/image/parse/bootloader-desc", test_bootloader_desc);
  g_test_add_func ("/esplash/image/parse/bootloader-desc-chips", test_bootloader_desc_chips);
  g_test_add_func ("/esplash/image/parse/bootloader-desc-absent", test_bootloader_desc_absent);
  g_test_add_func ("/esplash/image/parse/bootloader-desc-garbled", test_bootloader_desc_garbled);
  g_test_add_func ("/esplash/image/parse/esp8266-v2", test_esp8266_v2);
  g_test_add_func ("/esplash/image/parse/malformed", test_malformed_image);
  g_test_add_func ("/esplash/image/parse/bad-checksum-digest", test_bad_checksum_and_digest);
  g_test_add_func ("/esplash/image/patch/esp32", test_patch_esp32);
  g_test_add_func ("/esplash/image/patch/sha-recomputed", test_patch_recomputes_sha);
  g_test_add_func ("/esplash/image/patch/esp8266", test_patch_esp8266);
  g_test_add_func ("/esplash/image/patch/keep-detect", test_patch_keep_and_detect);
  g_test_add_func ("/esplash/image/patch/invalid-arguments", test_patch_invalid_arguments);
  g_test_add_func ("/esplash/image/patch/not-an-image", test_patch_not_an_image);

  return g_test_run ();
}
