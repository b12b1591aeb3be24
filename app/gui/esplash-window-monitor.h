/* esplash-window-monitor.h: the window's serial monitor — the action
 * win.monitor (the header bar's Monitor toggle) shows an EsplashMonitorView
 * below the settings and runs an EsplashMonitor on the selected port; after
 * a flash with "Reset and run" it opens by itself, with the app's ELF found
 * beside the dropped build decoding crashes. It lets go of the port while a
 * job needs it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-flash-session.h"
#include "esplash-monitor-view.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_WINDOW_MONITOR (esplash_window_monitor_get_type ())
G_DECLARE_FINAL_TYPE (EsplashWindowMonitor, esplash_window_monitor, ESPLASH, WINDOW_MONITOR, GObject)

/* Adds the action monitor to @actions; @actions, @view and @paned (the
 * view is its end child) must outlive the returned object. */
EsplashWindowMonitor *esplash_window_monitor_new         (GActionMap           *actions,
                                                          EsplashMonitorView   *view,
                                                          GtkPaned             *paned);
/* The board monitored (nullable): its port or virtual board. */
void                  esplash_window_monitor_set_session (EsplashWindowMonitor *self,
                                                          EsplashFlashSession  *session);
/* A port is selected and no job holds it. */
void                  esplash_window_monitor_set_enabled (EsplashWindowMonitor *self,
                                                          gboolean              enabled);
/* A job is about to use the port: stop reading it (the view stays). */
void                  esplash_window_monitor_release     (EsplashWindowMonitor *self);
/* A job ended: a flash that reset the board into its app (@flashed) opens
 * the monitor (decoding with @elf, nullable, found beside the firmware)
 * and resets the board once more to show its start; another
 * job that went well (@ok) gives the port back to a monitor that was on;
 * after a failure the port stays free (the failure's help comes first). */
void                  esplash_window_monitor_job_done    (EsplashWindowMonitor *self,
                                                          gboolean              ok,
                                                          gboolean              flashed,
                                                          const char           *elf);
gboolean              esplash_window_monitor_is_running  (EsplashWindowMonitor *self);
/* (transfer none) */
EsplashMonitorView   *esplash_window_monitor_get_view    (EsplashWindowMonitor *self);
/* (transfer none) (nullable) */
EsplashMonitor       *esplash_window_monitor_get_monitor (EsplashWindowMonitor *self);
/* The ELF that decodes crashes (nullable: none); a file that cannot be
 * used is said in the view. */
void                  esplash_window_monitor_set_elf_path (EsplashWindowMonitor *self,
                                                           const char           *path);
const char           *esplash_window_monitor_get_elf_path (EsplashWindowMonitor *self);

G_END_DECLS
