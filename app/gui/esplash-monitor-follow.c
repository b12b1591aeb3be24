/* esplash-monitor-follow.c: following the monitor's output.
 *
 * While following, the view sits at the bottom; scrolling up stops it,
 * coming back to the bottom (or the jump button) starts it again. The
 * hard part is telling the user's moves from the view's own: the view
 * also moves when the text changes (ours, during a render) and when the
 * text view lays lines out — which on a loaded or slow machine comes late
 * and in pieces, and may move the view up. So only a move that follows
 * the user's wheel, keys or scrollbar may stop the following; any other
 * move while following is undone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"
#include "esplash-monitor-follow.h"

/* How close to the bottom (pixels) still counts as following the output. */
#define BOTTOM_SLACK 24.0
/* How long after a wheel or key event a move of the view is the user's
 * (a press on the scrollbar counts until it is let go). */
#define USER_INTENT_US (400 * G_TIME_SPAN_MILLISECOND)
#define SCROLLBAR_INTENT_US (10 * G_TIME_SPAN_SECOND)

struct _EsplashMonitorFollow
{
  GtkScrolledWindow        *scroller;
  GtkAdjustment            *adjustment;
  EsplashMonitorFollowFunc  changed;
  gpointer                  user_data;
  GtkEventController       *controllers[3];   /* wheel, keys, scrollbar press */
  GtkWidget                *owners[3];

  gboolean                  following;
  gboolean                  updating;          /* the caller's own changes move the view too */
  double                    last_value;        /* the adjustment as last seen */
  gint64                    user_until;        /* moves until then are the user's */
};

static void
to_end (EsplashMonitorFollow *self)
{
  gboolean updating = self->updating;

  /* Straight there: gtk_text_view_scroll_mark_onscreen() animates towards
   * where the end was before the new lines' heights were known. */
  self->updating = TRUE;
  gtk_adjustment_set_value (self->adjustment, gtk_adjustment_get_upper (self->adjustment)
                                              - gtk_adjustment_get_page_size (self->adjustment));
  self->updating = updating;
  self->last_value = gtk_adjustment_get_value (self->adjustment);
}

static void
set_following (EsplashMonitorFollow *self,
               gboolean              following)
{
  if (self->following == following)
    return;
  self->following = following;
  self->changed (self->user_data, following);
}

static void
value_changed_cb (GtkAdjustment        *adjustment,
                  EsplashMonitorFollow *self)
{
  double value = gtk_adjustment_get_value (adjustment);
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if (!self->updating)
    {
      if (value >= bottom - BOTTOM_SLACK)
        set_following (self, TRUE);
      else if (value < self->last_value && g_get_monotonic_time () < self->user_until)
        set_following (self, FALSE);
      else if (self->following)
        to_end (self);
    }
  self->last_value = gtk_adjustment_get_value (adjustment);
}

/* The text grew (new lines laid out) or shrank: stay at the bottom. */
static void
adjustment_changed_cb (GtkAdjustment        *adjustment,
                       EsplashMonitorFollow *self)
{
  self->last_value = gtk_adjustment_get_value (adjustment);
  if (self->following)
    to_end (self);
}

static void
user_intent (EsplashMonitorFollow *self,
             gint64                span)
{
  self->user_until = MAX (self->user_until, g_get_monotonic_time () + span);
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           EsplashMonitorFollow     *self)
{
  user_intent (self, USER_INTENT_US);
  return FALSE;   /* the scrolled window still scrolls */
}

static gboolean
key_cb (GtkEventControllerKey *controller,
        guint                  keyval,
        guint                  keycode,
        GdkModifierType        state,
        EsplashMonitorFollow  *self)
{
  user_intent (self, USER_INTENT_US);
  return FALSE;
}

static void
scrollbar_pressed_cb (GtkGestureClick      *click,
                      int                   n_press,
                      double                x,
                      double                y,
                      EsplashMonitorFollow *self)
{
  user_intent (self, SCROLLBAR_INTENT_US);
}

static void
scrollbar_released_cb (EsplashMonitorFollow *self)
{
  self->user_until = g_get_monotonic_time () + USER_INTENT_US;
}

static void
add (EsplashMonitorFollow *self,
     guint                 i,
     GtkWidget            *widget,
     GtkEventController   *controller)
{
  /* capture phase: seen before the scrolled window or scrollbar act on
   * the event, which is never consumed here */
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_widget_add_controller (widget, controller);
  self->controllers[i] = controller;
  self->owners[i] = widget;
}

EsplashMonitorFollow *
esplash_monitor_follow_new (GtkScrolledWindow        *scroller,
                            GtkWidget                *text_view,
                            EsplashMonitorFollowFunc  changed,
                            gpointer                  user_data)
{
  EsplashMonitorFollow *self = g_new0 (EsplashMonitorFollow, 1);
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->scroller = scroller;
  self->adjustment = g_object_ref (gtk_scrolled_window_get_vadjustment (scroller));
  self->changed = changed;
  self->user_data = user_data;
  self->following = TRUE;

  g_signal_connect (self->adjustment, "value-changed", G_CALLBACK (value_changed_cb), self);
  g_signal_connect (self->adjustment, "changed", G_CALLBACK (adjustment_changed_cb), self);
  /* Tests find it by name to act as the user's wheel. */
  gtk_event_controller_set_name (scroll, "esplash-monitor-user-scroll");
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  add (self, 0, GTK_WIDGET (scroller), scroll);
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_cb), self);
  add (self, 1, text_view, key);
  g_signal_connect (click, "pressed", G_CALLBACK (scrollbar_pressed_cb), self);
  g_signal_connect_swapped (click, "released", G_CALLBACK (scrollbar_released_cb), self);
  g_signal_connect_swapped (click, "stopped", G_CALLBACK (scrollbar_released_cb), self);
  add (self, 2, gtk_scrolled_window_get_vscrollbar (scroller), GTK_EVENT_CONTROLLER (click));
  return self;
}

void
esplash_monitor_follow_free (EsplashMonitorFollow *self)
{
  if (self == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->adjustment, self);
  g_object_unref (self->adjustment);
  for (guint i = 0; i < G_N_ELEMENTS (self->controllers); i++)
    {
      g_signal_handlers_disconnect_by_data (self->controllers[i], self);
      gtk_widget_remove_controller (self->owners[i], self->controllers[i]);
    }
  g_free (self);
}

gboolean
esplash_monitor_follow_get (EsplashMonitorFollow *self)
{
  return self->following;
}

void
esplash_monitor_follow_set (EsplashMonitorFollow *self,
                            gboolean              following)
{
  set_following (self, following);
  if (following)
    to_end (self);
}

void
esplash_monitor_follow_begin_update (EsplashMonitorFollow *self)
{
  self->updating = TRUE;
}

void
esplash_monitor_follow_end_update (EsplashMonitorFollow *self)
{
  self->updating = FALSE;
  if (self->following)
    to_end (self);
}
