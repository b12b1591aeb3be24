/* esplash-diagnosis.c: the diagnosis record, ROM boot-message decoding
 * (troubleshooting.md §3, protocol.md §7.3), the guided-flow step check
 * and text/JSON output. The verdicts are in esplash-diagnosis-rules.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-diagnosis.h"
#include "esplash-diagnosis-private.h"

#include <string.h>

G_DEFINE_BOXED_TYPE (EsplashDiagnosis, esplash_diagnosis, esplash_diagnosis_copy,
                     esplash_diagnosis_free)

static void
step_free (EsplashDiagnosisStep *step)
{
  g_free (step->text);
  g_free (step->command);
  g_free (step);
}

EsplashDiagnosis *
esplash_diagnosis_new (const char        *id,
                       EsplashChipFamily  chip)
{
  EsplashDiagnosis *d = g_new0 (EsplashDiagnosis, 1);

  d->id = g_strdup (id);
  d->chip = chip;
  d->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  d->evidence = g_ptr_array_new_with_free_func (g_free);
  return d;
}

/**
 * esplash_diagnosis_copy:
 *
 * Returns: (transfer full): a deep copy of @diagnosis
 */
EsplashDiagnosis *
esplash_diagnosis_copy (const EsplashDiagnosis *diagnosis)
{
  EsplashDiagnosis *copy;

  g_return_val_if_fail (diagnosis != NULL, NULL);

  copy = esplash_diagnosis_new (diagnosis->id, diagnosis->chip);
  copy->title = g_strdup (diagnosis->title);
  copy->explanation = g_strdup (diagnosis->explanation);
  copy->retry = diagnosis->retry;
  copy->suggested_baud = diagnosis->suggested_baud;
  copy->port_path = g_strdup (diagnosis->port_path);
  for (guint i = 0; i < diagnosis->steps->len; i++)
    {
      const EsplashDiagnosisStep *s = g_ptr_array_index (diagnosis->steps, i);
      EsplashDiagnosisStep *c = g_new0 (EsplashDiagnosisStep, 1);

      c->text = g_strdup (s->text);
      c->command = g_strdup (s->command);
      c->check = s->check;
      g_ptr_array_add (copy->steps, c);
    }
  for (guint i = 0; i < diagnosis->evidence->len; i++)
    g_ptr_array_add (copy->evidence, g_strdup (g_ptr_array_index (diagnosis->evidence, i)));
  return copy;
}

void
esplash_diagnosis_free (EsplashDiagnosis *diagnosis)
{
  if (diagnosis == NULL)
    return;
  g_free (diagnosis->id);
  g_free (diagnosis->title);
  g_free (diagnosis->explanation);
  g_ptr_array_unref (diagnosis->steps);
  g_ptr_array_unref (diagnosis->evidence);
  g_free (diagnosis->port_path);
  g_free (diagnosis);
}

void
esplash_diagnosis_set_title (EsplashDiagnosis *d,
                             const char       *format,
                             ...)
{
  va_list args;

  va_start (args, format);
  g_free (d->title);
  d->title = g_strdup_vprintf (format, args);
  va_end (args);
}

void
esplash_diagnosis_set_explanation (EsplashDiagnosis *d,
                                   const char       *format,
                                   ...)
{
  va_list args;

  va_start (args, format);
  g_free (d->explanation);
  d->explanation = g_strdup_vprintf (format, args);
  va_end (args);
}

void
esplash_diagnosis_add_step (EsplashDiagnosis *d,
                            EsplashStepCheck  check,
                            const char       *command,
                            const char       *format,
                            ...)
{
  EsplashDiagnosisStep *step = g_new0 (EsplashDiagnosisStep, 1);
  va_list args;

  va_start (args, format);
  step->text = g_strdup_vprintf (format, args);
  va_end (args);
  step->command = g_strdup (command);
  step->check = check;
  g_ptr_array_add (d->steps, step);
}

void
esplash_diagnosis_add_evidence (EsplashDiagnosis *d,
                                const char       *format,
                                ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (d->evidence, g_strdup_vprintf (format, args));
  va_end (args);
}

char *
esplash_diagnosis_quote_text (const guint8 *data,
                              gsize         len,
                              gsize         max)
{
  GString *s = g_string_new (NULL);
  gboolean in_break = TRUE;   /* drop leading line breaks */

  for (gsize i = 0; i < len && s->len < max; i++)
    {
      guint8 c = data[i];

      if (c == '\r' || c == '\n')
        {
          if (!in_break)
            g_string_append (s, " | ");
          in_break = TRUE;
          continue;
        }
      in_break = FALSE;
      if (c >= 0x20 && c < 0x7F)
        g_string_append_c (s, (char) c);
      else
        g_string_append_printf (s, "\\x%02x", c);
    }
  while (g_str_has_suffix (s->str, " | "))
    g_string_truncate (s, s->len - 3);
  if (s->len >= max)
    g_string_append (s, "…");
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------ */
/* Guided flow                                                         */

/**
 * esplash_diagnosis_step_check:
 * @step: a step of a diagnosis
 * @observation: what the watcher sees now
 *
 * Returns: whether what @step asks for is visible in @observation. A sync
 *   reply also satisfies the earlier checks (it needs an open port).
 */
gboolean
esplash_diagnosis_step_check (const EsplashDiagnosisStep *step,
                              const EsplashObservation   *observation)
{
  g_return_val_if_fail (step != NULL && observation != NULL, FALSE);

  switch (step->check)
    {
    case ESPLASH_STEP_CHECK_PORT_PRESENT:
      return observation->port_present || observation->port_opens || observation->sync_reply;
    case ESPLASH_STEP_CHECK_PORT_OPENS:
      return observation->port_opens || observation->sync_reply;
    case ESPLASH_STEP_CHECK_BANNER_SEEN:
      return observation->banner_seen || observation->sync_reply;
    case ESPLASH_STEP_CHECK_SYNC_REPLY:
      return observation->sync_reply;
    case ESPLASH_STEP_CHECK_NONE:
    default:
      return FALSE;
    }
}

/**
 * esplash_diagnosis_first_open_step:
 *
 * Steps are done in order, so every step before the last satisfied one
 * counts as done (the user pressed BOOT if the banner arrived).
 *
 * Returns: the index of the first step still to do; steps->len when all are done
 */
guint
esplash_diagnosis_first_open_step (const EsplashDiagnosis  *diagnosis,
                                   const EsplashObservation *observation)
{
  guint open = 0;

  g_return_val_if_fail (diagnosis != NULL && observation != NULL, 0);

  for (guint i = 0; i < diagnosis->steps->len; i++)
    if (esplash_diagnosis_step_check (g_ptr_array_index (diagnosis->steps, i), observation))
      open = i + 1;
  return open;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

const char *
esplash_step_check_nick (EsplashStepCheck check)
{
  switch (check)
    {
    case ESPLASH_STEP_CHECK_PORT_PRESENT: return "port-present";
    case ESPLASH_STEP_CHECK_PORT_OPENS: return "port-opens";
    case ESPLASH_STEP_CHECK_BANNER_SEEN: return "banner-seen";
    case ESPLASH_STEP_CHECK_SYNC_REPLY: return "sync-reply";
    case ESPLASH_STEP_CHECK_NONE:
    default: return "none";
    }
}

const char *
esplash_retry_nick (EsplashRetry retry)
{
  switch (retry)
    {
    case ESPLASH_RETRY_NO_RESET: return "no-reset";
    case ESPLASH_RETRY_REOPEN: return "reopen";
    case ESPLASH_RETRY_LOWER_BAUD: return "lower-baud";
    case ESPLASH_RETRY_NONE: return "none";
    case ESPLASH_RETRY_NORMAL:
    default: return "normal";
    }
}

/**
 * esplash_diagnosis_to_string:
 *
 * Returns: (transfer full): the diagnosis as plain text for a terminal
 */
char *
esplash_diagnosis_to_string (const EsplashDiagnosis *diagnosis)
{
  GString *s;

  g_return_val_if_fail (diagnosis != NULL, NULL);

  s = g_string_new (NULL);
  g_string_append_printf (s, "%s [%s]\n", diagnosis->title, diagnosis->id);
  if (diagnosis->explanation != NULL)
    g_string_append_printf (s, "%s\n", diagnosis->explanation);
  if (diagnosis->steps->len > 0)
    g_string_append (s, "What to do:\n");
  for (guint i = 0; i < diagnosis->steps->len; i++)
    {
      const EsplashDiagnosisStep *step = g_ptr_array_index (diagnosis->steps, i);

      g_string_append_printf (s, "  %u. %s\n", i + 1, step->text);
      if (step->command != NULL)
        g_string_append_printf (s, "       $ %s\n", step->command);
    }
  if (diagnosis->evidence->len > 0)
    g_string_append (s, "What Esplash saw:\n");
  for (guint i = 0; i < diagnosis->evidence->len; i++)
    g_string_append_printf (s, "  - %s\n", (const char *) g_ptr_array_index (diagnosis->evidence, i));
  return g_string_free (s, FALSE);
}

/**
 * esplash_diagnosis_to_json:
 *
 * Returns: (transfer full): a JSON object describing @diagnosis
 */
JsonNode *
esplash_diagnosis_to_json (const EsplashDiagnosis *diagnosis)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const EsplashChipInfo *chip;

  g_return_val_if_fail (diagnosis != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, diagnosis->id);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, diagnosis->title);
  json_builder_set_member_name (b, "explanation");
  json_builder_add_string_value (b, diagnosis->explanation);
  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; i < diagnosis->steps->len; i++)
    {
      const EsplashDiagnosisStep *step = g_ptr_array_index (diagnosis->steps, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, step->text);
      if (step->command != NULL)
        {
          json_builder_set_member_name (b, "command");
          json_builder_add_string_value (b, step->command);
        }
      json_builder_set_member_name (b, "check");
      json_builder_add_string_value (b, esplash_step_check_nick (step->check));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "evidence");
  json_builder_begin_array (b);
  for (guint i = 0; i < diagnosis->evidence->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (diagnosis->evidence, i));
  json_builder_end_array (b);
  chip = esplash_chip_get (diagnosis->chip);
  if (chip != NULL)
    {
      json_builder_set_member_name (b, "chip");
      json_builder_add_string_value (b, chip->id);
    }
  json_builder_set_member_name (b, "retry");
  json_builder_add_string_value (b, esplash_retry_nick (diagnosis->retry));
  if (diagnosis->suggested_baud != 0)
    {
      json_builder_set_member_name (b, "suggested_baud");
      json_builder_add_int_value (b, diagnosis->suggested_baud);
    }
  if (diagnosis->port_path != NULL)
    {
      json_builder_set_member_name (b, "port");
      json_builder_add_string_value (b, diagnosis->port_path);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ------------------------------------------------------------------ */
/* Boot messages                                                       */

void
esplash_boot_message_clear (EsplashBootMessage *message)
{
  g_clear_pointer (&message->line, g_free);
  g_clear_pointer (&message->mode_name, g_free);
  memset (message, 0, sizeof *message);
  message->value = -1;
}

/* The whole line around byte @pos, printable only. */
static char *
line_at (const guint8 *data,
         gsize         len,
         gsize         pos)
{
  gsize start = pos, end = pos;

  while (start > 0 && data[start - 1] != '\n' && data[start - 1] != '\r')
    start--;
  while (end < len && data[end] != '\n' && data[end] != '\r')
    end++;
  return esplash_diagnosis_quote_text (data + start, end - start, 200);
}

static EsplashChipFamily
chip_from_banner (const char *text)
{
  g_autoptr(GRegex) rom = g_regex_new ("ESP-ROM:(esp[0-9a-z]+)", G_REGEX_RAW, 0, NULL);
  g_autoptr(GMatchInfo) m = NULL;
  EsplashChipFamily chip = ESPLASH_CHIP_UNKNOWN;

  /* The newest banner wins, as for the boot line. */
  g_regex_match (rom, text, 0, &m);
  while (g_match_info_matches (m))
    {
      g_autofree char *id = g_match_info_fetch (m, 1);
      const EsplashChipInfo *info = esplash_chip_from_id (id);

      if (info != NULL)
        chip = info->family;
      g_match_info_next (m, NULL);
    }
  if (chip != ESPLASH_CHIP_UNKNOWN)
    return chip;
  /* The ESP32 and ESP8266 ROMs print their build date instead (§3). */
  if (strstr (text, "ets Jun  8 2016") != NULL)
    return ESPLASH_CHIP_ESP32;
  if (strstr (text, "ets Jan  8 2013") != NULL || strstr (text, "ets Jan  8 2014") != NULL)
    return ESPLASH_CHIP_ESP8266;
  return ESPLASH_CHIP_UNKNOWN;
}

/* Longest mode name kept ("DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2)" is 42). */
#define MODE_NAME_MAX 80

/* The digits of a boot value; a garbled line may carry any number of them,
 * so it saturates instead of wrapping to a negative (or small) number. */
static gint
parse_boot_value (const char *digits,
                  guint       base)
{
  guint64 v = g_ascii_strtoull (digits, NULL, base);

  return (gint) MIN (v, (guint64) G_MAXINT);
}

/**
 * esplash_boot_message_parse:
 * @data: bytes the chip printed
 * @out: (out caller-allocates): the last boot message; clear it with
 *   esplash_boot_message_clear()
 *
 * Returns: whether a boot message was found
 */
gboolean
esplash_boot_message_parse (const guint8       *data,
                            gsize               len,
                            EsplashBootMessage *out)
{
  g_autoptr(GRegex) esp32 = NULL;
  g_autoptr(GRegex) esp8266 = NULL;
  g_autoptr(GMatchInfo) m = NULL;
  /* GRegex needs a NUL-terminated haystack; NULs inside become '.'. */
  g_autofree char *text = g_malloc (len + 1);
  gint start = -1, end = -1;
  gint found_at = -1;

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);
  out->value = -1;
  for (gsize i = 0; i < len; i++)
    text[i] = data[i] == '\0' ? '.' : (char) data[i];
  text[len] = '\0';

  out->chip = chip_from_banner (text);

  esp32 = g_regex_new ("boot:0x([0-9a-fA-F]+)(?: \\(([A-Z0-9_]+(?:\\([^)\\r\\n]*\\))?)\\))?",
                       G_REGEX_RAW, 0, NULL);
  esp8266 = g_regex_new ("boot mode:\\(([0-9]+),([0-9]+)\\)", G_REGEX_RAW, 0, NULL);

  g_regex_match (esp32, text, 0, &m);
  while (g_match_info_matches (m))
    {
      g_autofree char *value = g_match_info_fetch (m, 1);
      g_autofree char *mode = g_match_info_fetch (m, 2);

      g_match_info_fetch_pos (m, 0, &start, &end);
      found_at = start;
      out->value = parse_boot_value (value, 16);
      out->esp8266_format = FALSE;
      g_free (out->mode_name);
      /* the text in parentheses may hold any byte: keep it printable */
      out->mode_name = mode != NULL && *mode != '\0'
        ? esplash_diagnosis_quote_text ((const guint8 *) mode, strlen (mode), MODE_NAME_MAX) : NULL;
      g_match_info_next (m, NULL);
    }
  g_clear_pointer (&m, g_match_info_free);

  g_regex_match (esp8266, text, 0, &m);
  while (g_match_info_matches (m))
    {
      g_match_info_fetch_pos (m, 0, &start, &end);
      if (start > found_at)
        {
          g_autofree char *first = g_match_info_fetch (m, 1);

          found_at = start;
          out->value = parse_boot_value (first, 10);
          out->esp8266_format = TRUE;
          g_clear_pointer (&out->mode_name, g_free);
          if (out->chip == ESPLASH_CHIP_UNKNOWN)
            out->chip = ESPLASH_CHIP_ESP8266;
        }
      g_match_info_next (m, NULL);
    }

  if (found_at < 0)
    {
      /* A banner without the mode line still says "download". */
      if (strstr (text, "waiting for download") != NULL)
        {
          out->kind = ESPLASH_BOOT_KIND_DOWNLOAD;
          out->line = line_at (data, len, (gsize) (strstr (text, "waiting for download") - text));
          return TRUE;
        }
      return FALSE;
    }

  out->line = line_at (data, len, (gsize) found_at);
  if (out->esp8266_format)
    {
      /* First number: 1 = UART download, 3 = flash; ≥ 4 has GPIO15 high (SDIO). */
      out->kind = out->value == 1 ? ESPLASH_BOOT_KIND_DOWNLOAD
                : out->value == 3 ? ESPLASH_BOOT_KIND_FLASH
                : ESPLASH_BOOT_KIND_OTHER;
    }
  else if (out->mode_name == NULL)
    {
      out->kind = strstr (text + found_at, "waiting for download") != NULL
                    ? ESPLASH_BOOT_KIND_DOWNLOAD : ESPLASH_BOOT_KIND_OTHER;
    }
  else if (strcmp (out->mode_name, "SPI_FAST_FLASH_BOOT") == 0)
    out->kind = ESPLASH_BOOT_KIND_FLASH;
  else if (g_str_has_prefix (out->mode_name, "DOWNLOAD"))
    out->kind = ESPLASH_BOOT_KIND_DOWNLOAD;   /* DOWNLOAD(…), DOWNLOAD_BOOT(…); not SPI_DOWNLOAD_BOOT */
  else
    out->kind = ESPLASH_BOOT_KIND_OTHER;
  return TRUE;
}

/* Strap bits per family (troubleshooting.md §3): the main boot pin (must
 * be low for download) and the second strap with the level download needs. */
typedef struct {
  EsplashChipFamily family;
  guint             boot_bit;
  const char       *second_pin;
  guint             second_bit;
  gboolean          second_high;    /* the level download needs */
} StrapRow;

static const StrapRow strap_rows[] = {
  { ESPLASH_CHIP_ESP32,   0x10, "GPIO2",  0x08, FALSE },
  { ESPLASH_CHIP_ESP32S2, 0x08, "GPIO46", 0x04, FALSE },
  { ESPLASH_CHIP_ESP32S3, 0x08, "GPIO46", 0x04, FALSE },
  { ESPLASH_CHIP_ESP32C2, 0x08, "GPIO8",  0x04, TRUE },
  { ESPLASH_CHIP_ESP32C3, 0x08, "GPIO8",  0x04, TRUE },
  { ESPLASH_CHIP_ESP32C6, 0x08, "GPIO8",  0x04, TRUE },
  { ESPLASH_CHIP_ESP32C61, 0x08, "GPIO8", 0x04, TRUE },
  { ESPLASH_CHIP_ESP32H2, 0x08, "GPIO8",  0x04, TRUE },
  { ESPLASH_CHIP_ESP32C5, 0x08, "GPIO27", 0x04, TRUE },
  { ESPLASH_CHIP_ESP32P4, 0x08, "GPIO36", 0x04, TRUE },
};

static const char *
level (gboolean high)
{
  return high ? "high" : "low";
}

static void
explain_esp8266 (GPtrArray *lines,
                 guint      x)
{
  gboolean gpio0 = (x & 0x2) != 0, gpio2 = (x & 0x1) != 0, gpio15 = (x & 0x4) != 0;

  g_ptr_array_add (lines, g_strdup_printf ("GPIO0 was %s: %s", level (gpio0),
                                           gpio0 ? "the chip booted from flash (download mode needs GPIO0 low)"
                                                 : "UART download mode selected"));
  if (!gpio2)
    g_ptr_array_add (lines, g_strdup ("GPIO2 was low: it must be high or floating at reset"));
  if (gpio15)
    g_ptr_array_add (lines, g_strdup ("GPIO15 (MTDO) was high: it must be low at reset "
                                      "(high selects SDIO boot)"));
}

static GStrv
strv_finish (GPtrArray *lines)
{
  g_ptr_array_add (lines, NULL);
  return (GStrv) g_ptr_array_free (lines, FALSE);
}

/**
 * esplash_boot_strap_explain:
 * @chip: the family (UNKNOWN: the banner's family, else nothing)
 * @message: a parsed boot message
 *
 * Returns: (transfer full): one sentence per strap pin that matters
 */
GStrv
esplash_boot_strap_explain (EsplashChipFamily         chip,
                            const EsplashBootMessage *message)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  const EsplashChipInfo *info;
  const StrapRow *row = NULL;
  guint v;
  gboolean boot_high, second_high;

  g_return_val_if_fail (message != NULL, NULL);

  if (chip == ESPLASH_CHIP_UNKNOWN)
    chip = message->chip;
  info = esplash_chip_get (chip);
  if (message->value < 0 || info == NULL)
    return strv_finish (g_steal_pointer (&lines));
  v = (guint) message->value;

  if (message->esp8266_format || chip == ESPLASH_CHIP_ESP8266)
    {
      if (message->esp8266_format)
        explain_esp8266 (lines, v);
      return strv_finish (g_steal_pointer (&lines));
    }

  for (gsize i = 0; i < G_N_ELEMENTS (strap_rows); i++)
    if (strap_rows[i].family == chip)
      row = &strap_rows[i];
  if (row == NULL)
    return strv_finish (g_steal_pointer (&lines));

  boot_high = (v & row->boot_bit) != 0;
  second_high = (v & row->second_bit) != 0;
  g_ptr_array_add (lines, g_strdup_printf ("%s (BOOT) was %s: %s", info->boot_pin, level (boot_high),
                                           boot_high ? "the chip booted from flash "
                                                       "(download mode needs it low at reset)"
                                                     : "download mode selected"));
  if (second_high != row->second_high)
    g_ptr_array_add (lines, g_strdup_printf ("%s was %s: download mode needs it %s%s",
                                             row->second_pin, level (second_high),
                                             level (row->second_high),
                                             row->second_high ? "" : " or floating"));
  if (chip == ESPLASH_CHIP_ESP32)
    {
      if ((v & 0x20) != 0)
        g_ptr_array_add (lines, g_strdup ("MTDI (GPIO12) was high: the flash supply is set to "
                                          "1.8 V; a 3.3 V flash chip will not work"));
      if ((v & 0x02) == 0)
        g_ptr_array_add (lines, g_strdup ("MTDO (GPIO15) was low: this mutes the ROM's boot log"));
    }
  return strv_finish (g_steal_pointer (&lines));
}
