/* esplash-device.c: a blocking session with a chip's ROM loader or stub —
 * the object, events, commands and the matching of their replies
 * (protocol.md §1.3, §3.4), repeated where that is safe. Frames on the wire
 * are in esplash-device-frames.c, connecting in esplash-device-connect.c,
 * register work (READ_REG, WRITE_REG, flash id, baud, description) in
 * esplash-device-regs.c, leaving in esplash-device-leave.c, taking a lost
 * session up again in esplash-device-recover.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-device.h"
#include "esplash-device-private.h"

#include "esplash-error.h"
#include "esplash-slip.h"

#include <string.h>

/* esptool never waits longer than this for one reply (MAX_TIMEOUT). */
#define MAX_TIMEOUT_MS 240000
/* esptool gives up matching a reply after this many packets. */
#define MAX_SKIPPED_PACKETS 100
/* After an invalid-message reply the ROM sends up to 7 more copies (§1.3):
 * wait until the line is quiet this long (esptool-js waits 100 ms, esptool
 * sleeps 200 ms), and never longer than the cap in all. */
#define UNSUPPORTED_DRAIN_QUIET_MS 100
#define UNSUPPORTED_DRAIN_MAX_MS 600
/* A command whose reply was lost or damaged is sent this often in all
 * (esptool's WRITE_BLOCK_ATTEMPTS for data blocks). */
#define COMMAND_ATTEMPTS 3
/* Before a repeat, and after a repeat that worked: drop what the line still
 * brings (a late reply, a second copy) until it is quiet this long. */
#define REPEAT_DRAIN_QUIET_MS 150
#define REPEAT_DRAIN_MAX_MS 1500

G_DEFINE_FINAL_TYPE (EsplashDevice, esplash_device, G_TYPE_OBJECT)

static void
esplash_device_finalize (GObject *object)
{
  EsplashDevice *self = ESPLASH_DEVICE (object);

  if (self->event_destroy != NULL)
    self->event_destroy (self->event_data);
  g_clear_object (&self->transport);
  g_clear_pointer (&self->decoder, esplash_slip_decoder_free);
  g_clear_pointer (&self->rx, g_byte_array_unref);
  g_clear_pointer (&self->boot_log, g_byte_array_unref);
  g_clear_pointer (&self->line_text, g_byte_array_unref);
  g_free (self->last_stub_dir);
  g_free (self->port_url);
  g_free (self->port_serial);

  G_OBJECT_CLASS (esplash_device_parent_class)->finalize (object);
}

static void
esplash_device_class_init (EsplashDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = esplash_device_finalize;
}

static void
esplash_device_init (EsplashDevice *self)
{
  self->decoder = esplash_slip_decoder_new (ESPLASH_SLIP_DEFAULT_MAX_FRAME);
  self->rx = g_byte_array_new ();
  self->boot_log = g_byte_array_new ();
  self->boot_mode = -1;
  self->line_text = g_byte_array_new ();
}

/**
 * esplash_device_new:
 * @transport: an open transport; the device keeps a reference
 *
 * Returns: (transfer full): a session, not yet connected
 */
EsplashDevice *
esplash_device_new (EsplashTransport *transport)
{
  EsplashDevice *self;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (transport), NULL);

  self = g_object_new (ESPLASH_TYPE_DEVICE, NULL);
  self->transport = g_object_ref (transport);
  return self;
}

void
esplash_connect_options_init (EsplashConnectOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->before = ESPLASH_BEFORE_DEFAULT_RESET;
  options->chip = ESPLASH_CHIP_UNKNOWN;
}

/**
 * esplash_device_set_event_func:
 * @func: (nullable): called on the working thread for every event
 * @destroy: (nullable): frees @user_data
 */
void
esplash_device_set_event_func (EsplashDevice    *self,
                               EsplashEventFunc  func,
                               gpointer          user_data,
                               GDestroyNotify    destroy)
{
  g_return_if_fail (ESPLASH_IS_DEVICE (self));

  if (self->event_destroy != NULL)
    self->event_destroy (self->event_data);
  self->event_func = func;
  self->event_data = user_data;
  self->event_destroy = destroy;
}

/**
 * esplash_device_get_transport:
 * @self: a device
 *
 * Returns: (transfer none): the transport the device talks through
 */
EsplashTransport *
esplash_device_get_transport (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), NULL);
  return self->transport;
}

gboolean
esplash_device_is_connected (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);
  return self->connected;
}

const EsplashChipInfo *
esplash_device_get_chip (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), NULL);
  return self->chip;
}

gboolean
esplash_device_is_stub (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);
  return self->stub_running;
}

gboolean
esplash_device_is_secure_download_mode (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);
  return self->secure_download_mode;
}

EsplashConsole
esplash_device_get_console (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), ESPLASH_CONSOLE_UART);
  return self->console;
}

guint
esplash_device_get_revision (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), 0);
  return self->revision;
}

/**
 * esplash_device_get_resume_count:
 * @self: a device
 *
 * Returns: how often operations on this device lost the session and took it
 *   up again: each time, what was done was checked on the chip (by MD5
 *   where the loader has it) and the operation went on from there
 */
guint
esplash_device_get_resume_count (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), 0);
  return self->recoveries;
}

/**
 * esplash_device_dup_boot_log:
 *
 * Returns: (transfer full): the bytes seen outside SLIP frames while the
 *   last connect reset the chip (its ROM banner or application output)
 */
GBytes *
esplash_device_dup_boot_log (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), NULL);
  return g_bytes_new (self->boot_log->data, self->boot_log->len);
}

/**
 * esplash_device_get_boot_mode:
 * @self: a device
 * @download: (out) (optional): set when "waiting for download" was seen
 *
 * Returns: the boot mode from a captured "boot:0xNN" line, -1 if none seen
 */
gint
esplash_device_get_boot_mode (EsplashDevice *self,
                              gboolean      *download)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), -1);
  if (download != NULL)
    *download = self->boot_download;
  return self->boot_mode;
}

const EsplashSecurityInfo *
esplash_device_get_security_info (EsplashDevice *self)
{
  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), NULL);
  return &self->security;
}

void
esplash_device_close (EsplashDevice *self)
{
  g_return_if_fail (ESPLASH_IS_DEVICE (self));

  esplash_device_mark_disconnected (self);
  esplash_transport_close (self->transport);
}

void
esplash_device_mark_disconnected (EsplashDevice *self)
{
  self->connected = FALSE;
  self->stub_running = FALSE;
  self->stub_reused = FALSE;
  self->sync_stub_detected = FALSE;
  self->flash_attached = FALSE;
  self->flash_params_size = 0;
  self->flash_id_valid = FALSE;
  self->flash_id = 0;
}

/* Cancelled, or the port is gone: nothing more to try on this session. */
gboolean
esplash_device_error_is_fatal (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */

void
esplash_device_emit (EsplashDevice      *self,
                     const EsplashEvent *event)
{
  if (self->event_func != NULL)
    self->event_func (event, self->event_data);
}

void
esplash_device_log (EsplashDevice   *self,
                    EsplashLogLevel  level,
                    const char      *format,
                    ...)
{
  g_autofree char *message = NULL;
  EsplashEvent event = { 0 };
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (level == ESPLASH_LOG_DEBUG)
    g_debug ("%s", message);

  event.kind = ESPLASH_EVENT_LOG;
  event.level = level;
  event.message = message;
  esplash_device_emit (self, &event);
}

void
esplash_device_stage (EsplashDevice *self,
                      EsplashStage   stage)
{
  EsplashEvent event = { 0 };

  self->stage = stage;
  event.kind = ESPLASH_EVENT_STAGE;
  event.stage = stage;
  esplash_device_emit (self, &event);
}

void
esplash_device_stage_region (EsplashDevice *self,
                             EsplashStage   stage,
                             guint          region_index,
                             guint          region_count,
                             guint32        region_address)
{
  EsplashEvent event = { 0 };

  self->stage = stage;
  event.kind = ESPLASH_EVENT_STAGE;
  event.stage = stage;
  event.region_index = region_index;
  event.region_count = region_count;
  event.region_address = region_address;
  esplash_device_emit (self, &event);
}

guint
esplash_timeout_per_mb (guint   seconds_per_mb,
                        guint64 bytes)
{
  guint64 ms = (guint64) seconds_per_mb * bytes / 1000;

  return (guint) CLAMP (ms, ESPLASH_DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static const char *
op_name (guint8 opcode)
{
  const char *name = esplash_opcode_name (opcode);

  return name != NULL ? name : "command";
}

/* The ROM's invalid-message reply: a response frame with a status of
 * 1, 0x05 (and any command byte). */
static gboolean
is_invalid_message (const guint8 *f,
                    gsize         flen)
{
  return flen >= ESPLASH_COMMAND_HEADER_LEN + 2 &&
         f[ESPLASH_COMMAND_HEADER_LEN] != 0 &&
         f[ESPLASH_COMMAND_HEADER_LEN + 1] == ESPLASH_ROM_ERROR_INVALID_FORMAT;
}

static void
note_stale_frame (EsplashDevice *self,
                  const guint8  *f,
                  gsize          flen,
                  guint8         opcode)
{
  self->stale_frames++;
  esplash_device_log (self, ESPLASH_LOG_DEBUG,
                      "Dropped a %" G_GSIZE_FORMAT "-byte frame (%02X %02X ...) while waiting "
                      "for the reply to %s: not its reply", flen,
                      flen > 0 ? f[0] : 0, flen > 1 ? f[1] : 0, op_name (opcode));
}

/* Whether a status can come from the loader that runs. A byte the line
 * changed is not the chip's error: 0x5A where 00 was sent names no ROM or
 * stub error, and is taken as a damaged reply (retried), not reported. */
static gboolean
status_is_plausible (EsplashDevice         *self,
                     guint8                 opcode,
                     const EsplashResponse *response)
{
  guint8 code = response->status[0];

  if (code == 0)
    return TRUE;
  if (code == 1)
    return esplash_rom_error_name (response->status[1]) != NULL;
  if (!self->stub_running || esplash_stub_error_name (code) == NULL)
    return FALSE;
  /* The legacy stub's raw codes belong to one command each: erasing
   * (0x32-0x37) and MD5's flash read (0x63). */
  if (code >= 0x32 && code <= 0x37)
    return opcode == ESPLASH_OP_ERASE_REGION || opcode == ESPLASH_OP_ERASE_FLASH ||
           opcode == ESPLASH_OP_FLASH_BEGIN || opcode == ESPLASH_OP_FLASH_DEFL_BEGIN ||
           opcode == ESPLASH_OP_FLASH_DATA || opcode == ESPLASH_OP_FLASH_DEFL_DATA ||
           opcode == ESPLASH_OP_FLASH_END || opcode == ESPLASH_OP_FLASH_DEFL_END;
  if (code == 0x63)
    return opcode == ESPLASH_OP_SPI_FLASH_MD5;
  return TRUE;
}

/* One command, one reply: no repeat. */
static gboolean
exchange_once (EsplashDevice    *self,
               GBytes           *packet,
               guint8            opcode,
               gsize             expected_payload,
               guint             timeout_ms,
               gboolean          check,
               EsplashResponse  *out,
               GCancellable     *cancellable,
               GError          **error)
{
  gsize plen;
  const guint8 *p = g_bytes_get_data (packet, &plen);
  gint64 deadline;

  timeout_ms = MIN (timeout_ms, MAX_TIMEOUT_MS);
  memset (self->failed_status, 0, sizeof self->failed_status);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!esplash_device_send_frame (self, p, plen, error))
    {
      g_prefix_error (error, "Sending %s: ", op_name (opcode));
      return FALSE;
    }

  esplash_device_mark_noise (self);
  deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;

  for (guint i = 0; i < MAX_SKIPPED_PACKETS; i++)
    {
      g_autoptr(GBytes) frame = NULL;
      EsplashResponse response = { 0 };
      GError *local_error = NULL;
      gint64 remaining = deadline - g_get_monotonic_time ();
      const guint8 *f;
      gsize flen;
      gboolean ok;

      frame = esplash_device_next_frame (self, (guint) MAX (remaining, 0) / 1000, cancellable, &local_error);
      if (frame == NULL)
        {
          if (g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT))
            g_propagate_prefixed_error (error, local_error,
                                        "Timed out after %.1f s waiting for the reply to %s: ",
                                        timeout_ms / 1000.0, op_name (opcode));
          else
            g_propagate_prefixed_error (error, local_error, "Waiting for the reply to %s: ",
                                        op_name (opcode));
          return FALSE;
        }

      f = g_bytes_get_data (frame, &flen);
      if (flen < ESPLASH_COMMAND_HEADER_LEN || f[0] != 0x01)
        {
          /* a greeting, an ack or noise: not a reply */
          note_stale_frame (self, f, flen, opcode);
          continue;
        }

      if ((gsize) (f[2] | f[3] << 8) != flen - ESPLASH_COMMAND_HEADER_LEN)
        {
          /* its size field disagrees with its length: broken, not a reply */
          note_stale_frame (self, f, flen, opcode);
          continue;
        }

      if (is_invalid_message (f, flen) && (f[1] != opcode || !self->stub_running))
        {
          /* The ROM answers a command it does not know, or may not run, with
           * the invalid-message status — in a frame with another command
           * byte, or (some ROMs, esplash-sim --unsupported-reply single) its
           * own — and repeats it (§1.3). Drain the copies so that none is
           * taken for the next reply; if this command's own reply turns up
           * among refusals under another opcode, they were left over from an
           * earlier command. */
          GBytes *own = esplash_device_drain_frames (self, f[1] != opcode ? opcode : -1,
                                                     UNSUPPORTED_DRAIN_QUIET_MS,
                                                     UNSUPPORTED_DRAIN_MAX_MS, cancellable,
                                                     &local_error);

          if (local_error != NULL)
            {
              g_propagate_prefixed_error (error, local_error, "Waiting for the reply to %s: ",
                                          op_name (opcode));
              return FALSE;
            }
          if (own != NULL)
            {
              g_bytes_unref (frame);
              frame = own;
              f = g_bytes_get_data (frame, &flen);
            }
        }

      if (f[1] != opcode)
        {
          if (!is_invalid_message (f, flen))
            {
              note_stale_frame (self, f, flen, opcode);
              continue;
            }
          response.opcode = opcode;
          response.payload = g_bytes_new (NULL, 0);
          response.status[0] = f[ESPLASH_COMMAND_HEADER_LEN];
          response.status[1] = f[ESPLASH_COMMAND_HEADER_LEN + 1];
          response.status_len = 2;
        }
      else if (!esplash_response_parse (f, flen, expected_payload, &response, error))
        {
          g_prefix_error (error, "Reply to %s: ", op_name (opcode));
          return FALSE;
        }

      esplash_device_log (self, ESPLASH_LOG_DEBUG, "%s reply: value 0x%08X, %u status bytes",
                          op_name (opcode), response.value, response.status_len);
      if (!status_is_plausible (self, opcode, &response))
        {
          self->line_faults++;
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                       "Reply to %s: status %02X %02X is no status the %s sends "
                       "(damaged on the line)", op_name (opcode), response.status[0],
                       response.status[1], self->stub_running ? "flasher stub" : "ROM loader");
          esplash_response_clear (&response);
          return FALSE;
        }

      ok = TRUE;
      if (check || out == NULL)
        ok = esplash_response_check (&response, error);
      if (!ok)
        memcpy (self->failed_status, response.status, sizeof self->failed_status);
      if (ok && out != NULL)
        *out = response;
      else
        esplash_response_clear (&response);
      return ok;
    }

  g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
               "No reply to %s among %u packets from the chip", op_name (opcode),
               MAX_SKIPPED_PACKETS);
  return FALSE;
}

/* Commands that may be sent again when their reply is lost, late or
 * damaged: they read, or set something to the same value again (esptool
 * repeats only data blocks; esp-serial-flasher none). MEM_DATA is not among
 * them (the ROM wants each sequence number once), nor the stub's data
 * blocks (it takes a block before answering, and a second copy would be
 * written after it), CHANGE_BAUDRATE (the chip may have switched already),
 * the *_END commands (a ROM runs the code) or SYNC (its own loop). */
static gboolean
opcode_is_repeatable (EsplashDevice *self,
                      guint8         opcode)
{
  switch (opcode)
    {
    case ESPLASH_OP_READ_REG:
    case ESPLASH_OP_WRITE_REG:
    case ESPLASH_OP_SPI_SET_PARAMS:
    case ESPLASH_OP_SPI_ATTACH:
    case ESPLASH_OP_SPI_FLASH_MD5:
    case ESPLASH_OP_GET_SECURITY_INFO:
    case ESPLASH_OP_READ_FLASH_SLOW:
    case ESPLASH_OP_FLASH_BEGIN:
    case ESPLASH_OP_FLASH_DEFL_BEGIN:
    case ESPLASH_OP_MEM_BEGIN:
    case ESPLASH_OP_ERASE_REGION:
    case ESPLASH_OP_ERASE_FLASH:
      return TRUE;
    case ESPLASH_OP_FLASH_DATA:
    case ESPLASH_OP_FLASH_DEFL_DATA:
      /* The ROM writes a plain block at offset + seq × block size and takes
       * the previous block again (docs/simulator.md); HEAD flash_block(). */
      return !self->stub_running;
    default:
      return FALSE;
    }
}

/* The reply was lost, late, cut or changed on the line. */
static gboolean
error_is_line_fault (const GError *error)
{
  return g_error_matches (error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT) ||
         g_error_matches (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL);
}

/* Whether the failed status is ROM error @rom (status 01 @rom), or stub
 * error @stub (status @stub ..); 0 matches nothing. */
static gboolean
failed_with (EsplashDevice *self,
             guint8         rom,
             guint8         stub)
{
  if (self->failed_status[0] == 1)
    return rom != 0 && self->failed_status[1] == rom;
  return stub != 0 && self->failed_status[0] == stub;
}

/* A data block the chip refused because it arrived damaged: checksum or
 * length (ROM 0x07/0x05, stub 0xC1/0xC0). It was not taken; sending it
 * again is safe with every loader. */
static gboolean
error_is_damaged_request (EsplashDevice *self,
                          guint8         opcode,
                          const GError  *error)
{
  if (!g_error_matches (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE) ||
      !esplash_opcode_is_checksummed (opcode))
    return FALSE;
  return failed_with (self, ESPLASH_ROM_ERROR_CHECKSUM, ESPLASH_STUB_ERROR_BAD_DATA_CHECKSUM) ||
         failed_with (self, ESPLASH_ROM_ERROR_INVALID_FORMAT, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
}

/* A command the loader always knows, refused as an invalid message (ROM
 * 0x05) or an invalid command / bad length (stub 0xC3, 0xC0): it arrived
 * damaged. Only where the caller checks the status: a caller that probes
 * whether a command is supported passes check = FALSE. */
static gboolean
error_is_refused_as_damaged (EsplashDevice *self,
                             gboolean       check,
                             const GError  *error)
{
  if (!check || !g_error_matches (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE) ||
      self->secure_download_mode)
    return FALSE;
  return failed_with (self, ESPLASH_ROM_ERROR_INVALID_FORMAT, 0) ||
         (self->stub_running &&
          (failed_with (self, 0, ESPLASH_STUB_ERROR_INVALID_COMMAND) ||
           failed_with (self, 0, ESPLASH_STUB_ERROR_BAD_DATA_LEN)));
}

/* esplash_device_command_packet:
 *
 * Sends @packet and waits for its reply. A command that may be repeated
 * (opcode_is_repeatable()) is sent again, up to COMMAND_ATTEMPTS times in
 * all, when its reply is lost, late or damaged: first the line is drained,
 * so that a late reply is not taken for the next command's, and after a
 * repeat that got its answer, a second copy of the reply is drained too.
 */
gboolean
esplash_device_command_packet (EsplashDevice    *self,
                               GBytes           *packet,
                               gsize             expected_payload,
                               guint             timeout_ms,
                               gboolean          check,
                               EsplashResponse  *out,
                               GCancellable     *cancellable,
                               GError          **error)
{
  gsize plen;
  const guint8 *p = g_bytes_get_data (packet, &plen);
  g_autoptr(GBytes) late = NULL;   /* drained, never a reply (drain with -1) */
  guint8 opcode;

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);
  g_return_val_if_fail (plen >= ESPLASH_COMMAND_HEADER_LEN, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  opcode = p[1];
  for (guint attempt = 1; ; attempt++)
    {
      GError *local_error = NULL;
      gboolean repeat, damaged;

      if (exchange_once (self, packet, opcode, expected_payload, timeout_ms, check, out, cancellable,
                         &local_error))
        {
          if (attempt > 1)
            {
              g_clear_pointer (&late, g_bytes_unref);
              late = esplash_device_drain_frames (self, -1, REPEAT_DRAIN_QUIET_MS,
                                                  REPEAT_DRAIN_MAX_MS, cancellable, NULL);
            }
          return TRUE;
        }
      damaged = g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL) ||
                error_is_damaged_request (self, opcode, local_error) ||
                error_is_refused_as_damaged (self, check, local_error);
      repeat = opcode_is_repeatable (self, opcode) &&
               (error_is_line_fault (local_error) || damaged);
      if (repeat && attempt >= COMMAND_ATTEMPTS && damaged)
        {
          /* Damaged every time: the line, not the chip. */
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_LINE_DAMAGED,
                       "%s (sent %u times, damaged on the line each time)",
                       local_error->message, attempt);
          g_error_free (local_error);
          return FALSE;
        }
      if (!repeat || attempt >= COMMAND_ATTEMPTS || esplash_device_error_is_fatal (local_error))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      self->command_retries++;
      esplash_device_log (self, ESPLASH_LOG_DEBUG, "%s: %s; sending it again (%u attempts left)",
                          op_name (opcode), local_error->message, COMMAND_ATTEMPTS - attempt);
      g_clear_error (&local_error);
      g_clear_pointer (&late, g_bytes_unref);
      late = esplash_device_drain_frames (self, -1, REPEAT_DRAIN_QUIET_MS, REPEAT_DRAIN_MAX_MS,
                                          cancellable, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
    }
}

gboolean
esplash_device_command (EsplashDevice    *self,
                        guint8            opcode,
                        GBytes           *data,
                        guint32           checksum,
                        gsize             expected_payload,
                        guint             timeout_ms,
                        gboolean          check,
                        EsplashResponse  *out,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_autoptr(GBytes) packet = NULL;
  const guint8 *d = NULL;
  gsize len = 0;

  g_return_val_if_fail (ESPLASH_IS_DEVICE (self), FALSE);

  if (data != NULL)
    d = g_bytes_get_data (data, &len);
  packet = esplash_command_build (opcode, d, len, checksum);
  return esplash_device_command_packet (self, packet, expected_payload, timeout_ms, check,
                                        out, cancellable, error);
}

gboolean
esplash_device_command_words (EsplashDevice    *self,
                              guint8            opcode,
                              const guint32    *words,
                              guint             n_words,
                              gsize             expected_payload,
                              guint             timeout_ms,
                              gboolean          check,
                              EsplashResponse  *out,
                              GCancellable     *cancellable,
                              GError          **error)
{
  g_autoptr(GBytes) packet = esplash_command_build_words (opcode, words, n_words);

  return esplash_device_command_packet (self, packet, expected_payload, timeout_ms, check,
                                        out, cancellable, error);
}
