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
#include "esplash-firmware-row.h"
#include "esplash-port-chooser.h"
#include "esplash-progress-panel.h"
#include "esplash-window.h"

static const guint bauds[] = { 115200, 460800, 921600 };
#define DEFAULT_BAUD_INDEX 1

enum {
  AFTER_RESET_AND_RUN = 0,
  AFTER_STAY_IN_BOOTLOADER = 1,
};

struct _EsplashWindow
{
  GtkApplicationWindow  parent_instance;

  /* template */
  GtkWidget            *scroller;
  GtkWidget            *device_section;
  GtkWidget            *firmware_section;
  GtkWidget            *options_section;
  EsplashPortChooser   *port_chooser;
  GtkLabel             *chip_label;
  GtkListBox           *firmware_list;
  GtkDropDown          *baud_drop_down;
  GtkDropDown          *after_drop_down;
  GtkSwitch            *verify_switch;
  GtkSwitch            *erase_switch;
  GtkWidget            *status_area;
  EsplashProgressPanel *progress_panel;
  GtkWidget            *result_box;
  GtkImage             *result_icon;
  GtkLabel             *result_title;
  GtkLabel             *result_detail;
  GtkWidget            *troubleshoot_button;
  GtkExpander          *log_expander;
  GtkTextView          *log_view;

  GSettings            *settings;        /* nullable */
  EsplashSim           *virtual_board;   /* created on first use; keeps its flash */
  EsplashJob           *job;             /* while one runs */
  GCancellable         *cancellable;
  guint                 inhibit_cookie;
  gboolean              close_when_done;
  guint64               job_bytes;
  GtkTextMark          *log_end;
  guint                 log_scroll_frames;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (EsplashWindow, esplash_window, GTK_TYPE_APPLICATION_WINDOW)

/* ---- log --------------------------------------------------------------- */

static void
append_log (EsplashWindow   *self,
            EsplashLogLevel  level,
            const char      *message)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S ");
  g_autofree char *line = g_strconcat (message, "\n", NULL);
  const char *tag = NULL;
  GtkTextIter end;

  if (level == ESPLASH_LOG_WARNING)
    tag = "warning";
  else if (level == ESPLASH_LOG_ERROR)
    tag = "error";
  else if (level == ESPLASH_LOG_DEBUG)
    tag = "debug";

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert_with_tags_by_name (buffer, &end, stamp, -1, "stamp", NULL);
  gtk_text_buffer_insert_with_tags_by_name (buffer, &end, line, -1, tag, NULL);
  if (gtk_expander_get_expanded (self->log_expander))
    gtk_text_view_scroll_to_mark (self->log_view, self->log_end, 0.0, TRUE, 0.0, 1.0);
}

/* The text view lays out lines lazily, so a scroll right after expanding
 * lands short of the end: repeat it for the first frames. */
#define LOG_SCROLL_FRAMES 10

static gboolean
scroll_log_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  EsplashWindow *self = ESPLASH_WINDOW (user_data);

  gtk_text_view_scroll_to_mark (self->log_view, self->log_end, 0.0, TRUE, 0.0, 1.0);
  return ++self->log_scroll_frames < LOG_SCROLL_FRAMES ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
log_expanded_cb (EsplashWindow *self)
{
  if (!gtk_expander_get_expanded (self->log_expander))
    return;
  self->log_scroll_frames = 0;
  gtk_widget_add_tick_callback (GTK_WIDGET (self->log_view), scroll_log_cb, self, NULL);
}

static void
job_log_cb (EsplashWindow *self,
            guint          level,
            const char    *message)
{
  append_log (self, level, message);
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
  gboolean offsets_ok = TRUE;
  guint n_enabled = 0;
  GtkListBoxRow *row;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (self->firmware_list, i)) != NULL; i++)
    {
      EsplashFirmwareRow *firmware = ESPLASH_FIRMWARE_ROW (row);
      guint32 offset;

      if (!esplash_firmware_row_get_enabled (firmware))
        continue;
      n_enabled++;
      if (!esplash_firmware_row_get_offset (firmware, &offset))
        offsets_ok = FALSE;
    }

  set_action_enabled (self, "flash",
                      !busy && n_enabled > 0 && offsets_ok &&
                      esplash_port_chooser_get_selected (self->port_chooser) != NULL);
  set_action_enabled (self, "cancel", busy && !g_cancellable_is_cancelled (self->cancellable));
  set_action_enabled (self, "add-firmware", !busy);
  gtk_widget_set_sensitive (self->device_section, !busy);
  gtk_widget_set_sensitive (self->firmware_section, !busy);
  gtk_widget_set_sensitive (self->options_section, !busy);
}

static void
show_result (EsplashWindow *self,
             const char    *kind,        /* "success", "error", "info" */
             const char    *icon_name,
             const char    *title,
             const char    *detail)
{
  static const char *kinds[] = { "success", "error", "info" };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    gtk_widget_remove_css_class (self->result_box, kinds[i]);
  gtk_widget_add_css_class (self->result_box, kind);
  gtk_image_set_from_icon_name (self->result_icon, icon_name);
  gtk_label_set_text (self->result_title, title);
  gtk_label_set_text (self->result_detail, detail);
  gtk_widget_set_visible (self->troubleshoot_button, g_str_equal (kind, "error"));
  gtk_widget_set_visible (self->result_box, TRUE);
  gtk_widget_set_visible (self->status_area, TRUE);
}

static void
dismiss_result_cb (EsplashWindow *self)
{
  gtk_widget_set_visible (self->result_box, FALSE);
  gtk_widget_set_visible (self->status_area, gtk_widget_get_visible (GTK_WIDGET (self->progress_panel)));
}

static void
update_chip_label (EsplashWindow *self,
                   GParamSpec    *pspec,
                   EsplashJob    *job)
{
  const EsplashChipDescription *chip = esplash_job_get_chip_description (job);
  g_autofree char *text = NULL;

  if (chip == NULL || chip->chip == NULL)
    return;
  text = esplash_chip_summary (chip);
  gtk_label_set_text (self->chip_label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->chip_label), "dim-label");
}

/* ---- firmware list ----------------------------------------------------- */

static void
row_remove_cb (EsplashWindow      *self,
               EsplashFirmwareRow *row)
{
  gtk_list_box_remove (self->firmware_list, GTK_WIDGET (row));
  update_actions (self);
}

static gboolean
has_file (EsplashWindow *self,
          GFile         *file)
{
  GtkListBoxRow *row;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (self->firmware_list, i)) != NULL; i++)
    {
      if (g_file_equal (esplash_firmware_row_get_file (ESPLASH_FIRMWARE_ROW (row)), file))
        return TRUE;
    }
  return FALSE;
}

void
esplash_window_add_files (EsplashWindow *self,
                          GFile *const  *files,
                          guint          n_files)
{
  gboolean first;

  g_return_if_fail (ESPLASH_IS_WINDOW (self));
  g_return_if_fail (files != NULL || n_files == 0);

  if (self->job != NULL)
    return;

  /* A lone file in an empty list is most likely a merged image for 0x0. */
  first = gtk_list_box_get_row_at_index (self->firmware_list, 0) == NULL && n_files == 1;
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_file_get_basename (files[i]);
      g_autofree char *message = NULL;
      EsplashFirmwareRow *row;
      guint32 offset;

      if (has_file (self, files[i]))
        continue;
      offset = esplash_firmware_guess_offset (name, first);
      row = esplash_firmware_row_new (files[i], offset);
      g_signal_connect_object (row, "changed", G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (row, "remove", G_CALLBACK (row_remove_cb), self, G_CONNECT_SWAPPED);
      gtk_list_box_append (self->firmware_list, GTK_WIDGET (row));

      /* TRANSLATORS: log line, "Added app.bin at 0x10000" */
      message = g_strdup_printf (_("Added %s at 0x%x"), name, offset);
      append_log (self, ESPLASH_LOG_INFO, message);
    }
  update_actions (self);
}

static void
chooser_response_cb (EsplashWindow        *self,
                     gint                  response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) model = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
      guint n = g_list_model_get_n_items (model);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (files, g_list_model_get_item (model, i));
      esplash_window_add_files (self, (GFile *const *) files->pdata, files->len);
    }
  g_clear_object (&self->chooser);
}

static void
add_firmware_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  EsplashWindow *self = ESPLASH_WINDOW (user_data);
  g_autoptr(GtkFileFilter) images = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Add Firmware"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Add"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  gtk_file_filter_set_name (images, _("Firmware images"));
  gtk_file_filter_add_suffix (images, "bin");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), images);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
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

/* ---- flashing ---------------------------------------------------------- */

static EsplashSim *
ensure_virtual_board (EsplashWindow *self)
{
  if (self->virtual_board == NULL)
    {
      EsplashSimOptions options;

      esplash_sim_options_init (&options, ESPLASH_CHIP_ESP32S3);
      options.console = ESPLASH_CONSOLE_UART;
      options.boot_mode = ESPLASH_SIM_BOOT_FLASH;
      options.timing = TRUE;    /* a demo should feel like a real board */
      self->virtual_board = esplash_sim_new (&options);
    }
  return self->virtual_board;
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EsplashWindow) self = ESPLASH_WINDOW (user_data);
  EsplashJob *job = ESPLASH_JOB (source);
  g_autoptr(GError) error = NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (self->inhibit_cookie != 0 && app != NULL)
    gtk_application_uninhibit (app, self->inhibit_cookie);
  self->inhibit_cookie = 0;

  if (esplash_job_run_finish (job, result, &error))
    {
      gdouble elapsed = MAX (esplash_job_get_elapsed (job), 0.001);
      g_autofree char *size = g_format_size (self->job_bytes);
      g_autofree char *rate = g_format_size ((guint64) (self->job_bytes / elapsed));
      g_autofree char *duration = esplash_format_duration (elapsed);
      g_autofree char *detail = NULL;

      /* TRANSLATORS: "Wrote 1.2 MB in 14 seconds (86.0 kB/s)." */
      detail = g_strdup_printf (_("Wrote %s in %s (%s/s)."), size, duration, rate);
      show_result (self, "success", "emblem-ok-symbolic", _("Firmware flashed"), detail);
      append_log (self, ESPLASH_LOG_INFO, detail);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      show_result (self, "info", "dialog-information-symbolic", _("Flashing cancelled"),
                   _("The board may not start until it is flashed completely."));
      append_log (self, ESPLASH_LOG_INFO, _("Cancelled"));
    }
  else
    {
      show_result (self, "error", "dialog-error-symbolic", esplash_error_title (error), error->message);
      append_log (self, ESPLASH_LOG_ERROR, error->message);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->progress_panel), FALSE);
  esplash_progress_panel_set_job (self->progress_panel, NULL);
  g_signal_handlers_disconnect_by_data (job, self);
  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  update_actions (self);

  if (self->close_when_done)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
flash_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  EsplashWindow *self = ESPLASH_WINDOW (user_data);
  EsplashApplication *app = ESPLASH_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  EsplashPortItem *port = esplash_port_chooser_get_selected (self->port_chooser);
  g_autoptr(EsplashJobPlan) plan = esplash_job_plan_new (ESPLASH_JOB_WRITE);
  g_autofree char *message = NULL;
  EsplashConnectOptions connect;
  EsplashWriteOptions write;
  GtkListBoxRow *row;
  guint baud_index;

  if (self->job != NULL || port == NULL)
    return;

  baud_index = gtk_drop_down_get_selected (self->baud_drop_down);
  esplash_connect_options_init (&connect);
  connect.baud = bauds[baud_index < G_N_ELEMENTS (bauds) ? baud_index : DEFAULT_BAUD_INDEX];
  connect.stub_dir = app != NULL ? esplash_application_get_stub_dir (app) : NULL;
  esplash_job_plan_set_connect_options (plan, &connect);

  esplash_write_options_init (&write);
  write.verify = gtk_switch_get_active (self->verify_switch);
  write.erase_all = gtk_switch_get_active (self->erase_switch);
  esplash_job_plan_set_write_options (plan, &write);

  esplash_job_plan_set_after (plan, gtk_drop_down_get_selected (self->after_drop_down) == AFTER_STAY_IN_BOOTLOADER
                                      ? ESPLASH_AFTER_NO_RESET : ESPLASH_AFTER_HARD_RESET);

  if (esplash_port_item_is_virtual (port))
    {
      g_autoptr(EsplashTransport) transport = esplash_sim_transport_new (ensure_virtual_board (self));

      esplash_job_plan_set_transport (plan, transport);
    }
  else
    {
      esplash_job_plan_set_url (plan, esplash_port_item_get_id (port));
    }

  self->job_bytes = 0;
  for (guint i = 0; (row = gtk_list_box_get_row_at_index (self->firmware_list, i)) != NULL; i++)
    {
      EsplashFirmwareRow *firmware = ESPLASH_FIRMWARE_ROW (row);
      guint32 offset;

      if (!esplash_firmware_row_get_enabled (firmware) ||
          !esplash_firmware_row_get_offset (firmware, &offset))
        continue;
      esplash_job_plan_add_file (plan, offset, esplash_firmware_row_get_file (firmware));
      self->job_bytes += esplash_firmware_row_get_size (firmware);
    }
  if (esplash_job_plan_get_n_regions (plan) == 0)
    return;

  self->job = esplash_job_new (plan);
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->job, "log", G_CALLBACK (job_log_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::chip-name", G_CALLBACK (update_chip_label),
                           self, G_CONNECT_SWAPPED);

  /* TRANSLATORS: log line, "Flashing 3 files to /dev/ttyUSB0 at 460800 baud" */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Flashing %u file to %s at %u baud",
                                          "Flashing %u files to %s at %u baud",
                                          esplash_job_plan_get_n_regions (plan)),
                             esplash_job_plan_get_n_regions (plan),
                             esplash_port_item_get_title (port), connect.baud);
  append_log (self, ESPLASH_LOG_INFO, message);

  gtk_widget_set_visible (self->result_box, FALSE);
  esplash_progress_panel_set_job (self->progress_panel, self->job);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_panel), TRUE);
  gtk_widget_set_visible (self->status_area, TRUE);

  if (app != NULL)
    self->inhibit_cookie = gtk_application_inhibit (GTK_APPLICATION (app), GTK_WINDOW (self),
                                                    GTK_APPLICATION_INHIBIT_LOGOUT |
                                                    GTK_APPLICATION_INHIBIT_SUSPEND,
                                                    _("Firmware is being flashed"));

  esplash_job_run_async (self->job, self->cancellable, job_done_cb, g_object_ref (self));
  update_actions (self);
}

static void
cancel_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  EsplashWindow *self = ESPLASH_WINDOW (user_data);

  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  append_log (self, ESPLASH_LOG_INFO, _("Cancelling…"));
  g_cancellable_cancel (self->cancellable);
  update_actions (self);
}

static void
troubleshoot_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  /* Filled in by the diagnosis engine; the action stays disabled until then. */
}

static void
clear_log_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  EsplashWindow *self = ESPLASH_WINDOW (user_data);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->log_view), "", 0);
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

static void
save_window_state (EsplashWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)))
    g_settings_set (self->settings, "window-size", "(ii)", width, height);
}

static gboolean
esplash_window_close_request (GtkWindow *window)
{
  EsplashWindow *self = ESPLASH_WINDOW (window);
  GtkWidget *dialog;
  GtkWidget *stop;

  if (self->job == NULL)
    {
      save_window_state (self);
      return GTK_WINDOW_CLASS (esplash_window_parent_class)->close_request (window);
    }
  if (self->close_when_done)
    return TRUE;

  dialog = gtk_message_dialog_new (window, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
                                   "%s", _("Stop flashing and close?"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
                                            _("The board may not start until it is flashed completely."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Keep Flashing"), GTK_RESPONSE_CANCEL);
  stop = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Stop and Close"), GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (stop, "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_response_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

/* ---- settings ---------------------------------------------------------- */

static gboolean
baud_get_mapping (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  guint baud = g_variant_get_uint32 (variant);

  for (guint i = 0; i < G_N_ELEMENTS (bauds); i++)
    {
      if (bauds[i] == baud)
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }
  g_value_set_uint (value, DEFAULT_BAUD_INDEX);
  return TRUE;
}

static GVariant *
baud_set_mapping (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  guint index = g_value_get_uint (value);

  return g_variant_new_uint32 (bauds[index < G_N_ELEMENTS (bauds) ? index : DEFAULT_BAUD_INDEX]);
}

static gboolean
after_get_mapping (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  g_value_set_uint (value, g_str_equal (g_variant_get_string (variant, NULL), "stay")
                             ? AFTER_STAY_IN_BOOTLOADER : AFTER_RESET_AND_RUN);
  return TRUE;
}

static GVariant *
after_set_mapping (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  return g_variant_new_string (g_value_get_uint (value) == AFTER_STAY_IN_BOOTLOADER ? "stay" : "reset");
}

static void
bind_settings (EsplashWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    {
      gtk_drop_down_set_selected (self->baud_drop_down, DEFAULT_BAUD_INDEX);
      return;
    }

  g_settings_bind (self->settings, "verify", self->verify_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "erase-all", self->erase_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "last-port", self->port_chooser, "preferred-port",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "baud", self->baud_drop_down, "selected",
                                G_SETTINGS_BIND_DEFAULT, baud_get_mapping, baud_set_mapping,
                                NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "after", self->after_drop_down, "selected",
                                G_SETTINGS_BIND_DEFAULT, after_get_mapping, after_set_mapping,
                                NULL, NULL);

  g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
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
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPLASH_TYPE_WINDOW);

  G_OBJECT_CLASS (esplash_window_parent_class)->dispose (object);
}

static void
esplash_window_finalize (GObject *object)
{
  EsplashWindow *self = ESPLASH_WINDOW (object);

  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->virtual_board);
  g_clear_object (&self->settings);

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

  g_type_ensure (ESPLASH_TYPE_PORT_CHOOSER);
  g_type_ensure (ESPLASH_TYPE_PROGRESS_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, scroller);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, device_section);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, firmware_section);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, options_section);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, port_chooser);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, chip_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, firmware_list);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, baud_drop_down);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, after_drop_down);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, verify_switch);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, erase_switch);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, status_area);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, progress_panel);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, result_box);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, result_icon);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, result_title);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, result_detail);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, troubleshoot_button);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, log_expander);
  gtk_widget_class_bind_template_child (widget_class, EsplashWindow, log_view);
  gtk_widget_class_bind_template_callback (widget_class, dismiss_result_cb);
}

static void
esplash_window_init (EsplashWindow *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);
  set_action_enabled (self, "troubleshoot", FALSE);

  buffer = gtk_text_view_get_buffer (self->log_view);
  gtk_text_buffer_create_tag (buffer, "stamp", "foreground", "#77767b", NULL);
  gtk_text_buffer_create_tag (buffer, "debug", "foreground", "#77767b", NULL);
  gtk_text_buffer_create_tag (buffer, "warning", "foreground", "#c64600", NULL);
  gtk_text_buffer_create_tag (buffer, "error", "foreground", "#e01b24", "weight", 700, NULL);
  gtk_text_buffer_get_end_iter (buffer, &end);
  self->log_end = gtk_text_buffer_create_mark (buffer, "end", &end, FALSE);
  g_signal_connect_object (self->log_expander, "notify::expanded", G_CALLBACK (log_expanded_cb),
                           self, G_CONNECT_SWAPPED);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (self->scroller, GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_object (self->port_chooser, "notify::selected", G_CALLBACK (update_actions),
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
  guint n = 0;

  g_return_val_if_fail (ESPLASH_IS_WINDOW (self), 0);

  while (gtk_list_box_get_row_at_index (self->firmware_list, n) != NULL)
    n++;
  return n;
}

EsplashSim *
esplash_window_get_virtual_board (EsplashWindow *self)
{
  g_return_val_if_fail (ESPLASH_IS_WINDOW (self), NULL);

  return self->virtual_board;
}
