/* esplash-port-watch.h: the serial ports on this machine, listed every
 * second on a worker thread; says which ones came and went (hotplug).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "esplash-port-item.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_PORT_WATCH (esplash_port_watch_get_type ())
G_DECLARE_FINAL_TYPE (EsplashPortWatch, esplash_port_watch, ESPLASH, PORT_WATCH, GObject)

/* Lists the ports (EsplashPortInfo), on a worker thread; NULL + @error
 * when listing failed (the last list is kept then). */
typedef GPtrArray *(*EsplashPortLister) (gpointer user_data, GError **error);

/* Signals: "added" (EsplashPortItem, gboolean initial), "removed"
 * (EsplashPortItem) — on the main context, after the list changed. The
 * first listing after starting reports every port present as added, with
 * @initial TRUE: those were there already, not plugged in. "changed",
 * once after those, when anything changed. */
EsplashPortWatch *esplash_port_watch_new        (void);
/* Starts (or stops) listing: once at once, then every @interval_ms. */
void              esplash_port_watch_set_active (EsplashPortWatch *self,
                                                 gboolean          active,
                                                 guint             interval_ms);
/* The ports of the last listing (EsplashPortItem, transfer none). */
GPtrArray        *esplash_port_watch_get_ports  (EsplashPortWatch *self);
/* Replaces esplash_port_list() (tests: ports that come and go). */
void              esplash_port_watch_set_lister (EsplashPortWatch  *self,
                                                 EsplashPortLister  lister,
                                                 gpointer           user_data);

G_END_DECLS
