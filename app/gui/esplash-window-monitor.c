/* esplash-window-monitor.c: the serial monitor in the window.
 *
 * Owns the EsplashMonitor while it runs and wires it to the view: output
 * and notes in, the view's send entry, rate, Reset and Choose ELF out.
 * The monitor already coalesces its output (one signal per ~30 ms) and the
 * view renders at most once a frame, so nothing here is on a hot path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-sim-transport.h"
#include "esplash-window-monitor.h"

/* The monitor's height when it opens (at most 55 % of the room), and the
 * least it keeps when the user drags the divider: toolbar, a few lines of
 * output, the entry. */
#define MONITOR_HEIGHT     360
#define MONITOR_MIN_HEIGHT 220

struct _EsplashWindowMonitor
{
  GObject parent_instance;

  EsplashFlashSession  *session;     /* the board monitored; nullable */
  GtkPaned             *paned;
  GSimpleAction        *action;      /* win.monitor: the view shown */
  EsplashMonitorView   *view;
  EsplashMonitor       *monitor;     /* while running */
  EsplashElfSymbols    *elf;         /* nullable */
  char                 *elf_path;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (EsplashWindowMonitor, esplash_window_monitor, G_TYPE_OBJECT)

static void stop (EsplashWindowMonitor *self);

static void
show_elf (EsplashWindowMonitor *self)
{
  g_autofree char *name = self->elf_path != NULL ? g_path_get_basename (self->elf_path) : NULL;

  esplash_monitor_view_set_elf_name (self->view, self->elf != NULL ? name : NULL);
}

static void
output_cb (EsplashMonitor       *monitor,
           GBytes               *bytes,
           EsplashWindowMonitor *self)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  esplash_monitor_view_append (self->view, data, len);
}

static void
note_cb (EsplashMonitor       *monitor,
         int                   kind,
         const char           *text,
         EsplashWindowMonitor *self)
{
  esplash_monitor_view_append_note (self->view, (EsplashMonitorNote) kind, text);
}

static void
show_status (EsplashWindowMonitor *self,
             int                   state)
{
  g_autofree char *status = NULL;
  const char *port = self->monitor != NULL ? esplash_monitor_get_port_url (self->monitor) : NULL;

  switch (state)
    {
    case ESPLASH_MONITOR_STATE_RUNNING:
      /* TRANSLATORS: the monitor's status line; %s is a port, %u a rate */
      status = g_strdup_printf (_("Monitoring %s at %u baud"), port,
                                esplash_monitor_get_baud (self->monitor));
      break;
    case ESPLASH_MONITOR_STATE_WAITING_FOR_PORT:
      /* TRANSLATORS: %s is a port that went away (a USB board re-enumerating on reset) */
      status = g_strdup_printf (_("Waiting for %s to come back…"), port);
      break;
    default:
      status = g_strdup (_("Not monitoring"));
      break;
    }
  esplash_monitor_view_set_status (self->view, status);
}

static void
state_cb (EsplashMonitor       *monitor,
          int                   state,
          const char           *message,
          EsplashWindowMonitor *self)
{
  if (message != NULL)
    esplash_monitor_view_append_note (self->view,
                                      state == ESPLASH_MONITOR_STATE_WAITING_FOR_PORT
                                        ? ESPLASH_MONITOR_NOTE_WARNING : ESPLASH_MONITOR_NOTE_INFO,
                                      message);
  show_status (self, state);
}

static void
send_line_cb (EsplashMonitorView   *view,
              const char           *line,
              EsplashWindowMonitor *self)
{
  g_autofree char *data = g_strconcat (line, "\r\n", NULL);

  if (self->monitor != NULL)
    esplash_monitor_send (self->monitor, (const guint8 *) data, strlen (data));
}

static void
baud_cb (EsplashMonitorView   *view,
         GParamSpec           *pspec,
         EsplashWindowMonitor *self)
{
  if (self->monitor == NULL)
    return;
  esplash_monitor_set_baud (self->monitor, esplash_monitor_view_get_baud (view));
  show_status (self, esplash_monitor_get_state (self->monitor));
}

static void
reset_cb (EsplashMonitorView   *view,
          EsplashWindowMonitor *self)
{
  if (self->monitor != NULL)
    esplash_monitor_reset (self->monitor);
}

static void
chooser_response_cb (GtkNativeDialog      *dialog,
                     int                   response,
                     EsplashWindowMonitor *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      esplash_window_monitor_set_elf_path (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_elf_cb (EsplashMonitorView   *view,
               EsplashWindowMonitor *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (view));
  g_autoptr(GtkFileFilter) elf = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  /* TRANSLATORS: file dialog title; the ELF is the app's build output with its symbols */
  self->chooser = gtk_file_chooser_native_new (_("Choose the App’s ELF"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), NULL);
  gtk_file_filter_set_name (elf, _("ELF files"));
  gtk_file_filter_add_pattern (elf, "*.elf");
  gtk_file_filter_add_pattern (elf, "*.axf");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), elf);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static gboolean
start (EsplashWindowMonitor *self,
       gboolean              reset)
{
  g_autoptr(EsplashMonitor) monitor = NULL;
  g_autoptr(EsplashTransport) transport = NULL;
  g_autoptr(GError) error = NULL;

  stop (self);
  if (self->session == NULL)
    return FALSE;
  /* The virtual board is reached in-process; a fresh line to it. */
  if (esplash_flash_session_get_sim (self->session) != NULL)
    transport = esplash_sim_transport_new (esplash_flash_session_get_sim (self->session));
  monitor = transport != NULL ? esplash_monitor_new_for_transport (transport)
                              : esplash_monitor_new (esplash_port_item_get_id (esplash_flash_session_get_port (self->session)));
  esplash_monitor_set_baud (monitor, esplash_monitor_view_get_baud (self->view));
  esplash_monitor_set_elf (monitor, self->elf);
  g_signal_connect_object (monitor, "output", G_CALLBACK (output_cb), self, 0);
  g_signal_connect_object (monitor, "note", G_CALLBACK (note_cb), self, 0);
  g_signal_connect_object (monitor, "state-changed", G_CALLBACK (state_cb), self, 0);
  self->monitor = g_object_ref (monitor);
  if (!esplash_monitor_start (monitor, reset, &error))
    {
      g_clear_object (&self->monitor);
      esplash_monitor_view_append_note (self->view, ESPLASH_MONITOR_NOTE_WARNING, error->message);
      show_status (self, ESPLASH_MONITOR_STATE_STOPPED);
      return FALSE;
    }
  return TRUE;
}

static void
show (EsplashWindowMonitor *self,
      gboolean              shown)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self->paned));

  g_simple_action_set_state (self->action, g_variant_new_boolean (shown));
  gtk_widget_set_visible (GTK_WIDGET (self->view), shown);
  if (shown && height > 0)
    gtk_paned_set_position (self->paned, height - MIN (MONITOR_HEIGHT, height * 55 / 100));
}

static void
monitor_change_state (GSimpleAction *action,
                      GVariant      *value,
                      gpointer       user_data)
{
  EsplashWindowMonitor *self = user_data;
  gboolean on = g_variant_get_boolean (value);

  show (self, on);
  if (on)
    start (self, FALSE);
  else
    stop (self);
}

EsplashWindowMonitor *
esplash_window_monitor_new (GActionMap         *actions,
                            EsplashMonitorView *view,
                            GtkPaned           *paned)
{
  EsplashWindowMonitor *self;

  g_return_val_if_fail (G_IS_ACTION_MAP (actions), NULL);
  g_return_val_if_fail (ESPLASH_IS_MONITOR_VIEW (view), NULL);

  self = g_object_new (ESPLASH_TYPE_WINDOW_MONITOR, NULL);
  self->view = view;
  self->paned = paned;
  self->action = g_simple_action_new_stateful ("monitor", NULL, g_variant_new_boolean (FALSE));
  g_signal_connect (self->action, "change-state", G_CALLBACK (monitor_change_state), self);
  g_action_map_add_action (actions, G_ACTION (self->action));
  g_signal_connect_object (view, "send-line", G_CALLBACK (send_line_cb), self, 0);
  g_signal_connect_object (view, "notify::baud", G_CALLBACK (baud_cb), self, 0);
  g_signal_connect_object (view, "reset-requested", G_CALLBACK (reset_cb), self, 0);
  g_signal_connect_object (view, "choose-elf", G_CALLBACK (choose_elf_cb), self, 0);
  gtk_widget_set_visible (GTK_WIDGET (view), FALSE);
  gtk_widget_set_size_request (GTK_WIDGET (view), -1, MONITOR_MIN_HEIGHT);
  show_elf (self);
  show_status (self, ESPLASH_MONITOR_STATE_STOPPED);
  return self;
}

void
esplash_window_monitor_set_enabled (EsplashWindowMonitor *self,
                                    gboolean              enabled)
{
  g_return_if_fail (ESPLASH_IS_WINDOW_MONITOR (self));
  g_simple_action_set_enabled (self->action, enabled);
}

void
esplash_window_monitor_release (EsplashWindowMonitor *self)
{
  g_return_if_fail (ESPLASH_IS_WINDOW_MONITOR (self));

  if (self->monitor == NULL)
    return;
  stop (self);
  /* TRANSLATORS: the monitor's status while a flash or tool uses the port */
  esplash_monitor_view_set_status (self->view, _("Paused: the port is in use"));
}

void
esplash_window_monitor_job_done (EsplashWindowMonitor *self,
                                 gboolean              ok,
                                 gboolean              flashed,
                                 const char           *elf)
{
  gboolean on;

  g_return_if_fail (ESPLASH_IS_WINDOW_MONITOR (self));

  on = g_variant_get_boolean (g_action_get_state (G_ACTION (self->action)));
  if (!ok)
    {
      if (on)
        /* TRANSLATORS: the monitor's status after a failed flash or tool */
        esplash_monitor_view_set_status (self->view, _("Stopped: the board did not finish the job"));
    }
  else if (flashed)
    {
      if (elf != NULL)
        esplash_window_monitor_set_elf_path (self, elf);
      show (self, TRUE);
      /* The app's start was printed while nobody read: show it again. */
      start (self, TRUE);
    }
  else if (on)
    start (self, FALSE);
}

void
esplash_window_monitor_set_session (EsplashWindowMonitor *self,
                                    EsplashFlashSession  *session)
{
  g_return_if_fail (ESPLASH_IS_WINDOW_MONITOR (self));

  if (self->session == session)
    return;
  /* Another board: a running monitor moves to it. */
  g_set_object (&self->session, session);
  if (self->monitor != NULL)
    start (self, FALSE);
}

static void
stop (EsplashWindowMonitor *self)
{
  if (self->monitor == NULL)
    return;
  esplash_monitor_stop (self->monitor);
  g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  show_status (self, ESPLASH_MONITOR_STATE_STOPPED);
}

gboolean
esplash_window_monitor_is_running (EsplashWindowMonitor *self)
{
  g_return_val_if_fail (ESPLASH_IS_WINDOW_MONITOR (self), FALSE);
  return self->monitor != NULL;
}

/* (transfer none) */
EsplashMonitorView *
esplash_window_monitor_get_view (EsplashWindowMonitor *self)
{
  g_return_val_if_fail (ESPLASH_IS_WINDOW_MONITOR (self), NULL);
  return self->view;
}

/* (transfer none) (nullable) */
EsplashMonitor *
esplash_window_monitor_get_monitor (EsplashWindowMonitor *self)
{
  g_return_val_if_fail (ESPLASH_IS_WINDOW_MONITOR (self), NULL);
  return self->monitor;
}

void
esplash_window_monitor_set_elf_path (EsplashWindowMonitor *self,
                                     const char           *path)
{
  g_autoptr(EsplashElfSymbols) elf = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (ESPLASH_IS_WINDOW_MONITOR (self));

  if (g_strcmp0 (path, self->elf_path) == 0 && (path == NULL || self->elf != NULL))
    return;
  if (path != NULL)
    {
      elf = esplash_elf_symbols_new (path, &error);
      if (elf == NULL)
        esplash_monitor_view_append_note (self->view, ESPLASH_MONITOR_NOTE_WARNING, error->message);
      else
        {
          g_autofree char *name = g_path_get_basename (path);
          /* TRANSLATORS: %s is an ELF file name */
          g_autofree char *text = g_strdup_printf (_("Crashes are decoded with %s"), name);

          esplash_monitor_view_append_note (self->view, ESPLASH_MONITOR_NOTE_INFO, text);
        }
    }
  g_free (self->elf_path);
  self->elf_path = elf != NULL ? g_strdup (path) : NULL;
  g_set_object (&self->elf, elf);
  if (self->monitor != NULL)
    esplash_monitor_set_elf (self->monitor, self->elf);
  show_elf (self);
}

const char *
esplash_window_monitor_get_elf_path (EsplashWindowMonitor *self)
{
  g_return_val_if_fail (ESPLASH_IS_WINDOW_MONITOR (self), NULL);
  return self->elf_path;
}

static void
esplash_window_monitor_dispose (GObject *object)
{
  EsplashWindowMonitor *self = ESPLASH_WINDOW_MONITOR (object);

  stop (self);
  g_clear_object (&self->session);
  g_clear_object (&self->action);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->elf);
  g_clear_pointer (&self->elf_path, g_free);

  G_OBJECT_CLASS (esplash_window_monitor_parent_class)->dispose (object);
}

static void
esplash_window_monitor_class_init (EsplashWindowMonitorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = esplash_window_monitor_dispose;
}

static void
esplash_window_monitor_init (EsplashWindowMonitor *self)
{
}
