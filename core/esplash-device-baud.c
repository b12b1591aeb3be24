/* esplash-device-baud.c: the automatic baud rate — the fastest rate the
 * adapter, the wiring and the chip hold, found by trying.
 *
 * A rate the line does not hold does not fail cleanly: some bytes arrive
 * wrong, in both directions. So each rate is proved by a round trip with
 * some bulk (two SYNCs, each answered 8 times, §2.2). Every CHANGE_BAUDRATE
 * is sent at a rate known to work: a request sent over a bad line can arrive
 * with a wrong rate in it (it has no checksum) and strand the chip. So a
 * rate that fails ends the attempt, and the connect resets the chip and
 * starts again below it (esplash_device_connect); the search runs once per
 * adapter when the caller remembers its result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-device.h"
#include "esplash-device-private.h"

#include "esplash-error.h"

/* Common USB-UART bridge rates, fastest first; 115200 always works. */
static const guint candidates[] = { 2000000, 1500000, 921600, 460800, 230400, 115200 };

#define SYNC_REPLIES       8
#define CHECK_ROUNDS       2
#define CHECK_REPLY_MS     100
#define CHANGE_REPLY_MS    100
/* Let both UARTs settle after a switch (as esptool's change_baud). */
#define SETTLE_MS          50

static const guint8 sync_data[36] = {
  0x07, 0x07, 0x12, 0x20,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
};

/* One SYNC and its 8 replies, every one intact. FALSE with @error set only
 * when nothing more can be done (cancelled, port gone). */
static gboolean
sync_round_trip (EsplashDevice  *self,
                 gboolean       *held,
                 GCancellable   *cancellable,
                 GError        **error)
{
  g_autoptr(GBytes) packet = esplash_command_build (ESPLASH_OP_SYNC, sync_data,
                                                    sizeof sync_data, 0);
  gsize plen;
  const guint8 *p = g_bytes_get_data (packet, &plen);
  guint replies = 0;

  *held = FALSE;
  if (!esplash_device_flush_input (self, error) ||
      !esplash_device_send_frame (self, p, plen, error))
    return FALSE;
  esplash_device_mark_noise (self);
  while (replies < SYNC_REPLIES)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) frame = esplash_device_next_frame (self, CHECK_REPLY_MS, cancellable,
                                                           &local_error);
      const guint8 *f;
      gsize flen;

      if (frame == NULL)
        {
          if (esplash_device_error_is_fatal (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          break;   /* lost or broken: the rate does not hold */
        }
      f = g_bytes_get_data (frame, &flen);
      if (flen < ESPLASH_COMMAND_HEADER_LEN + 2 || f[0] != 0x01 || f[1] != ESPLASH_OP_SYNC ||
          (gsize) (f[2] | f[3] << 8) != flen - ESPLASH_COMMAND_HEADER_LEN ||
          f[ESPLASH_COMMAND_HEADER_LEN] != 0)
        break;
      replies++;
    }
  *held = replies == SYNC_REPLIES;
  return esplash_device_flush_input (self, error);
}

static gboolean
line_holds (EsplashDevice  *self,
            gboolean       *held,
            GCancellable   *cancellable,
            GError        **error)
{
  for (guint i = 0; i < CHECK_ROUNDS; i++)
    {
      if (!sync_round_trip (self, held, cancellable, error))
        return FALSE;
      if (!*held)
        break;
    }
  return TRUE;
}

/* Asks the chip, at @from, to move to @to; the reply is not needed (it
 * may be lost on a bad line). */
static gboolean
send_change (EsplashDevice  *self,
             guint           from,
             guint32         wire_value,
             GCancellable   *cancellable,
             GError        **error)
{
  guint32 words[2] = { wire_value, self->stub_running ? from : 0 };
  g_autoptr(GBytes) packet = esplash_command_build_words (ESPLASH_OP_CHANGE_BAUDRATE, words, 2);
  gsize plen;
  const guint8 *p = g_bytes_get_data (packet, &plen);
  g_autoptr(GBytes) reply = NULL;
  GError *local_error = NULL;

  if (!esplash_transport_set_baud (self->transport, from, error) ||
      !esplash_device_flush_input (self, error) ||
      !esplash_device_send_frame (self, p, plen, error))
    return FALSE;
  esplash_device_mark_noise (self);
  reply = esplash_device_next_frame (self, CHANGE_REPLY_MS, cancellable, &local_error);
  if (reply == NULL && esplash_device_error_is_fatal (local_error))
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  g_clear_error (&local_error);
  return TRUE;
}

gboolean
esplash_device_find_baud (EsplashDevice  *self,
                          guint           first,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autoptr(GArray) tries = g_array_new (FALSE, FALSE, sizeof (guint));
  guint good = esplash_transport_get_baud (self->transport);

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self) && self->chip != NULL, FALSE);

  if (first != 0 && first < self->baud_ceiling)
    g_array_append_val (tries, first);
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (candidates[i] < self->baud_ceiling && (first == 0 || candidates[i] < first))
      g_array_append_val (tries, candidates[i]);

  for (guint i = 0; i < tries->len; i++)
    {
      guint target = g_array_index (tries, guint, i);
      guint32 wire;
      gboolean held = FALSE;

      if (target != good)
        {
          /* Asked at a rate that works, so the request itself arrives intact. */
          esplash_device_log (self, ESPLASH_LOG_INFO, "Trying %u baud...", target);
          if (!esplash_device_rom_baud_value (self, target, &wire, cancellable, error) ||
              !send_change (self, good, wire, cancellable, error) ||
              !esplash_transport_set_baud (self->transport, target, error) ||
              !esplash_sleep (SETTLE_MS, cancellable, error))
            return FALSE;
        }
      if (!line_holds (self, &held, cancellable, error))
        return FALSE;
      if (held)
        {
          esplash_device_log (self, ESPLASH_LOG_INFO, "Using %u baud (the fastest this line "
                              "holds)", target);
          return TRUE;
        }
      /* The chip now listens at a rate whose bytes arrive wrong: asking it
       * to come back could land it anywhere. The caller resets it and
       * tries the slower rates. */
      self->baud_failed_at = target;
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                   "At %u baud the chip's replies arrived broken", target);
      return FALSE;
    }

  g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                       "No baud rate down to 115200 held: reset the board and pick a fixed rate");
  return FALSE;
}
