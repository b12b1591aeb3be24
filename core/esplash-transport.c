/* esplash-transport.c: the abstract byte pipe to a chip.
 *
 * The base class keeps the state every transport shares (kind, URL, baud,
 * line levels, closed flag) and turns the subclasses' short, bounded reads
 * into a cancellable read with an overall timeout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-transport.h"
#include "esplash-transport-private.h"

#include "esplash-error.h"
#include "esplash-transport-serial.h"
#include "esplash-transport-tcp.h"

#include <string.h>

typedef struct
{
  EsplashTransportKind kind;
  char                *url;
  gboolean             has_lines;
  guint                baud;
  guint16              usb_vid;
  guint16              usb_pid;
  char                *usb_serial;
  gboolean             dtr;
  gboolean             rts;
  gboolean             closed;
} EsplashTransportPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (EsplashTransport, esplash_transport, G_TYPE_OBJECT)

static void
esplash_transport_dispose (GObject *object)
{
  esplash_transport_close (ESPLASH_TRANSPORT (object));

  G_OBJECT_CLASS (esplash_transport_parent_class)->dispose (object);
}

static void
esplash_transport_finalize (GObject *object)
{
  EsplashTransportPrivate *priv =
    esplash_transport_get_instance_private (ESPLASH_TRANSPORT (object));

  g_free (priv->url);
  g_free (priv->usb_serial);

  G_OBJECT_CLASS (esplash_transport_parent_class)->finalize (object);
}

static void
esplash_transport_class_init (EsplashTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = esplash_transport_dispose;
  object_class->finalize = esplash_transport_finalize;
}

static void
esplash_transport_init (EsplashTransport *self)
{
  EsplashTransportPrivate *priv = esplash_transport_get_instance_private (self);

  priv->baud = 115200;
}

/**
 * esplash_transport_set_info:
 *
 * Records what a subclass opened. Called once, right after opening.
 */
void
esplash_transport_set_info (EsplashTransport     *self,
                            EsplashTransportKind  kind,
                            const char           *url,
                            gboolean              has_lines,
                            guint                 baud,
                            guint16               usb_vid,
                            guint16               usb_pid)
{
  EsplashTransportPrivate *priv;

  g_return_if_fail (ESPLASH_IS_TRANSPORT (self));

  priv = esplash_transport_get_instance_private (self);
  priv->kind = kind;
  g_free (priv->url);
  priv->url = g_strdup (url);
  priv->has_lines = has_lines;
  priv->baud = baud;
  priv->usb_vid = usb_vid;
  priv->usb_pid = usb_pid;
}

void
esplash_transport_set_usb_serial (EsplashTransport *self,
                                  const char       *serial)
{
  EsplashTransportPrivate *priv;

  g_return_if_fail (ESPLASH_IS_TRANSPORT (self));

  priv = esplash_transport_get_instance_private (self);
  g_free (priv->usb_serial);
  priv->usb_serial = g_strdup (serial);
}

const char *
esplash_transport_get_usb_serial (EsplashTransport *self)
{
  EsplashTransportPrivate *priv;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), NULL);

  priv = esplash_transport_get_instance_private (self);
  return priv->usb_serial;
}

static gboolean
check_open (EsplashTransport  *self,
            const char        *what,
            GError           **error)
{
  EsplashTransportPrivate *priv = esplash_transport_get_instance_private (self);

  if (priv->closed)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                   "Cannot %s: the port %s is closed", what,
                   priv->url != NULL ? priv->url : "(unnamed)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
has_scheme (const char *url,
            const char *scheme)
{
  return g_ascii_strncasecmp (url, scheme, strlen (scheme)) == 0;
}

/**
 * esplash_transport_open:
 * @url: "socket://HOST:PORT", "rfc2217://HOST:PORT" or a serial device path
 * @error: return location for an error
 *
 * Returns: (transfer full): the open transport, or %NULL with @error set
 */
EsplashTransport *
esplash_transport_open (const char  *url,
                        GError     **error)
{
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*url == '\0')
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "No port given: use a serial device such as /dev/ttyUSB0 or COM3, "
                           "socket://HOST:PORT or rfc2217://HOST:PORT");
      return NULL;
    }

  if (has_scheme (url, "socket://") || has_scheme (url, "rfc2217://"))
    return esplash_transport_tcp_open (url, error);

  if (strstr (url, "://") != NULL)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Unsupported port URL “%s”: use a serial device such as /dev/ttyUSB0 "
                   "or COM3, socket://HOST:PORT or rfc2217://HOST:PORT", url);
      return NULL;
    }

  return esplash_transport_serial_open (url, error);
}

EsplashTransportKind
esplash_transport_get_kind (EsplashTransport *self)
{
  EsplashTransportPrivate *priv;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), ESPLASH_TRANSPORT_KIND_SERIAL);
  priv = esplash_transport_get_instance_private (self);
  return priv->kind;
}

const char *
esplash_transport_get_url (EsplashTransport *self)
{
  EsplashTransportPrivate *priv;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), NULL);
  priv = esplash_transport_get_instance_private (self);
  return priv->url;
}

gboolean
esplash_transport_has_lines (EsplashTransport *self)
{
  EsplashTransportPrivate *priv;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), FALSE);
  priv = esplash_transport_get_instance_private (self);
  return priv->has_lines;
}

guint
esplash_transport_get_baud (EsplashTransport *self)
{
  EsplashTransportPrivate *priv;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), 0);
  priv = esplash_transport_get_instance_private (self);
  return priv->baud;
}

guint16
esplash_transport_get_usb_vid (EsplashTransport *self)
{
  EsplashTransportPrivate *priv;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), 0);
  priv = esplash_transport_get_instance_private (self);
  return priv->usb_vid;
}

guint16
esplash_transport_get_usb_pid (EsplashTransport *self)
{
  EsplashTransportPrivate *priv;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), 0);
  priv = esplash_transport_get_instance_private (self);
  return priv->usb_pid;
}

gboolean
esplash_transport_get_dtr (EsplashTransport *self)
{
  EsplashTransportPrivate *priv;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), FALSE);
  priv = esplash_transport_get_instance_private (self);
  return priv->dtr;
}

gboolean
esplash_transport_get_rts (EsplashTransport *self)
{
  EsplashTransportPrivate *priv;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), FALSE);
  priv = esplash_transport_get_instance_private (self);
  return priv->rts;
}

/**
 * esplash_transport_read: (skip)
 * @self: an open transport
 * @buf: where the bytes go
 * @len: the size of @buf
 * @timeout_ms: how long to wait for the first byte
 * @cancellable: (nullable): cancels the wait
 * @error: the reason it failed
 *
 * Waits up to @timeout_ms for at least one byte. The subclass is asked in
 * slices of at most %ESPLASH_TRANSPORT_SLICE_MS so @cancellable is noticed
 * promptly; a subclass is never asked with timeout 0 (libserialport would
 * wait forever). A zero @timeout_ms still makes one 1 ms attempt, which
 * picks up bytes already waiting.
 *
 * Returns: bytes read, 0 on timeout, -1 on error (including cancellation)
 */
gssize
esplash_transport_read (EsplashTransport  *self,
                        guint8            *buf,
                        gsize              len,
                        guint              timeout_ms,
                        GCancellable      *cancellable,
                        GError           **error)
{
  EsplashTransportClass *klass;
  gint64 deadline;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), -1);
  g_return_val_if_fail (buf != NULL || len == 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!check_open (self, "read", error))
    return -1;
  if (len == 0)
    return 0;

  klass = ESPLASH_TRANSPORT_GET_CLASS (self);
  g_return_val_if_fail (klass->read != NULL, -1);

  deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;

  /* At least one slice, so a zero timeout still picks up waiting bytes. */
  for (;;)
    {
      gint64 remaining_ms;
      guint slice;
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return -1;

      remaining_ms = (deadline - g_get_monotonic_time () + 999) / G_TIME_SPAN_MILLISECOND;
      slice = (guint) CLAMP (remaining_ms, 1, ESPLASH_TRANSPORT_SLICE_MS);

      n = klass->read (self, buf, len, slice, error);
      if (n != 0)
        return n;
      if (g_get_monotonic_time () >= deadline)
        return 0;
    }
}

/**
 * esplash_transport_write:
 * @self: an open transport
 * @buf: (array length=len) (element-type guint8): the bytes to send
 * @len: the length of @buf
 * @error: the reason it failed
 *
 * Returns: %TRUE when every byte was handed to the port
 */
gboolean
esplash_transport_write (EsplashTransport  *self,
                         const guint8      *buf,
                         gsize              len,
                         GError           **error)
{
  EsplashTransportClass *klass;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (buf != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_open (self, "write", error))
    return FALSE;
  if (len == 0)
    return TRUE;

  klass = ESPLASH_TRANSPORT_GET_CLASS (self);
  g_return_val_if_fail (klass->write != NULL, FALSE);
  return klass->write (self, buf, len, error);
}

/**
 * esplash_transport_set_baud:
 *
 * A transport without a baud (raw socket://) accepts the call and only
 * records the value.
 */
gboolean
esplash_transport_set_baud (EsplashTransport  *self,
                            guint              baud,
                            GError           **error)
{
  EsplashTransportPrivate *priv;
  EsplashTransportClass *klass;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_open (self, "change the baud rate", error))
    return FALSE;
  if (baud == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "Invalid baud rate 0");
      return FALSE;
    }

  priv = esplash_transport_get_instance_private (self);
  klass = ESPLASH_TRANSPORT_GET_CLASS (self);
  if (klass->set_baud != NULL && !klass->set_baud (self, baud, error))
    return FALSE;

  priv->baud = baud;
  return TRUE;
}

/**
 * esplash_transport_set_lines:
 *
 * Sets DTR and RTS together (atomically where the transport can). On a
 * transport without modem lines this does nothing and succeeds; callers
 * check esplash_transport_has_lines() to say that no reset happened.
 */
gboolean
esplash_transport_set_lines (EsplashTransport  *self,
                             gboolean           dtr,
                             gboolean           rts,
                             GError           **error)
{
  EsplashTransportPrivate *priv;
  EsplashTransportClass *klass;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_open (self, "set DTR/RTS", error))
    return FALSE;

  priv = esplash_transport_get_instance_private (self);
  dtr = !!dtr;
  rts = !!rts;

  if (priv->has_lines)
    {
      klass = ESPLASH_TRANSPORT_GET_CLASS (self);
      if (klass->set_lines != NULL && !klass->set_lines (self, dtr, rts, error))
        return FALSE;
    }

  priv->dtr = dtr;
  priv->rts = rts;
  return TRUE;
}

gboolean
esplash_transport_set_dtr (EsplashTransport  *self,
                           gboolean           asserted,
                           GError           **error)
{
  EsplashTransportPrivate *priv;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), FALSE);
  priv = esplash_transport_get_instance_private (self);
  return esplash_transport_set_lines (self, asserted, priv->rts, error);
}

/* Passing the current DTR along re-writes it after the RTS change, which
 * is what esptool does to work around Windows' usbser.sys. */
gboolean
esplash_transport_set_rts (EsplashTransport  *self,
                           gboolean           asserted,
                           GError           **error)
{
  EsplashTransportPrivate *priv;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), FALSE);
  priv = esplash_transport_get_instance_private (self);
  return esplash_transport_set_lines (self, priv->dtr, asserted, error);
}

gboolean
esplash_transport_flush_input (EsplashTransport  *self,
                               GError           **error)
{
  EsplashTransportClass *klass;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_open (self, "flush the input", error))
    return FALSE;

  klass = ESPLASH_TRANSPORT_GET_CLASS (self);
  if (klass->flush_input == NULL)
    return TRUE;
  return klass->flush_input (self, error);
}

gboolean
esplash_transport_drain (EsplashTransport  *self,
                         GError           **error)
{
  EsplashTransportClass *klass;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_open (self, "drain the output", error))
    return FALSE;

  klass = ESPLASH_TRANSPORT_GET_CLASS (self);
  if (klass->drain == NULL)
    return TRUE;
  return klass->drain (self, error);
}

/**
 * esplash_transport_close:
 *
 * Closes the port. Safe to call more than once; later operations fail.
 */
void
esplash_transport_close (EsplashTransport *self)
{
  EsplashTransportPrivate *priv;
  EsplashTransportClass *klass;

  g_return_if_fail (ESPLASH_IS_TRANSPORT (self));

  priv = esplash_transport_get_instance_private (self);
  if (priv->closed)
    return;
  priv->closed = TRUE;

  klass = ESPLASH_TRANSPORT_GET_CLASS (self);
  if (klass->close != NULL)
    klass->close (self);
}

gboolean
esplash_transport_is_closed (EsplashTransport *self)
{
  EsplashTransportPrivate *priv;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (self), TRUE);
  priv = esplash_transport_get_instance_private (self);
  return priv->closed;
}
