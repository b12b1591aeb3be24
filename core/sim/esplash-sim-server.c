/* esplash-sim-server.c: serves an EsplashSim on 127.0.0.1 over TCP, raw
 * (socket://) or as an RFC 2217 server (rfc2217://), one client at a time.
 *
 * Threads: the server thread accepts a client and pumps socket → chip; a
 * second thread per client pumps chip → socket. The virtual board stays
 * powered across clients, so the chip keeps its state between port opens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "esplash-error.h"
#include "esplash-sim-rfc2217.h"
#include "esplash-sim-server.h"

#define IO_CHUNK 4096
/* How long the chip → socket pump waits for output before looking at the
 * stop flags again: bounds how long stopping or a disconnect takes. */
#define OUTPUT_POLL_US (20 * G_TIME_SPAN_MILLISECOND)
#define DEFAULT_HOST_BAUD 115200

struct _EsplashSimServer {
  GObject       parent_instance;

  EsplashSim   *sim;
  gboolean      rfc2217;
  GSocket      *listener;
  guint16       port;
  GCancellable *cancellable;   /* stops everything */
  GThread      *thread;

  /* Guards the client socket's writes (acks and data come from two
   * threads) and the port state below. */
  GMutex        lock;
  /* The port's state, kept across clients (RFC 2217 mode). */
  guint         host_baud;
  gboolean      dtr, rts;
  /* Raw mode: the baud last given to esplash_sim_host_set_baud, 0 = none. */
  guint         raw_baud;
};

G_DEFINE_FINAL_TYPE (EsplashSimServer, esplash_sim_server, G_TYPE_OBJECT)

/* One connected client. */
typedef struct {
  EsplashSimServer *server;
  GSocket          *socket;
  GCancellable     *cancellable;   /* this connection; cancelled by stop too */
  gint              suspended;     /* atomic: client sent FLOWCONTROL-SUSPEND */

  /* Held by the output pump from taking the chip's bytes until they are
   * sent, so a purge lands between two sends: everything taken before it
   * reaches the client before the purge's acknowledgement, which is what
   * a client (pyserial) expects when it empties its own buffer on the ack. */
  GMutex            output_lock;
  GCond             output_cond;
  gboolean          purge_pending; /* the pump waits while set (no starving the purge) */
} Connection;

/* Sends all of @len bytes; FALSE when the client is gone or we stop.
 * Call with server->lock held. */
static gboolean
send_all (Connection   *conn,
          const guint8 *data,
          gsize         len)
{
  while (len > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (conn->socket, (const gchar *) data, len, conn->cancellable, &error);

      if (n <= 0)
        {
          if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_debug ("sending to the client: %s", error->message);
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* A raw client has no baud: keep the host side at whatever the chip uses
 * so bytes are never garbled — except while the ROM autobauds, when a
 * client syncs at 115200 like esptool (the ESP8266 boots at 74880, and
 * syncing at that rate would skew its crystal estimate). Only changes are
 * passed on (each one is an event in the chip's log). */
#define RAW_SYNC_BAUD 115200

static void
follow_chip_baud (EsplashSimServer *self)
{
  guint baud;

  if (self->rfc2217)
    return;
  baud = esplash_sim_is_autobauding (self->sim) ? RAW_SYNC_BAUD : esplash_sim_get_baud (self->sim);
  g_mutex_lock (&self->lock);
  if (baud != 0 && baud != self->raw_baud)
    {
      self->raw_baud = baud;
      esplash_sim_host_set_baud (self->sim, baud);
    }
  g_mutex_unlock (&self->lock);
}

static gpointer
output_thread (gpointer data)
{
  Connection *conn = data;
  EsplashSimServer *self = conn->server;
  g_autoptr(GByteArray) escaped = g_byte_array_new ();
  guint8 buf[IO_CHUNK];

  while (!g_cancellable_is_cancelled (conn->cancellable))
    {
      gboolean ok;
      gssize n;

      if (g_atomic_int_get (&conn->suspended))
        {
          g_usleep (OUTPUT_POLL_US);
          continue;
        }
      follow_chip_baud (self);

      g_mutex_lock (&conn->output_lock);
      while (g_atomic_int_get (&conn->purge_pending))
        g_cond_wait (&conn->output_cond, &conn->output_lock);
      n = esplash_sim_host_read (self->sim, buf, sizeof buf, OUTPUT_POLL_US);
      if (n < 0)
        {
          /* The port vanished (unplug or the disconnect fault): so does
           * the connection. */
          g_mutex_unlock (&conn->output_lock);
          g_debug ("the virtual port is gone: closing the client connection");
          g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
          g_cancellable_cancel (conn->cancellable);
          break;
        }
      if (n == 0)
        {
          g_mutex_unlock (&conn->output_lock);
          continue;
        }

      g_mutex_lock (&self->lock);
      if (self->rfc2217)
        {
          g_byte_array_set_size (escaped, 0);
          esplash_sim_rfc2217_escape (buf, (gsize) n, escaped);
          ok = send_all (conn, escaped->data, escaped->len);
        }
      else
        {
          ok = send_all (conn, buf, (gsize) n);
        }
      g_mutex_unlock (&self->lock);
      g_mutex_unlock (&conn->output_lock);
      if (!ok)
        g_cancellable_cancel (conn->cancellable);
    }
  return NULL;
}

static void
purge (Connection *conn)
{
  g_atomic_int_set (&conn->purge_pending, TRUE);
  g_mutex_lock (&conn->output_lock);
  esplash_sim_host_purge (conn->server->sim);
  conn->purge_pending = FALSE;
  g_cond_broadcast (&conn->output_cond);
  g_mutex_unlock (&conn->output_lock);
}

/* Writes the client's data to the chip and carries out its port actions,
 * in stream order. */
static void
apply_rfc2217 (Connection *conn,
               GByteArray *data,
               GArray     *actions)
{
  EsplashSimServer *self = conn->server;
  gsize done = 0;

  for (guint i = 0; i < actions->len; i++)
    {
      const EsplashSimRfc2217Action *action = &g_array_index (actions, EsplashSimRfc2217Action, i);

      if (action->data_end > done)
        esplash_sim_host_write (self->sim, data->data + done, action->data_end - done);
      done = action->data_end;

      switch (action->kind)
        {
        case ESPLASH_RFC2217_ACTION_SET_BAUD:
          esplash_sim_host_set_baud (self->sim, action->baud);
          break;
        case ESPLASH_RFC2217_ACTION_SET_LINES:
          esplash_sim_host_set_lines (self->sim, action->dtr, action->rts);
          break;
        case ESPLASH_RFC2217_ACTION_PURGE:
          purge (conn);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  if (data->len > done)
    esplash_sim_host_write (self->sim, data->data + done, data->len - done);
}

static void
cancel_connection_cb (GCancellable *server_cancellable,
                      gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
serve_client (EsplashSimServer *self,
              GSocket          *socket)
{
  Connection conn = { .server = self, .socket = socket };
  g_autoptr(EsplashSimRfc2217) parser = NULL;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  g_autoptr(GArray) actions = g_array_new (FALSE, TRUE, sizeof (EsplashSimRfc2217Action));
  g_autoptr(GError) error = NULL;
  GThread *output;
  gulong handler;
  guint8 buf[IO_CHUNK];

  conn.cancellable = g_cancellable_new ();
  g_mutex_init (&conn.output_lock);
  g_cond_init (&conn.output_cond);
  handler = g_cancellable_connect (self->cancellable, G_CALLBACK (cancel_connection_cb),
                                   conn.cancellable, NULL);
  g_socket_set_blocking (socket, TRUE);
  /* Small packets (acks, SLIP replies) must not wait for Nagle. */
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, &error))
    {
      g_debug ("TCP_NODELAY: %s", error->message);
      g_clear_error (&error);
    }

  if (self->rfc2217)
    {
      g_mutex_lock (&self->lock);
      parser = esplash_sim_rfc2217_new (self->host_baud, self->dtr, self->rts);
      esplash_sim_rfc2217_greeting (parser, reply);
      send_all (&conn, reply->data, reply->len);
      g_mutex_unlock (&self->lock);
    }

  /* Opening a port: what the chip sent while nobody listened is gone, as
   * with a tty nobody had open (and a previous client's unread replies
   * cannot confuse this one). */
  esplash_sim_host_purge (self->sim);
  output = g_thread_new ("esplash-sim-output", output_thread, &conn);

  while (!g_cancellable_is_cancelled (conn.cancellable))
    {
      gssize n = g_socket_receive (socket, (gchar *) buf, sizeof buf, conn.cancellable, &error);

      if (n <= 0)
        {
          if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_debug ("receiving from the client: %s", error->message);
          break;
        }

      if (parser == NULL)
        {
          follow_chip_baud (self);
          esplash_sim_host_write (self->sim, buf, (gsize) n);
          continue;
        }

      g_byte_array_set_size (data, 0);
      g_byte_array_set_size (reply, 0);
      g_array_set_size (actions, 0);
      esplash_sim_rfc2217_feed (parser, buf, (gsize) n, data, reply, actions);
      apply_rfc2217 (&conn, data, actions);
      g_atomic_int_set (&conn.suspended, esplash_sim_rfc2217_is_output_suspended (parser));

      g_mutex_lock (&self->lock);
      self->host_baud = esplash_sim_rfc2217_get_baud (parser);
      self->dtr = esplash_sim_rfc2217_get_dtr (parser);
      self->rts = esplash_sim_rfc2217_get_rts (parser);
      if (reply->len > 0)
        send_all (&conn, reply->data, reply->len);
      g_mutex_unlock (&self->lock);
    }

  g_cancellable_cancel (conn.cancellable);
  g_thread_join (output);
  g_cancellable_disconnect (self->cancellable, handler);
  g_clear_object (&conn.cancellable);
  g_mutex_clear (&conn.output_lock);
  g_cond_clear (&conn.output_cond);
  g_socket_close (socket, NULL);

  /* Like pyserial's reference RFC 2217 server: with no client left, the
   * control lines are released (EN and the strap pin go high). */
  g_mutex_lock (&self->lock);
  if (parser != NULL && (self->dtr || self->rts))
    {
      self->dtr = self->rts = FALSE;
      esplash_sim_host_set_lines (self->sim, FALSE, FALSE);
    }
  g_mutex_unlock (&self->lock);
}

static gpointer
server_thread (gpointer data)
{
  EsplashSimServer *self = data;

  while (!g_cancellable_is_cancelled (self->cancellable))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) client = g_socket_accept (self->listener, self->cancellable, &error);

      if (client == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_warning ("accepting a client on 127.0.0.1:%u: %s", self->port, error->message);
              /* e.g. out of file descriptors: do not spin */
              g_usleep (100 * G_TIME_SPAN_MILLISECOND);
            }
          continue;
        }
      serve_client (self, client);
    }
  return NULL;
}

static void
esplash_sim_server_dispose (GObject *object)
{
  EsplashSimServer *self = ESPLASH_SIM_SERVER (object);

  esplash_sim_server_stop (self);
  g_clear_object (&self->sim);
  g_clear_object (&self->listener);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (esplash_sim_server_parent_class)->dispose (object);
}

static void
esplash_sim_server_finalize (GObject *object)
{
  EsplashSimServer *self = ESPLASH_SIM_SERVER (object);

  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (esplash_sim_server_parent_class)->finalize (object);
}

static void
esplash_sim_server_class_init (EsplashSimServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = esplash_sim_server_dispose;
  object_class->finalize = esplash_sim_server_finalize;
}

static void
esplash_sim_server_init (EsplashSimServer *self)
{
  g_mutex_init (&self->lock);
  self->cancellable = g_cancellable_new ();
  self->host_baud = DEFAULT_HOST_BAUD;
}

static GSocket *
listen_on_loopback (guint16   port,
                    guint16  *bound_port,
                    GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocketAddress) local = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &local_error);
  /* allow_reuse: a port in TIME_WAIT from an earlier run is fine, one with
   * a listener still is not. */
  if (socket != NULL &&
      g_socket_bind (socket, address, TRUE, &local_error) &&
      g_socket_listen (socket, &local_error))
    local = g_socket_get_local_address (socket, &local_error);

  if (local == NULL)
    {
      gint code = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE)
                  ? ESPLASH_ERROR_BUSY : ESPLASH_ERROR_FAILED;

      g_set_error (error, ESPLASH_ERROR, code,
                   "Cannot listen on 127.0.0.1:%u: %s%s", port, local_error->message,
                   code == ESPLASH_ERROR_BUSY ? " (choose another port, or 0 for any free one)" : "");
      return NULL;
    }
  *bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return g_steal_pointer (&socket);
}

/**
 * esplash_sim_server_new:
 * @sim: the virtual chip to serve
 * @rfc2217: %TRUE for an RFC 2217 (Telnet COM-PORT-OPTION) server, %FALSE for raw bytes
 * @port: TCP port on 127.0.0.1, 0 for any free one (see esplash_sim_server_get_port())
 * @error: return location for an error
 *
 * Starts serving at once on a thread of its own.
 *
 * Returns: (transfer full) (nullable): the server, %NULL if the port
 *   cannot be listened on (%ESPLASH_ERROR_BUSY when it is in use)
 */
EsplashSimServer *
esplash_sim_server_new (EsplashSim *sim,
                        gboolean    rfc2217,
                        guint16     port,
                        GError    **error)
{
  g_autoptr(EsplashSimServer) self = NULL;

  g_return_val_if_fail (ESPLASH_IS_SIM (sim), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (ESPLASH_TYPE_SIM_SERVER, NULL);
  self->sim = g_object_ref (sim);
  self->rfc2217 = rfc2217;
  self->listener = listen_on_loopback (port, &self->port, error);
  if (self->listener == NULL)
    return NULL;
  self->thread = g_thread_new ("esplash-sim-server", server_thread, self);
  return g_steal_pointer (&self);
}

guint16
esplash_sim_server_get_port (EsplashSimServer *self)
{
  g_return_val_if_fail (ESPLASH_IS_SIM_SERVER (self), 0);
  return self->port;
}

/**
 * esplash_sim_server_stop:
 *
 * Disconnects the client, stops listening and joins the server's threads.
 * Returns within a few tens of milliseconds; calling it again does nothing.
 * Not to be called from the server's own threads.
 */
void
esplash_sim_server_stop (EsplashSimServer *self)
{
  GThread *thread;

  g_return_if_fail (ESPLASH_IS_SIM_SERVER (self));

  g_mutex_lock (&self->lock);
  thread = g_steal_pointer (&self->thread);
  g_mutex_unlock (&self->lock);
  if (thread == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_thread_join (thread);
  g_socket_close (self->listener, NULL);
}
