/* esplash-window-tools.c
 *
 * Each tool is one job run by the session of the selected board, so it
 * gets the same progress, Cancel, log and result area as flashing. A backup
 * of the whole flash needs its size: when the chip has not been described
 * on this port yet, a DESCRIBE job runs first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-app-text.h"
#include "esplash-chip-dialog.h"
#include "esplash-window-tools.h"

#define MIB (1024u * 1024u)

/* The sizes a backup offers; 0 = the whole flash. */
static const guint backup_mib[] = { 0, 1, 2, 4, 8, 16 };

struct _EsplashWindowTools
{
  GObject               parent_instance;

  GtkWindow            *window;       /* owns us; dialogs are modal to it */
  GActionMap           *actions;      /* the window's */
  EsplashFlashSession  *session;      /* the board the tools work on; nullable */
  EsplashFlasher       *flasher;      /* the connect options on screen; nullable */
  GtkFileChooserNative *chooser;
  GFile                *backup_file;  /* while a whole-flash backup waits for the size */
  GtkWindow            *dialog;       /* erase confirmation or chip details */
};

G_DEFINE_FINAL_TYPE (EsplashWindowTools, esplash_window_tools, G_TYPE_OBJECT)

static const char *tool_actions[] = { "backup", "erase", "chip-info", "reset-board" };

/* A plan on the session's board; %NULL without one. */
static EsplashJobPlan *
tool_plan (EsplashWindowTools *self,
           EsplashJobAction    action)
{
  if (self->session == NULL || esplash_flash_session_is_busy (self->session))
    return NULL;
  if (self->flasher != NULL)
    esplash_flasher_prepare (self->flasher, self->session);
  return esplash_flash_session_new_plan (self->session, action);
}

/* ---- backup ------------------------------------------------------------ */

static void
backup_done (EsplashFlashSession *session,
             EsplashJob          *job,
             gpointer             user_data)
{
  EsplashWindowTools *self = user_data;
  g_autoptr(GBytes) data = esplash_job_dup_read_data (job);
  g_autofree char *size = g_format_size_full (data != NULL ? g_bytes_get_size (data) : 0,
                                              G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *duration = esplash_format_duration (esplash_job_get_elapsed (job));
  g_autofree char *path = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GFile) file = g_steal_pointer (&self->backup_file);

  path = file != NULL ? g_file_get_parse_name (file) : g_strdup ("");
  /* TRANSLATORS: "Saved 4.0 MB to /home/me/flash.bin in 42 seconds." */
  detail = g_strdup_printf (_("Saved %s to %s in %s."), size, path, duration);
  esplash_flash_session_set_result (session, "success", _("Flash backed up"), NULL, detail);
  esplash_flash_session_log (session, ESPLASH_LOG_INFO, detail);
}

static void
start_read (EsplashWindowTools *self,
            guint32             size)
{
  g_autoptr(EsplashJobPlan) plan = tool_plan (self, ESPLASH_JOB_READ);
  g_autofree char *path = g_file_get_parse_name (self->backup_file);
  g_autofree char *size_text = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *message = NULL;

  if (plan == NULL)
    return;
  esplash_job_plan_set_read (plan, 0, size, self->backup_file);
  /* TRANSLATORS: log line, "Backing up 4.0 MiB of flash to /home/me/flash.bin" */
  message = g_strdup_printf (_("Backing up %s of flash to %s"), size_text, path);
  esplash_flash_session_run (self->session, plan, message, NULL, backup_done, NULL, self);
}

static void
backup_described (EsplashFlashSession *session,
                  EsplashJob          *job,
                  gpointer             user_data)
{
  EsplashWindowTools *self = user_data;
  const EsplashChipDescription *chip = esplash_job_get_chip_description (job);

  if (chip == NULL || chip->flash_size == 0)
    {
      g_clear_object (&self->backup_file);
      esplash_flash_session_set_result (session, "error", _("Backing up the flash failed"), NULL,
                                        _("The size of the flash chip could not be detected. "
                                          "Back up a fixed size instead."));
      return;
    }
  start_read (self, chip->flash_size);
}

void
esplash_window_tools_backup (EsplashWindowTools *self,
                             GFile              *file,
                             guint32             size)
{
  const EsplashChipDescription *chip;

  g_return_if_fail (ESPLASH_IS_WINDOW_TOOLS (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->session == NULL)
    return;
  chip = esplash_flash_session_get_chip (self->session);
  g_set_object (&self->backup_file, file);
  if (size == 0 && chip != NULL && chip->flash_size > 0)
    size = chip->flash_size;
  if (size != 0)
    {
      start_read (self, size);
    }
  else
    {
      g_autoptr(EsplashJobPlan) plan = tool_plan (self, ESPLASH_JOB_DESCRIBE);

      if (plan == NULL)
        return;
      /* The backup connects again right after: no need to run the firmware. */
      esplash_job_plan_set_after (plan, ESPLASH_AFTER_NO_RESET);
      esplash_flash_session_run (self->session, plan, _("Detecting the flash size"), NULL,
                                 backup_described, NULL, self);
    }
}

static void
backup_response_cb (EsplashWindowTools   *self,
                    gint                  response,
                    GtkFileChooserNative *chooser)
{
  const char *choice = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (chooser), "size");
  guint index = choice != NULL ? (guint) g_ascii_strtoull (choice, NULL, 10) : 0;
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL)
    esplash_window_tools_backup (self, file,
                                 backup_mib[index < G_N_ELEMENTS (backup_mib) ? index : 0] * MIB);
}

static void
backup_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  EsplashWindowTools *self = ESPLASH_WINDOW_TOOLS (user_data);
  const EsplashChipDescription *chip = self->session != NULL ? esplash_flash_session_get_chip (self->session)
                                                              : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y%m%d");
  g_autofree char *name = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  if (self->chooser != NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (backup_mib); i++)
    {
      g_ptr_array_add (ids, g_strdup_printf ("%u", i));
      if (backup_mib[i] == 0)
        g_ptr_array_add (labels, g_strdup (_("Whole flash")));
      else
        /* TRANSLATORS: how much of the flash to back up, "First 4 MiB" */
        g_ptr_array_add (labels, g_strdup_printf (_("First %u MiB"), backup_mib[i]));
    }
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, NULL);

  /* TRANSLATORS: file name suggested for a flash backup; keep it ASCII */
  name = g_strdup_printf (_("%s-flash-backup-%s.bin"),
                          chip != NULL ? chip->chip->id : "esp", date);
  self->chooser = gtk_file_chooser_native_new (_("Back Up Flash"), GTK_WINDOW (self->window),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Back Up"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  /* TRANSLATORS: label of the size choice in the backup file dialog */
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (self->chooser), "size", _("Read"),
                               (const char **) ids->pdata, (const char **) labels->pdata);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (self->chooser), "size", "0");
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (backup_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- erase ------------------------------------------------------------- */

static void
dialog_destroyed_cb (EsplashWindowTools *self)
{
  self->dialog = NULL;
}

static void
erase_done (EsplashFlashSession *session,
            EsplashJob          *job,
            gpointer             user_data)
{
  g_autofree char *duration = esplash_format_duration (esplash_job_get_elapsed (job));
  g_autofree char *detail = NULL;

  /* TRANSLATORS: "Took 12 seconds. The board has no firmware until you flash some." */
  detail = g_strdup_printf (_("Took %s. The board has no firmware until you flash some."), duration);
  esplash_flash_session_set_result (session, "success", _("Flash erased"), NULL, detail);
  esplash_flash_session_log (session, ESPLASH_LOG_INFO, _("Flash erased"));
}

static void
erase_response_cb (EsplashWindowTools *self,
                   gint                response,
                   GtkDialog          *dialog)
{
  g_autoptr(EsplashJobPlan) plan = NULL;

  g_clear_pointer (&self->dialog, gtk_window_destroy);
  if (response != GTK_RESPONSE_ACCEPT)
    return;
  plan = tool_plan (self, ESPLASH_JOB_ERASE_ALL);
  if (plan != NULL)
    esplash_flash_session_run (self->session, plan, _("Erasing the whole flash"), NULL, erase_done, NULL, self);
}

static void
erase_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  EsplashWindowTools *self = ESPLASH_WINDOW_TOOLS (user_data);
  GtkWidget *erase;

  if (self->dialog != NULL)
    return;
  self->dialog = GTK_WINDOW (gtk_message_dialog_new (GTK_WINDOW (self->window),
                                         GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                         GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
                                         "%s", _("Erase the whole flash?")));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (self->dialog), "%s",
                                            _("The firmware and everything it saved (settings, "
                                              "Wi-Fi credentials, files) are removed for good. "
                                              "Back up the flash first if you may need them."));
  gtk_dialog_add_button (GTK_DIALOG (self->dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  erase = gtk_dialog_add_button (GTK_DIALOG (self->dialog), _("_Erase"), GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (erase, "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (self->dialog), GTK_RESPONSE_CANCEL);
  g_signal_connect_object (self->dialog, "response", G_CALLBACK (erase_response_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dialog, "destroy", G_CALLBACK (dialog_destroyed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (self->dialog);
}

/* ---- chip information -------------------------------------------------- */

static void
chip_info_done (EsplashFlashSession *session,
                EsplashJob          *job,
                gpointer             user_data)
{
  EsplashWindowTools *self = user_data;
  const EsplashChipDescription *chip = esplash_job_get_chip_description (job);

  if (chip == NULL || chip->chip == NULL || self->dialog != NULL)
    return;
  self->dialog = GTK_WINDOW (esplash_chip_dialog_new (self->window, chip));
  g_signal_connect_object (self->dialog, "destroy", G_CALLBACK (dialog_destroyed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (self->dialog);
}

static void
chip_info_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  EsplashWindowTools *self = ESPLASH_WINDOW_TOOLS (user_data);
  g_autoptr(EsplashJobPlan) plan = tool_plan (self, ESPLASH_JOB_DESCRIBE);

  if (plan != NULL)
    esplash_flash_session_run (self->session, plan, _("Reading the chip details"), NULL, chip_info_done, NULL, self);
}

/* ---- reset ------------------------------------------------------------- */

static void
reset_done (EsplashFlashSession *session,
            EsplashJob          *job,
            gpointer             user_data)
{
  esplash_flash_session_set_result (session, "success", _("Board reset"), NULL,
                                    _("The board restarted and runs its firmware."));
}

static void
reset_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  EsplashWindowTools *self = ESPLASH_WINDOW_TOOLS (user_data);
  g_autoptr(EsplashJobPlan) plan = tool_plan (self, ESPLASH_JOB_RESET);

  if (plan == NULL)
    return;
  /* Whatever "after flashing" says: resetting means running the firmware. */
  esplash_job_plan_set_after (plan, ESPLASH_AFTER_HARD_RESET);
  esplash_flash_session_run (self->session, plan, _("Resetting the board"), NULL, reset_done, NULL, self);
}

/* ---- GObject ----------------------------------------------------------- */

void
esplash_window_tools_set_enabled (EsplashWindowTools *self,
                                  gboolean            enabled)
{
  g_return_if_fail (ESPLASH_IS_WINDOW_TOOLS (self));

  for (guint i = 0; i < G_N_ELEMENTS (tool_actions); i++)
    {
      GAction *action = g_action_map_lookup_action (self->actions, tool_actions[i]);

      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
    }
}

void
esplash_window_tools_set_session (EsplashWindowTools  *self,
                                  EsplashFlashSession *session)
{
  g_return_if_fail (ESPLASH_IS_WINDOW_TOOLS (self));

  g_set_object (&self->session, session);
}

void
esplash_window_tools_set_flasher (EsplashWindowTools *self,
                                  EsplashFlasher     *flasher)
{
  g_set_object (&self->flasher, flasher);
}

static void
esplash_window_tools_dispose (GObject *object)
{
  EsplashWindowTools *self = ESPLASH_WINDOW_TOOLS (object);

  g_clear_object (&self->flasher);
  g_clear_object (&self->session);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->dialog, gtk_window_destroy);
  g_clear_object (&self->backup_file);

  G_OBJECT_CLASS (esplash_window_tools_parent_class)->dispose (object);
}

static void
esplash_window_tools_class_init (EsplashWindowToolsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = esplash_window_tools_dispose;
}

static void
esplash_window_tools_init (EsplashWindowTools *self)
{
}

EsplashWindowTools *
esplash_window_tools_new (GtkWindow  *window,
                          GActionMap *actions)
{
  EsplashWindowTools *self = g_object_new (ESPLASH_TYPE_WINDOW_TOOLS, NULL);
  const GActionEntry entries[] = {
    { .name = "backup", .activate = backup_activated },
    { .name = "erase", .activate = erase_activated },
    { .name = "chip-info", .activate = chip_info_activated },
    { .name = "reset-board", .activate = reset_activated },
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (entries) == G_N_ELEMENTS (tool_actions));

  self->window = window;
  self->actions = actions;
  g_action_map_add_action_entries (actions, entries, G_N_ELEMENTS (entries), self);
  return self;
}
