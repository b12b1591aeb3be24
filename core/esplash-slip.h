/* esplash-slip.h: SLIP framing (pure: bytes in, frames out).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ESPLASH_SLIP_END      0xC0
#define ESPLASH_SLIP_ESC      0xDB
#define ESPLASH_SLIP_ESC_END  0xDC
#define ESPLASH_SLIP_ESC_ESC  0xDD

/* Largest frame the decoder accepts by default: a stub data block
 * (0x4000) + command header (8) + data header (16), with slack. */
#define ESPLASH_SLIP_DEFAULT_MAX_FRAME (0x4000 + 64)

void esplash_slip_encode (const guint8 *data,
                          gsize         len,
                          GByteArray   *out);

typedef enum {
  ESPLASH_SLIP_NEED_MORE = 0,  /* byte consumed, no frame complete yet */
  ESPLASH_SLIP_FRAME = 1,      /* a frame is complete: take it */
  ESPLASH_SLIP_ERROR = 2,      /* bad escape or oversize: the frame was dropped, error set */
} EsplashSlipResult;

typedef struct _EsplashSlipDecoder EsplashSlipDecoder;

EsplashSlipDecoder *esplash_slip_decoder_new        (gsize max_frame);
void                esplash_slip_decoder_free       (EsplashSlipDecoder *self);
void                esplash_slip_decoder_reset      (EsplashSlipDecoder *self);
EsplashSlipResult   esplash_slip_decoder_push       (EsplashSlipDecoder *self,
                                                     guint8              byte,
                                                     GError            **error);
GBytes             *esplash_slip_decoder_take_frame (EsplashSlipDecoder *self);
gboolean            esplash_slip_decoder_in_frame   (EsplashSlipDecoder *self);
/* Bytes seen outside any frame (boot log, application output), kept for diagnosis;
 * capped at 64 KiB, oldest dropped. */
GByteArray         *esplash_slip_decoder_get_noise  (EsplashSlipDecoder *self);
void                esplash_slip_decoder_clear_noise (EsplashSlipDecoder *self);
/* Noise bytes seen since the decoder was made (never reset, not capped): the
 * newest (total - mark) bytes of get_noise() arrived after a mark taken earlier. */
guint64             esplash_slip_decoder_get_noise_total (EsplashSlipDecoder *self);
/* Frames dropped since the decoder was made (never reset): longer than
 * max_frame, or with 0xDB followed by neither 0xDC nor 0xDD. A caller tells
 * which kind an %ESPLASH_SLIP_ERROR was by the count that rose. */
guint64             esplash_slip_decoder_get_oversize_count   (EsplashSlipDecoder *self);
guint64             esplash_slip_decoder_get_bad_escape_count (EsplashSlipDecoder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashSlipDecoder, esplash_slip_decoder_free)

G_END_DECLS
