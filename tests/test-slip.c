/* test-slip.c: SLIP framing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"

/* What a byte stream produced: the frames, and the errors in order. */
typedef struct {
  GPtrArray *frames;   /* GBytes */
  GPtrArray *errors;   /* GError */
} Fed;

static void
fed_clear (Fed *fed)
{
  g_clear_pointer (&fed->frames, g_ptr_array_unref);
  g_clear_pointer (&fed->errors, g_ptr_array_unref);
}

static void
feed (EsplashSlipDecoder *dec,
      const guint8       *bytes,
      gsize               len,
      Fed                *fed)
{
  if (fed->frames == NULL)
    {
      fed->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      fed->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
    }
  for (gsize i = 0; i < len; i++)
    {
      GError *error = NULL;
      EsplashSlipResult r = esplash_slip_decoder_push (dec, bytes[i], &error);

      switch (r)
        {
        case ESPLASH_SLIP_NEED_MORE:
          g_assert_no_error (error);
          g_assert_null (esplash_slip_decoder_take_frame (dec));
          break;
        case ESPLASH_SLIP_FRAME:
          g_assert_no_error (error);
          g_ptr_array_add (fed->frames, esplash_slip_decoder_take_frame (dec));
          g_assert_nonnull (g_ptr_array_index (fed->frames, fed->frames->len - 1));
          break;
        case ESPLASH_SLIP_ERROR:
          g_assert_nonnull (error);
          g_ptr_array_add (fed->errors, error);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

static void
assert_frame (Fed          *fed,
              guint         index,
              const guint8 *expected,
              gsize         len)
{
  GBytes *frame;

  g_assert_cmpuint (index, <, fed->frames->len);
  frame = g_ptr_array_index (fed->frames, index);
  g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), expected, len);
}

static void
test_encode_escapes (void)
{
  const guint8 in[] = { 0x01, 0xC0, 0xDB, 0x02, 0xDB, 0xDC, 0xC0, 0xDD };
  const guint8 want[] = { 0xC0, 0x01, 0xDB, 0xDC, 0xDB, 0xDD, 0x02, 0xDB, 0xDD, 0xDC,
                          0xDB, 0xDC, 0xDD, 0xC0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const guint8 prefix = 0x55;

  /* The encoder appends; what was there stays. */
  g_byte_array_append (out, &prefix, 1);
  esplash_slip_encode (in, sizeof in, out);
  g_assert_cmpuint (out->data[0], ==, 0x55);
  g_assert_cmpmem (out->data + 1, out->len - 1, want, sizeof want);
}

static void
test_encode_empty (void)
{
  const guint8 want[] = { 0xC0, 0xC0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();

  esplash_slip_encode (NULL, 0, out);
  g_assert_cmpmem (out->data, out->len, want, sizeof want);
}

static void
test_decode_escapes (void)
{
  const guint8 wire[] = { 0xC0, 0xDB, 0xDC, 0x11, 0xDB, 0xDD, 0xDC, 0xDD, 0xC0 };
  const guint8 want[] = { 0xC0, 0x11, 0xDB, 0xDC, 0xDD };
  g_autoptr(EsplashSlipDecoder) dec = esplash_slip_decoder_new (ESPLASH_SLIP_DEFAULT_MAX_FRAME);
  Fed fed = { 0 };

  feed (dec, wire, sizeof wire, &fed);
  g_assert_cmpuint (fed.frames->len, ==, 1);
  g_assert_cmpuint (fed.errors->len, ==, 0);
  assert_frame (&fed, 0, want, sizeof want);
  g_assert_cmpuint (esplash_slip_decoder_get_noise (dec)->len, ==, 0);
  fed_clear (&fed);
}

static void
test_roundtrip_random (void)
{
  g_autoptr(EsplashSlipDecoder) dec = esplash_slip_decoder_new (4096);
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  Fed fed = { 0 };

  for (guint n = 0; n < 200; n++)
    {
      gsize len = g_test_rand_int_range (1, 4097);
      guint8 *buf = g_malloc (len);

      for (gsize i = 0; i < len; i++)
        {
          /* Make the special bytes frequent so that every path is hit. */
          switch (g_test_rand_int_range (0, 8))
            {
            case 0: buf[i] = 0xC0; break;
            case 1: buf[i] = 0xDB; break;
            case 2: buf[i] = g_test_rand_bit () ? 0xDC : 0xDD; break;
            default: buf[i] = g_test_rand_int_range (0, 256); break;
            }
        }
      esplash_slip_encode (buf, len, wire);
      g_ptr_array_add (sent, g_bytes_new_take (buf, len));
    }

  feed (dec, wire->data, wire->len, &fed);
  g_assert_cmpuint (fed.errors->len, ==, 0);
  g_assert_cmpuint (fed.frames->len, ==, sent->len);
  for (guint n = 0; n < sent->len; n++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (fed.frames, n),
                                  g_ptr_array_index (sent, n)));
  g_assert_cmpuint (esplash_slip_decoder_get_noise (dec)->len, ==, 0);
  g_assert_false (esplash_slip_decoder_in_frame (dec));
  fed_clear (&fed);
}

static void
test_decode_double_c0 (void)
{
  const guint8 wire[] = { 0xC0, 0xC0, 0xC0, 0x01, 0x02, 0xC0, 0xC0, 0x03, 0xC0, 0xC0, 0xC0, 0xC0, 0x04, 0xC0 };
  const guint8 f1[] = { 0x01, 0x02 }, f2[] = { 0x03 }, f3[] = { 0x04 };
  g_autoptr(EsplashSlipDecoder) dec = esplash_slip_decoder_new (ESPLASH_SLIP_DEFAULT_MAX_FRAME);
  Fed fed = { 0 };

  feed (dec, wire, sizeof wire, &fed);
  g_assert_cmpuint (fed.errors->len, ==, 0);
  g_assert_cmpuint (fed.frames->len, ==, 3);
  assert_frame (&fed, 0, f1, sizeof f1);
  assert_frame (&fed, 1, f2, sizeof f2);
  assert_frame (&fed, 2, f3, sizeof f3);
  g_assert_cmpuint (esplash_slip_decoder_get_noise (dec)->len, ==, 0);
  fed_clear (&fed);
}

static void
test_decode_bad_escape (void)
{
  /* The bad frame is dropped up to its C0; the next frame decodes. */
  const guint8 wire[] = { 0xC0, 0x01, 0xDB, 0x05, 0x02, 0xDB, 0xDC, 0xC0, 0xC0, 0x07, 0xC0 };
  const guint8 want[] = { 0x07 };
  g_autoptr(EsplashSlipDecoder) dec = esplash_slip_decoder_new (ESPLASH_SLIP_DEFAULT_MAX_FRAME);
  GError *error;
  Fed fed = { 0 };

  feed (dec, wire, sizeof wire, &fed);
  g_assert_cmpuint (fed.errors->len, ==, 1);
  error = g_ptr_array_index (fed.errors, 0);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==, "Invalid SLIP escape (0xdb, 0x05)");
  g_assert_cmpuint (fed.frames->len, ==, 1);
  assert_frame (&fed, 0, want, sizeof want);
  g_assert_cmpuint (esplash_slip_decoder_get_noise (dec)->len, ==, 0);
  fed_clear (&fed);
}

static void
test_decode_bad_escape_at_end (void)
{
  /* DB C0: the C0 is both the bad escape and the end of the frame. */
  const guint8 wire[] = { 0xC0, 0x01, 0xDB, 0xC0, 0xC0, 0x09, 0xC0 };
  const guint8 want[] = { 0x09 };
  g_autoptr(EsplashSlipDecoder) dec = esplash_slip_decoder_new (ESPLASH_SLIP_DEFAULT_MAX_FRAME);
  GError *error;
  Fed fed = { 0 };

  feed (dec, wire, sizeof wire, &fed);
  g_assert_cmpuint (fed.errors->len, ==, 1);
  error = g_ptr_array_index (fed.errors, 0);
  g_assert_cmpstr (error->message, ==, "Invalid SLIP escape (0xdb, 0xc0)");
  g_assert_cmpuint (fed.frames->len, ==, 1);
  assert_frame (&fed, 0, want, sizeof want);
  fed_clear (&fed);
}

static void
test_decode_oversize (void)
{
  g_autoptr(EsplashSlipDecoder) dec = esplash_slip_decoder_new (8);
  const guint8 exact[] = { 0xC0, 1, 2, 3, 4, 5, 6, 7, 0xDB, 0xDC, 0xC0 };
  const guint8 exact_want[] = { 1, 2, 3, 4, 5, 6, 7, 0xC0 };
  const guint8 over[] = { 0xC0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0xDB, 0xDD, 12, 0xC0 };
  const guint8 after[] = { 0xC0, 0xAA, 0xBB, 0xC0 };
  const guint8 after_want[] = { 0xAA, 0xBB };
  GError *error;
  Fed fed = { 0 };

  feed (dec, exact, sizeof exact, &fed);
  g_assert_cmpuint (fed.errors->len, ==, 0);
  assert_frame (&fed, 0, exact_want, sizeof exact_want);

  feed (dec, over, sizeof over, &fed);
  g_assert_cmpuint (fed.errors->len, ==, 1);
  error = g_ptr_array_index (fed.errors, 0);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==, "SLIP frame longer than 8 bytes");
  g_assert_cmpuint (fed.frames->len, ==, 1);
  /* The rest of the long frame is neither a frame nor noise. */
  g_assert_false (esplash_slip_decoder_in_frame (dec));
  g_assert_cmpuint (esplash_slip_decoder_get_noise (dec)->len, ==, 0);

  feed (dec, after, sizeof after, &fed);
  g_assert_cmpuint (fed.errors->len, ==, 1);
  g_assert_cmpuint (fed.frames->len, ==, 2);
  assert_frame (&fed, 1, after_want, sizeof after_want);
  fed_clear (&fed);
}

static void
test_decode_noise (void)
{
  const char *log1 = "ets Jun  8 2016 00:22:57\r\nrst:0x1 (POWERON_RESET),boot:0x3\r\n";
  const char *log2 = "waiting for download\r\n";
  const guint8 frame[] = { 0xC0, 0x01, 0x08, 0xC0 };
  const guint8 want[] = { 0x01, 0x08 };
  g_autoptr(EsplashSlipDecoder) dec = esplash_slip_decoder_new (ESPLASH_SLIP_DEFAULT_MAX_FRAME);
  g_autofree char *both = g_strconcat (log1, log2, NULL);
  GByteArray *noise;
  Fed fed = { 0 };

  feed (dec, (const guint8 *) log1, strlen (log1), &fed);
  g_assert_false (esplash_slip_decoder_in_frame (dec));
  feed (dec, frame, sizeof frame, &fed);
  feed (dec, (const guint8 *) log2, strlen (log2), &fed);
  g_assert_cmpuint (fed.errors->len, ==, 0);
  g_assert_cmpuint (fed.frames->len, ==, 1);
  assert_frame (&fed, 0, want, sizeof want);

  noise = esplash_slip_decoder_get_noise (dec);
  g_assert_cmpmem (noise->data, noise->len, both, strlen (both));

  /* reset() forgets frames, not the log */
  esplash_slip_decoder_reset (dec);
  g_assert_cmpuint (esplash_slip_decoder_get_noise (dec)->len, ==, strlen (both));
  esplash_slip_decoder_clear_noise (dec);
  g_assert_cmpuint (esplash_slip_decoder_get_noise (dec)->len, ==, 0);
  g_assert_cmpuint (esplash_slip_decoder_get_noise_total (dec), ==, strlen (both));
  fed_clear (&fed);
}

static void
test_decode_noise_cap (void)
{
  const gsize total = 200 * 1024 + 17;
  g_autoptr(EsplashSlipDecoder) dec = esplash_slip_decoder_new (ESPLASH_SLIP_DEFAULT_MAX_FRAME);
  GByteArray *noise;

  for (gsize i = 0; i < total; i++)
    {
      /* any byte but C0; position-dependent so that the kept window shows */
      guint8 b = (i % 191);
      g_assert_cmpint (esplash_slip_decoder_push (dec, b, NULL), ==, ESPLASH_SLIP_NEED_MORE);
      if (i == 1000)
        g_assert_cmpuint (esplash_slip_decoder_get_noise (dec)->len, ==, 1001);
    }
  noise = esplash_slip_decoder_get_noise (dec);
  g_assert_cmpuint (noise->len, ==, 64 * 1024);
  g_assert_cmpuint (esplash_slip_decoder_get_noise_total (dec), ==, total);
  for (gsize j = 0; j < noise->len; j++)
    g_assert_cmpuint (noise->data[j], ==, (total - noise->len + j) % 191);
}

static void
test_decode_split (void)
{
  const guint8 part1[] = { 0xC0, 0x01, 0x0A, 0x02 };
  const guint8 part2[] = { 0x00, 0xDB };
  const guint8 part3[] = { 0xDC, 0x00 };
  const guint8 part4[] = { 0xC0 };
  const guint8 want[] = { 0x01, 0x0A, 0x02, 0x00, 0xC0, 0x00 };
  g_autoptr(EsplashSlipDecoder) dec = esplash_slip_decoder_new (ESPLASH_SLIP_DEFAULT_MAX_FRAME);
  Fed fed = { 0 };

  g_assert_false (esplash_slip_decoder_in_frame (dec));
  feed (dec, part1, 1, &fed);
  g_assert_true (esplash_slip_decoder_in_frame (dec));
  feed (dec, part1 + 1, sizeof part1 - 1, &fed);
  feed (dec, part2, sizeof part2, &fed);
  g_assert_true (esplash_slip_decoder_in_frame (dec));
  feed (dec, part3, sizeof part3, &fed);
  g_assert_cmpuint (fed.frames->len, ==, 0);
  feed (dec, part4, sizeof part4, &fed);
  g_assert_cmpuint (fed.frames->len, ==, 1);
  g_assert_false (esplash_slip_decoder_in_frame (dec));
  assert_frame (&fed, 0, want, sizeof want);
  g_assert_null (esplash_slip_decoder_take_frame (dec));
  fed_clear (&fed);
}

static void
test_decode_reset (void)
{
  const guint8 partial[] = { 0xC0, 0x01, 0x02 };
  const guint8 next[] = { 0xC0, 0x03, 0xC0 };
  const guint8 want[] = { 0x03 };
  g_autoptr(EsplashSlipDecoder) dec = esplash_slip_decoder_new (ESPLASH_SLIP_DEFAULT_MAX_FRAME);
  Fed fed = { 0 };

  feed (dec, partial, sizeof partial, &fed);
  g_assert_true (esplash_slip_decoder_in_frame (dec));
  esplash_slip_decoder_reset (dec);
  g_assert_false (esplash_slip_decoder_in_frame (dec));
  feed (dec, next, sizeof next, &fed);
  g_assert_cmpuint (fed.frames->len, ==, 1);
  assert_frame (&fed, 0, want, sizeof want);
  fed_clear (&fed);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/slip/encode/escapes", test_encode_escapes);
  g_test_add_func ("/esplash/slip/encode/empty", test_encode_empty);
  g_test_add_func ("/esplash/slip/decode/escapes", test_decode_escapes);
  g_test_add_func ("/esplash/slip/roundtrip/random", test_roundtrip_random);
  g_test_add_func ("/esplash/slip/decode/double-c0", test_decode_double_c0);
  g_test_add_func ("/esplash/slip/decode/bad-escape", test_decode_bad_escape);
  g_test_add_func ("/esplash/slip/decode/bad-escape-at-end", test_decode_bad_escape_at_end);
  g_test_add_func ("/esplash/slip/decode/oversize", test_decode_oversize);
  g_test_add_func ("/esplash/slip/decode/noise", test_decode_noise);
  g_test_add_func ("/esplash/slip/decode/noise-cap", test_decode_noise_cap);
  g_test_add_func ("/esplash/slip/decode/split", test_decode_split);
  g_test_add_func ("/esplash/slip/decode/reset", test_decode_reset);

  return g_test_run ();
}
