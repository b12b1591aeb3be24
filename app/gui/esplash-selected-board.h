/* esplash-selected-board.h: the board the port drop-down points at, as a
 * session — a new EsplashFlashSession whenever another port is picked;
 * the virtual demo board (created on first use, it keeps its flash)
 * when that is picked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-flasher.h"
#include "esplash-port-chooser.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_SELECTED_BOARD (esplash_selected_board_get_type ())
G_DECLARE_FINAL_TYPE (EsplashSelectedBoard, esplash_selected_board, ESPLASH, SELECTED_BOARD, GObject)

/* Follows @chooser (which must outlive the object); @flasher gives each
 * new session the connect options on screen. */
EsplashSelectedBoard *esplash_selected_board_new         (EsplashPortChooser   *chooser,
                                                          EsplashFlasher       *flasher);
/* (transfer none) (nullable); notify::session when it changes */
EsplashFlashSession  *esplash_selected_board_get_session (EsplashSelectedBoard *self);

/* The virtual board, created on first use: an ESP32-S3 on a UART bridge
 * that boots what it holds (transfer none). */
EsplashSim *esplash_selected_board_ensure_virtual_board (EsplashSelectedBoard *self);
/* (nullable) the virtual board once used */
EsplashSim *esplash_selected_board_get_virtual_board    (EsplashSelectedBoard *self);
/* Replaces the virtual board (tests: one with faults); not while its
 * session is busy. */
void        esplash_selected_board_set_virtual_board    (EsplashSelectedBoard *self,
                                                         EsplashSim           *sim);
/* … by one made from @options (a family, no auto-reset, native USB). */
void        esplash_selected_board_set_virtual_board_options (EsplashSelectedBoard    *self,
                                                              const EsplashSimOptions *options);

G_END_DECLS
