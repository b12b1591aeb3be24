/* esplash-flash-verify.c: is what the flash holds what was written? The
 * loader's SPI_FLASH_MD5 against the MD5 of the padded image (§2.10, §4).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-device-private.h"
#include "esplash-error.h"
#include "esplash-flash.h"
#include "esplash-flash-private.h"

void
esplash_flash_md5_of (const guint8 *data,
                      gsize         len,
                      guint8        digest[16])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_MD5);
  gsize dlen = 16;

  g_checksum_update (sum, data, (gssize) len);
  g_checksum_get_digest (sum, digest, &dlen);
}

static char *
hex_of (const guint8 *digest)
{
  GString *s = g_string_sized_new (33);

  for (guint i = 0; i < 16; i++)
    g_string_append_printf (s, "%02x", digest[i]);
  return g_string_free (s, FALSE);
}

const char *
esplash_flash_region_label (const EsplashFlashRegion *region)
{
  return region->name != NULL ? region->name : "region";
}

/* Compares the flash MD5 of @image (as written at @address) with @expected. */
gboolean
esplash_flash_verify_region (EsplashDevice             *device,
                             const EsplashFlashRegion  *region,
                             guint32                    address,
                             GBytes                    *image,
                             const guint8              *expected,
                             GCancellable              *cancellable,
                             GError                   **error)
{
  gsize len = g_bytes_get_size (image);
  guint8 actual[16], empty[16];
  g_autofree char *actual_hex = NULL;
  g_autofree char *expected_hex = NULL;
  g_autofree guint8 *ff = NULL;

  if (!esplash_flash_md5 (device, address, (guint32) len, actual, cancellable, error))
    {
      g_prefix_error (error, "Verifying %s at 0x%X: ", esplash_flash_region_label (region), region->address);
      return FALSE;
    }
  if (memcmp (actual, expected, 16) == 0)
    {
      esplash_device_log (device, ESPLASH_LOG_INFO, "Hash of data verified.");
      return TRUE;
    }

  ff = g_malloc (len);
  memset (ff, 0xFF, len);
  esplash_flash_md5_of (ff, len, empty);
  actual_hex = hex_of (actual);
  expected_hex = hex_of (expected);
  g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_VERIFY_FAILED,
               "Verification of %s at 0x%X failed: flash MD5 %s, file MD5 %s%s",
               esplash_flash_region_label (region), region->address, actual_hex, expected_hex,
               memcmp (actual, empty, 16) == 0 ? " (the written flash region is empty)" : "");
  return FALSE;
}

/* FALSE (and a logged warning) when the loader has no MD5 command. */
gboolean
esplash_flash_can_verify (EsplashDevice *device)
{
  if (esplash_device_is_secure_download_mode (device))
    {
      esplash_device_log (device, ESPLASH_LOG_WARNING,
                          "verification skipped: Secure Download Mode has no MD5 command");
      return FALSE;
    }
  if (!esplash_device_is_stub (device) && esplash_device_get_chip (device)->rom_is_esp8266_like)
    {
      esplash_device_log (device, ESPLASH_LOG_WARNING,
                          "verification skipped: the ESP8266 ROM has no MD5 command; use the stub");
      return FALSE;
    }
  return TRUE;
}

/**
 * esplash_flash_verify:
 * @device: a connected device
 * @regions: (element-type EsplashFlashRegion): what the flash should hold
 * @cancellable: (nullable): cancels the check
 * @error: %ESPLASH_ERROR_VERIFY_FAILED naming the first region that differs
 *
 * Compares the flash MD5 of each region with the MD5 of its (padded) bytes.
 *
 * Returns: %TRUE when every region matches
 */
gboolean
esplash_flash_verify (EsplashDevice  *device,
                      GPtrArray      *regions,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (device), FALSE);
  g_return_val_if_fail (regions != NULL, FALSE);

  if (!esplash_flash_require_connected (device, error))
    return FALSE;
  if (!esplash_flash_can_verify (device))
    return TRUE;

  for (guint i = 0; i < regions->len; i++)
    {
      const EsplashFlashRegion *region = g_ptr_array_index (regions, i);
      guint32 address = region->address;
      g_autoptr(GBytes) image = NULL;
      guint8 md5[16];

      if (g_bytes_get_size (region->data) == 0)
        continue;
      /* The same padding and alignment the write used (§3.2). */
      image = esplash_flash_pad_image (region->data, !esplash_device_is_stub (device), &address);
      esplash_flash_md5_of (g_bytes_get_data (image, NULL), g_bytes_get_size (image), md5);
      esplash_device_stage_region (device, ESPLASH_STAGE_VERIFYING, i, regions->len,
                                   region->address);
      if (!esplash_flash_verify_region (device, region, address, image, md5, cancellable, error))
        return FALSE;
    }
  return TRUE;
}
