/* esplash-status-area.h: below the settings, always in view — the running
 * job's progress with Cancel, then its result: success, error (with "Help
 * Me Fix This") or cancelled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash.h"
#include "esplash-flash-session.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_STATUS_AREA (esplash_status_area_get_type ())
G_DECLARE_FINAL_TYPE (EsplashStatusArea, esplash_status_area, ESPLASH, STATUS_AREA, GtkWidget)

/* Follows @session (nullable): its job's progress, then its result. */
void     esplash_status_area_set_session  (EsplashStatusArea   *self,
                                           EsplashFlashSession *session);
/* Follows @job's progress (hiding the last result); %NULL hides it.
 * @region_names: see esplash_progress_panel_set_job(). */
void     esplash_status_area_set_job      (EsplashStatusArea  *self,
                                           EsplashJob         *job,
                                           const char * const *region_names);
/* @kind: "success", "error" or "info"; @hint (nullable): what to do, shown
 * above the @detail. */
void     esplash_status_area_show_result  (EsplashStatusArea *self,
                                           const char        *kind,
                                           const char        *title,
                                           const char        *hint,
                                           const char        *detail);
/* Whether a result is shown, and its texts (borrowed). */
gboolean esplash_status_area_get_result   (EsplashStatusArea  *self,
                                           const char        **title,
                                           const char        **detail);
/* What the progress bar shows, 0…1. */
gdouble  esplash_status_area_get_fraction (EsplashStatusArea *self);

G_END_DECLS
