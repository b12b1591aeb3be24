/* esplash-transport.h: a byte pipe to a chip, with modem lines and baud.
 *
 * Abstract; subclasses: serial (libserialport), tcp (socket:// and
 * rfc2217://), and the in-process simulator (core/sim). All calls block;
 * reads are done in short slices so a GCancellable is honoured within
 * ESPLASH_TRANSPORT_SLICE_MS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ESPLASH_TRANSPORT_SLICE_MS 20

typedef enum {
  ESPLASH_TRANSPORT_KIND_SERIAL = 0,
  ESPLASH_TRANSPORT_KIND_SOCKET = 1,     /* raw TCP: no modem lines, no baud */
  ESPLASH_TRANSPORT_KIND_RFC2217 = 2,
  ESPLASH_TRANSPORT_KIND_SIMULATOR = 3,
} EsplashTransportKind;

#define ESPLASH_TYPE_TRANSPORT (esplash_transport_get_type ())
G_DECLARE_DERIVABLE_TYPE (EsplashTransport, esplash_transport, ESPLASH, TRANSPORT, GObject)

struct _EsplashTransportClass
{
  GObjectClass parent_class;

  /* Read at most @len bytes, waiting at most @timeout_ms (never 0 = forever).
   * Returns the count (0 on timeout) or -1 with @error set. */
  gssize   (*read)        (EsplashTransport *self, guint8 *buf, gsize len,
                           guint timeout_ms, GError **error);
  gboolean (*write)       (EsplashTransport *self, const guint8 *buf, gsize len,
                           GError **error);
  gboolean (*set_baud)    (EsplashTransport *self, guint baud, GError **error);
  /* Set both lines; TRUE = asserted (drives the pin low). Atomic where the
   * transport can do it. */
  gboolean (*set_lines)   (EsplashTransport *self, gboolean dtr, gboolean rts,
                           GError **error);
  gboolean (*flush_input) (EsplashTransport *self, GError **error);
  gboolean (*drain)       (EsplashTransport *self, GError **error);
  void     (*close)       (EsplashTransport *self);

  gpointer padding[8];
};

/* Opens "socket://host:port", "rfc2217://host:port[?options]" or a local
 * serial device path ("/dev/ttyUSB0", "COM3"). */
EsplashTransport    *esplash_transport_open        (const char        *url,
                                                    GError           **error);

EsplashTransportKind esplash_transport_get_kind    (EsplashTransport  *self);
const char          *esplash_transport_get_url     (EsplashTransport  *self);
gboolean             esplash_transport_has_lines   (EsplashTransport  *self);
guint                esplash_transport_get_baud    (EsplashTransport  *self);
/* USB identity of the port, 0 when unknown (network ports). */
guint16              esplash_transport_get_usb_vid (EsplashTransport  *self);
guint16              esplash_transport_get_usb_pid (EsplashTransport  *self);
gboolean             esplash_transport_get_dtr     (EsplashTransport  *self);
gboolean             esplash_transport_get_rts     (EsplashTransport  *self);

/* Waits up to @timeout_ms for at least one byte, in slices, honouring
 * @cancellable (G_IO_ERROR_CANCELLED). Returns bytes read, 0 on timeout, -1 on error. */
gssize   esplash_transport_read        (EsplashTransport *self,
                                        guint8           *buf,
                                        gsize             len,
                                        guint             timeout_ms,
                                        GCancellable     *cancellable,
                                        GError          **error);
gboolean esplash_transport_write       (EsplashTransport *self,
                                        const guint8     *buf,
                                        gsize             len,
                                        GError          **error);
gboolean esplash_transport_set_baud    (EsplashTransport *self,
                                        guint             baud,
                                        GError          **error);
gboolean esplash_transport_set_dtr     (EsplashTransport *self,
                                        gboolean          asserted,
                                        GError          **error);
gboolean esplash_transport_set_rts     (EsplashTransport *self,
                                        gboolean          asserted,
                                        GError          **error);
gboolean esplash_transport_set_lines   (EsplashTransport *self,
                                        gboolean          dtr,
                                        gboolean          rts,
                                        GError          **error);
gboolean esplash_transport_flush_input (EsplashTransport *self,
                                        GError          **error);
gboolean esplash_transport_drain       (EsplashTransport *self,
                                        GError          **error);
void     esplash_transport_close       (EsplashTransport *self);
gboolean esplash_transport_is_closed   (EsplashTransport *self);

G_END_DECLS
