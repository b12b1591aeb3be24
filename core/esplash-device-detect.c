/* esplash-device-detect.c: which chip answers (protocol.md §6.1, §6.2) and
 * which console it talks on (§6.4) — the security info's chip id, else the
 * magic register, with a refused READ_REG confirmed before it is taken for
 * Secure Download Mode.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-device.h"
#include "esplash-device-private.h"

#include "esplash-error.h"

/* READ_REG of the magic register; *@refused when the ROM refused it as an
 * unknown or forbidden command. */
static gboolean
read_magic (EsplashDevice  *self,
            guint32        *magic,
            gboolean       *refused,
            GCancellable   *cancellable,
            GError        **error)
{
  EsplashResponse response = { 0 };
  guint32 address = ESPLASH_CHIP_DETECT_MAGIC_REG;

  *refused = FALSE;
  if (!esplash_device_command_words (self, ESPLASH_OP_READ_REG, &address, 1, 0,
                                     ESPLASH_DEFAULT_TIMEOUT_MS, FALSE, &response,
                                     cancellable, error))
    {
      g_prefix_error (error, "Detecting the chip: ");
      return FALSE;
    }
  if (response.status[0] != 0 && !esplash_response_is_unsupported (&response))
    {
      esplash_response_check (&response, error);
      esplash_response_clear (&response);
      g_prefix_error (error, "Detecting the chip: ");
      return FALSE;
    }
  *refused = response.status[0] != 0;
  *magic = response.value;
  esplash_response_clear (&response);
  return TRUE;
}

/* Chip identity (§6.2): the security info's chip id, else the magic value. */
gboolean
esplash_device_detect_chip (EsplashDevice  *self,
                            GCancellable   *cancellable,
                            GError        **error)
{
  g_autoptr(GError) sec_error = NULL;
  const EsplashChipInfo *chip = NULL;
  gboolean refused = FALSE, sdm_s2;
  guint32 magic = 0;

  if (esplash_device_read_security_info (self, &self->security, cancellable, &sec_error))
    {
      self->secure_download_mode =
        (self->security.flags & ESPLASH_SECURITY_SECURE_DOWNLOAD_ENABLE) != 0;
      if (self->security.has_chip_id)
        {
          chip = esplash_chip_from_image_id (self->security.chip_id);
          if (chip != NULL && chip->uses_magic)
            chip = NULL;   /* only chips without a magic value are identified this way */
        }
    }
  else if (esplash_device_error_is_fatal (sec_error))
    {
      g_propagate_error (error, g_steal_pointer (&sec_error));
      return FALSE;
    }
  if (chip != NULL)
    {
      self->chip = chip;
      return TRUE;
    }

  /* Only the ESP32-S2 in Secure Download Mode refuses READ_REG; its security
   * info is the short form without a chip id, and says so. */
  sdm_s2 = self->security.valid && !self->security.has_chip_id && self->secure_download_mode;

  /* One refusal is no proof: a late copy of an earlier refusal looks the
   * same. The copies are drained by now, so ask once more unless the
   * security info already said why. */
  for (guint i = 0; i < 2; i++)
    {
      if (!read_magic (self, &magic, &refused, cancellable, error))
        return FALSE;
      if (!refused || sdm_s2)
        break;
      esplash_device_log (self, ESPLASH_LOG_DEBUG,
                          "READ_REG 0x%08X refused (%u of 2)", ESPLASH_CHIP_DETECT_MAGIC_REG, i + 1);
    }

  if (refused)
    {
      if (!sdm_s2)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE,
                       "Detecting the chip: the ROM refused to read register 0x%08X twice, "
                       "and %s", ESPLASH_CHIP_DETECT_MAGIC_REG,
                       self->security.valid ? "its security info does not say Secure Download Mode"
                                            : "it gave no security info");
          return FALSE;
        }
      self->chip = esplash_chip_get (ESPLASH_CHIP_ESP32S2);
      return TRUE;
    }

  chip = esplash_chip_from_magic (magic);
  if (chip == NULL)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED_CHIP,
                   "Unknown chip: magic value 0x%08X at 0x%08X%s", magic,
                   ESPLASH_CHIP_DETECT_MAGIC_REG,
                   self->security.has_chip_id ? "" : " and no chip id");
      return FALSE;
    }
  self->chip = chip;
  return TRUE;
}

gboolean
esplash_device_detect_console (EsplashDevice  *self,
                               GCancellable   *cancellable,
                               GError        **error)
{
  EsplashConsole console = ESPLASH_CONSOLE_UART;
  guint16 vid = esplash_transport_get_usb_vid (self->transport);
  guint16 pid = esplash_transport_get_usb_pid (self->transport);
  guint32 address, value;

  self->console = ESPLASH_CONSOLE_UART;
  /* The port's USB identity is authoritative (esptool HEAD). */
  if (vid != 0 && esplash_chip_from_usb (vid, pid, &console) != NULL)
    {
      self->console = console;
      return TRUE;
    }
  if (vid == ESPLASH_ESPRESSIF_USB_VID && pid == ESPLASH_USB_JTAG_SERIAL_PID)
    {
      self->console = ESPLASH_CONSOLE_USB_JTAG;
      return TRUE;
    }

  /* Otherwise ask the ROM which console it uses (esptool v4). */
  if (self->chip->uartdev_buf_no == 0 || self->secure_download_mode)
    return TRUE;
  address = esplash_chip_uartdev_address (self->chip, self->revision);
  if (!esplash_device_read_reg (self, address, &value, cancellable, error))
    return FALSE;
  self->console = esplash_chip_console_from_uartdev (self->chip, self->revision, value);
  return TRUE;
}

/**
 * esplash_chip_description_dup_mac:
 * @desc: a chip description
 *
 * Returns: (transfer full): the MAC as "aa:bb:cc:dd:ee:ff"
 */
char *
esplash_chip_description_dup_mac (const EsplashChipDescription *desc)
{
  const guint8 *mac;

  g_return_val_if_fail (desc != NULL, NULL);

  mac = desc->mac;
  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x",
                          mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}
