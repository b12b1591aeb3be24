/* esplash-flash-read.c: reading, hashing and erasing flash on a connected
 * device (protocol.md §2.10, §2.12–§2.14, §3.4).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-flash.h"
#include "esplash-flash-private.h"

#include "esplash-device-private.h"
#include "esplash-error.h"

#include <string.h>

#define SECTOR_SIZE 0x1000u
/* READ_FLASH: 4 KiB packets, at most 64 unacknowledged (esptool's values). */
#define READ_PACKET_SIZE 0x1000u
#define READ_MAX_IN_FLIGHT 64
#define READ_FRAME_TIMEOUT_MS 3000
/* READ_FLASH_SLOW returns at most 64 bytes per command. */
#define READ_SLOW_CHUNK 64u
#define CHIP_ERASE_TIMEOUT_MS 120000
#define ERASE_REGION_S_PER_MB 40
#define MD5_S_PER_MB 8
/* Secure Download Mode cannot detect the size: HEAD assumes 16 MB there. */
#define SDM_FLASH_SIZE (16u * 1024 * 1024)

/**
 * esplash_flash_md5:
 * @device: a connected device
 * @address: flash offset
 * @size: bytes to hash
 * @digest: (out caller-allocates) (array fixed-size=16): the MD5
 * @cancellable: (nullable): cancels the command
 * @error: the reason it failed
 *
 * Returns: %TRUE when @digest was filled in
 */
gboolean
esplash_flash_md5 (EsplashDevice  *device,
                   guint32         address,
                   guint32         size,
                   guint8          digest[16],
                   GCancellable   *cancellable,
                   GError        **error)
{
  gboolean stub;
  guint32 words[4] = { address, size, 0, 0 };
  EsplashResponse response = { 0 };
  const guint8 *p;
  gsize len;

  g_return_val_if_fail (ESPLASH_IS_DEVICE (device), FALSE);
  g_return_val_if_fail (digest != NULL, FALSE);

  if (!esplash_flash_require_connected (device, error))
    return FALSE;
  stub = esplash_device_is_stub (device);
  if (!stub && esplash_device_get_chip (device)->rom_is_esp8266_like)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                           "The ESP8266 ROM has no MD5 command; use the flasher stub");
      return FALSE;
    }
  if (esplash_device_is_secure_download_mode (device))
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                           "Secure Download Mode does not allow reading the flash MD5");
      return FALSE;
    }
  if (!esplash_device_ensure_flash_attached (device, cancellable, error))
    return FALSE;

  /* The ROM answers in 32 hex characters, the stub in 16 raw bytes. */
  if (!esplash_device_command_words (device, ESPLASH_OP_SPI_FLASH_MD5, words, 4,
                                     stub ? 16 : 32, esplash_timeout_per_mb (MD5_S_PER_MB, size),
                                     TRUE, &response, cancellable, error))
    return FALSE;

  p = g_bytes_get_data (response.payload, &len);
  if (stub)
    {
      memcpy (digest, p, 16);
    }
  else
    {
      for (guint i = 0; i < 16; i++)
        {
          gint hi = g_ascii_xdigit_value (p[2 * i]);
          gint lo = g_ascii_xdigit_value (p[2 * i + 1]);

          if (hi < 0 || lo < 0)
            {
              g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                           "The ROM's MD5 reply is not hexadecimal text (byte %u)", 2 * i);
              esplash_response_clear (&response);
              return FALSE;
            }
          digest[i] = (guint8) (hi << 4 | lo);
        }
    }
  esplash_response_clear (&response);
  return TRUE;
}

static void
read_progress (EsplashDevice *device,
               guint32        address,
               guint64        done,
               guint64        total)
{
  esplash_flash_emit_progress (device, ESPLASH_STAGE_READING, 0, 1, address, done, total,
                               done, total, 0);
}

static GBytes *
read_stub (EsplashDevice  *device,
           guint32         address,
           guint32         size,
           GCancellable   *cancellable,
           GError        **error)
{
  guint32 words[4] = { address, size, READ_PACKET_SIZE, READ_MAX_IN_FLIGHT };
  g_autoptr(GByteArray) data = g_byte_array_sized_new (size);
  g_autoptr(GBytes) digest_frame = NULL;
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize dlen = sizeof digest;

  if (!esplash_device_command_words (device, ESPLASH_OP_READ_FLASH, words, 4, 0,
                                     ESPLASH_DEFAULT_TIMEOUT_MS, TRUE, NULL, cancellable, error))
    return NULL;

  while (data->len < size)
    {
      g_autoptr(GBytes) frame = esplash_device_read_frame (device, READ_FRAME_TIMEOUT_MS,
                                                           cancellable, error);
      const guint8 *f;
      gsize len;
      guint8 ack[4];

      if (frame == NULL)
        {
          g_prefix_error (error, "Reading flash at 0x%X (%u of %u bytes received): ",
                          address, data->len, size);
          return NULL;
        }
      f = g_bytes_get_data (frame, &len);
      g_byte_array_append (data, f, (guint) len);
      if (data->len < size && len < READ_PACKET_SIZE)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                       "Corrupt data while reading flash: expected a %u-byte packet, "
                       "got %" G_GSIZE_FORMAT " bytes", READ_PACKET_SIZE, len);
          return NULL;
        }
      if (data->len > size)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                       "Read more than expected: %u bytes for a %u-byte read",
                       data->len, size);
          return NULL;
        }
      /* Each packet is acknowledged with the running total (§2.14). */
      ack[0] = data->len & 0xFF;
      ack[1] = (data->len >> 8) & 0xFF;
      ack[2] = (data->len >> 16) & 0xFF;
      ack[3] = (data->len >> 24) & 0xFF;
      if (!esplash_device_send_frame (device, ack, sizeof ack, error))
        return NULL;
      read_progress (device, address, data->len, size);
    }

  digest_frame = esplash_device_read_frame (device, READ_FRAME_TIMEOUT_MS, cancellable, error);
  if (digest_frame == NULL)
    {
      g_prefix_error (error, "Reading flash at 0x%X, waiting for the MD5: ", address);
      return NULL;
    }
  if (g_bytes_get_size (digest_frame) != 16)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                   "Expected the 16-byte MD5 after the flash data, got %" G_GSIZE_FORMAT
                   " bytes", g_bytes_get_size (digest_frame));
      return NULL;
    }
  g_checksum_update (md5, data->data, data->len);
  g_checksum_get_digest (md5, digest, &dlen);
  if (memcmp (digest, g_bytes_get_data (digest_frame, NULL), 16) != 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                   "Flash read at 0x%X: the data does not match the MD5 the stub sent "
                   "(data corrupted on the way)", address);
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static GBytes *
read_rom_slow (EsplashDevice  *device,
               guint32         address,
               guint32         size,
               GCancellable   *cancellable,
               GError        **error)
{
  g_autoptr(GByteArray) data = g_byte_array_sized_new (size);

  while (data->len < size)
    {
      guint32 n = MIN (READ_SLOW_CHUNK, size - data->len);
      guint32 words[2] = { address + data->len, n };
      EsplashResponse response = { 0 };

      /* The reply always carries 64 data bytes; the first n are valid. */
      if (!esplash_device_command_words (device, ESPLASH_OP_READ_FLASH_SLOW, words, 2,
                                         READ_SLOW_CHUNK, ESPLASH_DEFAULT_TIMEOUT_MS, TRUE,
                                         &response, cancellable, error))
        {
          g_prefix_error (error, "Reading flash at 0x%X: ", words[0]);
          return NULL;
        }
      g_byte_array_append (data, g_bytes_get_data (response.payload, NULL), n);
      esplash_response_clear (&response);
      read_progress (device, address, data->len, size);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/**
 * esplash_flash_read:
 * @device: a connected device
 * @address: flash offset
 * @size: bytes to read
 * @cancellable: (nullable): cancels the read
 * @error: the reason it failed
 *
 * Returns: (transfer full): the bytes read, or %NULL on error
 */
GBytes *
esplash_flash_read (EsplashDevice  *device,
                    guint32         address,
                    guint32         size,
                    GCancellable   *cancellable,
                    GError        **error)
{
  const EsplashChipInfo *chip;

  g_return_val_if_fail (ESPLASH_IS_DEVICE (device), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!esplash_flash_require_connected (device, error))
    return NULL;
  chip = esplash_device_get_chip (device);
  if (esplash_device_is_secure_download_mode (device))
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                           "Secure Download Mode does not allow reading the flash");
      return NULL;
    }
  if (!esplash_device_is_stub (device) && !chip->has_read_flash_slow)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                   "The %s ROM loader cannot read the flash: it needs the flasher stub "
                   "(drop --no-stub)", chip->name);
      return NULL;
    }
  if (!esplash_device_ensure_flash_attached (device, cancellable, error))
    return NULL;

  esplash_device_stage_region (device, ESPLASH_STAGE_READING, 0, 1, address);
  read_progress (device, address, 0, size);
  if (size == 0)
    return g_bytes_new (NULL, 0);
  if (esplash_device_is_stub (device))
    return read_stub (device, address, size, cancellable, error);
  return read_rom_slow (device, address, size, cancellable, error);
}

gboolean
esplash_flash_erase_all (EsplashDevice  *device,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (device), FALSE);

  if (!esplash_flash_require_connected (device, error))
    return FALSE;
  if (!esplash_device_is_stub (device))
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                           "Erasing the whole flash needs the flasher stub; the ROM loader "
                           "cannot do it (drop --no-stub)");
      return FALSE;
    }
  esplash_device_stage (device, ESPLASH_STAGE_ERASING);
  esplash_device_log (device, ESPLASH_LOG_INFO,
                      "Erasing flash (this may take a while)...");
  if (!esplash_device_command (device, ESPLASH_OP_ERASE_FLASH, NULL, 0, 0, CHIP_ERASE_TIMEOUT_MS,
                               TRUE, NULL, cancellable, error))
    {
      g_prefix_error (error, "Erasing the flash: ");
      return FALSE;
    }
  esplash_device_log (device, ESPLASH_LOG_INFO, "Chip erase completed successfully");
  return TRUE;
}

gboolean
esplash_flash_erase_region (EsplashDevice  *device,
                            guint32         address,
                            guint32         size,
                            GCancellable   *cancellable,
                            GError        **error)
{
  const EsplashChipInfo *chip;
  guint timeout;

  g_return_val_if_fail (ESPLASH_IS_DEVICE (device), FALSE);

  if (address % SECTOR_SIZE != 0 || size % SECTOR_SIZE != 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Cannot erase 0x%X bytes at 0x%X: address and size must be multiples "
                   "of 4096 (0x1000)", size, address);
      return FALSE;
    }
  if (!esplash_flash_require_connected (device, error))
    return FALSE;
  chip = esplash_device_get_chip (device);
  timeout = esplash_timeout_per_mb (ERASE_REGION_S_PER_MB, size);

  esplash_device_stage_region (device, ESPLASH_STAGE_ERASING, 0, 1, address);
  esplash_device_log (device, ESPLASH_LOG_INFO, "Erasing region (0x%X bytes at 0x%08X)...",
                      size, address);
  if (!esplash_device_ensure_flash_attached (device, cancellable, error))
    return FALSE;

  if (esplash_device_is_stub (device))
    {
      guint32 words[2] = { address, size };

      if (!esplash_device_command_words (device, ESPLASH_OP_ERASE_REGION, words, 2, 0, timeout,
                                         TRUE, NULL, cancellable, error))
        {
          g_prefix_error (error, "Erasing 0x%X bytes at 0x%X: ", size, address);
          return FALSE;
        }
      return TRUE;
    }

  if (chip->rom_is_esp8266_like)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                   "The %s ROM loader cannot erase a region: it needs the flasher stub "
                   "(drop --no-stub)", chip->name);
      return FALSE;
    }

  /* ROM (HEAD): the ROM erases on FLASH_BEGIN, after learning the size. */
  {
    guint32 flash_size = SDM_FLASH_SIZE;
    guint bs = esplash_device_flash_block_size (device);
    guint32 words[5] = { size, (size + bs - 1) / bs, bs, address, 0 };

    if (!esplash_device_is_secure_download_mode (device))
      {
        if (!esplash_device_ensure_flash_id (device, cancellable, error))
          return FALSE;
        flash_size = esplash_device_get_flash_size (device);
        if (flash_size == 0)
          flash_size = SDM_FLASH_SIZE;
      }
    if (!esplash_device_set_flash_params (device, flash_size, cancellable, error) ||
        !esplash_device_command_words (device, ESPLASH_OP_FLASH_BEGIN, words,
                                       chip->rom_begin_has_encrypt_word ? 5 : 4, 0, timeout,
                                       TRUE, NULL, cancellable, error))
      {
        g_prefix_error (error, "Erasing 0x%X bytes at 0x%X: ", size, address);
        return FALSE;
      }
  }
  return TRUE;
}
