/* esplash-sim.c: the virtual chip object — the wire (SLIP in, timed output
 * queue out, baud mismatch garbling, faults), the event log and command
 * dispatch to the ROM or stub personality (protocol.md §10).
 *
 * No threads of its own: input is processed synchronously in host_write,
 * and everything that depends on time (EN capacitor, output pacing,
 * watchdog, application output) is evaluated lazily against
 * g_get_monotonic_time() whenever the host touches the chip.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-sim-private.h"

#define EVENT_CAP 10000
#define DEFAULT_FLASH_SIZE (4u * 1024 * 1024)
#define DEFAULT_FAULT_EVERY 1000
#define DEFAULT_EN_DELAY_MS 5
#define HOST_DEFAULT_BAUD 115200
/* Frames a little over the stub's limit still decode, so the stub can
 * answer them with its "too long" status instead of silence. */
#define DECODER_MAX_FRAME (ESPLASH_COMMAND_HEADER_LEN + 16 + SIM_STUB_MAX_BLOCK + 1024)
#define BAUD_TOLERANCE_PERCENT 3
#define DEFAULT_MAX_BAUD 921600
/* Above the line's limit, one byte in this many arrives wrong. */
#define OVERSPEED_ERROR_EVERY 64
/* When the TX line is free again behind an endless stream: never (and far
 * enough from G_MAXINT64 that adding wire time cannot overflow). */
#define TX_FOREVER_US (G_MAXINT64 / 4)

G_DEFINE_FINAL_TYPE (EsplashSim, esplash_sim, G_TYPE_OBJECT)

gint64
sim_now (void)
{
  return g_get_monotonic_time ();
}

gint64
sim_wire_time_us (gsize n_bytes,
                  guint baud)
{
  /* 8N1: 10 bits per byte */
  if (baud == 0)
    return 0;
  return (gint64) (n_bytes * G_GUINT64_CONSTANT (10000000) / baud);
}

void
sim_chunk_free (gpointer data)
{
  SimChunk *chunk = data;

  if (chunk->data != NULL)
    g_byte_array_unref (chunk->data);
  g_free (chunk);
}

/* ---------------------------------------------------------------- events */

void
sim_event (EsplashSim *self,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_queue_push_tail (&self->events, g_strdup_vprintf (format, args));
  va_end (args);
  while (g_queue_get_length (&self->events) > EVENT_CAP)
    g_free (g_queue_pop_head (&self->events));
}

/* ------------------------------------------------------------------ wire */

static gboolean
bauds_mismatch (guint a,
                guint b)
{
  guint diff = a > b ? a - b : b - a;

  return (guint64) diff * 100 > (guint64) BAUD_TOLERANCE_PERCENT * b;
}

/* Over the rate the bridge and wiring hold (options.max_baud), some bytes
 * arrive wrong — in both directions, as with a real adapter pushed too far. */
static gboolean
overspeed_error (EsplashSim *self)
{
  if (self->opt.max_baud == 0 || self->opt.console != ESPLASH_CONSOLE_UART ||
      self->chip_baud <= self->opt.max_baud)
    return FALSE;
  self->overspeed_count++;
  return self->overspeed_count % OVERSPEED_ERROR_EVERY == 0;
}

/* What a UART at the wrong baud makes of a byte: deterministic noise.
 * 0xC0 is avoided so garbage never forms a SLIP frame by accident. */
static guint8
garble (EsplashSim *self)
{
  guint8 byte;

  self->garble_state = self->garble_state * 1103515245u + 12345u;
  byte = (self->garble_state >> 16) & 0xFF;
  return byte == ESPLASH_SLIP_END ? 0xFE : byte;
}

static void
queue_chunk (EsplashSim *self,
             SimChunk   *chunk,
             gint64      not_before)
{
  chunk->baud = self->opt.timing || self->wire_paced ? self->chip_baud : 0;
  chunk->start_us = MAX (not_before, self->tx_free_us);
  if (sim_chunk_is_endless (chunk))
    self->tx_free_us = TX_FOREVER_US;
  else
    self->tx_free_us = chunk->start_us + sim_wire_time_us (sim_chunk_len (chunk), chunk->baud);
  g_queue_push_tail (&self->out, chunk);
  g_cond_broadcast (&self->cond);
}

void
sim_emit (EsplashSim   *self,
          const guint8 *data,
          gsize         len,
          gint64        not_before)
{
  gboolean garbled = bauds_mismatch (self->host_baud, self->chip_baud);
  SimChunk *chunk;
  GByteArray *bytes;

  if (self->unplugged || self->stalled || len == 0)
    return;

  bytes = g_byte_array_sized_new (len);
  for (gsize i = 0; i < len; i++)
    {
      guint8 byte = garbled ? garble (self) : data[i];

      if (!garbled && overspeed_error (self))
        byte ^= 0x24;

      self->tx_count++;
      if (self->opt.fault_every > 0 && self->tx_count % self->opt.fault_every == 0)
        {
          if (self->opt.faults & ESPLASH_SIM_FAULT_DROP_BYTES)
            continue;
          if (self->opt.faults & ESPLASH_SIM_FAULT_CORRUPT_BYTES)
            byte ^= 0x5A;
        }
      g_byte_array_append (bytes, &byte, 1);
    }

  chunk = g_new0 (SimChunk, 1);
  chunk->data = bytes;
  queue_chunk (self, chunk, not_before);
}

/* Output made up as the host reads it (esplash-sim-hostile.c). An endless
 * stream holds the line for good: what is queued after it never arrives. */
void
sim_emit_generated (EsplashSim *self,
                    SimGenKind  kind,
                    guint64     len,
                    guint32     seed,
                    gint64      not_before)
{
  SimChunk *chunk;

  if (self->unplugged || self->stalled || (kind == SIM_GEN_FILLER && len == 0))
    return;
  chunk = g_new0 (SimChunk, 1);
  chunk->gen = kind;
  chunk->gen_len = len;
  chunk->gen_state = seed;
  queue_chunk (self, chunk, not_before);
}

void
sim_emit_text (EsplashSim *self,
               const char *text,
               gint64      not_before)
{
  sim_emit (self, (const guint8 *) text, strlen (text), not_before);
}

gint64
sim_reply_time (EsplashSim *self)
{
  return MAX (self->cmd_time_us, self->busy_until_us);
}

void
sim_send_frame (EsplashSim   *self,
                const guint8 *payload,
                gsize         len)
{
  g_autoptr(GByteArray) framed = g_byte_array_sized_new (len + 16);

  esplash_slip_encode (payload, len, framed);
  sim_emit (self, framed->data, framed->len, sim_reply_time (self));
}

void
sim_reply (EsplashSim   *self,
           guint8        opcode,
           guint32       value,
           const guint8 *payload,
           gsize         payload_len,
           const guint8 *status,
           gsize         status_len)
{
  g_autoptr(GByteArray) packet = g_byte_array_sized_new (8 + payload_len + status_len);
  gsize size = payload_len + status_len;
  guint8 header[8] = {
    0x01, opcode, size & 0xFF, (size >> 8) & 0xFF,
    value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF, (value >> 24) & 0xFF,
  };

  g_byte_array_append (packet, header, sizeof header);
  if (payload_len > 0)
    g_byte_array_append (packet, payload, payload_len);
  g_byte_array_append (packet, status, status_len);
  if (sim_hostile_active (self))
    sim_hostile_reply (self, packet->data, packet->len);
  else
    sim_send_frame (self, packet->data, packet->len);
}

void
sim_reply_result (EsplashSim   *self,
                  guint8        opcode,
                  guint32       value,
                  const guint8 *payload,
                  gsize         payload_len,
                  guint8        code)
{
  gboolean wrong_len = (self->opt.faults & ESPLASH_SIM_FAULT_WRONG_STATUS_LEN) != 0;
  guint8 status[4] = { 0, 0, 0, 0 };
  gsize status_len;

  if (self->state == ESPLASH_SIM_STATE_STUB)
    {
      status[0] = code;
      status_len = wrong_len ? 4 : 2;
    }
  else
    {
      status[0] = code != 0 ? 1 : 0;
      status[1] = code;
      status_len = self->chip->rom_status_len;
      if (wrong_len)
        status_len = status_len == 2 ? 4 : 2;
    }
  sim_reply (self, opcode, value, payload, payload_len, status, status_len);
}

void
sim_set_chip_baud (EsplashSim *self,
                   guint       baud)
{
  if (baud == 0 || baud == self->chip_baud)
    return;
  self->chip_baud = baud;
  sim_event (self, "chip-baud %u", baud);
}

void
sim_add_busy (EsplashSim *self,
              gint64      cost_us)
{
  if (!self->opt.timing || cost_us <= 0)
    return;
  self->busy_total_us += cost_us;
  self->busy_until_us = MAX (self->busy_until_us, self->cmd_time_us) + cost_us;
}

void
sim_set_unplugged (EsplashSim *self)
{
  if (self->unplugged)
    return;
  self->unplugged = TRUE;
  g_queue_clear_full (&self->out, sim_chunk_free);
  sim_event (self, "unplugged");
  g_cond_broadcast (&self->cond);
}

static void
handle_frame (EsplashSim   *self,
              const guint8 *frame,
              gsize         len)
{
  const char *name;
  guint8 opcode;
  guint16 size;
  guint32 checksum;

  if (self->state == ESPLASH_SIM_STATE_STUB && self->rop.active)
    {
      sim_stub_frame (self, frame, len);
      return;
    }
  /* only requests (direction 0) with a full header are commands */
  if (len < ESPLASH_COMMAND_HEADER_LEN || frame[0] != 0x00)
    return;

  opcode = frame[1];
  size = frame[2] | (frame[3] << 8);
  checksum = frame[4] | (frame[5] << 8) | (frame[6] << 16) | ((guint32) frame[7] << 24);

  self->n_commands++;
  self->command_counts[opcode]++;
  name = esplash_opcode_name (opcode);
  if (name != NULL)
    sim_event (self, "command %s", name);
  else
    sim_event (self, "command 0x%02x", opcode);

  if (self->opt.fault_after < self->n_commands)
    {
      if (self->opt.faults & ESPLASH_SIM_FAULT_DISCONNECT)
        {
          sim_set_unplugged (self);
          return;
        }
      if ((self->opt.faults & ESPLASH_SIM_FAULT_STALL) && !self->stall_spent)
        self->stalled = TRUE;
    }
  if (self->stalled)
    return;
  sim_hostile_command (self);

  if (self->autobaud_pending && opcode == ESPLASH_OP_SYNC)
    {
      /* the ROM measures the 0x55 pattern and adopts the host's baud */
      self->autobaud_pending = FALSE;
      sim_set_chip_baud (self, self->host_baud);
    }

  if (size != len - ESPLASH_COMMAND_HEADER_LEN)
    {
      sim_reply_result (self, opcode, 0, NULL, 0,
                        self->state == ESPLASH_SIM_STATE_STUB
                          ? ESPLASH_STUB_ERROR_BAD_DATA_LEN
                          : ESPLASH_ROM_ERROR_INVALID_FORMAT);
      return;
    }

  if (self->state == ESPLASH_SIM_STATE_STUB)
    sim_stub_command (self, opcode, frame + 8, size, checksum);
  else
    sim_rom_command (self, opcode, frame + 8, size, checksum);
}

/* --------------------------------------------------------------- object */

static void
esplash_sim_finalize (GObject *object)
{
  EsplashSim *self = ESPLASH_SIM (object);

  g_queue_clear_full (&self->out, sim_chunk_free);
  g_queue_clear_full (&self->events, g_free);
  g_clear_pointer (&self->decoder, esplash_slip_decoder_free);
  g_clear_pointer (&self->regs, g_hash_table_unref);
  g_clear_pointer (&self->ram, g_ptr_array_unref);
  sim_flash_op_clear (&self->fop);
  sim_read_op_clear (&self->rop);
  g_free (self->flash);
  g_free (self->app_md5);
  sim_app_clear (self);
  g_free (self->app_elf);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (esplash_sim_parent_class)->finalize (object);
}

static void
esplash_sim_class_init (EsplashSimClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = esplash_sim_finalize;
}

static void
esplash_sim_init (EsplashSim *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->out);
  g_queue_init (&self->events);
  self->garble_state = 0x2545F491u;
}

/**
 * esplash_sim_options_init:
 * @options: (out caller-allocates): options to fill
 * @family: the chip to simulate
 *
 * Defaults: UART console with the auto-reset circuit, normal power-on,
 * 4 MiB flash, a plausible revision for the family, no timing, no faults,
 * an application at 115200 baud without an ELF.
 */
void
esplash_sim_options_init (EsplashSimOptions *options,
                          EsplashChipFamily  family)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->family = family;
  options->console = ESPLASH_CONSOLE_UART;
  options->boot_mode = ESPLASH_SIM_BOOT_FLASH;
  options->flash_size = DEFAULT_FLASH_SIZE;
  options->auto_reset_circuit = TRUE;
  options->en_delay_ms = DEFAULT_EN_DELAY_MS;
  options->max_baud = DEFAULT_MAX_BAUD;
  options->fault_every = DEFAULT_FAULT_EVERY;

  /* Revisions people actually have on their desks; v0.0 would make esptool
   * disable the stub on the C2. */
  switch (family)
    {
    case ESPLASH_CHIP_ESP32:
      options->revision = 300;
      break;
    case ESPLASH_CHIP_ESP32C2:
      options->revision = 100;
      break;
    case ESPLASH_CHIP_ESP32C3:
      options->revision = 4;
      break;
    case ESPLASH_CHIP_ESP32S3:
      options->revision = 2;
      break;
    case ESPLASH_CHIP_ESP32P4:
      options->revision = 100;
      break;
    default:
      options->revision = 0;
      break;
    }
}

/**
 * esplash_sim_new:
 * @options: what to simulate (see esplash_sim_options_init())
 *
 * Creates the chip and powers it on.
 *
 * Returns: (transfer full): the virtual chip
 */
EsplashSim *
esplash_sim_new (const EsplashSimOptions *options)
{
  static const guint8 default_mac_tail[3] = { 0x5E, 0x1A, 0x00 };
  EsplashSim *self;
  const EsplashChipInfo *chip;
  gboolean mac_empty = TRUE;

  g_return_val_if_fail (options != NULL, NULL);
  chip = esplash_chip_get (options->family);
  g_return_val_if_fail (chip != NULL, NULL);

  self = g_object_new (ESPLASH_TYPE_SIM, NULL);
  self->opt = *options;
  self->chip = chip;
  if (self->opt.flash_size == 0)
    self->opt.flash_size = DEFAULT_FLASH_SIZE;
  if (self->opt.fault_every == 0)
    self->opt.fault_every = DEFAULT_FAULT_EVERY;
  if (self->opt.app_baud == 0)
    self->opt.app_baud = SIM_APP_BAUD;
  self->app_elf = g_strdup (options->app_elf);
  self->opt.app_elf = self->app_elf;
  if (chip->fixed_xtal_mhz != 0)
    self->crystal_mhz = chip->fixed_xtal_mhz;
  else if (self->opt.crystal_mhz != 0)
    self->crystal_mhz = self->opt.crystal_mhz;
  else
    self->crystal_mhz = options->family == ESPLASH_CHIP_ESP8266 ? 26 : 40;

  for (guint i = 0; i < 6; i++)
    mac_empty = mac_empty && options->mac[i] == 0;
  if (mac_empty)
    {
      /* Espressif OUIs, then a fixed tail that differs per family */
      static const guint8 oui_8266[3] = { 0x18, 0xFE, 0x34 };
      static const guint8 oui_esp32[3] = { 0x24, 0x0A, 0xC4 };

      memcpy (self->opt.mac, options->family == ESPLASH_CHIP_ESP8266 ? oui_8266 : oui_esp32, 3);
      memcpy (self->opt.mac + 3, default_mac_tail, 3);
      self->opt.mac[5] = (guint8) options->family;
    }

  self->flash_size = self->opt.flash_size;
  self->flash = g_malloc (self->flash_size);
  memset (self->flash, 0xFF, self->flash_size);
  self->believed_flash_size = self->flash_size;
  self->regs = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->ram = g_ptr_array_new_with_free_func (sim_ram_segment_free);
  self->decoder = esplash_slip_decoder_new (DECODER_MAX_FRAME);
  self->hostile_from = self->opt.hostile_after;
  self->hostile_state = 0x1D872B41u;
  self->host_baud = HOST_DEFAULT_BAUD;
  self->chip_baud = sim_board_boot_baud (self);

  sim_regs_init (self);
  sim_app_load_elf (self);
  sim_board_power_on (self, options->boot_mode == ESPLASH_SIM_BOOT_DOWNLOAD, sim_now ());
  return self;
}

/* ------------------------------------------------------------ host side */

/**
 * esplash_sim_host_write:
 *
 * Bytes from the host to the chip. Commands complete in here; their replies
 * become readable when the timing model says they are on the wire.
 */
void
esplash_sim_host_write (EsplashSim   *self,
                        const guint8 *data,
                        gsize         len)
{
  gint64 now, start;

  g_return_if_fail (ESPLASH_IS_SIM (self));
  g_return_if_fail (data != NULL || len == 0);

  g_mutex_lock (&self->lock);
  now = sim_now ();
  sim_board_touch (self, now);
  self->rx_count += len;
  start = self->opt.timing ? MAX (now, self->rx_free_us) : now;
  if (self->opt.timing)
    self->rx_free_us = start + sim_wire_time_us (len, self->host_baud);

  for (gsize i = 0; i < len && !self->unplugged; i++)
    {
      guint8 byte = data[i];
      EsplashSlipResult result;

      if (self->state != ESPLASH_SIM_STATE_ROM_LOADER && self->state != ESPLASH_SIM_STATE_STUB)
        continue;   /* nobody listens: reset, or an application that ignores input */
      if (!self->autobaud_pending && bauds_mismatch (self->host_baud, self->chip_baud))
        byte = garble (self);
      else if (overspeed_error (self))
        byte ^= 0x24;

      result = esplash_slip_decoder_push (self->decoder, byte, NULL);
      if (result == ESPLASH_SLIP_FRAME)
        {
          g_autoptr(GBytes) frame = esplash_slip_decoder_take_frame (self->decoder);
          gsize frame_len;
          const guint8 *frame_data = g_bytes_get_data (frame, &frame_len);

          self->cmd_time_us = start + sim_wire_time_us (i + 1, self->opt.timing ? self->host_baud : 0);
          handle_frame (self, frame_data, frame_len);
        }
    }
  esplash_slip_decoder_clear_noise (self->decoder);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static gsize
chunk_ready (const SimChunk *chunk,
             gint64          now)
{
  gint64 elapsed;
  guint64 n;

  if (now < chunk->start_us)
    return 0;
  if (chunk->baud == 0)
    return sim_chunk_len (chunk) - chunk->pos;
  elapsed = now - chunk->start_us;
  n = (guint64) elapsed * chunk->baud / 10000000;
  n = MIN (n, sim_chunk_len (chunk));
  return n > chunk->pos ? n - chunk->pos : 0;
}

static gint64
chunk_next_ready (const SimChunk *chunk)
{
  if (chunk->baud == 0)
    return chunk->start_us;
  return chunk->start_us + sim_wire_time_us (chunk->pos + 1, chunk->baud);
}

static gsize
take_output (EsplashSim *self,
             guint8     *buf,
             gsize       len,
             gint64      now)
{
  gsize copied = 0;

  while (copied < len && !g_queue_is_empty (&self->out))
    {
      SimChunk *chunk = g_queue_peek_head (&self->out);
      gsize n;

      /* A purge drops what has arrived; an endless stream keeps coming. */
      if (buf == NULL && sim_chunk_is_endless (chunk))
        break;
      n = MIN (chunk_ready (chunk, now), len - copied);
      if (n == 0)
        break;
      if (chunk->data != NULL && buf != NULL)
        memcpy (buf + copied, chunk->data->data + chunk->pos, n);
      else if (buf != NULL)
        {
          sim_chunk_fill (chunk, buf + copied, n);
          self->hostile_bytes += n;
        }
      chunk->pos += n;
      copied += n;
      if (chunk->pos < sim_chunk_len (chunk))
        break;
      sim_chunk_free (g_queue_pop_head (&self->out));
    }
  return copied;
}

/**
 * esplash_sim_host_read:
 *
 * Returns: bytes copied, 0 on timeout, -1 once the line is gone.
 */
gssize
esplash_sim_host_read (EsplashSim *self,
                       guint8     *buf,
                       gsize       len,
                       gint64      timeout_us)
{
  gint64 deadline;
  gssize result = 0;

  g_return_val_if_fail (ESPLASH_IS_SIM (self), -1);
  g_return_val_if_fail (buf != NULL || len == 0, -1);

  g_mutex_lock (&self->lock);
  deadline = sim_now () + MAX (timeout_us, 0);
  for (;;)
    {
      gint64 now = sim_now ();
      gint64 wake = deadline;
      gint64 next;

      sim_board_touch (self, now);
      sim_hostile_touch (self, now);
      if (self->unplugged)
        {
          result = -1;
          break;
        }
      result = take_output (self, buf, len, now);
      if (result > 0 || len == 0 || now >= deadline)
        break;

      if (!g_queue_is_empty (&self->out))
        wake = MIN (wake, chunk_next_ready (g_queue_peek_head (&self->out)));
      next = sim_board_next_event (self);
      if (next > 0)
        wake = MIN (wake, next);
      next = sim_hostile_next_event (self);
      if (next > 0)
        wake = MIN (wake, next);
      g_cond_wait_until (&self->cond, &self->lock, MAX (wake, now + 1));
    }
  g_mutex_unlock (&self->lock);
  return result;
}

/**
 * esplash_sim_host_pending:
 *
 * Returns: how many bytes the host could read right now (pyserial's
 * in_waiting), or -1 once the line is gone.
 */
gssize
esplash_sim_host_pending (EsplashSim *self)
{
  gint64 now;
  gssize n = 0;

  g_return_val_if_fail (ESPLASH_IS_SIM (self), -1);

  g_mutex_lock (&self->lock);
  now = sim_now ();
  sim_board_touch (self, now);
  sim_hostile_touch (self, now);
  if (self->unplugged)
    n = -1;
  else
    for (GList *l = self->out.head; l != NULL; l = l->next)
      {
        SimChunk *chunk = l->data;
        gsize ready = chunk_ready (chunk, now);

        n += ready;
        if (chunk->pos + ready < sim_chunk_len (chunk))
          break;
      }
  g_mutex_unlock (&self->lock);
  return n;
}

void
esplash_sim_host_set_lines (EsplashSim *self,
                            gboolean    dtr,
                            gboolean    rts)
{
  gint64 now;

  g_return_if_fail (ESPLASH_IS_SIM (self));

  g_mutex_lock (&self->lock);
  now = sim_now ();
  sim_board_touch (self, now);
  sim_event (self, "lines dtr=%d rts=%d", !!dtr, !!rts);
  sim_board_set_lines (self, !!dtr, !!rts, now);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
esplash_sim_host_set_baud (EsplashSim *self,
                           guint       baud)
{
  g_return_if_fail (ESPLASH_IS_SIM (self));
  g_return_if_fail (baud > 0);

  g_mutex_lock (&self->lock);
  sim_board_touch (self, sim_now ());
  self->host_baud = baud;
  sim_event (self, "host-baud %u", baud);
  g_mutex_unlock (&self->lock);
}

/* Drops what already reached the host; bytes still on the wire arrive later,
 * as with a real port. */
void
esplash_sim_host_purge (EsplashSim *self)
{
  gint64 now;

  g_return_if_fail (ESPLASH_IS_SIM (self));

  g_mutex_lock (&self->lock);
  now = sim_now ();
  sim_board_touch (self, now);
  take_output (self, NULL, G_MAXSIZE, now);
  g_mutex_unlock (&self->lock);
}
