/* esplash-board-row.c
 *
 * Progress is read from the job's "progress" signal, which the core
 * already coalesces; the row updates its labels only when their text
 * changes, so a dozen rows cost the main loop next to nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-app-text.h"
#include "esplash-board-row.h"

struct _EsplashBoardRow
{
  GtkListBoxRow        parent_instance;

  EsplashFlashSession *session;
  EsplashJob          *job;          /* followed while it runs */
  GtkCheckButton      *include;
  GtkImage            *icon;
  GtkLabel            *title;
  GtkLabel            *chip;
  GtkLabel            *status;
  GtkProgressBar      *progress;
  GtkWidget           *help;
  gboolean             unplugged;
  gint64               unplugged_since;
};

G_DEFINE_FINAL_TYPE (EsplashBoardRow, esplash_board_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  SIGNAL_TROUBLESHOOT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_label (GtkLabel   *label,
           const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static void
set_kind (EsplashBoardRow *self,
          const char      *kind,
          const char      *icon)
{
  static const char *kinds[] = { "board-running", "board-success", "board-error", "board-info" };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kind, kinds[i]) != 0)
      gtk_widget_remove_css_class (GTK_WIDGET (self), kinds[i]);
  if (kind != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self), kind);
  gtk_image_set_from_icon_name (self->icon, icon);
}

static void
progress_cb (EsplashBoardRow *self,
             guint64          done,
             guint64          total,
             EsplashJob      *job)
{
  g_autofree char *stage = esplash_stage_describe (esplash_job_get_stage (job), 0, 0, NULL);

  gtk_progress_bar_set_fraction (self->progress, esplash_job_get_fraction (job));
  set_label (self->status, stage);
}

static void
follow_job (EsplashBoardRow *self)
{
  EsplashJob *job = esplash_flash_session_get_job (self->session);

  if (job == self->job)
    return;
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_set_object (&self->job, job);
  gtk_progress_bar_set_fraction (self->progress, 0.0);
  if (job != NULL)
    g_signal_connect_object (job, "progress", G_CALLBACK (progress_cb), self, G_CONNECT_SWAPPED);
}

static void
update_chip (EsplashBoardRow *self)
{
  const EsplashChipDescription *chip = esplash_flash_session_get_chip (self->session);
  g_autofree char *mac = NULL;
  g_autofree char *text = NULL;

  if (chip == NULL || chip->chip == NULL)
    {
      set_label (self->chip, _("Chip not known yet"));
      return;
    }
  mac = esplash_chip_description_dup_mac (chip);
  /* TRANSLATORS: a board's line in production mode: "ESP32-S3 · MAC 24:0a:c4:00:00:01" */
  text = g_strdup_printf (_("%s · MAC %s"), chip->chip->name, mac);
  set_label (self->chip, text);
}

static void
update (EsplashBoardRow *self)
{
  EsplashSessionState state = esplash_flash_session_get_state (self->session);
  const char *kind = NULL, *title = NULL, *hint = NULL;
  gboolean have_result = esplash_flash_session_get_result (self->session, &kind, &title, &hint, NULL);
  g_autofree char *text = NULL;

  follow_job (self);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), state == ESPLASH_SESSION_RUNNING);
  gtk_widget_set_visible (self->help, state == ESPLASH_SESSION_FAILED &&
                                      esplash_flash_session_get_diagnosis (self->session) != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->include), state != ESPLASH_SESSION_RUNNING);

  switch (state)
    {
    case ESPLASH_SESSION_RUNNING:
      set_kind (self, "board-running", "emblem-synchronizing-symbolic");
      if (esplash_flash_session_is_cancelling (self->session))
        set_label (self->status, _("Cancelling…"));
      else if (gtk_progress_bar_get_fraction (self->progress) == 0.0)
        set_label (self->status, _("Connecting…"));
      return;
    case ESPLASH_SESSION_SUCCEEDED:
      set_kind (self, "board-success", "emblem-ok-symbolic");
      /* What the operator needs to know: this one is done. */
      text = g_strdup (self->unplugged ? _("Flashed") : _("Flashed — unplug this board"));
      break;
    case ESPLASH_SESSION_FAILED:
      set_kind (self, "board-error", "dialog-error-symbolic");
      /* TRANSLATORS: "Could not connect to the board: No data from the chip" */
      text = hint != NULL ? g_strdup_printf (_("%s: %s"), title, hint) : g_strdup (title);
      break;
    case ESPLASH_SESSION_CANCELLED:
      set_kind (self, "board-info", "dialog-information-symbolic");
      text = g_strdup (have_result ? title : _("Cancelled"));
      break;
    case ESPLASH_SESSION_IDLE:
    default:
      set_kind (self, have_result ? "board-info" : NULL, "media-playback-pause-symbolic");
      /* Why it was not started by itself, when it was not. */
      text = have_result && hint != NULL ? g_strdup_printf (_("%s: %s"), title, hint)
                                         : g_strdup (_("Waiting to be flashed"));
      break;
    }
  if (self->unplugged && state != ESPLASH_SESSION_SUCCEEDED)
    {
      /* TRANSLATORS: a board's status once its port went away: "Flashed (unplugged)" */
      g_autofree char *gone = g_strdup_printf (_("%s (unplugged)"), text);

      set_label (self->status, gone);
    }
  else
    set_label (self->status, text);
}

static void
update_title (EsplashBoardRow *self)
{
  const char *title = esplash_flash_session_get_title (self->session);

  set_label (self->title, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
}

static void
help_clicked_cb (EsplashBoardRow *self)
{
  g_signal_emit (self, signals[SIGNAL_TROUBLESHOOT], 0);
}

EsplashFlashSession *
esplash_board_row_get_session (EsplashBoardRow *self)
{
  return self->session;
}

gboolean
esplash_board_row_get_included (EsplashBoardRow *self)
{
  return gtk_check_button_get_active (self->include);
}

void
esplash_board_row_set_included (EsplashBoardRow *self,
                                gboolean         included)
{
  gtk_check_button_set_active (self->include, included);
}

void
esplash_board_row_set_unplugged (EsplashBoardRow *self,
                                 gboolean         unplugged)
{
  if (self->unplugged == unplugged)
    return;
  self->unplugged = unplugged;
  self->unplugged_since = unplugged ? g_get_monotonic_time () : 0;
  if (unplugged)
    gtk_widget_add_css_class (GTK_WIDGET (self), "board-unplugged");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "board-unplugged");
  update (self);
}

gint64
esplash_board_row_get_unplugged_since (EsplashBoardRow *self)
{
  return self->unplugged_since;
}

gboolean
esplash_board_row_is_unplugged (EsplashBoardRow *self)
{
  return self->unplugged;
}

const char *
esplash_board_row_get_status_text (EsplashBoardRow *self)
{
  return gtk_label_get_text (self->status);
}

static void
esplash_board_row_dispose (GObject *object)
{
  EsplashBoardRow *self = ESPLASH_BOARD_ROW (object);

  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (esplash_board_row_parent_class)->dispose (object);
}

static void
esplash_board_row_class_init (EsplashBoardRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = esplash_board_row_dispose;

  signals[SIGNAL_TROUBLESHOOT] = g_signal_new ("troubleshoot", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 0);
}

static void
esplash_board_row_init (EsplashBoardRow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  gtk_widget_add_css_class (GTK_WIDGET (self), "board-row");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), FALSE);
  gtk_widget_add_css_class (box, "esplash-row");

  self->include = GTK_CHECK_BUTTON (gtk_check_button_new ());
  gtk_check_button_set_active (self->include, TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->include), _("Include this board in Flash All"));
  gtk_widget_set_valign (GTK_WIDGET (self->include), GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->include));

  self->icon = GTK_IMAGE (gtk_image_new ());
  gtk_image_set_pixel_size (self->icon, 24);
  gtk_widget_add_css_class (GTK_WIDGET (self->icon), "board-icon");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->icon));

  self->title = GTK_LABEL (gtk_label_new (NULL));
  self->chip = GTK_LABEL (gtk_label_new (NULL));
  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "heading");
  gtk_widget_add_css_class (GTK_WIDGET (self->chip), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "board-status");
  for (GtkLabel *label = self->title; label != NULL;
       label = label == self->title ? self->chip : label == self->chip ? self->status : NULL)
    {
      gtk_label_set_xalign (label, 0);
      gtk_label_set_wrap (label, TRUE);
      gtk_label_set_selectable (label, label != self->title);
      gtk_box_append (GTK_BOX (text), GTK_WIDGET (label));
    }
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);

  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->progress), 140, -1);
  gtk_widget_set_valign (GTK_WIDGET (self->progress), GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress));

  self->help = gtk_button_new_with_mnemonic (_("_Help Me Fix This"));
  gtk_widget_set_valign (self->help, GTK_ALIGN_CENTER);
  g_signal_connect_object (self->help, "clicked", G_CALLBACK (help_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), self->help);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), box);
}

GtkWidget *
esplash_board_row_new (EsplashFlashSession *session)
{
  EsplashBoardRow *self = g_object_new (ESPLASH_TYPE_BOARD_ROW, NULL);

  self->session = g_object_ref (session);
  update_title (self);
  g_signal_connect_object (session, "notify::port", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::state", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::job", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::result", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::chip", G_CALLBACK (update_chip), self, G_CONNECT_SWAPPED);
  update_chip (self);
  update (self);
  return GTK_WIDGET (self);
}
