/* esplash-monitor-buffer.h: the text buffer of the serial monitor's view,
 * kept in step with an EsplashMonitorRing a few lines at a time: lines the
 * ring dropped go from the top, new ones are added at the end with their
 * colours as tags, older ones missing are filled in at the top.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash-monitor-ring.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_MONITOR_BUFFER (esplash_monitor_buffer_get_type ())
G_DECLARE_FINAL_TYPE (EsplashMonitorBuffer, esplash_monitor_buffer, ESPLASH, MONITOR_BUFFER,
                      GtkTextBuffer)

EsplashMonitorBuffer *esplash_monitor_buffer_new        (void);

/* Empties the buffer; the next sync starts again from the ring's newest
 * lines. */
void                  esplash_monitor_buffer_reset      (EsplashMonitorBuffer *self);
gboolean              esplash_monitor_buffer_get_stamps (EsplashMonitorBuffer *self);
/* Time stamps before every line; resets when it changes. */
void                  esplash_monitor_buffer_set_stamps (EsplashMonitorBuffer *self,
                                                         gboolean              stamps);
/* Brings the buffer closer to the ring, inserting at most budget lines.
 * Returns TRUE while lines are still missing (call again later). */
gboolean              esplash_monitor_buffer_sync       (EsplashMonitorBuffer *self,
                                                         EsplashMonitorRing   *ring,
                                                         guint                 budget);
/* The ring's number of the buffer's first line. */
guint64               esplash_monitor_buffer_get_first  (EsplashMonitorBuffer *self);

G_END_DECLS
