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

/* Follows @job (nullable: stop following) from the start. */
void  esplash_progress_panel_set_job (EsplashProgressPanel *self,
                                      EsplashJob           *job);

/* "Writing region 2 of 3…", translated. */
char *esplash_stage_describe         (EsplashStage stage,
                                      guint        region_index,
                                      guint        region_count);
/* "about 1 min 5 s", translated. */
char *esplash_format_duration        (gdouble      seconds);

G_END_DECLS
