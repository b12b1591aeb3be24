/* esplash-progress-panel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-app-text.h"
#include "esplash-progress-panel.h"

/* The rate shown is smoothed so the time left does not jump around. */
#define RATE_SMOOTHING 0.3
#define RATE_MIN_SPAN_S 0.5

struct _EsplashProgressPanel
{
  GtkWidget       parent_instance;

  GtkWidget      *box;            /* bound so dispose_template unparents it */
  GtkLabel       *stage_label;
  GtkLabel       *rate_label;
  GtkProgressBar *progress_bar;

  EsplashJob     *job;
  GSignalGroup   *job_signals;
  GStrv           region_names;

  /* Rate over the current stage. */
  EsplashStage    stage;
  gint64          sample_time;
  guint64         sample_done;
  gdouble         rate;          /* bytes/s, 0 = not known yet */
};

G_DEFINE_FINAL_TYPE (EsplashProgressPanel, esplash_progress_panel, GTK_TYPE_WIDGET)

static void
fraction_cb (EsplashProgressPanel *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar, esplash_job_get_fraction (self->job));
}

static void
stage_cb (EsplashProgressPanel *self,
          guint                 stage,
          guint                 region_index,
          guint                 region_count)
{
  const char *name = NULL;
  g_autofree char *text = NULL;

  if (self->region_names != NULL && region_index < g_strv_length (self->region_names))
    name = self->region_names[region_index];
  text = esplash_stage_describe (stage, region_index, region_count, name);

  gtk_label_set_text (self->stage_label, text);
  if (stage != self->stage)
    {
      self->stage = stage;
      self->sample_time = 0;
      self->rate = 0;
      gtk_label_set_text (self->rate_label, "");
    }
}

static void
progress_cb (EsplashProgressPanel *self,
             guint64               done,
             guint64               total)
{
  gint64 now = g_get_monotonic_time ();
  gdouble span;
  g_autofree char *speed = NULL;
  g_autofree char *left = NULL;
  g_autofree char *text = NULL;

  if (total == 0)
    return;
  if (self->sample_time == 0 || done < self->sample_done)
    {
      self->sample_time = now;
      self->sample_done = done;
      return;
    }
  span = (now - self->sample_time) / (gdouble) G_USEC_PER_SEC;
  if (span < RATE_MIN_SPAN_S)
    return;

  {
    gdouble rate = (done - self->sample_done) / span;

    self->rate = self->rate == 0 ? rate : self->rate + RATE_SMOOTHING * (rate - self->rate);
  }
  self->sample_time = now;
  self->sample_done = done;
  if (self->rate <= 0)
    return;

  speed = g_format_size ((guint64) self->rate);
  left = esplash_format_duration ((total - MIN (done, total)) / self->rate);
  /* TRANSLATORS: "115.2 kB/s · 12 seconds left" */
  text = g_strdup_printf (_("%s/s · %s left"), speed, left);
  gtk_label_set_text (self->rate_label, text);
}

void
esplash_progress_panel_set_job (EsplashProgressPanel *self,
                                EsplashJob           *job,
                                const char * const   *region_names)
{
  g_return_if_fail (ESPLASH_IS_PROGRESS_PANEL (self));
  g_return_if_fail (job == NULL || ESPLASH_IS_JOB (job));

  g_strfreev (self->region_names);
  self->region_names = g_strdupv ((char **) region_names);
  if (!g_set_object (&self->job, job))
    return;
  g_signal_group_set_target (self->job_signals, job);

  self->stage = ESPLASH_STAGE_IDLE;
  self->sample_time = 0;
  self->rate = 0;
  gtk_label_set_text (self->rate_label, "");
  if (job != NULL)
    {
      g_autofree char *text = esplash_stage_describe (esplash_job_get_stage (job), 0, 0, NULL);

      gtk_label_set_text (self->stage_label, text);
      gtk_progress_bar_set_fraction (self->progress_bar, esplash_job_get_fraction (job));
    }
}

static void
esplash_progress_panel_dispose (GObject *object)
{
  EsplashProgressPanel *self = ESPLASH_PROGRESS_PANEL (object);

  if (self->job_signals != NULL)
    g_signal_group_set_target (self->job_signals, NULL);
  g_clear_object (&self->job_signals);
  g_clear_object (&self->job);
  g_clear_pointer (&self->region_names, g_strfreev);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPLASH_TYPE_PROGRESS_PANEL);

  G_OBJECT_CLASS (esplash_progress_panel_parent_class)->dispose (object);
}

static void
esplash_progress_panel_class_init (EsplashProgressPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esplash_progress_panel_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-progress-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashProgressPanel, box);
  gtk_widget_class_bind_template_child (widget_class, EsplashProgressPanel, stage_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashProgressPanel, rate_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashProgressPanel, progress_bar);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
esplash_progress_panel_init (EsplashProgressPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->job_signals = g_signal_group_new (ESPLASH_TYPE_JOB);
  g_signal_group_connect_swapped (self->job_signals, "notify::fraction",
                                  G_CALLBACK (fraction_cb), self);
  g_signal_group_connect_swapped (self->job_signals, "stage", G_CALLBACK (stage_cb), self);
  g_signal_group_connect_swapped (self->job_signals, "progress", G_CALLBACK (progress_cb), self);
}

gdouble
esplash_progress_panel_get_fraction (EsplashProgressPanel *self)
{
  g_return_val_if_fail (ESPLASH_IS_PROGRESS_PANEL (self), 0.0);

  return gtk_progress_bar_get_fraction (self->progress_bar);
}

EsplashJob *
esplash_progress_panel_get_job (EsplashProgressPanel *self)
{
  g_return_val_if_fail (ESPLASH_IS_PROGRESS_PANEL (self), NULL);

  return self->job;
}
