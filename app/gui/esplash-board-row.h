/* esplash-board-row.h: one board in production mode — its port, chip and
 * MAC, progress, result and, after a failure, its diagnosis and a "Help
 * Me Fix This" button. It only follows its session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash-flash-session.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_BOARD_ROW (esplash_board_row_get_type ())
G_DECLARE_FINAL_TYPE (EsplashBoardRow, esplash_board_row, ESPLASH, BOARD_ROW, GtkListBoxRow)

GtkWidget           *esplash_board_row_new          (EsplashFlashSession *session);
/* (transfer none) */
EsplashFlashSession *esplash_board_row_get_session  (EsplashBoardRow *self);
/* Whether "Flash All" includes the board (the row's check box). */
gboolean             esplash_board_row_get_included (EsplashBoardRow *self);
void                 esplash_board_row_set_included (EsplashBoardRow *self,
                                                     gboolean         included);
/* The port went away (said in the row until it is removed) or came back. */
void                 esplash_board_row_set_unplugged (EsplashBoardRow *self,
                                                      gboolean         unplugged);
gboolean             esplash_board_row_is_unplugged  (EsplashBoardRow *self);
/* When it went away (g_get_monotonic_time()), 0 while plugged in. */
gint64               esplash_board_row_get_unplugged_since (EsplashBoardRow *self);
/* What the row says now (tests): the status line. */
const char          *esplash_board_row_get_status_text (EsplashBoardRow *self);

/* Signals: "troubleshoot" — the user asks for help with this board. */

G_END_DECLS
