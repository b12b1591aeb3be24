/* esplash-device-leave.c: leaving the loader after the work (protocol.md
 * §7.4, §7.5): soft, watchdog and per-chip hard resets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-device.h"
#include "esplash-device-private.h"

#include "esplash-error.h"

/* §7.5: RTC watchdog, 2000 slow-clock ticks, then system reset. */
#define WDT_RESET_TIMEOUT 2000
#define WDT_RESET_CONFIG0 ((1u << 31) | (5u << 28) | (1u << 8) | 2u)
#define WDT_RESET_SETTLE_MS 500
/* GPIO_STRAP bit 3 = the boot pin's level at reset (1 = high, normal boot). */
#define GPIO_STRAP_BOOT_PIN_HIGH (1u << 3)
/* RTC_CNTL_OPTION1 bit 0 = force download boot. */
#define RTC_FORCE_DOWNLOAD_BOOT (1u << 0)

static gboolean
begin_end (EsplashDevice  *self,
           guint32         end_flag,
           GCancellable   *cancellable,
           GError        **error)
{
  /* A zero-length FLASH_BEGIN then FLASH_END: 0 = reboot, 1 = run the app
   * (ROM) / stay (stub) (§2.4). */
  guint32 begin[5] = { 0, 0, esplash_device_flash_block_size (self), 0, 0 };
  guint n_begin = 4;
  const EsplashChipInfo *chip = esplash_device_get_chip (self);

  if (esplash_device_is_stub (self) || chip->rom_begin_has_encrypt_word)
    n_begin = 5;
  return esplash_device_command_words (self, ESPLASH_OP_FLASH_BEGIN, begin, n_begin, 0,
                                       ESPLASH_DEFAULT_TIMEOUT_MS, TRUE, NULL, cancellable,
                                       error) &&
         esplash_device_command_words (self, ESPLASH_OP_FLASH_END, &end_flag, 1, 0,
                                       ESPLASH_DEFAULT_TIMEOUT_MS, TRUE, NULL, cancellable,
                                       error);
}

static gboolean
watchdog_reset (EsplashDevice  *self,
                GCancellable   *cancellable,
                GError        **error)
{
  const EsplashWdtRegs *wdt = &esplash_device_get_chip (self)->wdt;

  esplash_device_log (self, ESPLASH_LOG_INFO, "Hard resetting with a watchdog timeout...");
  return esplash_device_write_reg (self, wdt->wprotect, ESPLASH_WDT_WKEY, 0xFFFFFFFF, 0,
                                   cancellable, error) &&
         esplash_device_write_reg (self, wdt->config1, WDT_RESET_TIMEOUT, 0xFFFFFFFF, 0,
                                   cancellable, error) &&
         esplash_device_write_reg (self, wdt->config0, WDT_RESET_CONFIG0, 0xFFFFFFFF, 0,
                                   cancellable, error) &&
         esplash_device_write_reg (self, wdt->wprotect, 0, 0xFFFFFFFF, 0, cancellable, error) &&
         esplash_sleep (WDT_RESET_SETTLE_MS, cancellable, error);
}

static gboolean
rts_reset (EsplashDevice  *self,
           gboolean        usb,
           const char     *why,
           GCancellable   *cancellable,
           GError        **error)
{
  esplash_device_log (self, ESPLASH_LOG_INFO, "Hard resetting via RTS pin (%s)...", why);
  return esplash_reset_hard (esplash_device_get_transport (self), usb, cancellable, error);
}

/* ESP32-S2/S3 on their own USB-OTG (§7.4 [HEAD]): a chip that was put into
 * download mode by holding the boot pin would return there after an RTS
 * pulse; a watchdog reset boots the app. */
static gboolean
hard_reset_usb_otg_strapped (EsplashDevice  *self,
                             GCancellable   *cancellable,
                             GError        **error)
{
  const EsplashChipInfo *chip = esplash_device_get_chip (self);
  guint32 strap, option1;

  if (chip->family == ESPLASH_CHIP_ESP32S3)
    {
      g_autoptr(GError) ignored = NULL;

      /* Clear a forced download boot first; failures do not matter. */
      if (!esplash_device_write_reg (self, chip->rtc_option1_reg, 0, RTC_FORCE_DOWNLOAD_BOOT, 0,
                                     cancellable, &ignored) &&
          g_error_matches (ignored, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&ignored));
          return FALSE;
        }
    }

  if (!esplash_device_read_reg (self, chip->gpio_strap_reg, &strap, cancellable, error) ||
      !esplash_device_read_reg (self, chip->rtc_option1_reg, &option1, cancellable, error))
    return FALSE;

  if ((strap & GPIO_STRAP_BOOT_PIN_HIGH) == 0 && (option1 & RTC_FORCE_DOWNLOAD_BOOT) == 0)
    {
      esplash_device_log (self, ESPLASH_LOG_INFO,
                          "%s was strapped into download mode (%s low at reset): "
                          "an RTS pulse would land there again, using the watchdog",
                          chip->name, chip->boot_pin);
      return watchdog_reset (self, cancellable, error);
    }
  return rts_reset (self, TRUE, "USB-OTG", cancellable, error);
}

static gboolean
hard_reset (EsplashDevice  *self,
            GCancellable   *cancellable,
            GError        **error)
{
  const EsplashChipInfo *chip = esplash_device_get_chip (self);
  EsplashConsole console = esplash_device_get_console (self);

  if (console == ESPLASH_CONSOLE_USB_OTG)
    {
      if (chip->gpio_strap_reg != 0 && chip->rtc_option1_reg != 0 &&
          !esplash_device_is_secure_download_mode (self))
        return hard_reset_usb_otg_strapped (self, cancellable, error);
      if (chip->family == ESPLASH_CHIP_ESP32P4 && chip->watchdog_reset_supported &&
          !esplash_device_is_secure_download_mode (self))
        {
          esplash_device_log (self, ESPLASH_LOG_INFO,
                              "%s on USB-OTG: resetting with the watchdog", chip->name);
          return watchdog_reset (self, cancellable, error);
        }
      return rts_reset (self, TRUE, "USB-OTG", cancellable, error);
    }
  if (console == ESPLASH_CONSOLE_USB_JTAG)
    return rts_reset (self, TRUE, "USB-Serial/JTAG", cancellable, error);
  return rts_reset (self, FALSE, "UART", cancellable, error);
}

gboolean
esplash_device_leave (EsplashDevice  *self,
                      EsplashAfter    after,
                      GCancellable   *cancellable,
                      GError        **error)
{
  const EsplashChipInfo *chip;
  gboolean stub, ok = TRUE;

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!esplash_device_is_connected (self))
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                           "Not connected to a chip: nothing to leave");
      return FALSE;
    }
  chip = esplash_device_get_chip (self);
  stub = esplash_device_is_stub (self);
  esplash_device_stage (self, ESPLASH_STAGE_LEAVING);

  switch (after)
    {
    case ESPLASH_AFTER_NO_RESET:
      /* The stub reboots into the ROM loader; the ROM stays as it is. */
      if (stub)
        {
          esplash_device_log (self, ESPLASH_LOG_INFO, "Leaving the stub: back to the ROM loader");
          ok = begin_end (self, 0, cancellable, error);
        }
      else
        {
          esplash_device_log (self, ESPLASH_LOG_INFO, "Staying in the bootloader");
        }
      break;

    case ESPLASH_AFTER_NO_RESET_STUB:
      esplash_device_log (self, ESPLASH_LOG_INFO, "Staying in the %s",
                          stub ? "flasher stub" : "bootloader");
      break;

    case ESPLASH_AFTER_SOFT_RESET:
      if (!stub)
        {
          esplash_device_log (self, ESPLASH_LOG_INFO, "Soft resetting: running the application");
          ok = begin_end (self, 1, cancellable, error);
        }
      else if (chip->family == ESPLASH_CHIP_ESP8266)
        {
          g_autoptr(GBytes) packet = esplash_command_build (ESPLASH_OP_RUN_USER_CODE, NULL, 0, 0);
          gsize len;
          const guint8 *p = g_bytes_get_data (packet, &len);

          /* RUN_USER_CODE has no reply (§2.15). */
          esplash_device_log (self, ESPLASH_LOG_INFO, "Soft resetting: running the application");
          ok = esplash_device_send_frame (self, p, len, error);
        }
      else
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                       "A soft reset out of the flasher stub is only possible on the ESP8266; "
                       "use a hard reset for the %s", chip->name);
          return FALSE;
        }
      break;

    case ESPLASH_AFTER_WATCHDOG_RESET:
      if (chip->watchdog_reset_supported && !esplash_device_is_secure_download_mode (self))
        {
          ok = watchdog_reset (self, cancellable, error);
        }
      else
        {
          esplash_device_log (self, ESPLASH_LOG_INFO, "%s: no watchdog reset here, "
                              "using the RTS pin instead",
                              esplash_device_is_secure_download_mode (self)
                                ? "Secure Download Mode" : chip->name);
          ok = rts_reset (self, esplash_device_get_console (self) != ESPLASH_CONSOLE_UART,
                          "fallback", cancellable, error);
        }
      break;

    case ESPLASH_AFTER_HARD_RESET:
    default:
      ok = hard_reset (self, cancellable, error);
      break;
    }

  /* Whatever happened, the next connect() starts from scratch. */
  esplash_device_mark_disconnected (self);
  return ok;
}
