/* test-transport-tcp.c: socket:// and rfc2217:// transports against tiny
 * in-test servers on loopback, URL handling, serial open errors and port
 * classification.
 *
 * Wire bytes expected here come from RFC 854 (IAC 255, SB 250, SE 240,
 * WILL 251, DO 253) and RFC 2217 (COM-PORT-OPTION 44, SET-BAUDRATE 1,
 * SET-DATASIZE 2, SET-PARITY 3 (1 = NONE), SET-STOPSIZE 4, SET-CONTROL 5
 * (1 no flow control, 8/9 DTR on/off, 11/12 RTS on/off), PURGE-DATA 12
 * (1 = receive buffer)); the USB ids from protocol.md §6 and the vendors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE  /* posix_openpt, ptsname */
#include "config.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esplash.h"

/* ---- a tiny threaded loopback server -------------------------------- */

typedef enum {
  SERVER_ECHO,      /* raw: echo every byte */
  SERVER_SILENT,    /* raw: read and say nothing */
  SERVER_RFC2217,   /* telnet: answer options, ack COM-PORT commands, echo data */
  SERVER_RFC2217_NO_ACK, /* as above, but never answers COM-PORT commands */
} ServerMode;

typedef struct {
  ServerMode  mode;
  GSocket    *listener;
  guint16     port;
  GThread    *thread;
  GMutex      lock;
  GPtrArray  *subnegotiations;  /* hex strings of the wire bytes IAC SB … IAC SE */
  GByteArray *wire_data;        /* data bytes as seen on the wire (escaped) */
} Server;

static char *
hex (const guint8 *data,
     gsize         len)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02X", data[i]);
  return g_string_free (s, FALSE);
}

static void
server_send (GSocket      *sock,
             const guint8 *data,
             gsize         len)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = g_socket_send (sock, (const char *) data + done, len - done, NULL, NULL);

      if (n <= 0)
        return;
      done += (gsize) n;
    }
}

/* Sends pieces with pauses so the client sees telnet commands split
 * across reads. */
static void
send_split_commands (GSocket *sock)
{
  static const guint8 p1[] = { 'x', 0xFF };
  static const guint8 p2[] = { 0xFF, 'y', 0xFF, 0xFA, 44 };
  static const guint8 p3[] = { 107, 0x30, 0xFF, 0xF0, 'z', 0xFF };
  static const guint8 p4[] = { 0xF1 };  /* IAC NOP */
  static const guint8 p5[] = { 0xFF, 0xFB };
  static const guint8 p6[] = { 3, '!' };  /* IAC WILL SGA, then data */
  const struct { const guint8 *d; gsize n; } parts[] = {
    { p1, sizeof p1 }, { p2, sizeof p2 }, { p3, sizeof p3 },
    { p4, sizeof p4 }, { p5, sizeof p5 }, { p6, sizeof p6 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      server_send (sock, parts[i].d, parts[i].n);
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
}

typedef enum { T_DATA, T_IAC, T_OPT, T_SB, T_SB_IAC } TelnetState;

static gpointer
server_thread (gpointer data)
{
  Server *server = data;
  g_autoptr(GSocket) sock = g_socket_accept (server->listener, NULL, NULL);
  g_autoptr(GByteArray) sb = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  TelnetState state = T_DATA;
  guint8 verb = 0;
  gboolean answered[2][256] = { { FALSE } };

  if (sock == NULL)
    return NULL;
  g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  for (;;)
    {
      guint8 buf[1024];
      gssize n = g_socket_receive (sock, (char *) buf, sizeof buf, NULL, NULL);

      if (n <= 0)
        break;
      if (server->mode == SERVER_SILENT)
        continue;
      if (server->mode == SERVER_ECHO)
        {
          server_send (sock, buf, (gsize) n);
          continue;
        }

      g_byte_array_set_size (out, 0);
      for (gssize i = 0; i < n; i++)
        {
          guint8 b = buf[i];

          switch (state)
            {
            case T_DATA:
              if (b == 0xFF)
                {
                  state = T_IAC;
                  break;
                }
              g_mutex_lock (&server->lock);
              g_byte_array_append (server->wire_data, &b, 1);
              g_mutex_unlock (&server->lock);
              if (b == 'S')
                send_split_commands (sock);
              else
                g_byte_array_append (out, &b, 1);
              break;
            case T_IAC:
              if (b == 0xFF)
                {
                  g_mutex_lock (&server->lock);
                  g_byte_array_append (server->wire_data, (const guint8[]) { 0xFF, 0xFF }, 2);
                  g_mutex_unlock (&server->lock);
                  g_byte_array_append (out, (const guint8[]) { 0xFF, 0xFF }, 2);
                  state = T_DATA;
                }
              else if (b == 0xFA)
                {
                  g_byte_array_set_size (sb, 0);
                  g_byte_array_append (sb, (const guint8[]) { 0xFF, 0xFA }, 2);
                  state = T_SB;
                }
              else if (b >= 0xFB && b <= 0xFE)
                {
                  verb = b;
                  state = T_OPT;
                }
              else
                state = T_DATA;
              break;
            case T_OPT:
              {
                /* Agree to everything once: WILL → DO, DO → WILL. */
                gboolean is_will = verb == 0xFB;
                gboolean is_do = verb == 0xFD;

                if ((is_will || is_do) && !answered[is_do][b])
                  {
                    answered[is_do][b] = TRUE;
                    g_byte_array_append (out, (const guint8[]) { 0xFF, is_will ? 0xFD : 0xFB, b }, 3);
                  }
                state = T_DATA;
              }
              break;
            case T_SB:
              g_byte_array_append (sb, &b, 1);
              if (b == 0xFF)
                state = T_SB_IAC;
              break;
            case T_SB_IAC:
              g_byte_array_append (sb, &b, 1);
              if (b == 0xFF)
                state = T_SB;
              else
                {
                  state = T_DATA;
                  if (b != 0xF0)
                    break;
                  g_mutex_lock (&server->lock);
                  g_ptr_array_add (server->subnegotiations, hex (sb->data, sb->len));
                  g_mutex_unlock (&server->lock);
                  /* Answer: same bytes with cmd + 100 (the value echoed). */
                  if (server->mode == SERVER_RFC2217 && sb->len >= 6 && sb->data[2] == 44)
                    {
                      sb->data[3] += 100;
                      g_byte_array_append (out, sb->data, sb->len);
                    }
                }
              break;
            default:
              g_assert_not_reached ();
            }
        }
      if (out->len > 0)
        server_send (sock, out->data, out->len);
    }
  return NULL;
}

static Server *
server_start (ServerMode mode)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  server->mode = mode;
  g_mutex_init (&server->lock);
  server->subnegotiations = g_ptr_array_new_with_free_func (g_free);
  server->wire_data = g_byte_array_new ();
  server->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (server->listener, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (server->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (server->listener, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  server->thread = g_thread_new ("test-server", server_thread, server);
  return server;
}

/* Call after the client closed, so the server thread sees EOF. */
static void
server_stop (Server *server)
{
  if (server->thread != NULL)
    g_thread_join (server->thread);
  g_object_unref (server->listener);
  g_ptr_array_unref (server->subnegotiations);
  g_byte_array_unref (server->wire_data);
  g_mutex_clear (&server->lock);
  g_free (server);
}

static char *
server_url (Server     *server,
            const char *scheme,
            const char *options)
{
  return g_strdup_printf ("%s://127.0.0.1:%u%s", scheme, server->port, options);
}

/* Reads exactly @len bytes or fails the test. */
static void
read_exactly (EsplashTransport *t,
              guint8           *buf,
              gsize             len)
{
  gsize got = 0;
  gint64 deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

  while (got < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = esplash_transport_read (t, buf + got, len - got, 500, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >=, 0);
      got += (gsize) n;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
}

/* Takes the recorded sub-negotiations and forgets them. */
static char *
take_subnegotiations (Server *server)
{
  g_autofree char *joined = NULL;

  g_mutex_lock (&server->lock);
  g_ptr_array_add (server->subnegotiations, NULL);
  joined = g_strjoinv (" ", (char **) server->subnegotiations->pdata);
  g_ptr_array_set_size (server->subnegotiations, 0);
  g_mutex_unlock (&server->lock);
  return g_steal_pointer (&joined);
}

/* ---- raw socket ----------------------------------------------------- */

static void
test_socket_round_trip (void)
{
  Server *server = server_start (SERVER_ECHO);
  g_autofree char *url = server_url (server, "socket", "");
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = esplash_transport_open (url, &error);
  const guint8 msg[] = { 0xC0, 0x00, 0xFF, 0xDB, 'h', 'i', 0xFF, 0xC0 };
  guint8 back[sizeof msg] = { 0 };

  g_assert_no_error (error);
  g_assert_true (ESPLASH_IS_TRANSPORT_TCP (t));
  g_assert_cmpint (esplash_transport_get_kind (t), ==, ESPLASH_TRANSPORT_KIND_SOCKET);
  g_assert_false (esplash_transport_has_lines (t));
  g_assert_cmpstr (esplash_transport_get_url (t), ==, url);
  g_assert_cmpuint (esplash_transport_get_usb_vid (t), ==, 0);

  g_assert_true (esplash_transport_write (t, msg, sizeof msg, &error));
  g_assert_no_error (error);
  read_exactly (t, back, sizeof back);
  g_assert_cmpmem (back, sizeof back, msg, sizeof msg);

  /* No baud and no lines on a raw socket: accepted, recorded, no bytes sent. */
  g_assert_true (esplash_transport_set_baud (t, 460800, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (esplash_transport_get_baud (t), ==, 460800);
  g_assert_true (esplash_transport_set_lines (t, TRUE, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (esplash_transport_flush_input (t, &error));
  g_assert_no_error (error);
  g_assert_true (esplash_transport_drain (t, &error));
  g_assert_no_error (error);
  g_assert_cmpint (esplash_transport_read (t, back, sizeof back, 100, NULL, &error), ==, 0);
  g_assert_no_error (error);

  esplash_transport_close (t);
  g_assert_true (esplash_transport_is_closed (t));
  esplash_transport_close (t);
  g_assert_false (esplash_transport_write (t, msg, 1, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "closed"));
  g_clear_error (&error);
  g_assert_cmpint (esplash_transport_read (t, back, 1, 10, NULL, &error), ==, -1);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED);
  g_clear_error (&error);

  server_stop (server);
}

static void
test_socket_flush_input (void)
{
  Server *server = server_start (SERVER_ECHO);
  g_autofree char *url = server_url (server, "socket", "");
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = esplash_transport_open (url, &error);
  guint8 buf[16];

  g_assert_no_error (error);
  g_assert_true (esplash_transport_write (t, (const guint8 *) "stale", 5, &error));
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);  /* let the echo arrive */
  g_assert_true (esplash_transport_flush_input (t, &error));
  g_assert_no_error (error);
  g_assert_true (esplash_transport_write (t, (const guint8 *) "new", 3, &error));
  read_exactly (t, buf, 3);
  g_assert_cmpmem (buf, 3, "new", 3);

  g_clear_object (&t);
  server_stop (server);
}

static void
test_socket_read_timeout (void)
{
  Server *server = server_start (SERVER_SILENT);
  g_autofree char *url = server_url (server, "socket", "");
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = esplash_transport_open (url, &error);
  guint8 buf[4];
  gint64 start;
  gint64 elapsed_ms;

  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  g_assert_cmpint (esplash_transport_read (t, buf, sizeof buf, 150, NULL, &error), ==, 0);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_no_error (error);
  g_assert_cmpint (elapsed_ms, >=, 150);
  g_assert_cmpint (elapsed_ms, <, 400);

  g_clear_object (&t);
  server_stop (server);
}

typedef struct {
  GCancellable *cancellable;
  gint64        cancelled_at;
} CancelData;

static gpointer
cancel_thread (gpointer data)
{
  CancelData *cd = data;

  g_usleep (150 * G_TIME_SPAN_MILLISECOND);
  cd->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cd->cancellable);
  return NULL;
}

static void
test_socket_cancel (void)
{
  Server *server = server_start (SERVER_SILENT);
  g_autofree char *url = server_url (server, "socket", "");
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = esplash_transport_open (url, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CancelData cd = { cancellable, 0 };
  GThread *thread;
  guint8 buf[4];
  gint64 returned_at;

  g_assert_no_error (error);
  thread = g_thread_new ("canceller", cancel_thread, &cd);
  g_assert_cmpint (esplash_transport_read (t, buf, sizeof buf, 10000, cancellable, &error), ==, -1);
  returned_at = g_get_monotonic_time ();
  g_thread_join (thread);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "Operation was cancelled");
  g_assert_cmpint (returned_at - cd.cancelled_at, <, 100 * G_TIME_SPAN_MILLISECOND);

  g_clear_object (&t);
  server_stop (server);
}

/* ---- RFC 2217 ------------------------------------------------------- */

static void
test_rfc2217_commands (void)
{
  Server *server = server_start (SERVER_RFC2217);
  g_autofree char *url = server_url (server, "rfc2217", "");
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = esplash_transport_open (url, &error);
  g_autofree char *connect_sb = NULL;
  char *sb;

  g_assert_no_error (error);
  g_assert_cmpint (esplash_transport_get_kind (t), ==, ESPLASH_TRANSPORT_KIND_RFC2217);
  g_assert_true (esplash_transport_has_lines (t));
  g_assert_cmpuint (esplash_transport_get_baud (t), ==, 115200);

  /* 115200 = 0x0001C200, 8 data bits, no parity, 1 stop bit, no flow control. */
  connect_sb = take_subnegotiations (server);
  g_assert_cmpstr (connect_sb, ==,
                   "FFFA2C010001C200FFF0 FFFA2C0208FFF0 FFFA2C0301FFF0 "
                   "FFFA2C0401FFF0 FFFA2C0501FFF0");

  /* 460800 = 0x00070800 */
  g_assert_true (esplash_transport_set_baud (t, 460800, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (esplash_transport_get_baud (t), ==, 460800);
  sb = take_subnegotiations (server);
  g_assert_cmpstr (sb, ==, "FFFA2C0100070800FFF0");
  g_free (sb);

  /* The server's lines are unknown after connecting: both are sent,
   * RTS (12 = off) first, then DTR (8 = on). */
  g_assert_true (esplash_transport_set_lines (t, TRUE, FALSE, &error));
  g_assert_no_error (error);
  sb = take_subnegotiations (server);
  g_assert_cmpstr (sb, ==, "FFFA2C050CFFF0 FFFA2C0508FFF0");
  g_free (sb);
  g_assert_true (esplash_transport_get_dtr (t));
  g_assert_false (esplash_transport_get_rts (t));

  /* An RTS change re-sends DTR afterwards (esptool's usbser.sys rule). */
  g_assert_true (esplash_transport_set_rts (t, TRUE, &error));
  sb = take_subnegotiations (server);
  g_assert_cmpstr (sb, ==, "FFFA2C050BFFF0 FFFA2C0508FFF0");
  g_free (sb);

  /* A DTR change alone sends only DTR (9 = off). */
  g_assert_true (esplash_transport_set_dtr (t, FALSE, &error));
  sb = take_subnegotiations (server);
  g_assert_cmpstr (sb, ==, "FFFA2C0509FFF0");
  g_free (sb);
  g_assert_false (esplash_transport_get_dtr (t));
  g_assert_true (esplash_transport_get_rts (t));

  g_assert_true (esplash_transport_flush_input (t, &error));
  g_assert_no_error (error);
  sb = take_subnegotiations (server);
  g_assert_cmpstr (sb, ==, "FFFA2C0C01FFF0");
  g_free (sb);

  g_clear_object (&t);
  server_stop (server);
}

static void
test_rfc2217_data_escaping (void)
{
  Server *server = server_start (SERVER_RFC2217);
  g_autofree char *url = server_url (server, "rfc2217", "");
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = esplash_transport_open (url, &error);
  const guint8 msg[] = { 0x01, 0xFF, 0x02, 0xFF, 0xFF, 0xC0 };
  const guint8 on_wire[] = { 0x01, 0xFF, 0xFF, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xC0 };
  guint8 back[sizeof msg] = { 0 };

  g_assert_no_error (error);
  g_assert_true (esplash_transport_write (t, msg, sizeof msg, &error));
  g_assert_no_error (error);
  read_exactly (t, back, sizeof back);
  g_assert_cmpmem (back, sizeof back, msg, sizeof msg);

  g_mutex_lock (&server->lock);
  g_assert_cmpmem (server->wire_data->data, server->wire_data->len, on_wire, sizeof on_wire);
  g_mutex_unlock (&server->lock);

  g_clear_object (&t);
  server_stop (server);
}

/* The server answers 'S' with data interleaved with IAC IAC, a
 * notification sub-negotiation, IAC NOP and IAC WILL SGA, each split across
 * TCP segments; only the data must come out. */
static void
test_rfc2217_split_commands (void)
{
  Server *server = server_start (SERVER_RFC2217);
  g_autofree char *url = server_url (server, "rfc2217", "");
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = esplash_transport_open (url, &error);
  const guint8 expected[] = { 'x', 0xFF, 'y', 'z', '!' };
  guint8 back[sizeof expected] = { 0 };
  guint8 extra;

  g_assert_no_error (error);
  g_assert_true (esplash_transport_write (t, (const guint8 *) "S", 1, &error));
  read_exactly (t, back, sizeof back);
  g_assert_cmpmem (back, sizeof back, expected, sizeof expected);
  g_assert_cmpint (esplash_transport_read (t, &extra, 1, 100, NULL, &error), ==, 0);
  g_assert_no_error (error);

  g_clear_object (&t);
  server_stop (server);
}

/* A server that never acknowledges costs one bounded wait, not a failure. */
static void
test_rfc2217_no_ack (void)
{
  Server *server = server_start (SERVER_RFC2217_NO_ACK);
  g_autofree char *url = server_url (server, "rfc2217", "?timeout=0.2");
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autofree char *sb = NULL;

  t = esplash_transport_open (url, &error);
  g_assert_no_error (error);
  g_assert_true (esplash_transport_set_baud (t, 921600, &error));
  g_assert_true (esplash_transport_set_lines (t, FALSE, TRUE, &error));
  g_assert_true (esplash_transport_set_lines (t, TRUE, FALSE, &error));
  g_assert_true (esplash_transport_flush_input (t, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_TIME_SPAN_SECOND);

  /* Everything still went out, in order. 921600 = 0x000E1000 */
  g_clear_object (&t);
  g_thread_join (g_steal_pointer (&server->thread));
  sb = take_subnegotiations (server);
  g_assert_cmpstr (sb, ==,
                   "FFFA2C010001C200FFF0 FFFA2C0208FFF0 FFFA2C0301FFF0 "
                   "FFFA2C0401FFF0 FFFA2C0501FFF0 "
                   "FFFA2C01000E1000FFF0 "
                   "FFFA2C050BFFF0 FFFA2C0509FFF0 "
                   "FFFA2C050CFFF0 FFFA2C0508FFF0 "
                   "FFFA2C0C01FFF0");
  server_stop (server);
}

/* ---- URLs and connect errors ---------------------------------------- */

static void
test_bad_urls (void)
{
  const char *urls[] = {
    "socket://", "socket://host", "socket://host:99999", "socket://host:0",
    "socket://:4000", "socket://host:12ab", "socket://::1:4000", "rfc2217://[::1",
    "rfc2217://[::1]", "rfc2217://host:4000?bogus", "foo://x", "",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EsplashTransport) t = esplash_transport_open (urls[i], &error);

      g_test_message ("URL “%s”: %s", urls[i], error != NULL ? error->message : "(none)");
      g_assert_null (t);
      g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_connect_refused (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = NULL;
  g_autofree char *url = NULL;
  g_autofree char *prefix = NULL;
  guint16 port;

  /* A port that was just free: bound, not listening, then closed. */
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (sock, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (sock, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (sock, NULL);

  url = g_strdup_printf ("socket://127.0.0.1:%u", port);
  t = esplash_transport_open (url, &error);
  g_assert_null (t);
  g_assert_nonnull (error);
  g_assert_true (error->domain == ESPLASH_ERROR);
  g_test_message ("%s", error->message);
  prefix = g_strdup_printf ("Could not connect to 127.0.0.1:%u: ", port);
  g_assert_true (g_str_has_prefix (error->message, prefix));
}

/* ---- serial open errors --------------------------------------------- */

static void
test_serial_not_found (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = esplash_transport_open ("/dev/ttyUSB-esplash-no-such-port", &error);

  g_assert_null (t);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/dev/ttyUSB-esplash-no-such-port"));
}

static void
test_serial_pty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = NULL;
  const char *name;
  int master = posix_openpt (O_RDWR | O_NOCTTY);

  if (master < 0 || grantpt (master) != 0 || unlockpt (master) != 0 ||
      (name = ptsname (master)) == NULL)
    {
      g_test_skip ("no pseudo-terminals here");
      return;
    }

  /* Debian 12's libserialport cannot open a pty; whatever the library,
   * the result must be a clean error or a working port. */
  t = esplash_transport_open (name, &error);
  if (t == NULL)
    {
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_true (error->domain == ESPLASH_ERROR);
      g_assert_nonnull (strstr (error->message, name));
    }
  else
    {
      g_assert_no_error (error);
      g_assert_true (esplash_transport_has_lines (t));
    }
  g_clear_object (&t);
  close (master);
}

/* ---- port classification -------------------------------------------- */

typedef struct {
  guint16          vid, pid;
  EsplashPortKind  kind;
  const char      *name_part;
  gboolean         looks_like_esp;
} ClassifyCase;

static void
test_port_classify (void)
{
  const ClassifyCase cases[] = {
    { 0x303A, 0x1001, ESPLASH_PORT_KIND_ESPRESSIF_USB, "Espressif USB-Serial/JTAG", TRUE },
    { 0x303A, 0x0009, ESPLASH_PORT_KIND_ESPRESSIF_USB, "ESP32-S3 (USB-OTG)", TRUE },
    { 0x303A, 0x0002, ESPLASH_PORT_KIND_ESPRESSIF_USB, "ESP32-S2 (USB-OTG)", TRUE },
    { 0x303A, 0x4001, ESPLASH_PORT_KIND_ESPRESSIF_USB, "Espressif", TRUE },
    { 0x10C4, 0xEA60, ESPLASH_PORT_KIND_USB_BRIDGE, "CP210x", TRUE },
    { 0x1A86, 0x7523, ESPLASH_PORT_KIND_USB_BRIDGE, "CH340", TRUE },
    { 0x1A86, 0x5523, ESPLASH_PORT_KIND_USB_BRIDGE, "CH341", TRUE },
    { 0x1A86, 0x55D4, ESPLASH_PORT_KIND_USB_BRIDGE, "CH9102", TRUE },
    { 0x1A86, 0x55D3, ESPLASH_PORT_KIND_USB_BRIDGE, "CH343", TRUE },
    { 0x0403, 0x6001, ESPLASH_PORT_KIND_USB_BRIDGE, "FT232R", FALSE },
    { 0x0403, 0x6010, ESPLASH_PORT_KIND_USB_BRIDGE, "FT2232H", TRUE },
    { 0x0403, 0x6014, ESPLASH_PORT_KIND_USB_BRIDGE, "FT232H", FALSE },
    { 0x0403, 0x6015, ESPLASH_PORT_KIND_USB_BRIDGE, "FT230X", FALSE },
    { 0x067B, 0x2303, ESPLASH_PORT_KIND_USB_BRIDGE, "PL2303", FALSE },
    { 0x2341, 0x0043, ESPLASH_PORT_KIND_OTHER, "Arduino Uno", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      EsplashPortInfo info = { 0 };
      g_autoptr(EsplashPortInfo) copy = NULL;

      info.path = (char *) "/dev/ttyACM0";
      info.usb_vid = cases[i].vid;
      info.usb_pid = cases[i].pid;
      info.product = (char *) "Arduino Uno";
      esplash_port_info_classify (&info);

      g_test_message ("%04X:%04X → %s", cases[i].vid, cases[i].pid, info.friendly_name);
      g_assert_cmpint (info.kind, ==, cases[i].kind);
      g_assert_cmpint (info.looks_like_esp, ==, cases[i].looks_like_esp);
      g_assert_nonnull (strstr (info.friendly_name, cases[i].name_part));

      copy = esplash_port_info_copy (&info);
      g_assert_cmpstr (copy->friendly_name, ==, info.friendly_name);
      g_assert_true (copy->friendly_name != info.friendly_name);
      g_assert_cmpstr (copy->path, ==, info.path);
      g_free (info.friendly_name);
    }
}

static void
test_port_classify_native (void)
{
  g_autoptr(EsplashPortInfo) info = g_new0 (EsplashPortInfo, 1);

  info->path = g_strdup ("/dev/ttyS0");
  info->kind = ESPLASH_PORT_KIND_NATIVE;
  esplash_port_info_classify (info);
  g_assert_cmpint (info->kind, ==, ESPLASH_PORT_KIND_NATIVE);
  g_assert_cmpstr (info->friendly_name, ==, "ttyS0");
  g_assert_false (info->looks_like_esp);

  info->description = g_strdup ("Bluetooth serial");
  info->kind = ESPLASH_PORT_KIND_BLUETOOTH;
  esplash_port_info_classify (info);
  g_assert_cmpint (info->kind, ==, ESPLASH_PORT_KIND_BLUETOOTH);
  g_assert_cmpstr (info->friendly_name, ==, "Bluetooth serial");
}

static void
test_port_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ports = esplash_port_list (&error);

  g_assert_no_error (error);
  g_assert_nonnull (ports);
  for (guint i = 0; i < ports->len; i++)
    {
      EsplashPortInfo *info = g_ptr_array_index (ports, i);

      g_assert_nonnull (info->path);
      g_assert_nonnull (info->friendly_name);
      /* likely ESP ports come first */
      if (i > 0 && info->looks_like_esp)
        g_assert_true (((EsplashPortInfo *) g_ptr_array_index (ports, i - 1))->looks_like_esp);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/transport/socket/round-trip", test_socket_round_trip);
  g_test_add_func ("/esplash/transport/socket/flush-input", test_socket_flush_input);
  g_test_add_func ("/esplash/transport/socket/read-timeout", test_socket_read_timeout);
  g_test_add_func ("/esplash/transport/socket/cancel", test_socket_cancel);
  g_test_add_func ("/esplash/transport/rfc2217/commands", test_rfc2217_commands);
  g_test_add_func ("/esplash/transport/rfc2217/data-escaping", test_rfc2217_data_escaping);
  g_test_add_func ("/esplash/transport/rfc2217/split-commands", test_rfc2217_split_commands);
  g_test_add_func ("/esplash/transport/rfc2217/no-ack", test_rfc2217_no_ack);
  g_test_add_func ("/esplash/transport/url/invalid", test_bad_urls);
  g_test_add_func ("/esplash/transport/connect/refused", test_connect_refused);
  g_test_add_func ("/esplash/transport/serial/not-found", test_serial_not_found);
  g_test_add_func ("/esplash/transport/serial/pty", test_serial_pty);
  g_test_add_func ("/esplash/port/classify", test_port_classify);
  g_test_add_func ("/esplash/port/classify-native", test_port_classify_native);
  g_test_add_func ("/esplash/port/list", test_port_list);

  return g_test_run ();
}
