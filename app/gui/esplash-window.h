/* esplash-window.h: the main window — device, firmware, options, progress.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash-sim.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_WINDOW (esplash_window_get_type ())
G_DECLARE_FINAL_TYPE (EsplashWindow, esplash_window, ESPLASH, WINDOW, GtkApplicationWindow)

/* @application, @settings (remembered choices) and @stub_dir (where
 * flasher stubs are, %NULL = the core's default) are all nullable. */
EsplashWindow *esplash_window_new       (GtkApplication *application,
                                         GSettings      *settings,
                                         const char     *stub_dir);

/* Adds firmware files to the list (Open button, drops and the command line
 * all come through here); a file already listed is not added twice. */
void           esplash_window_add_files (EsplashWindow *self,
                                         GFile *const  *files,
                                         guint          n_files);

/* Production mode: a row per board plugged in, all flashed at once. */
void           esplash_window_set_production (EsplashWindow *self,
                                              gboolean       production);
gboolean       esplash_window_get_production (EsplashWindow *self);
/* Whether a job is running (on any board). */
gboolean       esplash_window_is_busy   (EsplashWindow *self);
/* Firmware files in the list. */
guint          esplash_window_get_n_files (EsplashWindow *self);
/* The demo board once used, else %NULL. (transfer none) */
EsplashSim    *esplash_window_get_virtual_board (EsplashWindow *self);

G_END_DECLS
