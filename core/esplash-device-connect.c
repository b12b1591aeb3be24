/* esplash-device-connect.c: reset into the loader, sync, detect the chip
 * (esplash-device-detect.c), post-connect steps, baud change, stub upload
 * (protocol.md §2.2, §5.1, §6.3–§6.7, §7.2, §7.3).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-device.h"
#include "esplash-device-private.h"

#include "esplash-error.h"
#include "esplash-stub.h"

#include <string.h>

#define DEFAULT_CONNECT_ATTEMPTS 7
#define SYNCS_PER_ATTEMPT 5
#define SYNC_FIRST_REPLY_MS 100
/* The ROM answers SYNC 8 times; the 7 extra replies follow at once. */
#define SYNC_EXTRA_REPLIES 7
#define SYNC_EXTRA_REPLY_MS 100
#define SYNC_RETRY_DELAY_MS 50
#define ROM_BAUD 115200
/* Automatic rate on a line whose chip cannot be reset (no search there):
 * what bridges on ESP boards hold (esptool's usual -b 460800). */
#define AUTO_BAUD_FALLBACK 460800
/* Boot log capture: read until the line is quiet this long, at most the cap. */
#define BOOT_LOG_QUIET_MS 30
#define BOOT_LOG_MAX_MS 250
#define BOOT_LOG_CAP (64 * 1024)
#define MEM_END_ROM_TIMEOUT_MS 200
#define STUB_GREETING_TIMEOUT_MS 3000
#define STUB_GREETING "OHAI"
#define STUB_UPLOAD_ATTEMPTS 3

static const guint8 sync_data[36] = {
  0x07, 0x07, 0x12, 0x20,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
};

#define LINE_TEXT_CAP (16 * 1024)

/* Keeps what the chip printed outside SLIP frames during the connect, for
 * diagnosis: a boot log the capture window missed (slow EN, a RESET tap)
 * turns up among the noise of the SYNC waits. */
static void
append_line_text (EsplashDevice *self,
                  const guint8  *data,
                  gsize          len)
{
  if (self->line_text->len < LINE_TEXT_CAP)
    g_byte_array_append (self->line_text, data,
                         (guint) MIN (len, (gsize) (LINE_TEXT_CAP - self->line_text->len)));
}

static void
collect_line_noise (EsplashDevice *self)
{
  GByteArray *noise = esplash_slip_decoder_get_noise (self->decoder);
  guint64 total = esplash_slip_decoder_get_noise_total (self->decoder);
  gsize len = (gsize) MIN (total - self->line_noise_mark, (guint64) noise->len);

  append_line_text (self, noise->data + noise->len - len, len);
  self->line_noise_mark = total;
}

/* Reads what the chip prints right after the reset and looks for the ROM's
 * "boot:0xNN … waiting for download" line (§7.3). */
static gboolean
capture_boot_log (EsplashDevice  *self,
                  GCancellable   *cancellable,
                  GError        **error)
{
  g_autoptr(GByteArray) log = g_byte_array_new ();
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  gint64 end = g_get_monotonic_time () + BOOT_LOG_MAX_MS * G_TIME_SPAN_MILLISECOND;
  guint64 received = 0;
  guint8 buf[1024];

  while (g_get_monotonic_time () < end)
    {
      gssize n = esplash_transport_read (self->transport, buf, sizeof buf, BOOT_LOG_QUIET_MS,
                                         cancellable, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      received += (guint64) n;
      /* A boot log is a few hundred bytes; a flood is counted, not kept. */
      if (log->len < BOOT_LOG_CAP)
        g_byte_array_append (log, buf, (guint) MIN ((gsize) n, BOOT_LOG_CAP - log->len));
    }
  self->rx_bytes += received;
  if (log->len == 0)
    return TRUE;
  collect_line_noise (self);
  append_line_text (self, log->data, log->len);

  if (self->boot_log->len + log->len <= BOOT_LOG_CAP)
    g_byte_array_append (self->boot_log, log->data, log->len);

  regex = g_regex_new ("boot:(0x[0-9a-fA-F]+)(.*waiting for download)?",
                       G_REGEX_RAW | G_REGEX_DOTALL, 0, NULL);
  if (g_regex_match_full (regex, (const char *) log->data, log->len, 0, 0, &match, NULL))
    {
      g_autofree char *mode = g_match_info_fetch (match, 1);
      g_autofree char *download = g_match_info_fetch (match, 2);

      self->boot_mode = (gint) g_ascii_strtoll (mode + 2, NULL, 16);
      self->boot_download = download != NULL && *download != '\0';
      esplash_device_log (self, ESPLASH_LOG_DEBUG, "Boot log: boot mode 0x%x%s",
                          (guint) self->boot_mode,
                          self->boot_download ? ", waiting for download" : "");
    }
  return TRUE;
}

/* One SYNC: the first reply within 100 ms, then the other seven (§2.2).
 * Missing extra replies are tolerated: opcode matching drops late ones. */
gboolean
esplash_device_sync_once (EsplashDevice  *self,
           GCancellable   *cancellable,
           GError        **error)
{
  g_autoptr(GBytes) data = g_bytes_new_static (sync_data, sizeof sync_data);
  EsplashResponse response = { 0 };
  gboolean stub_detected;

  if (!esplash_device_flush_input (self, error) ||
      !esplash_device_command (self, ESPLASH_OP_SYNC, data, 0, 0, SYNC_FIRST_REPLY_MS, FALSE,
                               &response, cancellable, error))
    return FALSE;
  self->sync_replies++;
  /* ROMs put a non-zero value in SYNC replies, the stub 0. */
  stub_detected = response.value == 0;
  esplash_response_clear (&response);

  for (guint i = 0; i < SYNC_EXTRA_REPLIES; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) frame = esplash_device_read_frame (self, SYNC_EXTRA_REPLY_MS,
                                                           cancellable, &local_error);
      const guint8 *f;
      gsize len;

      if (frame == NULL)
        {
          if (esplash_device_error_is_fatal (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          break;
        }
      f = g_bytes_get_data (frame, &len);
      /* Any reply with value 0: a ROM's value (0x20120707) cannot lose all
       * four bytes to a line that damages one now and then, and one damaged
       * stub reply must not make the stub look like a ROM. */
      if (len >= ESPLASH_COMMAND_HEADER_LEN && f[0] == 0x01 && f[1] == ESPLASH_OP_SYNC)
        stub_detected |= (f[4] | f[5] | f[6] | f[7]) == 0;
    }
  self->sync_stub_detected = stub_detected;
  return TRUE;
}

/* One attempt: reset (if @step), boot log, up to five SYNCs. */
static gboolean
connect_attempt (EsplashDevice           *self,
                 const EsplashResetStep  *step,
                 GCancellable            *cancellable,
                 GError                 **error)
{
  GError *last_error = NULL;

  if (step != NULL)
    {
      esplash_device_stage (self, ESPLASH_STAGE_RESETTING);
      esplash_device_log (self, ESPLASH_LOG_DEBUG, "Resetting into the bootloader (%s, %u ms)",
                          esplash_reset_strategy_name (step->strategy), step->delay_ms);
      self->resets_run++;
      self->reset_strategies |= 1u << step->strategy;
      if (!esplash_device_flush_input (self, error) ||
          !esplash_reset_run (self->transport, step, cancellable, error) ||
          !capture_boot_log (self, cancellable, error))
        return FALSE;
    }

  esplash_device_stage (self, ESPLASH_STAGE_SYNCING);
  for (guint i = 0; i < SYNCS_PER_ATTEMPT; i++)
    {
      g_clear_error (&last_error);
      if (esplash_device_sync_once (self, cancellable, &last_error))
        return TRUE;
      if (esplash_device_error_is_fatal (last_error))
        break;
      if (!esplash_sleep (SYNC_RETRY_DELAY_MS, cancellable, error))
        {
          g_clear_error (&last_error);
          return FALSE;
        }
    }
  g_propagate_error (error, last_error);
  return FALSE;
}

/* esptool's distinctions for a connection that never synced (§7.3). */
static void
set_no_sync_error (EsplashDevice  *self,
                   guint           attempts,
                   guint64         rx_total,
                   GError        **error)
{
  g_autofree char *reason = NULL;

  if (self->boot_mode >= 0 && self->boot_download)
    reason = g_strdup ("Download mode successfully detected, but getting no sync reply: "
                       "The serial TX path seems to be down.");
  else if (self->boot_mode >= 0)
    reason = g_strdup_printf ("Wrong boot mode detected (0x%x)! "
                              "The chip needs to be in download mode.",
                              (guint) self->boot_mode);
  else if (rx_total == 0)
    reason = g_strdup ("No serial data received.");
  else
    reason = g_strdup ("Data arrived but no valid SYNC reply: serial noise, a wrong baud "
                       "rate, or a chip that is not in download mode.");

  g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NO_SYNC,
               "Failed to connect to the chip after %u attempt%s: %s", attempts,
               attempts == 1 ? "" : "s", reason);
}

static gboolean
reset_and_sync (EsplashDevice                *self,
                const EsplashConnectOptions  *options,
                GCancellable                 *cancellable,
                GError                      **error)
{
  g_autoptr(GArray) plan = NULL;
  guint attempts = options->connect_attempts != 0 ? options->connect_attempts
                                                  : DEFAULT_CONNECT_ATTEMPTS;
  guint64 rx_start = self->rx_bytes;
  GError *last_error = NULL;

  plan = esplash_reset_plan (options->before, self->transport, FALSE);
  if (plan->len == 0 && (options->before == ESPLASH_BEFORE_DEFAULT_RESET ||
                         options->before == ESPLASH_BEFORE_USB_RESET))
    esplash_device_log (self, ESPLASH_LOG_WARNING,
                        "The port has no DTR/RTS lines: the chip was not reset. "
                        "Put it in download mode by hand (hold BOOT, tap RESET).");

  for (guint i = 0; i < attempts; i++)
    {
      const EsplashResetStep *step = NULL;

      if (plan->len > 0)
        step = &g_array_index (plan, EsplashResetStep, i % plan->len);
      g_clear_error (&last_error);
      if (connect_attempt (self, step, cancellable, &last_error))
        {
          collect_line_noise (self);
          return TRUE;
        }
      collect_line_noise (self);
      if (esplash_device_error_is_fatal (last_error))
        {
          g_propagate_error (error, last_error);
          return FALSE;
        }
      esplash_device_log (self, ESPLASH_LOG_DEBUG, "Connect attempt %u/%u failed: %s",
                          i + 1, attempts, last_error->message);
    }

  g_clear_error (&last_error);
  set_no_sync_error (self, attempts, self->rx_bytes - rx_start, error);
  return FALSE;
}

/* §6.7, §7.5: the RTC watchdog and super-watchdog keep running over
 * USB-Serial/JTAG and would reset the chip in the middle of a write. */
static gboolean
disable_watchdogs (EsplashDevice  *self,
                   GCancellable   *cancellable,
                   GError        **error)
{
  const EsplashWdtRegs *wdt = &self->chip->wdt;
  guint32 conf;

  if (wdt->config0 == 0)
    return TRUE;
  esplash_device_log (self, ESPLASH_LOG_DEBUG, "Disabling the watchdogs (USB-Serial/JTAG)");
  if (!esplash_device_write_reg (self, wdt->wprotect, ESPLASH_WDT_WKEY, 0xFFFFFFFF, 0,
                                 cancellable, error) ||
      !esplash_device_write_reg (self, wdt->config0, 0, 0xFFFFFFFF, 0, cancellable, error) ||
      !esplash_device_write_reg (self, wdt->wprotect, 0, 0xFFFFFFFF, 0, cancellable, error))
    return FALSE;
  if (wdt->swd_conf == 0)
    return TRUE;
  return esplash_device_write_reg (self, wdt->swd_wprotect, wdt->swd_key, 0xFFFFFFFF, 0,
                                   cancellable, error) &&
         esplash_device_read_reg (self, wdt->swd_conf, &conf, cancellable, error) &&
         esplash_device_write_reg (self, wdt->swd_conf, conf | (1u << wdt->swd_autofeed_bit),
                                   0xFFFFFFFF, 0, cancellable, error) &&
         esplash_device_write_reg (self, wdt->swd_wprotect, 0, 0xFFFFFFFF, 0,
                                   cancellable, error);
}

static gboolean
upload_segment (EsplashDevice  *self,
                GBytes         *segment,
                guint32         address,
                GCancellable   *cancellable,
                GError        **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (segment, &len);
  guint bs = esplash_device_ram_block_size (self);
  guint32 blocks = (guint32) ((len + bs - 1) / bs);
  guint32 words[4] = { (guint32) len, blocks, bs, address };

  if (!esplash_device_command_words (self, ESPLASH_OP_MEM_BEGIN, words, 4, 0,
                                     ESPLASH_DEFAULT_TIMEOUT_MS, TRUE, NULL, cancellable, error))
    return FALSE;
  for (guint32 seq = 0; seq < blocks; seq++)
    {
      gsize off = (gsize) seq * bs;
      /* The last block is sent short: MEM_DATA is not padded (§2.6). */
      g_autoptr(GBytes) packet = esplash_command_build_data (ESPLASH_OP_MEM_DATA, seq, data + off,
                                                             MIN (bs, len - off));

      if (!esplash_device_command_packet (self, packet, 0, ESPLASH_DEFAULT_TIMEOUT_MS, TRUE,
                                          NULL, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
run_stub (EsplashDevice  *self,
          EsplashStub    *stub,
          GCancellable   *cancellable,
          GError        **error)
{
  GBytes *data = esplash_stub_get_data (stub);
  guint32 entry = esplash_stub_get_entry (stub);
  guint32 words[2] = { entry == 0 ? 1 : 0, entry };
  EsplashResponse response = { 0 };
  GError *local_error = NULL;
  gint64 deadline;

  esplash_device_stage (self, ESPLASH_STAGE_UPLOADING_STUB);
  esplash_device_log (self, ESPLASH_LOG_INFO, "Uploading stub...");
  if (!upload_segment (self, esplash_stub_get_text (stub), esplash_stub_get_text_start (stub),
                       cancellable, error) ||
      (data != NULL && g_bytes_get_size (data) > 0 &&
       !upload_segment (self, data, esplash_stub_get_data_start (stub), cancellable, error)))
    {
      g_prefix_error (error, "Uploading the flasher stub: ");
      return FALSE;
    }

  esplash_device_log (self, ESPLASH_LOG_INFO, "Running stub...");
  /* The stub may take over the UART before the ROM's reply is out: a short
   * wait, and errors do not count (as esptool). */
  if (!esplash_device_command_words (self, ESPLASH_OP_MEM_END, words, 2, 0,
                                     MEM_END_ROM_TIMEOUT_MS, FALSE, &response, cancellable,
                                     &local_error))
    {
      if (esplash_device_error_is_fatal (local_error))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      esplash_device_log (self, ESPLASH_LOG_DEBUG, "MEM_END: %s (ignored)", local_error->message);
      g_clear_error (&local_error);
    }
  esplash_response_clear (&response);

  deadline = g_get_monotonic_time () + STUB_GREETING_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  for (;;)
    {
      gint64 remaining = MAX (deadline - g_get_monotonic_time (), 0) / 1000;
      g_autoptr(GBytes) frame = esplash_device_read_frame (self, (guint) remaining, cancellable,
                                                           &local_error);
      const guint8 *f;
      gsize len;

      if (frame == NULL && remaining > 0 &&
          g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL))
        {
          g_clear_error (&local_error);   /* a broken frame: not the greeting either */
          continue;
        }
      if (frame == NULL)
        {
          g_propagate_prefixed_error (error, local_error,
                                      "The flasher stub did not start (no greeting): ");
          return FALSE;
        }
      f = g_bytes_get_data (frame, &len);
      if (len == strlen (STUB_GREETING) && memcmp (f, STUB_GREETING, len) == 0)
        break;
      /* A late MEM_END reply from the ROM, or anything else that is not
       * the greeting (a stray or damaged frame): skip it until the
       * deadline. */
      esplash_device_log (self, ESPLASH_LOG_DEBUG, "Waiting for the stub's greeting: dropped "
                          "a %" G_GSIZE_FORMAT "-byte frame", len);
    }

  self->stub_running = TRUE;
  esplash_device_log (self, ESPLASH_LOG_INFO, "Stub running...");
  return TRUE;
}

/* Why the stub cannot be used on this chip, or NULL (§5.1). */
static const char *
stub_exclusion (EsplashDevice *self)
{
  gboolean secure_boot = (self->security.flags & ESPLASH_SECURITY_SECURE_BOOT_EN) != 0;

  if (self->secure_download_mode)
    return "Secure Download Mode does not allow a flasher stub";
  if (self->chip->family == ESPLASH_CHIP_ESP32C2 && self->revision == 0)
    return "the flasher stub does not support ESP32-C2 revision v0.0";
  if (secure_boot && (self->chip->family == ESPLASH_CHIP_ESP32C3 ||
                      self->chip->family == ESPLASH_CHIP_ESP32S3))
    return "Secure Boot is enabled on this chip";
  return NULL;
}

static gboolean
start_stub (EsplashDevice                *self,
            const EsplashConnectOptions  *options,
            GCancellable                 *cancellable,
            GError                      **error)
{
  g_autoptr(GError) find_error = NULL;
  g_autoptr(EsplashStub) stub = NULL;
  const char *excluded;

  if (options->no_stub)
    {
      esplash_device_log (self, ESPLASH_LOG_INFO, "Using the ROM loader (stub disabled)");
      return TRUE;
    }
  excluded = stub_exclusion (self);
  if (excluded != NULL)
    {
      esplash_device_log (self, ESPLASH_LOG_INFO, "Using the ROM loader: %s", excluded);
      return TRUE;
    }

  stub = esplash_stub_find (self->chip, self->revision, options->stub_dir, &find_error);
  if (stub == NULL)
    {
      esplash_device_log (self, ESPLASH_LOG_INFO, "No flasher stub found (%s): using the ROM loader",
                          find_error->message);
      return TRUE;
    }
  esplash_device_log (self, ESPLASH_LOG_DEBUG, "Flasher stub %s",
                      esplash_stub_get_path (stub) != NULL ? esplash_stub_get_path (stub) : "");
  /* An upload that a lost or damaged reply broke starts over from
   * MEM_BEGIN (the ROM takes each MEM_DATA once); if the stub runs after
   * all, only its greeting was lost. */
  for (guint attempt = 1; ; attempt++)
    {
      GError *local_error = NULL;
      gboolean stub_answers = FALSE;

      if (run_stub (self, stub, cancellable, &local_error))
        return TRUE;
      if (attempt >= STUB_UPLOAD_ATTEMPTS || !esplash_device_error_is_recoverable (self, local_error))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      esplash_device_log (self, ESPLASH_LOG_WARNING, "%s: trying again", local_error->message);
      if (!esplash_device_resync (self, &stub_answers, cancellable, NULL))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      g_clear_error (&local_error);
      if (stub_answers)
        {
          self->stub_running = TRUE;
          esplash_device_log (self, ESPLASH_LOG_INFO, "Stub running...");
          return TRUE;
        }
      self->line_faults++;
      if (self->line_faults >= 2 && !esplash_device_lower_rate (self, cancellable, error))
        return FALSE;
    }
}

static gboolean
set_baud (EsplashDevice                *self,
          const EsplashConnectOptions  *options,
          GCancellable                 *cancellable,
          GError                      **error)
{
  /* Automatic: only a UART has a rate to find (the chip's own USB ignores
   * it), and only where the chip can be reset after a rate that fails. */
  gboolean automatic = options->auto_baud && self->console == ESPLASH_CONSOLE_UART &&
                       esplash_transport_has_lines (self->transport) &&
                       (options->before == ESPLASH_BEFORE_DEFAULT_RESET ||
                        options->before == ESPLASH_BEFORE_USB_RESET);
  EsplashConnectOptions fallback;

  if (options->auto_baud && !automatic && options->baud == 0 &&
      self->console == ESPLASH_CONSOLE_UART)
    {
      /* No reset (socket://, a board put in download mode by hand): no
       * search; the usual rate. */
      fallback = *options;
      fallback.baud = AUTO_BAUD_FALLBACK;
      options = &fallback;
    }
  if (self->rate_ceiling != 0 && options->baud > self->rate_ceiling)
    {
      /* The line did not hold a higher rate in this session (recovery). */
      fallback = *options;
      fallback.baud = self->rate_ceiling;
      options = &fallback;
    }

  if (automatic ? self->baud_settled
                : options->baud == 0 || options->baud == esplash_transport_get_baud (self->transport))
    return TRUE;

  if (!self->stub_running && self->chip->rom_is_esp8266_like)
    {
      esplash_device_log (self, ESPLASH_LOG_WARNING,
                          "The %s ROM loader cannot change the baud rate: staying at %u baud "
                          "(the flasher stub can)", self->chip->name,
                          esplash_transport_get_baud (self->transport));
      return TRUE;
    }
  if (self->secure_download_mode && (self->chip->family == ESPLASH_CHIP_ESP32C2 ||
                                     self->chip->family == ESPLASH_CHIP_ESP32C5))
    {
      /* Their ROM baud fix needs register reads that SDM refuses (esptool skips too). */
      esplash_device_log (self, ESPLASH_LOG_WARNING,
                          "Not changing the baud rate in Secure Download Mode on %s",
                          self->chip->name);
      return TRUE;
    }
  esplash_device_stage (self, ESPLASH_STAGE_CHANGING_BAUD);
  if (automatic)
    return self->baud_settled = esplash_device_find_baud (self, options->baud, cancellable, error);
  return esplash_device_change_baud (self, options->baud, cancellable, error);
}

static gboolean
connect_internal (EsplashDevice                *self,
                  const EsplashConnectOptions  *options,
                  GCancellable                 *cancellable,
                  GError                      **error)
{
  EsplashDeviceRegReader reader = { self, cancellable };
  guint sync_baud = options->baud != 0 ? MIN (options->baud, ROM_BAUD) : ROM_BAUD;

  esplash_device_mark_disconnected (self);
  self->baud_settled = FALSE;
  self->chip = NULL;
  self->revision = 0;
  self->console = ESPLASH_CONSOLE_UART;
  self->secure_download_mode = FALSE;
  memset (&self->security, 0, sizeof self->security);
  g_byte_array_set_size (self->boot_log, 0);
  self->boot_mode = -1;
  self->boot_download = FALSE;
  g_byte_array_set_size (self->line_text, 0);
  self->line_noise_mark = esplash_slip_decoder_get_noise_total (self->decoder);
  self->connect_rx_start = self->rx_bytes;
  self->resets_run = 0;
  self->reset_strategies = 0;
  self->sync_replies = 0;
  self->line_faults = 0;

  esplash_device_log (self, ESPLASH_LOG_INFO, "Connecting...");
  if (options->before == ESPLASH_BEFORE_NO_RESET_NO_SYNC)
    {
      /* Talk to what runs already, at the requested rate: a stub (esptool). */
      if (options->baud != 0 &&
          !esplash_transport_set_baud (self->transport, options->baud, error))
        return FALSE;
      if (!esplash_device_flush_input (self, error))
        return FALSE;
      self->sync_stub_detected = TRUE;
    }
  else
    {
      if (!esplash_transport_set_baud (self->transport, sync_baud, error) ||
          !reset_and_sync (self, options, cancellable, error))
        return FALSE;
    }
  if (self->sync_stub_detected)
    {
      /* SYNC replies with value 0 come from a stub left running. */
      if (options->before != ESPLASH_BEFORE_NO_RESET_NO_SYNC)
        esplash_device_log (self, ESPLASH_LOG_INFO,
                            "Stub is already running. No upload is necessary.");
      self->stub_running = TRUE;
      self->stub_reused = TRUE;
    }

  esplash_device_stage (self, ESPLASH_STAGE_DETECTING);
  if (!esplash_device_detect_chip (self, cancellable, error))
    return FALSE;
  esplash_device_log (self, ESPLASH_LOG_INFO, "Detecting chip type... %s", self->chip->name);

  if (options->chip != ESPLASH_CHIP_UNKNOWN && options->chip != self->chip->family)
    {
      const EsplashChipInfo *wanted = esplash_chip_get (options->chip);

      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED_CHIP,
                   "This chip is %s, not %s. Use --chip %s (or auto)", self->chip->name,
                   wanted != NULL ? wanted->name : "the requested one", self->chip->id);
      return FALSE;
    }

  if (!self->secure_download_mode &&
      !esplash_chip_read_revision (self->chip, esplash_device_reg_reader, &reader,
                                   &self->revision, error))
    return FALSE;
  esplash_device_log (self, ESPLASH_LOG_INFO, "Chip is %s (revision v%u.%u)%s",
                      self->chip->name, self->revision / 100, self->revision % 100,
                      self->secure_download_mode ? " in Secure Download Mode" : "");

  if (!esplash_device_detect_console (self, cancellable, error))
    return FALSE;

  if (self->console == ESPLASH_CONSOLE_USB_JTAG && !self->secure_download_mode &&
      !self->stub_reused && !disable_watchdogs (self, cancellable, error))
    return FALSE;

  /* Where the ROM can change the rate, do it first: the stub then goes up
   * at the fast rate too, and keeps it (esp-flasher-stub does not touch the
   * UART's divider at start). The ESP8266 ROM cannot: after the stub. */
  if (!self->stub_running && !self->chip->rom_is_esp8266_like &&
      !set_baud (self, options, cancellable, error))
    return FALSE;

  if (!self->stub_running && !start_stub (self, options, cancellable, error))
    return FALSE;

  if (!set_baud (self, options, cancellable, error))
    return FALSE;

  self->connected = TRUE;
  return TRUE;
}

gboolean
esplash_device_connect (EsplashDevice                *self,
                        const EsplashConnectOptions  *options,
                        GCancellable                 *cancellable,
                        GError                      **error)
{
  EsplashConnectOptions defaults;
  gboolean connect_retried;

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->connected)
    {
      esplash_device_log (self, ESPLASH_LOG_DEBUG, "Already connected to %s: not syncing again",
                          self->chip->name);
      return TRUE;
    }
  if (options == NULL)
    {
      esplash_connect_options_init (&defaults);
      options = &defaults;
    }

  if (!self->has_connected || &self->last_connect != options)
    {
      /* What esplash_device_recover() connects with again. */
      g_autofree char *stub_dir = g_strdup (options->stub_dir);

      self->last_connect = *options;
      g_free (self->last_stub_dir);
      self->last_stub_dir = g_steal_pointer (&stub_dir);
      self->last_connect.stub_dir = NULL;
      self->has_connected = TRUE;
      esplash_device_note_port_identity (self);
    }

  /* a rate that the line did not hold in this session stays out of reach */
  self->baud_ceiling = self->rate_ceiling != 0 ? self->rate_ceiling + 1 : G_MAXUINT;
  connect_retried = FALSE;
  for (;;)
    {
      GError *local_error = NULL;

      self->baud_failed_at = 0;
      if (connect_internal (self, options, cancellable, &local_error))
        return TRUE;
      esplash_device_mark_disconnected (self);
      /* The chip answered SYNC, then stopped answering or answered
       * garbage (a hang, a reset, a bad moment on the line): once more,
       * from a reset, where the port can reset it. */
      if (self->baud_failed_at == 0 && !connect_retried && self->sync_replies > 0 &&
          esplash_device_error_is_recoverable (self, local_error) &&
          !g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE) &&
          esplash_transport_has_lines (self->transport) &&
          (options->before == ESPLASH_BEFORE_DEFAULT_RESET ||
           options->before == ESPLASH_BEFORE_USB_RESET))
        {
          connect_retried = TRUE;
          esplash_device_log (self, ESPLASH_LOG_WARNING, "%s: resetting the chip and connecting "
                              "again", local_error->message);
          g_clear_error (&local_error);
          continue;
        }
      /* The automatic rate stranded the chip at a rate the line does not
       * hold: reset it and search below that rate. */
      if (self->baud_failed_at == 0 || esplash_device_error_is_fatal (local_error))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      esplash_device_log (self, ESPLASH_LOG_INFO, "%s: resetting the chip to try slower rates",
                          local_error->message);
      g_clear_error (&local_error);
      self->baud_ceiling = self->baud_failed_at;
    }
}
