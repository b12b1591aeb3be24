/* test-bundle-fixtures.h: builds ESP images, partition tables and build
 * folders for the bundle tests, written here from the format description
 * (protocol.md §8.1, §8.5) — not with the code under test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>
#include <glib/gstdio.h>

#include "test-rm-rf.h"

#include "esplash.h"

/* image chip ids (protocol.md §6.1, esptool's IMAGE_CHIP_ID) */
#define ID_ESP32    0
#define ID_ESP32S3  9
#define ID_ESP32C3  5

typedef struct {
  guint16      chip_id;
  gboolean     app;              /* app description in segment 0, flash-mapped */
  const char  *project;
  gsize        body;             /* bytes in the second segment */
  guint8       min_rev;
  guint16      min_rev_full;
  guint16      max_rev_full;
  gboolean     hash;
  guint8       flash_mode;       /* header byte 2 */
  guint8       flash_size_freq;  /* header byte 3 */
} ImageSpec;

G_GNUC_UNUSED static void
spec_init (ImageSpec *spec,
           guint16    chip_id,
           gboolean   app)
{
  memset (spec, 0, sizeof *spec);
  spec->chip_id = chip_id;
  spec->app = app;
  spec->project = "blink";
  spec->body = app ? 3000 : 1200;
  spec->max_rev_full = 0xFFFF;
  spec->hash = TRUE;
  spec->flash_mode = 2;           /* dio */
  spec->flash_size_freq = 0x20;   /* 4MB, 40m */
}

G_GNUC_UNUSED static void
put_u32 (GByteArray *a,
         guint32     v)
{
  guint8 b[4] = { v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24 };

  g_byte_array_append (a, b, 4);
}

G_GNUC_UNUSED static void
put_segment (GByteArray   *a,
             guint32       load,
             const guint8 *data,
             gsize         len,
             guint8       *checksum)
{
  put_u32 (a, load);
  put_u32 (a, (guint32) len);
  g_byte_array_append (a, data, (guint) len);
  for (gsize i = 0; i < len; i++)
    *checksum ^= data[i];
}

/* A valid ESP32-family image: header, extended header, two segments, padding,
 * checksum (XOR seeded 0xEF), SHA-256 over everything before it. */
G_GNUC_UNUSED static GBytes *
make_image (const ImageSpec *spec)
{
  GByteArray *a = g_byte_array_new ();
  guint8 hdr[8] = { 0xE9, 2, spec->flash_mode, spec->flash_size_freq, 0x80, 0x03, 0x38, 0x40 };
  guint8 ext[16] = { 0xEE, 0, 0, 0, spec->chip_id & 0xFF, spec->chip_id >> 8, spec->min_rev,
                     spec->min_rev_full & 0xFF, spec->min_rev_full >> 8,
                     spec->max_rev_full & 0xFF, spec->max_rev_full >> 8, 0, 0, 0, 0,
                     spec->hash ? 1 : 0 };
  g_autofree guint8 *seg0 = g_malloc0 (256);
  g_autofree guint8 *seg1 = g_malloc (spec->body);
  guint8 checksum = 0xEF, zero = 0;

  g_byte_array_append (a, hdr, 8);
  g_byte_array_append (a, ext, 16);
  for (gsize i = 0; i < spec->body; i++)
    seg1[i] = (guint8) (i * 7 + 3);
  if (spec->app)
    {
      /* esp_app_desc_t: magic, version at 16, project at 48, idf_ver at 112;
       * loaded flash-mapped at 0x3C000020 (file offset 0x20 ≡ address) */
      seg0[0] = 0x32; seg0[1] = 0x54; seg0[2] = 0xCD; seg0[3] = 0xAB;
      memcpy (seg0 + 16, "1.0.0", 5);
      memcpy (seg0 + 48, spec->project, MIN (strlen (spec->project), 31));
      memcpy (seg0 + 112, "v5.3", 4);
      put_segment (a, 0x3C000020, seg0, 256, &checksum);
      put_segment (a, 0x40380000, seg1, spec->body, &checksum);
    }
  else
    {
      put_segment (a, 0x3FCD5000, seg0, 64, &checksum);
      put_segment (a, 0x403CE000, seg1, spec->body, &checksum);
    }
  while (a->len % 16 != 15)
    g_byte_array_append (a, &zero, 1);
  g_byte_array_append (a, &checksum, 1);
  if (spec->hash)
    {
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[32];
      gsize n = 32;

      g_checksum_update (sum, a->data, a->len);
      g_checksum_get_digest (sum, digest, &n);
      g_byte_array_append (a, digest, 32);
    }
  return g_byte_array_free_to_bytes (a);
}

typedef struct {
  const char *label;
  guint8      type, subtype;
  guint32     offset, size;
} PartSpec;

/* gen_esp32part.py's binary: 32-byte entries, MD5 record, 0xFF to 0xC00. */
G_GNUC_UNUSED static GBytes *
make_table (const PartSpec *parts,
            guint           n)
{
  GByteArray *a = g_byte_array_new ();
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16], ff = 0xFF;
  gsize dlen = 16;

  for (guint i = 0; i < n; i++)
    {
      guint8 e[32] = { 0xAA, 0x50, parts[i].type, parts[i].subtype };
      guint32 v[2] = { parts[i].offset, parts[i].size };

      for (guint k = 0; k < 2; k++)
        for (guint b = 0; b < 4; b++)
          e[4 + 4 * k + b] = (guint8) (v[k] >> (8 * b));
      memcpy (e + 12, parts[i].label, strlen (parts[i].label));
      g_byte_array_append (a, e, 32);
    }
  g_checksum_update (md5, a->data, a->len);
  g_checksum_get_digest (md5, digest, &dlen);
  {
    guint8 rec[32];

    memset (rec, 0xFF, 32);
    rec[0] = rec[1] = 0xEB;
    memcpy (rec + 16, digest, 16);
    g_byte_array_append (a, rec, 32);
  }
  while (a->len < 0xC00)
    g_byte_array_append (a, &ff, 1);
  return g_byte_array_free_to_bytes (a);
}

/* ESP-IDF's default single-app table and Arduino's default.csv. */
static const PartSpec idf_singleapp[] = {
  { "nvs", 1, 2, 0x9000, 0x6000 },
  { "phy_init", 1, 1, 0xF000, 0x1000 },
  { "factory", 0, 0, 0x10000, 0x100000 },
};
static const PartSpec arduino_default[] = {
  { "nvs", 1, 2, 0x9000, 0x5000 },
  { "otadata", 1, 0, 0xE000, 0x2000 },
  { "app0", 0, 0x10, 0x10000, 0x140000 },
  { "app1", 0, 0x11, 0x150000, 0x140000 },
  { "spiffs", 1, 0x82, 0x290000, 0x160000 },
  { "coredump", 1, 3, 0x3F0000, 0x10000 },
};

/* Arduino's boot_app0.bin: 8 KiB of 0xFF with an OTA select entry. */
G_GNUC_UNUSED static GBytes *
make_boot_app0 (void)
{
  guint8 *d = g_malloc (0x2000);

  memset (d, 0xFF, 0x2000);
  memset (d, 0, 4);
  d[0] = 1;
  return g_bytes_new_take (d, 0x2000);
}

G_GNUC_UNUSED static void
write_bytes (const char *dir,
             const char *rel,
             GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                       &error);
  g_assert_no_error (error);
}

G_GNUC_UNUSED static void
write_text (const char *dir,
            const char *rel,
            const char *text)
{
  g_autoptr(GBytes) b = g_bytes_new (text, strlen (text));

  write_bytes (dir, rel, b);
}

G_GNUC_UNUSED static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("esplash-bundle-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

G_GNUC_UNUSED static const EsplashChipInfo *
chip_of (EsplashChipFamily family)
{
  const EsplashChipInfo *c = esplash_chip_get (family);

  g_assert_nonnull (c);
  return c;
}

/* Resolves @paths for @chip (NULL: guessed) with nothing else known. */
G_GNUC_UNUSED static EsplashFlashPlan *
plan_for (const char *const     *paths,
          const EsplashChipInfo *chip)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashBundle) bundle = esplash_bundle_new_from_paths (paths, &error);
  EsplashPlanTarget target;
  EsplashFlashPlan *plan;

  g_assert_no_error (error);
  esplash_plan_target_init (&target);
  target.chip = chip;
  plan = esplash_bundle_resolve (bundle, &target, &error);
  g_assert_no_error (error);
  return plan;
}

G_GNUC_UNUSED static void
dump_plan (EsplashFlashPlan *plan)
{
  g_auto(GStrv) lines = esplash_flash_plan_format (plan);

  for (guint i = 0; lines[i] != NULL; i++)
    g_test_message ("%s", lines[i]);
}

/* The enabled entries must be exactly (offset, kind, name suffix)… */
typedef struct {
  guint32          offset;
  EsplashPlanKind  kind;
  const char      *name;
} Want;

G_GNUC_UNUSED static void
assert_plan (EsplashFlashPlan *plan,
             const Want       *want,
             guint             n_want)
{
  guint k = 0;

  dump_plan (plan);
  for (guint i = 0; i < esplash_flash_plan_get_n_entries (plan); i++)
    {
      const EsplashPlanEntry *e = esplash_flash_plan_get_entry (plan, i);

      if (!e->enabled)
        continue;
      g_assert_cmpuint (k, <, n_want);
      g_assert_true (e->has_offset);
      g_assert_cmphex (e->offset, ==, want[k].offset);
      g_assert_cmpstr (esplash_plan_kind_to_string (e->kind), ==,
                       esplash_plan_kind_to_string (want[k].kind));
      g_assert_true (g_str_has_suffix (e->path, want[k].name));
      g_assert_nonnull (e->reason);
      k++;
    }
  g_assert_cmpuint (k, ==, n_want);
}
