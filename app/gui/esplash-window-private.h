/* esplash-window-private.h: in-tree API of the main window, for the GUI
 * tests: its parts, and the board they work on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-firmware-list.h"
#include "esplash-flash-session.h"
#include "esplash-log-pane.h"
#include "esplash-port-chooser.h"
#include "esplash-production-view.h"
#include "esplash-selected-board.h"
#include "esplash-status-area.h"
#include "esplash-troubleshoot.h"
#include "esplash-window.h"
#include "esplash-window-monitor.h"
#include "esplash-window-tools.h"

G_BEGIN_DECLS

/* The after-flashing choice on screen. */
EsplashAfter    esplash_window_get_after   (EsplashWindow *self);

/* (transfer none) (nullable): the selected port's board */
EsplashFlashSession *esplash_window_get_session (EsplashWindow *self);
EsplashProductionView *esplash_window_get_production_view (EsplashWindow *self);
EsplashWindowTools *esplash_window_get_tools (EsplashWindow *self);
EsplashTroubleshoot *esplash_window_get_troubleshoot (EsplashWindow *self);
GtkDropTarget      *esplash_window_get_drop_target   (EsplashWindow *self);
EsplashPortChooser *esplash_window_get_port_chooser  (EsplashWindow *self);
EsplashLogPane     *esplash_window_get_log_pane      (EsplashWindow *self);
EsplashFirmwareList *esplash_window_get_firmware_list (EsplashWindow *self);
EsplashWindowMonitor *esplash_window_get_monitor    (EsplashWindow *self);
/* The port chooser's board and its virtual board (transfer none). */
EsplashSelectedBoard *esplash_window_get_selected_board (EsplashWindow *self);
gboolean            esplash_window_get_result        (EsplashWindow  *self,
                                                      const char    **title,
                                                      const char    **detail);
gdouble             esplash_window_get_progress_fraction (EsplashWindow *self);

G_END_DECLS
