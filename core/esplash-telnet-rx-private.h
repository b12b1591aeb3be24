/* esplash-telnet-rx-private.h: the receive side of the RFC 2217 client
 * (pure): Telnet bytes from the server in; serial data, the answers option
 * negotiation calls for, and the server's COM-PORT-OPTION replies out.
 *
 * In-tree only: esplash-transport-tcp.c and the fuzz target use it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Telnet (RFC 854) commands and the options used (RFC 856, 858, 2217). */
enum { TELNET_SE = 240, TELNET_SB = 250, TELNET_WILL = 251, TELNET_WONT = 252,
       TELNET_DO = 253, TELNET_DONT = 254, TELNET_IAC = 255 };
enum { OPT_BINARY = 0, OPT_SGA = 3, OPT_COM_PORT = 44 };

/* COM-PORT-OPTION commands (RFC 2217); server replies add 100. */
enum { CPO_SET_BAUDRATE = 1, CPO_SET_DATASIZE = 2, CPO_SET_PARITY = 3, CPO_SET_STOPSIZE = 4,
       CPO_SET_CONTROL = 5, CPO_PURGE_DATA = 12, CPO_N_COMMANDS = 13, CPO_SERVER_OFFSET = 100 };

/* Per-option negotiation state, a reduced RFC 1143 "Q method". */
typedef enum { OPT_NO = 0, OPT_WANT_YES, OPT_YES } OptState;

typedef enum { RX_DATA = 0, RX_IAC, RX_OPTION, RX_SB, RX_SB_IAC } RxState;

#define SB_MAX 64

/* All zero is the state of a new connection. */
typedef struct {
  /* the parser; survives across reads */
  RxState   rx_state;
  guint8    rx_verb;
  guint8    sb[SB_MAX];
  gsize     sb_len;
  gboolean  sb_overflow;

  guint8    local_opt[256];   /* OptState of what we do (WILL) */
  guint8    remote_opt[256];  /* OptState of what the server does (DO) */

  /* server answers to COM-PORT-OPTION commands, indexed by command */
  gboolean  reply_seen[CPO_N_COMMANDS];
  guint32   reply_value[CPO_N_COMMANDS];
} EsplashTelnetRx;

/* Runs @len received bytes through the parser (sequences may be split
 * anywhere across calls): appends the serial data to @data and the
 * negotiation answers to send back to @answers. */
void esplash_telnet_rx_feed (EsplashTelnetRx *rx,
                             const guint8    *buf,
                             gsize            len,
                             GByteArray      *data,
                             GByteArray      *answers);

G_END_DECLS
