/* fuzz-bootlog.c: the decoding of what a chip prints outside SLIP frames —
 * esplash_boot_message_parse ("rst:0x1 (POWERON),boot:0x13 (SPI_FAST_FLASH_BOOT)",
 * ESP8266's "boot mode:(3,6)", ROM banners), the strap explanation for every
 * family, the quoting, and the diagnosis of a connect that saw these bytes
 * (the whole input as the line text; then its first half as the line text
 * and its second half as what a second look at 74880 baud found).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "esplash-diagnosis-private.h"
#include "fuzz.h"

#define QUOTE_MAX 200

/* Quoted text: valid UTF-8 on one line. */
static void
check_text (const char *text,
            const char *what)
{
  FUZZ_CHECK (text != NULL && g_utf8_validate (text, -1, NULL), what);
  FUZZ_CHECK (strchr (text, '\n') == NULL && strchr (text, '\r') == NULL, what);
}

static void
check_boot_message (gboolean                  found,
                    const EsplashBootMessage *m)
{
  if (!found)
    {
      FUZZ_CHECK (m->kind == ESPLASH_BOOT_KIND_NONE && m->line == NULL &&
                  m->mode_name == NULL && m->value == -1, "nothing found, nothing set");
      return;
    }
  FUZZ_CHECK (m->kind != ESPLASH_BOOT_KIND_NONE && m->kind <= ESPLASH_BOOT_KIND_OTHER, "a kind");
  FUZZ_CHECK (m->chip < ESPLASH_CHIP_N_FAMILIES, "a family");
  check_text (m->line, "the boot line is one line of text");
  FUZZ_CHECK (strlen (m->line) <= QUOTE_MAX + 3 + strlen ("…"), "the line is short");
  /* -1 only for a download banner without a boot line */
  FUZZ_CHECK (m->value >= 0 || (m->value == -1 && m->kind == ESPLASH_BOOT_KIND_DOWNLOAD &&
                                !m->esp8266_format && m->mode_name == NULL),
              "a boot value, never negative");
  FUZZ_CHECK (m->mode_name == NULL || (m->mode_name[0] != '\0' && !m->esp8266_format),
              "a mode name only in ESP32-style lines");
  if (m->mode_name != NULL)
    check_text (m->mode_name, "the mode name is text");

  for (guint f = ESPLASH_CHIP_UNKNOWN; f < ESPLASH_CHIP_N_FAMILIES; f++)
    {
      g_auto(GStrv) lines = esplash_boot_strap_explain ((EsplashChipFamily) f, m);

      FUZZ_CHECK (lines != NULL, "an explanation");
      for (guint i = 0; lines[i] != NULL; i++)
        FUZZ_CHECK (lines[i][0] != '\0' && g_utf8_validate (lines[i], -1, NULL), "a sentence");
    }
}

static void
check_diagnosis (EsplashAttempt    *a,
                 EsplashChipFamily  hint)
{
  g_autoptr(EsplashDiagnosis) d = esplash_diagnose (a, hint);
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;

  FUZZ_CHECK (d != NULL, "a failed connect is diagnosed");
  FUZZ_CHECK (d->id != NULL && d->title != NULL && d->title[0] != '\0', "an id and a title");
  for (guint i = 0; i < d->evidence->len; i++)
    FUZZ_CHECK (g_utf8_validate (g_ptr_array_index (d->evidence, i), -1, NULL),
                "evidence is UTF-8");
  text = esplash_diagnosis_to_string (d);
  FUZZ_CHECK (text != NULL && g_utf8_validate (text, -1, NULL), "the text is UTF-8");
  node = esplash_diagnosis_to_json (d);
  json = json_to_string (node, FALSE);
  FUZZ_CHECK (json != NULL && json[0] == '{', "a JSON object");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(EsplashAttempt) a = esplash_attempt_new ("/dev/ttyUSB0");
  g_autofree char *quote = esplash_diagnosis_quote_text (data, size, QUOTE_MAX);
  EsplashBootMessage m;
  gboolean found = esplash_boot_message_parse (data, size, &m);
  gdouble ratio = esplash_printable_ratio (data, size);
  gsize half = size / 2;

  check_boot_message (found, &m);
  esplash_boot_message_clear (&m);
  check_text (quote, "the quote is one line of text");
  FUZZ_CHECK (ratio >= 0.0 && ratio <= 1.0, "a ratio");

  /* a connect that got no SYNC reply, having seen these bytes */
  a->error = g_error_new_literal (ESPLASH_ERROR, ESPLASH_ERROR_NO_SYNC, "No SYNC reply");
  a->stage = ESPLASH_STAGE_SYNCING;
  a->rx_bytes = size;
  a->line_text = g_bytes_new (data, size);
  a->resets_run = 2;
  a->reset_strategies = 1u << ESPLASH_RESET_CLASSIC;
  check_diagnosis (a, ESPLASH_CHIP_UNKNOWN);

  g_bytes_unref (a->line_text);
  a->line_text = g_bytes_new (data, half);
  a->rx_bytes = half;
  a->probe_baud = 74880;
  a->probe_text = g_bytes_new (data + half, size - half);
  check_diagnosis (a, (EsplashChipFamily) (size % ESPLASH_CHIP_N_FAMILIES));
  return 0;
}

/* ROM boot logs: ESP32 to flash, ESP32-C3 in download mode, ESP8266 at
 * 74880 baud read right, a crash loop. */
void
esplash_fuzz_add_seeds (GPtrArray *seeds)
{
  static const char esp32[] =
    "ets Jun  8 2016 00:22:57\r\n\r\n"
    "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n"
    "configsip: 0, SPIWP:0xee\r\nclk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00\r\n"
    "mode:DIO, clock div:2\r\nload:0x3fff0030,len:7132\r\nentry 0x400805e4\r\n";
  static const char c3[] =
    "ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\n"
    "rst:0x1 (POWERON),boot:0x4 (DOWNLOAD(USB/UART0/1))\r\n"
    "waiting for download\r\n";
  static const char esp8266[] =
    "\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\r\n"
    "load 0x4010f000, len 3460, room 16 \r\ntail 4\r\nchksum 0xcc\r\n";
  static const char crash[] =
    "Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.\r\n"
    "Rebooting...\r\nets Jun  8 2016 00:22:57\r\n\r\n"
    "rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n";

  g_ptr_array_add (seeds, g_bytes_new_static (esp32, sizeof esp32 - 1));
  g_ptr_array_add (seeds, g_bytes_new_static (c3, sizeof c3 - 1));
  g_ptr_array_add (seeds, g_bytes_new_static (esp8266, sizeof esp8266 - 1));
  g_ptr_array_add (seeds, g_bytes_new_static (crash, sizeof crash - 1));
}
