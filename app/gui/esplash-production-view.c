/* esplash-production-view.c
 *
 * Each board is its own EsplashFlashSession with its own job on its own
 * worker thread; the view only adds, removes and counts rows. A board
 * that goes away is marked unplugged and its row stays a few seconds, so
 * a board that re-enumerates after its reset (native USB) is recognised
 * and not flashed a second time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-board-record.h"
#include "esplash-production-view.h"
#include "esplash-record-file.h"

/* How long an unplugged board's row stays, and so how long a board that
 * comes back under the same name or USB serial counts as the same one. */
#define UNPLUGGED_KEEP_US (10 * G_USEC_PER_SEC)

struct _EsplashProductionView
{
  GtkWidget              parent_instance;

  GtkListBox            *list;
  GtkSwitch             *auto_switch;
  EsplashRecordFile     *record;
  GtkLabel              *summary;

  EsplashFlasher        *flasher;       /* nullable until set */
  EsplashPortWatch      *watch;         /* the port drop-down's, shared; nullable until set */
  gboolean               active;        /* production mode is on */
  guint                  n_virtual;     /* virtual boards added so far, for their names */
  guint                  n_flashed;
  guint                  n_failed;
  gboolean               busy;
  guint                  sweep_id;
};

G_DEFINE_FINAL_TYPE (EsplashProductionView, esplash_production_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_N_BOARDS,
  N_PROPS
};

enum {
  SIGNAL_TROUBLESHOOT,
  SIGNAL_LOG,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- rows -------------------------------------------------------------- */

/* Only a chip's own USB port comes back by itself (after the reset that
 * ends a flash), under a serial number that is the chip's MAC. A bridge
 * (CP210x, CH34x) stays plugged in across resets, and many share one
 * serial: a bridge that comes back is another board put in its place. */
static gboolean
same_board (EsplashPortItem *known,
            EsplashPortItem *port)
{
  return esplash_port_item_get_kind (port) == ESPLASH_PORT_KIND_ESPRESSIF_USB &&
         esplash_port_item_get_usb_serial (port) != NULL &&
         g_strcmp0 (esplash_port_item_get_adapter_key (known), esplash_port_item_get_adapter_key (port)) == 0;
}

static GPtrArray *
list_rows (EsplashProductionView *self)
{
  GPtrArray *rows = g_ptr_array_new ();

  /* A board's job may end after the view was disposed. */
  if (self->list == NULL)
    return rows;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (ESPLASH_IS_BOARD_ROW (child))
      g_ptr_array_add (rows, child);
  return rows;
}

guint
esplash_production_view_get_n_boards (EsplashProductionView *self)
{
  g_autoptr(GPtrArray) rows = list_rows (self);

  return rows->len;
}

EsplashBoardRow *
esplash_production_view_get_row (EsplashProductionView *self,
                                 guint                  index)
{
  g_autoptr(GPtrArray) rows = list_rows (self);

  return index < rows->len ? g_ptr_array_index (rows, index) : NULL;
}

/* The row of a port by its name, else (@by_serial) the row of the same
 * board on another name: a chip's own USB port (serial = the chip's MAC)
 * that re-enumerated. */
static EsplashBoardRow *
find_row (EsplashProductionView *self,
          EsplashPortItem       *port,
          gboolean               by_serial)
{
  g_autoptr(GPtrArray) rows = list_rows (self);

  for (guint i = 0; i < rows->len; i++)
    {
      EsplashBoardRow *row = g_ptr_array_index (rows, i);
      EsplashPortItem *other = esplash_flash_session_get_port (esplash_board_row_get_session (row));

      if (g_strcmp0 (esplash_port_item_get_id (other), esplash_port_item_get_id (port)) == 0)
        return row;
    }
  for (guint i = 0; by_serial && i < rows->len; i++)
    {
      EsplashBoardRow *row = g_ptr_array_index (rows, i);
      EsplashPortItem *other = esplash_flash_session_get_port (esplash_board_row_get_session (row));

      if (same_board (other, port))
        return row;
    }
  return NULL;
}

static void
update_summary (EsplashProductionView *self)
{
  g_autofree char *text = NULL;

  /* TRANSLATORS: production mode's count since it was turned on: "12 flashed · 1 failed" */
  text = g_strdup_printf (_("%u flashed · %u failed"), self->n_flashed, self->n_failed);
  gtk_label_set_text (self->summary, text);
}

static void
update_busy (EsplashProductionView *self)
{
  g_autoptr(GPtrArray) rows = list_rows (self);
  gboolean busy = FALSE;

  for (guint i = 0; i < rows->len && !busy; i++)
    busy = esplash_flash_session_is_busy (esplash_board_row_get_session (g_ptr_array_index (rows, i)));
  if (busy == self->busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
session_log_cb (EsplashProductionView *self,
                int                    level,
                const char            *message,
                EsplashFlashSession   *session)
{
  /* TRANSLATORS: a board's log line in production mode: "[/dev/ttyUSB0] Connected" */
  g_autofree char *line = g_strdup_printf (_("[%s] %s"), esplash_flash_session_get_title (session), message);

  g_signal_emit (self, signals[SIGNAL_LOG], 0, level, line);
}

static void
record (EsplashProductionView *self,
        EsplashFlashSession   *session,
        EsplashJob            *job)
{
  const char *path = esplash_record_file_get_path (self->record);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (path == NULL || self->flasher == NULL)
    return;
  if (esplash_board_record_append (session, job, esplash_flasher_get_record_images (self->flasher),
                                   path, &error))
    return;
  /* Never lose a board's line silently: the operator must see it. */
  /* TRANSLATORS: "The record of /dev/ttyUSB0 could not be written: <reason>" */
  message = g_strdup_printf (_("The record of %s could not be written: %s"),
                             esplash_flash_session_get_title (session), error->message);
  g_signal_emit (self, signals[SIGNAL_LOG], 0, (int) ESPLASH_LOG_ERROR, message);
  esplash_record_file_show_error (self->record, message);
}

static void
session_finished_cb (EsplashProductionView *self,
                     EsplashJob            *job,
                     gboolean               ok,
                     EsplashFlashSession   *session)
{
  if (esplash_job_plan_get_action (esplash_job_get_plan (job)) == ESPLASH_JOB_WRITE)
    {
      EsplashSessionState state = esplash_flash_session_get_state (session);

      if (state == ESPLASH_SESSION_SUCCEEDED)
        self->n_flashed++;
      else if (state == ESPLASH_SESSION_FAILED)
        self->n_failed++;
      update_summary (self);
      record (self, session, job);
    }
  update_busy (self);
}

static void
row_troubleshoot_cb (EsplashProductionView *self,
                     EsplashBoardRow       *row)
{
  g_signal_emit (self, signals[SIGNAL_TROUBLESHOOT], 0, esplash_board_row_get_session (row));
}

static gboolean
start (EsplashProductionView *self,
       EsplashFlashSession   *session)
{
  return self->flasher != NULL && esplash_flasher_start (self->flasher, session);
}

/* A board plugged in with automatic flashing on: nobody is there to
 * answer "Flash anyway?", so a doubt keeps it waiting, and says why. */
static void
start_unasked (EsplashProductionView *self,
               EsplashFlashSession   *session)
{
  const char *refusal = self->flasher != NULL ? esplash_flasher_get_refusal (self->flasher) : NULL;
  g_autofree char *message = NULL;

  if (refusal == NULL)
    {
      start (self, session);
      return;
    }
  esplash_flash_session_set_result (session, "info", _("Not flashed automatically"), refusal, refusal);
  /* TRANSLATORS: "/dev/ttyUSB0 was not flashed automatically: <reason>" */
  message = g_strdup_printf (_("%s was not flashed automatically: %s"),
                             esplash_flash_session_get_title (session), refusal);
  g_signal_emit (self, signals[SIGNAL_LOG], 0, (int) ESPLASH_LOG_WARNING, message);
}

static EsplashBoardRow *
add_session (EsplashProductionView *self,
             EsplashFlashSession   *session)
{
  GtkWidget *row = esplash_board_row_new (session);

  g_signal_connect_object (session, "log", G_CALLBACK (session_log_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "finished", G_CALLBACK (session_finished_cb), self,
                           G_CONNECT_SWAPPED);
  /* However a job starts: Flash All, a plug, or a resume from its help. */
  g_signal_connect_object (session, "notify::job", G_CALLBACK (update_busy), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "troubleshoot", G_CALLBACK (row_troubleshoot_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_list_box_append (self->list, row);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_BOARDS]);
  return ESPLASH_BOARD_ROW (row);
}

static void
remove_row (EsplashProductionView *self,
            EsplashBoardRow       *row)
{
  EsplashFlashSession *session = esplash_board_row_get_session (row);

  g_signal_handlers_disconnect_by_data (session, self);
  gtk_list_box_remove (self->list, GTK_WIDGET (row));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_BOARDS]);
}

/* Rows of boards gone for a while leave, unless their job still runs (it
 * ends by itself, failing on the missing port). */
static gboolean
sweep_cb (gpointer user_data)
{
  EsplashProductionView *self = user_data;
  g_autoptr(GPtrArray) rows = list_rows (self);
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < rows->len; i++)
    {
      EsplashBoardRow *row = g_ptr_array_index (rows, i);
      gint64 since = esplash_board_row_get_unplugged_since (row);

      if (since != 0 && now - since > UNPLUGGED_KEEP_US &&
          !esplash_flash_session_is_busy (esplash_board_row_get_session (row)))
        remove_row (self, row);
    }
  return G_SOURCE_CONTINUE;
}

static void
unplugged (EsplashProductionView *self,
           EsplashBoardRow       *row)
{
  esplash_board_row_set_unplugged (row, TRUE);
  if (self->sweep_id == 0)
    self->sweep_id = g_timeout_add_seconds (1, sweep_cb, self);
}

/* ---- ports ------------------------------------------------------------- */

static void
port_added_cb (EsplashProductionView *self,
               EsplashPortItem       *port,
               gboolean               initial)
{
  EsplashBoardRow *row;
  g_autoptr(EsplashFlashSession) session = NULL;

  if (!self->active)
    return;
  row = find_row (self, port, TRUE);

  if (row != NULL && esplash_board_row_is_unplugged (row) &&
      !same_board (esplash_flash_session_get_port (esplash_board_row_get_session (row)), port))
    {
      /* Another board where one was: the old row goes. */
      if (!esplash_flash_session_is_busy (esplash_board_row_get_session (row)))
        remove_row (self, row);
      row = NULL;
    }
  if (row != NULL)
    {
      EsplashFlashSession *known = esplash_board_row_get_session (row);
      EsplashSessionState state = esplash_flash_session_get_state (known);
      gboolean was_gone = esplash_board_row_is_unplugged (row);

      /* The same board, maybe under another name: follow it. */
      if (!esplash_flash_session_is_busy (known))
        esplash_flash_session_set_port (known, port);
      esplash_board_row_set_unplugged (row, FALSE);
      /* Back after its reset: flashed already. Back after a failure: again. */
      if (was_gone && !initial && state == ESPLASH_SESSION_FAILED && esplash_production_view_get_auto (self))
        start_unasked (self, known);
      return;
    }
  session = esplash_flash_session_new (port);
  row = add_session (self, session);
  /* Only ports that look like an ESP board are flashed without asking. */
  esplash_board_row_set_included (row, esplash_port_item_looks_like_esp (port));
  if (!initial && esplash_port_item_looks_like_esp (port) && esplash_production_view_get_auto (self))
    start_unasked (self, session);
}

static void
port_removed_cb (EsplashProductionView *self,
                 EsplashPortItem       *port)
{
  EsplashBoardRow *row = self->active ? find_row (self, port, FALSE) : NULL;

  if (row != NULL)
    unplugged (self, row);
}

/* ---- public ------------------------------------------------------------ */

void
esplash_production_view_set_flasher (EsplashProductionView *self,
                                     EsplashFlasher        *flasher)
{
  g_return_if_fail (ESPLASH_IS_PRODUCTION_VIEW (self));

  g_set_object (&self->flasher, flasher);
}

void
esplash_production_view_set_port_watch (EsplashProductionView *self,
                                        EsplashPortWatch      *watch)
{
  g_return_if_fail (ESPLASH_IS_PRODUCTION_VIEW (self));
  g_return_if_fail (self->watch == NULL);

  self->watch = g_object_ref (watch);
  g_signal_connect_object (watch, "added", G_CALLBACK (port_added_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (watch, "removed", G_CALLBACK (port_removed_cb), self, G_CONNECT_SWAPPED);
}

void
esplash_production_view_set_active (EsplashProductionView *self,
                                    gboolean               active)
{
  g_return_if_fail (ESPLASH_IS_PRODUCTION_VIEW (self));

  self->active = active;
  if (active)
    {
      GPtrArray *present = self->watch != NULL ? esplash_port_watch_get_ports (self->watch) : NULL;

      self->n_flashed = self->n_failed = 0;
      update_summary (self);
      /* Ports there already were not plugged in now: listed, not started. */
      for (guint i = 0; present != NULL && i < present->len; i++)
        port_added_cb (self, g_ptr_array_index (present, i), TRUE);
      return;
    }
  /* Not watched any more: the ports' rows would go stale (a running job
   * keeps its row until it ends; virtual boards stay plugged in). */
  {
    g_autoptr(GPtrArray) rows = list_rows (self);

    for (guint i = 0; i < rows->len; i++)
      {
        EsplashBoardRow *row = g_ptr_array_index (rows, i);
        EsplashFlashSession *session = esplash_board_row_get_session (row);

        if (esplash_flash_session_get_sim (session) == NULL && !esplash_flash_session_is_busy (session))
          remove_row (self, row);
      }
  }
}

guint
esplash_production_view_flash_all (EsplashProductionView *self)
{
  g_autoptr(GPtrArray) rows = list_rows (self);
  guint n = 0;

  g_return_val_if_fail (ESPLASH_IS_PRODUCTION_VIEW (self), 0);

  for (guint i = 0; i < rows->len; i++)
    {
      EsplashBoardRow *row = g_ptr_array_index (rows, i);

      if (esplash_board_row_get_included (row) && !esplash_board_row_is_unplugged (row) &&
          start (self, esplash_board_row_get_session (row)))
        n++;
    }
  return n;
}

gboolean
esplash_production_view_is_busy (EsplashProductionView *self)
{
  g_return_val_if_fail (ESPLASH_IS_PRODUCTION_VIEW (self), FALSE);

  return self->busy;
}

void
esplash_production_view_cancel_all (EsplashProductionView *self)
{
  g_autoptr(GPtrArray) rows = list_rows (self);

  for (guint i = 0; i < rows->len; i++)
    esplash_flash_session_cancel (esplash_board_row_get_session (g_ptr_array_index (rows, i)));
}

void
esplash_production_view_set_auto (EsplashProductionView *self,
                                  gboolean               auto_flash)
{
  gtk_switch_set_active (self->auto_switch, auto_flash);
}

gboolean
esplash_production_view_get_auto (EsplashProductionView *self)
{
  return gtk_switch_get_active (self->auto_switch);
}

gboolean
esplash_production_view_set_record_path (EsplashProductionView  *self,
                                         const char             *path,
                                         GError                **error)
{
  g_return_val_if_fail (ESPLASH_IS_PRODUCTION_VIEW (self), FALSE);

  return esplash_record_file_set_path (self->record, path, error);
}

void
esplash_production_view_bind (EsplashProductionView *self,
                              GSettings             *settings)
{
  g_return_if_fail (ESPLASH_IS_PRODUCTION_VIEW (self));

  g_settings_bind (settings, "production-auto", self->auto_switch, "active", G_SETTINGS_BIND_DEFAULT);
  esplash_record_file_bind (self->record, settings);
}

const char *
esplash_production_view_get_record_path (EsplashProductionView *self)
{
  return esplash_record_file_get_path (self->record);
}

void
esplash_production_view_get_counts (EsplashProductionView *self,
                                    guint                 *flashed,
                                    guint                 *failed)
{
  if (flashed != NULL)
    *flashed = self->n_flashed;
  if (failed != NULL)
    *failed = self->n_failed;
}

EsplashFlashSession *
esplash_production_view_add_virtual_board (EsplashProductionView   *self,
                                           const EsplashSimOptions *options)
{
  g_autoptr(EsplashSim) sim = NULL;
  g_autoptr(EsplashPortItem) port = NULL;
  g_autoptr(EsplashFlashSession) session = NULL;
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  EsplashSimOptions defaults;

  g_return_val_if_fail (ESPLASH_IS_PRODUCTION_VIEW (self), NULL);

  self->n_virtual++;
  if (options == NULL)
    {
      esplash_sim_options_init (&defaults, ESPLASH_CHIP_ESP32S3);
      defaults.console = ESPLASH_CONSOLE_UART;
      defaults.boot_mode = ESPLASH_SIM_BOOT_FLASH;
      defaults.timing = TRUE;
      /* Each its own MAC, as on a real line (Espressif's OUI). */
      defaults.mac[0] = 0x24; defaults.mac[1] = 0x0a; defaults.mac[2] = 0xc4;
      defaults.mac[3] = 0xe5; defaults.mac[4] = (self->n_virtual >> 8) & 0xff;
      defaults.mac[5] = self->n_virtual & 0xff;
      options = &defaults;
    }
  sim = esplash_sim_new (options);
  id = g_strdup_printf ("virtual:board-%u", self->n_virtual);
  /* TRANSLATORS: a simulated board in production mode, "Virtual board 3" */
  title = g_strdup_printf (_("Virtual board %u"), self->n_virtual);
  port = esplash_port_item_new_virtual_board (id, title);
  session = esplash_flash_session_new_virtual (port, sim, options->family, options->console, title);
  add_session (self, session);
  /* Plugging it in is what a hotplug would be. */
  if (esplash_production_view_get_auto (self))
    start_unasked (self, session);
  return session;
}

void
esplash_production_view_unplug_virtual (EsplashProductionView *self,
                                        EsplashFlashSession   *session)
{
  EsplashBoardRow *row = find_row (self, esplash_flash_session_get_port (session), FALSE);

  g_return_if_fail (esplash_flash_session_get_sim (session) != NULL);

  esplash_sim_unplug (esplash_flash_session_get_sim (session));
  if (row != NULL)
    unplugged (self, row);
}

void
esplash_production_view_replug_virtual (EsplashProductionView *self,
                                        EsplashFlashSession   *session)
{
  EsplashBoardRow *row = find_row (self, esplash_flash_session_get_port (session), FALSE);

  g_return_if_fail (esplash_flash_session_get_sim (session) != NULL);

  esplash_sim_power_cycle (esplash_flash_session_get_sim (session));
  if (row != NULL)
    esplash_board_row_set_unplugged (row, FALSE);
}

EsplashPortWatch *
esplash_production_view_get_port_watch (EsplashProductionView *self)
{
  return self->watch;
}

static void
add_virtual_cb (EsplashProductionView *self)
{
  esplash_production_view_add_virtual_board (self, NULL);
}

/* ---- GObject ----------------------------------------------------------- */

static void
record_log_cb (EsplashProductionView *self,
               int                    level,
               const char            *message)
{
  g_signal_emit (self, signals[SIGNAL_LOG], 0, level, message);
}

static GtkWidget *
settings_row (GtkWidget  *label,
              GtkWidget  *end)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (box, "esplash-row");
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_valign (end, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), end);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static GtkWidget *
build_settings (EsplashProductionView *self)
{
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *auto_label = gtk_label_new_with_mnemonic (_("Flash new boards _automatically"));
  GtkWidget *record_row = gtk_list_box_row_new ();
  GtkWidget *virtual_label = gtk_label_new (_("No board at hand? Try it with simulated ones."));
  GtkWidget *add_virtual = gtk_button_new_with_mnemonic (_("Add _Virtual Board"));

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "esplash-boxed-list");

  self->auto_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_label_set_mnemonic_widget (GTK_LABEL (auto_label), GTK_WIDGET (self->auto_switch));
  gtk_label_set_xalign (GTK_LABEL (auto_label), 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->auto_switch),
                               _("A board starts as soon as its port appears"));
  gtk_list_box_append (GTK_LIST_BOX (list), settings_row (auto_label, GTK_WIDGET (self->auto_switch)));

  self->record = ESPLASH_RECORD_FILE (esplash_record_file_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->record), "esplash-row");
  g_signal_connect_object (self->record, "log", G_CALLBACK (record_log_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (record_row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (record_row), GTK_WIDGET (self->record));
  gtk_list_box_append (GTK_LIST_BOX (list), record_row);

  gtk_label_set_xalign (GTK_LABEL (virtual_label), 0);
  gtk_label_set_wrap (GTK_LABEL (virtual_label), TRUE);
  gtk_widget_add_css_class (virtual_label, "dim-label");
  g_signal_connect_object (add_virtual, "clicked", G_CALLBACK (add_virtual_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_append (GTK_LIST_BOX (list), settings_row (virtual_label, add_virtual));
  return list;
}

static void
esplash_production_view_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, ESPLASH_PRODUCTION_VIEW (object)->busy);
      break;
    case PROP_N_BOARDS:
      g_value_set_uint (value, esplash_production_view_get_n_boards (ESPLASH_PRODUCTION_VIEW (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_production_view_dispose (GObject *object)
{
  EsplashProductionView *self = ESPLASH_PRODUCTION_VIEW (object);
  GtkWidget *child;

  g_clear_handle_id (&self->sweep_id, g_source_remove);
  if (self->watch != NULL)
    g_signal_handlers_disconnect_by_data (self->watch, self);
  g_clear_object (&self->watch);
  if (self->list != NULL)
    esplash_production_view_cancel_all (self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->list = NULL;
  g_clear_object (&self->flasher);

  G_OBJECT_CLASS (esplash_production_view_parent_class)->dispose (object);
}

static void
esplash_production_view_class_init (EsplashProductionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = esplash_production_view_get_property;
  object_class->dispose = esplash_production_view_dispose;

  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_BOARDS] = g_param_spec_uint ("n-boards", NULL, NULL, 0, G_MAXUINT, 0,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_TROUBLESHOOT] = g_signal_new ("troubleshoot", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 1, ESPLASH_TYPE_FLASH_SESSION);
  signals[SIGNAL_LOG] = g_signal_new ("log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                      NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static void
esplash_production_view_init (EsplashProductionView *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *heading = gtk_label_new (_("Boards"));
  GtkWidget *placeholder = gtk_label_new (_("Plug in boards: each serial port appears here with "
                                            "its own progress. Ports that look like an ESP board "
                                            "are included in Flash All."));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))), 12);

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_hexpand (heading, TRUE);
  self->summary = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->summary), "dim-label");
  gtk_box_append (GTK_BOX (header), heading);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->summary));
  gtk_widget_set_parent (header, GTK_WIDGET (self));

  gtk_widget_set_parent (build_settings (self), GTK_WIDGET (self));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "esplash-boxed-list");
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_add_css_class (placeholder, "esplash-row");
  gtk_list_box_set_placeholder (self->list, placeholder);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  heading, NULL, -1);
  gtk_widget_set_parent (GTK_WIDGET (self->list), GTK_WIDGET (self));

  update_summary (self);
}
