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
#include "esplash-troubleshoot.h"

#define PROBE_INTERVAL_MS 300
#define LISTEN_MS 100

struct _EsplashTroubleshoot
{
  GObject           parent_instance;

  GtkWindow        *parent;          /* owns us */

  /* While the page is open */
  EsplashFlashSession *session;      /* the board watched */
  EsplashDiagnosis *diagnosis;       /* what the page shows */
  GtkWindow        *dialog;
  EsplashTroubleshootPage *page;
  GCancellable     *cancellable;     /* of the running probe */
  guint             timeout_id;
  gboolean          probing;
  gboolean          manual;          /* "Connect Without Resetting" was pressed */
  guint             n_probes;
};

G_DEFINE_FINAL_TYPE (EsplashTroubleshoot, esplash_troubleshoot, G_TYPE_OBJECT)

enum {
  SIGNAL_WATCHING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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
  g_autoptr(EsplashFlashSession) session = g_object_ref (self->session);

  esplash_troubleshoot_close (self);
  if (!esplash_flash_session_resume (session, before))
    esplash_flash_session_log (session, ESPLASH_LOG_WARNING,
                               _("The interrupted job cannot be resumed; start it again."));
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
      esplash_flash_session_log (self->session, ESPLASH_LOG_INFO, _("The chip answers; continuing."));
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
  EsplashSim *sim;
  g_autoptr(GTask) task = NULL;
  Probe *probe;

  if (self->page == NULL)
    return;
  probe = g_new0 (Probe, 1);
  sim = esplash_flash_session_get_sim (self->session);
  if (sim != NULL)
    probe->sim = g_object_ref (sim);
  else
    probe->url = g_strdup (esplash_port_item_get_id (esplash_flash_session_get_port (self->session)));
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
  g_clear_object (&self->session);
  g_clear_pointer (&self->diagnosis, esplash_diagnosis_free);
  if (dialog != NULL)
    {
      g_signal_handlers_disconnect_by_data (dialog, self);
      gtk_window_destroy (dialog);
    }
}

void
esplash_troubleshoot_show (EsplashTroubleshoot    *self,
                           EsplashFlashSession    *session,
                           const EsplashDiagnosis *diagnosis)
{
  GtkWidget *header;
  g_autoptr(EsplashDiagnosis) copy = NULL;

  g_return_if_fail (ESPLASH_IS_TROUBLESHOOT (self));
  g_return_if_fail (ESPLASH_IS_FLASH_SESSION (session));

  if (diagnosis == NULL)
    diagnosis = esplash_flash_session_get_diagnosis (session);
  g_return_if_fail (diagnosis != NULL);
  copy = esplash_diagnosis_copy (diagnosis);   /* may be the page's own */

  esplash_troubleshoot_close (self);
  self->session = g_object_ref (session);
  self->diagnosis = g_steal_pointer (&copy);
  /* The page watches the port: whoever reads it lets go. */
  g_signal_emit (self, signals[SIGNAL_WATCHING], 0, session);
  self->manual = FALSE;
  self->n_probes = 0;
  self->cancellable = g_cancellable_new ();

  self->dialog = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (self->dialog, _("Help Me Fix This"));
  gtk_window_set_transient_for (self->dialog, self->parent);
  gtk_window_set_modal (self->dialog, TRUE);
  gtk_window_set_destroy_with_parent (self->dialog, TRUE);
  gtk_window_set_default_size (self->dialog, 860, 700);
  header = gtk_header_bar_new ();
  gtk_window_set_titlebar (self->dialog, header);
  self->page = ESPLASH_TROUBLESHOOT_PAGE (esplash_troubleshoot_page_new ());
  esplash_troubleshoot_page_set_diagnosis (self->page, self->diagnosis,
                                           esplash_diagnosis_title (self->diagnosis),
                                           esplash_chip_get (self->diagnosis->chip),
                                           esplash_flash_session_is_native_usb (session));
  esplash_troubleshoot_page_set_status (self->page, _("Watching the port…"));
  gtk_window_set_child (self->dialog, GTK_WIDGET (self->page));
  g_signal_connect_object (self->page, "manual-boot", G_CALLBACK (manual_boot_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dialog, "close-request", G_CALLBACK (dialog_close_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (self->dialog);
  start_probe (self);
}

void
esplash_troubleshoot_open (EsplashTroubleshoot *self,
                           EsplashFlashSession *session)
{
  g_return_if_fail (ESPLASH_IS_TROUBLESHOOT (self));

  if (esplash_flash_session_get_diagnosis (session) != NULL && !esplash_flash_session_is_busy (session))
    esplash_troubleshoot_show (self, session, NULL);
}

EsplashFlashSession *
esplash_troubleshoot_get_session (EsplashTroubleshoot *self)
{
  return self->session;
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
esplash_troubleshoot_class_init (EsplashTroubleshootClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = esplash_troubleshoot_dispose;

  signals[SIGNAL_WATCHING] = g_signal_new ("watching", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                           ESPLASH_TYPE_FLASH_SESSION);
}

static void
esplash_troubleshoot_init (EsplashTroubleshoot *self)
{
}

EsplashTroubleshoot *
esplash_troubleshoot_new (GtkWindow *parent)
{
  EsplashTroubleshoot *self = g_object_new (ESPLASH_TYPE_TROUBLESHOOT, NULL);

  self->parent = parent;
  return self;
}
