/* esplash-monitor-ring.h: the serial monitor's lines — a board's bytes
 * (line ends, ANSI SGR colours, invalid UTF-8) parsed into a bounded ring
 * of finished lines with their colour runs, plus the line in progress.
 *
 * Pure: no GTK, no I/O. EsplashMonitorView draws what it holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A run's style: a foreground colour and bold. */
#define ESPLASH_MONITOR_STYLE_FG_MASK 0x0f  /* 0: default, 1–8: SGR 30–37 (or 90–97) */
#define ESPLASH_MONITOR_STYLE_BOLD    0x10

typedef struct {
  guint32 start;                            /* bytes into the line's text */
  guint32 end;
  guint8  style;
} EsplashMonitorRun;

/* One allocation: the header, n_runs runs, then the NUL-terminated text
 * (valid UTF-8, without escapes or line end). */
typedef struct {
  gint64            time;                   /* wall clock, µs, at its first byte */
  guint32           len;
  guint16           n_runs;
  guint8            kind;                   /* 0: the board's; else the caller's note kind + 1 */
  EsplashMonitorRun runs[];                 /* only styled stretches */
} EsplashMonitorLine;

#define ESPLASH_MONITOR_LINE_TEXT(line) ((char *) ((line)->runs + (line)->n_runs))

/* A line too long for the text view is cut here. */
#define ESPLASH_MONITOR_MAX_LINE_BYTES 4096
/* "HH:MM:SS.mmm " */
#define ESPLASH_MONITOR_STAMP_LEN 13

typedef struct _EsplashMonitorRing EsplashMonitorRing;

EsplashMonitorRing       *esplash_monitor_ring_new           (guint                max_lines);
void                      esplash_monitor_ring_free          (EsplashMonitorRing  *self);

void                      esplash_monitor_ring_feed          (EsplashMonitorRing  *self,
                                                              const guint8        *data,
                                                              gsize                len,
                                                              gint64               now);
void                      esplash_monitor_ring_add_note      (EsplashMonitorRing  *self,
                                                              guint8               kind,
                                                              const char          *text,
                                                              gint64               now);
void                      esplash_monitor_ring_clear         (EsplashMonitorRing  *self);

guint                     esplash_monitor_ring_get_max_lines (EsplashMonitorRing  *self);
void                      esplash_monitor_ring_set_max_lines (EsplashMonitorRing  *self,
                                                              guint                max_lines);
guint                     esplash_monitor_ring_get_n_lines   (EsplashMonitorRing  *self);
/* Lines are numbered from the first ever finished: the ring holds
 * [total - n_lines, total). */
guint64                   esplash_monitor_ring_get_total     (EsplashMonitorRing  *self);
const EsplashMonitorLine *esplash_monitor_ring_get_line      (EsplashMonitorRing  *self,
                                                              guint64              number);

/* Changes whenever the line in progress does (grows, ends, is cleared). */
guint64                   esplash_monitor_ring_get_partial_serial (EsplashMonitorRing *self);
/* The line in progress (g_free() it), or NULL when there is none. */
EsplashMonitorLine       *esplash_monitor_ring_dup_partial   (EsplashMonitorRing  *self);

/* A line as the view shows it: "HH:MM:SS.mmm " first when stamps. */
void                      esplash_monitor_ring_append_text   (EsplashMonitorRing       *self,
                                                              GString                  *out,
                                                              const EsplashMonitorLine *line,
                                                              gboolean                  stamps,
                                                              gboolean                  newline);
/* Every line, then the one in progress. */
GBytes                   *esplash_monitor_ring_dup_text      (EsplashMonitorRing  *self,
                                                              gboolean             stamps);

G_END_DECLS
