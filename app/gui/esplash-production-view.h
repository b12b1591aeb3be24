/* esplash-production-view.h: production mode — every board plugged in
 * gets a row and its own session; "Flash All" sends the same firmware to
 * each, "Flash new boards automatically" starts a board the moment its
 * port appears, and every flash adds a line to the record file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash-board-row.h"
#include "esplash-flasher.h"
#include "esplash-port-watch.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_PRODUCTION_VIEW (esplash_production_view_get_type ())
G_DECLARE_FINAL_TYPE (EsplashProductionView, esplash_production_view, ESPLASH, PRODUCTION_VIEW, GtkWidget)

/* Signals: "troubleshoot" (session) — help for one board; "log" (level,
 * message) — a board's log line, prefixed with its name. Properties
 * (notify): "busy" — a board is being flashed; "n-boards". */

/* What flashes the boards (set before the view is used). */
void      esplash_production_view_set_flasher (EsplashProductionView *self,
                                               EsplashFlasher        *flasher);
/* Keeps "Flash new boards automatically" and the record file in
 * @settings ("production-auto", "production-record"). */
void      esplash_production_view_bind        (EsplashProductionView *self,
                                               GSettings             *settings);
/* The serial ports (the port drop-down's watch: one listing a second for
 * both); followed while active. */
void      esplash_production_view_set_port_watch (EsplashProductionView *self,
                                                  EsplashPortWatch      *watch);
/* Production mode is on: the ports present get rows (not started), the
 * ports that come and go are followed. */
void      esplash_production_view_set_active  (EsplashProductionView *self,
                                               gboolean               active);
/* Starts every included board that is idle; returns how many started. */
guint     esplash_production_view_flash_all   (EsplashProductionView *self);
gboolean  esplash_production_view_is_busy     (EsplashProductionView *self);
/* Cancels every running board. */
void      esplash_production_view_cancel_all  (EsplashProductionView *self);
guint     esplash_production_view_get_n_boards (EsplashProductionView *self);
/* (transfer none) */
EsplashBoardRow *esplash_production_view_get_row (EsplashProductionView *self,
                                                  guint                  index);

void      esplash_production_view_set_auto    (EsplashProductionView *self,
                                               gboolean               auto_flash);
gboolean  esplash_production_view_get_auto    (EsplashProductionView *self);
/* Where a line per flash goes (nullable: nowhere); FALSE + @error when
 * the file cannot be written (nothing changes then). */
gboolean  esplash_production_view_set_record_path (EsplashProductionView  *self,
                                                   const char             *path,
                                                   GError                **error);
const char *esplash_production_view_get_record_path (EsplashProductionView *self);
/* Boards flashed and failed since production mode was turned on. */
void      esplash_production_view_get_counts  (EsplashProductionView *self,
                                               guint                 *flashed,
                                               guint                 *failed);

/* A virtual board "plugged in" (the Add Virtual Board button; tests):
 * @options nullable = an ESP32-S3 on a UART bridge with its own MAC.
 * (transfer none) */
EsplashFlashSession *esplash_production_view_add_virtual_board (EsplashProductionView   *self,
                                                                const EsplashSimOptions *options);
/* The virtual board of @session is pulled out. */
void      esplash_production_view_unplug_virtual (EsplashProductionView *self,
                                                  EsplashFlashSession   *session);
/* … and plugged in again (it powers up running its firmware). */
void      esplash_production_view_replug_virtual (EsplashProductionView *self,
                                                  EsplashFlashSession   *session);
/* (transfer none) (nullable): the watch of real ports */
EsplashPortWatch *esplash_production_view_get_port_watch (EsplashProductionView *self);

G_END_DECLS
