/* esplash-window.h: the main window — device, firmware, options, progress.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash-application.h"
#include "esplash-sim.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_WINDOW (esplash_window_get_type ())
G_DECLARE_FINAL_TYPE (EsplashWindow, esplash_window, ESPLASH, WINDOW, GtkApplicationWindow)

EsplashWindow *esplash_window_new       (EsplashApplication *application);

/* Adds firmware files to the list (Open button, drops and the command line
 * all come through here); a file already listed is not added twice. */
void           esplash_window_add_files (EsplashWindow *self,
                                         GFile *const  *files,
                                         guint          n_files);

/* Whether a job is running. */
gboolean       esplash_window_is_busy   (EsplashWindow *self);
/* Firmware files in the list. */
guint          esplash_window_get_n_files (EsplashWindow *self);
/* The demo board once used, else %NULL. (transfer none) */
EsplashSim    *esplash_window_get_virtual_board (EsplashWindow *self);

G_END_DECLS
