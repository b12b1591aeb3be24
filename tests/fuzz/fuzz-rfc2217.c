/* fuzz-rfc2217.c: both Telnet/RFC 2217 parsers on arbitrary bytes — the
 * client's receive side (esplash-telnet-rx, used by rfc2217:// ports) and
 * the virtual chip's server (esplash-sim-rfc2217).
 *
 * Input: byte 0 picks the chunk size for the split run (bits 0-3, + 1) and,
 * bit 7, a client that has sent its offers (as esplash_transport_tcp_open
 * does) rather than a fresh one. The rest goes to both parsers, once whole
 * and once in chunks: sequences may be split anywhere, so both runs must
 * agree. Then what each side answered goes to the other side, which must
 * find no serial data in it, and serial data escaped by the server must
 * reach the client unchanged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-telnet-rx-private.h"
#include "esplash-sim-rfc2217.h"
#include "fuzz.h"

typedef struct {
  GByteArray *data;
  GByteArray *reply;
  GArray     *actions;
} Out;

static void
out_init (Out *o)
{
  o->data = g_byte_array_new ();
  o->reply = g_byte_array_new ();
  o->actions = g_array_new (FALSE, TRUE, sizeof (EsplashSimRfc2217Action));
}

static void
out_clear (Out *o)
{
  g_byte_array_unref (o->data);
  g_byte_array_unref (o->reply);
  g_array_unref (o->actions);
}

static gboolean
bytes_equal (const GByteArray *a,
             const GByteArray *b)
{
  return a->len == b->len && (a->len == 0 || memcmp (a->data, b->data, a->len) == 0);
}

static void
client_init (EsplashTelnetRx *rx,
             gboolean         offered)
{
  memset (rx, 0, sizeof *rx);
  if (!offered)
    return;
  rx->local_opt[OPT_BINARY] = OPT_WANT_YES;
  rx->remote_opt[OPT_BINARY] = OPT_WANT_YES;
  rx->local_opt[OPT_SGA] = OPT_WANT_YES;
  rx->remote_opt[OPT_SGA] = OPT_WANT_YES;
  rx->local_opt[OPT_COM_PORT] = OPT_WANT_YES;
}

/* Answers are whole option commands: IAC WILL/WONT/DO/DONT option. */
static void
check_client_answers (const GByteArray *answers)
{
  FUZZ_CHECK (answers->len % 3 == 0, "answers are 3-byte commands");
  for (guint i = 0; i < answers->len; i += 3)
    FUZZ_CHECK (answers->data[i] == TELNET_IAC && answers->data[i + 1] >= TELNET_WILL &&
                answers->data[i + 1] <= TELNET_DONT, "answers are option commands");
}

static void
check_client_state (const EsplashTelnetRx *rx)
{
  FUZZ_CHECK (rx->sb_len <= SB_MAX, "sub-negotiation within its buffer");
  FUZZ_CHECK (rx->rx_state <= RX_SB_IAC, "a known parser state");
}

static void
fuzz_client (const guint8 *in,
             gsize         len,
             gsize         chunk,
             gboolean      offered,
             Out          *out)
{
  EsplashTelnetRx whole, split;
  g_autoptr(GByteArray) split_data = g_byte_array_new ();
  g_autoptr(GByteArray) split_answers = g_byte_array_new ();

  client_init (&whole, offered);
  esplash_telnet_rx_feed (&whole, in, len, out->data, out->reply);
  FUZZ_CHECK (out->data->len <= len, "no more data than bytes");
  check_client_answers (out->reply);
  check_client_state (&whole);

  client_init (&split, offered);
  for (gsize i = 0; i < len; i += chunk)
    esplash_telnet_rx_feed (&split, in + i, MIN (chunk, len - i), split_data, split_answers);
  FUZZ_CHECK (bytes_equal (split_data, out->data), "client: split data as whole");
  FUZZ_CHECK (bytes_equal (split_answers, out->reply), "client: split answers as whole");
  FUZZ_CHECK (memcmp (&split, &whole, sizeof split) == 0, "client: split state as whole");
}

static void
check_server_actions (const Out *o)
{
  gsize end = 0;

  for (guint i = 0; i < o->actions->len; i++)
    {
      const EsplashSimRfc2217Action *a = &g_array_index (o->actions, EsplashSimRfc2217Action, i);

      FUZZ_CHECK (a->kind >= ESPLASH_RFC2217_ACTION_SET_BAUD &&
                  a->kind <= ESPLASH_RFC2217_ACTION_PURGE, "a known action");
      FUZZ_CHECK (a->data_end >= end && a->data_end <= o->data->len, "actions in stream order");
      FUZZ_CHECK (a->baud != 0, "a baud rate");
      end = a->data_end;
    }
}

static void
fuzz_server (const guint8 *in,
             gsize         len,
             gsize         chunk,
             Out          *out)
{
  g_autoptr(EsplashSimRfc2217) whole = esplash_sim_rfc2217_new (115200, FALSE, TRUE);
  g_autoptr(EsplashSimRfc2217) split = esplash_sim_rfc2217_new (115200, FALSE, TRUE);
  Out s;

  esplash_sim_rfc2217_greeting (whole, out->reply);
  esplash_sim_rfc2217_feed (whole, in, len, out->data, out->reply, out->actions);
  FUZZ_CHECK (out->data->len <= len, "no more data than bytes");
  FUZZ_CHECK (esplash_sim_rfc2217_get_baud (whole) != 0, "a baud rate");
  check_server_actions (out);

  out_init (&s);
  esplash_sim_rfc2217_greeting (split, s.reply);
  for (gsize i = 0; i < len; i += chunk)
    esplash_sim_rfc2217_feed (split, in + i, MIN (chunk, len - i), s.data, s.reply, s.actions);
  FUZZ_CHECK (bytes_equal (s.data, out->data), "server: split data as whole");
  FUZZ_CHECK (bytes_equal (s.reply, out->reply), "server: split reply as whole");
  FUZZ_CHECK (s.actions->len == out->actions->len, "server: split actions as whole");
  for (guint i = 0; i < s.actions->len; i++)
    {
      const EsplashSimRfc2217Action *a = &g_array_index (s.actions, EsplashSimRfc2217Action, i);
      const EsplashSimRfc2217Action *b = &g_array_index (out->actions, EsplashSimRfc2217Action, i);

      FUZZ_CHECK (a->kind == b->kind && a->data_end == b->data_end && a->baud == b->baud &&
                  a->dtr == b->dtr && a->rts == b->rts, "server: split action as whole");
    }
  FUZZ_CHECK (esplash_sim_rfc2217_get_baud (split) == esplash_sim_rfc2217_get_baud (whole) &&
              esplash_sim_rfc2217_get_dtr (split) == esplash_sim_rfc2217_get_dtr (whole) &&
              esplash_sim_rfc2217_get_rts (split) == esplash_sim_rfc2217_get_rts (whole) &&
              esplash_sim_rfc2217_is_output_suspended (split) ==
              esplash_sim_rfc2217_is_output_suspended (whole), "server: split state as whole");
  out_clear (&s);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const guint8 *in = data + 1;
  gsize len, chunk;
  gboolean offered;
  Out client, server, cross;
  EsplashTelnetRx rx;
  g_autoptr(EsplashSimRfc2217) peer = esplash_sim_rfc2217_new (9600, TRUE, TRUE);
  g_autoptr(GByteArray) escaped = g_byte_array_new ();

  if (size == 0)
    return 0;
  len = size - 1;
  chunk = (data[0] & 0x0F) + 1u;
  offered = (data[0] & 0x80) != 0;

  out_init (&client);
  out_init (&server);
  fuzz_client (in, len, chunk, offered, &client);
  fuzz_server (in, len, chunk, &server);

  /* answers carry no serial data in either direction */
  out_init (&cross);
  client_init (&rx, offered);
  esplash_telnet_rx_feed (&rx, server.reply->data, server.reply->len, cross.data, cross.reply);
  FUZZ_CHECK (cross.data->len == 0, "the server's answers hold no data");
  check_client_answers (cross.reply);
  esplash_sim_rfc2217_feed (peer, client.reply->data, client.reply->len,
                            cross.data, cross.reply, cross.actions);
  FUZZ_CHECK (cross.data->len == 0, "the client's answers hold no data");
  FUZZ_CHECK (cross.actions->len == 0, "the client's answers change no line");

  /* serial data escaped by the server reaches the client unchanged */
  esplash_sim_rfc2217_escape (in, len, escaped);
  g_byte_array_set_size (cross.data, 0);
  g_byte_array_set_size (cross.reply, 0);
  client_init (&rx, offered);
  esplash_telnet_rx_feed (&rx, escaped->data, escaped->len, cross.data, cross.reply);
  FUZZ_CHECK (cross.data->len == len && (len == 0 || memcmp (cross.data->data, in, len) == 0),
              "escaped data round trip");
  FUZZ_CHECK (cross.reply->len == 0 && rx.rx_state == RX_DATA, "escaped data is only data");

  out_clear (&cross);
  out_clear (&server);
  out_clear (&client);
  return 0;
}

/* A server's greeting and answers (client side) and pyserial's opening and
 * SET-CONTROL requests (server side), with data and doubled 0xFF. */
void
esplash_fuzz_add_seeds (GPtrArray *seeds)
{
  static const guint8 to_client[] = {
    0x85,
    0xFF, 0xFB, 0x00, 0xFF, 0xFD, 0x00, 0xFF, 0xFB, 0x03, 0xFF, 0xFD, 0x03,
    0xFF, 0xFD, 0x2C,
    0xFF, 0xFA, 0x2C, 0x65, 0x00, 0x01, 0xC2, 0x00, 0xFF, 0xF0,   /* baud 115200 */
    0xFF, 0xFA, 0x2C, 0x69, 0x08, 0xFF, 0xF0,
    0xC0, 0x01, 0x08, 0xFF, 0xFF, 0x00, 0xC0,
    0xFF, 0xFA, 0x2C, 0x6B, 0xFF, 0xFF, 0xFF, 0xF0,
  };
  static const guint8 to_server[] = {
    0x03,
    0xFF, 0xFB, 0x00, 0xFF, 0xFD, 0x00, 0xFF, 0xFB, 0x2C, 0xFF, 0xFD, 0x01,
    0xFF, 0xFA, 0x2C, 0x01, 0x00, 0x00, 0x25, 0x80, 0xFF, 0xF0,
    0xFF, 0xFA, 0x2C, 0x05, 0x08, 0xFF, 0xF0, 0xFF, 0xFA, 0x2C, 0x05, 0x0B, 0xFF, 0xF0,
    0xC0, 0x00, 0x08, 0xFF, 0xFF, 0xC0,
    0xFF, 0xFA, 0x2C, 0x0C, 0x01, 0xFF, 0xF0, 0xFF, 0xFA, 0x2C, 0x06, 0xFF, 0xF0,
  };

  g_ptr_array_add (seeds, g_bytes_new_static (to_client, sizeof to_client));
  g_ptr_array_add (seeds, g_bytes_new_static (to_server, sizeof to_server));
}
