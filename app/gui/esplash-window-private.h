/* esplash-window-private.h: in-tree API of the main window, shared by its
 * own files (the Tools actions) and the GUI tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-firmware-list.h"
#include "esplash-log-pane.h"
#include "esplash-port-chooser.h"
#include "esplash-status-area.h"
#include "esplash-troubleshoot.h"
#include "esplash-window.h"
#include "esplash-window-monitor.h"
#include "esplash-window-tools.h"

G_BEGIN_DECLS

/* Called on the main context when a job succeeded (failures and
 * cancellation are shown by the window itself). */
typedef void (*EsplashWindowJobDone) (EsplashWindow *self,
                                      EsplashJob    *job);

/* A plan for @action on the selected port with the connection options on
 * screen; %NULL when no port is selected. */
EsplashJobPlan *esplash_window_new_plan    (EsplashWindow    *self,
                                            EsplashJobAction  action);
/* Runs @plan: progress panel, Cancel, inhibit, log. @busy_message goes to
 * the log; @region_names (nullable) name a write's regions in plan order.
 * FALSE when a job is already running. */
gboolean        esplash_window_run_job     (EsplashWindow        *self,
                                            EsplashJobPlan       *plan,
                                            const char           *busy_message,
                                            const char * const   *region_names,
                                            EsplashWindowJobDone  done);
/* @kind: "success", "error" or "info". */
void            esplash_window_show_result (EsplashWindow *self,
                                            const char    *kind,
                                            const char    *title,
                                            const char    *detail);
void            esplash_window_log         (EsplashWindow   *self,
                                            EsplashLogLevel  level,
                                            const char      *message);
/* The chip last described on the selected port, %NULL when not known. */
const EsplashChipDescription *esplash_window_get_chip (EsplashWindow *self);
/* (transfer none) */
EsplashWindowTools *esplash_window_get_tools (EsplashWindow *self);
/* (transfer none) */
EsplashTroubleshoot *esplash_window_get_troubleshoot (EsplashWindow *self);
EsplashStatusArea  *esplash_window_get_status_area (EsplashWindow *self);
/* Runs the last failed job again (a flash: the files on screen), its
 * connect with @before; FALSE when it cannot be (a job runs, or the last
 * one was not a flash). */
gboolean        esplash_window_resume      (EsplashWindow *self,
                                            EsplashBefore  before);
/* A modal question whose yes is destructive; "no" is the default.
 * @response_cb (self, response, dialog) destroys the dialog. */
void            esplash_window_ask         (EsplashWindow *self,
                                            const char    *question,
                                            const char    *detail,
                                            const char    *no,
                                            const char    *yes,
                                            GCallback      response_cb);
/* The app's style sheet and icons on the default display. */
void            esplash_window_load_style  (void);
/* The after-flashing choice on screen. */
EsplashAfter    esplash_window_get_after   (EsplashWindow *self);

/* For tests. */
GtkDropTarget      *esplash_window_get_drop_target   (EsplashWindow *self);
EsplashPortChooser *esplash_window_get_port_chooser  (EsplashWindow *self);
EsplashLogPane     *esplash_window_get_log_pane      (EsplashWindow *self);
EsplashFirmwareList *esplash_window_get_firmware_list (EsplashWindow *self);
EsplashWindowMonitor *esplash_window_get_monitor    (EsplashWindow *self);
/* The virtual board, created on first use (transfer none). */
EsplashSim         *esplash_window_ensure_virtual_board (EsplashWindow *self);
/* Replaces the virtual board (e.g. one with faults); idle only. */
void                esplash_window_set_virtual_board (EsplashWindow *self,
                                                      EsplashSim    *sim);
/* Replaces the virtual board by one made from @options (e.g. without an
 * auto-reset circuit, or on native USB); idle only. */
void                esplash_window_set_virtual_board_options (EsplashWindow           *self,
                                                              const EsplashSimOptions *options);
/* (transfer none) (nullable) */
EsplashJob         *esplash_window_get_job           (EsplashWindow *self);
/* The virtual board's line used by the last job, %NULL for real ports. */
EsplashTransport   *esplash_window_get_last_transport (EsplashWindow *self);
gboolean            esplash_window_get_result        (EsplashWindow  *self,
                                                      const char    **title,
                                                      const char    **detail);
gdouble             esplash_window_get_progress_fraction (EsplashWindow *self);

G_END_DECLS
