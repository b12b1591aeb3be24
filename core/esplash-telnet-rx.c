/* esplash-telnet-rx.c: the receive side of the RFC 2217 client (pure);
 * esplash-transport-tcp.c sends what it produces.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-telnet-rx-private.h"

static void
answer (GByteArray *answers,
        guint8      verb,
        guint8      option)
{
  const guint8 cmd[3] = { TELNET_IAC, verb, option };

  g_byte_array_append (answers, cmd, sizeof cmd);
}

static void
handle_negotiation (EsplashTelnetRx *rx,
                    guint8           verb,
                    guint8           option,
                    GByteArray      *answers)
{
  gboolean supported = option == OPT_BINARY || option == OPT_SGA || option == OPT_COM_PORT;
  gboolean about_us = verb == TELNET_DO || verb == TELNET_DONT;
  gboolean enable = verb == TELNET_DO || verb == TELNET_WILL;
  guint8 *state = about_us ? &rx->local_opt[option] : &rx->remote_opt[option];
  guint8 yes = about_us ? TELNET_WILL : TELNET_DO;
  guint8 no = about_us ? TELNET_WONT : TELNET_DONT;

  /* Answer only changes, never an acknowledgement, so nothing loops. */
  if (enable && !supported)
    answer (answers, no, option);
  else if (enable)
    {
      if (*state == OPT_NO)
        answer (answers, yes, option);
      *state = OPT_YES;
    }
  else
    {
      if (*state == OPT_YES)
        answer (answers, no, option);
      if (option == OPT_COM_PORT && verb == TELNET_DONT)
        g_debug ("RFC 2217: the server refused COM-PORT-OPTION");
      *state = OPT_NO;
    }
}

static void
handle_subnegotiation (EsplashTelnetRx *rx)
{
  guint8 command;
  guint32 value = 0;

  if (rx->sb_overflow || rx->sb_len < 2 || rx->sb[0] != OPT_COM_PORT)
    return;

  command = rx->sb[1];
  for (gsize i = 2; i < rx->sb_len && i < 6; i++)
    value = (value << 8) | rx->sb[i];

  if (command >= CPO_SERVER_OFFSET && command - CPO_SERVER_OFFSET < CPO_N_COMMANDS)
    {
      command -= CPO_SERVER_OFFSET;
      rx->reply_seen[command] = TRUE;
      rx->reply_value[command] = value;
    }
  /* Line-state and modem-state notifications are not needed. */
}

/**
 * esplash_telnet_rx_feed:
 * @rx: the parser state (all zero for a new connection)
 * @buf: (array length=len): bytes from the server
 * @data: where the serial data (Telnet commands removed) is appended
 * @answers: where the negotiation answers to send are appended
 */
void
esplash_telnet_rx_feed (EsplashTelnetRx *rx,
                        const guint8    *buf,
                        gsize            len,
                        GByteArray      *data,
                        GByteArray      *answers)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 b = buf[i];

      switch (rx->rx_state)
        {
        case RX_DATA:
          if (b == TELNET_IAC)
            rx->rx_state = RX_IAC;
          else
            g_byte_array_append (data, &b, 1);
          break;

        case RX_IAC:
          rx->rx_state = RX_DATA;
          if (b == TELNET_IAC)
            g_byte_array_append (data, &b, 1);
          else if (b >= TELNET_WILL && b <= TELNET_DONT)
            {
              rx->rx_verb = b;
              rx->rx_state = RX_OPTION;
            }
          else if (b == TELNET_SB)
            {
              rx->sb_len = 0;
              rx->sb_overflow = FALSE;
              rx->rx_state = RX_SB;
            }
          /* other commands (NOP, GA, …) carry no data */
          break;

        case RX_OPTION:
          rx->rx_state = RX_DATA;
          handle_negotiation (rx, rx->rx_verb, b, answers);
          break;

        case RX_SB:
        case RX_SB_IAC:
          if (rx->rx_state == RX_SB && b == TELNET_IAC)
            rx->rx_state = RX_SB_IAC;
          else if (rx->rx_state == RX_SB || b == TELNET_IAC)
            {
              /* a data byte, or IAC IAC standing for 0xFF */
              rx->rx_state = RX_SB;
              if (rx->sb_len < SB_MAX)
                rx->sb[rx->sb_len++] = b;
              else
                rx->sb_overflow = TRUE;
            }
          else
            {
              /* IAC SE ends it; anything else is malformed, drop it. */
              rx->rx_state = RX_DATA;
              if (b == TELNET_SE)
                handle_subnegotiation (rx);
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}
