/* esplash-monitor-follow.h: whether the monitor's view follows the
 * output — stays at the bottom as lines come — or stays where the user
 * scrolled to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _EsplashMonitorFollow EsplashMonitorFollow;

/* Called when following starts or stops. */
typedef void (*EsplashMonitorFollowFunc) (gpointer user_data,
                                          gboolean following);

/* Watches @scroller (the user's wheel, the scrollbar) and @text_view (keys).
 * Both must outlive the returned object. Starts following. */
EsplashMonitorFollow *esplash_monitor_follow_new  (GtkScrolledWindow        *scroller,
                                                   GtkWidget                *text_view,
                                                   EsplashMonitorFollowFunc  changed,
                                                   gpointer                  user_data);
void                  esplash_monitor_follow_free (EsplashMonitorFollow     *self);

gboolean              esplash_monitor_follow_get  (EsplashMonitorFollow     *self);
/* TRUE also moves to the end now (the "jump to end" button). */
void                  esplash_monitor_follow_set  (EsplashMonitorFollow     *self,
                                                   gboolean                  following);
/* The caller changes the text (a render): the view's moves meanwhile are
 * not the user's; at the end, it goes to the bottom if following. */
void                  esplash_monitor_follow_begin_update (EsplashMonitorFollow *self);
void                  esplash_monitor_follow_end_update   (EsplashMonitorFollow *self);

G_END_DECLS
