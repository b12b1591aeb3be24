/* esplash-window-tools.h: the Tools menu of the main window — back up
 * (read) the flash to a file, erase the flash, chip information, reset the
 * board. Each is one EsplashJob run through the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash-flasher.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_WINDOW_TOOLS (esplash_window_tools_get_type ())
G_DECLARE_FINAL_TYPE (EsplashWindowTools, esplash_window_tools, ESPLASH, WINDOW_TOOLS, GObject)

/* Adds the actions backup, erase, chip-info and reset-board to @actions;
 * dialogs are modal to @window. Both must outlive the returned object. */
EsplashWindowTools *esplash_window_tools_new         (GtkWindow          *window,
                                                      GActionMap         *actions);
/* The board the tools work on (nullable). */
void                esplash_window_tools_set_session (EsplashWindowTools  *self,
                                                      EsplashFlashSession *session);
/* What gives a plan the connect options on screen (nullable). */
void                esplash_window_tools_set_flasher (EsplashWindowTools *self,
                                                      EsplashFlasher     *flasher);
/* Whether a tool may start (a port is selected and nothing runs). */
void                esplash_window_tools_set_enabled (EsplashWindowTools *self,
                                                      gboolean            enabled);
/* Reads the first @size bytes of flash (0 = all of it) into @file, as the
 * Back Up Flash file dialog does once answered. */
void                esplash_window_tools_backup      (EsplashWindowTools *self,
                                                      GFile              *file,
                                                      guint32             size);

G_END_DECLS
