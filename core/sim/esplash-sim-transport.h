/* esplash-sim-transport.h: an EsplashTransport wired to an in-process
 * EsplashSim (the "virtual board").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-sim.h"
#include "esplash-transport.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_SIM_TRANSPORT (esplash_sim_transport_get_type ())
G_DECLARE_FINAL_TYPE (EsplashSimTransport, esplash_sim_transport, ESPLASH, SIM_TRANSPORT, EsplashTransport)

EsplashTransport *esplash_sim_transport_new (EsplashSim *sim);
EsplashSim       *esplash_sim_transport_get_sim (EsplashSimTransport *self);

G_END_DECLS
