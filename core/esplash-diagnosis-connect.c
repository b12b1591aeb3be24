/* esplash-diagnosis-connect.c: verdicts for a connect that got no SYNC
 * reply, from what the line carried (troubleshooting.md S5–S9, §3).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-diagnosis.h"
#include "esplash-diagnosis-private.h"
#include "esplash-error.h"
#include "esplash-reset.h"

#include <string.h>

/* Below this share of printable bytes the line carries no text: another
 * baud rate or noise (S6). ROM and application logs are ~100 % printable,
 * uniformly random bytes ~38 %. */
#define PRINTABLE_TEXT_RATIO 0.85
/* The ESP8266 ROM (and the 26 MHz ESP32-C2's) prints at 115200 × 26/40. */
#define BOOT_BAUD_26MHZ 74880

static const char *const crash_markers[] = {
  "Guru Meditation Error",
  "Fatal exception",
  "abort() was called",
};

static const guint8 *
find_text (const guint8 *data,
           gsize         len,
           const char   *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; n <= len && i <= len - n; i++)
    if (memcmp (data + i, needle, n) == 0)
      return data + i;
  return NULL;
}

static char *
line_from (const guint8 *data,
           gsize         len,
           const guint8 *at)
{
  const guint8 *end = at;

  while (end < data + len && *end != '\r' && *end != '\n')
    end++;
  return esplash_diagnosis_quote_text (at, (gsize) (end - at), 160);
}

/* The last few lines of the output, quoted. */
static char *
tail_quote (const guint8 *data,
            gsize         len)
{
  gsize start = len > 240 ? len - 240 : 0;

  /* Start at a line boundary when one is near. */
  for (gsize i = start; start > 0 && i < len && i < start + 120; i++)
    if (data[i] == '\n')
      {
        start = i + 1;
        break;
      }
  g_autofree char *quoted = esplash_diagnosis_quote_text (data + start, len - start, 240);
  g_auto(GStrv) lines = g_strsplit (quoted, " | ", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  /* A firmware that loops prints the same line again and again: say it once. */
  for (guint i = 0; lines[i] != NULL;)
    {
      guint n = 1;

      while (lines[i + n] != NULL && g_str_equal (lines[i + n], lines[i]))
        n++;
      if (out->len > 0)
        g_string_append (out, " | ");
      g_string_append (out, lines[i]);
      if (n > 1)
        g_string_append_printf (out, " (×%u)", n);
      i += n;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
strategies_text (guint mask)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = ESPLASH_RESET_CLASSIC; i <= ESPLASH_RESET_USB_JTAG; i++)
    if ((mask & (1u << i)) != 0)
      g_string_append_printf (s, "%s%s", s->len > 0 ? ", " : "",
                              esplash_reset_strategy_name ((EsplashResetStrategy) i));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
add_strap_evidence (EsplashDiagnosis         *d,
                    const EsplashDiagContext *c,
                    const EsplashBootMessage *boot)
{
  g_auto(GStrv) lines = esplash_boot_strap_explain (c->chip, boot);

  if (boot->line != NULL)
    esplash_diagnosis_add_evidence (d, "Boot message: %s", boot->line);
  for (guint i = 0; lines[i] != NULL; i++)
    esplash_diagnosis_add_evidence (d, "%s", lines[i]);
}

static void
add_reset_evidence (EsplashDiagnosis         *d,
                    const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  g_autofree char *strategies = strategies_text (a->reset_strategies);

  if (a->resets_run > 0)
    esplash_diagnosis_add_evidence (d, "Esplash reset the chip %u time%s (%s)", a->resets_run,
                                    a->resets_run == 1 ? "" : "s", strategies);
  else if (!a->has_lines)
    esplash_diagnosis_add_evidence (d, "This port has no DTR/RTS lines: Esplash cannot reset "
                                    "the chip into download mode");
}

static EsplashDiagnosis *
diagnose_no_sync_reply (const EsplashDiagContext *c)
{
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_NO_SYNC_REPLY, c->chip);

  esplash_diagnosis_set_title (d, "%s waits in download mode but does not answer",
                               c->info != NULL ? c->info->name : "The chip");
  esplash_diagnosis_set_explanation (d, "The chip printed its download-mode banner, so it "
                                     "reached the ROM loader and its output reaches the "
                                     "computer. It never answered SYNC: the line from the "
                                     "computer to the chip (adapter TX → chip RX) does not "
                                     "carry the data.");
  if (c->have_boot)
    add_strap_evidence (d, c, &c->boot);
  esplash_diagnosis_add_evidence (d, "“waiting for download” seen, %u SYNC replies",
                                  c->a->sync_replies);
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Check the wire from the adapter's TX to the chip's RX (U0RXD): "
                              "connected, not swapped, and nothing else driving that pin.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "On Linux use the kernel's own driver for CH340/CH341 adapters, "
                              "not the vendor's CH341SER module.");
  if (c->chip == ESPLASH_CHIP_ESP32C2)
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                "The ESP32-C2 ROM needs at least 115200 baud to connect.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_SYNC_REPLY, NULL,
                              "Esplash keeps trying and continues as soon as the chip answers.");
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static EsplashDiagnosis *
diagnose_normal_boot (const EsplashDiagContext *c,
                      const EsplashBootMessage *boot)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_NORMAL_BOOT, c->chip);
  g_autofree char *button = esplash_diag_boot_button (c);

  esplash_diagnosis_set_title (d, "%s started its firmware instead of download mode",
                               c->info != NULL ? c->info->name : "The chip");
  if (boot != NULL && boot->kind == ESPLASH_BOOT_KIND_FLASH)
    esplash_diagnosis_set_explanation (d, "The chip printed a normal boot message: at reset "
                                       "its %s pin was high, so it ran the program in flash. "
                                       "The reset works and its output reaches the computer, "
                                       "but the board did not hold the BOOT pin low. Its "
                                       "auto-reset circuit (DTR/RTS → BOOT/EN) is missing or "
                                       "too slow, or something pulls the pin high.",
                                       c->info != NULL ? c->info->boot_pin : "BOOT");
  else
    esplash_diagnosis_set_explanation (d, "The chip is running the program in its flash and "
                                       "printing its output: it was not put into download "
                                       "mode. %s", a->has_lines
                                         ? "The board's auto-reset circuit (DTR/RTS → BOOT/EN) "
                                           "is missing or did not work."
                                         : "This port cannot reset the chip.");
  if (boot != NULL)
    add_strap_evidence (d, c, boot);
  else if (c->text_len > 0)
    {
      g_autofree char *quote = tail_quote (c->text, c->text_len);

      esplash_diagnosis_add_evidence (d, "The firmware printed: %s", quote);
    }
  add_reset_evidence (d, c);

  esplash_diag_add_manual_boot_steps (d, c);
  if (!c->native_usb && a->has_lines)
    {
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                  "If the chip resets but will not stay in download mode, keep "
                                  "%s held during the whole connect and release it when the "
                                  "progress starts.", button);
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                  "Custom board: the auto-reset needs RTS → EN and DTR → %s "
                                  "through two transistors, and a 1–10 µF capacitor from EN to "
                                  "GND.", c->info != NULL ? c->info->boot_pin : "the BOOT pin");
    }
  d->retry = ESPLASH_RETRY_NO_RESET;
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static EsplashDiagnosis *
diagnose_invalid_straps (const EsplashDiagContext *c)
{
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_INVALID_STRAPS, c->chip);

  esplash_diagnosis_set_title (d, "The chip's strap pins select neither flash nor download mode");
  esplash_diagnosis_set_explanation (d, "At reset the chip read its strap pins and chose “%s”, "
                                     "an unsupported combination. Usually the second strap pin "
                                     "is at the wrong level; the evidence lists each pin.",
                                     c->boot.mode_name != NULL ? c->boot.mode_name : "another mode");
  add_strap_evidence (d, c, &c->boot);
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Disconnect whatever pulls the listed pins to the wrong level "
                              "(sensors, LEDs, SD cards on strap pins).");
  esplash_diag_add_manual_boot_steps (d, c);
  d->retry = ESPLASH_RETRY_NO_RESET;
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static EsplashDiagnosis *
diagnose_crash (const EsplashDiagContext *c,
                const guint8             *at)
{
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_APP_CRASH, c->chip);
  g_autofree char *line = line_from (c->text, c->text_len, at);

  esplash_diagnosis_set_title (d, "The firmware on the chip crashes");
  esplash_diagnosis_set_explanation (d, "The chip runs the program in its flash, which crashes "
                                     "(and restarts) instead of letting the chip enter download "
                                     "mode.");
  esplash_diagnosis_add_evidence (d, "The chip printed: %s", line);
  esplash_diag_add_manual_boot_steps (d, c);
  d->retry = ESPLASH_RETRY_NO_RESET;
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static EsplashDiagnosis *
diagnose_wrong_baud (const EsplashDiagContext *c,
                     gdouble                   ratio)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_WRONG_BAUD, c->chip);
  gboolean slow_rom = c->chip == ESPLASH_CHIP_ESP8266 || c->chip == ESPLASH_CHIP_ESP32C2 ||
                      c->chip == ESPLASH_CHIP_UNKNOWN;
  EsplashBootMessage probe_boot = { 0 };
  gboolean probe_readable = FALSE;
  g_autofree char *first = esplash_diagnosis_quote_text (c->text, MIN (c->text_len, 24), 200);

  esplash_diagnosis_set_title (d, "The chip sends data Esplash cannot read at this baud rate");
  esplash_diagnosis_set_explanation (d, "%" G_GUINT64_FORMAT " bytes arrived, but only %.0f %% "
                                     "are printable: they were sent at another baud rate, or "
                                     "the line is noisy. %s", a->rx_bytes, ratio * 100,
                                     slow_rom ? "The ESP8266 (and an ESP32-C2 with a 26 MHz "
                                                "crystal) prints its boot message at 74880 baud. "
                                                "Such output means the chip is not waiting in "
                                                "download mode (there it answers at any rate)."
                                              : "The chip is not waiting in download mode.");
  esplash_diagnosis_add_evidence (d, "%" G_GUINT64_FORMAT " bytes received, %.0f %% printable: %s",
                                  a->rx_bytes, ratio * 100, first);
  if (a->probe_text != NULL && a->probe_baud != 0)
    {
      gsize plen;
      const guint8 *p = g_bytes_get_data (a->probe_text, &plen);

      probe_readable = plen > 0 && esplash_printable_ratio (p, plen) >= PRINTABLE_TEXT_RATIO;
      if (probe_readable)
        {
          g_autofree char *quote = tail_quote (p, plen);

          esplash_diagnosis_add_evidence (d, "At %u baud the chip printed: %s", a->probe_baud, quote);
          if (esplash_boot_message_parse (p, plen, &probe_boot))
            {
              g_auto(GStrv) lines = esplash_boot_strap_explain (c->chip, &probe_boot);

              for (guint i = 0; lines[i] != NULL; i++)
                esplash_diagnosis_add_evidence (d, "%s", lines[i]);
            }
        }
      else
        esplash_diagnosis_add_evidence (d, "At %u baud the line is %s", a->probe_baud,
                                        plen == 0 ? "silent" : "unreadable too (noise)");
    }
  add_reset_evidence (d, c);

  if (slow_rom)
    d->suggested_baud = BOOT_BAUD_26MHZ;
  if (slow_rom && a->probe_baud == 0)
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                "To read the message, open a serial monitor at %u baud and "
                                "press RESET.", BOOT_BAUD_26MHZ);
  if (a->probe_baud != 0 && !probe_readable)
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                "Noise rather than another rate: use a shorter cable, take the "
                                "board off the breadboard, and check its supply.");
  esplash_diag_add_manual_boot_steps (d, c);
  d->retry = ESPLASH_RETRY_NO_RESET;
  esplash_boot_message_clear (&probe_boot);
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static EsplashDiagnosis *
diagnose_silent (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_SILENT_LINE, c->chip);

  esplash_diagnosis_set_title (d, "No data from the chip");
  if (a->has_lines)
    esplash_diagnosis_set_explanation (d, "Esplash reset the chip and listened, but not a single "
                                       "byte arrived: the chip has no power, EN is held low, the "
                                       "chip's TX does not reach the adapter, or this is not the "
                                       "board's port.");
  else
    esplash_diagnosis_set_explanation (d, "Not a single byte arrived, and this port cannot reset "
                                       "the chip (no DTR/RTS lines): it has to be put into "
                                       "download mode by hand.");
  esplash_diagnosis_add_evidence (d, "0 bytes received from %s", c->path);
  add_reset_evidence (d, c);

  if (a->has_lines)
    {
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                  "Check that the board is powered (LED on) and that %s is the "
                                  "board's port.", c->path);
      if (!c->native_usb)
        esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                    "External adapter: connect adapter TX → chip RX, adapter RX "
                                    "→ chip TX and GND; use 3.3 V logic levels.");
      if (c->chip == ESPLASH_CHIP_ESP32)
        esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                    "A low GPIO15 (MTDO) silences the ESP32's boot message; "
                                    "download mode can still work.");
    }
  esplash_diag_add_manual_boot_steps (d, c);
  d->retry = ESPLASH_RETRY_NO_RESET;
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static EsplashDiagnosis *
diagnose_unknown (const EsplashDiagContext *c)
{
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_UNKNOWN, c->chip);

  esplash_diagnosis_set_title (d, "The operation failed");
  esplash_diagnosis_set_explanation (d, "%s", c->a->error != NULL ? c->a->error->message
                                                                  : "Something went wrong.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Try again; if it fails the same way, use a lower baud rate and "
                              "another USB cable or port.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "If the chip does not stay in download mode, enter it by hand "
                              "(hold BOOT, tap RESET, release BOOT).");
  esplash_diag_add_error_evidence (d, c);
  return d;
}

EsplashDiagnosis *
esplash_diag_connect (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;

  if (a->synced)
    return diagnose_unknown (c);

  if (c->have_boot && c->boot.kind == ESPLASH_BOOT_KIND_DOWNLOAD)
    return diagnose_no_sync_reply (c);
  if (!c->have_boot && a->download_banner)
    return diagnose_no_sync_reply (c);
  for (gsize i = 0; i < G_N_ELEMENTS (crash_markers); i++)
    {
      const guint8 *hit = find_text (c->text, c->text_len, crash_markers[i]);

      if (hit != NULL)
        return diagnose_crash (c, hit);
    }
  if (c->have_boot && c->boot.kind == ESPLASH_BOOT_KIND_FLASH)
    return diagnose_normal_boot (c, &c->boot);
  if (c->have_boot && c->boot.kind == ESPLASH_BOOT_KIND_OTHER)
    return diagnose_invalid_straps (c);

  if (c->text_len > 0)
    {
      gdouble ratio = esplash_printable_ratio (c->text, c->text_len);

      if (ratio < PRINTABLE_TEXT_RATIO)
        return diagnose_wrong_baud (c, ratio);
      return diagnose_normal_boot (c, NULL);
    }
  if (a->rx_bytes == 0 && (a->error == NULL || g_error_matches (a->error, ESPLASH_ERROR,
                                                                 ESPLASH_ERROR_NO_SYNC) ||
                           g_error_matches (a->error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT)))
    return diagnose_silent (c);
  return diagnose_unknown (c);
}
