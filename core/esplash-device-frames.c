/* esplash-device-frames.c: the device's side of the wire — SLIP frames in
 * and out, the chip's output between them (boot log, a panic that ends the
 * wait), and draining what the chip repeats (protocol.md §1.1, §1.3).
 * Commands and their replies are in esplash-device.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-device.h"
#include "esplash-device-private.h"

#include "esplash-error.h"
#include "esplash-slip.h"

#include <string.h>

/* How much is read from the transport at once. */
#define READ_CHUNK 4096

gboolean
esplash_device_flush_input (EsplashDevice  *self,
                            GError        **error)
{
  g_byte_array_set_size (self->rx, 0);
  esplash_slip_decoder_reset (self->decoder);
  return esplash_transport_flush_input (self->transport, error);
}

/* memmem() is a GNU extension: not on every platform we build for. */
static const guint8 *
find_bytes (const guint8 *haystack,
            gsize         len,
            const char   *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; n <= len && i <= len - n; i++)
    if (memcmp (haystack + i, needle, n) == 0)
      return haystack + i;
  return NULL;
}

/* ROM boot lines: the chip was reset. The boot line first: it is the one
 * quoted. */
static const char *const reset_markers[] = {
  "rst:0x",           /* ESP32-family ROM: "rst:0x1 (POWERON_RESET),boot:0x13 (...)" */
  "rst cause:",       /* ESP8266 ROM */
  "ets Jan  8 2013",  /* ESP8266 ROM banner */
  "ets Jun  8 2016",  /* ESP32 ROM banner */
  "ESP-ROM:",         /* later ROMs' banner */
};

static const char *const crash_markers[] = {
  "Guru Meditation Error",
  "Fatal exception",
};

/* The longest marker above, less one: how far back a new look starts so
 * that a marker split across two reads is found. */
#define MARKER_OVERLAP 20

/* What the chip printed since the last command was sent, from @from on
 * (a noise total; 0: all of it): the newest bytes of the capped buffer. */
static const guint8 *
fresh_noise (EsplashDevice *self,
             guint64        from,
             gsize         *len)
{
  GByteArray *noise = esplash_slip_decoder_get_noise (self->decoder);
  guint64 total = esplash_slip_decoder_get_noise_total (self->decoder);
  guint64 start = MAX (from, self->noise_mark);

  *len = (gsize) MIN (total - MIN (start, total), (guint64) noise->len);
  return noise->data + noise->len - *len;
}

/* The line that starts with the first of @markers found in @text, made
 * printable for a message; NULL when none is there. */
static char *
find_marker_line (const guint8      *text,
                  gsize              len,
                  const char *const *markers,
                  gsize              n_markers)
{
  for (gsize i = 0; i < n_markers; i++)
    {
      const guint8 *hit = find_bytes (text, len, markers[i]);
      GString *line;

      if (hit == NULL)
        continue;
      line = g_string_new (NULL);
      for (const guint8 *p = hit; p < text + len && *p != '\r' && *p != '\n' &&
           line->len < 160; p++)
        g_string_append_c (line, g_ascii_isprint (*p) ? (char) *p : '?');
      return g_string_free (line, FALSE);
    }
  return NULL;
}

gboolean
esplash_device_noise_shows_reset (EsplashDevice *self)
{
  g_autofree char *line = NULL;
  gsize len;
  const guint8 *text = fresh_noise (self, 0, &len);

  line = find_marker_line (text, len, reset_markers, G_N_ELEMENTS (reset_markers));
  return line != NULL;
}

/* A panic message in the chip's output since the wait began means no reply
 * will come (esptool reports it the same way); so does a ROM boot line in
 * the middle of an operation: the chip was reset, and waiting out the
 * timeout would only delay taking the session up again
 * (esplash-device-recover.c). Each byte is looked at once (plus a
 * marker's length), however often the wait reads. */
static gboolean
check_chip_output (EsplashDevice  *self,
                   GError        **error)
{
  guint64 total = esplash_slip_decoder_get_noise_total (self->decoder);
  guint64 from = self->noise_scanned > MARKER_OVERLAP ? self->noise_scanned - MARKER_OVERLAP : 0;
  g_autofree char *crash = NULL;
  g_autofree char *reset = NULL;
  gsize len;
  const guint8 *text;

  if (total == self->noise_scanned)
    return TRUE;
  text = fresh_noise (self, from, &len);
  self->noise_scanned = total;

  crash = find_marker_line (text, len, crash_markers, G_N_ELEMENTS (crash_markers));
  if (crash != NULL)
    {
      self->crashed = TRUE;
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE,
                   "The chip crashed instead of answering: “%s”", crash);
      return FALSE;
    }
  if (self->stage != ESPLASH_STAGE_WRITING && self->stage != ESPLASH_STAGE_VERIFYING &&
      self->stage != ESPLASH_STAGE_ERASING && self->stage != ESPLASH_STAGE_READING)
    return TRUE;
  reset = find_marker_line (text, len, reset_markers, G_N_ELEMENTS (reset_markers));
  if (reset != NULL)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_CHIP_RESET,
                   "The chip was reset instead of answering: “%s”", reset);
      return FALSE;
    }
  return TRUE;
}

void
esplash_device_mark_noise (EsplashDevice *self)
{
  self->noise_mark = esplash_slip_decoder_get_noise_total (self->decoder);
  self->noise_scanned = self->noise_mark;
  self->crashed = FALSE;
}

/* What a frame the decoder dropped says about the line. Both are
 * ESPLASH_ERROR_PROTOCOL: the frame is lost, not the session (a repeat may
 * still get the reply). */
static void
set_bad_frame_error (gboolean   oversize,
                     guint8     byte,
                     GError   **error)
{
  if (oversize)
    g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                 "The chip sent a frame larger than any reply (over %u bytes before its end): "
                 "the line is not carrying the ROM loader's protocol",
                 (guint) ESPLASH_SLIP_DEFAULT_MAX_FRAME);
  else
    g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                 "The chip sent a frame with an invalid escape (0xDB followed by 0x%02X, "
                 "where only 0xDC or 0xDD may follow): a byte was damaged on the line, or "
                 "the line is not carrying the ROM loader's protocol", byte);
}

/* Feeds buffered bytes to the decoder until a frame completes. Whatever
 * comes, self->rx only ever holds what one read brought (READ_CHUNK): the
 * decoder keeps at most one frame (max_frame) and a capped noise buffer. */
static GBytes *
decode_buffered (EsplashDevice  *self,
                 GError        **error)
{
  gsize i;

  for (i = 0; i < self->rx->len; i++)
    {
      guint64 oversized = esplash_slip_decoder_get_oversize_count (self->decoder);
      guint8 byte = self->rx->data[i];
      EsplashSlipResult r = esplash_slip_decoder_push (self->decoder, byte, NULL);

      if (r == ESPLASH_SLIP_FRAME)
        {
          g_byte_array_remove_range (self->rx, 0, i + 1);
          return esplash_slip_decoder_take_frame (self->decoder);
        }
      if (r == ESPLASH_SLIP_ERROR)
        {
          g_byte_array_remove_range (self->rx, 0, i + 1);
          set_bad_frame_error (esplash_slip_decoder_get_oversize_count (self->decoder) != oversized,
                               byte, error);
          return NULL;
        }
    }
  g_byte_array_set_size (self->rx, 0);
  return NULL;
}

/* Why a wait for a frame ended without one. */
static void
set_no_frame_error (EsplashDevice  *self,
                    guint64         bytes,
                    GError        **error)
{
  if (bytes == 0)
    g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT, "no serial data received");
  else if (esplash_slip_decoder_in_frame (self->decoder))
    g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT,
                         "the chip's data stopped in the middle of a packet");
  else
    g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT,
                 "%" G_GUINT64_FORMAT " byte%s arrived, none of them in a packet (the chip's "
                 "console output, another baud rate, or a line that is not carrying the ROM "
                 "loader's protocol)", bytes, bytes == 1 ? "" : "s");
}

/* One SLIP frame within @timeout_ms. On timeout: ESPLASH_ERROR_TIMED_OUT
 * (the message says whether anything arrived at all). */
GBytes *
esplash_device_next_frame (EsplashDevice  *self,
                           guint           timeout_ms,
                           GCancellable   *cancellable,
                           GError        **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  guint64 got_bytes = 0;
  guint8 buf[READ_CHUNK];

  for (;;)
    {
      GError *local_error = NULL;
      GBytes *frame = decode_buffered (self, &local_error);
      gint64 remaining;
      gssize n;

      if (frame != NULL)
        return frame;
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (!check_chip_output (self, error))
        return NULL;

      /* A deadline, not "until a frame comes": an endless stream without
       * one ends the wait as silence does. */
      remaining = deadline - g_get_monotonic_time ();
      if (remaining <= 0)
        {
          set_no_frame_error (self, got_bytes, error);
          return NULL;
        }
      n = esplash_transport_read (self->transport, buf, sizeof buf,
                                  (guint) ((remaining + 999) / 1000), cancellable, error);
      if (n < 0)
        return NULL;
      if (n > 0)
        {
          got_bytes += (guint64) n;
          self->rx_bytes += (guint64) n;
          g_byte_array_append (self->rx, buf, (guint) n);
        }
    }
}

GBytes *
esplash_device_drain_frames (EsplashDevice  *self,
                             gint            opcode,
                             guint           quiet_ms,
                             guint           max_ms,
                             GCancellable   *cancellable,
                             GError        **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) max_ms * G_TIME_SPAN_MILLISECOND;
  guint dropped = 0;

  for (;;)
    {
      gint64 remaining_ms = (deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) frame = NULL;
      const guint8 *f;
      gsize flen;

      if (remaining_ms <= 0)
        break;
      frame = esplash_device_next_frame (self, (guint) MIN ((gint64) quiet_ms, remaining_ms), cancellable,
                          &local_error);
      if (frame == NULL)
        {
          if (g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT))
            break;
          if (g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL))
            {
              dropped++;   /* a broken frame: drop it too */
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      f = g_bytes_get_data (frame, &flen);
      if (opcode >= 0 && flen >= ESPLASH_COMMAND_HEADER_LEN && f[0] == 0x01 && f[1] == opcode &&
          (gsize) (f[2] | f[3] << 8) == flen - ESPLASH_COMMAND_HEADER_LEN)
        {
          self->stale_frames += dropped;
          esplash_device_log (self, ESPLASH_LOG_DEBUG,
                              "The reply to %s came after %u stale frame%s",
                              esplash_opcode_name ((guint8) opcode), dropped + 1,
                              dropped == 0 ? "" : "s");
          return g_steal_pointer (&frame);
        }
      dropped++;
    }

  self->stale_frames += dropped;
  if (dropped > 0)
    esplash_device_log (self, ESPLASH_LOG_DEBUG, "Dropped %u repeated or stale frame%s",
                        dropped, dropped == 1 ? "" : "s");
  esplash_device_flush_input (self, NULL);
  return NULL;
}

GBytes *
esplash_device_read_frame (EsplashDevice  *self,
                           guint           timeout_ms,
                           GCancellable   *cancellable,
                           GError        **error)
{
  GError *local_error = NULL;
  GBytes *frame;

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), NULL);

  esplash_device_mark_noise (self);
  frame = esplash_device_next_frame (self, timeout_ms, cancellable, &local_error);
  if (frame == NULL)
    {
      if (g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT))
        g_propagate_prefixed_error (error, local_error,
                                    "Timed out after %.1f s waiting for data from the chip: ",
                                    timeout_ms / 1000.0);
      else
        g_propagate_error (error, local_error);
    }
  return frame;
}

gboolean
esplash_device_send_frame (EsplashDevice  *self,
                           const guint8   *data,
                           gsize           len,
                           GError        **error)
{
  g_autoptr(GByteArray) wire = g_byte_array_sized_new (len + 16);

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);

  esplash_slip_encode (data, len, wire);
  return esplash_transport_write (self->transport, wire->data, wire->len, error);
}
