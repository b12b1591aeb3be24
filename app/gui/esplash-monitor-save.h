/* esplash-monitor-save.h: saving the serial monitor's output to a text
 * file — every line the ring holds, as the view shows it (time stamps when
 * on), without colours. The view's Save button asks where with a
 * GtkFileChooserNative and writes asynchronously; a failure is shown in the
 * view's error banner.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash-monitor-ring.h"
#include "esplash-monitor-view.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_MONITOR_SAVE (esplash_monitor_save_get_type ())
G_DECLARE_FINAL_TYPE (EsplashMonitorSave, esplash_monitor_save, ESPLASH, MONITOR_SAVE, GObject)

/* Writes @ring's lines to @file, blocking. */
gboolean            esplash_monitor_save_write (EsplashMonitorRing  *ring,
                                                gboolean             stamps,
                                                GFile               *file,
                                                GError             **error);

/* For @view, whose lines @ring holds: @view and @ring must outlive the
 * chooser (the view closes it when disposed). A failure shows @error_box
 * with the message in @error_label; both are kept until the last write
 * has finished. */
EsplashMonitorSave *esplash_monitor_save_new   (EsplashMonitorView  *view,
                                                EsplashMonitorRing  *ring,
                                                GtkWidget           *error_box,
                                                GtkLabel            *error_label);
/* The Save button: asks where (modal on the view's window, suggesting
 * monitor-YYYYMMDD-HHMMSS.log), then writes what the ring holds by then.
 * Does nothing while the chooser is open. */
void                esplash_monitor_save_ask   (EsplashMonitorSave  *self);
/* Closes the chooser, if open, without saving. */
void                esplash_monitor_save_close (EsplashMonitorSave  *self);

G_END_DECLS
