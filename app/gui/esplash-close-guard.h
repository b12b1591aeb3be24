/* esplash-close-guard.h: a window stays while its boards are being
 * worked on — logout and suspend are inhibited, closing asks first, and
 * a window told to stop closes once every job has let go of its port.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ESPLASH_TYPE_CLOSE_GUARD (esplash_close_guard_get_type ())
G_DECLARE_FINAL_TYPE (EsplashCloseGuard, esplash_close_guard, ESPLASH, CLOSE_GUARD, GObject)

/* @window must outlive the guard. Signal "stop": the user chose to stop
 * and close; cancel every job. */
EsplashCloseGuard *esplash_close_guard_new      (GtkWindow         *window);
/* Whether a job runs; the window is destroyed when it ends after "stop". */
void               esplash_close_guard_set_busy (EsplashCloseGuard *self,
                                                 gboolean           busy);
/* From close-request: TRUE keeps the window (a job runs; the question is
 * asked), FALSE lets it close. */
gboolean           esplash_close_guard_hold     (EsplashCloseGuard *self);

G_END_DECLS
