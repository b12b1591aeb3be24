/* esplash-progress-panel.h: what a running job is doing — stage, bar,
 * speed and time left, and the Cancel button (win.cancel).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_PROGRESS_PANEL (esplash_progress_panel_get_type ())
G_DECLARE_FINAL_TYPE (EsplashProgressPanel, esplash_progress_panel, ESPLASH, PROGRESS_PANEL, GtkWidget)

/* Follows @job (nullable: stop following) from the start. @region_names
 * (nullable) name the regions of a write in plan order for the stage text. */
void  esplash_progress_panel_set_job (EsplashProgressPanel *self,
                                      EsplashJob           *job,
                                      const char * const   *region_names);

/* What the bar shows, 0…1. */
/* (transfer none) (nullable) */
EsplashJob *esplash_progress_panel_get_job (EsplashProgressPanel *self);
gdouble esplash_progress_panel_get_fraction (EsplashProgressPanel *self);

G_END_DECLS
