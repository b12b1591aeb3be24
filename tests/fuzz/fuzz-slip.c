/* fuzz-slip.c: the SLIP decoder on arbitrary line bytes, with small and
 * default frame limits, checking the frames, errors and the noise count.
 *
 * Input: byte 0 chooses the decoder — bit 7 set: the default frame limit,
 * else a limit of (bits 0-5) + 1 bytes; bit 6 set: reset the decoder after
 * each error, as a caller may. The rest is the line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "fuzz.h"

#define NOISE_CAP (64 * 1024)

/* A frame encodes and decodes back to itself, alone, with no noise. */
static void
check_round_trip (GBytes *frame)
{
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(EsplashSlipDecoder) dec = NULL;
  gsize len;
  const guint8 *d = g_bytes_get_data (frame, &len);
  guint frames = 0;

  esplash_slip_encode (d, len, wire);
  dec = esplash_slip_decoder_new (len);
  for (guint i = 0; i < wire->len; i++)
    {
      g_autoptr(GError) error = NULL;
      EsplashSlipResult r = esplash_slip_decoder_push (dec, wire->data[i], &error);

      FUZZ_CHECK (r != ESPLASH_SLIP_ERROR && error == NULL, "an encoded frame decodes");
      if (r == ESPLASH_SLIP_FRAME)
        {
          g_autoptr(GBytes) again = esplash_slip_decoder_take_frame (dec);

          FUZZ_CHECK (i == wire->len - 1, "the frame ends at the last byte");
          FUZZ_CHECK (g_bytes_equal (again, frame), "round trip");
          frames++;
        }
    }
  FUZZ_CHECK (frames == 1, "one frame");
  FUZZ_CHECK (esplash_slip_decoder_get_noise_total (dec) == 0, "no noise");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(EsplashSlipDecoder) dec = NULL;
  g_autoptr(GByteArray) noise = g_byte_array_new ();
  GByteArray *kept;
  gsize max_frame;
  gboolean reset_on_error;

  if (size == 0)
    return 0;
  max_frame = (data[0] & 0x80) != 0 ? ESPLASH_SLIP_DEFAULT_MAX_FRAME : (data[0] & 0x3F) + 1u;
  reset_on_error = (data[0] & 0x40) != 0;
  dec = esplash_slip_decoder_new (max_frame);

  for (gsize i = 1; i < size; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) frame = NULL;
      gboolean outside = !esplash_slip_decoder_in_frame (dec);
      EsplashSlipResult r = esplash_slip_decoder_push (dec, data[i], &error);

      /* the model: a byte outside a frame other than C0 is noise */
      if (outside && data[i] != ESPLASH_SLIP_END)
        g_byte_array_append (noise, &data[i], 1);
      FUZZ_CHECK ((r == ESPLASH_SLIP_ERROR) == (error != NULL), "error set exactly on ERROR");
      if (error != NULL)
        FUZZ_CHECK (error->domain == ESPLASH_ERROR && error->code == ESPLASH_ERROR_PROTOCOL,
                    "PROTOCOL error");

      frame = esplash_slip_decoder_take_frame (dec);
      FUZZ_CHECK ((frame != NULL) == (r == ESPLASH_SLIP_FRAME), "a frame exactly on FRAME");
      if (frame != NULL)
        {
          gsize len = g_bytes_get_size (frame);

          FUZZ_CHECK (data[i] == ESPLASH_SLIP_END, "a frame ends with C0");
          FUZZ_CHECK (len > 0 && len <= max_frame, "frame size within the limit");
          FUZZ_CHECK (!esplash_slip_decoder_in_frame (dec), "outside after a frame");
          FUZZ_CHECK (esplash_slip_decoder_take_frame (dec) == NULL, "a frame is taken once");
          check_round_trip (frame);
        }
      if (r == ESPLASH_SLIP_ERROR && reset_on_error)
        esplash_slip_decoder_reset (dec);
    }

  FUZZ_CHECK (esplash_slip_decoder_get_noise_total (dec) == noise->len, "noise count");
  kept = esplash_slip_decoder_get_noise (dec);
  FUZZ_CHECK (kept->len == MIN (noise->len, NOISE_CAP), "noise kept up to the cap");
  FUZZ_CHECK (kept->len == 0 ||
              memcmp (kept->data, noise->data + noise->len - kept->len, kept->len) == 0,
              "the newest noise is kept");
  esplash_slip_decoder_clear_noise (dec);
  FUZZ_CHECK (esplash_slip_decoder_get_noise (dec)->len == 0, "noise cleared");
  FUZZ_CHECK (esplash_slip_decoder_get_noise_total (dec) == noise->len, "the total stays");
  return 0;
}

/* A ROM boot log, then a SYNC reply; frames with escapes; a bad escape. */
void
esplash_fuzz_add_seeds (GPtrArray *seeds)
{
  static const guint8 line[] =
    "\x80" "rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\n"
    "waiting for download\r\n"
    "\xC0\x01\x08\x04\x00\x07\x07\x12\x20\x00\x00\x00\x00\xC0"
    "\xC0\x01\x0A\x04\x00\xDB\xDC\xDB\xDD\x00\x00\x00\x00\xC0"
    "\xC0\xDB\x01\x02\xC0\xC0\xC0\x41\x42\xC0";

  g_ptr_array_add (seeds, g_bytes_new_static (line, sizeof line - 1));
}
