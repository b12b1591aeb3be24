/* esplash-sim-server.h: serves an EsplashSim over TCP, raw (socket://) or
 * as an RFC 2217 server (rfc2217://), one client at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-sim.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_SIM_SERVER (esplash_sim_server_get_type ())
G_DECLARE_FINAL_TYPE (EsplashSimServer, esplash_sim_server, ESPLASH, SIM_SERVER, GObject)

/* Listens on 127.0.0.1:@port (0 = any free port). Serves on its own thread. */
EsplashSimServer *esplash_sim_server_new      (EsplashSim *sim,
                                               gboolean    rfc2217,
                                               guint16     port,
                                               GError    **error);
guint16           esplash_sim_server_get_port (EsplashSimServer *self);
void              esplash_sim_server_stop     (EsplashSimServer *self);

G_END_DECLS
