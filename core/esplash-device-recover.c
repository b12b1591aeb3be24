/* esplash-device-recover.c: taking a session up again after it was lost in
 * the middle of an operation — a reply that never came or came damaged, a
 * chip that was reset, a port that went away (USB re-enumeration) — so that
 * a write can resume where the flash stops matching instead of failing.
 *
 * The order is cheapest first: drain the line and ask the chip (SYNC tells
 * the ROM from the stub by its value, esptool `sync()`); only if the loader
 * that answers is not the one the session had, or nothing answers, is the
 * port opened again (waiting for it to come back) and the chip connected as
 * at the start — the same options, the same chip (MAC) required.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-device.h"
#include "esplash-device-private.h"

#include "esplash-error.h"
#include "esplash-port.h"
#include "esplash-reset.h"
#include "esplash-transport-private.h"

#include <string.h>

/* What the line may still bring (late replies, a boot log) before the
 * chip is asked whether it is there. */
#define RECOVER_DRAIN_QUIET_MS 200
#define RECOVER_DRAIN_MAX_MS 1500
/* A stub busy with a block it took (erase and write) answers SYNC late;
 * a ROM just reset answers at once. */
#define PROBE_TIME_MS 4000
#define PROBE_ROM_TIME_MS 1000
/* How long a port that went away may take to come back (a USB device
 * re-enumerating after a reset or power cycle takes 1-3 s). */
#define PORT_RETURN_WAIT_MS 20000
#define PORT_RETURN_POLL_MS 200
#define ROM_BAUD 115200
/* Damaged replies at one rate before a lower one is tried. */
#define DAMAGE_BEFORE_SLOWER 2

typedef enum {
  PROBE_SILENT,
  PROBE_ROM,
  PROBE_STUB,
} Probe;

/* SYNC until an answer or PROBE_TIME_MS: which loader answers, if any. */
static gboolean
probe_loader_for (EsplashDevice  *self,
                  guint           ms,
                  Probe          *probe,
                  GCancellable   *cancellable,
                  GError        **error)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * G_TIME_SPAN_MILLISECOND;

  *probe = PROBE_SILENT;
  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GError) local_error = NULL;

      if (esplash_device_sync_once (self, cancellable, &local_error))
        {
          *probe = self->sync_stub_detected ? PROBE_STUB : PROBE_ROM;
          return TRUE;
        }
      if (esplash_device_error_is_fatal (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (!esplash_sleep (50, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
probe_loader (EsplashDevice  *self,
              Probe          *probe,
              GCancellable   *cancellable,
              GError        **error)
{
  return probe_loader_for (self, PROBE_TIME_MS, probe, cancellable, error);
}

/* Drains the line and asks which loader answers: *@stub set, or FALSE
 * with ESPLASH_ERROR_TIMED_OUT when none does. */
gboolean
esplash_device_resync (EsplashDevice  *self,
                       gboolean       *stub,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_autoptr(GBytes) frame = NULL;
  GError *local_error = NULL;
  Probe probe = PROBE_SILENT;

  frame = esplash_device_drain_frames (self, -1, RECOVER_DRAIN_QUIET_MS, RECOVER_DRAIN_MAX_MS,
                                       cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (!probe_loader (self, &probe, cancellable, error))
    return FALSE;
  if (probe == PROBE_SILENT)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT,
                           "The chip does not answer SYNC any more");
      return FALSE;
    }
  *stub = probe == PROBE_STUB;
  return TRUE;
}

/* Remembers the port's USB identity (the transport read it when it
 * opened), to find it again under another name. */
void
esplash_device_note_port_identity (EsplashDevice *self)
{
  g_free (self->port_url);
  self->port_url = g_strdup (esplash_transport_get_url (self->transport));
  if (self->port_vid != 0 ||
      esplash_transport_get_kind (self->transport) != ESPLASH_TRANSPORT_KIND_SERIAL)
    return;
  self->port_vid = esplash_transport_get_usb_vid (self->transport);
  self->port_pid = esplash_transport_get_usb_pid (self->transport);
  g_free (self->port_serial);
  self->port_serial = g_strdup (esplash_transport_get_usb_serial (self->transport));
}

/* Where the port is now: the same name, or (re-enumerated) another name
 * with the same VID:PID and serial number. */
static char *
find_port (EsplashDevice *self)
{
  if (self->port_vid == 0)
    return g_strdup (self->port_url);
  return esplash_port_find_usb (self->port_vid, self->port_pid, self->port_serial);
}

/* Waits for the port to come back and opens it in place of the old one. */
static gboolean
reopen_port (EsplashDevice  *self,
             gint64          end,
             GCancellable   *cancellable,
             GError        **error)
{
  g_autoptr(GError) last_error = NULL;

  esplash_device_log (self, ESPLASH_LOG_WARNING, "The port %s went away: waiting for it to "
                      "come back...", self->port_url);
  esplash_transport_close (self->transport);
  while (g_get_monotonic_time () < end)
    {
      g_autofree char *url = find_port (self);
      EsplashTransport *transport;

      if (url != NULL)
        {
          g_clear_error (&last_error);
          transport = esplash_transport_open (url, &last_error);
          if (transport != NULL)
            {
              g_object_unref (self->transport);
              self->transport = transport;
              g_byte_array_set_size (self->rx, 0);
              esplash_slip_decoder_reset (self->decoder);
              esplash_device_log (self, ESPLASH_LOG_INFO, "The port is back%s%s",
                                  g_strcmp0 (url, self->port_url) != 0 ? " as " : "",
                                  g_strcmp0 (url, self->port_url) != 0 ? url : "");
              g_free (self->port_url);
              self->port_url = g_steal_pointer (&url);
              return TRUE;
            }
        }
      if (!esplash_sleep (PORT_RETURN_POLL_MS, cancellable, error))
        return FALSE;
    }
  g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE,
               "The port %s went away during the operation and did not come back within %u s%s%s",
               self->port_url, PORT_RETURN_WAIT_MS / 1000, last_error != NULL ? ": " : "",
               last_error != NULL ? last_error->message : "");
  return FALSE;
}

/* The chip that answers now must be the one the session had. */
static gboolean
check_same_chip (EsplashDevice        *self,
                 const EsplashChipInfo *chip,
                 GCancellable         *cancellable,
                 GError              **error)
{
  EsplashDeviceRegReader reader = { self, cancellable };
  guint8 mac[6];

  if (self->chip != chip)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED_CHIP,
                   "After reconnecting, the chip is %s, not the %s the operation began on: "
                   "not writing to another board", self->chip->name, chip->name);
      return FALSE;
    }
  if (!self->mac_valid || self->secure_download_mode)
    return TRUE;
  /* Register values carry no checksum: on a line that damages bytes one
   * read may be wrong. The same chip if any read matches; another one only
   * if two reads agree on something else. Only the last three bytes are
   * compared: they tell boards apart, the first three name the maker. */
  for (guint i = 0; i < 3; i++)
    {
      guint8 again[6];

      if (!esplash_chip_read_mac (self->chip, esplash_device_reg_reader, &reader,
                                  i == 0 ? mac : again, error))
        return FALSE;
      if (memcmp ((i == 0 ? mac : again) + 3, self->mac + 3, 3) == 0)
        return TRUE;
      if (i > 0 && memcmp (again + 3, mac + 3, 3) == 0)
        break;
      if (i > 0)
        memcpy (mac, again, sizeof mac);
    }
  if (memcmp (mac + 3, self->mac + 3, 3) != 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED_CHIP,
                   "After reconnecting, another chip answers (MAC %02x:%02x:%02x:%02x:%02x:%02x, "
                   "was %02x:%02x:%02x:%02x:%02x:%02x): not writing to another board",
                   mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], self->mac[0], self->mac[1],
                   self->mac[2], self->mac[3], self->mac[4], self->mac[5]);
      return FALSE;
    }
  return TRUE;
}

/* Whether connecting again resets the chip: the port has the lines, and
 * the user let the first connect use them (not --before no-reset). */
static gboolean
can_reset (EsplashDevice *self)
{
  return esplash_transport_has_lines (self->transport) &&
         (self->last_connect.before == ESPLASH_BEFORE_DEFAULT_RESET ||
          self->last_connect.before == ESPLASH_BEFORE_USB_RESET);
}

/* The next lower of the usual rates, or 0 at the ROM's rate. */
static guint
lower_rate_of (guint baud)
{
  static const guint rates[] = { 921600, 460800, 230400, ROM_BAUD };

  for (gsize i = 0; i < G_N_ELEMENTS (rates); i++)
    if (rates[i] < baud)
      return rates[i];
  return 0;
}

/* Replies that keep arriving damaged mean a rate the line does not hold
 * (a long cable, a slow bridge): go down one rate. The CHANGE_BAUDRATE
 * itself may be lost or damaged, so the chip is asked at both rates. */
gboolean
esplash_device_lower_rate (EsplashDevice  *self,
                           GCancellable   *cancellable,
                           GError        **error)
{
  guint old = esplash_transport_get_baud (self->transport);
  guint lower = lower_rate_of (old);
  g_autoptr(GError) local_error = NULL;
  Probe probe = PROBE_SILENT;

  if (lower == 0 || self->console != ESPLASH_CONSOLE_UART ||
      (!self->stub_running && self->chip->rom_is_esp8266_like))
    return TRUE;
  esplash_device_log (self, ESPLASH_LOG_WARNING, "Replies keep arriving damaged at %u baud: "
                      "going down to %u baud", old, lower);
  for (guint attempt = 0; attempt < 2; attempt++)
    {
      if (!esplash_device_change_baud (self, lower, cancellable, &local_error))
        {
          if (esplash_device_error_is_fatal (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          esplash_device_log (self, ESPLASH_LOG_DEBUG, "%s", local_error->message);
          g_clear_error (&local_error);
          /* A port without a rate of its own (socket://) cannot tell the
           * chip's rate from an answer: without the reply, it did not
           * change. */
          if (esplash_transport_get_kind (self->transport) == ESPLASH_TRANSPORT_KIND_SOCKET)
            {
              if (!esplash_device_resync (self, &(gboolean) { FALSE }, cancellable, NULL) &&
                  g_cancellable_set_error_if_cancelled (cancellable, error))
                return FALSE;
              continue;
            }
          if (!esplash_transport_set_baud (self->transport, lower, error))
            return FALSE;
        }
      if (!probe_loader (self, &probe, cancellable, error))
        return FALSE;
      if (probe != PROBE_SILENT)
        {
          /* remembered: connecting again must not go back up */
          self->rate_ceiling = lower;
          self->line_faults = 0;
          return TRUE;
        }
      /* No answer at the lower rate: the command was lost on the way, and
       * the chip is still at the old one — or at a rate nobody knows. */
      if (!esplash_transport_set_baud (self->transport, old, error) ||
          !probe_loader (self, &probe, cancellable, error))
        return FALSE;
      if (probe == PROBE_SILENT)
        break;
    }
  return TRUE;
}

/* Connects again as the session did at first; the flash is attached and
 * given its parameters again if it had been. */
static gboolean
connect_again (EsplashDevice         *self,
               const EsplashChipInfo *chip,
               gboolean               attached,
               guint32                params_size,
               gboolean               chip_reset,
               GCancellable          *cancellable,
               GError               **error)
{
  EsplashConnectOptions options = self->last_connect;
  /* a copy: connecting stores the options again, freeing the old string */
  g_autofree char *stub_dir = g_strdup (self->last_stub_dir);
  GError *local_error = NULL;

  options.stub_dir = stub_dir;
  esplash_device_mark_disconnected (self);
  if (!esplash_device_connect (self, &options, cancellable, &local_error))
    {
      if (chip_reset && !esplash_device_error_is_fatal (local_error))
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_CHIP_RESET,
                       "The chip was reset during the operation and could not be taken back "
                       "into its loader: %s", local_error->message);
          g_error_free (local_error);
        }
      else
        g_propagate_prefixed_error (error, local_error, "Connecting again: ");
      return FALSE;
    }
  if (!check_same_chip (self, chip, cancellable, error))
    return FALSE;
  if (attached && !esplash_device_ensure_flash_attached (self, cancellable, error))
    return FALSE;
  if (params_size != 0 && !esplash_device_set_flash_params (self, params_size, cancellable, error))
    return FALSE;
  return TRUE;
}

/* What a connect observes and overwrites (connect_internal() clears the
 * logs in place, hence copies). */
typedef struct {
  GByteArray            *boot_log;
  GByteArray            *line_text;
  const EsplashChipInfo *chip;
  guint                  revision;
  EsplashConsole         console;
  gboolean               secure_download_mode;
  EsplashSecurityInfo    security;
  gint                   boot_mode;
  gboolean               boot_download;
  guint64                line_noise_mark;
  guint64                connect_rx_start;
  guint                  resets_run;
  guint                  reset_strategies;
  guint                  sync_replies;
  EsplashStage           stage;
} Observations;

static GByteArray *
byte_array_copy (GByteArray *array)
{
  GByteArray *copy = g_byte_array_sized_new (array->len);

  g_byte_array_append (copy, array->data, array->len);
  return copy;
}

static void
observations_save (EsplashDevice *self,
                   Observations  *o)
{
  o->boot_log = byte_array_copy (self->boot_log);
  o->line_text = byte_array_copy (self->line_text);
  o->chip = self->chip;
  o->revision = self->revision;
  o->console = self->console;
  o->secure_download_mode = self->secure_download_mode;
  o->security = self->security;
  o->boot_mode = self->boot_mode;
  o->boot_download = self->boot_download;
  o->line_noise_mark = self->line_noise_mark;
  o->connect_rx_start = self->connect_rx_start;
  o->resets_run = self->resets_run;
  o->reset_strategies = self->reset_strategies;
  o->sync_replies = self->sync_replies;
  o->stage = self->stage;
}

static void
observations_clear (Observations *o)
{
  g_clear_pointer (&o->boot_log, g_byte_array_unref);
  g_clear_pointer (&o->line_text, g_byte_array_unref);
}

/* Puts @o back (and takes its logs). */
static void
observations_restore (EsplashDevice *self,
                      Observations  *o)
{
  g_byte_array_unref (self->boot_log);
  self->boot_log = g_steal_pointer (&o->boot_log);
  g_byte_array_unref (self->line_text);
  self->line_text = g_steal_pointer (&o->line_text);
  self->chip = o->chip;
  self->revision = o->revision;
  self->console = o->console;
  self->secure_download_mode = o->secure_download_mode;
  self->security = o->security;
  self->boot_mode = o->boot_mode;
  self->boot_download = o->boot_download;
  self->line_noise_mark = o->line_noise_mark;
  self->connect_rx_start = o->connect_rx_start;
  self->resets_run = o->resets_run;
  self->reset_strategies = o->reset_strategies;
  self->sync_replies = o->sync_replies;
  self->stage = o->stage;
}

static gboolean recover_internal (EsplashDevice  *self,
                                  const GError   *cause,
                                  GCancellable   *cancellable,
                                  GError        **error);

/**
 * esplash_device_recover:
 * @cause: what went wrong (esplash_device_error_is_recoverable() said yes)
 *
 * Takes the session up again: the chip still answering in the same loader
 * is enough; else the port is opened again if it went, and the chip is
 * connected again. Afterwards the caller must find out what the operation
 * got done (the flash, by MD5) and go on from there.
 *
 * Returns: %TRUE when the session is usable again
 */
gboolean
esplash_device_recover (EsplashDevice  *self,
                        const GError   *cause,
                        GCancellable   *cancellable,
                        GError        **error)
{
  Observations saved;

  /* A failure is explained by what the session saw when it was lost, not
   * by the attempt to take it up again: what a connect observes (for
   * esplash-attempt.c) is put back if the attempt fails. */
  observations_save (self, &saved);
  if (recover_internal (self, cause, cancellable, error))
    {
      observations_clear (&saved);
      return TRUE;
    }
  observations_restore (self, &saved);
  return FALSE;
}

static gboolean
recover_internal (EsplashDevice  *self,
                  const GError   *cause,
                  GCancellable   *cancellable,
                  GError        **error)
{
  gboolean port_lost = g_error_matches (cause, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE);
  gboolean chip_reset = FALSE;
  Probe probe = PROBE_SILENT;
  /* the session's, kept across attempts that clear them */
  const EsplashChipInfo *chip = self->chip;
  gboolean attached = self->flash_attached;
  guint32 params_size = self->flash_params_size;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!self->has_connected || chip == NULL)
    {
      g_propagate_error (error, g_error_copy (cause));
      return FALSE;
    }
  self->recoveries++;
  esplash_device_stage (self, ESPLASH_STAGE_RECONNECTING);
  esplash_device_log (self, ESPLASH_LOG_WARNING, "%s: taking the session up again",
                      cause->message);

  if (!port_lost)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) frame = NULL;

      chip_reset = esplash_device_noise_shows_reset (self);
      frame = esplash_device_drain_frames (self, -1, RECOVER_DRAIN_QUIET_MS, RECOVER_DRAIN_MAX_MS,
                                           cancellable, &local_error);
      chip_reset = chip_reset || esplash_device_noise_shows_reset (self);
      if (local_error != NULL && !esplash_device_error_is_fatal (local_error))
        g_clear_error (&local_error);
      /* A boot log says it all where the chip can be reset from here. */
      if (local_error == NULL && !(chip_reset && can_reset (self)))
        probe_loader (self, &probe, cancellable, &local_error);
      if (local_error != NULL && !g_error_matches (local_error, ESPLASH_ERROR,
                                                   ESPLASH_ERROR_PORT_GONE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      port_lost = local_error != NULL;
    }

  if (!port_lost && probe == PROBE_SILENT &&
      !(chip_reset && can_reset (self)) &&
      esplash_transport_get_baud (self->transport) != ROM_BAUD &&
      self->console == ESPLASH_CONSOLE_UART)
    {
      /* A chip reset into its ROM listens at the ROM's rate again. */
      g_autoptr(GError) local_error = NULL;

      if (esplash_transport_set_baud (self->transport, ROM_BAUD, &local_error))
        probe_loader_for (self, PROBE_ROM_TIME_MS, &probe, cancellable, &local_error);
      if (local_error != NULL)
        {
          port_lost = g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE);
          if (!port_lost)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }
      if (probe != PROBE_SILENT)
        chip_reset = TRUE;
    }

  if (!port_lost && probe != PROBE_SILENT && !chip_reset &&
      (probe == PROBE_STUB) == self->stub_running)
    {
      esplash_device_log (self, ESPLASH_LOG_INFO, "The chip still answers (%s): going on",
                          self->stub_running ? "flasher stub" : "ROM loader");
      /* Whatever was lost or damaged, the line lost it: twice at one rate
       * and a lower one is tried. */
      self->line_faults++;
      if (self->line_faults >= DAMAGE_BEFORE_SLOWER)
        return esplash_device_lower_rate (self, cancellable, error);
      return TRUE;
    }
  if (probe != PROBE_SILENT)
    chip_reset = TRUE;   /* another loader answers: the chip restarted */

  if (!port_lost && probe == PROBE_SILENT && !can_reset (self))
    {
      /* Nothing answers, and nothing may reset it from here. */
      if (chip_reset)
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_CHIP_RESET,
                     "The chip was reset during the operation (its boot log came instead of "
                     "the reply) and did not come back into its loader: %s", cause->message);
      else
        g_propagate_error (error, g_error_copy (cause));
      return FALSE;
    }

  if (port_lost && esplash_transport_get_kind (self->transport) == ESPLASH_TRANSPORT_KIND_SIMULATOR)
    {
      /* An in-process virtual board has no port to open again. */
      g_propagate_error (error, g_error_copy (cause));
      return FALSE;
    }
  if (!port_lost)
    {
      esplash_device_log (self, ESPLASH_LOG_WARNING, "%s: connecting again",
                          chip_reset ? "The chip was reset" : "The chip does not answer");
      return connect_again (self, chip, attached, params_size, chip_reset, cancellable, error);
    }

  /* A port that comes back may go again at once (a USB device that
   * re-enumerates twice, a board still powering up): until the deadline. */
  {
    gint64 end = g_get_monotonic_time () + PORT_RETURN_WAIT_MS * G_TIME_SPAN_MILLISECOND;

    for (;;)
      {
        GError *local_error = NULL;

        if (!reopen_port (self, end, cancellable, error))
          return FALSE;
        esplash_device_log (self, ESPLASH_LOG_WARNING, "The port came back: connecting again");
        if (connect_again (self, chip, attached, params_size, TRUE, cancellable, &local_error))
          return TRUE;
        if (!g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE) ||
            g_get_monotonic_time () >= end)
          {
            g_propagate_error (error, local_error);
            return FALSE;
          }
        esplash_device_log (self, ESPLASH_LOG_DEBUG, "%s", local_error->message);
        g_error_free (local_error);
      }
  }
}

/* Statuses that are not the chip's verdict on the data but the sign of a
 * lost session: "data without begin" (ROM 0x06, stub 0xC6: the BEGIN went
 * with a reset), a block that arrived damaged (checksum, length, block
 * size: ROM 0x07, 0x05, stub 0xC0-0xC2), a compressed stream that a lost
 * or doubled block broke (ROM 0x0B, stub 0xC7-0xC9), an MD5 whose range
 * arrived damaged (ROM 0x09, stub 0x63: a read beyond the flash; these
 * commands carry no checksum). The write goes on from what the flash
 * holds, checked by MD5. */
static const guint8 session_rom_errors[] = {
  ESPLASH_ROM_ERROR_INVALID_FORMAT, ESPLASH_ROM_ERROR_RESULT_WRONG, ESPLASH_ROM_ERROR_CHECKSUM,
  ESPLASH_ROM_ERROR_FLASH_READ, ESPLASH_ROM_ERROR_DEFLATE,
};
static const guint8 session_stub_errors[] = {
  ESPLASH_STUB_ERROR_BAD_DATA_LEN, ESPLASH_STUB_ERROR_BAD_DATA_CHECKSUM,
  ESPLASH_STUB_ERROR_BAD_BLOCKSIZE, ESPLASH_STUB_ERROR_NOT_IN_FLASH_MODE,
  ESPLASH_STUB_ERROR_INFLATE, ESPLASH_STUB_ERROR_NOT_ENOUGH_DATA,
  ESPLASH_STUB_ERROR_TOO_MUCH_DATA, 0x63,
};

/**
 * esplash_device_error_is_recoverable:
 * @self: the device whose last command failed with @error
 *
 * Returns: whether esplash_device_recover() may get past @error: a reply
 *   lost, late or damaged, a chip reset, the port gone, a status that
 *   says the session was lost, a crash — not a cancellation or a failure
 *   the chip reported on purpose
 */
gboolean
esplash_device_error_is_recoverable (EsplashDevice *self,
                                     const GError  *error)
{
  const guint8 *status = self->failed_status;

  if (error == NULL || error->domain != ESPLASH_ERROR)
    return FALSE;
  switch (error->code)
    {
    case ESPLASH_ERROR_TIMED_OUT:
    case ESPLASH_ERROR_PROTOCOL:
    case ESPLASH_ERROR_PORT_GONE:
    case ESPLASH_ERROR_CHIP_RESET:
    case ESPLASH_ERROR_LINE_DAMAGED:
      return TRUE;
    case ESPLASH_ERROR_DEVICE:
      if (self->crashed)
        return TRUE;
      if (status[0] == 1)
        return memchr (session_rom_errors, status[1], sizeof session_rom_errors) != NULL;
      return status[0] != 0 &&
             memchr (session_stub_errors, status[0], sizeof session_stub_errors) != NULL;
    default:
      return FALSE;
    }
}
