/* esplash-monitor.c: the serial monitor.
 *
 * A reader thread owns the port while the monitor runs: it reads, hands
 * the bytes on unchanged, cuts them into lines for the crash scanner and
 * resolves what the scanner finds. Everything for the caller goes through
 * one ordered, coalescing, bounded queue to the caller's main context
 * (esplash-monitor-queue.c), so a board that floods the line at 2 Mbaud
 * costs the main loop a few signals per frame, not one per read.
 *
 * Requests from the caller (send, reset, baud) are queued under the lock
 * and carried out by the reader thread between reads, so the port is only
 * ever touched from one thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"
#include "esplash-monitor.h"
#include "esplash-chip.h"
#include "esplash-crash.h"
#include "esplash-error.h"
#include "esplash-monitor-queue-private.h"
#include "esplash-port.h"
#include "esplash-reset.h"
#include "esplash-transport-private.h"

#define READ_SLICE_MS       50
#define PORT_POLL_MS        100
#define MAX_LINE_BYTES      1024       /* a longer "line" is scanned in pieces */

/* A note about a line, held until the line's bytes are queued. */
typedef struct {
  EsplashMonitorNote  note;
  char               *text;
} LineNote;

struct _EsplashMonitor
{
  GObject parent_instance;

  char               *port_url;
  gboolean            own_port;        /* opened here by URL (else the caller's transport) */
  guint16             usb_vid, usb_pid;
  char               *usb_serial;
  EsplashMonitorState state;           /* as the main context last saw it */

  GMutex              lock;
  /* under lock: shared with the reader thread */
  EsplashTransport   *transport;
  EsplashElfSymbols  *elf;
  guint               baud;
  gboolean            baud_changed;
  GByteArray         *to_send;
  gboolean            reset_requested;

  EsplashMonitorQueue *queue;          /* to the caller's main context */

  GThread            *thread;
  GCancellable       *cancellable;
  gboolean            reset_at_start;

  /* reader thread only */
  GByteArray          *line;
  EsplashCrashScanner *scanner;
  gboolean             said_no_elf;
  char                *sha_checked;    /* the app SHA-256 prefix already compared */
};

G_DEFINE_FINAL_TYPE (EsplashMonitor, esplash_monitor, G_TYPE_OBJECT)

enum {
  SIGNAL_OUTPUT,
  SIGNAL_NOTE,
  SIGNAL_STATE_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* On the main context: an item from the reader thread becomes a signal. */
static void
deliver (GObject                  *owner,
         const EsplashMonitorItem *item)
{
  EsplashMonitor *self = ESPLASH_MONITOR (owner);

  switch (item->kind)
    {
    case ESPLASH_MONITOR_ITEM_OUTPUT:
      {
        g_autoptr(GBytes) bytes = g_bytes_new (item->bytes->data, item->bytes->len);

        if (item->bytes->len > 0)
          g_signal_emit (self, signals[SIGNAL_OUTPUT], 0, bytes);
      }
      break;
    case ESPLASH_MONITOR_ITEM_NOTE:
      g_signal_emit (self, signals[SIGNAL_NOTE], 0, item->note, item->text);
      break;
    case ESPLASH_MONITOR_ITEM_STATE:
      self->state = item->state;
      /* the port's name now (another one after a re-enumeration); the
       * main thread's copy, so get_port_url() never races the reader */
      g_mutex_lock (&self->lock);
      if (self->transport != NULL)
        {
          g_free (self->port_url);
          self->port_url = g_strdup (esplash_transport_get_url (self->transport));
        }
      g_mutex_unlock (&self->lock);
      g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, item->state, item->text);
      break;
    }
}

static void
queue_note (EsplashMonitor     *self,
            EsplashMonitorNote  note,
            const char         *text)
{
  esplash_monitor_queue_note (self->queue, note, g_strdup (text));
}

static void
queue_state (EsplashMonitor      *self,
             EsplashMonitorState  state,
             const char          *message)
{
  esplash_monitor_queue_state (self->queue, state, message);
}

static void
line_note_free (gpointer data)
{
  LineNote *n = data;

  g_free (n->text);
  g_free (n);
}

/* ------------------------------------------------------------ crash lines */

static EsplashElfSymbols *
dup_elf (EsplashMonitor *self)
{
  EsplashElfSymbols *elf;

  g_mutex_lock (&self->lock);
  elf = self->elf != NULL ? g_object_ref (self->elf) : NULL;
  g_mutex_unlock (&self->lock);
  return elf;
}

static LineNote *
note_item (EsplashMonitorNote  note,
           char               *text)   /* (transfer full) */
{
  LineNote *n = g_new0 (LineNote, 1);

  n->note = note;
  n->text = text;
  return n;
}

/* The notes about a line, right after its bytes. */
static void
queue_line_notes (EsplashMonitor *self,
                  GPtrArray      *notes)
{
  for (guint k = 0; k < notes->len; k++)
    {
      LineNote *n = g_ptr_array_index (notes, k);

      esplash_monitor_queue_note (self->queue, n->note, g_steal_pointer (&n->text));
    }
  g_ptr_array_set_size (notes, 0);
}

/* The app says which build it is; an ELF of another build would decode
 * to wrong names, so say so once per app start. */
static void
check_app_sha (EsplashMonitor    *self,
               EsplashElfSymbols *elf,
               GPtrArray         *notes)
{
  const char *sha = esplash_crash_scanner_get_app_elf_sha256 (self->scanner);

  if (elf == NULL || sha == NULL || g_strcmp0 (sha, self->sha_checked) == 0)
    return;
  g_free (self->sha_checked);
  self->sha_checked = g_strdup (sha);
  if (esplash_elf_symbols_matches_sha256 (elf, sha))
    return;
  g_ptr_array_add (notes, note_item (ESPLASH_MONITOR_NOTE_WARNING,
    g_strdup_printf ("%s is not the ELF of the app that runs (the app says ELF SHA-256 %s…, "
                     "the file's is %.16s…): decoded names would be wrong. Choose the .elf "
                     "of the build you flashed.",
                     esplash_elf_symbols_get_path (elf), sha, esplash_elf_symbols_get_sha256 (elf))));
}

/* The line so far to the crash scanner; what it says about the line is
 * added to @notes. */
static void
scan_line (EsplashMonitor *self,
           GPtrArray      *notes)
{
  g_autoptr(EsplashElfSymbols) elf = dup_elf (self);
  g_autoptr(GArray) addresses = NULL;

  addresses = esplash_crash_scanner_feed_line (self->scanner, (const char *) self->line->data,
                                               self->line->len);
  g_byte_array_set_size (self->line, 0);
  check_app_sha (self, elf, notes);
  if (addresses == NULL || addresses->len == 0)
    return;
  if (elf == NULL)
    {
      if (!self->said_no_elf)
        g_ptr_array_add (notes, note_item (ESPLASH_MONITOR_NOTE_WARNING, g_strdup (
          "The board crashed, but there is no ELF to decode its addresses: choose the "
          "app's .elf from its build folder (the CLI's --elf FILE)")));
      self->said_no_elf = TRUE;
      return;
    }
  for (guint i = 0; i < addresses->len; i++)
    {
      const EsplashCrashAddress *a = &g_array_index (addresses, EsplashCrashAddress, i);

      g_ptr_array_add (notes, note_item (ESPLASH_MONITOR_NOTE_DECODED,
                                         esplash_elf_symbols_describe (elf, a->address)));
    }
}

/* Hands @data on, with the notes about a line right after that line's
 * bytes (not after the whole read, which may hold a reboot's log too). */
static void
take_output (EsplashMonitor *self,
             const guint8   *data,
             gsize           len)
{
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (line_note_free);
  gsize done = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != '\n')
        g_byte_array_append (self->line, &data[i], 1);
      if (data[i] == '\n' || self->line->len >= MAX_LINE_BYTES)
        scan_line (self, notes);
      if (notes->len == 0)
        continue;
      esplash_monitor_queue_output (self->queue, data + done, i + 1 - done);
      done = i + 1;
      queue_line_notes (self, notes);
    }
  if (done < len)
    esplash_monitor_queue_output (self->queue, data + done, len - done);
}

/* ------------------------------------------------------------- the port */

/* Lets go of EN and the boot strap (a port opens with DTR and RTS as the
 * OS left them) and sets the monitor's rate. */
static gboolean
prepare_port (EsplashMonitor   *self,
              EsplashTransport *transport,
              GError          **error)
{
  guint baud;

  g_mutex_lock (&self->lock);
  baud = self->baud;
  self->baud_changed = FALSE;
  g_mutex_unlock (&self->lock);
  if (esplash_transport_has_lines (transport) &&
      !esplash_transport_set_lines (transport, FALSE, FALSE, error))
    return FALSE;
  return esplash_transport_set_baud (transport, baud, error);
}

static void
remember_identity (EsplashMonitor   *self,
                   EsplashTransport *transport)
{
  self->usb_vid = esplash_transport_get_usb_vid (transport);
  self->usb_pid = esplash_transport_get_usb_pid (transport);
  g_free (self->usb_serial);
  self->usb_serial = g_strdup (esplash_transport_get_usb_serial (transport));
}

/* Where the port is now: by USB identity for a local USB port (it may come
 * back under another name), else by its URL. */
static EsplashTransport *
open_again (EsplashMonitor *self,
            GError        **error)
{
  g_autofree char *url = NULL;
  EsplashTransport *transport;

  /* self->transport is the one that went away (the reader's own) */
  const char *old_url = esplash_transport_get_url (self->transport);

  if (self->usb_vid != 0 && esplash_transport_get_kind (self->transport) == ESPLASH_TRANSPORT_KIND_SERIAL)
    url = esplash_port_find_usb (self->usb_vid, self->usb_pid, self->usb_serial);
  else
    url = g_strdup (old_url);
  if (url == NULL)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND, "no port with USB id %04x:%04x",
                   self->usb_vid, self->usb_pid);
      return NULL;
    }
  transport = esplash_transport_open (url, error);
  if (transport != NULL && g_strcmp0 (url, old_url) != 0)
    {
      g_autofree char *text = g_strdup_printf ("The port came back as %s", url);

      queue_note (self, ESPLASH_MONITOR_NOTE_INFO, text);
    }
  return transport;
}

static void
set_transport (EsplashMonitor   *self,
               EsplashTransport *transport)
{
  g_mutex_lock (&self->lock);
  g_set_object (&self->transport, transport);
  g_mutex_unlock (&self->lock);
}

/* The port went away (a USB device re-enumerates when the chip resets):
 * wait for it as long as the monitor runs. A port counts as back once a
 * read on it succeeds — a network port may accept and drop at once. */
static gboolean
wait_for_port (EsplashMonitor *self,
               GError         *why)
{
  g_autofree char *message = g_strdup_printf ("The port went away (%s): waiting for it to come back…",
                                              why->message);
  guint8 buf[4096];

  queue_state (self, ESPLASH_MONITOR_STATE_WAITING_FOR_PORT, message);
  if (self->own_port)
    esplash_transport_close (self->transport);
  while (!g_cancellable_is_cancelled (self->cancellable))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EsplashTransport) transport = NULL;
      gssize n;

      if (!esplash_sleep (PORT_POLL_MS, self->cancellable, NULL))
        break;
      transport = self->own_port ? open_again (self, &error) : g_object_ref (self->transport);
      if (transport == NULL)
        continue;
      n = esplash_transport_read (transport, buf, sizeof buf, PORT_POLL_MS, self->cancellable, &error);
      if (n < 0 || !prepare_port (self, transport, &error))
        {
          if (self->own_port)
            esplash_transport_close (transport);
          continue;
        }
      set_transport (self, transport);
      queue_state (self, ESPLASH_MONITOR_STATE_RUNNING, "The port is back");
      if (n > 0)
        take_output (self, buf, (gsize) n);
      return TRUE;
    }
  return FALSE;
}

static void
do_reset (EsplashMonitor *self)
{
  g_autoptr(GError) error = NULL;

  if (!esplash_transport_has_lines (self->transport))
    {
      queue_note (self, ESPLASH_MONITOR_NOTE_WARNING,
                  "This port has no reset line (a raw socket:// port): press the board's RESET button");
      return;
    }
  queue_note (self, ESPLASH_MONITOR_NOTE_INFO, "Resetting the board");
  g_byte_array_set_size (self->line, 0);
  /* The USB consoles need the longer timing (esptool's hard reset). */
  if (!esplash_reset_hard (self->transport, self->usb_vid == ESPLASH_ESPRESSIF_USB_VID,
                           self->cancellable, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf ("Could not reset the board: %s", error->message);

      queue_note (self, ESPLASH_MONITOR_NOTE_WARNING, text);
    }
}

/* Carries out what the caller asked for since the last read. */
static gboolean
run_requests (EsplashMonitor *self,
              GError        **error)
{
  g_autoptr(GByteArray) to_send = NULL;
  gboolean reset;
  guint baud = 0;

  g_mutex_lock (&self->lock);
  if (self->to_send->len > 0)
    {
      to_send = self->to_send;
      self->to_send = g_byte_array_new ();
    }
  reset = self->reset_requested;
  self->reset_requested = FALSE;
  if (self->baud_changed)
    baud = self->baud;
  self->baud_changed = FALSE;
  g_mutex_unlock (&self->lock);

  if (baud != 0 && !esplash_transport_set_baud (self->transport, baud, error))
    return FALSE;
  if (to_send != NULL && !esplash_transport_write (self->transport, to_send->data, to_send->len, error))
    return FALSE;
  if (reset)
    do_reset (self);
  return TRUE;
}

static gpointer
reader_thread (gpointer data)
{
  EsplashMonitor *self = data;
  g_autoptr(GError) error = NULL;
  guint8 buf[8192];

  if (self->reset_at_start)
    do_reset (self);
  while (!g_cancellable_is_cancelled (self->cancellable))
    {
      gssize n;

      if (!run_requests (self, &error))
        n = -1;
      else
        n = esplash_transport_read (self->transport, buf, sizeof buf, READ_SLICE_MS,
                                    self->cancellable, &error);
      if (n > 0)
        take_output (self, buf, (gsize) n);
      if (n >= 0)
        continue;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !wait_for_port (self, error))
        break;
      g_clear_error (&error);
    }
  if (self->line->len > 0)
    {
      g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (line_note_free);

      scan_line (self, notes);
      queue_line_notes (self, notes);
    }
  queue_state (self, ESPLASH_MONITOR_STATE_STOPPED, NULL);
  return NULL;
}

/* ---------------------------------------------------------------- API */

/**
 * esplash_monitor_new:
 * @port_url: a local port ("/dev/ttyUSB0") or "socket://" / "rfc2217://" URL
 *
 * A monitor that opens @port_url at start and closes it at stop.
 *
 * Returns: (transfer full): the monitor
 */
EsplashMonitor *
esplash_monitor_new (const char *port_url)
{
  EsplashMonitor *self;

  g_return_val_if_fail (port_url != NULL, NULL);

  self = g_object_new (ESPLASH_TYPE_MONITOR, NULL);
  self->port_url = g_strdup (port_url);
  self->own_port = TRUE;
  return self;
}

/**
 * esplash_monitor_new_for_transport:
 * @transport: an open port, e.g. the virtual board's
 *
 * A monitor on a port the caller opened; it is not closed at stop, and
 * after it went away the monitor reads it again until it answers.
 *
 * Returns: (transfer full): the monitor
 */
EsplashMonitor *
esplash_monitor_new_for_transport (EsplashTransport *transport)
{
  EsplashMonitor *self;

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (transport), NULL);

  self = g_object_new (ESPLASH_TYPE_MONITOR, NULL);
  self->port_url = g_strdup (esplash_transport_get_url (transport));
  self->transport = g_object_ref (transport);
  remember_identity (self, transport);
  return self;
}

/**
 * esplash_monitor_get_port_url:
 *
 * Returns: the port's URL (after a re-enumeration, its new name)
 */
const char *
esplash_monitor_get_port_url (EsplashMonitor *self)
{
  g_return_val_if_fail (ESPLASH_IS_MONITOR (self), NULL);
  return self->port_url;
}

EsplashMonitorState
esplash_monitor_get_state (EsplashMonitor *self)
{
  g_return_val_if_fail (ESPLASH_IS_MONITOR (self), ESPLASH_MONITOR_STATE_STOPPED);
  return self->state;
}

guint
esplash_monitor_get_baud (EsplashMonitor *self)
{
  guint baud;

  g_return_val_if_fail (ESPLASH_IS_MONITOR (self), 0);
  g_mutex_lock (&self->lock);
  baud = self->baud;
  g_mutex_unlock (&self->lock);
  return baud;
}

/**
 * esplash_monitor_set_baud:
 * @baud: bits per second (the app's console rate, 115200 by default)
 *
 * Takes effect at once, also while running.
 */
void
esplash_monitor_set_baud (EsplashMonitor *self,
                          guint           baud)
{
  g_return_if_fail (ESPLASH_IS_MONITOR (self));
  g_return_if_fail (baud > 0);

  g_mutex_lock (&self->lock);
  if (baud != self->baud)
    {
      self->baud = baud;
      self->baud_changed = TRUE;
    }
  g_mutex_unlock (&self->lock);
}

/**
 * esplash_monitor_get_elf:
 *
 * Returns: (transfer none) (nullable): the ELF that decodes crashes
 */
EsplashElfSymbols *
esplash_monitor_get_elf (EsplashMonitor *self)
{
  g_return_val_if_fail (ESPLASH_IS_MONITOR (self), NULL);
  return self->elf;
}

/**
 * esplash_monitor_set_elf:
 * @elf: (nullable): the app's ELF, or %NULL to stop decoding
 *
 * May be called while running: the next crash is decoded with it.
 */
void
esplash_monitor_set_elf (EsplashMonitor    *self,
                         EsplashElfSymbols *elf)
{
  g_return_if_fail (ESPLASH_IS_MONITOR (self));
  g_return_if_fail (elf == NULL || ESPLASH_IS_ELF_SYMBOLS (elf));

  g_mutex_lock (&self->lock);
  g_set_object (&self->elf, elf);
  g_mutex_unlock (&self->lock);
}

/**
 * esplash_monitor_start:
 * @reset: reset the board first, to watch it start (as idf.py monitor does)
 * @error: return location for an error opening the port
 *
 * Opens the port (if the monitor has a URL) without resetting the board
 * (DTR and RTS let go), then reads it on a thread of its own until
 * esplash_monitor_stop(). Signals are emitted on the thread-default main
 * context of the caller.
 *
 * Returns: %TRUE when monitoring
 */
gboolean
esplash_monitor_start (EsplashMonitor *self,
                       gboolean        reset,
                       GError        **error)
{
  g_autoptr(EsplashTransport) transport = NULL;

  g_return_val_if_fail (ESPLASH_IS_MONITOR (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->own_port)
    {
      transport = esplash_transport_open (self->port_url, error);
      if (transport == NULL)
        return FALSE;
      remember_identity (self, transport);
    }
  else
    transport = g_object_ref (self->transport);
  if (!prepare_port (self, transport, error))
    {
      g_prefix_error (error, "Cannot set up %s for monitoring: ", self->port_url);
      return FALSE;
    }
  /* What a flasher left unread (its last replies, at its rate) is not the
   * board's output. */
  esplash_transport_flush_input (transport, NULL);
  set_transport (self, transport);

  {
    g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

    esplash_monitor_queue_attach (self->queue, context);
  }
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->reset_at_start = reset;
  self->said_no_elf = FALSE;
  self->state = ESPLASH_MONITOR_STATE_RUNNING;
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, ESPLASH_MONITOR_STATE_RUNNING, NULL);
  self->thread = g_thread_new ("esplash-monitor", reader_thread, self);
  return TRUE;
}

/**
 * esplash_monitor_stop:
 *
 * Stops reading and waits for the reader thread; the port is closed if
 * the monitor opened it. Output read so far is still emitted.
 */
void
esplash_monitor_stop (EsplashMonitor *self)
{
  g_return_if_fail (ESPLASH_IS_MONITOR (self));

  if (self->thread == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_thread_join (g_steal_pointer (&self->thread));
  if (self->own_port && self->transport != NULL)
    esplash_transport_close (self->transport);
}

/**
 * esplash_monitor_send:
 * @data: (array length=len): bytes for the board (the caller picks the line end)
 * @len: their count
 *
 * Queued and written by the reader thread; dropped when not running.
 */
void
esplash_monitor_send (EsplashMonitor *self,
                      const guint8   *data,
                      gsize           len)
{
  g_return_if_fail (ESPLASH_IS_MONITOR (self));
  g_return_if_fail (data != NULL || len == 0);

  g_mutex_lock (&self->lock);
  g_byte_array_append (self->to_send, data, (guint) len);
  g_mutex_unlock (&self->lock);
}

/**
 * esplash_monitor_reset:
 *
 * Resets the board into its app (an EN pulse through RTS), to watch it
 * start; a port without modem lines gets a note asking for the RESET button.
 */
void
esplash_monitor_reset (EsplashMonitor *self)
{
  g_return_if_fail (ESPLASH_IS_MONITOR (self));

  g_mutex_lock (&self->lock);
  self->reset_requested = TRUE;
  g_mutex_unlock (&self->lock);
}

static void
esplash_monitor_dispose (GObject *object)
{
  EsplashMonitor *self = ESPLASH_MONITOR (object);

  esplash_monitor_stop (self);
  g_clear_object (&self->transport);
  g_clear_object (&self->elf);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (esplash_monitor_parent_class)->dispose (object);
}

static void
esplash_monitor_finalize (GObject *object)
{
  EsplashMonitor *self = ESPLASH_MONITOR (object);

  g_free (self->port_url);
  g_free (self->usb_serial);
  g_free (self->sha_checked);
  g_byte_array_unref (self->to_send);
  g_byte_array_unref (self->line);
  esplash_crash_scanner_free (self->scanner);
  esplash_monitor_queue_free (self->queue);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (esplash_monitor_parent_class)->finalize (object);
}

static void
esplash_monitor_class_init (EsplashMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = esplash_monitor_dispose;
  object_class->finalize = esplash_monitor_finalize;

  /**
   * EsplashMonitor::output:
   * @monitor: the monitor
   * @bytes: what the board sent since the last emission, unchanged
   */
  signals[SIGNAL_OUTPUT] = g_signal_new ("output", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  /**
   * EsplashMonitor::note:
   * @monitor: the monitor
   * @kind: an #EsplashMonitorNote
   * @text: one line of the monitor's own (a decoded crash frame among them)
   */
  signals[SIGNAL_NOTE] = g_signal_new ("note", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  /**
   * EsplashMonitor::state-changed:
   * @monitor: the monitor
   * @state: an #EsplashMonitorState
   * @message: (nullable): why (the port went away, and what the OS said)
   */
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
}

static void
esplash_monitor_init (EsplashMonitor *self)
{
  g_mutex_init (&self->lock);
  self->queue = esplash_monitor_queue_new (G_OBJECT (self), deliver);
  self->baud = ESPLASH_MONITOR_DEFAULT_BAUD;
  self->to_send = g_byte_array_new ();
  self->line = g_byte_array_new ();
  self->scanner = esplash_crash_scanner_new ();
}
