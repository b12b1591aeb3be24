/* esplash-transport-serial.h: local serial ports through libserialport.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-transport.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_TRANSPORT_SERIAL (esplash_transport_serial_get_type ())
G_DECLARE_FINAL_TYPE (EsplashTransportSerial, esplash_transport_serial, ESPLASH, TRANSPORT_SERIAL, EsplashTransport)

/* Opens @path at 115200 8N1, no flow control. Errors: NOT_FOUND,
 * PERMISSION_DENIED, BUSY (with the errno text), FAILED. */
EsplashTransport *esplash_transport_serial_open (const char *path,
                                                 GError    **error);

G_END_DECLS
