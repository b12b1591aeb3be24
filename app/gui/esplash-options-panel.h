/* esplash-options-panel.h: the Options section — baud rate, verify, erase
 * all first, what the board does afterwards — remembered in GSettings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_OPTIONS_PANEL (esplash_options_panel_get_type ())
G_DECLARE_FINAL_TYPE (EsplashOptionsPanel, esplash_options_panel, ESPLASH, OPTIONS_PANEL, GtkWidget)

/* Keeps the choices in @settings ("baud", "verify", "erase-all", "after"). */
void         esplash_options_panel_bind          (EsplashOptionsPanel *self,
                                                  GSettings           *settings);
/* The chosen rate; 0 = automatic. */
guint        esplash_options_panel_get_baud      (EsplashOptionsPanel *self);
gboolean     esplash_options_panel_get_verify    (EsplashOptionsPanel *self);
gboolean     esplash_options_panel_get_skip_unchanged (EsplashOptionsPanel *self);
gboolean     esplash_options_panel_get_erase_all (EsplashOptionsPanel *self);
EsplashAfter esplash_options_panel_get_after     (EsplashOptionsPanel *self);

G_END_DECLS
