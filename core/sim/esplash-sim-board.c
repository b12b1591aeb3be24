/* esplash-sim-board.c: the board around the virtual chip — the DTR/RTS
 * reset circuit (or the chip's own USB console), the BOOT and RESET
 * buttons, strap latching, the RTC watchdog, and the ROM's boot banner
 * (protocol.md §7). What a booted application prints: esplash-sim-app.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-sim-private.h"

#define ROM_BOOT_BAUD   115200

/* The ROM identification lines later chips print first (public boot logs);
 * NULL: the chip prints its own format (ESP8266, ESP32) or none is known. */
static const struct {
  EsplashChipFamily family;
  const char *rom;
  const char *build;
} rom_banners[] = {
  { ESPLASH_CHIP_ESP32S2, "esp32s2-rc4-20191025", "Oct 25 2019" },
  { ESPLASH_CHIP_ESP32S3, "esp32s3-20210327", "Mar 27 2021" },
  { ESPLASH_CHIP_ESP32C3, "esp32c3-api1-20210207", "Feb  7 2021" },
  { ESPLASH_CHIP_ESP32C2, "esp32c2-20220218", "Feb 18 2022" },
  { ESPLASH_CHIP_ESP32C6, "esp32c6-20220919", "Sep 19 2022" },
  { ESPLASH_CHIP_ESP32H2, "esp32h2-20221101", "Nov  1 2022" },
  { ESPLASH_CHIP_ESP32C5, "esp32c5-eco2-20250121", "Jan 21 2025" },
  { ESPLASH_CHIP_ESP32C61, "esp32c61-20240617", "Jun 17 2024" },
  { ESPLASH_CHIP_ESP32P4, "esp32p4-eco2-20240710", "Jul 10 2024" },
};

static const char *
cause_name (SimResetCause cause)
{
  switch (cause)
    {
    case SIM_RESET_POWER_ON:
      return "power-on";
    case SIM_RESET_EN_PIN:
      return "en-pin";
    case SIM_RESET_USB_CORE:
      return "usb-core";
    case SIM_RESET_USB_JTAG:
      return "usb-jtag";
    case SIM_RESET_RTC_WDT:
      return "rtc-wdt";
    case SIM_RESET_SOFTWARE:
      return "software";
    case SIM_RESET_PANIC:
      return "panic";
    case SIM_RESET_STUB_REBOOT:
    default:
      return "stub-reboot";
    }
}

static gboolean
is_family (EsplashSim        *self,
           EsplashChipFamily  family)
{
  return self->chip->family == family;
}

/* The rst: code and name the ROM prints for a reset. */
static void
rom_reset_reason (EsplashSim    *self,
                  SimResetCause  cause,
                  guint         *code,
                  const char   **name)
{
  gboolean esp32 = is_family (self, ESPLASH_CHIP_ESP32);

  switch (cause)
    {
    case SIM_RESET_PANIC:
      /* ESP-IDF's restart after a panic: a CPU or a system reset, by family */
      *code = sim_app_layout (self)->panic_rst;
      *name = sim_app_layout (self)->panic_rst_name;
      break;
    case SIM_RESET_RTC_WDT:
      *code = 0x10;
      *name = esp32 ? "RTCWDT_RTC_RESET" : "RTCWDT_RTC_RST";
      break;
    case SIM_RESET_SOFTWARE:
    case SIM_RESET_STUB_REBOOT:
      *code = 0x0C;
      *name = esp32 ? "SW_CPU_RESET" : "RTC_SW_CPU_RST";
      break;
    case SIM_RESET_USB_CORE:
    case SIM_RESET_USB_JTAG:
      if (!esp32)
        {
          *code = 0x15;
          *name = "USB_UART_CHIP_RESET";
          break;
        }
      G_GNUC_FALLTHROUGH;
    case SIM_RESET_POWER_ON:
    case SIM_RESET_EN_PIN:
    default:
      /* the EN pin is a power-on reset as far as the ROM can tell */
      *code = 0x01;
      *name = esp32 ? "POWERON_RESET" : "POWERON";
      break;
    }
}

/* GPIO_STRAP as printed after "boot:" (§7.3): ESP32 0x10 = GPIO0, plus MTDO
 * and GPIO5 high as on every devkit; later chips 0x08 = main boot pin. */
static guint8
strap_value (EsplashSim *self,
             gboolean    boot_pin_low)
{
  if (is_family (self, ESPLASH_CHIP_ESP32))
    return boot_pin_low ? 0x03 : 0x13;
  return boot_pin_low ? 0x00 : 0x08;
}

gboolean
sim_board_strap_reg (EsplashSim *self,
                     guint32    *value)
{
  *value = strap_value (self, self->latched_strap_low);
  return TRUE;
}

guint
sim_board_boot_baud (EsplashSim *self)
{
  /* the ESP8266 ROM assumes 40 MHz: with 26 MHz, 115200 becomes 74880 */
  if (is_family (self, ESPLASH_CHIP_ESP8266))
    return ROM_BOOT_BAUD * self->crystal_mhz / 40;
  return ROM_BOOT_BAUD;
}

static gboolean
get_force_download (EsplashSim *self)
{
  return self->chip->rtc_option1_reg != 0 && (sim_reg_read (self, self->chip->rtc_option1_reg) & 1) != 0;
}

static void
set_force_download (EsplashSim *self,
                    gboolean    on)
{
  if (self->chip->rtc_option1_reg != 0)
    sim_reg_write (self, self->chip->rtc_option1_reg, on ? 1 : 0, 1);
}

/* GPIO0 (or the chip's boot pin) as the chip sees it right now. */
static gboolean
boot_pin_low (EsplashSim *self)
{
  if (self->boot_held)
    return TRUE;
  return self->opt.console == ESPLASH_CONSOLE_UART && self->opt.auto_reset_circuit
         && self->dtr && !self->rts;
}

static gboolean
en_held_low (EsplashSim *self)
{
  switch (self->opt.console)
    {
    case ESPLASH_CONSOLE_UART:
      return self->opt.auto_reset_circuit && self->rts && !self->dtr;
    case ESPLASH_CONSOLE_USB_OTG:
      return self->usb_otg_held;
    case ESPLASH_CONSOLE_USB_JTAG:
    default:
      return self->rts;
    }
}

static void
stop_personality (EsplashSim *self)
{
  sim_flash_op_clear (&self->fop);
  sim_read_op_clear (&self->rop);
  self->mem_current = NULL;
  esplash_slip_decoder_reset (self->decoder);
  self->wdt_at_us = 0;
}

static void
enter_reset (EsplashSim *self)
{
  stop_personality (self);
  self->state = ESPLASH_SIM_STATE_RESET;
  self->boot_pending = FALSE;
}

/* What the ROM does after a flash-mode boot: a valid image header at the
 * boot-loader offset runs (second stage, then the app), else it complains. */
static void
boot_from_flash (EsplashSim *self,
                 gint64      at)
{
  guint32 boot = self->chip->bootloader_offset;

  self->booted_us = at;
  self->next_line_us = at;
  if (boot + 8 <= self->flash_size && self->flash[boot] == 0xE9)
    {
      self->state = ESPLASH_SIM_STATE_APP;
      sim_app_boot (self, at);
      sim_event (self, "app running");
    }
  else
    {
      self->state = ESPLASH_SIM_STATE_NO_APP;
      self->no_app_word = self->flash[boot] | (self->flash[boot + 1] << 8)
                          | (self->flash[boot + 2] << 16) | ((guint32) self->flash[boot + 3] << 24);
      sim_event (self, "no app");
    }
}

static void
emit_banner (EsplashSim    *self,
             SimResetCause  cause,
             gboolean       download,
             guint8         strap,
             gint64         at)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint code;
  const char *name;

  if (is_family (self, ESPLASH_CHIP_ESP8266))
    {
      guint rst = cause == SIM_RESET_POWER_ON ? 1 : cause == SIM_RESET_RTC_WDT ? 4 : 2;

      g_string_append_printf (text, "\r\n ets Jan  8 2013,rst cause:%u, boot mode:(%u,7)\r\n\r\n",
                              rst, download ? 1 : 3);
      sim_emit_text (self, text->str, at);
      return;
    }

  rom_reset_reason (self, cause, &code, &name);
  if (is_family (self, ESPLASH_CHIP_ESP32))
    {
      g_string_append (text, "ets Jun  8 2016 00:22:57\r\n\r\n");
      g_string_append_printf (text, "rst:0x%x (%s),boot:0x%x (%s)\r\n", code, name, strap,
                              download ? "DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2)"
                                       : "SPI_FAST_FLASH_BOOT");
    }
  else
    {
      const char *rom = NULL, *build = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (rom_banners); i++)
        if (rom_banners[i].family == self->chip->family)
          {
            rom = rom_banners[i].rom;
            build = rom_banners[i].build;
          }
      if (rom != NULL)
        g_string_append_printf (text, "ESP-ROM:%s\r\nBuild:%s\r\n", rom, build);
      else
        g_string_append_printf (text, "ESP-ROM:%s\r\n", self->chip->id);
      g_string_append_printf (text, "rst:0x%x (%s),boot:0x%x (%s)\r\n", code, name, strap,
                              download ? "DOWNLOAD(USB/UART0)" : "SPI_FAST_FLASH_BOOT");
      /* where the CPU was when it was reset: ESP-IDF's restart code */
      if (cause == SIM_RESET_PANIC && sim_app_layout (self)->saved_pc != 0)
        g_string_append_printf (text, "Saved PC:0x%08x\r\n", sim_app_layout (self)->saved_pc);
    }
  if (download)
    g_string_append (text, "waiting for download\r\n");
  sim_emit_text (self, text->str, at);
}

static void
do_boot (EsplashSim    *self,
         SimResetCause  cause,
         gboolean       download,
         gint64         at)
{
  guint8 strap = strap_value (self, download);

  /* A hung loader (--fault stall) is over with any reset; the fault is
   * spent and does not come back (one fault per run). A chip that never
   * answered at all (--fault-after 0) stays silent: a broken wire, not a
   * hang. */
  if (self->stalled && self->opt.fault_after > 0)
    {
      self->stalled = FALSE;
      self->stall_spent = TRUE;
      sim_event (self, "stall-cleared");
    }
  stop_personality (self);
  self->boot_pending = FALSE;
  self->reset_count++;
  self->busy_until_us = MAX (self->busy_until_us, at);
  sim_set_chip_baud (self, sim_board_boot_baud (self));
  self->autobaud_pending = download;
  self->booted_us = at;
  if (cause != SIM_RESET_SOFTWARE && cause != SIM_RESET_STUB_REBOOT && cause != SIM_RESET_PANIC)
    self->boot_download = download;
  sim_event (self, "reset %s boot:0x%02x %s", cause_name (cause), strap,
             download ? "download" : "flash");
  emit_banner (self, cause, download, strap, at);

  if (download)
    self->state = ESPLASH_SIM_STATE_ROM_LOADER;
  else
    boot_from_flash (self, at);
}

void
sim_board_power_on (EsplashSim *self,
                    gboolean    strap_low,
                    gint64      now)
{
  enter_reset (self);
  set_force_download (self, FALSE);
  self->usb_jtag_latch = FALSE;
  self->latched_strap_low = strap_low;
  if (self->opt.console == ESPLASH_CONSOLE_UART && en_held_low (self))
    return;   /* the circuit holds EN low: the chip waits in reset */
  do_boot (self, SIM_RESET_POWER_ON, strap_low, now);
}

/* A reset that re-samples the strap pins (EN pin, RTC watchdog). */
static void
system_reset (EsplashSim    *self,
              SimResetCause  cause,
              gint64         at)
{
  self->latched_strap_low = boot_pin_low (self);
  set_force_download (self, FALSE);
  self->usb_jtag_latch = FALSE;
  do_boot (self, cause, self->latched_strap_low, at);
}

void
sim_board_touch (EsplashSim *self,
                 gint64      now)
{
  /* Time-based events in order; the line levels have not changed since the
   * last touch, so sampling them now is sampling them at the event time. */
  for (;;)
    {
      gboolean boot_due = self->boot_pending && self->boot_at_us <= now;
      gboolean wdt_due = self->wdt_at_us != 0 && self->wdt_at_us <= now;

      if (boot_due && (!wdt_due || self->boot_at_us <= self->wdt_at_us))
        system_reset (self, self->boot_cause, self->boot_at_us);
      else if (wdt_due)
        {
          gint64 at = self->wdt_at_us;

          self->wdt_at_us = 0;
          system_reset (self, SIM_RESET_RTC_WDT, at);
        }
      else
        break;
    }

  sim_app_touch (self, now);
}

gint64
sim_board_next_event (EsplashSim *self)
{
  gint64 next = 0;
  gint64 app = sim_app_next_event (self);

  if (self->boot_pending)
    next = self->boot_at_us;
  if (self->wdt_at_us != 0 && (next == 0 || self->wdt_at_us < next))
    next = self->wdt_at_us;
  if (app != 0 && (next == 0 || app < next))
    next = app;
  return next;
}

static void
schedule_en_boot (EsplashSim *self,
                  gint64      now)
{
  self->boot_pending = TRUE;
  self->boot_cause = SIM_RESET_EN_PIN;
  self->boot_at_us = now + (gint64) self->opt.en_delay_ms * G_TIME_SPAN_MILLISECOND;
}

void
sim_board_set_lines (EsplashSim *self,
                     gboolean    dtr,
                     gboolean    rts,
                     gint64      now)
{
  gboolean was_held = en_held_low (self);
  gboolean was_rts = self->rts;
  gboolean held;

  self->dtr = dtr;
  self->rts = rts;
  /* (1,1) happens between two single-line changes (the classic reset sets
   * DTR then RTS): the ROM's CDC keeps the reset state it had, which is
   * what lets esptool's classic sequence work over USB-OTG. */
  if (self->opt.console == ESPLASH_CONSOLE_USB_OTG && !(dtr && rts))
    self->usb_otg_held = rts && !dtr;
  held = en_held_low (self);

  switch (self->opt.console)
    {
    case ESPLASH_CONSOLE_UART:
      if (!was_held && held)
        enter_reset (self);
      else if (was_held && !held)
        schedule_en_boot (self, now);
      break;

    case ESPLASH_CONSOLE_USB_OTG:
      /* The ROM's CDC decodes the lines like the two-transistor circuit,
       * without a capacitor; "download" through the lines sets the force
       * bit, which survives core resets until cleared. */
      if (!was_held && held)
        enter_reset (self);
      else if (was_held && !held)
        {
          if (dtr && !rts)
            set_force_download (self, TRUE);
          do_boot (self, SIM_RESET_USB_CORE,
                   get_force_download (self) || self->latched_strap_low, now);
        }
      break;

    case ESPLASH_CONSOLE_USB_JTAG:
    default:
      /* DTR=1/RTS=0 requests download; when it comes with the release of
       * RTS (the classic sequence's last step) it applies to that boot. */
      if (dtr && !rts)
        self->usb_jtag_latch = TRUE;
      if (!was_rts && rts)
        enter_reset (self);
      else if (was_rts && !rts)
        {
          gboolean download = self->usb_jtag_latch || self->boot_held;

          self->usb_jtag_latch = FALSE;
          do_boot (self, SIM_RESET_USB_JTAG, download, now);
        }
      break;
    }
}

void
sim_board_press_reset (EsplashSim *self,
                       gint64      now)
{
  enter_reset (self);
  if (self->opt.console == ESPLASH_CONSOLE_UART && en_held_low (self))
    return;
  schedule_en_boot (self, now);
}

void
sim_board_software_reset (EsplashSim    *self,
                          SimResetCause  cause,
                          gint64         at)
{
  /* A CPU reset keeps the latched straps: the chip boots the way it did
   * at its last hardware reset (so the stub's reboot lands in the ROM
   * loader after an auto-reset into download mode, as esptool relies on). */
  gboolean download = self->boot_download;

  do_boot (self, cause, download, at);
}

void
sim_board_run_user_code (EsplashSim *self,
                         gint64      at)
{
  stop_personality (self);
  sim_set_chip_baud (self, self->opt.app_baud);
  boot_from_flash (self, at);
}

void
sim_board_arm_watchdog (EsplashSim *self,
                        guint32     timeout_ms,
                        gint64      now)
{
  self->wdt_at_us = now + (gint64) MIN (timeout_ms, SIM_WDT_CAP_MS) * G_TIME_SPAN_MILLISECOND;
  sim_event (self, "watchdog armed");
}

void
sim_board_disarm_watchdog (EsplashSim *self)
{
  self->wdt_at_us = 0;
}
