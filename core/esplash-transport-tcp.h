/* esplash-transport-tcp.h: network serial ports: socket:// (raw TCP) and
 * rfc2217:// (Telnet COM-PORT-OPTION client: baud, DTR/RTS, purge).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-transport.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_TRANSPORT_TCP (esplash_transport_tcp_get_type ())
G_DECLARE_FINAL_TYPE (EsplashTransportTcp, esplash_transport_tcp, ESPLASH, TRANSPORT_TCP, EsplashTransport)

/* @url: "socket://HOST:PORT" or "rfc2217://HOST:PORT". */
EsplashTransport *esplash_transport_tcp_open (const char *url,
                                              GError    **error);

G_END_DECLS
