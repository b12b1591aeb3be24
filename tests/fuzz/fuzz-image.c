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

/* An ESP8266 v2 image and an ESP-IDF app with a description and a digest:
 * layouts the real seed files lack. */
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
  GByteArray *app = g_byte_array_new ();
  static const guint8 header[24] = { 0xE9, 0x01, 0x02, 0x20, 0x00, 0x00, 0x08, 0x40,
                                     0xEE, 0, 0, 0, 0x09, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0x01 };
  guint8 seg_hdr[8] = { 0x20, 0x00, 0x40, 0x3F, 0x00, 0x01, 0x00, 0x00 };   /* 256 bytes */
  guint8 desc[256] = { 0x32, 0x54, 0xCD, 0xAB };
  guint8 cks = 0xEF, zero = 0, digest[32];
  gsize dlen = sizeof digest;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  memcpy (desc + 16, "1.0", 3);
  memcpy (desc + 48, "fuzz_app", 8);
  memcpy (desc + 112, "v5.3", 4);
  g_byte_array_append (app, header, sizeof header);
  g_byte_array_append (app, seg_hdr, sizeof seg_hdr);
  g_byte_array_append (app, desc, sizeof desc);
  for (guint i = 0; i < sizeof desc; i++)
    cks ^= desc[i];
  while (app->len % 16 != 15)
    g_byte_array_append (app, &zero, 1);
  g_byte_array_append (app, &cks, 1);
  g_checksum_update (sum, app->data, app->len);
  g_checksum_get_digest (sum, digest, &dlen);
  g_byte_array_append (app, digest, sizeof digest);

  g_ptr_array_add (seeds, g_bytes_new_static (v2, sizeof v2));
  g_ptr_array_add (seeds, g_byte_array_free_to_bytes (app));
}
