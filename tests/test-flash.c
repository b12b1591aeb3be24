/* test-flash.c: write, verify, read and erase against the in-process
 * simulator, ROM and stub, compressed and plain.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"
#include "test-device-rig.h"

#define MB (1024u * 1024u)

static Fixture *
connected_fixture (EsplashChipFamily family,
                   gboolean          stub,
                   gboolean          timing)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  Fixture *f;
  g_autoptr(GError) error = NULL;

  esplash_sim_options_init (&so, family);
  so.flash_id = 0x1640EF;   /* 4 MB */
  so.timing = timing;
  f = fixture_new (&so);
  connect_options (&co, stub);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (esplash_device_is_stub (f->device), ==, stub);
  return f;
}

static GBytes *
load_image (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("ESPLASH_SHARED_DIR"), "testdata",
                                            "images", name, NULL);
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new (contents, len);
}

/* What esptool computes as the expected MD5: the image padded with 0xFF to
 * a multiple of 4 (protocol.md §3.2). */
static char *
padded_md5 (GBytes *data)
{
  gsize len = g_bytes_get_size (data);
  gsize padded = (len + 3) & ~(gsize) 3;
  g_autofree guint8 *buf = g_malloc (padded);

  memset (buf, 0xFF, padded);
  memcpy (buf, g_bytes_get_data (data, NULL), len);
  return g_compute_checksum_for_data (G_CHECKSUM_MD5, buf, padded);
}

static void
assert_flash_is (EsplashSim *sim,
                 guint32     address,
                 GBytes     *expected)
{
  gsize len = g_bytes_get_size (expected);
  g_autoptr(GBytes) flash = esplash_sim_dup_flash (sim, address, (guint32) len);

  g_assert_cmpmem (g_bytes_get_data (flash, NULL), g_bytes_get_size (flash),
                   g_bytes_get_data (expected, NULL), len);
}

static void
assert_flash_erased (EsplashSim *sim,
                     guint32     address,
                     guint32     len)
{
  g_autoptr(GBytes) flash = esplash_sim_dup_flash (sim, address, len);
  const guint8 *p = g_bytes_get_data (flash, NULL);

  for (guint32 i = 0; i < len; i++)
    if (p[i] != 0xFF)
      g_error ("flash byte 0x%X is 0x%02X, expected erased 0xFF", address + i, p[i]);
}

typedef struct {
  EsplashChipFamily family;
  const char       *bootloader;   /* test image for this chip, or NULL */
} ChipCase;

static const ChipCase chips[] = {
  { ESPLASH_CHIP_ESP8266, "bootloader_esp8266.bin" },
  { ESPLASH_CHIP_ESP32, "bootloader_esp32.bin" },
  { ESPLASH_CHIP_ESP32S2, NULL },
  { ESPLASH_CHIP_ESP32S3, NULL },
  { ESPLASH_CHIP_ESP32C3, "bootloader_esp32c3.bin" },
  { ESPLASH_CHIP_ESP32C6, NULL },
  { ESPLASH_CHIP_ESP32H2, NULL },
};

/* Write a realistic set, verify, read back, compare with the chip's flash. */
static void
test_write (gconstpointer data)
{
  const ChipCase *c = data;
  const char *path = g_test_get_path ();
  gboolean stub = strstr (path, "/stub/") != NULL;
  gboolean compressed = g_str_has_suffix (path, "/compressed");
  const EsplashChipInfo *chip = esplash_chip_get (c->family);
  g_autoptr(Fixture) f = connected_fixture (c->family, stub, FALSE);
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GBytes) zero = load_image ("zerolength.bin");
  g_autoptr(GBytes) one = load_image ("onebyte.bin");
  g_autoptr(GBytes) odd = load_image ("not_4_byte_aligned.bin");
  g_autoptr(GBytes) mb = load_image ("one_mb.bin");
  g_autoptr(GBytes) boot = NULL;
  g_autoptr(GError) error = NULL;
  EsplashWriteOptions wo;
  gboolean rom_read = chip->has_read_flash_slow;
  gboolean can_read = stub || rom_read;

  if (c->bootloader != NULL)
    {
      boot = load_image (c->bootloader);
      g_ptr_array_add (regions, esplash_flash_region_new (chip->bootloader_offset, boot,
                                                          c->bootloader));
    }
  g_ptr_array_add (regions, esplash_flash_region_new (0x8000, zero, "zerolength.bin"));
  g_ptr_array_add (regions, esplash_flash_region_new (0x9000, one, "onebyte.bin"));
  g_ptr_array_add (regions, esplash_flash_region_new (0xA000, odd, "not_4_byte_aligned.bin"));
  g_ptr_array_add (regions, esplash_flash_region_new (0x100000, mb, "one_mb.bin"));

  esplash_write_options_init (&wo);
  wo.compress = compressed ? ESPLASH_COMPRESS_ALWAYS : ESPLASH_COMPRESS_NEVER;
  g_assert_true (esplash_flash_write (f->device, regions, &wo, NULL, &error));
  g_assert_no_error (error);

  /* The empty file was skipped with a warning; nothing else was lost. */
  g_assert_true (logs_contain (f, "zerolength.bin"));
  g_assert_false (f->progress_went_back);
  g_assert_cmpuint (f->progress_events, >, 0);
  g_assert_cmpuint (f->last_overall, ==, f->overall_total);
  if (c->family == ESPLASH_CHIP_ESP8266 && !stub)
    {
      g_assert_true (logs_contain (f, "verification skipped"));
      /* No compressed commands in that ROM. */
      g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_DEFL_DATA), ==, 0);
    }
  else
    {
      /* per region: one comparison (the flash reads erased: written whole)
       * and one verification; and the sectors on either side of it, asked
       * twice before the write and once after (esplash-flash.c, guards) */
      guint guards = 0;

      for (guint i = 0; i < regions->len; i++)
        {
          const EsplashFlashRegion *r = g_ptr_array_index (regions, i);

          if (g_bytes_get_size (r->data) == 0)
            continue;
          guards += 3;   /* the sector after: all within the 4 MB flash */
          if (r->address >= 0x1000)
            guards += 3;
        }
      g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_SPI_FLASH_MD5), ==,
                        2 * (regions->len - 1) + guards);
      g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_DEFL_DATA) > 0,
                        ==, compressed);
    }
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_DATA) > 0, ==,
                    !compressed || (c->family == ESPLASH_CHIP_ESP8266 && !stub));
  /* Flash set-up once per session: SPI_ATTACH only for ESP32-family ROMs,
   * SPI_SET_PARAMS with the detected 4 MB everywhere but the ESP8266 ROM. */
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_SPI_ATTACH), ==,
                    (!stub && !chip->rom_is_esp8266_like) ? 1 : 0);
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_SPI_SET_PARAMS), ==,
                    (!stub && chip->rom_is_esp8266_like) ? 0 : 1);
  /* A ROM leaves the loader on FLASH_END: never sent while writing. */
  if (!stub)
    {
      g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_END), ==, 0);
      g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_DEFL_END), ==, 0);
    }

  /* The chip's flash holds the files, and 0xFF after the short ones (the
   * last plain block was padded with 0xFF, not zeros). */
  if (boot != NULL)
    assert_flash_is (f->sim, chip->bootloader_offset, boot);
  assert_flash_is (f->sim, 0x9000, one);
  assert_flash_erased (f->sim, 0x9001, 0x1000 - 1);
  assert_flash_is (f->sim, 0xA000, odd);
  assert_flash_erased (f->sim, 0xA000 + (guint32) g_bytes_get_size (odd),
                       0x1000 - (guint32) g_bytes_get_size (odd));
  assert_flash_is (f->sim, 0x100000, mb);

  /* MD5 from the chip equals esptool's md5 of the 4-byte-padded image. */
  if (!(c->family == ESPLASH_CHIP_ESP8266 && !stub))
    {
      guint8 digest[16];
      g_autofree char *expected = padded_md5 (odd);
      g_autoptr(GString) got = g_string_new (NULL);

      g_assert_true (esplash_flash_md5 (f->device, 0xA000, 56, digest, NULL, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < 16; i++)
        g_string_append_printf (got, "%02x", digest[i]);
      g_assert_cmpstr (got->str, ==, expected);
    }

  if (can_read)
    {
      /* The ROM reads 64 bytes per command: a slice of the big file is enough. */
      guint32 mb_len = stub ? MB : 0x1000;
      g_autoptr(GBytes) back_odd = esplash_flash_read (f->device, 0xA000,
                                                       (guint32) g_bytes_get_size (odd),
                                                       NULL, &error);
      g_autoptr(GBytes) back_mb = NULL;
      g_autoptr(GBytes) mb_part = g_bytes_new_from_bytes (mb, 0, mb_len);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (back_odd, odd));
      back_mb = esplash_flash_read (f->device, 0x100000, mb_len, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (back_mb, mb_part));
    }
  else
    {
      g_assert_null (esplash_flash_read (f->device, 0xA000, 4, NULL, &error));
      g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED);
      g_clear_error (&error);
    }

  /* Erase a region → 0xFF (the ESP8266 ROM needs the stub for this). */
  if (stub || !chip->rom_is_esp8266_like)
    {
      g_assert_true (esplash_flash_erase_region (f->device, 0x100000, 0x2000, NULL, &error));
      g_assert_no_error (error);
      assert_flash_erased (f->sim, 0x100000, 0x2000);
      {
        g_autoptr(GBytes) rest = g_bytes_new_from_bytes (mb, 0x2000, 0x1000);

        assert_flash_is (f->sim, 0x102000, rest);
      }
    }
}

/* ROM writes to a non-sector-aligned address: aligned down, 0xFF prepended. */
static void
test_rom_unaligned (void)
{
  g_autoptr(Fixture) f = connected_fixture (ESPLASH_CHIP_ESP32, FALSE, FALSE);
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GBytes) odd = load_image ("not_4_byte_aligned.bin");
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (regions, esplash_flash_region_new (0x10100, odd, "not_4_byte_aligned.bin"));
  g_assert_true (esplash_flash_write (f->device, regions, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_flash_erased (f->sim, 0x10000, 0x100);
  assert_flash_is (f->sim, 0x10100, odd);
  g_assert_true (esplash_flash_verify (f->device, regions, NULL, &error));
  g_assert_no_error (error);
}

static void
test_too_large (void)
{
  g_autoptr(Fixture) f = connected_fixture (ESPLASH_CHIP_ESP32C3, TRUE, FALSE);
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GBytes) mb = load_image ("one_mb.bin");
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (regions, esplash_flash_region_new (0x380000, mb, "one_mb.bin"));
  g_assert_false (esplash_flash_write (f->device, regions, NULL, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_IMAGE_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "ends at 0x480000"));
  g_assert_nonnull (strstr (error->message, "4 MB"));
  /* Nothing was written. */
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_DEFL_BEGIN), ==, 0);
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_BEGIN), ==, 0);
}

static void
test_verify_failed (void)
{
  g_autoptr(Fixture) f = connected_fixture (ESPLASH_CHIP_ESP32S3, TRUE, FALSE);
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GBytes) sector = load_image ("sector.bin");
  g_autoptr(GBytes) junk = g_bytes_new_static ("\x00\x01\x02\x03", 4);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (regions, esplash_flash_region_new (0x20000, sector, "sector.bin"));
  g_assert_true (esplash_flash_write (f->device, regions, NULL, NULL, &error));
  g_assert_no_error (error);

  esplash_sim_load_flash (f->sim, 0x20010, junk);
  g_assert_false (esplash_flash_verify (f->device, regions, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_VERIFY_FAILED);
  g_assert_nonnull (strstr (error->message, "Verification of sector.bin at 0x20000 failed"));
  g_assert_null (strstr (error->message, "empty"));
  g_clear_error (&error);

  g_assert_true (esplash_flash_erase_region (f->device, 0x20000, 0x1000, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (esplash_flash_verify (f->device, regions, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_VERIFY_FAILED);
  g_assert_nonnull (strstr (error->message, "the written flash region is empty"));
}

static void
test_erase_checks (void)
{
  g_autoptr(Fixture) f = connected_fixture (ESPLASH_CHIP_ESP32, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GBytes) one = load_image ("onebyte.bin");
  EsplashWriteOptions wo;

  g_assert_false (esplash_flash_erase_region (f->device, 0x1800, 0x1000, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (esplash_flash_erase_region (f->device, 0x1000, 0x800, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* The ROM cannot erase the whole chip. */
  g_assert_false (esplash_flash_erase_all (f->device, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "--no-stub"));
  g_clear_error (&error);

  esplash_write_options_init (&wo);
  wo.erase_all = TRUE;
  g_ptr_array_add (regions, esplash_flash_region_new (0x9000, one, "onebyte.bin"));
  g_assert_false (esplash_flash_write (f->device, regions, &wo, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED);
}

static void
test_erase_all_stub (void)
{
  g_autoptr(Fixture) f = connected_fixture (ESPLASH_CHIP_ESP32C6, TRUE, FALSE);
  g_autoptr(GBytes) sector = load_image ("sector.bin");
  g_autoptr(GError) error = NULL;

  esplash_sim_load_flash (f->sim, 0x3FF000, sector);
  g_assert_true (esplash_flash_erase_all (f->device, NULL, &error));
  g_assert_no_error (error);
  assert_flash_erased (f->sim, 0x3FF000, 0x1000);
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_ERASE_FLASH), ==, 1);
}

/* Patching the bootloader header as esptool does (§8.4). */
static void
test_bootloader_patch (void)
{
  g_autoptr(Fixture) f = connected_fixture (ESPLASH_CHIP_ESP32, TRUE, FALSE);
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GBytes) boot = load_image ("bootloader_esp32.bin");
  g_autoptr(GBytes) flash = NULL;
  g_autoptr(GError) error = NULL;
  EsplashWriteOptions wo;
  const guint8 *p;

  esplash_write_options_init (&wo);
  wo.flash_mode = "dio";
  wo.flash_freq = "80m";
  wo.flash_size = "detect";
  g_ptr_array_add (regions, esplash_flash_region_new (0x1000, boot, "bootloader.bin"));
  g_assert_true (esplash_flash_write (f->device, regions, &wo, NULL, &error));
  g_assert_no_error (error);
  flash = esplash_sim_dup_flash (f->sim, 0x1000, 8);
  p = g_bytes_get_data (flash, NULL);
  g_assert_cmphex (p[0], ==, 0xE9);
  g_assert_cmphex (p[2], ==, 0x02);          /* dio */
  g_assert_cmphex (p[3], ==, (0x2 << 4) | 0xF);  /* 4MB detected, 80m */
}

typedef struct {
  GCancellable *cancellable;
  gint64        cancelled_at;
} CancelData;

static gpointer
cancel_later (gpointer data)
{
  CancelData *cd = data;

  g_usleep (300 * 1000);
  cd->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cd->cancellable);
  return NULL;
}

/* Cancel during a timed write: the call ends within 0.5 s. */
static void
test_cancel_write (void)
{
  g_autoptr(Fixture) f = connected_fixture (ESPLASH_CHIP_ESP32, TRUE, TRUE);
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GBytes) mb = load_image ("one_mb.bin");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;
  EsplashWriteOptions wo;
  CancelData cd = { cancellable, 0 };
  gint64 returned_at;

  esplash_write_options_init (&wo);
  wo.compress = ESPLASH_COMPRESS_NEVER;
  g_ptr_array_add (regions, esplash_flash_region_new (0x10000, mb, "one_mb.bin"));
  thread = g_thread_new ("cancel", cancel_later, &cd);
  g_assert_false (esplash_flash_write (f->device, regions, &wo, cancellable, &error));
  returned_at = g_get_monotonic_time ();
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (cd.cancelled_at, >, 0);
  g_test_message ("returned %" G_GINT64_FORMAT " us after the cancel",
                  returned_at - cd.cancelled_at);
  g_assert_cmpint (returned_at - cd.cancelled_at, <, 500 * 1000);
  /* It was really cut short: the write had not finished. */
  g_assert_cmpuint (f->last_overall, <, f->overall_total);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      const EsplashChipInfo *chip = esplash_chip_get (chips[i].family);
      static const char *const modes[] = { "rom", "stub" };
      static const char *const kinds[] = { "plain", "compressed" };

      for (guint m = 0; m < 2; m++)
        for (guint k = 0; k < 2; k++)
          {
            g_autofree char *test_path = g_strdup_printf ("/esplash/flash/write/%s/%s/%s",
                                                          modes[m], chip->id, kinds[k]);

            g_test_add_data_func (test_path, &chips[i], test_write);
          }
    }
  g_test_add_func ("/esplash/flash/write/rom-unaligned", test_rom_unaligned);
  g_test_add_func ("/esplash/flash/write/too-large", test_too_large);
  g_test_add_func ("/esplash/flash/write/bootloader-patch", test_bootloader_patch);
  g_test_add_func ("/esplash/flash/write/cancel", test_cancel_write);
  g_test_add_func ("/esplash/flash/verify/failed", test_verify_failed);
  g_test_add_func ("/esplash/flash/erase/checks", test_erase_checks);
  g_test_add_func ("/esplash/flash/erase/all-stub", test_erase_all_stub);

  return g_test_run ();
}
