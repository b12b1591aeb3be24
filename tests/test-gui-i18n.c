/* test-gui-i18n.c: the application started with LANGUAGE=de and
 * LANGUAGE=zh_CN shows its window in that language (the catalogues the
 * build compiled, found without installing), and its keyboard shortcuts
 * are in place. Each language runs in a child process, since gettext
 * reads the environment once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-application.h"
#include "esplash-window-private.h"

typedef struct {
  const char *language;
  /* Texts of the window that must appear, as the translation gives them. */
  const char *device_heading;
  const char *options_heading;
  const char *flash_button;
  const char *virtual_board;
} Expected;

static const Expected expected[] = {
  { "de", "Gerät", "Optionen", "_Flashen", "Virtuelles ESP32-S3 (Demo)" },
  { "zh_CN", "设备", "选项", "烧录(_F)", "虚拟 ESP32-S3（演示）" },
};

static gboolean
has_text (GtkWidget  *widget,
          const char *text)
{
  if ((GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0) ||
      (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), text) == 0))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (has_text (child, text))
        return TRUE;
    }
  return FALSE;
}

static void
activated_cb (GApplication   *app,
              const Expected *want)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  EsplashPortChooser *chooser;
  g_auto(GStrv) accels = NULL;
  gboolean found = FALSE;

  g_assert_true (ESPLASH_IS_WINDOW (window));
  g_assert_true (has_text (GTK_WIDGET (window), want->device_heading));
  g_assert_true (has_text (GTK_WIDGET (window), want->options_heading));
  g_assert_true (has_text (GTK_WIDGET (window), want->flash_button));
  g_assert_false (has_text (GTK_WIDGET (window), "Device"));
  g_assert_cmpstr (_("Flashing cancelled"), !=, "Flashing cancelled");

  /* The port list's entries are translated too. */
  chooser = esplash_window_get_port_chooser (ESPLASH_WINDOW (window));
  esplash_port_chooser_set_preferred_port (chooser, ESPLASH_PORT_ITEM_VIRTUAL_ID);
  g_assert_cmpstr (esplash_port_item_get_title (esplash_port_chooser_get_selected (chooser)), ==,
                   want->virtual_board);

  /* The keyboard flow: Escape cancels, Ctrl+Return flashes, and the
   * shortcuts window comes with the application. */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.cancel");
  for (guint i = 0; accels[i] != NULL; i++)
    found |= g_str_equal (accels[i], "Escape");
  g_assert_true (found);
  g_clear_pointer (&accels, g_strfreev);
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.flash");
  g_assert_cmpstr (accels[0], ==, "<Control>Return");
  g_assert_nonnull (g_action_map_lookup_action (G_ACTION_MAP (window), "show-help-overlay"));

  g_application_quit (app);
}

static void
run_app (const Expected *want)
{
  g_autoptr(EsplashApplication) app = NULL;
  char *argv[] = { (char *) "esplash", NULL };

  /* Without a session bus GTK warns that it cannot inhibit; not what this
   * tests. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  esplash_application_init_i18n ();
  {
    g_autofree char *catalogue = g_build_filename (esplash_application_get_locale_dir (), want->language,
                                                   "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);

    /* Not installed: the build tree's own catalogue. */
    g_assert_true (g_file_test (catalogue, G_FILE_TEST_IS_REGULAR));
  }

  app = esplash_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (activated_cb), (gpointer) want);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
}

static void
test_language (gconstpointer data)
{
  const Expected *want = data;

  if (g_test_subprocess ())
    {
      run_app (want);
      return;
    }
  /* As `LANGUAGE=de esplash` from a bare shell: no other locale variable
   * (the app makes gettext honour LANGUAGE in the C locale). */
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MESSAGES");
  g_unsetenv ("LANG");
  g_setenv ("LANGUAGE", want->language, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("LANGUAGE");
  g_test_trap_assert_passed ();
}

static void
test_no_display (void)
{
  g_test_skip ("no display (run under xvfb-run)");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_setenv ("GTK_A11Y", "none", TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = g_strdup_printf ("/esplash/gui/i18n/%s", expected[i].language);

      if (g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL)
        g_test_add_data_func (path, &expected[i], test_language);
      else
        g_test_add_func (path, test_no_display);
    }

  return g_test_run ();
}
