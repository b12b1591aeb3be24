/* test-sim-server.c: the RFC 2217 server protocol (pure) and the TCP server
 * around the virtual chip (loopback only).
 *
 * Byte sequences come from RFC 854/2217 and from what pyserial's rfc2217
 * client (used by esptool for rfc2217:// ports) sends and expects.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "esplash-sim-rfc2217.h"

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

  return g_test_run ();
}
