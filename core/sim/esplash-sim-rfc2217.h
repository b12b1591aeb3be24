/* esplash-sim-rfc2217.h: the server side of RFC 2217 (Telnet COM-PORT-OPTION)
 * as a pure byte-stream parser and encoder: bytes from the client in; data
 * for the serial line, replies for the client and port actions out.
 *
 * Private to the simulator (esplash-sim-server.c and its tests).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Telnet (RFC 854/856/858) bytes. */
#define ESPLASH_TELNET_SE    0xF0
#define ESPLASH_TELNET_SB    0xFA
#define ESPLASH_TELNET_WILL  0xFB
#define ESPLASH_TELNET_WONT  0xFC
#define ESPLASH_TELNET_DO    0xFD
#define ESPLASH_TELNET_DONT  0xFE
#define ESPLASH_TELNET_IAC   0xFF

#define ESPLASH_TELNET_OPT_BINARY   0
#define ESPLASH_TELNET_OPT_ECHO     1
#define ESPLASH_TELNET_OPT_SGA      3
#define ESPLASH_TELNET_OPT_COM_PORT 44

/* COM-PORT-OPTION commands (client → server); the server answers with
 * the same command + ESPLASH_RFC2217_SERVER_OFFSET. */
typedef enum {
  ESPLASH_RFC2217_SET_BAUDRATE = 1,
  ESPLASH_RFC2217_SET_DATASIZE = 2,
  ESPLASH_RFC2217_SET_PARITY = 3,
  ESPLASH_RFC2217_SET_STOPSIZE = 4,
  ESPLASH_RFC2217_SET_CONTROL = 5,
  ESPLASH_RFC2217_NOTIFY_LINESTATE = 6,
  ESPLASH_RFC2217_NOTIFY_MODEMSTATE = 7,
  ESPLASH_RFC2217_FLOWCONTROL_SUSPEND = 8,
  ESPLASH_RFC2217_FLOWCONTROL_RESUME = 9,
  ESPLASH_RFC2217_SET_LINESTATE_MASK = 10,
  ESPLASH_RFC2217_SET_MODEMSTATE_MASK = 11,
  ESPLASH_RFC2217_PURGE_DATA = 12,
} EsplashRfc2217Command;

#define ESPLASH_RFC2217_SERVER_OFFSET 100

/* What the serial port must do, in stream order with the data. */
typedef enum {
  ESPLASH_RFC2217_ACTION_SET_BAUD = 1,
  ESPLASH_RFC2217_ACTION_SET_LINES = 2,
  ESPLASH_RFC2217_ACTION_PURGE = 3,     /* drop the line's output not yet sent to the client */
} EsplashRfc2217ActionKind;

typedef struct {
  EsplashRfc2217ActionKind kind;
  gsize    data_end;  /* length of the data output when this action came: write data up to here first */
  guint    baud;      /* SET_BAUD */
  gboolean dtr;       /* SET_LINES: the full new state of both lines */
  gboolean rts;
} EsplashSimRfc2217Action;

typedef struct _EsplashSimRfc2217 EsplashSimRfc2217;

/* One per connection; @baud, @dtr, @rts are the port's state at accept time
 * (what queries answer until the client changes them). */
EsplashSimRfc2217 *esplash_sim_rfc2217_new      (guint    baud,
                                                 gboolean dtr,
                                                 gboolean rts);
void               esplash_sim_rfc2217_free     (EsplashSimRfc2217 *self);

/* The server's opening offers (WILL/DO BINARY, WILL/DO SGA, WILL COM-PORT-OPTION). */
void               esplash_sim_rfc2217_greeting (EsplashSimRfc2217 *self,
                                                 GByteArray        *reply);

/* Parses @len bytes from the client; sequences may be split anywhere across
 * calls. Appends unescaped serial data to @data, bytes to send back to the
 * client to @reply, and EsplashSimRfc2217Action items to @actions. */
void               esplash_sim_rfc2217_feed     (EsplashSimRfc2217 *self,
                                                 const guint8      *in,
                                                 gsize              len,
                                                 GByteArray        *data,
                                                 GByteArray        *reply,
                                                 GArray            *actions);

guint              esplash_sim_rfc2217_get_baud (EsplashSimRfc2217 *self);
gboolean           esplash_sim_rfc2217_get_dtr  (EsplashSimRfc2217 *self);
gboolean           esplash_sim_rfc2217_get_rts  (EsplashSimRfc2217 *self);
/* TRUE between the client's FLOWCONTROL-SUSPEND and -RESUME. */
gboolean           esplash_sim_rfc2217_is_output_suspended (EsplashSimRfc2217 *self);

/* Serial data for the client: every 0xFF doubled. */
void               esplash_sim_rfc2217_escape   (const guint8 *in,
                                                 gsize         len,
                                                 GByteArray   *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashSimRfc2217, esplash_sim_rfc2217_free)

G_END_DECLS
