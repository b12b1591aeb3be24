/* esplash-device-regs.c: register-level work on a connected chip — READ_REG,
 * WRITE_REG, flash attach and parameters, the SPI flash id (§6.6, §2.7, §2.8),
 * baud changes (§2.9), security info (§2.11) and the chip description (§6.5).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-device.h"
#include "esplash-device-private.h"

#include "esplash-error.h"

#include <string.h>

/* SPI user-command bits (§6.6), the same on every chip. */
#define SPI_USR_COMMAND (1u << 31)
#define SPI_USR_MISO (1u << 28)
#define SPI_USR2_COMMAND_LEN_SHIFT 28
#define SPI_CMD_USR (1u << 18)
#define SPI_ESP8266_MISO_BITLEN_SHIFT 8
#define SPI_FLASH_RDID 0x9F
#define SPI_DONE_POLLS 10

/* SPI_SET_PARAMS fixed geometry (§2.7). */
#define FLASH_BLOCK_SIZE 0x10000
#define FLASH_SECTOR_SIZE 0x1000
#define FLASH_PAGE_SIZE 0x100
#define FLASH_STATUS_MASK 0xFFFF

/* ESP32 ROM baud quirk (§2.9): RTC calibration register, not in the chip
 * table because nothing else reads it. */
#define ESP32_RTC_CALI_CFG1_REG 0x3FF5F06Cu
#define ESP32_EFUSE_XTAL_WORD_OFFSET 0x10u

/* Wait after a baud change before flushing what the switch garbled (§2.9). */
#define BAUD_SETTLE_MS 50

static gboolean
require_connected (EsplashDevice  *self,
                   GError        **error)
{
  if (self->connected && self->chip != NULL)
    return TRUE;
  g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                       "Not connected to a chip: connect first");
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* READ_REG and WRITE_REG                                              */

/**
 * esplash_device_read_reg:
 * @self: a connected device
 * @address: the register address
 * @value: (out): the register's value
 * @cancellable: (nullable): cancels the command
 * @error: the reason it failed
 *
 * Returns: %TRUE when @value was set
 */
gboolean
esplash_device_read_reg (EsplashDevice  *self,
                         guint32         address,
                         guint32        *value,
                         GCancellable   *cancellable,
                         GError        **error)
{
  EsplashResponse response = { 0 };

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!esplash_device_command_words (self, ESPLASH_OP_READ_REG, &address, 1, 0,
                                     ESPLASH_DEFAULT_TIMEOUT_MS, TRUE, &response,
                                     cancellable, error))
    {
      g_prefix_error (error, "Reading register 0x%08X: ", address);
      return FALSE;
    }
  *value = response.value;
  esplash_response_clear (&response);
  return TRUE;
}

gboolean
esplash_device_write_reg (EsplashDevice  *self,
                          guint32         address,
                          guint32         value,
                          guint32         mask,
                          guint32         delay_us,
                          GCancellable   *cancellable,
                          GError        **error)
{
  guint32 words[4] = { address, value, mask, delay_us };

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);

  if (!esplash_device_command_words (self, ESPLASH_OP_WRITE_REG, words, G_N_ELEMENTS (words),
                                     0, ESPLASH_DEFAULT_TIMEOUT_MS, TRUE, NULL,
                                     cancellable, error))
    {
      g_prefix_error (error, "Writing register 0x%08X: ", address);
      return FALSE;
    }
  return TRUE;
}

gboolean
esplash_device_reg_reader (gpointer   user_data,
                           guint32    address,
                           guint32   *value,
                           GError   **error)
{
  EsplashDeviceRegReader *reader = user_data;

  return esplash_device_read_reg (reader->device, address, value, reader->cancellable, error);
}

/* ------------------------------------------------------------------ */
/* Flash access                                                        */

guint
esplash_device_flash_block_size (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self) && self->chip != NULL, 0x400);

  if (!self->stub_running)
    return self->chip->rom_flash_block;
  if (self->console == ESPLASH_CONSOLE_USB_OTG && self->chip->usb_otg_flash_block != 0)
    return self->chip->usb_otg_flash_block;
  return self->chip->stub_flash_block;
}

guint
esplash_device_ram_block_size (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self) && self->chip != NULL, 0x800);

  if (self->console == ESPLASH_CONSOLE_USB_OTG && self->chip->usb_otg_ram_block != 0)
    return self->chip->usb_otg_ram_block;
  return self->chip->ram_block;
}

guint32
esplash_device_get_flash_size (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), 0);

  if (!self->flash_id_valid)
    return 0;
  return esplash_flash_size_from_id (self->flash_id);
}

gboolean
esplash_device_ensure_flash_attached (EsplashDevice  *self,
                                      GCancellable   *cancellable,
                                      GError        **error)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);

  if (!require_connected (self, error))
    return FALSE;
  if (self->flash_attached)
    return TRUE;

  /* The stub attaches the flash itself at start-up (§2.8). */
  if (!self->stub_running)
    {
      if (self->chip->rom_is_esp8266_like)
        {
          /* No SPI_ATTACH in this ROM: a zero-length FLASH_BEGIN attaches it. */
          guint32 words[4] = { 0, 0, self->chip->rom_flash_block, 0 };

          if (!esplash_device_command_words (self, ESPLASH_OP_FLASH_BEGIN, words, 4, 0,
                                             ESPLASH_DEFAULT_TIMEOUT_MS, TRUE, NULL,
                                             cancellable, error))
            return FALSE;
        }
      else
        {
          /* Default pins from eFuse, then the ROM's extra is_legacy word. */
          guint32 words[2] = { 0, 0 };

          if (!esplash_device_command_words (self, ESPLASH_OP_SPI_ATTACH, words, 2, 0,
                                             ESPLASH_DEFAULT_TIMEOUT_MS, TRUE, NULL,
                                             cancellable, error))
            return FALSE;
        }
    }
  self->flash_attached = TRUE;
  return TRUE;
}

gboolean
esplash_device_set_flash_params (EsplashDevice  *self,
                                 guint32         size,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  guint32 words[6] = { 0, size, FLASH_BLOCK_SIZE, FLASH_SECTOR_SIZE, FLASH_PAGE_SIZE,
                       FLASH_STATUS_MASK };

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);

  if (!require_connected (self, error))
    return FALSE;
  if (!self->stub_running && self->chip->rom_is_esp8266_like)
    return TRUE;    /* the ESP8266 ROM has no SPI_SET_PARAMS */
  if (self->flash_params_size == size)
    return TRUE;
  if (!esplash_device_command_words (self, ESPLASH_OP_SPI_SET_PARAMS, words, 6, 0,
                                     ESPLASH_DEFAULT_TIMEOUT_MS, TRUE, NULL,
                                     cancellable, error))
    return FALSE;
  self->flash_params_size = size;
  return TRUE;
}

/* One SPI user command that only reads (§6.6). */
static gboolean
run_spiflash_read_command (EsplashDevice  *self,
                           guint8          command,
                           guint           read_bits,
                           guint32        *result,
                           GCancellable   *cancellable,
                           GError        **error)
{
  const EsplashSpiRegs *spi = &self->chip->spi;
  guint32 old_usr, old_usr2, cmd = SPI_CMD_USR;
  guint i;

  if (!esplash_device_read_reg (self, spi->base + spi->usr, &old_usr, cancellable, error) ||
      !esplash_device_read_reg (self, spi->base + spi->usr2, &old_usr2, cancellable, error))
    return FALSE;

  if (spi->miso_dlen != 0)
    {
      if (!esplash_device_write_reg (self, spi->base + spi->miso_dlen, read_bits - 1,
                                     0xFFFFFFFF, 0, cancellable, error))
        return FALSE;
    }
  else
    {
      /* ESP8266: the data lengths live in USR1. */
      if (!esplash_device_write_reg (self, spi->base + spi->usr1,
                                     (read_bits - 1) << SPI_ESP8266_MISO_BITLEN_SHIFT,
                                     0xFFFFFFFF, 0, cancellable, error))
        return FALSE;
    }

  if (!esplash_device_write_reg (self, spi->base + spi->usr, SPI_USR_COMMAND | SPI_USR_MISO,
                                 0xFFFFFFFF, 0, cancellable, error) ||
      !esplash_device_write_reg (self, spi->base + spi->usr2,
                                 (7u << SPI_USR2_COMMAND_LEN_SHIFT) | command,
                                 0xFFFFFFFF, 0, cancellable, error) ||
      !esplash_device_write_reg (self, spi->base + spi->w0, 0, 0xFFFFFFFF, 0,
                                 cancellable, error) ||
      !esplash_device_write_reg (self, spi->base, SPI_CMD_USR, 0xFFFFFFFF, 0,
                                 cancellable, error))
    return FALSE;

  for (i = 0; i < SPI_DONE_POLLS && (cmd & SPI_CMD_USR) != 0; i++)
    if (!esplash_device_read_reg (self, spi->base, &cmd, cancellable, error))
      return FALSE;
  if ((cmd & SPI_CMD_USR) != 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE,
                   "SPI flash command 0x%02X did not complete in time", command);
      return FALSE;
    }

  return esplash_device_read_reg (self, spi->base + spi->w0, result, cancellable, error) &&
         esplash_device_write_reg (self, spi->base + spi->usr, old_usr, 0xFFFFFFFF, 0,
                                   cancellable, error) &&
         esplash_device_write_reg (self, spi->base + spi->usr2, old_usr2, 0xFFFFFFFF, 0,
                                   cancellable, error);
}

/**
 * esplash_device_read_flash_id:
 * @self: a connected device
 * @flash_id: (out): manufacturer | type << 8 | capacity << 16
 * @cancellable: (nullable): cancels the command
 * @error: the reason it failed
 *
 * Reads the SPI flash JEDEC id (RDID, 0x9F).
 *
 * Returns: %TRUE when @flash_id was set
 */
gboolean
esplash_device_read_flash_id (EsplashDevice  *self,
                              guint32        *flash_id,
                              GCancellable   *cancellable,
                              GError        **error)
{
  guint32 value = 0;

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);
  g_return_val_if_fail (flash_id != NULL, FALSE);

  if (!require_connected (self, error))
    return FALSE;
  if (self->secure_download_mode)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                           "The flash id cannot be read in Secure Download Mode");
      return FALSE;
    }
  if (!esplash_device_ensure_flash_attached (self, cancellable, error) ||
      !run_spiflash_read_command (self, SPI_FLASH_RDID, 24, &value, cancellable, error))
    {
      g_prefix_error (error, "Reading the flash id: ");
      return FALSE;
    }
  *flash_id = value & 0xFFFFFF;
  return TRUE;
}

gboolean
esplash_device_ensure_flash_id (EsplashDevice  *self,
                                GCancellable   *cancellable,
                                GError        **error)
{
  if (self->flash_id_valid || self->secure_download_mode)
    return TRUE;
  if (!esplash_device_read_flash_id (self, &self->flash_id, cancellable, error))
    return FALSE;
  self->flash_id_valid = TRUE;
  esplash_device_log (self, ESPLASH_LOG_DEBUG, "Flash id 0x%06X (%u bytes)", self->flash_id,
                      esplash_flash_size_from_id (self->flash_id));
  /* esptool warns too (_verify_flash_connection): all-ones or all-zeros
   * means nothing answered on the SPI bus, and writes will not stick. */
  if (self->flash_id == 0xFFFFFF || self->flash_id == 0x000000)
    esplash_device_log (self, ESPLASH_LOG_WARNING,
                        "The flash chip does not answer (ID 0x%06X): writes will fail. Check "
                        "the flash's power and wiring, and that nothing else drives its pins "
                        "(on ESP32, GPIO12 high at reset selects 1.8 V flash).", self->flash_id);
  return TRUE;
}

/* The baud the ROM must be told so that it really runs at @baud (§2.9). */
gboolean
esplash_device_rom_baud_value (EsplashDevice  *self,
                               guint           baud,
                               guint          *rom_baud,
                               GCancellable   *cancellable,
                               GError        **error)
{
  const EsplashChipInfo *chip = self->chip;

  *rom_baud = baud;
  if (self->stub_running || !chip->baud_needs_xtal_fix)
    return TRUE;

  if (chip->family == ESPLASH_CHIP_ESP32)
    {
      guint32 cali, efuse;
      guint64 rom_xtal, valid_xtal;

      if (!esplash_device_read_reg (self, ESP32_RTC_CALI_CFG1_REG, &cali, cancellable, error) ||
          !esplash_device_read_reg (self, chip->efuse_base + ESP32_EFUSE_XTAL_WORD_OFFSET,
                                    &efuse, cancellable, error))
        return FALSE;
      rom_xtal = (guint64) ((cali >> 7) & 0x1FFFFFF) * 15625 * (efuse & 0xFF) / 40;
      if (rom_xtal == 0)
        return TRUE;  /* no calibration value: nothing to correct */
      valid_xtal = rom_xtal > 33000000 ? 40000000 : 26000000;
      *rom_baud = (guint) ((guint64) baud * rom_xtal / valid_xtal);
    }
  else
    {
      /* ESP32-C2: the ROM assumes 40 MHz even with a 26 MHz crystal. */
      EsplashDeviceRegReader reader = { self, cancellable };
      guint mhz = 0;

      if (!esplash_chip_read_crystal (chip, esplash_device_reg_reader, &reader,
                                      esplash_transport_get_baud (self->transport), &mhz, error))
        return FALSE;
      if (mhz == 26)
        *rom_baud = baud * 40 / 26;
    }
  return TRUE;
}

gboolean
esplash_device_change_baud (EsplashDevice  *self,
                            guint           baud,
                            GCancellable   *cancellable,
                            GError        **error)
{
  guint32 words[2];
  guint rom_baud;
  EsplashResponse response = { 0 };
  GError *local_error = NULL;

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);

  if (self->chip == NULL)
    {
      /* Also used while connecting, before the session counts as connected. */
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                           "Not connected to a chip: connect first");
      return FALSE;
    }
  if (baud == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "Invalid baud rate 0");
      return FALSE;
    }
  if (!self->stub_running && self->chip->rom_is_esp8266_like)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                   "The %s ROM loader cannot change the baud rate; the flasher stub can "
                   "(do not disable the stub)", self->chip->name);
      return FALSE;
    }
  if (!esplash_device_rom_baud_value (self, baud, &rom_baud, cancellable, error))
    return FALSE;

  esplash_device_log (self, ESPLASH_LOG_INFO, "Changing baud rate to %u", baud);
  /* The stub wants the old rate as the second word, the ROM 0. */
  words[0] = rom_baud;
  words[1] = self->stub_running ? esplash_transport_get_baud (self->transport) : 0;
  /* Only the reply matters, not its status (esptool does not check it):
   * the chip answers at the old rate, then switches. A reply damaged on the
   * way back still says the command arrived; a refusal (the ROM's
   * invalid-message status: the command arrived damaged) says it did not. */
  if (!esplash_device_command_words (self, ESPLASH_OP_CHANGE_BAUDRATE, words, 2, 0,
                                     ESPLASH_DEFAULT_TIMEOUT_MS, FALSE, &response,
                                     cancellable, &local_error))
    {
      if (!g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      esplash_device_log (self, ESPLASH_LOG_DEBUG, "%s: taken as answered",
                          local_error->message);
      g_clear_error (&local_error);
    }
  else if (esplash_response_is_unsupported (&response) && response.status[0] == 1)
    {
      esplash_response_clear (&response);
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                           "CHANGE_BAUDRATE was refused as an invalid message: it arrived "
                           "damaged, the rate did not change");
      return FALSE;
    }
  esplash_response_clear (&response);

  if (!esplash_transport_set_baud (self->transport, baud, error) ||
      !esplash_sleep (BAUD_SETTLE_MS, cancellable, error) ||
      !esplash_device_flush_input (self, error))
    return FALSE;
  self->line_faults = 0;   /* counted per rate */
  esplash_device_log (self, ESPLASH_LOG_INFO, "Changed.");
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Description                                                         */

gboolean
esplash_device_read_security_info (EsplashDevice        *self,
                                   EsplashSecurityInfo  *info,
                                   GCancellable         *cancellable,
                                   GError              **error)
{
  static const gsize lengths[] = { 20, 12 };
  GError *last_error = NULL;

  memset (info, 0, sizeof *info);
  /* Ask for the long form first and fall back to the ESP32-S2's short one
   * on any failure, as esptool HEAD does. */
  for (gsize i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      EsplashResponse response = { 0 };
      const guint8 *p;
      gsize len;

      g_clear_error (&last_error);
      if (!esplash_device_command (self, ESPLASH_OP_GET_SECURITY_INFO, NULL, 0, lengths[i],
                                   ESPLASH_DEFAULT_TIMEOUT_MS, FALSE, &response,
                                   cancellable, &last_error))
        {
          if (g_error_matches (last_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
              g_error_matches (last_error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE))
            break;
          continue;
        }
      if (response.status[0] != 0)
        {
          /* Unknown to this loader (the ESP32 and ESP8266 ROMs): the short
           * form would only be refused again (esptool and esptool-js stop).
           * A status is 2 or 4 bytes; a longer "failure" is the ESP32-S2's
           * 12-byte answer whose flags happen to be non-zero. */
          gboolean unsupported = response.status_len <= 4 &&
                                 esplash_response_is_unsupported (&response);

          esplash_response_check (&response, &last_error);
          esplash_response_clear (&response);
          if (unsupported)
            {
              g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                           "%s", last_error->message);
              g_clear_error (&last_error);
              return FALSE;
            }
          continue;
        }

      p = g_bytes_get_data (response.payload, &len);
      info->valid = TRUE;
      info->flags = (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 |
                    (guint32) p[3] << 24;
      info->flash_crypt_cnt = p[4];
      memcpy (info->key_purposes, p + 5, sizeof info->key_purposes);
      if (len >= 20)
        {
          info->has_chip_id = TRUE;
          info->chip_id = (guint32) p[12] | (guint32) p[13] << 8 | (guint32) p[14] << 16 |
                          (guint32) p[15] << 24;
          info->api_version = (guint32) p[16] | (guint32) p[17] << 8 |
                              (guint32) p[18] << 16 | (guint32) p[19] << 24;
        }
      esplash_response_clear (&response);
      return TRUE;
    }

  g_propagate_error (error, last_error);
  return FALSE;
}

/**
 * esplash_device_describe:
 * @self: a connected device
 * @out: (out caller-allocates): the chip's name, revision, crystal, MAC,
 *   flash id and size, security state
 * @cancellable: (nullable): cancels the commands
 * @error: the reason it failed
 *
 * Returns: %TRUE when @out was filled in
 */
gboolean
esplash_device_describe (EsplashDevice           *self,
                         EsplashChipDescription  *out,
                         GCancellable            *cancellable,
                         GError                 **error)
{
  EsplashDeviceRegReader reader = { self, cancellable };

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (!require_connected (self, error))
    return FALSE;

  out->chip = self->chip;
  out->revision = self->revision;
  out->secure_download_mode = self->secure_download_mode;
  out->stub_running = self->stub_running;
  out->console = self->console;
  out->baud = esplash_transport_get_baud (self->transport);

  if (self->chip->has_security_info && !self->security.valid)
    {
      g_autoptr(GError) local_error = NULL;

      if (!esplash_device_read_security_info (self, &self->security, cancellable,
                                              &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          esplash_device_log (self, ESPLASH_LOG_WARNING, "Security info unavailable: %s",
                              local_error->message);
        }
    }
  out->security = self->security;

  /* Secure Download Mode allows no register reads: that is all there is. */
  if (self->secure_download_mode)
    return TRUE;

  if (!esplash_chip_read_crystal (self->chip, esplash_device_reg_reader, &reader,
                                  esplash_transport_get_baud (self->transport),
                                  &out->crystal_mhz, error) ||
      !esplash_chip_read_mac (self->chip, esplash_device_reg_reader, &reader, out->mac, error) ||
      !esplash_device_ensure_flash_id (self, cancellable, error))
    return FALSE;

  /* The MAC that tells this board from another after a reconnect: read
   * again to be sure of it (a read on a damaging line may be wrong); two
   * reads that disagree and a third that settles nothing: no check. */
  {
    guint8 second[6], third[6];

    self->mac_valid = FALSE;
    if (!esplash_chip_read_mac (self->chip, esplash_device_reg_reader, &reader, second, error))
      return FALSE;
    if (memcmp (second, out->mac, 6) == 0)
      self->mac_valid = TRUE;
    else if (!esplash_chip_read_mac (self->chip, esplash_device_reg_reader, &reader, third, error))
      return FALSE;
    else if (memcmp (third, out->mac, 6) == 0 || memcmp (third, second, 6) == 0)
      {
        memcpy (out->mac, third, 6);
        self->mac_valid = TRUE;
      }
    if (self->mac_valid)
      memcpy (self->mac, out->mac, sizeof self->mac);
  }
  out->flash_id = self->flash_id;
  out->flash_size = esplash_flash_size_from_id (self->flash_id);
  return TRUE;
}
