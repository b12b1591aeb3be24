/* esplash-transport-private.h: what subclasses set up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-transport.h"

G_BEGIN_DECLS

/* Called by subclasses once open. */
void esplash_transport_set_info (EsplashTransport     *self,
                                 EsplashTransportKind  kind,
                                 const char           *url,
                                 gboolean              has_lines,
                                 guint                 baud,
                                 guint16               usb_vid,
                                 guint16               usb_pid);

/* A USB port's serial number (nullable), set once open: with the VID:PID it
 * finds the port again after it re-enumerated under another name. */
void        esplash_transport_set_usb_serial (EsplashTransport *self,
                                              const char       *serial);
const char *esplash_transport_get_usb_serial (EsplashTransport *self);

G_END_DECLS
