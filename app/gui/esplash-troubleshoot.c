/* esplash-troubleshoot.c
 *
 * The watcher never blocks the UI: each probe (is the port there, does it
 * open, did the download banner arrive, does the chip answer one SYNC) runs
 * in a GTask thread; the next one starts 300 ms after the last ended, so a
 * slow port never piles them up. A probe holds the line only while it
 * runs, and the job is resumed from its callback, after it let go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esplash-sim.h"
#include "esplash-sim-transport.h"

#include "esplash-app-text.h"
#include "esplash-status-area.h"
#include "esplash-troubleshoot.h"
#include "esplash-window-private.h"

#define PROBE_INTERVAL_MS 300
#define LISTEN_MS 100

struct _EsplashTroubleshoot
{
  GObject           parent_instance;

  EsplashWindow    *window;          /* owns us */
  EsplashDiagnosis *diagnosis;       /* of the last failed job; nullable */
  EsplashChipFamily virtual_family;
  EsplashConsole    virtual_console;

  /* While the page is open */
  GtkWindow        *dialog;
  EsplashTroubleshootPage *page;
  GCancellable     *cancellable;     /* of the running probe */
  guint             timeout_id;
  gboolean          probing;
  gboolean          manual;          /* "Connect Without Resetting" was pressed */
  guint             n_probes;
};

G_DEFINE_FINAL_TYPE (EsplashTroubleshoot, esplash_troubleshoot, G_TYPE_OBJECT)

static const char *
title_msgid (const char *id)
{
  static const struct { const char *id; const char *title; } titles[] = {
    { ESPLASH_DIAGNOSIS_PERMISSION_DENIED, N_("No permission to open the port") },
    { ESPLASH_DIAGNOSIS_PORT_BUSY, N_("Another program is using the port") },
    { ESPLASH_DIAGNOSIS_PORT_GONE, N_("The port disappeared") },
    { ESPLASH_DIAGNOSIS_NO_PORT, N_("The port does not exist") },
    { ESPLASH_DIAGNOSIS_SILENT_LINE, N_("No data from the chip") },
    { ESPLASH_DIAGNOSIS_NORMAL_BOOT, N_("The chip started its firmware instead of download mode") },
    { ESPLASH_DIAGNOSIS_INVALID_STRAPS, N_("The chip’s strap pins select neither flash nor download mode") },
    { ESPLASH_DIAGNOSIS_NO_SYNC_REPLY, N_("The chip waits in download mode but does not answer") },
    { ESPLASH_DIAGNOSIS_WRONG_BAUD, N_("The chip sends data Esplash cannot read at this baud rate") },
    { ESPLASH_DIAGNOSIS_USB_REENUMERATING, N_("The board’s USB port restarted") },
    { ESPLASH_DIAGNOSIS_SECURE_DOWNLOAD_MODE, N_("The chip is in Secure Download Mode") },
    { ESPLASH_DIAGNOSIS_FLASH_NOT_CONNECTED, N_("The flash chip does not answer") },
    { ESPLASH_DIAGNOSIS_STALL_MID_WRITE, N_("The chip stopped answering while writing") },
    { ESPLASH_DIAGNOSIS_VERIFY_MISMATCH, N_("The flash does not hold what was written") },
    { ESPLASH_DIAGNOSIS_APP_CRASH, N_("The firmware on the chip crashes") },
    { ESPLASH_DIAGNOSIS_WRONG_CHIP, N_("This is not the chip that was selected") },
    { ESPLASH_DIAGNOSIS_LINE_DAMAGED, N_("The chip’s replies arrive damaged") },
    { ESPLASH_DIAGNOSIS_CHIP_RESET_MID_WRITE, N_("The chip was reset while writing") },
    { ESPLASH_DIAGNOSIS_UNKNOWN, N_("The operation failed") },
  };

  for (guint i = 0; id != NULL && i < G_N_ELEMENTS (titles); i++)
    if (g_str_equal (id, titles[i].id))
      return titles[i].title;
  return NULL;
}

const char *
esplash_diagnosis_translated_title (const char *id)
{
  const char *msgid = title_msgid (id);

  return msgid != NULL ? _(msgid) : NULL;
}

/* Untranslated, the core's own title says more (it names the chip or the
 * port); gettext hands back the msgid itself then. */
static const char *
title_of (const EsplashDiagnosis *diagnosis)
{
  const char *msgid = title_msgid (diagnosis->id);
  const char *title = msgid != NULL ? _(msgid) : NULL;

  return title != NULL && title != msgid ? title : diagnosis->title;
}

/* ---- the status area --------------------------------------------------- */

static void
set_enabled (EsplashTroubleshoot *self,
             gboolean             enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->window), "troubleshoot");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
esplash_troubleshoot_job_started (EsplashTroubleshoot *self)
{
  g_return_if_fail (ESPLASH_IS_TROUBLESHOOT (self));

  g_clear_pointer (&self->diagnosis, esplash_diagnosis_free);
  set_enabled (self, FALSE);
}

void
esplash_troubleshoot_job_failed (EsplashTroubleshoot *self,
                                 EsplashJob          *job,
                                 const GError        *error)
{
  EsplashJobAction action = esplash_job_plan_get_action (esplash_job_get_plan (job));
  EsplashStatusArea *status = esplash_window_get_status_area (self->window);

  g_return_if_fail (ESPLASH_IS_TROUBLESHOOT (self));

  g_clear_pointer (&self->diagnosis, esplash_diagnosis_free);
  self->diagnosis = esplash_job_dup_diagnosis (job);
  esplash_window_log (self->window, ESPLASH_LOG_ERROR, error->message);
  if (self->diagnosis == NULL)
    {
      esplash_status_area_show_result (status, "error", esplash_error_title (error, action),
                                       esplash_error_hint (error), error->message);
      return;
    }
  /* What happened, then why (translated), then the core's English account. */
  set_enabled (self, TRUE);
  esplash_status_area_show_result (status, "error", esplash_error_title (error, action),
                                   title_of (self->diagnosis),
                                   self->diagnosis->explanation != NULL ? self->diagnosis->explanation
                                                                        : self->diagnosis->title);
  esplash_window_log (self->window, ESPLASH_LOG_INFO, self->diagnosis->title);
}

/* ---- probing ----------------------------------------------------------- */

typedef struct {
  EsplashSim        *sim;       /* the virtual board, or … */
  char              *url;       /* … a real port */
  EsplashBefore      before;
  EsplashChipFamily  chip;
} Probe;

static void
probe_free (Probe *probe)
{
  g_clear_object (&probe->sim);
  g_free (probe->url);
  g_free (probe);
}

static gboolean
port_listed (const char *url)
{
  g_autoptr(GPtrArray) ports = esplash_port_list (NULL);

  /* Network ports are not listed; opening them is the test. */
  if (strstr (url, "://") != NULL)
    return TRUE;
  for (guint i = 0; ports != NULL && i < ports->len; i++)
    if (g_strcmp0 (((EsplashPortInfo *) g_ptr_array_index (ports, i))->path, url) == 0)
      return TRUE;
  return FALSE;
}

static void
probe_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Probe *probe = task_data;
  EsplashObservation *seen = g_new0 (EsplashObservation, 1);
  g_autoptr(EsplashTransport) transport = NULL;
  g_autoptr(EsplashDevice) device = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  EsplashConnectOptions options;
  gint64 deadline;
  gboolean download = FALSE;

  if (probe->sim != NULL)
    {
      seen->port_present = TRUE;
      transport = esplash_sim_transport_new (probe->sim);
    }
  else
    {
      seen->port_present = port_listed (probe->url);
      transport = seen->port_present ? esplash_transport_open (probe->url, NULL) : NULL;
    }
  if (transport == NULL)
    {
      g_task_return_pointer (task, seen, g_free);
      return;
    }
  seen->port_opens = TRUE;

  /* The ROM prints its banner once, right after the user's reset. */
  deadline = g_get_monotonic_time () + LISTEN_MS * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < deadline && !g_cancellable_is_cancelled (cancellable))
    {
      guint8 buf[256];
      gssize n = esplash_transport_read (transport, buf, sizeof buf, 20, cancellable, NULL);

      if (n < 0)
        break;
      g_string_append_len (text, (const char *) buf, n);
    }
  seen->banner_seen = strstr (text->str, "waiting for download") != NULL;

  device = esplash_device_new (transport);
  esplash_connect_options_init (&options);
  options.before = probe->before;
  options.chip = probe->chip;
  options.connect_attempts = 1;
  options.no_stub = TRUE;
  if (!g_cancellable_is_cancelled (cancellable))
    seen->sync_reply = esplash_device_connect (device, &options, cancellable, NULL);
  esplash_device_get_boot_mode (device, &download);
  seen->banner_seen |= download;
  esplash_device_close (device);
  g_task_return_pointer (task, seen, g_free);
}

static void schedule_probe (EsplashTroubleshoot *self);

static void
resume (EsplashTroubleshoot *self,
        EsplashBefore        before)
{
  EsplashWindow *window = self->window;

  esplash_troubleshoot_close (self);
  if (!esplash_window_resume (window, before))
    esplash_window_log (window, ESPLASH_LOG_WARNING, _("The interrupted job cannot be resumed; start it again."));
}

static EsplashBefore
probe_before (EsplashTroubleshoot *self)
{
  /* The user puts the chip in download mode: a reset would undo it. */
  if (self->manual || self->diagnosis == NULL || self->diagnosis->retry == ESPLASH_RETRY_NO_RESET)
    return ESPLASH_BEFORE_NO_RESET;
  return ESPLASH_BEFORE_DEFAULT_RESET;
}

static void
probe_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  EsplashTroubleshoot *self = ESPLASH_TROUBLESHOOT (source);
  g_autofree EsplashObservation *seen = g_task_propagate_pointer (G_TASK (result), NULL);
  EsplashBefore before = GPOINTER_TO_INT (user_data);

  self->probing = FALSE;
  if (self->page == NULL)
    return;
  if (self->manual)
    {
      resume (self, ESPLASH_BEFORE_NO_RESET);
      return;
    }
  if (seen == NULL)
    return;
  esplash_troubleshoot_page_set_observation (self->page, seen);
  if (seen->sync_reply)
    {
      esplash_window_log (self->window, ESPLASH_LOG_INFO, _("The chip answers; continuing."));
      resume (self, before);
      return;
    }
  if (!seen->port_present)
    esplash_troubleshoot_page_set_status (self->page, _("Waiting for the port to appear…"));
  else if (!seen->port_opens)
    esplash_troubleshoot_page_set_status (self->page, _("Waiting for the port to open…"));
  else
    esplash_troubleshoot_page_set_status (self->page, _("Listening for the chip in download mode…"));
  schedule_probe (self);
}

static void
start_probe (EsplashTroubleshoot *self)
{
  EsplashPortItem *port = esplash_port_chooser_get_selected (esplash_window_get_port_chooser (self->window));
  g_autoptr(GTask) task = NULL;
  Probe *probe;

  if (port == NULL || self->page == NULL)
    return;
  probe = g_new0 (Probe, 1);
  if (esplash_port_item_is_virtual (port))
    {
      if (esplash_window_get_virtual_board (self->window) == NULL)
        {
          probe_free (probe);
          return;
        }
      probe->sim = g_object_ref (esplash_window_get_virtual_board (self->window));
    }
  else
    probe->url = g_strdup (esplash_port_item_get_id (port));
  probe->before = probe_before (self);
  probe->chip = self->diagnosis->chip;

  task = g_task_new (self, self->cancellable, probe_done_cb, GINT_TO_POINTER (probe->before));
  g_task_set_task_data (task, probe, (GDestroyNotify) probe_free);
  self->probing = TRUE;
  self->n_probes++;
  g_task_run_in_thread (task, probe_thread);
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  EsplashTroubleshoot *self = user_data;

  self->timeout_id = 0;
  start_probe (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_probe (EsplashTroubleshoot *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->timeout_id = g_timeout_add (PROBE_INTERVAL_MS, probe_timeout_cb, self);
}

/* ---- the page ---------------------------------------------------------- */

static void
manual_boot_cb (EsplashTroubleshoot *self)
{
  self->manual = TRUE;
  esplash_troubleshoot_page_set_status (self->page, _("Connecting without resetting…"));
  /* A probe holds the line: resume once it has let go. */
  if (!self->probing)
    resume (self, ESPLASH_BEFORE_NO_RESET);
}

static gboolean
dialog_close_cb (EsplashTroubleshoot *self)
{
  esplash_troubleshoot_close (self);
  return FALSE;
}

void
esplash_troubleshoot_close (EsplashTroubleshoot *self)
{
  GtkWindow *dialog = self->dialog;

  g_return_if_fail (ESPLASH_IS_TROUBLESHOOT (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->page = NULL;
  self->dialog = NULL;
  if (dialog != NULL)
    {
      g_signal_handlers_disconnect_by_data (dialog, self);
      gtk_window_destroy (dialog);
    }
}

static gboolean
native_usb (EsplashTroubleshoot *self)
{
  EsplashPortItem *port = esplash_port_chooser_get_selected (esplash_window_get_port_chooser (self->window));

  if (port == NULL)
    return FALSE;
  if (esplash_port_item_is_virtual (port))
    return self->virtual_console != ESPLASH_CONSOLE_UART;
  return esplash_port_item_get_kind (port) == ESPLASH_PORT_KIND_ESPRESSIF_USB;
}

void
esplash_troubleshoot_show (EsplashTroubleshoot    *self,
                           const EsplashDiagnosis *diagnosis)
{
  GtkWidget *header;

  g_return_if_fail (ESPLASH_IS_TROUBLESHOOT (self));
  g_return_if_fail (diagnosis != NULL);

  if (self->diagnosis != diagnosis)
    {
      g_clear_pointer (&self->diagnosis, esplash_diagnosis_free);
      self->diagnosis = esplash_diagnosis_copy (diagnosis);
    }
  esplash_troubleshoot_close (self);
  /* The page watches the port: the serial monitor lets go of it. */
  esplash_window_monitor_release (esplash_window_get_monitor (self->window));
  self->manual = FALSE;
  self->n_probes = 0;
  self->cancellable = g_cancellable_new ();

  self->dialog = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (self->dialog, _("Help Me Fix This"));
  gtk_window_set_transient_for (self->dialog, GTK_WINDOW (self->window));
  gtk_window_set_modal (self->dialog, TRUE);
  gtk_window_set_destroy_with_parent (self->dialog, TRUE);
  gtk_window_set_default_size (self->dialog, 860, 700);
  header = gtk_header_bar_new ();
  gtk_window_set_titlebar (self->dialog, header);
  self->page = ESPLASH_TROUBLESHOOT_PAGE (esplash_troubleshoot_page_new ());
  esplash_troubleshoot_page_set_diagnosis (self->page, self->diagnosis, title_of (self->diagnosis),
                                           esplash_chip_get (self->diagnosis->chip),
                                           native_usb (self));
  esplash_troubleshoot_page_set_status (self->page, _("Watching the port…"));
  gtk_window_set_child (self->dialog, GTK_WIDGET (self->page));
  g_signal_connect_object (self->page, "manual-boot", G_CALLBACK (manual_boot_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dialog, "close-request", G_CALLBACK (dialog_close_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (self->dialog);
  start_probe (self);
}

void
esplash_troubleshoot_open (EsplashTroubleshoot *self)
{
  g_return_if_fail (ESPLASH_IS_TROUBLESHOOT (self));

  if (self->diagnosis != NULL && !esplash_window_is_busy (self->window))
    esplash_troubleshoot_show (self, self->diagnosis);
}

void
esplash_troubleshoot_set_virtual_board (EsplashTroubleshoot *self,
                                        EsplashChipFamily    family,
                                        EsplashConsole       console)
{
  self->virtual_family = family;
  self->virtual_console = console;
}

EsplashChipFamily
esplash_troubleshoot_get_virtual_family (EsplashTroubleshoot *self)
{
  return self->virtual_family;
}

EsplashTroubleshootPage *
esplash_troubleshoot_get_page (EsplashTroubleshoot *self)
{
  return self->page;
}

GtkWindow *
esplash_troubleshoot_get_dialog (EsplashTroubleshoot *self)
{
  return self->dialog;
}

guint
esplash_troubleshoot_get_n_probes (EsplashTroubleshoot *self)
{
  return self->n_probes;
}

/* ---- GObject ----------------------------------------------------------- */

static void
esplash_troubleshoot_dispose (GObject *object)
{
  esplash_troubleshoot_close (ESPLASH_TROUBLESHOOT (object));

  G_OBJECT_CLASS (esplash_troubleshoot_parent_class)->dispose (object);
}

static void
esplash_troubleshoot_finalize (GObject *object)
{
  EsplashTroubleshoot *self = ESPLASH_TROUBLESHOOT (object);

  g_clear_pointer (&self->diagnosis, esplash_diagnosis_free);

  G_OBJECT_CLASS (esplash_troubleshoot_parent_class)->finalize (object);
}

static void
esplash_troubleshoot_class_init (EsplashTroubleshootClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = esplash_troubleshoot_dispose;
  object_class->finalize = esplash_troubleshoot_finalize;
}

static void
esplash_troubleshoot_init (EsplashTroubleshoot *self)
{
  self->virtual_family = ESPLASH_CHIP_ESP32S3;   /* ensure_virtual_board()'s */
}

EsplashTroubleshoot *
esplash_troubleshoot_new (EsplashWindow *window)
{
  EsplashTroubleshoot *self = g_object_new (ESPLASH_TYPE_TROUBLESHOOT, NULL);

  self->window = window;
  return self;
}
