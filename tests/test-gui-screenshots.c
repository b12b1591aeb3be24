/* test-gui-screenshots.c: the main window in the states the AppStream
 * screenshots and docs show — files dropped, mid-flash, success, a reflash
 * with nothing to write, a write resumed after a reset, error — on the
 * virtual board. Each state is rendered to an image and checked to be a
 * real, window-sized picture; with ESPLASH_SCREENSHOT_DIR set the images
 * are saved there as PNG (that is how data/screenshots/ is made:
 * `xvfb-run -a -s "-screen 0 1280x800x24" env ESPLASH_SCREENSHOT_DIR=…
 * build/tests/test-gui-screenshots`).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <gtk/gtk.h>

#include "esplash-application.h"
#include "esplash-window-private.h"
#include "test-gui-rig.h"

#define WIDTH 1000
#define HEIGHT 760

typedef struct {
  char          *dir;       /* the firmware files, named as a build names them */
  EsplashWindow *window;
} Fixture;

static void
wait_idle (EsplashWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_TIME_SPAN_SECOND;

  while (esplash_window_is_busy (window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (esplash_window_is_busy (window));
}

static void
capture (EsplashWindow *window,
         const char    *name)
{
  capture_window (GTK_WINDOW (window), name, WIDTH, HEIGHT);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

/* What a drop of the build folder does. */
static void
add_build_folder (Fixture *fixture)
{
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->dir);
  GFile *files[] = { folder };

  esplash_window_add_files (fixture->window, files, 1);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  EsplashSimOptions options;
  g_autoptr(EsplashSim) board = NULL;

  fixture->dir = g_dir_make_tmp ("esplash-shots-XXXXXX", NULL);
  make_build_folder (fixture->dir);

  esplash_sim_options_init (&options, ESPLASH_CHIP_ESP32S3);
  options.console = ESPLASH_CONSOLE_UART;
  options.timing = TRUE;
  board = esplash_sim_new (&options);

  fixture->window = esplash_window_new (NULL, NULL, NULL);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), WIDTH, HEIGHT);
  esplash_selected_board_set_virtual_board (esplash_window_get_selected_board (fixture->window), board);
  esplash_port_chooser_set_preferred_port (esplash_window_get_port_chooser (fixture->window),
                                           ESPLASH_PORT_ITEM_VIRTUAL_ID);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  remove_build_folder (fixture->dir);
  g_free (fixture->dir);
}

static void
stage_cb (EsplashJob *job,
          guint       stage,
          guint       region_index,
          guint       region_count,
          guint      *writing_region)
{
  if (stage == ESPLASH_STAGE_WRITING)
    *writing_region = region_index;
}

static void
test_states (Fixture       *fixture,
             gconstpointer  data)
{
  EsplashWindow *window = fixture->window;
  g_autoptr(EsplashJob) resumed_job = NULL;
  EsplashJob *job;
  gint64 deadline;
  guint region = 0;

  add_build_folder (fixture);
  g_assert_cmpuint (esplash_window_get_n_files (window), ==, 3);
  /* Nothing to warn about in a clean build for the right chip. */
  g_assert_true (g_action_get_enabled (g_action_map_lookup_action (G_ACTION_MAP (window), "flash")));
  {
    static const char *names[] = { "bootloader.bin", "partition-table.bin", "blink.bin" };
    EsplashFirmwareList *list = esplash_window_get_firmware_list (window);

    g_assert_null (esplash_firmware_list_get_confirmation (list));
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        EsplashFirmwareRow *row = esplash_firmware_list_find_row (list, names[i]);
        g_autofree char *findings = NULL;

        g_assert_nonnull (row);
        findings = esplash_firmware_row_dup_findings (row);
        g_assert_cmpstr (findings, ==, "");
      }
  }
  capture (window, "01-files.png");

  /* Mid-flash, with the log open. */
  esplash_log_pane_set_expanded (esplash_window_get_log_pane (window), TRUE);
  g_action_group_activate_action (G_ACTION_GROUP (window), "flash", NULL);
  job = esplash_flash_session_get_job (esplash_window_get_session (window));
  g_assert_nonnull (job);
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  while (esplash_window_is_busy (window) &&
         !(esplash_job_get_stage (job) == ESPLASH_STAGE_WRITING && esplash_job_get_fraction (job) > 0.45) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (esplash_window_is_busy (window));
  wait_frames (60);   /* the rate needs a few samples before it shows */
  capture (window, "02-flashing.png");

  wait_idle (window);
  esplash_log_pane_set_expanded (esplash_window_get_log_pane (window), FALSE);
  g_assert_true (esplash_window_get_result (window, NULL, NULL));
  /* Reset and run: the monitor opened; let the board's start show in it. */
  {
    EsplashMonitorView *view = esplash_window_monitor_get_view (esplash_window_get_monitor (window));

    deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
    while (g_get_monotonic_time () < deadline)
      {
        g_autofree char *text = esplash_monitor_view_dup_text (view);

        if (strstr (text, "esplash-sim-app: running image") != NULL)
          break;
        g_main_context_iteration (NULL, TRUE);
      }
  }
  capture (window, "03-success.png");

  /* The same firmware again: only compared, nothing written. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "flash", NULL);
  wait_idle (window);
  {
    const char *detail = NULL;

    g_assert_true (esplash_window_get_result (window, NULL, &detail));
    g_assert_true (g_str_has_prefix (detail, "The board held this firmware already"));
  }
  capture (window, "07-reflash-unchanged.png");

  /* The chip details dialog and the keyboard shortcuts. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "chip-info", NULL);
  wait_idle (window);
  {
    GtkWindow *dialog = find_toplevel (g_type_from_name ("EsplashChipDialog"));
    g_autoptr(GtkBuilder) builder = NULL;
    GtkWindow *shortcuts;

    g_assert_nonnull (dialog);
    capture_window (dialog, "chip-info.png", 0, 0);
    gtk_window_destroy (dialog);

    builder = gtk_builder_new_from_resource ("/io/github/esplash/Esplash/gtk/help-overlay.ui");
    shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
    g_assert_true (GTK_IS_SHORTCUTS_WINDOW (shortcuts));
    gtk_window_set_transient_for (shortcuts, GTK_WINDOW (window));
    gtk_window_present (shortcuts);
    capture_window (shortcuts, "shortcuts.png", 0, 0);
    gtk_window_destroy (shortcuts);
  }

  /* Somebody taps RESET while the app (the third file) is written — the
   * board held another one — : the write reconnects, resumes where the flash
   * differs, and says so. */
  {
    g_autofree guint8 *other = g_malloc (512 * 1024);
    g_autoptr(GBytes) bytes = NULL;

    for (guint i = 0; i < 512 * 1024; i++)
      other[i] = (guint8) (i * 7 + i / 4096);
    bytes = g_bytes_new_take (g_steal_pointer (&other), 512 * 1024);
    esplash_sim_load_flash (esplash_window_get_virtual_board (window), 0x10000, bytes);
  }
  g_action_group_activate_action (G_ACTION_GROUP (window), "flash", NULL);
  job = esplash_flash_session_get_job (esplash_window_get_session (window));
  resumed_job = g_object_ref (job);
  region = 0;
  g_signal_connect (job, "stage", G_CALLBACK (stage_cb), &region);
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  while (esplash_window_is_busy (window) && (region < 2 || esplash_job_get_fraction (job) < 0.5) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (esplash_window_is_busy (window));
  esplash_sim_press_reset (esplash_window_get_virtual_board (window));
  esplash_log_pane_set_expanded (esplash_window_get_log_pane (window), TRUE);
  wait_idle (window);
  {
    const char *detail = NULL;

    g_assert_true (esplash_window_get_result (window, NULL, &detail));
    g_test_message ("result: %s", detail);
    g_assert_nonnull (strstr (detail, "The connection to the board was lost 1 time"));
    g_assert_cmpuint (esplash_job_get_resume_count (resumed_job), ==, 1);
  }
  capture (window, "08-resumed.png");
  esplash_log_pane_set_expanded (esplash_window_get_log_pane (window), FALSE);

  /* The board vanishes while the app (the third file) is written again. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "flash", NULL);
  job = esplash_flash_session_get_job (esplash_window_get_session (window));
  region = 0;
  g_signal_connect (job, "stage", G_CALLBACK (stage_cb), &region);
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  while (esplash_window_is_busy (window) && region < 2 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  esplash_sim_unplug (esplash_window_get_virtual_board (window));
  wait_idle (window);
  capture (window, "04-error.png");
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
  /* LANGUAGE=de gives German pictures. */
  esplash_application_init_i18n ();
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_setenv ("GTK_A11Y", "none", TRUE);

  if (gtk_init_check ())
    g_test_add ("/esplash/gui/screenshots", Fixture, NULL,
                fixture_set_up, test_states, fixture_tear_down);
  else
    g_test_add_func ("/esplash/gui/screenshots", test_no_display);

  return g_test_run ();
}
