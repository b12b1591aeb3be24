/* esplash-window.c
 *
 * The window only ever talks to the core through EsplashJob: it builds a
 * plan from what is on screen, runs the job and follows its signals, so the
 * UI never waits on the serial port.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"

#include "esplash-app-text.h"
#include "esplash-baud-memory.h"
#include "esplash-firmware-list.h"
#include "esplash-log-pane.h"
#include "esplash-options-panel.h"
#include "esplash-port-chooser.h"
#include "esplash-status-area.h"
#include "esplash-troubleshoot.h"
#include "esplash-window-private.h"
#include "esplash-window-monitor.h"
#include "esplash-window-tools.h"

struct _EsplashWindow
{
  GtkApplicationWindow  parent_instance;

  /* template */
  GtkWidget            *scroller;
  GtkWidget            *device_section;
  EsplashFirmwareList  *firmware_section;
  EsplashOptionsPanel  *options_section;
  EsplashPortChooser   *port_chooser;
  GtkLabel             *chip_label;
  EsplashStatusArea    *status_area;
  EsplashLogPane       *log_pane;
  GtkPaned             *paned;
  EsplashMonitorView   *monitor_view;

  GSettings            *settings;        /* nullable */
  EsplashWindowTools   *tools;
  EsplashWindowMonitor *monitor;
  EsplashTroubleshoot  *troubleshoot;
  EsplashBefore         before;          /* of the next plan; reset once used */
  void                (*restart) (EsplashWindow *self);  /* the last job again; nullable */
  GtkDropTarget        *drop_target;
  EsplashSim           *virtual_board;   /* created on first use; keeps its flash */
  EsplashTransport     *transport;       /* the virtual board's line of the last job */
  EsplashJob           *job;             /* while one runs */
  EsplashWindowJobDone  job_done;
  GCancellable         *cancellable;
  guint                 inhibit_cookie;
  gboolean              close_when_done;
  guint64               job_bytes;
  char                 *baud_key;        /* adapter of an automatic rate, until the job ends */
  gboolean              have_chip;
  EsplashChipDescription chip;           /* valid when have_chip */
};

G_DEFINE_FINAL_TYPE (EsplashWindow, esplash_window, GTK_TYPE_APPLICATION_WINDOW)

void
esplash_window_log (EsplashWindow   *self,
                    EsplashLogLevel  level,
                    const char      *message)
{
  esplash_log_pane_append (self->log_pane, level, message);
}

/* ---- state ------------------------------------------------------------- */

static void
set_action_enabled (EsplashWindow *self,
                    const char    *name,
                    gboolean       enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
update_actions (EsplashWindow *self)
{
  gboolean busy = self->job != NULL;
  gboolean have_port = esplash_port_chooser_get_selected (self->port_chooser) != NULL;

  set_action_enabled (self, "flash",
                      !busy && have_port && esplash_firmware_list_is_ready (self->firmware_section));
  set_action_enabled (self, "cancel", busy && !g_cancellable_is_cancelled (self->cancellable));
  set_action_enabled (self, "add-firmware", !busy);
  if (self->tools != NULL)
    esplash_window_tools_set_enabled (self->tools, !busy && have_port);
  if (self->monitor != NULL)
    esplash_window_monitor_set_enabled (self->monitor, !busy && have_port);
  gtk_widget_set_sensitive (self->device_section, !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->firmware_section), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->options_section), !busy);
}

void
esplash_window_show_result (EsplashWindow *self,
                            const char    *kind,
                            const char    *title,
                            const char    *detail)
{
  esplash_status_area_show_result (self->status_area, kind, title, NULL, detail);
}

/* Until a board answers, the plan is made for the chip the port implies:
 * the virtual board is an ESP32-S3; a real port could be anything. */
static void
reset_chip (EsplashWindow *self)
{
  EsplashPortItem *port = esplash_port_chooser_get_selected (self->port_chooser);
  const EsplashChipInfo *chip = NULL;

  self->have_chip = FALSE;
  gtk_label_set_text (self->chip_label, _("Chip details appear here once the board is connected."));
  gtk_widget_add_css_class (GTK_WIDGET (self->chip_label), "dim-label");
  if (port != NULL && esplash_port_item_is_virtual (port))
    chip = esplash_chip_from_id (ESPLASH_PORT_ITEM_VIRTUAL_CHIP);
  esplash_firmware_list_set_target (self->firmware_section, chip, ESPLASH_REVISION_UNKNOWN, 0);
}

static void
chip_described_cb (EsplashWindow *self,
                   GParamSpec    *pspec,
                   EsplashJob    *job)
{
  const EsplashChipDescription *chip = esplash_job_get_chip_description (job);
  g_autofree char *text = NULL;

  if (chip == NULL || chip->chip == NULL)
    return;
  self->chip = *chip;
  self->have_chip = TRUE;
  text = esplash_chip_summary (chip);
  gtk_label_set_text (self->chip_label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->chip_label), "dim-label");
  esplash_firmware_list_set_target (self->firmware_section, chip->chip, chip->revision,
                                    chip->flash_size);
}

const EsplashChipDescription *
esplash_window_get_chip (EsplashWindow *self)
{
  g_return_val_if_fail (ESPLASH_IS_WINDOW (self), NULL);

  return self->have_chip ? &self->chip : NULL;
}

static void
port_changed_cb (EsplashWindow *self)
{
  reset_chip (self);
  update_actions (self);
}

/* ---- firmware list ----------------------------------------------------- */

static void
files_changed_cb (EsplashWindow *self)
{
  update_actions (self);
  if (self->settings == NULL)
    return;
  g_settings_set_value (self->settings, "last-files",
                        esplash_firmware_list_save_files (self->firmware_section));
  g_settings_set_value (self->settings, "last-offsets",
                        esplash_firmware_list_save_changes (self->firmware_section));
}

void
esplash_window_add_files (EsplashWindow *self,
                          GFile *const  *files,
                          guint          n_files)
{
  g_return_if_fail (ESPLASH_IS_WINDOW (self));

  if (self->job == NULL)
    esplash_firmware_list_add_files (self->firmware_section, files, n_files);
}

static void
add_firmware_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  esplash_firmware_list_choose_files (ESPLASH_WINDOW (user_data)->firmware_section);
}

static gboolean
drop_cb (EsplashWindow *self,
         const GValue  *value,
         gdouble        x,
         gdouble        y)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  GSList *list;

  if (self->job != NULL || !G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  list = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  g_slist_free (list);
  esplash_window_add_files (self, (GFile *const *) files->pdata, files->len);
  return files->len > 0;
}

/* ---- jobs -------------------------------------------------------------- */

EsplashAfter
esplash_window_get_after (EsplashWindow *self)
{
  return esplash_options_panel_get_after (self->options_section);
}

EsplashJobPlan *
esplash_window_new_plan (EsplashWindow    *self,
                         EsplashJobAction  action)
{
  EsplashApplication *app = ESPLASH_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  EsplashPortItem *port = esplash_port_chooser_get_selected (self->port_chooser);
  EsplashJobPlan *plan;
  EsplashConnectOptions connect;

  g_return_val_if_fail (ESPLASH_IS_WINDOW (self), NULL);

  if (port == NULL)
    return NULL;

  plan = esplash_job_plan_new (action);
  esplash_connect_options_init (&connect);
  g_free (self->baud_key);
  self->baud_key = esplash_baud_memory_choose (self->settings,
                                               esplash_options_panel_get_baud (self->options_section),
                                               port, &connect);
  connect.before = self->before;
  connect.stub_dir = app != NULL ? esplash_application_get_stub_dir (app) : NULL;
  esplash_job_plan_set_connect_options (plan, &connect);
  esplash_job_plan_set_after (plan, esplash_window_get_after (self));

  g_clear_object (&self->transport);
  if (esplash_port_item_is_virtual (port))
    {
      self->transport = esplash_sim_transport_new (esplash_window_ensure_virtual_board (self));
      esplash_job_plan_set_transport (plan, self->transport);
      /* Its family is known: the diagnosis of a failure can name its pins. */
      esplash_job_plan_set_chip (plan, esplash_troubleshoot_get_virtual_family (self->troubleshoot));
    }
  else
    {
      esplash_job_plan_set_url (plan, esplash_port_item_get_id (port));
    }
  return plan;
}

/* The bytes a write covers, for the result line. */
static void
job_progress_cb (EsplashWindow *self,
                 guint64        done,
                 guint64        total,
                 EsplashJob    *job)
{
  if (esplash_job_get_stage (job) == ESPLASH_STAGE_WRITING)
    self->job_bytes = MAX (self->job_bytes, total);
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EsplashWindow) self = ESPLASH_WINDOW (user_data);
  g_autoptr(EsplashJob) job = g_object_ref (ESPLASH_JOB (source));
  EsplashJobAction action = esplash_job_plan_get_action (esplash_job_get_plan (job));
  EsplashWindowJobDone done = self->job_done;
  g_autoptr(GError) error = NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  gboolean ok;

  if (self->inhibit_cookie != 0 && app != NULL)
    gtk_application_uninhibit (app, self->inhibit_cookie);
  self->inhibit_cookie = 0;

  ok = esplash_job_run_finish (job, result, &error);

  esplash_status_area_set_job (self->status_area, NULL, NULL);
  g_signal_handlers_disconnect_by_data (job, self);
  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  self->job_done = NULL;
  update_actions (self);

  if (self->close_when_done)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  if (ok)
    {
      const EsplashChipDescription *desc = esplash_job_get_chip_description (job);

      if (self->baud_key != NULL && desc != NULL)
        esplash_baud_memory_store (self->settings, self->baud_key, desc->baud);
      if (done != NULL)
        done (self, job);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      const char *detail = NULL;
      const char *title = esplash_job_cancelled_text (action, &detail);

      esplash_window_show_result (self, "info", title, detail);
      esplash_window_log (self, ESPLASH_LOG_INFO, title);
    }
  else
    esplash_troubleshoot_job_failed (self->troubleshoot, job, error);
  esplash_window_monitor_job_done (self->monitor, ok, ok && action == ESPLASH_JOB_WRITE &&
                                   esplash_window_get_after (self) == ESPLASH_AFTER_HARD_RESET);
}

gboolean
esplash_window_run_job (EsplashWindow        *self,
                        EsplashJobPlan       *plan,
                        const char           *busy_message,
                        const char * const   *region_names,
                        EsplashWindowJobDone  done)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  g_return_val_if_fail (ESPLASH_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (plan != NULL, FALSE);

  if (self->job != NULL)
    return FALSE;

  esplash_window_monitor_release (self->monitor);
  self->job = esplash_job_new (plan);
  self->before = ESPLASH_BEFORE_DEFAULT_RESET;
  self->restart = NULL;
  esplash_troubleshoot_job_started (self->troubleshoot);
  self->job_done = done;
  self->job_bytes = 0;
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->job, "log", G_CALLBACK (esplash_window_log), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "progress", G_CALLBACK (job_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::chip-name", G_CALLBACK (chip_described_cb),
                           self, G_CONNECT_SWAPPED);
  esplash_window_log (self, ESPLASH_LOG_INFO, busy_message);

  esplash_status_area_set_job (self->status_area, self->job, region_names);

  if (app != NULL)
    self->inhibit_cookie = gtk_application_inhibit (app, GTK_WINDOW (self),
                                                    GTK_APPLICATION_INHIBIT_LOGOUT |
                                                    GTK_APPLICATION_INHIBIT_SUSPEND,
                                                    _("A board is being flashed"));

  esplash_job_run_async (self->job, self->cancellable, job_done_cb, g_object_ref (self));
  update_actions (self);
  return TRUE;
}

static void
flash_done (EsplashWindow *self,
            EsplashJob    *job)
{
  g_autofree char *detail = esplash_flash_result_text (self->job_bytes,
                                                       esplash_job_get_bytes_unchanged (job),
                                                       esplash_job_get_elapsed (job),
                                                       esplash_job_get_resume_count (job));

  esplash_window_show_result (self, "success", _("Firmware flashed"), detail);
  esplash_window_log (self, ESPLASH_LOG_INFO, detail);
}

static void
start_flash (EsplashWindow *self)
{
  EsplashPortItem *port = esplash_port_chooser_get_selected (self->port_chooser);
  EsplashFlashPlan *files = esplash_firmware_list_get_plan (self->firmware_section);
  g_autoptr(EsplashJobPlan) plan = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *message = NULL;
  EsplashWriteOptions write;
  guint n;

  if (self->job != NULL || port == NULL || files == NULL)
    return;
  plan = esplash_window_new_plan (self, ESPLASH_JOB_WRITE);

  esplash_write_options_init (&write);
  write.verify = esplash_options_panel_get_verify (self->options_section);
  write.erase_all = esplash_options_panel_get_erase_all (self->options_section);
  write.no_skip = !esplash_options_panel_get_skip_unchanged (self->options_section);
  /* What the build asks for (flasher_args.json); NULL keeps the image's. */
  write.flash_mode = esplash_flash_plan_get_flash_mode (files);
  write.flash_freq = esplash_flash_plan_get_flash_freq (files);
  write.flash_size = esplash_flash_plan_get_flash_size (files);
  esplash_job_plan_set_write_options (plan, &write);

  n = esplash_firmware_list_add_to_plan (self->firmware_section, plan, names);
  if (n == 0)
    return;

  /* TRANSLATORS: log line, "Flashing 3 files to /dev/ttyUSB0" */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Flashing %u file to %s",
                                          "Flashing %u files to %s", n),
                             n, esplash_port_item_get_title (port));
  g_ptr_array_add (names, NULL);
  if (esplash_window_run_job (self, plan, message, (const char * const *) names->pdata, flash_done))
    self->restart = start_flash;
}

static void
confirm_response_cb (EsplashWindow *self,
                     gint           response,
                     GtkDialog     *dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    start_flash (self);
}

static void
flash_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  EsplashWindow *self = ESPLASH_WINDOW (user_data);
  const char *doubt = esplash_firmware_list_get_confirmation (self->firmware_section);

  /* A refusal the user may overrule (a mismatching chip, a bad checksum):
   * say it and let them decide, as esptool's --force does. */
  if (doubt != NULL)
    esplash_window_ask (self, _("Flash anyway?"), doubt, _("_Cancel"), _("_Flash Anyway"), G_CALLBACK (confirm_response_cb));
  else
    start_flash (self);
}

static void
cancel_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  EsplashWindow *self = ESPLASH_WINDOW (user_data);

  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  esplash_window_log (self, ESPLASH_LOG_INFO, _("Cancelling…"));
  g_cancellable_cancel (self->cancellable);
  update_actions (self);
}

static void
troubleshoot_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  esplash_troubleshoot_open (ESPLASH_WINDOW (user_data)->troubleshoot);
}

static void
clear_log_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  esplash_log_pane_clear (ESPLASH_WINDOW (user_data)->log_pane);
}

static const GActionEntry win_actions[] = {
  { .name = "add-firmware", .activate = add_firmware_activated },
  { .name = "flash", .activate = flash_activated },
  { .name = "cancel", .activate = cancel_activated },
  { .name = "troubleshoot", .activate = troubleshoot_activated },
  { .name = "clear-log", .activate = clear_log_activated },
};

/* ---- closing ----------------------------------------------------------- */

static void
close_response_cb (EsplashWindow *self,
                   gint           response,
                   GtkDialog     *dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response != GTK_RESPONSE_ACCEPT || self->job == NULL)
    return;
  /* The window goes once the job has released the port. */
  self->close_when_done = TRUE;
  cancel_activated (NULL, NULL, self);
}

static gboolean
esplash_window_close_request (GtkWindow *window)
{
  EsplashWindow *self = ESPLASH_WINDOW (window);

  if (self->job == NULL)
    {
      if (self->settings != NULL)
        {
          int width, height;

          gtk_window_get_default_size (window, &width, &height);
          g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
          if (!gtk_window_is_maximized (window))
            g_settings_set (self->settings, "window-size", "(ii)", width, height);
        }
      return GTK_WINDOW_CLASS (esplash_window_parent_class)->close_request (window);
    }
  if (self->close_when_done)
    return TRUE;

  esplash_window_ask (self, _("Stop and close?"),
       _("The board is still being worked on; stopping now may leave it unable to start until it is flashed again."),
       _("_Keep Going"), _("_Stop and Close"), G_CALLBACK (close_response_cb));
  return TRUE;
}

/* ---- settings ---------------------------------------------------------- */

static void
bind_settings (EsplashWindow *self)
{
  g_autoptr(GVariant) files = NULL;
  g_autoptr(GVariant) changes = NULL;
  int width, height;

  if (self->settings == NULL)
    return;

  esplash_options_panel_bind (self->options_section, self->settings);
  g_settings_bind (self->settings, "last-port", self->port_chooser, "preferred-port",
                   G_SETTINGS_BIND_DEFAULT);

  g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  files = g_settings_get_value (self->settings, "last-files");
  changes = g_settings_get_value (self->settings, "last-offsets");
  esplash_firmware_list_restore (self->firmware_section, files, changes);
}

/* ---- GObject ----------------------------------------------------------- */

static void
esplash_window_constructed (GObject *object)
{
  EsplashWindow *self = ESPLASH_WINDOW (object);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  G_OBJECT_CLASS (esplash_window_parent_class)->constructed (object);

  if (ESPLASH_IS_APPLICATION (app) && esplash_application_get_settings (ESPLASH_APPLICATION (app)) != NULL)
    self->settings = g_object_ref (esplash_application_get_settings (ESPLASH_APPLICATION (app)));
  bind_settings (self);
  update_actions (self);
}

static void
esplash_window_dispose (GObject *object)
{
  EsplashWindow *self = ESPLASH_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->tools);
  g_clear_object (&self->monitor);
  g_clear_object (&self->troubleshoot);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPLASH_TYPE_WINDOW);

  G_OBJECT_CLASS (esplash_window_parent_class)->dispose (object);
}

static void
esplash_window_finalize (GObject *object)
{
  EsplashWindow *self = ESPLASH_WINDOW (object);

  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->transport);
  g_clear_object (&self->virtual_board);
  g_clear_object (&self->settings);
  g_free (self->baud_key);

  G_OBJECT_CLASS (esplash_window_parent_class)->finalize (object);
}

static void
esplash_window_class_init (EsplashWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = esplash_window_constructed;
  object_class->dispose = esplash_window_dispose;
  object_class->finalize = esplash_window_finalize;
  window_class->close_request = esplash_window_close_request;

  esplash_window_load_style ();

  g_type_ensure (ESPLASH_TYPE_FIRMWARE_LIST);
  g_type_ensure (ESPLASH_TYPE_LOG_PANE);
  g_type_ensure (ESPLASH_TYPE_MONITOR_VIEW);
  g_type_ensure (ESPLASH_TYPE_OPTIONS_PANEL);
  g_type_ensure (ESPLASH_TYPE_PORT_CHOOSER);
  g_type_ensure (ESPLASH_TYPE_STATUS_AREA);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, scroller);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, device_section);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, firmware_section);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, options_section);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, port_chooser);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, chip_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, status_area);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, log_pane);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, monitor_view);
}

static void
esplash_window_init (EsplashWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);
  set_action_enabled (self, "troubleshoot", FALSE);
  self->tools = esplash_window_tools_new (self);
  self->monitor = esplash_window_monitor_new (self, self->monitor_view, self->paned);
  self->troubleshoot = esplash_troubleshoot_new (self);
  reset_chip (self);

  /* Files and folders dropped anywhere on the settings go to the list. */
  self->drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (self->drop_target, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (self->scroller, GTK_EVENT_CONTROLLER (self->drop_target));

  g_signal_connect_object (self->port_chooser, "notify::selected", G_CALLBACK (port_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->firmware_section, "changed", G_CALLBACK (files_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->firmware_section, "message", G_CALLBACK (esplash_window_log),
                           self, G_CONNECT_SWAPPED);
}

EsplashWindow *
esplash_window_new (EsplashApplication *application)
{
  return g_object_new (ESPLASH_TYPE_WINDOW, "application", application, NULL);
}

gboolean
esplash_window_is_busy (EsplashWindow *self)
{
  g_return_val_if_fail (ESPLASH_IS_WINDOW (self), FALSE);

  return self->job != NULL;
}

guint
esplash_window_get_n_files (EsplashWindow *self)
{
  g_return_val_if_fail (ESPLASH_IS_WINDOW (self), 0);

  return esplash_firmware_list_get_n_files (self->firmware_section);
}

EsplashSim *
esplash_window_get_virtual_board (EsplashWindow *self)
{
  g_return_val_if_fail (ESPLASH_IS_WINDOW (self), NULL);

  return self->virtual_board;
}

EsplashWindowTools *
esplash_window_get_tools (EsplashWindow *self)
{
  return self->tools;
}

EsplashTroubleshoot *
esplash_window_get_troubleshoot (EsplashWindow *self)
{
  return self->troubleshoot;
}

EsplashStatusArea *
esplash_window_get_status_area (EsplashWindow *self)
{
  return self->status_area;
}

gboolean
esplash_window_resume (EsplashWindow *self,
                       EsplashBefore  before)
{
  if (self->job != NULL || self->restart == NULL)
    return FALSE;
  self->before = before;
  self->restart (self);
  return self->job != NULL;
}

/* ---- for tests --------------------------------------------------------- */

GtkDropTarget *
esplash_window_get_drop_target (EsplashWindow *self)
{
  return self->drop_target;
}

EsplashPortChooser *
esplash_window_get_port_chooser (EsplashWindow *self)
{
  return self->port_chooser;
}

EsplashWindowMonitor *
esplash_window_get_monitor (EsplashWindow *self)
{
  return self->monitor;
}

EsplashFirmwareList *
esplash_window_get_firmware_list (EsplashWindow *self)
{
  return self->firmware_section;
}

EsplashLogPane *
esplash_window_get_log_pane (EsplashWindow *self)
{
  return self->log_pane;
}

void
esplash_window_set_virtual_board (EsplashWindow *self,
                                  EsplashSim    *sim)
{
  g_return_if_fail (self->job == NULL);

  g_set_object (&self->virtual_board, sim);
}

EsplashJob *
esplash_window_get_job (EsplashWindow *self)
{
  return self->job;
}

EsplashTransport *
esplash_window_get_last_transport (EsplashWindow *self)
{
  return self->transport;
}

gboolean
esplash_window_get_result (EsplashWindow  *self,
                           const char    **title,
                           const char    **detail)
{
  return esplash_status_area_get_result (self->status_area, title, detail);
}

gdouble
esplash_window_get_progress_fraction (EsplashWindow *self)
{
  return esplash_status_area_get_fraction (self->status_area);
}
