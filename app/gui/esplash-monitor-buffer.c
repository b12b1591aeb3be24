/* esplash-monitor-buffer.c
 *
 * The buffer holds the ring's lines [first, end), each with its '\n', then
 * the line in progress as it was at the last sync. New lines go in as one
 * insertion; their colours are then applied by range (line and byte
 * index), so a sync costs what it adds, not what the buffer holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-monitor-buffer.h"
#include "esplash-monitor-view.h"

/* SGR colours 30–37 (and 90–97). Darker than a terminal's so that yellow
 * and white stay readable on the light view. */
static const struct {
  const char *tag;
  const char *colour;
} ansi_colours[] = {
  { "ansi-black", "#241f31" },
  { "ansi-red", "#c01c28" },
  { "ansi-green", "#26a269" },
  { "ansi-yellow", "#a66c00" },
  { "ansi-blue", "#1c71d8" },
  { "ansi-magenta", "#813d9c" },
  { "ansi-cyan", "#0b7f8c" },
  { "ansi-white", "#77767b" },
};

struct _EsplashMonitorBuffer
{
  GtkTextBuffer parent_instance;

  GtkTextTag   *fg_tags[G_N_ELEMENTS (ansi_colours)];
  GtkTextTag   *bold_tag;
  GtkTextTag   *stamp_tag;
  GtkTextTag   *note_tags[ESPLASH_MONITOR_NOTE_WARNING + 1];

  guint64       first;
  guint64       end;
  guint64       shown_partial;          /* the ring's partial serial at the last sync */
  gboolean      reset;                  /* start again from the ring's end */
  gboolean      stamps;
};

G_DEFINE_FINAL_TYPE (EsplashMonitorBuffer, esplash_monitor_buffer, GTK_TYPE_TEXT_BUFFER)

EsplashMonitorBuffer *
esplash_monitor_buffer_new (void)
{
  return g_object_new (ESPLASH_TYPE_MONITOR_BUFFER, NULL);
}

void
esplash_monitor_buffer_reset (EsplashMonitorBuffer *self)
{
  g_return_if_fail (ESPLASH_IS_MONITOR_BUFFER (self));

  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self), "", 0);
  self->reset = TRUE;
}

gboolean
esplash_monitor_buffer_get_stamps (EsplashMonitorBuffer *self)
{
  g_return_val_if_fail (ESPLASH_IS_MONITOR_BUFFER (self), FALSE);

  return self->stamps;
}

void
esplash_monitor_buffer_set_stamps (EsplashMonitorBuffer *self,
                                   gboolean              stamps)
{
  g_return_if_fail (ESPLASH_IS_MONITOR_BUFFER (self));

  if (self->stamps == !!stamps)
    return;
  self->stamps = !!stamps;
  esplash_monitor_buffer_reset (self);
}

guint64
esplash_monitor_buffer_get_first (EsplashMonitorBuffer *self)
{
  g_return_val_if_fail (ESPLASH_IS_MONITOR_BUFFER (self), 0);

  return self->first;
}

static void
apply_tag (EsplashMonitorBuffer *self,
           GtkTextTag           *tag,
           int                   line_no,
           int                   start,
           int                   end)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self);
  GtkTextIter a, b;

  gtk_text_buffer_get_iter_at_line_index (buffer, &a, line_no, start);
  gtk_text_buffer_get_iter_at_line_index (buffer, &b, line_no, end);
  gtk_text_buffer_apply_tag (buffer, tag, &a, &b);
}

/* Inserts lines[0..n) as buffer lines line_no… (the last without its '\n'
 * when !last_newline) in one insertion, then their tags by range. */
static void
insert_lines (EsplashMonitorBuffer             *self,
              EsplashMonitorRing               *ring,
              int                               line_no,
              const EsplashMonitorLine *const  *lines,
              guint                             n,
              gboolean                          last_newline)
{
  g_autoptr(GString) text = g_string_sized_new (n * 100);
  int prefix = self->stamps ? ESPLASH_MONITOR_STAMP_LEN : 0;
  GtkTextIter at;

  for (guint i = 0; i < n; i++)
    esplash_monitor_ring_append_text (ring, text, lines[i], self->stamps,
                                      i + 1 < n || last_newline);
  gtk_text_buffer_get_iter_at_line (GTK_TEXT_BUFFER (self), &at, line_no);
  gtk_text_buffer_insert (GTK_TEXT_BUFFER (self), &at, text->str, text->len);

  for (guint i = 0; i < n; i++)
    {
      const EsplashMonitorLine *line = lines[i];
      int row = line_no + i;

      if (line->kind > 0 && line->kind <= G_N_ELEMENTS (self->note_tags))
        apply_tag (self, self->note_tags[line->kind - 1], row, 0, prefix + line->len);
      if (prefix > 0)
        apply_tag (self, self->stamp_tag, row, 0, prefix);
      for (guint r = 0; r < line->n_runs; r++)
        {
          const EsplashMonitorRun *run = &line->runs[r];
          guint fg = run->style & ESPLASH_MONITOR_STYLE_FG_MASK;

          if (fg != 0)
            apply_tag (self, self->fg_tags[fg - 1], row, prefix + run->start, prefix + run->end);
          if ((run->style & ESPLASH_MONITOR_STYLE_BOLD) != 0)
            apply_tag (self, self->bold_tag, row, prefix + run->start, prefix + run->end);
        }
    }
}

/* The ring's lines [from, to), as buffer lines line_no… */
static void
insert_range (EsplashMonitorBuffer *self,
              EsplashMonitorRing   *ring,
              int                   line_no,
              guint64               from,
              guint64               to)
{
  g_autofree const EsplashMonitorLine **lines = NULL;

  if (from == to)
    return;
  lines = g_new (const EsplashMonitorLine *, to - from);
  for (guint64 number = from; number < to; number++)
    lines[number - from] = esplash_monitor_ring_get_line (ring, number);
  insert_lines (self, ring, line_no, lines, to - from, TRUE);
}

static void
empty (EsplashMonitorBuffer *self,
       guint64               number)
{
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self), "", 0);
  self->first = self->end = number;
  self->shown_partial = G_MAXUINT64;
}

gboolean
esplash_monitor_buffer_sync (EsplashMonitorBuffer *self,
                             EsplashMonitorRing   *ring,
                             guint                 budget)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self);
  guint64 total = esplash_monitor_ring_get_total (ring);
  guint64 ring_first = total - esplash_monitor_ring_get_n_lines (ring);
  guint64 partial_serial = esplash_monitor_ring_get_partial_serial (ring);
  GtkTextIter a, b;

  g_return_val_if_fail (ESPLASH_IS_MONITOR_BUFFER (self), FALSE);
  g_return_val_if_fail (budget > 0, FALSE);

  /* The lines the ring dropped, from the top. */
  if (self->reset)
    empty (self, total);
  else if (self->end <= ring_first && self->first < self->end)
    empty (self, ring_first);
  else if (self->first < ring_first)
    {
      gtk_text_buffer_get_start_iter (buffer, &a);
      gtk_text_buffer_get_iter_at_line (buffer, &b, ring_first - self->first);
      gtk_text_buffer_delete (buffer, &a, &b);
      self->first = ring_first;
    }
  self->reset = FALSE;
  if (self->first == self->end)
    self->first = self->end = MAX (self->end, ring_first);

  /* The new lines at the end (only the newest when too many), and the
   * line in progress after them. */
  if (self->end < total || self->shown_partial != partial_serial)
    {
      g_autofree EsplashMonitorLine *partial = NULL;

      gtk_text_buffer_get_iter_at_line (buffer, &a, self->end - self->first);
      gtk_text_buffer_get_end_iter (buffer, &b);
      gtk_text_buffer_delete (buffer, &a, &b);
      if (total - self->end > budget)
        empty (self, total - budget);
      insert_range (self, ring, self->end - self->first, self->end, total);
      budget -= total - self->end;
      self->end = total;

      partial = esplash_monitor_ring_dup_partial (ring);
      if (partial != NULL)
        insert_lines (self, ring, self->end - self->first,
                      (const EsplashMonitorLine *const *) &partial, 1, FALSE);
      self->shown_partial = partial_serial;
    }

  /* Older lines not shown yet (after a flood or a reset), at the top. */
  if (self->first > ring_first && budget > 0)
    {
      guint64 from = self->first - MIN (budget, self->first - ring_first);

      insert_range (self, ring, 0, from, self->first);
      self->first = from;
    }
  return self->first > ring_first;
}

static void
esplash_monitor_buffer_constructed (GObject *object)
{
  EsplashMonitorBuffer *self = ESPLASH_MONITOR_BUFFER (object);
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self);

  G_OBJECT_CLASS (esplash_monitor_buffer_parent_class)->constructed (object);

  for (guint i = 0; i < G_N_ELEMENTS (ansi_colours); i++)
    self->fg_tags[i] = gtk_text_buffer_create_tag (buffer, ansi_colours[i].tag,
                                                   "foreground", ansi_colours[i].colour, NULL);
  self->bold_tag = gtk_text_buffer_create_tag (buffer, "ansi-bold",
                                               "weight", PANGO_WEIGHT_BOLD, NULL);
  self->note_tags[ESPLASH_MONITOR_NOTE_INFO] =
    gtk_text_buffer_create_tag (buffer, "note-info", "foreground", "#613583",
                                "style", PANGO_STYLE_ITALIC, NULL);
  self->note_tags[ESPLASH_MONITOR_NOTE_DECODED] =
    gtk_text_buffer_create_tag (buffer, "note-decoded", "foreground", "#1a5fb4",
                                "paragraph-background", "#e8f0fb", NULL);
  self->note_tags[ESPLASH_MONITOR_NOTE_WARNING] =
    gtk_text_buffer_create_tag (buffer, "note-warning", "foreground", "#c64600",
                                "weight", PANGO_WEIGHT_BOLD, NULL);
  /* Created last: it wins over a note's colour and style. */
  self->stamp_tag = gtk_text_buffer_create_tag (buffer, "stamp", "foreground", "#77767b",
                                                "style", PANGO_STYLE_NORMAL,
                                                "weight", PANGO_WEIGHT_NORMAL, NULL);
}

static void
esplash_monitor_buffer_class_init (EsplashMonitorBufferClass *klass)
{
  G_OBJECT_CLASS (klass)->constructed = esplash_monitor_buffer_constructed;
}

static void
esplash_monitor_buffer_init (EsplashMonitorBuffer *self)
{
  self->shown_partial = G_MAXUINT64;
}
