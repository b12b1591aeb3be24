/* esplash-status-area.c
 *
 * The area hides itself when it has nothing to show, so the settings get
 * the whole window between jobs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-progress-panel.h"
#include "esplash-status-area.h"

struct _EsplashStatusArea
{
  GtkWidget             parent_instance;

  GtkWidget            *box;
  EsplashProgressPanel *progress_panel;
  GtkWidget            *result_box;
  GtkImage             *result_icon;
  GtkLabel             *result_title;
  GtkLabel             *result_hint;
  GtkLabel             *result_detail;
  GtkWidget            *troubleshoot_button;

  EsplashFlashSession  *session;      /* followed; nullable */
};

G_DEFINE_FINAL_TYPE (EsplashStatusArea, esplash_status_area, GTK_TYPE_WIDGET)

static void
update_visible (EsplashStatusArea *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self),
                          gtk_widget_get_visible (GTK_WIDGET (self->progress_panel)) ||
                          gtk_widget_get_visible (self->result_box));
}

void
esplash_status_area_set_job (EsplashStatusArea  *self,
                             EsplashJob         *job,
                             const char * const *region_names)
{
  g_return_if_fail (ESPLASH_IS_STATUS_AREA (self));

  esplash_progress_panel_set_job (self->progress_panel, job, region_names);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_panel), job != NULL);
  if (job != NULL)
    gtk_widget_set_visible (self->result_box, FALSE);
  update_visible (self);
}

void
esplash_status_area_show_result (EsplashStatusArea *self,
                                 const char        *kind,
                                 const char        *title,
                                 const char        *hint,
                                 const char        *detail)
{
  static const char *kinds[] = { "success", "error", "info" };
  static const char *icons[] = { "emblem-ok-symbolic", "dialog-error-symbolic",
                                 "dialog-information-symbolic" };

  g_return_if_fail (ESPLASH_IS_STATUS_AREA (self));

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      gtk_widget_remove_css_class (self->result_box, kinds[i]);
      if (g_str_equal (kind, kinds[i]))
        gtk_image_set_from_icon_name (self->result_icon, icons[i]);
    }
  gtk_widget_add_css_class (self->result_box, kind);
  gtk_label_set_text (self->result_title, title);
  gtk_label_set_text (self->result_hint, hint != NULL ? hint : "");
  gtk_widget_set_visible (GTK_WIDGET (self->result_hint), hint != NULL);
  gtk_label_set_text (self->result_detail, detail);
  /* Under a hint the detail is the technical record: quieter. */
  if (hint != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->result_detail), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->result_detail), "dim-label");
  /* Offered once a diagnosis was made. */
  gtk_widget_set_visible (self->troubleshoot_button,
                          g_str_equal (kind, "error") && self->session != NULL &&
                          esplash_flash_session_get_diagnosis (self->session) != NULL);
  gtk_widget_set_visible (self->result_box, TRUE);
  update_visible (self);
}

gboolean
esplash_status_area_get_result (EsplashStatusArea  *self,
                                const char        **title,
                                const char        **detail)
{
  g_return_val_if_fail (ESPLASH_IS_STATUS_AREA (self), FALSE);

  if (title != NULL)
    *title = gtk_label_get_text (self->result_title);
  if (detail != NULL)
    *detail = gtk_label_get_text (self->result_detail);
  return gtk_widget_get_visible (self->result_box);
}

gdouble
esplash_status_area_get_fraction (EsplashStatusArea *self)
{
  g_return_val_if_fail (ESPLASH_IS_STATUS_AREA (self), 0.0);

  return esplash_progress_panel_get_fraction (self->progress_panel);
}

static void
session_job_cb (EsplashStatusArea *self)
{
  EsplashJob *job = esplash_flash_session_get_job (self->session);

  /* notify::job also says Cancel was pressed: the panel keeps following. */
  if (job != esplash_progress_panel_get_job (self->progress_panel))
    esplash_status_area_set_job (self, job, esplash_flash_session_get_region_names (self->session));
}

static void
session_result_cb (EsplashStatusArea *self)
{
  const char *kind, *title, *hint, *detail;

  if (esplash_flash_session_get_result (self->session, &kind, &title, &hint, &detail))
    esplash_status_area_show_result (self, kind, title, hint, detail);
}

void
esplash_status_area_set_session (EsplashStatusArea   *self,
                                 EsplashFlashSession *session)
{
  g_return_if_fail (ESPLASH_IS_STATUS_AREA (self));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  gtk_widget_set_visible (self->result_box, FALSE);
  esplash_status_area_set_job (self, NULL, NULL);
  if (session == NULL)
    return;
  g_signal_connect_object (session, "notify::job", G_CALLBACK (session_job_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::result", G_CALLBACK (session_result_cb), self,
                           G_CONNECT_SWAPPED);
  session_job_cb (self);
}

static void
dismiss_cb (EsplashStatusArea *self)
{
  gtk_widget_set_visible (self->result_box, FALSE);
  update_visible (self);
}

static void
esplash_status_area_dispose (GObject *object)
{
  esplash_status_area_set_session (ESPLASH_STATUS_AREA (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), ESPLASH_TYPE_STATUS_AREA);

  G_OBJECT_CLASS (esplash_status_area_parent_class)->dispose (object);
}

static void
esplash_status_area_class_init (EsplashStatusAreaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esplash_status_area_dispose;

  g_type_ensure (ESPLASH_TYPE_PROGRESS_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-status-area.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashStatusArea, box);
  gtk_widget_class_bind_template_child (widget_class, EsplashStatusArea, progress_panel);
  gtk_widget_class_bind_template_child (widget_class, EsplashStatusArea, result_box);
  gtk_widget_class_bind_template_child (widget_class, EsplashStatusArea, result_icon);
  gtk_widget_class_bind_template_child (widget_class, EsplashStatusArea, result_title);
  gtk_widget_class_bind_template_child (widget_class, EsplashStatusArea, result_hint);
  gtk_widget_class_bind_template_child (widget_class, EsplashStatusArea, result_detail);
  gtk_widget_class_bind_template_child (widget_class, EsplashStatusArea, troubleshoot_button);
  gtk_widget_class_bind_template_callback (widget_class, dismiss_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
esplash_status_area_init (EsplashStatusArea *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
