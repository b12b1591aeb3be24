/* esplash-window.c
 *
 * The window lays out the parts and says which board they work on: one
 * EsplashFlashSession for the selected port, or one per board in
 * production mode. Sessions talk to the core through EsplashJob, so the
 * UI never waits on a serial port; the parts follow a session's
 * properties and signals and never reach back into the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash.h"
#include "esplash-sim.h"

#include "esplash-app-text.h"
#include "esplash-ask.h"
#include "esplash-close-guard.h"
#include "esplash-flasher.h"
#include "esplash-options-panel.h"
#include "esplash-production-view.h"
#include "esplash-style.h"
#include "esplash-window-private.h"

struct _EsplashWindow
{
  GtkApplicationWindow  parent_instance;

  /* template */
  GtkWidget            *scroller;
  GtkWidget            *device_section;
  EsplashProductionView *production_view;
  EsplashFirmwareList  *firmware_section;
  EsplashOptionsPanel  *options_section;
  EsplashPortChooser   *port_chooser;
  GtkLabel             *chip_label;
  EsplashStatusArea    *status_area;
  EsplashLogPane       *log_pane;
  GtkPaned             *paned;
  EsplashMonitorView   *monitor_view;
  GtkButton            *flash_button;

  GSettings            *settings;        /* nullable */
  char                 *stub_dir;        /* nullable */
  EsplashFlasher       *flasher;
  EsplashSelectedBoard *board;           /* the port chooser's board */
  EsplashFlashSession  *session;         /* its session, followed; nullable */
  EsplashWindowTools   *tools;
  EsplashWindowMonitor *monitor;
  EsplashTroubleshoot  *troubleshoot;
  GtkDropTarget        *drop_target;
  gboolean              production;
  EsplashCloseGuard    *guard;
};

G_DEFINE_FINAL_TYPE (EsplashWindow, esplash_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_STUB_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
log_cb (EsplashWindow *self,
        int            level,
        const char    *message)
{
  esplash_log_pane_append (self->log_pane, (EsplashLogLevel) level, message);
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

static gboolean
session_busy (EsplashWindow *self)
{
  return self->session != NULL && esplash_flash_session_is_busy (self->session);
}

gboolean
esplash_window_is_busy (EsplashWindow *self)
{
  g_return_val_if_fail (ESPLASH_IS_WINDOW (self), FALSE);

  return session_busy (self) || esplash_production_view_is_busy (self->production_view);
}

static void
update_actions (EsplashWindow *self)
{
  gboolean busy = esplash_window_is_busy (self);
  gboolean single = !self->production;
  gboolean idle_port = single && self->session != NULL && !busy;
  gboolean cancellable = single ? session_busy (self) && !esplash_flash_session_is_cancelling (self->session)
                                : esplash_production_view_is_busy (self->production_view);

  /* Flash All may start idle boards while others still run. */
  set_action_enabled (self, "flash", esplash_firmware_list_is_ready (self->firmware_section) &&
                                     (single ? idle_port
                                             : esplash_production_view_get_n_boards (self->production_view) > 0));
  set_action_enabled (self, "cancel", cancellable);
  set_action_enabled (self, "add-firmware", !busy);
  set_action_enabled (self, "troubleshoot", idle_port &&
                      esplash_flash_session_get_diagnosis (self->session) != NULL);
  set_action_enabled (self, "production", !busy);
  esplash_window_tools_set_enabled (self->tools, idle_port);
  esplash_window_monitor_set_enabled (self->monitor, idle_port);
  gtk_widget_set_sensitive (self->device_section, !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->firmware_section), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->options_section), !busy);
  esplash_close_guard_set_busy (self->guard, busy);
}

/* Until a board answers, the plan is made for the chip the port implies:
 * the virtual board's; a real port could be anything. In production mode
 * boards may differ: each job checks its own chip. */
static void
show_chip (EsplashWindow *self)
{
  const EsplashChipDescription *chip = self->session != NULL ? esplash_flash_session_get_chip (self->session)
                                                             : NULL;
  EsplashChipFamily family = self->session != NULL ? esplash_flash_session_get_family (self->session)
                                                   : ESPLASH_CHIP_UNKNOWN;
  g_autofree char *text = chip != NULL ? esplash_chip_summary (chip) : NULL;

  gtk_label_set_text (self->chip_label, text != NULL ? text
                                                     : _("Chip details appear here once the board is connected."));
  if (chip != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->chip_label), "dim-label");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->chip_label), "dim-label");
  if (self->production)
    esplash_firmware_list_set_target (self->firmware_section, NULL, ESPLASH_REVISION_UNKNOWN, 0);
  else if (chip != NULL)
    esplash_firmware_list_set_target (self->firmware_section, chip->chip, chip->revision, chip->flash_size);
  else
    esplash_firmware_list_set_target (self->firmware_section, esplash_chip_get (family),
                                      ESPLASH_REVISION_UNKNOWN, 0);
}

/* ---- the selected board ------------------------------------------------ */

static void
session_finished_cb (EsplashWindow       *self,
                     EsplashJob          *job,
                     gboolean             ok,
                     EsplashFlashSession *session)
{
  EsplashJobAction action = esplash_job_plan_get_action (esplash_job_get_plan (job));
  g_autofree char *elf = NULL;

  /* A tool that goes on with another job (a backup after its DESCRIBE). */
  if (esplash_flash_session_is_busy (session))
    return;
  if (ok && action == ESPLASH_JOB_WRITE)
    elf = esplash_firmware_list_find_elf (self->firmware_section);
  esplash_window_monitor_job_done (self->monitor, ok, ok && action == ESPLASH_JOB_WRITE &&
                                   esplash_flash_session_get_after (session) == ESPLASH_AFTER_HARD_RESET,
                                   elf);
}

static void
session_job_cb (EsplashWindow       *self,
                GParamSpec          *pspec,
                EsplashFlashSession *session)
{
  /* A job is about to use the port: the monitor lets go first. */
  if (esplash_flash_session_is_busy (session))
    esplash_window_monitor_release (self->monitor);
  update_actions (self);
}

static void
set_session (EsplashWindow       *self,
             EsplashFlashSession *session)
{
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (session, "log", G_CALLBACK (log_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::job", G_CALLBACK (session_job_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::diagnosis", G_CALLBACK (update_actions), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::chip", G_CALLBACK (show_chip), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "finished", G_CALLBACK (session_finished_cb), self,
                               G_CONNECT_SWAPPED);
    }
  if (!self->production)
    esplash_status_area_set_session (self->status_area, session);
  esplash_window_tools_set_session (self->tools, session);
  esplash_window_monitor_set_session (self->monitor, session);
  show_chip (self);
  update_actions (self);
}

static void
selected_session_cb (EsplashWindow *self)
{
  set_session (self, esplash_selected_board_get_session (self->board));
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

  if (!esplash_window_is_busy (self))
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

  if (esplash_window_is_busy (self) || !G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  list = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  g_slist_free (list);
  esplash_window_add_files (self, (GFile *const *) files->pdata, files->len);
  return files->len > 0;
}

/* ---- actions ----------------------------------------------------------- */

EsplashAfter
esplash_window_get_after (EsplashWindow *self)
{
  return esplash_options_panel_get_after (self->options_section);
}

static void
start_flash (EsplashWindow *self)
{
  if (self->production)
    esplash_production_view_flash_all (self->production_view);
  else if (self->session != NULL)
    esplash_flasher_start (self->flasher, self->session);
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
    esplash_ask_destructive (GTK_WINDOW (self), _("Flash anyway?"), doubt, _("_Cancel"),
                             _("_Flash Anyway"), G_CALLBACK (confirm_response_cb), self);
  else
    start_flash (self);
}

static void
cancel_all (EsplashWindow *self)
{
  if (self->session != NULL)
    esplash_flash_session_cancel (self->session);
  esplash_production_view_cancel_all (self->production_view);
  update_actions (self);
}

static void
cancel_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  cancel_all (ESPLASH_WINDOW (user_data));
}

static void
troubleshoot_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  EsplashWindow *self = ESPLASH_WINDOW (user_data);

  if (self->session != NULL)
    esplash_troubleshoot_open (self->troubleshoot, self->session);
}

static void
clear_log_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  esplash_log_pane_clear (ESPLASH_WINDOW (user_data)->log_pane);
}

void
esplash_window_set_production (EsplashWindow *self,
                               gboolean       production)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "production");

  g_return_if_fail (ESPLASH_IS_WINDOW (self));

  if (self->production == production || esplash_window_is_busy (self))
    return;
  self->production = production;
  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (production));
  /* One board's parts give way to a row per board. */
  if (production)
    g_action_group_change_action_state (G_ACTION_GROUP (self), "monitor",
                                  g_variant_new_boolean (FALSE));
  gtk_widget_set_visible (self->device_section, !production);
  show_chip (self);
  gtk_widget_set_visible (GTK_WIDGET (self->production_view), production);
  gtk_widget_set_visible (GTK_WIDGET (self->status_area), FALSE);
  esplash_status_area_set_session (self->status_area, production ? NULL : self->session);
  gtk_button_set_label (self->flash_button, production ? _("_Flash All") : _("_Flash"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->flash_button),
                               production ? _("Write the firmware to every included board (Ctrl+Return)")
                                          : _("Write the firmware to the board (Ctrl+Return)"));
  esplash_production_view_set_active (self->production_view, production);
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "production-mode", production);
  update_actions (self);
}

gboolean
esplash_window_get_production (EsplashWindow *self)
{
  return self->production;
}

static void
production_change_state (GSimpleAction *action,
                         GVariant      *value,
                         gpointer       user_data)
{
  esplash_window_set_production (ESPLASH_WINDOW (user_data), g_variant_get_boolean (value));
}

static const GActionEntry win_actions[] = {
  { .name = "add-firmware", .activate = add_firmware_activated },
  { .name = "flash", .activate = flash_activated },
  { .name = "cancel", .activate = cancel_activated },
  { .name = "troubleshoot", .activate = troubleshoot_activated },
  { .name = "clear-log", .activate = clear_log_activated },
  { .name = "production", .state = "false", .change_state = production_change_state },
};

/* ---- closing ----------------------------------------------------------- */

static gboolean
esplash_window_close_request (GtkWindow *window)
{
  EsplashWindow *self = ESPLASH_WINDOW (window);

  if (esplash_close_guard_hold (self->guard))
    return TRUE;
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

/* ---- GObject ----------------------------------------------------------- */

static void
production_troubleshoot_cb (EsplashWindow       *self,
                            EsplashFlashSession *session)
{
  esplash_troubleshoot_open (self->troubleshoot, session);
}

static void
bind_settings (EsplashWindow *self)
{
  g_autoptr(GVariant) files = NULL;
  g_autoptr(GVariant) changes = NULL;
  int width, height;

  if (self->settings == NULL)
    return;

  esplash_options_panel_bind (self->options_section, self->settings);
  esplash_production_view_bind (self->production_view, self->settings);
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

static void
esplash_window_constructed (GObject *object)
{
  EsplashWindow *self = ESPLASH_WINDOW (object);

  G_OBJECT_CLASS (esplash_window_parent_class)->constructed (object);

  self->flasher = esplash_flasher_new (self->firmware_section, self->options_section,
                                       self->settings, self->stub_dir);
  esplash_window_tools_set_flasher (self->tools, self->flasher);
  esplash_production_view_set_flasher (self->production_view, self->flasher);
  bind_settings (self);
  self->board = esplash_selected_board_new (self->port_chooser, self->flasher);
  g_signal_connect_object (self->board, "notify::session", G_CALLBACK (selected_session_cb), self,
                           G_CONNECT_SWAPPED);
  selected_session_cb (self);
  if (self->settings != NULL && g_settings_get_boolean (self->settings, "production-mode"))
    esplash_window_set_production (self, TRUE);
  update_actions (self);
}

static void
esplash_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  EsplashWindow *self = ESPLASH_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_set_object (&self->settings, g_value_get_object (value));
      break;
    case PROP_STUB_DIR:
      g_free (self->stub_dir);
      self->stub_dir = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_window_dispose (GObject *object)
{
  EsplashWindow *self = ESPLASH_WINDOW (object);

  if (self->session != NULL)
    {
      esplash_flash_session_cancel (self->session);
      g_signal_handlers_disconnect_by_data (self->session, self);
    }
  g_clear_object (&self->session);
  g_clear_object (&self->board);
  g_clear_object (&self->tools);
  g_clear_object (&self->monitor);
  g_clear_object (&self->troubleshoot);
  g_clear_object (&self->guard);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPLASH_TYPE_WINDOW);
  g_clear_object (&self->flasher);

  G_OBJECT_CLASS (esplash_window_parent_class)->dispose (object);
}

static void
esplash_window_finalize (GObject *object)
{
  EsplashWindow *self = ESPLASH_WINDOW (object);

  g_clear_object (&self->settings);
  g_free (self->stub_dir);

  G_OBJECT_CLASS (esplash_window_parent_class)->finalize (object);
}

static void
esplash_window_class_init (EsplashWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = esplash_window_constructed;
  object_class->set_property = esplash_window_set_property;
  object_class->dispose = esplash_window_dispose;
  object_class->finalize = esplash_window_finalize;
  window_class->close_request = esplash_window_close_request;

  properties[PROP_SETTINGS] = g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                                                   G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY |
                                                   G_PARAM_STATIC_STRINGS);
  properties[PROP_STUB_DIR] = g_param_spec_string ("stub-dir", NULL, NULL, NULL,
                                                   G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY |
                                                   G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  esplash_style_load ();

  g_type_ensure (ESPLASH_TYPE_FIRMWARE_LIST);
  g_type_ensure (ESPLASH_TYPE_LOG_PANE);
  g_type_ensure (ESPLASH_TYPE_MONITOR_VIEW);
  g_type_ensure (ESPLASH_TYPE_OPTIONS_PANEL);
  g_type_ensure (ESPLASH_TYPE_PORT_CHOOSER);
  g_type_ensure (ESPLASH_TYPE_PRODUCTION_VIEW);
  g_type_ensure (ESPLASH_TYPE_STATUS_AREA);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, scroller);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, device_section);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, production_view);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, firmware_section);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, options_section);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, port_chooser);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, chip_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, status_area);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, log_pane);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, monitor_view);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, flash_button);
}

static void
esplash_window_init (EsplashWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);
  self->tools = esplash_window_tools_new (GTK_WINDOW (self), G_ACTION_MAP (self));
  self->monitor = esplash_window_monitor_new (G_ACTION_MAP (self), self->monitor_view, self->paned);
  self->troubleshoot = esplash_troubleshoot_new (GTK_WINDOW (self));
  self->guard = esplash_close_guard_new (GTK_WINDOW (self));
  g_signal_connect_object (self->guard, "stop", G_CALLBACK (cancel_all), self, G_CONNECT_SWAPPED);
  /* The guided page watches the board's port: the monitor lets go. */
  g_signal_connect_object (self->troubleshoot, "watching", G_CALLBACK (esplash_window_monitor_release),
                           self->monitor, G_CONNECT_SWAPPED);

  /* Files and folders dropped anywhere on the settings go to the list. */
  self->drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (self->drop_target, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (self->scroller, GTK_EVENT_CONTROLLER (self->drop_target));

  g_signal_connect_object (self->firmware_section, "changed", G_CALLBACK (files_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->firmware_section, "message", G_CALLBACK (esplash_log_pane_append),
                           self->log_pane, G_CONNECT_SWAPPED);
  /* One listing of the ports for the drop-down and production mode. */
  esplash_production_view_set_port_watch (self->production_view,
                                          esplash_port_chooser_get_port_watch (self->port_chooser));
  g_signal_connect_object (self->production_view, "notify::busy", G_CALLBACK (update_actions),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->production_view, "notify::n-boards", G_CALLBACK (update_actions),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->production_view, "log", G_CALLBACK (log_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->production_view, "troubleshoot", G_CALLBACK (production_troubleshoot_cb),
                           self, G_CONNECT_SWAPPED);
}

EsplashWindow *
esplash_window_new (GtkApplication *application,
                    GSettings      *settings,
                    const char     *stub_dir)
{
  return g_object_new (ESPLASH_TYPE_WINDOW, "application", application, "settings", settings,
                       "stub-dir", stub_dir, NULL);
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

  return esplash_selected_board_get_virtual_board (self->board);
}

/* ---- for tests --------------------------------------------------------- */

EsplashFlashSession *
esplash_window_get_session (EsplashWindow *self)
{
  return self->session;
}

EsplashSelectedBoard *
esplash_window_get_selected_board (EsplashWindow *self)
{
  return self->board;
}

EsplashProductionView *
esplash_window_get_production_view (EsplashWindow *self)
{
  return self->production_view;
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
