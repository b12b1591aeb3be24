/* esplash-sim-rfc2217.c: RFC 2217 server protocol (pure).
 *
 * Option negotiation follows RFC 1143's rules without the queue: a request
 * is answered only when it changes the state, so two peers that both offer
 * an option never loop. Every COM-PORT-OPTION request is acknowledged with
 * the value now in effect, because clients (pyserial, esptool's rfc2217://)
 * wait for that answer and compare it with what they asked for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "esplash-sim-rfc2217.h"

/* Longest sub-negotiation acted upon; COM-PORT-OPTION values are at most
 * 4 bytes (longer ones, e.g. SIGNATURE text, are ignored). */
#define SB_MAX 64

/* RFC 2217 SET-CONTROL values. */
enum {
  CONTROL_REQ_FLOW = 0,
  CONTROL_FLOW_NONE = 1,
  CONTROL_REQ_BREAK = 4,
  CONTROL_BREAK_ON = 5,
  CONTROL_BREAK_OFF = 6,
  CONTROL_REQ_DTR = 7,
  CONTROL_DTR_ON = 8,
  CONTROL_DTR_OFF = 9,
  CONTROL_REQ_RTS = 10,
  CONTROL_RTS_ON = 11,
  CONTROL_RTS_OFF = 12,
  CONTROL_REQ_FLOW_IN = 13,
  CONTROL_FLOW_IN_NONE = 14,
};

/* PURGE-DATA values. */
enum {
  PURGE_RECEIVE = 1,   /* data from the serial line, held for the client */
  PURGE_TRANSMIT = 2,  /* data from the client, held for the line */
  PURGE_BOTH = 3,
};

/* LINESTATE bits: the transmit registers are always empty here (writes
 * reach the line at once). */
#define LINESTATE_IDLE 0x60

typedef enum {
  PARSE_DATA,
  PARSE_IAC,
  PARSE_OPTION,   /* after IAC WILL/WONT/DO/DONT */
  PARSE_SB,
  PARSE_SB_IAC,
} ParseState;

typedef enum {
  OPT_NO = 0,
  OPT_WANT_YES,   /* we asked, no answer yet */
  OPT_YES,
} OptState;

struct _EsplashSimRfc2217 {
  ParseState state;
  guint8     verb;           /* WILL/WONT/DO/DONT being parsed */
  guint8     sb[SB_MAX];
  gsize      sb_len;
  gboolean   sb_overflow;    /* longer than SB_MAX: not acted upon */

  /* [0] BINARY, [1] SGA, [2] COM-PORT-OPTION */
  OptState   us[3];          /* options this server performs */
  OptState   him[3];         /* options the client performs */

  guint      baud;
  guint8     datasize, parity, stopsize;
  guint8     flow_out, flow_in;
  gboolean   break_on;
  gboolean   dtr, rts;
  guint8     linestate_mask, modemstate_mask;
  gboolean   suspended;
};

static gint
option_index (guint8 option)
{
  switch (option)
    {
    case ESPLASH_TELNET_OPT_BINARY:
      return 0;
    case ESPLASH_TELNET_OPT_SGA:
      return 1;
    case ESPLASH_TELNET_OPT_COM_PORT:
      return 2;
    default:
      return -1;
    }
}

EsplashSimRfc2217 *
esplash_sim_rfc2217_new (guint    baud,
                         gboolean dtr,
                         gboolean rts)
{
  EsplashSimRfc2217 *self = g_new0 (EsplashSimRfc2217, 1);

  self->state = PARSE_DATA;
  self->baud = baud;
  self->datasize = 8;
  self->parity = 1;     /* none */
  self->stopsize = 1;   /* one */
  self->flow_out = CONTROL_FLOW_NONE;
  self->flow_in = CONTROL_FLOW_IN_NONE;
  self->dtr = dtr;
  self->rts = rts;
  self->modemstate_mask = 0xFF;
  return self;
}

void
esplash_sim_rfc2217_free (EsplashSimRfc2217 *self)
{
  g_free (self);
}

static void
send_option (GByteArray *reply,
             guint8      verb,
             guint8      option)
{
  const guint8 bytes[] = { ESPLASH_TELNET_IAC, verb, option };

  g_byte_array_append (reply, bytes, sizeof bytes);
}

void
esplash_sim_rfc2217_greeting (EsplashSimRfc2217 *self,
                              GByteArray        *reply)
{
  static const guint8 offers[][2] = {
    { ESPLASH_TELNET_WILL, ESPLASH_TELNET_OPT_BINARY },
    { ESPLASH_TELNET_DO, ESPLASH_TELNET_OPT_BINARY },
    { ESPLASH_TELNET_WILL, ESPLASH_TELNET_OPT_SGA },
    { ESPLASH_TELNET_DO, ESPLASH_TELNET_OPT_SGA },
    { ESPLASH_TELNET_WILL, ESPLASH_TELNET_OPT_COM_PORT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (offers); i++)
    {
      gint idx = option_index (offers[i][1]);
      OptState *st = offers[i][0] == ESPLASH_TELNET_WILL ? &self->us[idx] : &self->him[idx];

      if (*st != OPT_NO)
        continue;
      *st = OPT_WANT_YES;
      send_option (reply, offers[i][0], offers[i][1]);
    }
}

static void
negotiate (EsplashSimRfc2217 *self,
           guint8             verb,
           guint8             option,
           GByteArray        *reply)
{
  gint idx = option_index (option);
  gboolean about_us = verb == ESPLASH_TELNET_DO || verb == ESPLASH_TELNET_DONT;
  gboolean enable = verb == ESPLASH_TELNET_DO || verb == ESPLASH_TELNET_WILL;
  guint8 yes = about_us ? ESPLASH_TELNET_WILL : ESPLASH_TELNET_DO;
  guint8 no = about_us ? ESPLASH_TELNET_WONT : ESPLASH_TELNET_DONT;
  OptState *st;

  if (idx < 0)
    {
      /* Unsupported (e.g. ECHO): refuse a request to enable; a request to
       * disable is already true. */
      if (enable)
        send_option (reply, no, option);
      return;
    }

  st = about_us ? &self->us[idx] : &self->him[idx];
  if (enable)
    {
      if (*st == OPT_NO)
        send_option (reply, yes, option);
      *st = OPT_YES;
    }
  else
    {
      if (*st == OPT_YES)
        send_option (reply, no, option);
      *st = OPT_NO;
    }
}

static void
append_escaped_byte (GByteArray *out,
                     guint8      byte)
{
  g_byte_array_append (out, &byte, 1);
  if (byte == ESPLASH_TELNET_IAC)
    g_byte_array_append (out, &byte, 1);
}

/* IAC SB COM-PORT-OPTION <cmd + 100> <value…> IAC SE */
static void
send_answer (GByteArray   *reply,
             guint8        command,
             const guint8 *value,
             gsize         len)
{
  const guint8 head[] = { ESPLASH_TELNET_IAC, ESPLASH_TELNET_SB, ESPLASH_TELNET_OPT_COM_PORT,
                          command + ESPLASH_RFC2217_SERVER_OFFSET };
  const guint8 tail[] = { ESPLASH_TELNET_IAC, ESPLASH_TELNET_SE };

  g_byte_array_append (reply, head, sizeof head);
  for (gsize i = 0; i < len; i++)
    append_escaped_byte (reply, value[i]);
  g_byte_array_append (reply, tail, sizeof tail);
}

static void
send_answer_byte (GByteArray *reply,
                  guint8      command,
                  guint8      value)
{
  send_answer (reply, command, &value, 1);
}

static void
add_action (GArray                   *actions,
            EsplashRfc2217ActionKind  kind,
            GByteArray               *data,
            EsplashSimRfc2217        *self)
{
  EsplashSimRfc2217Action action = {
    .kind = kind,
    .data_end = data->len,
    .baud = self->baud,
    .dtr = self->dtr,
    .rts = self->rts,
  };

  g_array_append_val (actions, action);
}

/* Returns the value to acknowledge. */
static guint8
set_control (EsplashSimRfc2217 *self,
             guint8             value,
             GByteArray        *data,
             GArray            *actions)
{
  switch (value)
    {
    case CONTROL_REQ_FLOW:
      return self->flow_out;
    case CONTROL_REQ_BREAK:
      return self->break_on ? CONTROL_BREAK_ON : CONTROL_BREAK_OFF;
    case CONTROL_BREAK_ON:
    case CONTROL_BREAK_OFF:
      self->break_on = value == CONTROL_BREAK_ON;
      return value;
    case CONTROL_REQ_DTR:
      return self->dtr ? CONTROL_DTR_ON : CONTROL_DTR_OFF;
    case CONTROL_REQ_RTS:
      return self->rts ? CONTROL_RTS_ON : CONTROL_RTS_OFF;
    case CONTROL_DTR_ON:
    case CONTROL_DTR_OFF:
      self->dtr = value == CONTROL_DTR_ON;
      add_action (actions, ESPLASH_RFC2217_ACTION_SET_LINES, data, self);
      return value;
    case CONTROL_RTS_ON:
    case CONTROL_RTS_OFF:
      self->rts = value == CONTROL_RTS_ON;
      add_action (actions, ESPLASH_RFC2217_ACTION_SET_LINES, data, self);
      return value;
    case CONTROL_REQ_FLOW_IN:
      return self->flow_in;
    case 1: case 2: case 3: case 17: case 19:   /* outbound / both flow control */
      self->flow_out = value;
      return value;
    case 14: case 15: case 16: case 18:         /* inbound flow control */
      self->flow_in = value;
      return value;
    default:
      /* Unknown: accepted without effect; answering keeps a waiting client going. */
      return value;
    }
}

/* A byte setting where 0 asks for the current value. */
static guint8
set_or_query (guint8       *setting,
              const guint8 *value,
              gsize         len)
{
  if (len >= 1 && value[0] != 0)
    *setting = value[0];
  return *setting;
}

static void
subnegotiation (EsplashSimRfc2217 *self,
                GByteArray        *data,
                GByteArray        *reply,
                GArray            *actions)
{
  const guint8 *value = self->sb + 2;
  gsize len;
  guint8 command;

  if (self->sb_overflow || self->sb_len < 2 || self->sb[0] != ESPLASH_TELNET_OPT_COM_PORT)
    return;   /* not ours, empty or garbage: ignored, as Telnet allows */
  command = self->sb[1];
  len = self->sb_len - 2;

  switch (command)
    {
    case ESPLASH_RFC2217_SET_BAUDRATE:
      {
        guint8 be[4];

        if (len >= 4)
          {
            guint baud = ((guint) value[0] << 24) | ((guint) value[1] << 16) |
                         ((guint) value[2] << 8) | value[3];
            if (baud != 0)
              {
                self->baud = baud;
                add_action (actions, ESPLASH_RFC2217_ACTION_SET_BAUD, data, self);
              }
          }
        be[0] = self->baud >> 24;
        be[1] = self->baud >> 16;
        be[2] = self->baud >> 8;
        be[3] = self->baud;
        send_answer (reply, command, be, sizeof be);
        break;
      }
    case ESPLASH_RFC2217_SET_DATASIZE:
      send_answer_byte (reply, command, set_or_query (&self->datasize, value, len));
      break;
    case ESPLASH_RFC2217_SET_PARITY:
      send_answer_byte (reply, command, set_or_query (&self->parity, value, len));
      break;
    case ESPLASH_RFC2217_SET_STOPSIZE:
      send_answer_byte (reply, command, set_or_query (&self->stopsize, value, len));
      break;
    case ESPLASH_RFC2217_SET_CONTROL:
      if (len >= 1)
        send_answer_byte (reply, command, set_control (self, value[0], data, actions));
      break;
    case ESPLASH_RFC2217_NOTIFY_LINESTATE:
      /* A poll (pyserial sends these without a value): report the state. */
      send_answer_byte (reply, command, LINESTATE_IDLE & self->linestate_mask);
      break;
    case ESPLASH_RFC2217_NOTIFY_MODEMSTATE:
      /* No CTS/DSR/RI/CD on the virtual board's bridge. */
      send_answer_byte (reply, command, 0);
      break;
    case ESPLASH_RFC2217_FLOWCONTROL_SUSPEND:
    case ESPLASH_RFC2217_FLOWCONTROL_RESUME:
      /* Notifications: RFC 2217 defines no answer. */
      self->suspended = command == ESPLASH_RFC2217_FLOWCONTROL_SUSPEND;
      break;
    case ESPLASH_RFC2217_SET_LINESTATE_MASK:
      if (len >= 1)
        self->linestate_mask = value[0];
      send_answer_byte (reply, command, self->linestate_mask);
      break;
    case ESPLASH_RFC2217_SET_MODEMSTATE_MASK:
      if (len >= 1)
        self->modemstate_mask = value[0];
      send_answer_byte (reply, command, self->modemstate_mask);
      break;
    case ESPLASH_RFC2217_PURGE_DATA:
      if (len < 1)
        break;
      if (value[0] == PURGE_RECEIVE || value[0] == PURGE_BOTH)
        add_action (actions, ESPLASH_RFC2217_ACTION_PURGE, data, self);
      /* PURGE_TRANSMIT: client data reaches the line at once, nothing is held. */
      send_answer_byte (reply, command, value[0]);
      break;
    default:
      break;   /* SIGNATURE and unknown commands: no answer */
    }
}

static void
sb_append (EsplashSimRfc2217 *self,
           guint8             byte)
{
  if (self->sb_len < SB_MAX)
    self->sb[self->sb_len++] = byte;
  else
    self->sb_overflow = TRUE;
}

/* The byte after an IAC outside a sub-negotiation. */
static void
after_iac (EsplashSimRfc2217 *self,
           guint8             byte,
           GByteArray        *data)
{
  self->state = PARSE_DATA;
  if (byte == ESPLASH_TELNET_IAC)
    {
      g_byte_array_append (data, &byte, 1);
    }
  else if (byte == ESPLASH_TELNET_SB)
    {
      self->sb_len = 0;
      self->sb_overflow = FALSE;
      self->state = PARSE_SB;
    }
  else if (byte >= ESPLASH_TELNET_WILL)
    {
      self->verb = byte;
      self->state = PARSE_OPTION;
    }
  /* else NOP, GA, a stray SE …: no meaning for a serial port */
}

void
esplash_sim_rfc2217_feed (EsplashSimRfc2217 *self,
                          const guint8      *in,
                          gsize              len,
                          GByteArray        *data,
                          GByteArray        *reply,
                          GArray            *actions)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (in != NULL || len == 0);

  for (gsize i = 0; i < len; i++)
    {
      guint8 byte = in[i];

      switch (self->state)
        {
        case PARSE_DATA:
          if (byte == ESPLASH_TELNET_IAC)
            self->state = PARSE_IAC;
          else
            g_byte_array_append (data, &byte, 1);
          break;

        case PARSE_IAC:
          after_iac (self, byte, data);
          break;

        case PARSE_OPTION:
          negotiate (self, self->verb, byte, reply);
          self->state = PARSE_DATA;
          break;

        case PARSE_SB:
          if (byte == ESPLASH_TELNET_IAC)
            self->state = PARSE_SB_IAC;
          else
            sb_append (self, byte);
          break;

        case PARSE_SB_IAC:
          if (byte == ESPLASH_TELNET_IAC)
            {
              sb_append (self, byte);
              self->state = PARSE_SB;
            }
          else if (byte == ESPLASH_TELNET_SE)
            {
              subnegotiation (self, data, reply, actions);
              self->state = PARSE_DATA;
            }
          else
            {
              /* A command inside SB is a protocol error: drop the unfinished
               * sub-negotiation and take the byte as the command it is. */
              after_iac (self, byte, data);
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

guint
esplash_sim_rfc2217_get_baud (EsplashSimRfc2217 *self)
{
  return self->baud;
}

gboolean
esplash_sim_rfc2217_get_dtr (EsplashSimRfc2217 *self)
{
  return self->dtr;
}

gboolean
esplash_sim_rfc2217_get_rts (EsplashSimRfc2217 *self)
{
  return self->rts;
}

gboolean
esplash_sim_rfc2217_is_output_suspended (EsplashSimRfc2217 *self)
{
  return self->suspended;
}

void
esplash_sim_rfc2217_escape (const guint8 *in,
                            gsize         len,
                            GByteArray   *out)
{
  gsize start = 0;

  /* Copy runs between 0xFF bytes in one go: this is the data path. */
  for (gsize i = 0; i < len; i++)
    {
      if (in[i] != ESPLASH_TELNET_IAC)
        continue;
      g_byte_array_append (out, in + start, i + 1 - start);
      start = i;   /* the 0xFF is appended again with the next run */
    }
  if (start < len)
    g_byte_array_append (out, in + start, len - start);
}
