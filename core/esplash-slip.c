/* esplash-slip.c: SLIP framing (protocol.md §1.1).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-slip.h"
#include "esplash-error.h"

/* Noise is the chip's boot log and application output; only the newest part
 * matters for diagnosis. */
#define NOISE_CAP (64 * 1024)

typedef enum {
  STATE_OUTSIDE,   /* between frames: bytes are noise */
  STATE_INSIDE,    /* after a start C0 */
  STATE_ESCAPE,    /* inside, after DB */
  STATE_DISCARD,   /* a frame went bad: drop bytes until the next C0 */
} DecoderState;

struct _EsplashSlipDecoder {
  gsize         max_frame;
  DecoderState  state;
  GByteArray   *frame;     /* the frame being assembled */
  GBytes       *complete;  /* the last complete frame, until taken */
  GByteArray   *noise;     /* may grow to 2 × NOISE_CAP; trimmed on read */
  guint64       noise_total;
  guint64       oversize_count;
  guint64       bad_escape_count;
};

/**
 * esplash_slip_encode:
 * @data: (array length=len): the packet
 * @len: its length
 * @out: where the framed packet (C0 … C0) is appended
 */
void
esplash_slip_encode (const guint8 *data,
                     gsize         len,
                     GByteArray   *out)
{
  static const guint8 end = ESPLASH_SLIP_END;
  static const guint8 esc_end[2] = { ESPLASH_SLIP_ESC, ESPLASH_SLIP_ESC_END };
  static const guint8 esc_esc[2] = { ESPLASH_SLIP_ESC, ESPLASH_SLIP_ESC_ESC };
  gsize run = 0;

  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (out != NULL);

  g_byte_array_append (out, &end, 1);
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != ESPLASH_SLIP_END && data[i] != ESPLASH_SLIP_ESC)
        continue;
      /* copy the unescaped run before this byte in one go */
      g_byte_array_append (out, data + run, i - run);
      g_byte_array_append (out, data[i] == ESPLASH_SLIP_END ? esc_end : esc_esc, 2);
      run = i + 1;
    }
  g_byte_array_append (out, data + run, len - run);
  g_byte_array_append (out, &end, 1);
}

/**
 * esplash_slip_decoder_new:
 * @max_frame: largest accepted decoded frame in bytes
 *   (%ESPLASH_SLIP_DEFAULT_MAX_FRAME is right for loader traffic)
 *
 * Returns: (transfer full): a decoder
 */
EsplashSlipDecoder *
esplash_slip_decoder_new (gsize max_frame)
{
  EsplashSlipDecoder *self;

  g_return_val_if_fail (max_frame > 0, NULL);

  self = g_new0 (EsplashSlipDecoder, 1);
  self->max_frame = max_frame;
  self->state = STATE_OUTSIDE;
  self->frame = g_byte_array_new ();
  self->noise = g_byte_array_new ();
  return self;
}

void
esplash_slip_decoder_free (EsplashSlipDecoder *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->frame);
  g_byte_array_unref (self->noise);
  g_clear_pointer (&self->complete, g_bytes_unref);
  g_free (self);
}

/**
 * esplash_slip_decoder_reset:
 *
 * Forgets any partial or untaken frame (e.g. after a baud change or a reset
 * of the chip). The noise is kept; see esplash_slip_decoder_clear_noise().
 */
void
esplash_slip_decoder_reset (EsplashSlipDecoder *self)
{
  g_return_if_fail (self != NULL);

  self->state = STATE_OUTSIDE;
  g_byte_array_set_size (self->frame, 0);
  g_clear_pointer (&self->complete, g_bytes_unref);
}

static void
append_noise (EsplashSlipDecoder *self,
              guint8              byte)
{
  /* Trim lazily so that the cost per byte stays constant. */
  if (self->noise->len >= 2 * NOISE_CAP)
    g_byte_array_remove_range (self->noise, 0, self->noise->len - NOISE_CAP + 1);
  g_byte_array_append (self->noise, &byte, 1);
  self->noise_total++;
}

static EsplashSlipResult
fail_frame (EsplashSlipDecoder *self,
            gboolean            at_end)
{
  g_byte_array_set_size (self->frame, 0);
  /* When the bad byte was itself a C0, the frame is over already. */
  self->state = at_end ? STATE_OUTSIDE : STATE_DISCARD;
  return ESPLASH_SLIP_ERROR;
}

static EsplashSlipResult
add_byte (EsplashSlipDecoder *self,
          guint8              byte,
          GError            **error)
{
  if (self->frame->len >= self->max_frame)
    {
      self->oversize_count++;
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                   "SLIP frame longer than %" G_GSIZE_FORMAT " bytes", self->max_frame);
      return fail_frame (self, FALSE);
    }
  g_byte_array_append (self->frame, &byte, 1);
  self->state = STATE_INSIDE;
  return ESPLASH_SLIP_NEED_MORE;
}

/**
 * esplash_slip_decoder_push:
 * @byte: the next byte from the line
 * @error: set when %ESPLASH_SLIP_ERROR is returned
 *
 * Feeds one byte. On %ESPLASH_SLIP_FRAME take the frame with
 * esplash_slip_decoder_take_frame() before pushing more, or it is replaced by
 * the next one. On %ESPLASH_SLIP_ERROR the bad frame has been dropped and the
 * decoder resynchronises at the next C0.
 *
 * Returns: what the byte completed
 */
EsplashSlipResult
esplash_slip_decoder_push (EsplashSlipDecoder *self,
                           guint8              byte,
                           GError            **error)
{
  g_return_val_if_fail (self != NULL, ESPLASH_SLIP_ERROR);

  switch (self->state)
    {
    case STATE_OUTSIDE:
      if (byte == ESPLASH_SLIP_END)
        self->state = STATE_INSIDE;
      else
        append_noise (self, byte);
      return ESPLASH_SLIP_NEED_MORE;

    case STATE_DISCARD:
      if (byte == ESPLASH_SLIP_END)
        self->state = STATE_OUTSIDE;
      return ESPLASH_SLIP_NEED_MORE;

    case STATE_ESCAPE:
      if (byte == ESPLASH_SLIP_ESC_END)
        return add_byte (self, ESPLASH_SLIP_END, error);
      if (byte == ESPLASH_SLIP_ESC_ESC)
        return add_byte (self, ESPLASH_SLIP_ESC, error);
      self->bad_escape_count++;
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                   "Invalid SLIP escape (0xdb, 0x%02x)", byte);
      return fail_frame (self, byte == ESPLASH_SLIP_END);

    case STATE_INSIDE:
    default:
      break;
    }

  if (byte == ESPLASH_SLIP_ESC)
    {
      self->state = STATE_ESCAPE;
      return ESPLASH_SLIP_NEED_MORE;
    }
  if (byte != ESPLASH_SLIP_END)
    return add_byte (self, byte, error);

  /* An empty frame is the start marker of C0 C0 (or line idle fill): stay inside. */
  if (self->frame->len == 0)
    return ESPLASH_SLIP_NEED_MORE;

  g_clear_pointer (&self->complete, g_bytes_unref);
  self->complete = g_byte_array_free_to_bytes (g_steal_pointer (&self->frame));
  self->frame = g_byte_array_new ();
  self->state = STATE_OUTSIDE;
  return ESPLASH_SLIP_FRAME;
}

/**
 * esplash_slip_decoder_take_frame:
 *
 * Returns: (transfer full) (nullable): the frame completed by the last push
 *   that returned %ESPLASH_SLIP_FRAME, or %NULL if there is none (or it was taken)
 */
GBytes *
esplash_slip_decoder_take_frame (EsplashSlipDecoder *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_steal_pointer (&self->complete);
}

/**
 * esplash_slip_decoder_in_frame:
 *
 * Returns: %TRUE if a start C0 has been seen and the frame is not complete yet
 *   (including a frame being discarded after an error)
 */
gboolean
esplash_slip_decoder_in_frame (EsplashSlipDecoder *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->state != STATE_OUTSIDE;
}

/**
 * esplash_slip_decoder_get_noise:
 *
 * Returns: (transfer none): the newest bytes (at most 64 KiB) seen outside
 *   any frame, oldest first
 */
GByteArray *
esplash_slip_decoder_get_noise (EsplashSlipDecoder *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->noise->len > NOISE_CAP)
    g_byte_array_remove_range (self->noise, 0, self->noise->len - NOISE_CAP);
  return self->noise;
}

void
esplash_slip_decoder_clear_noise (EsplashSlipDecoder *self)
{
  g_return_if_fail (self != NULL);

  g_byte_array_set_size (self->noise, 0);
}

/**
 * esplash_slip_decoder_get_noise_total:
 *
 * Unlike the length of esplash_slip_decoder_get_noise(), this count keeps
 * rising when the buffer is trimmed or cleared, so callers can tell which
 * bytes are new since an earlier mark.
 *
 * Returns: the number of noise bytes seen since the decoder was created
 */
guint64
esplash_slip_decoder_get_noise_total (EsplashSlipDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->noise_total;
}

/**
 * esplash_slip_decoder_get_oversize_count:
 *
 * Returns: how many frames were dropped for being longer than the decoder's
 *   max_frame since it was created
 */
guint64
esplash_slip_decoder_get_oversize_count (EsplashSlipDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->oversize_count;
}

/**
 * esplash_slip_decoder_get_bad_escape_count:
 *
 * Returns: how many frames were dropped for an invalid escape (0xDB followed
 *   by neither 0xDC nor 0xDD) since the decoder was created
 */
guint64
esplash_slip_decoder_get_bad_escape_count (EsplashSlipDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->bad_escape_count;
}
