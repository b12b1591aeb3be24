/* esplash-close-guard.c
 *
 * Closing while a board is half-written leaves it unable to boot, and a
 * job cancelled mid-block still needs a moment to release the port:
 * hence the question, and the close that waits for the jobs to end.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-ask.h"
#include "esplash-close-guard.h"

struct _EsplashCloseGuard
{
  GObject    parent_instance;

  GtkWindow *window;
  gboolean   busy;
  gboolean   close_when_done;
  guint      inhibit_cookie;
};

G_DEFINE_FINAL_TYPE (EsplashCloseGuard, esplash_close_guard, G_TYPE_OBJECT)

enum {
  SIGNAL_STOP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
destroy_cb (gpointer user_data)
{
  gtk_window_destroy (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

void
esplash_close_guard_set_busy (EsplashCloseGuard *self,
                              gboolean           busy)
{
  GtkApplication *app = gtk_window_get_application (self->window);

  g_return_if_fail (ESPLASH_IS_CLOSE_GUARD (self));

  self->busy = busy;
  if (!busy && self->close_when_done)
    {
      /* Not from inside the signal that said the last job ended. */
      self->close_when_done = FALSE;
      g_idle_add_full (G_PRIORITY_DEFAULT, destroy_cb, g_object_ref (self->window), g_object_unref);
      return;
    }
  if (app == NULL || busy == (self->inhibit_cookie != 0))
    return;
  if (busy)
    self->inhibit_cookie = gtk_application_inhibit (app, self->window,
                                                    GTK_APPLICATION_INHIBIT_LOGOUT |
                                                    GTK_APPLICATION_INHIBIT_SUSPEND,
                                                    _("A board is being flashed"));
  else
    {
      gtk_application_uninhibit (app, self->inhibit_cookie);
      self->inhibit_cookie = 0;
    }
}

static void
response_cb (EsplashCloseGuard *self,
             gint               response,
             GtkDialog         *dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response != GTK_RESPONSE_ACCEPT || !self->busy)
    return;
  self->close_when_done = TRUE;
  g_signal_emit (self, signals[SIGNAL_STOP], 0);
}

gboolean
esplash_close_guard_hold (EsplashCloseGuard *self)
{
  g_return_val_if_fail (ESPLASH_IS_CLOSE_GUARD (self), FALSE);

  if (!self->busy)
    return FALSE;
  if (!self->close_when_done)
    esplash_ask_destructive (self->window, _("Stop and close?"),
         _("The board is still being worked on; stopping now may leave it unable to start until it is flashed again."),
         _("_Keep Going"), _("_Stop and Close"), G_CALLBACK (response_cb), self);
  return TRUE;
}

static void
esplash_close_guard_class_init (EsplashCloseGuardClass *klass)
{
  signals[SIGNAL_STOP] = g_signal_new ("stop", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
esplash_close_guard_init (EsplashCloseGuard *self)
{
}

EsplashCloseGuard *
esplash_close_guard_new (GtkWindow *window)
{
  EsplashCloseGuard *self = g_object_new (ESPLASH_TYPE_CLOSE_GUARD, NULL);

  self->window = window;
  return self;
}
