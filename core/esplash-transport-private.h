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

G_END_DECLS
