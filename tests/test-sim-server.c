/* test-sim-server.c: the RFC 2217 server protocol (pure) and the TCP server
 * around the virtual chip (loopback only).
 *
 * Byte sequences come from RFC 854/2217 and from what pyserial's rfc2217
 * client (used by esptool for rfc2217:// ports) sends and expects.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "esplash-command.h"
#include "esplash-error.h"
#include "esplash-sim-rfc2217.h"
#include "esplash-sim-server.h"
#include "esplash-slip.h"

#define IAC 0xFF
#define SB 0xFA
#define SE 0xF0
#define WILL 0xFB
#define WONT 0xFC
#define DO 0xFD
#define DONT 0xFE
#define COM 0x2C

typedef struct {
  GByteArray *data;
  GByteArray *reply;
  GArray     *actions;
} Output;

static void
output_init (Output *out)
{
  out->data = g_byte_array_new ();
  out->reply = g_byte_array_new ();
  out->actions = g_array_new (FALSE, TRUE, sizeof (EsplashSimRfc2217Action));
}

static void
output_clear (Output *out)
{
  g_byte_array_unref (out->data);
  g_byte_array_unref (out->reply);
  g_array_unref (out->actions);
}

static void
feed (EsplashSimRfc2217 *p,
      const guint8      *in,
      gsize              len,
      Output            *out)
{
  esplash_sim_rfc2217_feed (p, in, len, out->data, out->reply, out->actions);
}

static void
assert_bytes (GByteArray   *got,
              const guint8 *want,
              gsize         want_len)
{
  g_assert_cmpmem (got->data, got->len, want, want_len);
}

static const EsplashSimRfc2217Action *
action (Output *out,
        guint   i)
{
  g_assert_cmpuint (i, <, out->actions->len);
  return &g_array_index (out->actions, EsplashSimRfc2217Action, i);
}

static void
test_greeting (void)
{
  g_autoptr(EsplashSimRfc2217) p = esplash_sim_rfc2217_new (115200, FALSE, FALSE);
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  const guint8 want[] = {
    IAC, WILL, 0x00, IAC, DO, 0x00,   /* BINARY */
    IAC, WILL, 0x03, IAC, DO, 0x03,   /* SUPPRESS-GO-AHEAD */
    IAC, WILL, COM,                   /* COM-PORT-OPTION */
  };

  esplash_sim_rfc2217_greeting (p, reply);
  assert_bytes (reply, want, sizeof want);
}

/* pyserial's opening: DO ECHO, WILL SGA, DO SGA, DO COM-PORT, WILL COM-PORT.
 * Only what changes state is answered: WONT ECHO (unsupported) and DO
 * COM-PORT (the client offers to be the RFC 2217 client). */
static void
test_negotiation (void)
{
  g_autoptr(EsplashSimRfc2217) p = esplash_sim_rfc2217_new (115200, FALSE, FALSE);
  g_autoptr(GByteArray) greeting = g_byte_array_new ();
  const guint8 client[] = {
    IAC, DO, 0x01, IAC, WILL, 0x03, IAC, DO, 0x03, IAC, DO, COM, IAC, WILL, COM,
  };
  const guint8 want[] = { IAC, WONT, 0x01, IAC, DO, COM };
  /* The client accepting our BINARY offers: acknowledgements, not answered. */
  const guint8 binary_acks[] = { IAC, DO, 0x00, IAC, WILL, 0x00, IAC, WILL, COM };
  const guint8 dont_binary[] = { IAC, DONT, 0x00 };
  const guint8 want_wont[] = { IAC, WONT, 0x00 };
  const guint8 unknown_will[] = { IAC, WILL, 0x18 };   /* TERMINAL-TYPE */
  const guint8 want_dont[] = { IAC, DONT, 0x18 };
  Output out;

  esplash_sim_rfc2217_greeting (p, greeting);
  output_init (&out);
  feed (p, client, sizeof client, &out);
  assert_bytes (out.reply, want, sizeof want);
  g_assert_cmpuint (out.data->len, ==, 0);
  g_assert_cmpuint (out.actions->len, ==, 0);

  g_byte_array_set_size (out.reply, 0);
  feed (p, binary_acks, sizeof binary_acks, &out);
  g_assert_cmpuint (out.reply->len, ==, 0);

  /* Turning an active option off is confirmed once, then quiet (no loop). */
  feed (p, dont_binary, sizeof dont_binary, &out);
  assert_bytes (out.reply, want_wont, sizeof want_wont);
  g_byte_array_set_size (out.reply, 0);
  feed (p, dont_binary, sizeof dont_binary, &out);
  g_assert_cmpuint (out.reply->len, ==, 0);

  feed (p, unknown_will, sizeof unknown_will, &out);
  assert_bytes (out.reply, want_dont, sizeof want_dont);
  output_clear (&out);
}

static void
test_data_unescape (void)
{
  g_autoptr(EsplashSimRfc2217) p = esplash_sim_rfc2217_new (115200, FALSE, FALSE);
  const guint8 in[] = { 0xC0, IAC, IAC, 0x01, IAC, 0xF1 /* NOP */, IAC, IAC, IAC, IAC, 0xC0 };
  const guint8 want[] = { 0xC0, 0xFF, 0x01, 0xFF, 0xFF, 0xC0 };
  Output out;

  /* Byte by byte: every split point at once. */
  output_init (&out);
  for (gsize i = 0; i < sizeof in; i++)
    feed (p, in + i, 1, &out);
  assert_bytes (out.data, want, sizeof want);
  g_assert_cmpuint (out.reply->len, ==, 0);
  g_assert_cmpuint (out.actions->len, ==, 0);
  output_clear (&out);
}

static void
test_escape (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const guint8 in[] = { 0xFF, 0x01, 0xFF, 0xFF, 0x02 };
  const guint8 want[] = { 0xFF, 0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 };
  const guint8 plain[] = { 0x00, 0xC0, 0xFE };

  esplash_sim_rfc2217_escape (in, sizeof in, out);
  assert_bytes (out, want, sizeof want);
  g_byte_array_set_size (out, 0);
  esplash_sim_rfc2217_escape (plain, sizeof plain, out);
  assert_bytes (out, plain, sizeof plain);
  g_byte_array_set_size (out, 0);
  esplash_sim_rfc2217_escape (plain, 0, out);
  g_assert_cmpuint (out->len, ==, 0);
}

static void
test_baudrate (void)
{
  g_autoptr(EsplashSimRfc2217) p = esplash_sim_rfc2217_new (115200, FALSE, FALSE);
  /* 460800 = 0x00070800 */
  const guint8 set[] = { IAC, SB, COM, 0x01, 0x00, 0x07, 0x08, 0x00, IAC, SE };
  const guint8 ack[] = { IAC, SB, COM, 0x65, 0x00, 0x07, 0x08, 0x00, IAC, SE };
  /* 0 asks for the current value; no change. */
  const guint8 query[] = { IAC, SB, COM, 0x01, 0x00, 0x00, 0x00, 0x00, IAC, SE };
  /* 65535 = 0x0000FFFF: 0xFF is doubled inside the sub-negotiation both ways. */
  const guint8 set_ff[] = { IAC, SB, COM, 0x01, 0x00, 0x00, IAC, IAC, IAC, IAC, IAC, SE };
  const guint8 ack_ff[] = { IAC, SB, COM, 0x65, 0x00, 0x00, IAC, IAC, IAC, IAC, IAC, SE };
  Output out;

  output_init (&out);
  feed (p, set, sizeof set, &out);
  assert_bytes (out.reply, ack, sizeof ack);
  g_assert_cmpuint (out.actions->len, ==, 1);
  g_assert_cmpint (action (&out, 0)->kind, ==, ESPLASH_RFC2217_ACTION_SET_BAUD);
  g_assert_cmpuint (action (&out, 0)->baud, ==, 460800);
  g_assert_cmpuint (esplash_sim_rfc2217_get_baud (p), ==, 460800);

  g_byte_array_set_size (out.reply, 0);
  feed (p, query, sizeof query, &out);
  assert_bytes (out.reply, ack, sizeof ack);
  g_assert_cmpuint (out.actions->len, ==, 1);

  g_byte_array_set_size (out.reply, 0);
  feed (p, set_ff, sizeof set_ff, &out);
  assert_bytes (out.reply, ack_ff, sizeof ack_ff);
  g_assert_cmpuint (action (&out, 1)->baud, ==, 65535);
  g_assert_cmpuint (out.data->len, ==, 0);
  output_clear (&out);
}

static void
test_serial_settings (void)
{
  g_autoptr(EsplashSimRfc2217) p = esplash_sim_rfc2217_new (115200, FALSE, FALSE);
  /* pyserial's defaults: 8 data bits, parity NONE (1), one stop bit (1). */
  const guint8 in[] = {
    IAC, SB, COM, 0x02, 0x08, IAC, SE,
    IAC, SB, COM, 0x03, 0x01, IAC, SE,
    IAC, SB, COM, 0x04, 0x01, IAC, SE,
    IAC, SB, COM, 0x02, 0x00, IAC, SE,   /* query data size */
    IAC, SB, COM, 0x0A, 0x00, IAC, SE,   /* line-state mask */
    IAC, SB, COM, 0x0B, IAC, IAC, IAC, SE,    /* modem-state mask 0xFF, escaped */
  };
  const guint8 want[] = {
    IAC, SB, COM, 0x66, 0x08, IAC, SE,
    IAC, SB, COM, 0x67, 0x01, IAC, SE,
    IAC, SB, COM, 0x68, 0x01, IAC, SE,
    IAC, SB, COM, 0x66, 0x08, IAC, SE,
    IAC, SB, COM, 0x6E, 0x00, IAC, SE,
    IAC, SB, COM, 0x6F, IAC, IAC, IAC, SE,
  };
  Output out;

  output_init (&out);
  feed (p, in, sizeof in, &out);
  assert_bytes (out.reply, want, sizeof want);
  g_assert_cmpuint (out.actions->len, ==, 0);
  g_assert_cmpuint (out.data->len, ==, 0);
  output_clear (&out);
}

static void
test_control (void)
{
  g_autoptr(EsplashSimRfc2217) p = esplash_sim_rfc2217_new (115200, FALSE, FALSE);
  const guint8 in[] = {
    IAC, SB, COM, 0x05, 0x01, IAC, SE,   /* no flow control */
    IAC, SB, COM, 0x05, 0x08, IAC, SE,   /* DTR on */
    IAC, SB, COM, 0x05, 0x0B, IAC, SE,   /* RTS on */
    IAC, SB, COM, 0x05, 0x07, IAC, SE,   /* DTR? */
    IAC, SB, COM, 0x05, 0x09, IAC, SE,   /* DTR off */
    IAC, SB, COM, 0x05, 0x0A, IAC, SE,   /* RTS? */
    IAC, SB, COM, 0x05, 0x0C, IAC, SE,   /* RTS off */
    IAC, SB, COM, 0x05, 0x07, IAC, SE,   /* DTR? */
  };
  const guint8 want[] = {
    IAC, SB, COM, 0x69, 0x01, IAC, SE,
    IAC, SB, COM, 0x69, 0x08, IAC, SE,
    IAC, SB, COM, 0x69, 0x0B, IAC, SE,
    IAC, SB, COM, 0x69, 0x08, IAC, SE,
    IAC, SB, COM, 0x69, 0x09, IAC, SE,
    IAC, SB, COM, 0x69, 0x0B, IAC, SE,
    IAC, SB, COM, 0x69, 0x0C, IAC, SE,
    IAC, SB, COM, 0x69, 0x09, IAC, SE,
  };
  const struct { gboolean dtr, rts; } lines[] = {
    { TRUE, FALSE }, { TRUE, TRUE }, { FALSE, TRUE }, { FALSE, FALSE },
  };
  Output out;

  output_init (&out);
  feed (p, in, sizeof in, &out);
  assert_bytes (out.reply, want, sizeof want);
  g_assert_cmpuint (out.actions->len, ==, G_N_ELEMENTS (lines));
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_assert_cmpint (action (&out, i)->kind, ==, ESPLASH_RFC2217_ACTION_SET_LINES);
      g_assert_cmpint (action (&out, i)->dtr, ==, lines[i].dtr);
      g_assert_cmpint (action (&out, i)->rts, ==, lines[i].rts);
    }
  g_assert_false (esplash_sim_rfc2217_get_dtr (p));
  g_assert_false (esplash_sim_rfc2217_get_rts (p));
  output_clear (&out);
}

static void
test_purge (void)
{
  g_autoptr(EsplashSimRfc2217) p = esplash_sim_rfc2217_new (115200, FALSE, FALSE);
  const guint8 in[] = {
    IAC, SB, COM, 0x0C, 0x01, IAC, SE,   /* receive buffer: the chip's output */
    IAC, SB, COM, 0x0C, 0x02, IAC, SE,   /* transmit buffer: nothing is held */
    IAC, SB, COM, 0x0C, 0x03, IAC, SE,
  };
  const guint8 want[] = {
    IAC, SB, COM, 0x70, 0x01, IAC, SE,
    IAC, SB, COM, 0x70, 0x02, IAC, SE,
    IAC, SB, COM, 0x70, 0x03, IAC, SE,
  };
  Output out;

  output_init (&out);
  feed (p, in, sizeof in, &out);
  assert_bytes (out.reply, want, sizeof want);
  g_assert_cmpuint (out.actions->len, ==, 2);
  g_assert_cmpint (action (&out, 0)->kind, ==, ESPLASH_RFC2217_ACTION_PURGE);
  g_assert_cmpint (action (&out, 1)->kind, ==, ESPLASH_RFC2217_ACTION_PURGE);
  output_clear (&out);
}

static void
test_modemstate_poll (void)
{
  g_autoptr(EsplashSimRfc2217) p = esplash_sim_rfc2217_new (115200, FALSE, FALSE);
  /* pyserial's poll_modem option sends NOTIFY-MODEMSTATE without a value and
   * waits for a SERVER_NOTIFY_MODEMSTATE (107). */
  const guint8 in[] = { IAC, SB, COM, 0x07, IAC, SE };
  const guint8 suspend[] = { IAC, SB, COM, 0x08, IAC, SE };
  const guint8 resume[] = { IAC, SB, COM, 0x09, IAC, SE };
  Output out;

  output_init (&out);
  feed (p, in, sizeof in, &out);
  g_assert_cmpuint (out.reply->len, ==, 7);
  g_assert_cmpuint (out.reply->data[3], ==, 107);

  g_byte_array_set_size (out.reply, 0);
  feed (p, suspend, sizeof suspend, &out);
  g_assert_true (esplash_sim_rfc2217_is_output_suspended (p));
  feed (p, resume, sizeof resume, &out);
  g_assert_false (esplash_sim_rfc2217_is_output_suspended (p));
  g_assert_cmpuint (out.reply->len, ==, 0);   /* notifications are not answered */
  output_clear (&out);
}

/* Data and actions stay in stream order: bytes before a baud change are
 * written at the old baud. */
static void
test_order (void)
{
  g_autoptr(EsplashSimRfc2217) p = esplash_sim_rfc2217_new (115200, FALSE, FALSE);
  const guint8 in[] = {
    'a', 'b', IAC, SB, COM, 0x05, 0x08, IAC, SE,
    'c', IAC, SB, COM, 0x01, 0x00, 0x00, 0x25, 0x80, IAC, SE, 'd',
  };
  Output out;

  output_init (&out);
  feed (p, in, sizeof in, &out);
  assert_bytes (out.data, (const guint8 *) "abcd", 4);
  g_assert_cmpuint (out.actions->len, ==, 2);
  g_assert_cmpuint (action (&out, 0)->data_end, ==, 2);
  g_assert_cmpuint (action (&out, 1)->data_end, ==, 3);
  g_assert_cmpuint (action (&out, 1)->baud, ==, 9600);
  output_clear (&out);
}

/* Any split of a stream across reads gives the same result as one read. */
static void
test_split (void)
{
  const guint8 in[] = {
    IAC, DO, 0x01, 'x', IAC, IAC,
    IAC, SB, COM, 0x01, 0x00, 0x00, IAC, IAC, IAC, IAC, IAC, SE,
    'y', IAC, SB, COM, 0x05, 0x0B, IAC, SE,
    IAC, SB, COM, 0x0C, 0x01, IAC, SE, 'z',
  };
  g_autoptr(EsplashSimRfc2217) whole = esplash_sim_rfc2217_new (115200, FALSE, FALSE);
  Output ref;

  output_init (&ref);
  feed (whole, in, sizeof in, &ref);
  g_assert_cmpuint (ref.actions->len, ==, 3);
  assert_bytes (ref.data, (const guint8 *) "x\377yz", 4);

  for (gsize a = 0; a <= sizeof in; a++)
    for (gsize b = a; b <= sizeof in; b++)
      {
        g_autoptr(EsplashSimRfc2217) p = esplash_sim_rfc2217_new (115200, FALSE, FALSE);
        Output out;

        output_init (&out);
        feed (p, in, a, &out);
        feed (p, in + a, b - a, &out);
        feed (p, in + b, sizeof in - b, &out);
        assert_bytes (out.data, ref.data->data, ref.data->len);
        assert_bytes (out.reply, ref.reply->data, ref.reply->len);
        g_assert_cmpmem (out.actions->data, out.actions->len * sizeof (EsplashSimRfc2217Action),
                         ref.actions->data, ref.actions->len * sizeof (EsplashSimRfc2217Action));
        output_clear (&out);
      }
  output_clear (&ref);
}

static void
test_malformed (void)
{
  g_autoptr(EsplashSimRfc2217) p = esplash_sim_rfc2217_new (115200, FALSE, FALSE);
  const guint8 in[] = {
    IAC, SB, 0x18, 0x01, IAC, SE,             /* another option's SB: ignored */
    IAC, SB, IAC, SE,                         /* empty SB */
    IAC, SB, COM, 0x05, IAC, SE,              /* SET-CONTROL without a value */
    IAC, SB, COM, 0x05, 0x08, IAC, DO, 0x01,  /* SB cut short by a command */
    'k', IAC, SE,                             /* stray SE */
    IAC, SB, COM, 0x63, IAC, SE,              /* unknown command */
    IAC, SB, COM, 0x01,                       /* SB longer than any value: dropped */
  };
  guint8 long_sb[200];
  const guint8 end[] = { IAC, SE, 'm' };
  const guint8 want_reply[] = { IAC, WONT, 0x01 };
  Output out;

  memset (long_sb, 0x01, sizeof long_sb);
  output_init (&out);
  feed (p, in, sizeof in, &out);
  feed (p, long_sb, sizeof long_sb, &out);
  feed (p, end, sizeof end, &out);
  assert_bytes (out.data, (const guint8 *) "km", 2);
  assert_bytes (out.reply, want_reply, sizeof want_reply);
  g_assert_cmpuint (out.actions->len, ==, 0);
  output_clear (&out);
}

/* ------------------------------------------------------------ the server */

#define WAIT_US (5 * G_USEC_PER_SEC)

/* The client end of a connection, with its own small Telnet decoder (the
 * client side of the protocol, written apart from the server's parser). */
typedef struct {
  GSocketConnection *connection;
  GSocket    *socket;
  gboolean    telnet;
  gint        state;     /* 0 data, 1 IAC, 2 option, 3 SB, 4 SB IAC */
  guint8      verb;
  GByteArray *sb;
  GPtrArray  *sbs;       /* GByteArray: complete sub-negotiations, not yet claimed */
  GByteArray *options;   /* (verb, option) pairs received */
  GByteArray *data;      /* serial data, unescaped */
  gboolean    eof;
} Peer;

static Peer *
peer_connect (guint16  port,
              gboolean telnet)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  Peer *peer = g_new0 (Peer, 1);

  peer->connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  peer->socket = g_socket_connection_get_socket (peer->connection);
  peer->telnet = telnet;
  peer->sb = g_byte_array_new ();
  peer->sbs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  peer->options = g_byte_array_new ();
  peer->data = g_byte_array_new ();
  return peer;
}

static void
peer_free (Peer *peer)
{
  g_object_unref (peer->connection);
  g_byte_array_unref (peer->sb);
  g_ptr_array_unref (peer->sbs);
  g_byte_array_unref (peer->options);
  g_byte_array_unref (peer->data);
  g_free (peer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

static void
peer_decode (Peer         *peer,
             const guint8 *in,
             gsize         len)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 b = in[i];

      if (!peer->telnet)
        {
          g_byte_array_append (peer->data, &b, 1);
          continue;
        }
      switch (peer->state)
        {
        case 0:
          if (b == IAC)
            peer->state = 1;
          else
            g_byte_array_append (peer->data, &b, 1);
          break;
        case 1:
          peer->state = 0;
          if (b == IAC)
            g_byte_array_append (peer->data, &b, 1);
          else if (b == SB)
            {
              g_byte_array_set_size (peer->sb, 0);
              peer->state = 3;
            }
          else if (b >= WILL)
            {
              peer->verb = b;
              peer->state = 2;
            }
          break;
        case 2:
          g_byte_array_append (peer->options, &peer->verb, 1);
          g_byte_array_append (peer->options, &b, 1);
          peer->state = 0;
          break;
        case 3:
          if (b == IAC)
            peer->state = 4;
          else
            g_byte_array_append (peer->sb, &b, 1);
          break;
        case 4:
          if (b == SE)
            {
              GByteArray *copy = g_byte_array_new ();

              g_byte_array_append (copy, peer->sb->data, peer->sb->len);
              g_ptr_array_add (peer->sbs, copy);
              peer->state = 0;
            }
          else
            {
              g_byte_array_append (peer->sb, &b, 1);
              peer->state = 3;
            }
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* Receives once, waiting up to @timeout_us; FALSE on timeout or EOF. */
static gboolean
peer_pump (Peer   *peer,
           gint64  timeout_us)
{
  g_autoptr(GError) error = NULL;
  guint8 buf[4096];
  gssize n;

  if (!g_socket_condition_timed_wait (peer->socket, G_IO_IN, timeout_us, NULL, &error))
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
      return FALSE;
    }
  n = g_socket_receive (peer->socket, (gchar *) buf, sizeof buf, NULL, &error);
  if (n <= 0)
    {
      peer->eof = TRUE;
      return FALSE;
    }
  peer_decode (peer, buf, (gsize) n);
  return TRUE;
}

static void
peer_send (Peer         *peer,
           const guint8 *data,
           gsize         len)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (peer->connection)),
                                           data, len, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

/* Waits for the sub-negotiation @want (COM-PORT-OPTION … without IAC SB/SE). */
static void
peer_expect_sb (Peer         *peer,
                const guint8 *want,
                gsize         len)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  for (;;)
    {
      for (guint i = 0; i < peer->sbs->len; i++)
        {
          GByteArray *sb = g_ptr_array_index (peer->sbs, i);

          if (sb->len == len && memcmp (sb->data, want, len) == 0)
            {
              g_ptr_array_remove_index (peer->sbs, i);
              return;
            }
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      peer_pump (peer, deadline - g_get_monotonic_time ());
    }
}

static void
peer_expect_option (Peer   *peer,
                    guint8  verb,
                    guint8  option)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  for (;;)
    {
      for (guint i = 0; i + 1 < peer->options->len; i += 2)
        if (peer->options->data[i] == verb && peer->options->data[i + 1] == option)
          return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      peer_pump (peer, deadline - g_get_monotonic_time ());
    }
}

static void
peer_send_sync (Peer *peer)
{
  guint8 payload[36] = { 0x07, 0x07, 0x12, 0x20 };
  g_autoptr(GBytes) packet = NULL;
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GByteArray) wire = g_byte_array_new ();

  memset (payload + 4, 0x55, 32);
  packet = esplash_command_build (ESPLASH_OP_SYNC, payload, sizeof payload, 0);
  esplash_slip_encode (g_bytes_get_data (packet, NULL), g_bytes_get_size (packet), frame);
  if (peer->telnet)
    {
      /* The client side escapes on its own (not with the code under test). */
      for (guint i = 0; i < frame->len; i++)
        {
          g_byte_array_append (wire, &frame->data[i], 1);
          if (frame->data[i] == IAC)
            g_byte_array_append (wire, &frame->data[i], 1);
        }
      peer_send (peer, wire->data, wire->len);
    }
  else
    {
      peer_send (peer, frame->data, frame->len);
    }
}

/* Waits for a SYNC response frame (direction 1, opcode 0x08) in the data. */
static void
peer_expect_sync_reply (Peer *peer)
{
  g_autoptr(EsplashSlipDecoder) decoder = esplash_slip_decoder_new (ESPLASH_SLIP_DEFAULT_MAX_FRAME);
  gint64 deadline = g_get_monotonic_time () + WAIT_US;
  guint used = 0;

  for (;;)
    {
      for (; used < peer->data->len; used++)
        {
          if (esplash_slip_decoder_push (decoder, peer->data->data[used], NULL) == ESPLASH_SLIP_FRAME)
            {
              g_autoptr(GBytes) frame = esplash_slip_decoder_take_frame (decoder);
              const guint8 *f = g_bytes_get_data (frame, NULL);

              if (g_bytes_get_size (frame) >= 8 && f[0] == 0x01 && f[1] == ESPLASH_OP_SYNC)
                {
                  g_byte_array_remove_range (peer->data, 0, used + 1);
                  return;
                }
            }
        }
      g_assert_false (peer->eof);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      peer_pump (peer, deadline - g_get_monotonic_time ());
    }
}

/* Reads until the server closes the connection; fails after @timeout_us. */
static void
peer_expect_eof (Peer   *peer,
                 gint64  timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (!peer->eof)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      peer_pump (peer, deadline - g_get_monotonic_time ());
    }
}

static EsplashSim *
new_sim (EsplashSimBootMode boot)
{
  EsplashSimOptions options;

  esplash_sim_options_init (&options, ESPLASH_CHIP_ESP32);
  options.boot_mode = boot;
  return esplash_sim_new (&options);
}

/* Index of the first event at or after @from that equals @line, or -1. */
static gint
find_event (EsplashSim *sim,
            const char *line,
            gint        from)
{
  g_auto(GStrv) events = esplash_sim_dup_events (sim);

  for (gint i = MAX (from, 0); events[i] != NULL; i++)
    if (g_str_equal (events[i], line))
      return i;
  return -1;
}

static gboolean
has_event_prefix (EsplashSim *sim,
                  const char *prefix)
{
  g_auto(GStrv) events = esplash_sim_dup_events (sim);

  for (guint i = 0; events[i] != NULL; i++)
    if (g_str_has_prefix (events[i], prefix))
      return TRUE;
  return FALSE;
}

static void
test_raw_round_trip (void)
{
  g_autoptr(EsplashSim) sim = new_sim (ESPLASH_SIM_BOOT_DOWNLOAD);
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashSimServer) server = esplash_sim_server_new (sim, FALSE, 0, &error);
  guint resets;

  g_assert_no_error (error);
  g_assert_cmpuint (esplash_sim_server_get_port (server), !=, 0);
  g_assert_cmpint (esplash_sim_get_state (sim), ==, ESPLASH_SIM_STATE_ROM_LOADER);
  resets = esplash_sim_get_reset_count (sim);

  {
    g_autoptr(Peer) peer = peer_connect (esplash_sim_server_get_port (server), FALSE);

    /* The power-on banner went out while no port was open: it is gone. */
    g_assert_false (peer_pump (peer, 100 * G_TIME_SPAN_MILLISECOND));
    g_assert_cmpuint (peer->data->len, ==, 0);
    peer_send_sync (peer);
    peer_expect_sync_reply (peer);
  }

  /* The board stays powered between clients: no reset, same state. */
  {
    g_autoptr(Peer) peer = peer_connect (esplash_sim_server_get_port (server), FALSE);

    peer_send_sync (peer);
    peer_expect_sync_reply (peer);
  }
  g_assert_cmpuint (esplash_sim_get_reset_count (sim), ==, resets);
  g_assert_cmpint (esplash_sim_get_state (sim), ==, ESPLASH_SIM_STATE_ROM_LOADER);
  /* A raw client has no control lines. */
  g_assert_false (has_event_prefix (sim, "lines "));

  esplash_sim_server_stop (server);
}

static void
send_control (Peer   *peer,
              guint8  value)
{
  const guint8 request[] = { IAC, SB, COM, 0x05, value, IAC, SE };
  const guint8 ack[] = { COM, 0x69, value };

  peer_send (peer, request, sizeof request);
  peer_expect_sb (peer, ack, sizeof ack);
}

static void
rfc2217_open (Peer *peer)
{
  /* What pyserial sends first. */
  const guint8 opening[] = {
    IAC, DO, 0x01, IAC, WILL, 0x03, IAC, DO, 0x03, IAC, DO, COM, IAC, WILL, COM,
  };

  peer_expect_option (peer, WILL, COM);
  peer_expect_option (peer, WILL, 0x00);
  peer_expect_option (peer, DO, 0x00);
  peer_send (peer, opening, sizeof opening);
  peer_expect_option (peer, DO, COM);
}

static void
test_rfc2217_server (void)
{
  g_autoptr(EsplashSim) sim = new_sim (ESPLASH_SIM_BOOT_FLASH);
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashSimServer) server = esplash_sim_server_new (sim, TRUE, 0, &error);
  guint16 port;
  gint mark, i1, i2, i3;
  guint resets;

  g_assert_no_error (error);
  port = esplash_sim_server_get_port (server);
  g_assert_cmpint (esplash_sim_get_state (sim), !=, ESPLASH_SIM_STATE_ROM_LOADER);

  {
    g_autoptr(Peer) peer = peer_connect (port, TRUE);
    const guint8 baud_460800[] = { IAC, SB, COM, 0x01, 0x00, 0x07, 0x08, 0x00, IAC, SE };
    const guint8 ack_460800[] = { COM, 0x65, 0x00, 0x07, 0x08, 0x00 };
    const guint8 baud_115200[] = { IAC, SB, COM, 0x01, 0x00, 0x01, 0xC2, 0x00, IAC, SE };
    const guint8 ack_115200[] = { COM, 0x65, 0x00, 0x01, 0xC2, 0x00 };
    /* Classic reset's middle step in one write: DTR on, RTS off (EN rises
     * with the strap low, within the EN capacitor's delay). */
    const guint8 release[] = { IAC, SB, COM, 0x05, 0x08, IAC, SE, IAC, SB, COM, 0x05, 0x0C, IAC, SE };
    const guint8 ack_dtr_on[] = { COM, 0x69, 0x08 };
    const guint8 ack_rts_off[] = { COM, 0x69, 0x0C };
    const guint8 purge[] = { IAC, SB, COM, 0x0C, 0x01, IAC, SE };
    const guint8 ack_purge[] = { COM, 0x70, 0x01 };

    rfc2217_open (peer);

    peer_send (peer, baud_460800, sizeof baud_460800);
    peer_expect_sb (peer, ack_460800, sizeof ack_460800);
    g_assert_cmpint (find_event (sim, "host-baud 460800", 0), >=, 0);
    peer_send (peer, baud_115200, sizeof baud_115200);
    peer_expect_sb (peer, ack_115200, sizeof ack_115200);

    /* Each change reaches the chip's lines, in order. */
    {
      g_auto(GStrv) before = esplash_sim_dup_events (sim);
      mark = g_strv_length (before);
    }
    send_control (peer, 0x0B);   /* RTS on */
    send_control (peer, 0x08);   /* DTR on */
    send_control (peer, 0x0C);   /* RTS off */
    i1 = find_event (sim, "lines dtr=0 rts=1", mark);
    i2 = find_event (sim, "lines dtr=1 rts=1", i1);
    i3 = find_event (sim, "lines dtr=1 rts=0", i2);
    g_assert_cmpint (i1, >=, 0);
    g_assert_cmpint (i2, >, i1);
    g_assert_cmpint (i3, >, i2);

    /* A classic reset into the ROM loader, driven over the network. */
    send_control (peer, 0x09);   /* DTR off */
    send_control (peer, 0x0B);   /* RTS on: EN low */
    g_usleep (100 * G_TIME_SPAN_MILLISECOND);
    peer_send (peer, release, sizeof release);
    peer_expect_sb (peer, ack_dtr_on, sizeof ack_dtr_on);
    peer_expect_sb (peer, ack_rts_off, sizeof ack_rts_off);
    g_usleep (50 * G_TIME_SPAN_MILLISECOND);
    send_control (peer, 0x09);   /* DTR off */
    g_assert_cmpint (esplash_sim_get_state (sim), ==, ESPLASH_SIM_STATE_ROM_LOADER);

    peer_send (peer, purge, sizeof purge);
    peer_expect_sb (peer, ack_purge, sizeof ack_purge);
    g_byte_array_set_size (peer->data, 0);   /* as pyserial does on the ack */
    peer_send_sync (peer);
    peer_expect_sync_reply (peer);

    /* Leave DTR asserted: the server releases it when the client goes. */
    send_control (peer, 0x08);
  }

  resets = esplash_sim_get_reset_count (sim);
  {
    g_autoptr(Peer) peer = peer_connect (port, TRUE);
    const guint8 ack_dtr_off[] = { COM, 0x69, 0x09 };
    const guint8 query_dtr[] = { IAC, SB, COM, 0x05, 0x07, IAC, SE };

    rfc2217_open (peer);
    peer_send (peer, query_dtr, sizeof query_dtr);
    peer_expect_sb (peer, ack_dtr_off, sizeof ack_dtr_off);
    g_assert_cmpint (find_event (sim, "lines dtr=0 rts=0", 0), >=, 0);

    /* Same chip, still in the ROM loader. */
    peer_send_sync (peer);
    peer_expect_sync_reply (peer);
  }
  g_assert_cmpuint (esplash_sim_get_reset_count (sim), ==, resets);
  g_assert_cmpint (esplash_sim_get_state (sim), ==, ESPLASH_SIM_STATE_ROM_LOADER);

  esplash_sim_server_stop (server);
}

static void
test_stop (void)
{
  g_autoptr(EsplashSim) sim = new_sim (ESPLASH_SIM_BOOT_DOWNLOAD);
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashSimServer) server = esplash_sim_server_new (sim, TRUE, 0, &error);
  g_autoptr(Peer) peer = NULL;
  gint64 start;

  g_assert_no_error (error);
  peer = peer_connect (esplash_sim_server_get_port (server), TRUE);
  peer_expect_option (peer, WILL, COM);

  start = g_get_monotonic_time ();
  esplash_sim_server_stop (server);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2);
  peer_expect_eof (peer, G_USEC_PER_SEC);

  esplash_sim_server_stop (server);   /* twice is fine */
  g_clear_object (&server);

  /* A stopped server's port is free again. */
  {
    g_autoptr(EsplashSimServer) idle = esplash_sim_server_new (sim, FALSE, 0, &error);

    g_assert_no_error (error);
    start = g_get_monotonic_time ();
    g_clear_object (&idle);   /* dispose stops */
    g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2);
  }
}

static void
test_unplug (void)
{
  g_autoptr(EsplashSim) sim = new_sim (ESPLASH_SIM_BOOT_DOWNLOAD);
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashSimServer) server = esplash_sim_server_new (sim, FALSE, 0, &error);
  g_autoptr(Peer) peer = NULL;

  g_assert_no_error (error);
  peer = peer_connect (esplash_sim_server_get_port (server), FALSE);
  peer_send_sync (peer);
  peer_expect_sync_reply (peer);

  /* The port vanishing ends the connection, like a USB cable pulled. */
  esplash_sim_unplug (sim);
  peer_expect_eof (peer, G_USEC_PER_SEC);
  esplash_sim_server_stop (server);
}

static void
test_port_in_use (void)
{
  g_autoptr(EsplashSim) sim = new_sim (ESPLASH_SIM_BOOT_DOWNLOAD);
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashSimServer) first = esplash_sim_server_new (sim, FALSE, 0, &error);
  g_autoptr(EsplashSimServer) second = NULL;

  g_assert_no_error (error);
  second = esplash_sim_server_new (sim, TRUE, esplash_sim_server_get_port (first), &error);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_BUSY);
  g_assert_null (second);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/sim-server/rfc2217/greeting", test_greeting);
  g_test_add_func ("/esplash/sim-server/rfc2217/negotiation", test_negotiation);
  g_test_add_func ("/esplash/sim-server/rfc2217/data-unescape", test_data_unescape);
  g_test_add_func ("/esplash/sim-server/rfc2217/escape", test_escape);
  g_test_add_func ("/esplash/sim-server/rfc2217/baudrate", test_baudrate);
  g_test_add_func ("/esplash/sim-server/rfc2217/serial-settings", test_serial_settings);
  g_test_add_func ("/esplash/sim-server/rfc2217/control", test_control);
  g_test_add_func ("/esplash/sim-server/rfc2217/purge", test_purge);
  g_test_add_func ("/esplash/sim-server/rfc2217/modemstate-poll", test_modemstate_poll);
  g_test_add_func ("/esplash/sim-server/rfc2217/order", test_order);
  g_test_add_func ("/esplash/sim-server/rfc2217/split", test_split);
  g_test_add_func ("/esplash/sim-server/rfc2217/malformed", test_malformed);
  g_test_add_func ("/esplash/sim-server/server/raw-round-trip", test_raw_round_trip);
  g_test_add_func ("/esplash/sim-server/server/rfc2217", test_rfc2217_server);
  g_test_add_func ("/esplash/sim-server/server/stop", test_stop);
  g_test_add_func ("/esplash/sim-server/server/unplug", test_unplug);
  g_test_add_func ("/esplash/sim-server/server/port-in-use", test_port_in_use);

  return g_test_run ();
}
