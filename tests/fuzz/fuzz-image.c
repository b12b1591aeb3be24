/* fuzz-image.c: esplash_image_parse and esplash_image_patch_flash_params
 * on arbitrary bytes, checking what the parser promises on success.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "fuzz.h"

static void
check_info (const EsplashImageInfo *info,
            gsize                   len)
{
  FUZZ_CHECK (info->n_segments <= ESPLASH_IMAGE_MAX_SEGMENTS, "segment count");
  for (guint i = 0; i < info->n_segments; i++)
    FUZZ_CHECK ((guint64) info->segments[i].file_offset + info->segments[i].size <= len,
                "segment inside the buffer");
  FUZZ_CHECK (info->data_length > 0 && info->data_length <= len, "data_length inside the buffer");
  FUZZ_CHECK (info->data_length % 16 == 0, "checksum ends a 16-byte block");
  if (info->hash_appended)
    FUZZ_CHECK (info->data_length + 32 <= len, "digest inside the buffer");
  FUZZ_CHECK (strlen (info->project_name) < sizeof info->project_name, "project name terminated");
  FUZZ_CHECK (strlen (info->version) < sizeof info->version, "version terminated");
  FUZZ_CHECK (strlen (info->idf_version) < sizeof info->idf_version, "idf version terminated");
  FUZZ_CHECK (strlen (info->compile_time) < sizeof info->compile_time, "time terminated");
  FUZZ_CHECK (strlen (info->compile_date) < sizeof info->compile_date, "date terminated");
  FUZZ_CHECK ((esplash_image_info_get_bootloader_desc (info) != NULL) == info->has_bootloader_desc,
              "the getter agrees with the flag");
  FUZZ_CHECK (!(info->has_bootloader_desc && info->has_app_desc), "app or bootloader, not both");
  if (info->has_bootloader_desc)
    FUZZ_CHECK (info->has_extended_header && info->n_segments > 0 && info->segments[0].size >= 80,
                "bootloader description inside segment 0");
  FUZZ_CHECK (strlen (info->bootloader_desc.idf_version) < sizeof info->bootloader_desc.idf_version,
              "bootloader idf version terminated");
  FUZZ_CHECK (strlen (info->bootloader_desc.date_time) < sizeof info->bootloader_desc.date_time,
              "bootloader date and time terminated");
}

static void
check_patch (const uint8_t         *data,
             size_t                 size,
             const EsplashChipInfo *chip,
             gboolean               parsed)
{
  g_autoptr(GBytes) in = g_bytes_new (data, size);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;
  EsplashImageInfo info;
  const guint8 *o;
  gsize olen;

  out = esplash_image_patch_flash_params (in, chip, "dio", "40m", "detect", 4 * 1024 * 1024,
                                          &msg, &error);
  FUZZ_CHECK (out != NULL && error == NULL, "valid arguments never fail");
  FUZZ_CHECK (msg != NULL, "a message says what happened");
  o = g_bytes_get_data (out, &olen);
  FUZZ_CHECK (olen == size, "patching keeps the length");
  if (!parsed || size < 8 || data[0] != ESPLASH_IMAGE_MAGIC)
    {
      FUZZ_CHECK (g_bytes_equal (in, out), "an image that does not parse is not changed");
      return;
    }
  /* the patched image parses again, with a valid digest if it has one */
  FUZZ_CHECK (esplash_image_parse (o, olen, chip, &info, NULL), "patched image parses");
  if (info.has_extended_header && info.chip_id == chip->image_chip_id)
    {
      FUZZ_CHECK (o[2] == 2, "mode patched");
      FUZZ_CHECK (!info.hash_appended || info.sha256_valid, "digest recomputed");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const EsplashChipFamily families[] = {
    ESPLASH_CHIP_UNKNOWN, ESPLASH_CHIP_ESP8266, ESPLASH_CHIP_ESP32, ESPLASH_CHIP_ESP32C3,
  };

  for (guint i = 0; i < G_N_ELEMENTS (families); i++)
    {
      const EsplashChipInfo *chip = families[i] == ESPLASH_CHIP_UNKNOWN
        ? NULL : esplash_chip_get (families[i]);
      g_autoptr(GError) error = NULL;
      EsplashImageInfo info;
      gboolean ok = esplash_image_parse (data, size, chip, &info, &error);

      FUZZ_CHECK (ok == (error == NULL), "error set exactly on failure");
      if (ok)
        check_info (&info, size);
      else
        FUZZ_CHECK (error->domain == ESPLASH_ERROR &&
                    error->code == ESPLASH_ERROR_INVALID_IMAGE, "INVALID_IMAGE error");
      if (chip != NULL)
        check_patch (data, size, chip, ok);
    }
  return 0;
}

/* An ESP32-S3 image (chip id 9) with one segment at @load holding @seg, its
 * checksum and an appended digest. */
static GBytes *
seed_image (guint32       load,
            const guint8 *seg,
            guint32       seg_len)
{
  static const guint8 header[24] = { 0xE9, 0x01, 0x02, 0x20, 0x00, 0x00, 0x08, 0x40,
                                     0xEE, 0, 0, 0, 0x09, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0x01 };
  guint8 seg_hdr[8] = { load & 0xFF, (load >> 8) & 0xFF, (load >> 16) & 0xFF, load >> 24,
                        seg_len & 0xFF, (seg_len >> 8) & 0xFF, (seg_len >> 16) & 0xFF, seg_len >> 24 };
  GByteArray *img = g_byte_array_new ();
  guint8 cks = 0xEF, zero = 0, digest[32];
  gsize dlen = sizeof digest;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_byte_array_append (img, header, sizeof header);
  g_byte_array_append (img, seg_hdr, sizeof seg_hdr);
  g_byte_array_append (img, seg, seg_len);
  for (guint i = 0; i < seg_len; i++)
    cks ^= seg[i];
  while (img->len % 16 != 15)
    g_byte_array_append (img, &zero, 1);
  g_byte_array_append (img, &cks, 1);
  g_checksum_update (sum, img->data, img->len);
  g_checksum_get_digest (sum, digest, &dlen);
  g_byte_array_append (img, digest, sizeof digest);
  return g_byte_array_free_to_bytes (img);
}

/* An ESP8266 v2 image, an ESP-IDF app with a description and an ESP-IDF 5.2
 * bootloader with its description (in DRAM): layouts the real seed files
 * lack. */
void
esplash_fuzz_add_seeds (GPtrArray *seeds)
{
  static const guint8 v2[] = {
    0xEA, 0x04, 0x00, 0x20, 0x04, 0x10, 0x10, 0x40,
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
    0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A,
    0xE9, 0x01, 0x03, 0x21, 0x94, 0x02, 0x10, 0x40,
    0x00, 0x00, 0x10, 0x40, 0x04, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xEB,   /* 0xEF ^ 1^2^3^4 */
    0x78, 0x56, 0x34, 0x12,
  };
  guint8 desc[256] = { 0x32, 0x54, 0xCD, 0xAB };
  guint8 boot[96] = { 0x50, 0, 0, 0, 0x01 };   /* esp_bootloader_desc_t, version 1 */

  memcpy (desc + 16, "1.0", 3);
  memcpy (desc + 48, "fuzz_app", 8);
  memcpy (desc + 112, "v5.3", 4);
  memcpy (boot + 8, "v5.2.1", 6);
  memcpy (boot + 40, "Apr 25 2023 00:13:32", 20);

  g_ptr_array_add (seeds, g_bytes_new_static (v2, sizeof v2));
  g_ptr_array_add (seeds, seed_image (0x3F400020, desc, sizeof desc));
  g_ptr_array_add (seeds, seed_image (0x3FCEB700, boot, sizeof boot));   /* S3 DRAM */
}
