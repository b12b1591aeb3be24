/* esplash-window-tools.h: the Tools menu of the main window — back up
 * (read) the flash to a file, erase the flash, chip information, reset the
 * board. Each is one EsplashJob run through the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-window.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_WINDOW_TOOLS (esplash_window_tools_get_type ())
G_DECLARE_FINAL_TYPE (EsplashWindowTools, esplash_window_tools, ESPLASH, WINDOW_TOOLS, GObject)

/* Adds the actions win.backup, win.erase, win.chip-info and win.reset-board
 * to @window, which must outlive the returned object. */
EsplashWindowTools *esplash_window_tools_new         (EsplashWindow      *window);
/* Whether a tool may start (a port is selected and nothing runs). */
void                esplash_window_tools_set_enabled (EsplashWindowTools *self,
                                                      gboolean            enabled);
/* Reads the first @size bytes of flash (0 = all of it) into @file, as the
 * Back Up Flash file dialog does once answered. */
void                esplash_window_tools_backup      (EsplashWindowTools *self,
                                                      GFile              *file,
                                                      guint32             size);

G_END_DECLS
