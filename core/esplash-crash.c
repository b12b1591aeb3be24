/* esplash-crash.c: the crash scanner — a board's output, one line at a
 * time, → the code addresses of a crash worth resolving.
 *
 * What it recognises (ESP-IDF's panic handler, newlib's abort(), the app's
 * start-up banner; the formats idf.py monitor decodes too):
 *
 *   Backtrace: 0x400d1234:0x3ffb1230 0x400d5678:0x3ffb1250 |<-CORRUPTED
 *       Xtensa (and RISC-V with eh_frame): the PC of each PC:SP pair, the
 *       first as ESPLASH_CRASH_ADDRESS_PC, the rest as _RETURN, label
 *       "backtrace". Decoded wherever the line appears (esp_backtrace_print()
 *       prints one outside a panic too).
 *   MEPC    : 0x42000034  RA      : 0x4200005e  SP      : 0x3fc8f0a0 …
 *       RISC-V register dump: MEPC (PC, "MEPC") and RA (RETURN, "RA"), only
 *       inside a panic report, since the same words can be anything else.
 *   abort() was called at PC 0x42000abc on core 0
 *       that PC (PC, "PC"); the line also starts a panic report.
 *   I (123) app_init: ELF file SHA256:  1a2b3c4d5e6f7a8b...
 *       (older IDF: "cpu_start:"; the panic handler prints it too) → the hex
 *       digits are kept for esplash_crash_scanner_get_app_elf_sha256().
 *
 * A panic report starts at "Guru Meditation Error" or "abort() was called"
 * and ends at "Rebooting..." or a ROM boot banner ("ets Jun  8 2016",
 * "ESP-ROM:esp32c3-…", "rst:0x…").
 *
 * Lines are cleaned first: ANSI escape sequences (ESP-IDF's log colours),
 * carriage returns and NUL bytes go. Only "0x" and exactly 8 hex digits is
 * an address, and only one that can be code: 0x40000000 up to 0x7FFFFFFF
 * (every ESP chip's instruction buses; 0, stack and data addresses and
 * poison patterns such as 0xa5a5a5a5 are left out). Input is untrusted
 * (fuzzed): every read is bounded by the line's length, only the first
 * SCAN_MAX_BYTES of a line are looked at, and at most
 * SCAN_MAX_ADDRESSES addresses come out of one line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-crash.h"

/* A backtrace of 100 frames is ~2.2 KB; anything longer is not ESP-IDF's. */
#define SCAN_MAX_BYTES     16384
#define SCAN_MAX_ADDRESSES 64
/* "0x" and 8 hex digits */
#define ADDRESS_CHARS      10
#define CODE_LOW           0x40000000u
#define CODE_HIGH          0x80000000u     /* exclusive */
#define SHA256_HEX_MAX     64
#define SHA256_HEX_MIN     8

struct _EsplashCrashScanner {
  gboolean in_panic;
  char     app_elf_sha256[SHA256_HEX_MAX + 1];    /* "" until seen */
};

/**
 * esplash_crash_scanner_new:
 *
 * Returns: (transfer full): a scanner outside any panic report, with no
 *   ELF SHA-256 seen yet
 */
EsplashCrashScanner *
esplash_crash_scanner_new (void)
{
  return g_new0 (EsplashCrashScanner, 1);
}

void
esplash_crash_scanner_free (EsplashCrashScanner *self)
{
  g_free (self);
}

gboolean
esplash_crash_scanner_in_panic (EsplashCrashScanner *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->in_panic;
}

/**
 * esplash_crash_scanner_get_app_elf_sha256:
 *
 * Returns: (nullable): the lower-case hex digits printed after "ELF file
 *   SHA256:" (usually 16 of them), the latest seen; NULL before any
 */
const char *
esplash_crash_scanner_get_app_elf_sha256 (EsplashCrashScanner *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->app_elf_sha256[0] != '\0' ? self->app_elf_sha256 : NULL;
}

/* ---- cleaning ----------------------------------------------------------- */

/* Copies @line without escape sequences, '\r' and NUL bytes into a
 * NUL-terminated string (so the matching below can use string functions). */
static char *
clean_line (const char *line,
            gsize       len)
{
  char *out = g_malloc (len + 1);
  gsize o = 0;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) line[i];

      if (c == 0x1B)
        {
          /* CSI: ESC '[' parameters (0x30–0x3F) intermediates (0x20–0x2F)
           * final (0x40–0x7E); another escape: ESC and the byte after it */
          if (i + 1 < len && line[i + 1] == '[')
            {
              i += 2;
              while (i < len && (guchar) line[i] >= 0x20 && (guchar) line[i] <= 0x3F)
                i++;
              /* i is at the final byte (skipped by the loop), or at the end */
            }
          else if (i + 1 < len)
            i++;
          continue;
        }
      if (c == '\r' || c == '\0')
        continue;
      out[o++] = (char) c;
    }
  out[o] = '\0';
  return out;
}

/* ---- tokens ------------------------------------------------------------- */

static gboolean
starts_with (const char *p,
             const char *prefix)
{
  return strncmp (p, prefix, strlen (prefix)) == 0;
}

/* "0x" + exactly 8 hex digits at @p, not glued to a word before or a hex
 * digit after; *@after is set past it. */
static gboolean
parse_address (const char  *text,
               const char  *p,
               guint32     *value,
               const char **after)
{
  guint32 v = 0;

  if (p > text && (g_ascii_isalnum (p[-1]) || p[-1] == '_'))
    return FALSE;
  if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
    return FALSE;
  for (guint i = 2; i < ADDRESS_CHARS; i++)
    {
      if (!g_ascii_isxdigit (p[i]))     /* also stops at the terminating NUL */
        return FALSE;
      v = (v << 4) | (guint32) g_ascii_xdigit_value (p[i]);
    }
  if (g_ascii_isxdigit (p[ADDRESS_CHARS]))
    return FALSE;
  *value = v;
  *after = p + ADDRESS_CHARS;
  return TRUE;
}

static gboolean
looks_like_code (guint32 address)
{
  return address >= CODE_LOW && address < CODE_HIGH;
}

static const char *
skip_blanks (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

static void
add_address (GArray                 **out,
             guint32                  address,
             EsplashCrashAddressRole  role,
             const char              *label)
{
  EsplashCrashAddress a = { address, role, label };

  if (!looks_like_code (address))
    return;
  if (*out == NULL)
    *out = g_array_new (FALSE, FALSE, sizeof (EsplashCrashAddress));
  if ((*out)->len < SCAN_MAX_ADDRESSES)
    g_array_append_val (*out, a);
}

/* ---- the line kinds ----------------------------------------------------- */

/* A ROM boot banner at the start of the line: the chip was reset. */
static gboolean
is_boot_banner (const char *text)
{
  const char *p = skip_blanks (text);

  /* "ets Jun  8 2016 00:22:57" (ESP32, ESP32-S2), " ets Jan  8 2013,rst
   * cause:2, boot mode:(3,6)" (ESP8266) */
  if (starts_with (p, "ets ") && g_ascii_isupper (p[4]) && g_ascii_islower (p[5]) &&
      g_ascii_islower (p[6]))
    return TRUE;
  return starts_with (p, "ESP-ROM:") || starts_with (p, "rst:0x");
}

/* "Backtrace: 0xPC:0xSP 0xPC:0xSP … |<-CORRUPTED": the PC of each pair,
 * until the first thing that is not a pair. */
static void
scan_backtrace (const char  *text,
                const char  *p,
                GArray     **out)
{
  guint n = 0;

  for (;;)
    {
      guint32 pc, sp;
      const char *q;

      p = skip_blanks (p);
      if (!parse_address (text, p, &pc, &q) || *q != ':')
        return;
      /* the SP is not glued to a word: it follows ':' */
      if (!parse_address (text, q + 1, &sp, &q))
        return;
      add_address (out, pc, n == 0 ? ESPLASH_CRASH_ADDRESS_PC : ESPLASH_CRASH_ADDRESS_RETURN,
                   "backtrace");
      if (++n >= SCAN_MAX_ADDRESSES)
        return;
      p = q;
    }
}

/* "NAME    : 0x…" as a whole word in a register dump line. */
static gboolean
find_register (const char *text,
               const char *name,
               guint32    *value)
{
  gsize name_len = strlen (name);

  for (const char *p = strstr (text, name); p != NULL; p = strstr (p + 1, name))
    {
      const char *q = p + name_len;
      const char *after;

      if (p > text && (g_ascii_isalnum (p[-1]) || p[-1] == '_' || p[-1] == '/'))
        continue;
      q = skip_blanks (q);
      if (*q != ':')
        continue;
      q = skip_blanks (q + 1);
      if (parse_address (text, q, value, &after))
        return TRUE;
    }
  return FALSE;
}

/* "ELF file SHA256:  1a2b3c4d5e6f7a8b..." → the hex digits. */
static void
remember_sha256 (EsplashCrashScanner *self,
                 const char          *p)
{
  char digits[SHA256_HEX_MAX + 1];
  guint n = 0;

  p = skip_blanks (p);
  while (n < SHA256_HEX_MAX && g_ascii_isxdigit (p[n]))
    {
      digits[n] = g_ascii_tolower (p[n]);
      n++;
    }
  digits[n] = '\0';
  if (n >= SHA256_HEX_MIN)
    memcpy (self->app_elf_sha256, digits, n + 1);
}

/**
 * esplash_crash_scanner_feed_line:
 * @self: the scanner
 * @line: (array length=len): one line of output, without its line end (it
 *   may hold ANSI escapes, a trailing '\r' and any other bytes)
 * @len: its length in bytes
 *
 * Returns: (transfer full) (nullable) (element-type EsplashCrashAddress):
 *   the code addresses this line asks to resolve, in the order they should
 *   be shown (at most 64), or NULL when there are none
 */
GArray *
esplash_crash_scanner_feed_line (EsplashCrashScanner *self,
                                 const char          *line,
                                 gsize                len)
{
  g_autofree char *text = NULL;
  GArray *out = NULL;
  const char *p;
  guint32 value;
  const char *after;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (line != NULL || len == 0, NULL);

  if (len == 0)
    return NULL;
  text = clean_line (line, MIN (len, SCAN_MAX_BYTES));

  if (is_boot_banner (text) || strstr (text, "Rebooting...") != NULL)
    {
      self->in_panic = FALSE;
      return NULL;
    }
  if (strstr (text, "Guru Meditation Error") != NULL)
    self->in_panic = TRUE;

  p = strstr (text, "abort() was called");
  if (p != NULL)
    {
      self->in_panic = TRUE;
      p = strstr (p, " at PC ");
      if (p != NULL && parse_address (text, p + strlen (" at PC "), &value, &after))
        add_address (&out, value, ESPLASH_CRASH_ADDRESS_PC, "PC");
    }

  p = strstr (text, "ELF file SHA256:");
  if (p != NULL)
    remember_sha256 (self, p + strlen ("ELF file SHA256:"));

  p = strstr (text, "Backtrace:");
  if (p != NULL)
    scan_backtrace (text, p + strlen ("Backtrace:"), &out);

  if (self->in_panic)
    {
      if (find_register (text, "MEPC", &value))
        add_address (&out, value, ESPLASH_CRASH_ADDRESS_PC, "MEPC");
      if (find_register (text, "RA", &value))
        add_address (&out, value, ESPLASH_CRASH_ADDRESS_RETURN, "RA");
    }

  return out;
}
