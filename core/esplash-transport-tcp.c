/* esplash-transport-tcp.c: socket:// (raw TCP) and rfc2217:// ports.
 *
 * RFC 2217 is Telnet (RFC 854) with the COM-PORT-OPTION (44): the client
 * sends IAC SB 44 <cmd> <value> IAC SE and the server answers with
 * cmd + 100. Data bytes equal to IAC (0xFF) are doubled on the wire. The
 * servers this must work with (ser2net, pyserial's PortManager and
 * esptool's esp_rfc2217_server) do not all acknowledge every command, so
 * acknowledgements are awaited for a bounded time and a command the
 * server never answers is not waited for again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-transport-tcp.h"
#include "esplash-transport-private.h"

#include "esplash-error.h"
#include "esplash-port-url.h"
#include "esplash-telnet-rx-private.h"

#include <string.h>

#ifdef G_OS_UNIX
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

#define CONNECT_TIMEOUT_S 10
#define WRITE_TIMEOUT_MS  10000
#define ACK_TIMEOUT_MS    1000
/* Received serial data not yet read is kept up to this much; more is
 * dropped, as a UART's receive buffer overruns. Reads take data as it comes,
 * so only waits for the server's acknowledgements (up to ACK_TIMEOUT_MS,
 * while resetting) let it pile up — and a peer that floods the line must not
 * make that a memory problem. */
#define RX_CAP            (256 * 1024)

/* Command values */
enum { CONTROL_NO_FLOW = 1, CONTROL_DTR_ON = 8, CONTROL_DTR_OFF = 9, CONTROL_RTS_ON = 11,
       CONTROL_RTS_OFF = 12, PARITY_NONE = 1, STOPSIZE_1 = 1, PURGE_RECEIVE = 1 };

struct _EsplashTransportTcp
{
  EsplashTransport   parent_instance;

  GSocketConnection *connection;
  GSocket           *socket;
  char              *peer;          /* "host:port" for messages */
  gboolean           rfc2217;
  guint              ack_timeout_ms;
  gboolean           ignore_control_acks;

  GByteArray        *rx;            /* received data, telnet commands removed */
  guint64            rx_overrun;    /* bytes dropped at RX_CAP */

  /* telnet receive parser and the server's answers */
  EsplashTelnetRx    telnet;
  gboolean           never_acked[CPO_N_COMMANDS];

  /* whether the server's DTR/RTS match what the base class recorded */
  gboolean           lines_known;
};

G_DEFINE_FINAL_TYPE (EsplashTransportTcp, esplash_transport_tcp, ESPLASH_TYPE_TRANSPORT)

/* ---- socket I/O ----------------------------------------------------- */

static gboolean
send_all (EsplashTransportTcp  *self,
          const guint8         *buf,
          gsize                 len,
          GError              **error)
{
  gint64 deadline = g_get_monotonic_time () + WRITE_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  gsize done = 0;

  while (done < len)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n;

      n = g_socket_send (self->socket, (const char *) buf + done, len - done, NULL, &local_error);
      if (n > 0)
        {
          done += (gsize) n;
          continue;
        }
      if (n < 0 && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE,
                       "Cannot write to %s: %s", self->peer, local_error->message);
          return FALSE;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT,
                       "Timed out writing to %s: the server accepted no data for %d s",
                       self->peer, WRITE_TIMEOUT_MS / 1000);
          return FALSE;
        }
      g_socket_condition_timed_wait (self->socket, G_IO_OUT,
                                     deadline - g_get_monotonic_time (), NULL, NULL);
    }
  return TRUE;
}

static gboolean
send_com_port (EsplashTransportTcp  *self,
               guint8                command,
               const guint8         *value,
               gsize                 value_len,
               GError              **error)
{
  g_autoptr(GByteArray) msg = g_byte_array_sized_new (16);
  const guint8 head[4] = { TELNET_IAC, TELNET_SB, OPT_COM_PORT, command };
  const guint8 tail[2] = { TELNET_IAC, TELNET_SE };

  g_byte_array_append (msg, head, sizeof head);
  for (gsize i = 0; i < value_len; i++)
    {
      g_byte_array_append (msg, &value[i], 1);
      if (value[i] == TELNET_IAC)
        g_byte_array_append (msg, &value[i], 1);
    }
  g_byte_array_append (msg, tail, sizeof tail);

  g_debug ("%s: RFC 2217 command %u", self->peer, command);
  self->telnet.reply_seen[command] = FALSE;
  return send_all (self, msg->data, msg->len, error);
}

/* Waits up to @timeout_us for bytes and takes in what is there.
 * Returns FALSE with @error on a closed or failed connection. */
static gboolean
pump (EsplashTransportTcp  *self,
      gint64                timeout_us,
      GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  guint8 buf[4096];
  gssize n;

  if (timeout_us > 0 &&
      !g_socket_condition_timed_wait (self->socket, G_IO_IN, timeout_us, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        return TRUE;
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE,
                   "Cannot read from %s: %s", self->peer, local_error->message);
      return FALSE;
    }

  n = g_socket_receive (self->socket, (char *) buf, sizeof buf, NULL, &local_error);
  if (n < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return TRUE;
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE,
                   "Cannot read from %s: %s", self->peer, local_error->message);
      return FALSE;
    }
  if (n == 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE,
                   "The server %s closed the connection", self->peer);
      return FALSE;
    }

  if (self->rfc2217)
    {
      g_autoptr(GByteArray) answers = g_byte_array_new ();

      esplash_telnet_rx_feed (&self->telnet, buf, (gsize) n, self->rx, answers);
      /* Best effort: a failed send shows up on the next write. */
      if (answers->len > 0)
        send_all (self, answers->data, answers->len, NULL);
    }
  else
    g_byte_array_append (self->rx, buf, (guint) n);

  if (self->rx->len > RX_CAP)
    {
      if (self->rx_overrun == 0)
        g_debug ("%s: more than %u bytes received and not read: dropping the rest",
                 self->peer, RX_CAP);
      self->rx_overrun += self->rx->len - RX_CAP;
      g_byte_array_set_size (self->rx, RX_CAP);
    }
  return TRUE;
}

/* Waits (bounded, one deadline for all) for the server's answers to
 * @commands. A server that does not answer is not an error: the command is
 * remembered and not waited for again. */
static gboolean
wait_replies (EsplashTransportTcp  *self,
              const guint8         *commands,
              gsize                 n_commands,
              GError              **error)
{
  gint64 deadline = g_get_monotonic_time () + self->ack_timeout_ms * G_TIME_SPAN_MILLISECOND;

  for (gsize i = 0; i < n_commands; i++)
    {
      guint8 command = commands[i];

      while (!self->never_acked[command] && !self->telnet.reply_seen[command])
        {
          gint64 remaining = deadline - g_get_monotonic_time ();

          if (remaining <= 0)
            {
              g_debug ("%s: no answer to RFC 2217 command %u within %u ms; "
                       "not waiting for it again", self->peer, command, self->ack_timeout_ms);
              self->never_acked[command] = TRUE;
              break;
            }
          if (!pump (self, remaining, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
wait_reply (EsplashTransportTcp  *self,
            guint8                command,
            GError              **error)
{
  return wait_replies (self, &command, 1, error);
}

static gboolean
send_baud (EsplashTransportTcp  *self,
           guint                 baud,
           GError              **error)
{
  const guint8 value[4] = { baud >> 24, baud >> 16, baud >> 8, baud };

  return send_com_port (self, CPO_SET_BAUDRATE, value, sizeof value, error);
}

/* A server answers SET-BAUDRATE with the rate now in force. */
static gboolean
check_baud_reply (EsplashTransportTcp  *self,
                  guint                 baud,
                  GError              **error)
{
  if (self->telnet.reply_seen[CPO_SET_BAUDRATE] &&
      self->telnet.reply_value[CPO_SET_BAUDRATE] != baud)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                   "The RFC 2217 server %s did not accept %u baud (it answered %u)",
                   self->peer, baud, self->telnet.reply_value[CPO_SET_BAUDRATE]);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_baud_rfc2217 (EsplashTransportTcp  *self,
                  guint                 baud,
                  GError              **error)
{
  return send_baud (self, baud, error) &&
         wait_reply (self, CPO_SET_BAUDRATE, error) &&
         check_baud_reply (self, baud, error);
}

static gboolean
send_control (EsplashTransportTcp  *self,
              guint8                control,
              GError              **error)
{
  if (!send_com_port (self, CPO_SET_CONTROL, &control, 1, error))
    return FALSE;
  if (self->ignore_control_acks)
    return TRUE;
  return wait_reply (self, CPO_SET_CONTROL, error);
}

/* Negotiates the options and sets 115200 8N1, no flow control. */
static gboolean
start_rfc2217 (EsplashTransportTcp  *self,
               GError              **error)
{
  static const guint8 settings[][2] = {
    { CPO_SET_DATASIZE, 8 },
    { CPO_SET_PARITY, PARITY_NONE },
    { CPO_SET_STOPSIZE, STOPSIZE_1 },
    { CPO_SET_CONTROL, CONTROL_NO_FLOW },
  };
  static const guint8 all_commands[] = {
    CPO_SET_BAUDRATE, CPO_SET_DATASIZE, CPO_SET_PARITY, CPO_SET_STOPSIZE, CPO_SET_CONTROL,
  };
  static const guint8 offers[] = {
    TELNET_IAC, TELNET_WILL, OPT_BINARY, TELNET_IAC, TELNET_DO, OPT_BINARY,
    TELNET_IAC, TELNET_WILL, OPT_SGA, TELNET_IAC, TELNET_DO, OPT_SGA,
    TELNET_IAC, TELNET_WILL, OPT_COM_PORT,
  };
  gint64 deadline;

  self->telnet.local_opt[OPT_BINARY] = OPT_WANT_YES;
  self->telnet.remote_opt[OPT_BINARY] = OPT_WANT_YES;
  self->telnet.local_opt[OPT_SGA] = OPT_WANT_YES;
  self->telnet.remote_opt[OPT_SGA] = OPT_WANT_YES;
  self->telnet.local_opt[OPT_COM_PORT] = OPT_WANT_YES;

  if (!send_all (self, offers, sizeof offers, error))
    return FALSE;

  deadline = g_get_monotonic_time () + self->ack_timeout_ms * G_TIME_SPAN_MILLISECOND;
  while (self->telnet.local_opt[OPT_COM_PORT] == OPT_WANT_YES)
    {
      gint64 remaining = deadline - g_get_monotonic_time ();

      if (remaining <= 0)
        {
          g_debug ("%s: no answer to WILL COM-PORT-OPTION; going on", self->peer);
          break;
        }
      if (!pump (self, remaining, error))
        return FALSE;
    }
  if (self->telnet.local_opt[OPT_COM_PORT] == OPT_NO)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                   "The server %s does not support RFC 2217 (it refused COM-PORT-OPTION); "
                   "for a raw TCP port use socket://", self->peer);
      return FALSE;
    }

  /* All settings first, then the answers under one deadline, so a server
   * that answers none of them costs one timeout, not five. */
  if (!send_baud (self, 115200, error))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (settings); i++)
    {
      if (!send_com_port (self, settings[i][0], &settings[i][1], 1, error))
        return FALSE;
    }
  return wait_replies (self, all_commands, G_N_ELEMENTS (all_commands), error) &&
         check_baud_reply (self, 115200, error);
}

static void
set_connect_error (GError      **error,
                   const char   *peer,
                   GError       *local_error)
{
  EsplashError code = ESPLASH_ERROR_FAILED;
  const char *reason = local_error->message;

  if (g_error_matches (local_error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND) ||
      g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
      g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    code = ESPLASH_ERROR_NOT_FOUND;
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    code = ESPLASH_ERROR_TIMED_OUT;

  /* GSocketClient already says "Could not connect to HOST: "; keep only
   * the reason so the message does not repeat itself. */
  if (g_str_has_prefix (reason, "Could not connect to ") && strstr (reason, ": ") != NULL)
    reason = strstr (reason, ": ") + 2;

  g_set_error (error, ESPLASH_ERROR, code, "Could not connect to %s: %s", peer, reason);
}

/**
 * esplash_transport_tcp_open:
 * @url: "socket://HOST:PORT" or "rfc2217://HOST:PORT[?options]"
 * @error: return location for an error
 *
 * rfc2217 options (as pyserial): `ign_set_control` (do not wait for the
 * server to acknowledge DTR/RTS), `timeout=SECONDS` (how long to wait for
 * acknowledgements, default 1), `logging=…` and `poll_modem` (ignored).
 *
 * Returns: (transfer full): the connected transport, or %NULL
 */
EsplashTransport *
esplash_transport_tcp_open (const char  *url,
                            GError     **error)
{
  g_autoptr(EsplashTransportTcp) self = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) address = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(EsplashPortUrl) parsed = { 0 };
  const char *host;
  guint16 port;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!esplash_port_url_parse (url, &parsed, error))
    return NULL;
  host = parsed.host;
  port = parsed.port;

  self = g_object_new (ESPLASH_TYPE_TRANSPORT_TCP, NULL);
  self->rfc2217 = parsed.rfc2217;
  self->ignore_control_acks = parsed.ignore_control_acks;
  if (parsed.ack_timeout_ms != 0)
    self->ack_timeout_ms = parsed.ack_timeout_ms;
  self->peer = strchr (host, ':') != NULL ? g_strdup_printf ("[%s]:%u", host, port)
                                          : g_strdup_printf ("%s:%u", host, port);

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_S);
  address = g_network_address_new (host, port);
  self->connection = g_socket_client_connect (client, address, NULL, &local_error);
  if (self->connection == NULL)
    {
      set_connect_error (error, self->peer, local_error);
      return NULL;
    }

  self->socket = g_object_ref (g_socket_connection_get_socket (self->connection));
  g_socket_set_timeout (self->socket, 0);
  g_socket_set_blocking (self->socket, FALSE);
#if defined(G_OS_UNIX) && defined(TCP_NODELAY)
  /* Protocol packets are small and latency-bound; Nagle would delay them. */
  if (!g_socket_set_option (self->socket, IPPROTO_TCP, TCP_NODELAY, 1, &local_error))
    {
      g_debug ("%s: cannot set TCP_NODELAY: %s", self->peer, local_error->message);
      g_clear_error (&local_error);
    }
#endif

  if (self->rfc2217 && !start_rfc2217 (self, error))
    {
      g_prefix_error (error, "Setting up the RFC 2217 port %s: ", self->peer);
      return NULL;
    }

  esplash_transport_set_info (ESPLASH_TRANSPORT (self),
                              self->rfc2217 ? ESPLASH_TRANSPORT_KIND_RFC2217
                                            : ESPLASH_TRANSPORT_KIND_SOCKET,
                              url, self->rfc2217, 115200, 0, 0);
  g_debug ("Connected to %s (%s)", self->peer, self->rfc2217 ? "RFC 2217" : "raw TCP");

  return ESPLASH_TRANSPORT (g_steal_pointer (&self));
}

/* ---- vfuncs --------------------------------------------------------- */

static gssize
esplash_transport_tcp_read (EsplashTransport  *transport,
                            guint8            *buf,
                            gsize              len,
                            guint              timeout_ms,
                            GError           **error)
{
  EsplashTransportTcp *self = ESPLASH_TRANSPORT_TCP (transport);
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  gsize n;

  /* Telnet commands can arrive without data, so wait until data or time. */
  while (self->rx->len == 0)
    {
      gint64 remaining = deadline - g_get_monotonic_time ();

      if (remaining <= 0)
        return 0;
      if (!pump (self, remaining, error))
        return -1;
    }

  n = MIN (len, self->rx->len);
  memcpy (buf, self->rx->data, n);
  g_byte_array_remove_range (self->rx, 0, (guint) n);
  return (gssize) n;
}

static gboolean
esplash_transport_tcp_write (EsplashTransport  *transport,
                             const guint8      *buf,
                             gsize              len,
                             GError           **error)
{
  EsplashTransportTcp *self = ESPLASH_TRANSPORT_TCP (transport);
  g_autoptr(GByteArray) escaped = NULL;

  if (!self->rfc2217 || memchr (buf, TELNET_IAC, len) == NULL)
    return send_all (self, buf, len, error);

  escaped = g_byte_array_sized_new ((guint) (len + len / 16 + 1));
  for (gsize i = 0; i < len; i++)
    {
      g_byte_array_append (escaped, &buf[i], 1);
      if (buf[i] == TELNET_IAC)
        g_byte_array_append (escaped, &buf[i], 1);
    }
  return send_all (self, escaped->data, escaped->len, error);
}

/* Raw sockets have no baud: the base class records the value only. */
static gboolean
esplash_transport_tcp_set_baud (EsplashTransport  *transport,
                                guint              baud,
                                GError           **error)
{
  EsplashTransportTcp *self = ESPLASH_TRANSPORT_TCP (transport);

  if (!self->rfc2217)
    return TRUE;
  return set_baud_rfc2217 (self, baud, error);
}

/* RFC 2217 sets one line per command. As esptool does through pyserial,
 * an RTS change is followed by re-sending DTR; a line whose server state is
 * not known yet (right after connecting) is always sent. */
static gboolean
esplash_transport_tcp_set_lines (EsplashTransport  *transport,
                                 gboolean           dtr,
                                 gboolean           rts,
                                 GError           **error)
{
  EsplashTransportTcp *self = ESPLASH_TRANSPORT_TCP (transport);
  gboolean rts_changed = !self->lines_known || rts != esplash_transport_get_rts (transport);
  gboolean dtr_changed = !self->lines_known || dtr != esplash_transport_get_dtr (transport);

  if (!self->rfc2217)
    return TRUE;

  if (rts_changed && !send_control (self, rts ? CONTROL_RTS_ON : CONTROL_RTS_OFF, error))
    return FALSE;
  if ((rts_changed || dtr_changed) &&
      !send_control (self, dtr ? CONTROL_DTR_ON : CONTROL_DTR_OFF, error))
    return FALSE;

  self->lines_known = TRUE;
  return TRUE;
}

static gboolean
esplash_transport_tcp_flush_input (EsplashTransport  *transport,
                                   GError           **error)
{
  EsplashTransportTcp *self = ESPLASH_TRANSPORT_TCP (transport);

  if (self->rfc2217)
    {
      const guint8 what = PURGE_RECEIVE;

      /* Data that arrives before the server's answer predates the purge. */
      if (!send_com_port (self, CPO_PURGE_DATA, &what, 1, error) ||
          !wait_reply (self, CPO_PURGE_DATA, error))
        return FALSE;
    }
  else
    {
      /* Take in whatever is already on the socket without waiting. */
      guint guard = 0;

      while (g_socket_condition_check (self->socket, G_IO_IN) != 0 && guard++ < 64)
        {
          if (!pump (self, 0, error))
            return FALSE;
        }
    }

  g_byte_array_set_size (self->rx, 0);
  return TRUE;
}

static void
esplash_transport_tcp_close (EsplashTransport *transport)
{
  EsplashTransportTcp *self = ESPLASH_TRANSPORT_TCP (transport);

  if (self->connection != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_clear_object (&self->socket);
  g_clear_object (&self->connection);
}

static void
esplash_transport_tcp_finalize (GObject *object)
{
  EsplashTransportTcp *self = ESPLASH_TRANSPORT_TCP (object);

  g_clear_pointer (&self->rx, g_byte_array_unref);
  g_free (self->peer);

  G_OBJECT_CLASS (esplash_transport_tcp_parent_class)->finalize (object);
}

static void
esplash_transport_tcp_class_init (EsplashTransportTcpClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EsplashTransportClass *transport_class = ESPLASH_TRANSPORT_CLASS (klass);

  object_class->finalize = esplash_transport_tcp_finalize;

  transport_class->read = esplash_transport_tcp_read;
  transport_class->write = esplash_transport_tcp_write;
  transport_class->set_baud = esplash_transport_tcp_set_baud;
  transport_class->set_lines = esplash_transport_tcp_set_lines;
  transport_class->flush_input = esplash_transport_tcp_flush_input;
  transport_class->close = esplash_transport_tcp_close;
}

static void
esplash_transport_tcp_init (EsplashTransportTcp *self)
{
  self->rx = g_byte_array_new ();
  self->ack_timeout_ms = ACK_TIMEOUT_MS;
}
