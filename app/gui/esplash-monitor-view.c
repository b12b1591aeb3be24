/* esplash-monitor-view.c
 *
 * append() only parses into the ring (esplash-monitor-ring.c) and schedules
 * one render RENDER_INTERVAL_MS later; the render brings the text buffer
 * (esplash-monitor-buffer.c) up to date with at most RENDER_BUDGET new
 * lines, so a 2 Mbaud flood costs the main loop a few milliseconds per
 * render. This file: the render schedule, pause, the tool row, the entry.
 * Following the output is esplash-monitor-follow.c, saving
 * esplash-monitor-save.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-monitor-buffer.h"
#include "esplash-monitor-follow.h"
#include "esplash-monitor-ring.h"
#include "esplash-monitor-save.h"
#include "esplash-monitor-view.h"

#define RENDER_INTERVAL_MS 33
#define RENDER_BUDGET 1000

static const guint bauds[] = {
  9600, 19200, 38400, 57600, 74880, 115200, 230400, 460800, 921600, 1500000, 2000000,
};

struct _EsplashMonitorView
{
  GtkWidget             parent_instance;

  GtkDropDown          *baud_dropdown;
  GtkStringList        *baud_model;
  GtkWidget            *error_box;
  GtkLabel             *error_label;
  GtkScrolledWindow    *scroller;
  GtkTextView          *view;
  GtkWidget            *jump_button;
  GtkEntry             *entry;
  GtkLabel             *status_label;
  GtkLabel             *elf_label;

  EsplashMonitorRing   *ring;
  EsplashMonitorBuffer *buffer;
  guint                 render_source;
  EsplashMonitorFollow *follow;           /* at the bottom as lines come, or not */

  guint                 baud;
  gboolean              paused;
  gboolean              timestamps;

  EsplashMonitorSave   *save;
};

G_DEFINE_FINAL_TYPE (EsplashMonitorView, esplash_monitor_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BAUD,
  PROP_PAUSED,
  PROP_TIMESTAMPS,
  PROP_AUTOSCROLL,
  PROP_MAX_LINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_SEND_LINE,
  SIGNAL_RESET_REQUESTED,
  SIGNAL_CHOOSE_ELF,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean render_cb (gpointer user_data);

static void
schedule_render (EsplashMonitorView *self)
{
  if (self->render_source == 0 && !self->paused)
    {
      self->render_source = g_timeout_add (RENDER_INTERVAL_MS, render_cb, self);
      g_source_set_name_by_id (self->render_source, "[esplash] monitor render");
    }
}

/* Rendering */

static void
render (EsplashMonitorView *self)
{
  if (self->paused)
    return;
  esplash_monitor_follow_begin_update (self->follow);
  if (esplash_monitor_buffer_sync (self->buffer, self->ring, RENDER_BUDGET))
    schedule_render (self);
  esplash_monitor_follow_end_update (self->follow);
}

static gboolean
render_cb (gpointer user_data)
{
  EsplashMonitorView *self = ESPLASH_MONITOR_VIEW (user_data);

  self->render_source = 0;
  render (self);
  return G_SOURCE_REMOVE;
}

/* Empties the view; the next renders show the ring again from its end. */
static void
reset_view (EsplashMonitorView *self)
{
  esplash_monitor_follow_begin_update (self->follow);
  esplash_monitor_buffer_set_stamps (self->buffer, self->timestamps);
  esplash_monitor_buffer_reset (self->buffer);
  esplash_monitor_follow_end_update (self->follow);
  schedule_render (self);
}

static void
following_changed (gpointer user_data,
                   gboolean following)
{
  EsplashMonitorView *self = user_data;

  gtk_widget_set_visible (self->jump_button, !following);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTOSCROLL]);
}

/* Public API */

GtkWidget *
esplash_monitor_view_new (void)
{
  return g_object_new (ESPLASH_TYPE_MONITOR_VIEW, NULL);
}

/**
 * esplash_monitor_view_append:
 * @self: the view
 * @data: (array length=len): bytes from the board
 * @len: their length
 *
 * Adds the board's output: UTF-8 text with `\r\n` or `\n` line ends (a
 * line may be split across calls), ANSI SGR colours. Cheap: the view
 * catches up at its next render.
 */
void
esplash_monitor_view_append (EsplashMonitorView *self,
                             const guint8       *data,
                             gsize               len)
{
  g_return_if_fail (ESPLASH_IS_MONITOR_VIEW (self));
  g_return_if_fail (data != NULL || len == 0);

  if (len == 0)
    return;
  esplash_monitor_ring_feed (self->ring, data, len, g_get_real_time ());
  schedule_render (self);
}

/**
 * esplash_monitor_view_append_note:
 * @self: the view
 * @kind: how to show it
 * @text: the note, one line (or several, split at `\n`)
 *
 * Adds a line of Esplash's own after the output so far; a line the board
 * has not ended yet is ended first.
 */
void
esplash_monitor_view_append_note (EsplashMonitorView *self,
                                  EsplashMonitorNote  kind,
                                  const char         *text)
{
  g_return_if_fail (ESPLASH_IS_MONITOR_VIEW (self));
  g_return_if_fail (kind <= ESPLASH_MONITOR_NOTE_WARNING);
  g_return_if_fail (text != NULL);

  esplash_monitor_ring_add_note (self->ring, 1 + kind, text, g_get_real_time ());
  schedule_render (self);
}

void
esplash_monitor_view_clear (EsplashMonitorView *self)
{
  g_return_if_fail (ESPLASH_IS_MONITOR_VIEW (self));

  esplash_monitor_ring_clear (self->ring);
  reset_view (self);
  gtk_widget_set_visible (self->error_box, FALSE);
  esplash_monitor_follow_set (self->follow, TRUE);
}

void
esplash_monitor_view_set_status (EsplashMonitorView *self,
                                 const char         *status)
{
  g_return_if_fail (ESPLASH_IS_MONITOR_VIEW (self));

  gtk_label_set_text (self->status_label, status != NULL ? status : "");
}

void
esplash_monitor_view_set_elf_name (EsplashMonitorView *self,
                                   const char         *name)
{
  g_autofree char *text = NULL;

  g_return_if_fail (ESPLASH_IS_MONITOR_VIEW (self));

  if (name != NULL && *name != '\0')
    /* TRANSLATORS: "Crashes decoded with blink.elf" */
    text = g_strdup_printf (_("Crashes decoded with %s"), name);
  else
    text = g_strdup (_("No ELF: crashes are not decoded"));
  gtk_label_set_text (self->elf_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->elf_label), text);
}

guint
esplash_monitor_view_get_baud (EsplashMonitorView *self)
{
  g_return_val_if_fail (ESPLASH_IS_MONITOR_VIEW (self), 0);

  return self->baud;
}

/* Any rate can be set; one the list lacks is added in its place. */
void
esplash_monitor_view_set_baud (EsplashMonitorView *self,
                               guint               baud)
{
  g_autofree char *text = NULL;
  guint n, i;

  g_return_if_fail (ESPLASH_IS_MONITOR_VIEW (self));
  g_return_if_fail (baud > 0);

  text = g_strdup_printf ("%u", baud);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->baud_model));

  for (i = 0; i < n; i++)
    {
      guint listed = (guint) g_ascii_strtoull (gtk_string_list_get_string (self->baud_model, i),
                                               NULL, 10);

      if (listed >= baud)
        {
          if (listed > baud)
            gtk_string_list_splice (self->baud_model, i, 0, (const char *const[]) { text, NULL });
          break;
        }
    }
  if (i == n)
    gtk_string_list_append (self->baud_model, text);
  gtk_drop_down_set_selected (self->baud_dropdown, i);   /* baud_selected_cb notifies */
}

gboolean
esplash_monitor_view_get_paused (EsplashMonitorView *self)
{
  g_return_val_if_fail (ESPLASH_IS_MONITOR_VIEW (self), FALSE);

  return self->paused;
}

void
esplash_monitor_view_set_paused (EsplashMonitorView *self,
                                 gboolean            paused)
{
  g_return_if_fail (ESPLASH_IS_MONITOR_VIEW (self));

  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;
  if (paused)
    g_clear_handle_id (&self->render_source, g_source_remove);
  else if (esplash_monitor_buffer_get_stamps (self->buffer) != self->timestamps)
    reset_view (self);
  else
    schedule_render (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

gboolean
esplash_monitor_view_get_timestamps (EsplashMonitorView *self)
{
  g_return_val_if_fail (ESPLASH_IS_MONITOR_VIEW (self), FALSE);

  return self->timestamps;
}

void
esplash_monitor_view_set_timestamps (EsplashMonitorView *self,
                                     gboolean            timestamps)
{
  g_return_if_fail (ESPLASH_IS_MONITOR_VIEW (self));

  timestamps = !!timestamps;
  if (self->timestamps == timestamps)
    return;
  self->timestamps = timestamps;
  /* Every line again; while paused the view stays as it is until resumed. */
  if (!self->paused)
    reset_view (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMESTAMPS]);
}

gboolean
esplash_monitor_view_get_autoscroll (EsplashMonitorView *self)
{
  g_return_val_if_fail (ESPLASH_IS_MONITOR_VIEW (self), FALSE);

  return esplash_monitor_follow_get (self->follow);
}

guint
esplash_monitor_view_get_max_lines (EsplashMonitorView *self)
{
  g_return_val_if_fail (ESPLASH_IS_MONITOR_VIEW (self), 0);

  return esplash_monitor_ring_get_max_lines (self->ring);
}

void
esplash_monitor_view_set_max_lines (EsplashMonitorView *self,
                                    guint               max_lines)
{
  g_return_if_fail (ESPLASH_IS_MONITOR_VIEW (self));
  g_return_if_fail (max_lines > 0);

  if (esplash_monitor_ring_get_max_lines (self->ring) == max_lines)
    return;
  esplash_monitor_ring_set_max_lines (self->ring, max_lines);
  schedule_render (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_LINES]);
}

/* Finished lines in the ring (notes included), not the one in progress. */
guint
esplash_monitor_view_get_n_lines (EsplashMonitorView *self)
{
  g_return_val_if_fail (ESPLASH_IS_MONITOR_VIEW (self), 0);

  return esplash_monitor_ring_get_n_lines (self->ring);
}

/**
 * esplash_monitor_view_dup_text:
 * @self: the view
 *
 * The text the view shows, without colours. Output waiting for the next
 * render is put in first, unless paused.
 *
 * Returns: (transfer full): the text
 */
char *
esplash_monitor_view_dup_text (EsplashMonitorView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (ESPLASH_IS_MONITOR_VIEW (self), NULL);

  while (self->render_source != 0 && !self->paused)
    {
      g_clear_handle_id (&self->render_source, g_source_remove);
      render (self);
    }
  buffer = gtk_text_view_get_buffer (self->view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/**
 * esplash_monitor_view_save_to_file:
 * @self: the view
 * @file: where to write
 * @error: a #GError
 *
 * Writes every line the ring holds, as the view shows it (time stamps
 * when on), without colours. Blocks: the Save button writes asynchronously.
 *
 * Returns: %TRUE when written
 */
gboolean
esplash_monitor_view_save_to_file (EsplashMonitorView *self,
                                   GFile              *file,
                                   GError            **error)
{
  g_return_val_if_fail (ESPLASH_IS_MONITOR_VIEW (self), FALSE);

  return esplash_monitor_save_write (self->ring, self->timestamps, file, error);
}

/* Actions and callbacks */

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  esplash_monitor_save_ask (ESPLASH_MONITOR_VIEW (widget)->save);
}

static void
clear_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  esplash_monitor_view_clear (ESPLASH_MONITOR_VIEW (widget));
}

static void
send_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EsplashMonitorView *self = ESPLASH_MONITOR_VIEW (widget);
  g_autofree char *line = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry)));

  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  g_signal_emit (self, signals[SIGNAL_SEND_LINE], 0, line);
}

static void
reset_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_RESET_REQUESTED], 0);
}

static void
choose_elf_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_CHOOSE_ELF], 0);
}

static void
jump_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EsplashMonitorView *self = ESPLASH_MONITOR_VIEW (widget);

  esplash_monitor_follow_set (self->follow, TRUE);
}

static void
dismiss_error_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  gtk_widget_set_visible (ESPLASH_MONITOR_VIEW (widget)->error_box, FALSE);
}

static void
baud_selected_cb (EsplashMonitorView *self)
{
  guint i = gtk_drop_down_get_selected (self->baud_dropdown);
  guint baud;

  if (i == GTK_INVALID_LIST_POSITION)
    return;
  baud = (guint) g_ascii_strtoull (gtk_string_list_get_string (self->baud_model, i), NULL, 10);
  if (baud == self->baud)
    return;
  self->baud = baud;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BAUD]);
}

static void
entry_activate_cb (EsplashMonitorView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "monitor.send", NULL);
}

/* GObject */

static void
esplash_monitor_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  EsplashMonitorView *self = ESPLASH_MONITOR_VIEW (object);

  switch (prop_id)
    {
    case PROP_BAUD:
      g_value_set_uint (value, self->baud);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;
    case PROP_TIMESTAMPS:
      g_value_set_boolean (value, self->timestamps);
      break;
    case PROP_AUTOSCROLL:
      g_value_set_boolean (value, esplash_monitor_follow_get (self->follow));
      break;
    case PROP_MAX_LINES:
      g_value_set_uint (value, esplash_monitor_ring_get_max_lines (self->ring));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_monitor_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  EsplashMonitorView *self = ESPLASH_MONITOR_VIEW (object);

  switch (prop_id)
    {
    case PROP_BAUD:
      esplash_monitor_view_set_baud (self, g_value_get_uint (value));
      break;
    case PROP_PAUSED:
      esplash_monitor_view_set_paused (self, g_value_get_boolean (value));
      break;
    case PROP_TIMESTAMPS:
      esplash_monitor_view_set_timestamps (self, g_value_get_boolean (value));
      break;
    case PROP_MAX_LINES:
      esplash_monitor_view_set_max_lines (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_monitor_view_dispose (GObject *object)
{
  EsplashMonitorView *self = ESPLASH_MONITOR_VIEW (object);
  GtkWidget *child;

  g_clear_handle_id (&self->render_source, g_source_remove);
  if (self->save != NULL)
    esplash_monitor_save_close (self->save);
  g_clear_object (&self->save);
  g_clear_pointer (&self->follow, esplash_monitor_follow_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPLASH_TYPE_MONITOR_VIEW);
  /* The template's outer box is not bound, so not unparented above. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (esplash_monitor_view_parent_class)->dispose (object);
}

static void
esplash_monitor_view_finalize (GObject *object)
{
  EsplashMonitorView *self = ESPLASH_MONITOR_VIEW (object);

  g_clear_object (&self->buffer);
  g_clear_pointer (&self->ring, esplash_monitor_ring_free);
  g_clear_object (&self->baud_model);

  G_OBJECT_CLASS (esplash_monitor_view_parent_class)->finalize (object);
}

static void
esplash_monitor_view_class_init (EsplashMonitorViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = esplash_monitor_view_get_property;
  object_class->set_property = esplash_monitor_view_set_property;
  object_class->dispose = esplash_monitor_view_dispose;
  object_class->finalize = esplash_monitor_view_finalize;

  properties[PROP_BAUD] =
    g_param_spec_uint ("baud", NULL, NULL, 1, G_MAXUINT, 115200,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMESTAMPS] =
    g_param_spec_boolean ("timestamps", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTOSCROLL] =
    g_param_spec_boolean ("autoscroll", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_LINES] =
    g_param_spec_uint ("max-lines", NULL, NULL, 1, G_MAXUINT,
                       ESPLASH_MONITOR_VIEW_DEFAULT_MAX_LINES,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EsplashMonitorView::send-line:
   * @line: what the user typed, without a line end (the caller adds its own)
   */
  signals[SIGNAL_SEND_LINE] =
    g_signal_new ("send-line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_RESET_REQUESTED] =
    g_signal_new ("reset-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CHOOSE_ELF] =
    g_signal_new ("choose-elf", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-monitor-view.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashMonitorView, baud_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EsplashMonitorView, error_box);
  gtk_widget_class_bind_template_child (widget_class, EsplashMonitorView, error_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashMonitorView, scroller);
  gtk_widget_class_bind_template_child (widget_class, EsplashMonitorView, view);
  gtk_widget_class_bind_template_child (widget_class, EsplashMonitorView, jump_button);
  gtk_widget_class_bind_template_child (widget_class, EsplashMonitorView, entry);
  gtk_widget_class_bind_template_child (widget_class, EsplashMonitorView, status_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashMonitorView, elf_label);

  gtk_widget_class_install_property_action (widget_class, "monitor.paused", "paused");
  gtk_widget_class_install_property_action (widget_class, "monitor.timestamps", "timestamps");
  gtk_widget_class_install_action (widget_class, "monitor.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "monitor.clear", NULL, clear_activated);
  gtk_widget_class_install_action (widget_class, "monitor.send", NULL, send_activated);
  gtk_widget_class_install_action (widget_class, "monitor.reset", NULL, reset_activated);
  gtk_widget_class_install_action (widget_class, "monitor.choose-elf", NULL, choose_elf_activated);
  gtk_widget_class_install_action (widget_class, "monitor.jump-to-end", NULL, jump_activated);
  gtk_widget_class_install_action (widget_class, "monitor.dismiss-error", NULL,
                                   dismiss_error_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "esplash-monitor-view");
}

static void
esplash_monitor_view_init (EsplashMonitorView *self)
{
  char text[16];

  self->ring = esplash_monitor_ring_new (ESPLASH_MONITOR_VIEW_DEFAULT_MAX_LINES);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->save = esplash_monitor_save_new (self, self->ring, self->error_box, self->error_label);

  self->baud_model = gtk_string_list_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bauds); i++)
    {
      g_snprintf (text, sizeof text, "%u", bauds[i]);
      gtk_string_list_append (self->baud_model, text);
    }
  gtk_drop_down_set_model (self->baud_dropdown, G_LIST_MODEL (self->baud_model));
  g_signal_connect_object (self->baud_dropdown, "notify::selected",
                           G_CALLBACK (baud_selected_cb), self, G_CONNECT_SWAPPED);
  esplash_monitor_view_set_baud (self, 115200);

  self->buffer = esplash_monitor_buffer_new ();
  gtk_text_view_set_buffer (self->view, GTK_TEXT_BUFFER (self->buffer));

  self->follow = esplash_monitor_follow_new (self->scroller, GTK_WIDGET (self->view),
                                             following_changed, self);
  g_signal_connect_object (self->entry, "activate", G_CALLBACK (entry_activate_cb),
                           self, G_CONNECT_SWAPPED);
  esplash_monitor_view_set_elf_name (self, NULL);
}
