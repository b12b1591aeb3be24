/* test-flash-skip.c: writing only what changed (esplash-flash-skip.c) —
 * an unchanged reflash sends no data, one changed sector costs one small
 * write, erased flash is written whole, and the result is always exactly
 * the image, checked in the simulator's flash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"
#include "test-device-rig.h"

/* A written region's neighbours: two sectors, each asked twice before the
 * write and once after (esplash-flash.c, guards). */
#define GUARD_MD5S 6
#define KIB 1024u
#define ADDRESS 0x20000u

static Fixture *
connected (EsplashChipFamily family,
           gboolean          stub)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  Fixture *f;
  g_autoptr(GError) error = NULL;

  esplash_sim_options_init (&so, family);
  f = fixture_new (&so);
  connect_options (&co, stub);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (esplash_device_is_stub (f->device), ==, stub);
  return f;
}

/* Firmware-like bytes: compressible, but different everywhere. */
static guint8 *
firmware (gsize len,
          guint seed)
{
  guint8 *p = g_malloc (len);
  guint32 x = 0x12345u + seed;

  for (gsize i = 0; i < len; i++)
    {
      x = x * 1103515245u + 12345u;
      p[i] = (guint8) (i % 7 == 0 ? (x >> 16) : i / 64);
    }
  return p;
}

/* Writes @data at ADDRESS; returns the data commands it took. */
static guint
write_once (Fixture *f,
            GBytes  *data,
            gboolean no_skip)
{
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GBytes) flash = NULL;
  g_autoptr(GError) error = NULL;
  EsplashWriteOptions wo;
  guint before = esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_DATA) +
                 esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_DEFL_DATA);

  esplash_write_options_init (&wo);
  wo.no_skip = no_skip;
  g_ptr_array_add (regions, esplash_flash_region_new (ADDRESS, data, "app.bin"));
  f->last_overall = 0;
  g_assert_true (esplash_flash_write (f->device, regions, &wo, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (f->progress_went_back);
  g_assert_cmpuint (f->last_overall, ==, f->overall_total);

  /* whatever was skipped, the flash holds the image */
  flash = esplash_sim_dup_flash (f->sim, ADDRESS, (guint32) g_bytes_get_size (data));
  g_assert_true (g_bytes_equal (flash, data));
  return esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_DATA) +
         esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_DEFL_DATA) - before;
}

static guint
begins (Fixture *f)
{
  return esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_BEGIN) +
         esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_DEFL_BEGIN);
}

/* The same image twice: the second write sends no data, says so, and
 * counts the whole image as skipped. */
static void
test_unchanged (gconstpointer data)
{
  gboolean stub = GPOINTER_TO_INT (data) != 0;
  g_autoptr(Fixture) f = connected (ESPLASH_CHIP_ESP32S3, stub);
  gsize len = 256 * KIB;
  g_autoptr(GBytes) image = g_bytes_new_take (firmware (len, 1), len);
  guint md5s, b;

  g_assert_cmpuint (write_once (f, image, FALSE), >, 0);
  g_assert_cmpuint (f->last_skipped, ==, 0);   /* erased flash: nothing to skip */
  md5s = esplash_sim_count_commands (f->sim, ESPLASH_OP_SPI_FLASH_MD5);
  b = begins (f);

  g_assert_cmpuint (write_once (f, image, FALSE), ==, 0);
  g_assert_cmpuint (begins (f), ==, b);
  g_assert_cmpuint (f->last_skipped, ==, len);
  g_assert_true (logs_contain (f, "app.bin: 256 of 256 KiB unchanged, nothing to write"));
  g_assert_true (logs_contain (f, "Hash of data verified."));
  /* one query answered it all: the region's MD5, which is the verification */
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_SPI_FLASH_MD5), ==, md5s + 1);
}

/* One changed sector in 256 KiB: one BEGIN for one sector, found with
 * 1 + 4 + 16 queries, then the region verified. */
static void
test_one_sector (void)
{
  g_autoptr(Fixture) f = connected (ESPLASH_CHIP_ESP32S3, TRUE);
  gsize len = 256 * KIB;
  guint8 *bytes = firmware (len, 2);
  g_autoptr(GBytes) first = g_bytes_new (bytes, len);
  g_autoptr(GBytes) second = NULL;
  guint md5s, b;

  write_once (f, first, FALSE);
  bytes[100 * KIB + 17] ^= 0x5A;   /* inside sector 25 */
  second = g_bytes_new_take (bytes, len);
  md5s = esplash_sim_count_commands (f->sim, ESPLASH_OP_SPI_FLASH_MD5);
  b = begins (f);

  g_assert_cmpuint (write_once (f, second, FALSE), ==, 1);
  g_assert_cmpuint (begins (f), ==, b + 1);
  g_assert_cmpuint (f->last_skipped, ==, len - 4 * KIB);
  g_assert_true (logs_contain (f, "app.bin: 252 of 256 KiB unchanged"));
  g_assert_true (logs_contain (f, "Writing app.bin at 0x00039000 (4096 bytes"));
  /* the region, its span, its sectors, the verification; and the sectors
   * on either side, asked twice before and once after (the guards) */
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_SPI_FLASH_MD5), ==,
                    md5s + 1 + 4 + 16 + 1 + GUARD_MD5S);
}

/* Changes in two places far apart: two runs, each its own BEGIN; adjacent
 * changed sectors go in one. */
static void
test_two_runs (void)
{
  g_autoptr(Fixture) f = connected (ESPLASH_CHIP_ESP32C3, TRUE);
  gsize len = 200 * KIB + 123;   /* not a whole number of sectors */
  guint8 *bytes = firmware (len, 3);
  g_autoptr(GBytes) first = g_bytes_new (bytes, len);
  g_autoptr(GBytes) second = NULL;
  guint b;

  write_once (f, first, FALSE);
  bytes[4 * KIB + 1] ^= 1;          /* sector 1 */
  bytes[8 * KIB + 1] ^= 1;          /* sector 2: the same run */
  bytes[len - 1] ^= 1;              /* the short last sector */
  second = g_bytes_new_take (bytes, len);
  b = begins (f);
  write_once (f, second, FALSE);
  g_assert_cmpuint (begins (f), ==, b + 2);
  g_assert_true (logs_contain (f, "Writing app.bin at 0x00021000 (8192 bytes"));
}

/* --no-skip writes every byte again. */
static void
test_no_skip (void)
{
  g_autoptr(Fixture) f = connected (ESPLASH_CHIP_ESP32S3, TRUE);
  gsize len = 64 * KIB;
  g_autoptr(GBytes) image = g_bytes_new_take (firmware (len, 4), len);
  guint first;

  first = write_once (f, image, FALSE);
  g_assert_cmpuint (write_once (f, image, TRUE), ==, first);
  g_assert_cmpuint (f->last_skipped, ==, 0);
}

/* Other firmware in the flash (not erased): only the differing sectors. */
static void
test_other_firmware (void)
{
  g_autoptr(Fixture) f = connected (ESPLASH_CHIP_ESP32, FALSE);   /* ROM loader */
  gsize len = 128 * KIB;
  guint8 *old = firmware (len, 5);
  g_autoptr(GBytes) old_image = g_bytes_new (old, len);
  g_autoptr(GBytes) new_image = NULL;

  esplash_sim_load_flash (f->sim, ADDRESS, old_image);
  for (gsize i = 64 * KIB; i < 72 * KIB; i++)
    old[i] = (guint8) ~old[i];
  new_image = g_bytes_new_take (old, len);
  g_assert_cmpuint (write_once (f, new_image, FALSE), >, 0);
  g_assert_cmpuint (f->last_skipped, ==, len - 8 * KIB);
}

/* The ESP8266 ROM has no MD5 and a stub region off a sector boundary cannot
 * be compared by sectors: both are written whole, as before. */
static void
test_cannot_skip (void)
{
  {
    g_autoptr(Fixture) f = connected (ESPLASH_CHIP_ESP8266, FALSE);
    gsize len = 16 * KIB;
    g_autoptr(GBytes) image = g_bytes_new_take (firmware (len, 6), len);
    EsplashWriteOptions wo;
    g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
    g_autoptr(GError) error = NULL;

    esplash_write_options_init (&wo);
    wo.verify = FALSE;
    g_ptr_array_add (regions, esplash_flash_region_new (ADDRESS, image, "app.bin"));
    for (guint i = 0; i < 2; i++)
      {
        g_assert_true (esplash_flash_write (f->device, regions, &wo, NULL, &error));
        g_assert_no_error (error);
      }
    g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_DATA), ==, 2 * 16);
    g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_SPI_FLASH_MD5), ==, 0);
  }
  {
    g_autoptr(Fixture) f = connected (ESPLASH_CHIP_ESP32S3, TRUE);
    g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
    g_autoptr(GBytes) image = g_bytes_new_take (firmware (8 * KIB, 7), 8 * KIB);
    g_autoptr(GError) error = NULL;
    guint b;

    g_ptr_array_add (regions, esplash_flash_region_new (ADDRESS + 0x100, image, "app.bin"));
    g_assert_true (esplash_flash_write (f->device, regions, NULL, NULL, &error));
    b = begins (f);
    g_assert_true (esplash_flash_write (f->device, regions, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (begins (f), ==, b + 1);
  }
}

/* --diff-with: the previous file says what the flash holds; no MD5 query
 * before writing, only the differing sectors sent, then the region verified. */
static void
test_diff_with (void)
{
  g_autoptr(Fixture) f = connected (ESPLASH_CHIP_ESP32S3, TRUE);
  gsize len = 128 * KIB;
  guint8 *bytes = firmware (len, 8);
  g_autoptr(GBytes) first = g_bytes_new (bytes, len);
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) flash = NULL;
  EsplashFlashRegion *region;
  guint md5s, b;

  write_once (f, first, FALSE);
  bytes[70 * KIB] ^= 1;
  second = g_bytes_new_take (bytes, len);
  md5s = esplash_sim_count_commands (f->sim, ESPLASH_OP_SPI_FLASH_MD5);
  b = begins (f);
  region = esplash_flash_region_new (ADDRESS, second, "app.bin");
  esplash_flash_region_set_previous (region, first);
  g_ptr_array_add (regions, region);
  g_assert_true (esplash_flash_write (f->device, regions, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (begins (f), ==, b + 1);
  /* no comparison: only the guards and the verification */
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_SPI_FLASH_MD5), ==,
                    md5s + GUARD_MD5S + 1);
  flash = esplash_sim_dup_flash (f->sim, ADDRESS, (guint32) len);
  g_assert_true (g_bytes_equal (flash, second));
  g_assert_true (logs_contain (f, "app.bin: 124 of 128 KiB unchanged"));

  /* A wrong "previous" cannot go unnoticed: the verification finds the
   * flash different, the sectors that differ are written after all, and
   * the flash ends up right. */
  {
    g_autoptr(GBytes) other = g_bytes_new_take (firmware (len, 9), len);
    g_autoptr(GPtrArray) wrong = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
    EsplashFlashRegion *r = esplash_flash_region_new (ADDRESS, other, "app.bin");
    g_autoptr(GBytes) after = NULL;
    g_autoptr(GError) verify_error = NULL;

    esplash_flash_region_set_previous (r, other);   /* claims the flash holds it: it does not */
    g_ptr_array_add (wrong, r);
    b = begins (f);
    g_assert_true (esplash_flash_write (f->device, wrong, NULL, NULL, &verify_error));
    g_assert_no_error (verify_error);
    g_assert_true (logs_contain (f, "looking for the sectors that differ"));
    g_assert_cmpuint (begins (f), >, b);
    after = esplash_sim_dup_flash (f->sim, ADDRESS, (guint32) len);
    g_assert_true (g_bytes_equal (after, other));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/esplash/flash/skip/unchanged/stub", GINT_TO_POINTER (1), test_unchanged);
  g_test_add_data_func ("/esplash/flash/skip/unchanged/rom", GINT_TO_POINTER (0), test_unchanged);
  g_test_add_func ("/esplash/flash/skip/one-sector", test_one_sector);
  g_test_add_func ("/esplash/flash/skip/two-runs", test_two_runs);
  g_test_add_func ("/esplash/flash/skip/no-skip", test_no_skip);
  g_test_add_func ("/esplash/flash/skip/other-firmware-rom", test_other_firmware);
  g_test_add_func ("/esplash/flash/skip/cannot-skip", test_cannot_skip);
  g_test_add_func ("/esplash/flash/skip/diff-with", test_diff_with);
  return g_test_run ();
}
