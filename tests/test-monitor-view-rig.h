/* test-monitor-view-rig.h: what the monitor view's two tests share —
 * finding a child widget, feeding text, waiting, and a main() that runs a
 * table of tests under a display (each skipped without one) with the
 * app's style sheet loaded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <string.h>

#include "esplash-monitor-view.h"

typedef struct {
  const char *path;
  GTestFunc   func;
} MonitorViewTest;

static GtkWidget *
find_child (GtkWidget *widget,
            GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_child (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
append_str (EsplashMonitorView *view,
            const char         *text)
{
  esplash_monitor_view_append (view, (const guint8 *) text, strlen (text));
}

static gboolean
quit_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, quit_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_no_display (void)
{
  g_test_skip ("no display (run under xvfb-run)");
}

static int
run_monitor_view_tests (int                    *argc,
                        char                 ***argv,
                        const MonitorViewTest  *tests,
                        gsize                   n_tests)
{
  gboolean have_display;

  g_test_init (argc, argv, NULL);
  /* Without a session bus the accessibility bridge warns, and warnings are
   * fatal in tests; accessibility is not what this test checks. */
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_setenv ("GTK_A11Y", "none", TRUE);
  have_display = gtk_init_check ();
  if (have_display)
    {
      /* What GtkApplication loads for the app. */
      g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (css, "/io/github/esplash/Esplash/style.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                  GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }

  for (gsize i = 0; i < n_tests; i++)
    g_test_add_func (tests[i].path, have_display ? tests[i].func : test_no_display);

  return g_test_run ();
}
