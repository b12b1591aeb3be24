/* esplash-monitor-ring.c
 *
 * The parser is a small state machine fed any split of the stream: a line,
 * an escape sequence or a UTF-8 character may end in the next call. Line
 * ends are '\n'; '\r' and other control bytes are dropped (so "\r\n" split
 * anywhere is one line end). CSI sequences other than SGR, OSC strings and
 * two-byte escapes are removed. UTF-8 is checked when a line is finished,
 * run by run, so invalid bytes become U+FFFD and the colours still cover
 * the same characters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-monitor-ring.h"

#define MAX_CSI_BYTES 32

typedef enum {
  PARSE_TEXT,
  PARSE_ESC,
  PARSE_CSI,
  PARSE_OSC,
} ParseState;

struct _EsplashMonitorRing
{
  /* n_lines finished lines from lines[head], of total ever. */
  EsplashMonitorLine **lines;
  guint                cap;
  guint                head;
  guint                n_lines;
  guint                max_lines;
  guint64              total;

  /* The line in progress, escapes removed, not yet checked as UTF-8. */
  GByteArray          *raw;
  GArray              *raw_runs;            /* EsplashMonitorRun */
  gint64               raw_time;
  guint64              partial_serial;
  guint8               style;
  ParseState           parse;
  guint8               csi[MAX_CSI_BYTES];
  guint                csi_len;

  gint64               stamp_secs;
  char                 stamp_hms[9];
};

EsplashMonitorRing *
esplash_monitor_ring_new (guint max_lines)
{
  EsplashMonitorRing *self;

  g_return_val_if_fail (max_lines > 0, NULL);

  self = g_new0 (EsplashMonitorRing, 1);
  self->max_lines = max_lines;
  self->raw = g_byte_array_new ();
  self->raw_runs = g_array_new (FALSE, FALSE, sizeof (EsplashMonitorRun));
  self->stamp_secs = -1;
  return self;
}

void
esplash_monitor_ring_free (EsplashMonitorRing *self)
{
  if (self == NULL)
    return;
  esplash_monitor_ring_clear (self);
  g_free (self->lines);
  g_byte_array_unref (self->raw);
  g_array_unref (self->raw_runs);
  g_free (self);
}

/* Copies text and runs into one line; invalid UTF-8 becomes U+FFFD. */
static EsplashMonitorLine *
line_new (const char              *text,
          gsize                    len,
          const EsplashMonitorRun *runs,
          guint                    n_runs,
          gint64                   time,
          guint8                   kind)
{
  g_autoptr(GString) clean = NULL;
  g_autofree EsplashMonitorRun *clean_runs = NULL;
  EsplashMonitorLine *line;

  if (!g_utf8_validate_len (text, len, NULL))
    {
      gsize pos = 0;

      clean = g_string_sized_new (len + 16);
      clean_runs = g_new (EsplashMonitorRun, MAX (n_runs, 1));
      for (guint i = 0; i <= n_runs; i++)
        {
          gsize start = i < n_runs ? runs[i].start : len;
          g_autofree char *plain = g_utf8_make_valid (text + pos, start - pos);
          g_autofree char *styled = NULL;

          g_string_append (clean, plain);
          if (i == n_runs)
            break;
          styled = g_utf8_make_valid (text + start, runs[i].end - start);
          clean_runs[i].start = clean->len;
          g_string_append (clean, styled);
          clean_runs[i].end = clean->len;
          clean_runs[i].style = runs[i].style;
          pos = runs[i].end;
        }
      text = clean->str;
      len = clean->len;
      runs = clean_runs;
    }

  line = g_malloc (sizeof (EsplashMonitorLine) + n_runs * sizeof (EsplashMonitorRun) + len + 1);
  line->time = time;
  line->len = len;
  line->n_runs = n_runs;
  line->kind = kind;
  if (n_runs > 0)
    memcpy (line->runs, runs, n_runs * sizeof (EsplashMonitorRun));
  memcpy (ESPLASH_MONITOR_LINE_TEXT (line), text, len);
  ESPLASH_MONITOR_LINE_TEXT (line)[len] = '\0';
  return line;
}

static EsplashMonitorLine *
nth (EsplashMonitorRing *self,
     guint               i)
{
  return self->lines[(self->head + i) % self->cap];
}

static void
drop_first (EsplashMonitorRing *self)
{
  g_clear_pointer (&self->lines[self->head], g_free);
  self->head = (self->head + 1) % self->cap;
  self->n_lines--;
}

/* Grows the storage (or shrinks it to max_lines), keeping the order. */
static void
resize (EsplashMonitorRing *self,
        guint               cap)
{
  EsplashMonitorLine **lines = g_new0 (EsplashMonitorLine *, cap);

  for (guint i = 0; i < self->n_lines; i++)
    lines[i] = nth (self, i);
  g_free (self->lines);
  self->lines = lines;
  self->cap = cap;
  self->head = 0;
}

static void
push (EsplashMonitorRing *self,
      EsplashMonitorLine *line)
{
  if (self->n_lines == self->max_lines)
    drop_first (self);
  if (self->n_lines == self->cap)
    resize (self, MIN (MAX (self->cap * 2, 256), self->max_lines));
  self->lines[(self->head + self->n_lines) % self->cap] = line;
  self->n_lines++;
  self->total++;
}

static void
end_line (EsplashMonitorRing *self,
          gint64              now)
{
  push (self, line_new ((const char *) self->raw->data, self->raw->len,
                        (const EsplashMonitorRun *) (gpointer) self->raw_runs->data,
                        self->raw_runs->len, self->raw->len > 0 ? self->raw_time : now, 0));
  g_byte_array_set_size (self->raw, 0);
  g_array_set_size (self->raw_runs, 0);
  self->partial_serial++;
}

static void
add_text (EsplashMonitorRing *self,
          const guint8       *text,
          gsize               len,
          gint64              now)
{
  while (len > 0)
    {
      gsize n = MIN (len, ESPLASH_MONITOR_MAX_LINE_BYTES - self->raw->len);
      guint32 start = self->raw->len;

      if (start == 0)
        self->raw_time = now;
      g_byte_array_append (self->raw, text, n);
      if (self->style != 0)
        {
          EsplashMonitorRun *last = NULL;

          if (self->raw_runs->len > 0)
            last = &g_array_index (self->raw_runs, EsplashMonitorRun, self->raw_runs->len - 1);
          if (last != NULL && last->end == start && last->style == self->style)
            last->end = self->raw->len;
          else if (self->raw_runs->len < G_MAXUINT16)
            {
              EsplashMonitorRun run = { start, self->raw->len, self->style };

              g_array_append_val (self->raw_runs, run);
            }
        }
      self->partial_serial++;
      text += n;
      len -= n;
      if (self->raw->len >= ESPLASH_MONITOR_MAX_LINE_BYTES)
        end_line (self, now);
    }
}

static void
apply_sgr (EsplashMonitorRing *self)
{
  guint params[MAX_CSI_BYTES + 1];
  guint n = 0, value = 0;

  for (guint i = 0; i < self->csi_len; i++)
    {
      guint8 c = self->csi[i];

      if (c >= '0' && c <= '9')
        value = MIN (value * 10 + (c - '0'), 1000);
      else if (c == ';' || c == ':')
        {
          params[n++] = value;
          value = 0;
        }
      else
        return;                             /* private (?…) or intermediate bytes */
    }
  params[n++] = value;                      /* "ESC[m" is "ESC[0m" */

  for (guint i = 0; i < n; i++)
    {
      guint p = params[i];

      if (p == 0)
        self->style = 0;
      else if (p == 1)
        self->style |= ESPLASH_MONITOR_STYLE_BOLD;
      else if (p == 22)
        self->style &= ~ESPLASH_MONITOR_STYLE_BOLD;
      else if (p >= 30 && p <= 37)
        self->style = (self->style & ~ESPLASH_MONITOR_STYLE_FG_MASK) | (p - 30 + 1);
      else if (p >= 90 && p <= 97)
        self->style = (self->style & ~ESPLASH_MONITOR_STYLE_FG_MASK) | (p - 90 + 1);
      else if (p == 39)
        self->style &= ~ESPLASH_MONITOR_STYLE_FG_MASK;
      else if ((p == 38 || p == 48) && i + 1 < n)
        i += params[i + 1] == 5 ? 2 : params[i + 1] == 2 ? 4 : 1;   /* 256 / RGB: not shown */
    }
}

static gboolean
is_plain (guint8 c)
{
  return (c >= 0x20 && c != 0x7f) || c == '\t';
}

void
esplash_monitor_ring_feed (EsplashMonitorRing *self,
                           const guint8       *data,
                           gsize               len,
                           gint64              now)
{
  gsize i = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  while (i < len)
    {
      guint8 c = data[i];

      switch (self->parse)
        {
        case PARSE_TEXT:
          if (is_plain (c))
            {
              gsize j = i + 1;

              while (j < len && is_plain (data[j]))
                j++;
              add_text (self, data + i, j - i, now);
              i = j;
              continue;
            }
          if (c == '\n')
            end_line (self, now);
          else if (c == 0x1b)
            self->parse = PARSE_ESC;
          break;                            /* '\r' and other control bytes: dropped */

        case PARSE_ESC:
          if (c == '[')
            {
              self->parse = PARSE_CSI;
              self->csi_len = 0;
            }
          else if (c == ']')
            self->parse = PARSE_OSC;
          else if (c < 0x20)
            {
              self->parse = PARSE_TEXT;     /* not an escape after all: look again */
              continue;
            }
          else
            self->parse = PARSE_TEXT;       /* a two-byte escape: dropped */
          break;

        case PARSE_CSI:
          if (c >= 0x40 && c <= 0x7e)
            {
              if (c == 'm')
                apply_sgr (self);
              self->parse = PARSE_TEXT;     /* other CSI sequences: dropped */
            }
          else if (c < 0x20 || c >= 0x7f)
            {
              self->parse = PARSE_TEXT;     /* broken off (line noise): look again */
              continue;
            }
          else if (self->csi_len < MAX_CSI_BYTES)
            self->csi[self->csi_len++] = c;
          break;

        case PARSE_OSC:
          if (c == '\n' || c == 0x1b)
            {
              self->parse = PARSE_TEXT;
              continue;
            }
          if (c == 0x07)
            self->parse = PARSE_TEXT;
          break;

        default:
          g_assert_not_reached ();
        }
      i++;
    }
}

/* A note is a line of its own: a line the board has not ended is ended
 * first. Several lines when the text holds '\n'. */
void
esplash_monitor_ring_add_note (EsplashMonitorRing *self,
                               guint8              kind,
                               const char         *text,
                               gint64              now)
{
  g_auto(GStrv) lines = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (kind > 0);
  g_return_if_fail (text != NULL);

  if (self->raw->len > 0)
    end_line (self, now);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    push (self, line_new (lines[i], strlen (lines[i]), NULL, 0, now, kind));
}

/* Drops every line and the one in progress; the numbering goes on. */
void
esplash_monitor_ring_clear (EsplashMonitorRing *self)
{
  g_return_if_fail (self != NULL);

  while (self->n_lines > 0)
    drop_first (self);
  g_byte_array_set_size (self->raw, 0);
  g_array_set_size (self->raw_runs, 0);
  self->partial_serial++;
}

guint
esplash_monitor_ring_get_max_lines (EsplashMonitorRing *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->max_lines;
}

void
esplash_monitor_ring_set_max_lines (EsplashMonitorRing *self,
                                    guint               max_lines)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (max_lines > 0);

  while (self->n_lines > max_lines)
    drop_first (self);
  self->max_lines = max_lines;
  if (self->cap > max_lines)
    resize (self, max_lines);
}

guint
esplash_monitor_ring_get_n_lines (EsplashMonitorRing *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_lines;
}

guint64
esplash_monitor_ring_get_total (EsplashMonitorRing *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->total;
}

const EsplashMonitorLine *
esplash_monitor_ring_get_line (EsplashMonitorRing *self,
                               guint64             number)
{
  guint64 first;

  g_return_val_if_fail (self != NULL, NULL);
  first = self->total - self->n_lines;
  g_return_val_if_fail (number >= first && number < self->total, NULL);

  return nth (self, number - first);
}

guint64
esplash_monitor_ring_get_partial_serial (EsplashMonitorRing *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->partial_serial;
}

EsplashMonitorLine *
esplash_monitor_ring_dup_partial (EsplashMonitorRing *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->raw->len == 0)
    return NULL;
  return line_new ((const char *) self->raw->data, self->raw->len,
                   (const EsplashMonitorRun *) (gpointer) self->raw_runs->data,
                   self->raw_runs->len, self->raw_time, 0);
}

void
esplash_monitor_ring_append_text (EsplashMonitorRing       *self,
                                  GString                  *out,
                                  const EsplashMonitorLine *line,
                                  gboolean                  stamps,
                                  gboolean                  newline)
{
  g_return_if_fail (self != NULL);

  if (stamps)
    {
      gint64 secs = line->time / G_USEC_PER_SEC;

      /* Thousands of lines a second share a few seconds: format each once. */
      if (secs != self->stamp_secs)
        {
          g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (secs);
          g_autofree char *hms = local != NULL ? g_date_time_format (local, "%H:%M:%S") : NULL;

          g_strlcpy (self->stamp_hms, hms != NULL ? hms : "--:--:--", sizeof self->stamp_hms);
          self->stamp_secs = secs;
        }
      g_string_append_printf (out, "%s.%03u ", self->stamp_hms,
                              (guint) (line->time % G_USEC_PER_SEC / 1000));
    }
  g_string_append_len (out, ESPLASH_MONITOR_LINE_TEXT (line), line->len);
  if (newline)
    g_string_append_c (out, '\n');
}

GBytes *
esplash_monitor_ring_dup_text (EsplashMonitorRing *self,
                               gboolean            stamps)
{
  GString *text;
  g_autofree EsplashMonitorLine *partial = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  text = g_string_sized_new (self->n_lines * 100 + self->raw->len + 1);
  for (guint i = 0; i < self->n_lines; i++)
    esplash_monitor_ring_append_text (self, text, nth (self, i), stamps, TRUE);
  partial = esplash_monitor_ring_dup_partial (self);
  if (partial != NULL)
    esplash_monitor_ring_append_text (self, text, partial, stamps, FALSE);
  return g_string_free_to_bytes (text);
}
