/* esplash-monitor-view.h: the serial monitor's view — the board's output
 * with its ANSI colours, Esplash's own notes (decoded crash frames, waiting
 * for the port), pause, time stamps, save, and an entry to send a line.
 *
 * Fed by the caller; it does no I/O of its own. append() only parses into a
 * ring of lines; the text view is brought up to date at most once per
 * ~33 ms, with the new lines only, so a 2 Mbaud flood does not stall the
 * main loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash-monitor.h"   /* EsplashMonitorNote */

G_BEGIN_DECLS


#define ESPLASH_MONITOR_VIEW_DEFAULT_MAX_LINES 10000

#define ESPLASH_TYPE_MONITOR_VIEW (esplash_monitor_view_get_type ())
G_DECLARE_FINAL_TYPE (EsplashMonitorView, esplash_monitor_view, ESPLASH, MONITOR_VIEW, GtkWidget)

GtkWidget *esplash_monitor_view_new            (void);

void       esplash_monitor_view_append         (EsplashMonitorView *self,
                                                const guint8       *data,
                                                gsize               len);
void       esplash_monitor_view_append_note    (EsplashMonitorView *self,
                                                EsplashMonitorNote  kind,
                                                const char         *text);
void       esplash_monitor_view_clear          (EsplashMonitorView *self);

void       esplash_monitor_view_set_status     (EsplashMonitorView *self,
                                                const char         *status);
void       esplash_monitor_view_set_elf_name   (EsplashMonitorView *self,
                                                const char         *name);

guint      esplash_monitor_view_get_baud       (EsplashMonitorView *self);
void       esplash_monitor_view_set_baud       (EsplashMonitorView *self,
                                                guint               baud);
gboolean   esplash_monitor_view_get_paused     (EsplashMonitorView *self);
void       esplash_monitor_view_set_paused     (EsplashMonitorView *self,
                                                gboolean            paused);
gboolean   esplash_monitor_view_get_timestamps (EsplashMonitorView *self);
void       esplash_monitor_view_set_timestamps (EsplashMonitorView *self,
                                                gboolean            timestamps);
gboolean   esplash_monitor_view_get_autoscroll (EsplashMonitorView *self);
guint      esplash_monitor_view_get_max_lines  (EsplashMonitorView *self);
void       esplash_monitor_view_set_max_lines  (EsplashMonitorView *self,
                                                guint               max_lines);

guint      esplash_monitor_view_get_n_lines    (EsplashMonitorView *self);
char      *esplash_monitor_view_dup_text       (EsplashMonitorView *self);
gboolean   esplash_monitor_view_save_to_file   (EsplashMonitorView *self,
                                                GFile              *file,
                                                GError            **error);

G_END_DECLS
