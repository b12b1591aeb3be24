/* test-gui-screenshots.c: the main window in the four states the AppStream
 * screenshots show — files dropped, mid-flash, success, error — on the
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
#include <locale.h>
#include <string.h>
#include <gtk/gtk.h>

#include "esplash-window-private.h"

#define WIDTH 1000
#define HEIGHT 760

typedef struct {
  char          *dir;       /* the firmware files, named as a build names them */
  EsplashWindow *window;
} Fixture;

static void
copy_image (const char *dir,
            const char *image,
            const char *name)
{
  g_autofree char *from = g_build_filename (g_getenv ("ESPLASH_SHARED_DIR"), "testdata", "images",
                                            image, NULL);
  g_autofree char *to = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (from, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (to, contents, len, NULL));
}

static void
wait_frames (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      gint64 until = g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND;

      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
    }
}

static void
wait_idle (EsplashWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_TIME_SPAN_SECOND;

  while (esplash_window_is_busy (window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (esplash_window_is_busy (window));
}

/* Renders the window as the compositor would show it (header bar
 * included) and checks it is the size asked for and not blank. */
static void
capture_window (GtkWindow  *window,
                const char *name,
                int         expected_width,
                int         expected_height)
{
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  const char *dir = g_getenv ("ESPLASH_SCREENSHOT_DIR");
  int width, height;
  g_autofree guchar *pixels = NULL;
  gsize stride;
  gboolean varied = FALSE;

  wait_frames (10);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  /* The window manager may take a few pixels for borders. */
  if (expected_width > 0)
    {
      g_assert_cmpint (ABS (width - expected_width), <=, 20);
      g_assert_cmpint (ABS (height - expected_height), <=, 20);
    }
  g_assert_cmpint (width, >, 100);
  g_assert_cmpint (height, >, 100);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);

  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);
  for (gsize i = 4; i < stride * height && !varied; i += 4)
    varied = memcmp (pixels + i, pixels, 4) != 0;
  g_assert_true (varied);

  if (dir != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("saved %s (%d×%d)", path, width, height);
    }
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

static void
add_files (Fixture            *fixture,
           const char * const *names)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; names[i] != NULL; i++)
    g_ptr_array_add (files, g_file_new_build_filename (fixture->dir, names[i], NULL));
  esplash_window_add_files (fixture->window, (GFile *const *) files->pdata, files->len);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  EsplashSimOptions options;
  g_autoptr(EsplashSim) board = NULL;

  fixture->dir = g_dir_make_tmp ("esplash-shots-XXXXXX", NULL);
  /* What an ESP-IDF build of "blink" for the ESP32-S3 leaves behind. */
  copy_image (fixture->dir, "bootloader_esp32c3.bin", "bootloader.bin");
  copy_image (fixture->dir, "partitions_singleapp.bin", "partition-table.bin");
  copy_image (fixture->dir, "one_mb.bin", "blink.bin");

  esplash_sim_options_init (&options, ESPLASH_CHIP_ESP32S3);
  options.console = ESPLASH_CONSOLE_UART;
  options.timing = TRUE;
  board = esplash_sim_new (&options);

  fixture->window = esplash_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), WIDTH, HEIGHT);
  esplash_window_set_virtual_board (fixture->window, board);
  esplash_port_chooser_set_preferred_port (esplash_window_get_port_chooser (fixture->window),
                                           ESPLASH_PORT_ITEM_VIRTUAL_ID);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char *names[] = { "bootloader.bin", "partition-table.bin", "blink.bin" };

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
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
  static const char *build[] = { "bootloader.bin", "partition-table.bin", "blink.bin", NULL };
  EsplashWindow *window = fixture->window;
  EsplashJob *job;
  gint64 deadline;
  guint region = 0;

  add_files (fixture, build);
  g_assert_cmpuint (esplash_window_get_n_files (window), ==, 3);
  capture (window, "01-files.png");

  /* Mid-flash, with the log open. */
  esplash_log_pane_set_expanded (esplash_window_get_log_pane (window), TRUE);
  g_action_group_activate_action (G_ACTION_GROUP (window), "flash", NULL);
  job = esplash_window_get_job (window);
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
  capture (window, "03-success.png");

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

  /* The board vanishes while the app (the third file) is written again. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "flash", NULL);
  job = esplash_window_get_job (window);
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
  /* LANGUAGE=de (with LC_ALL=C.UTF-8) gives German pictures. */
  setlocale (LC_ALL, "");
  esplash_application_bind_text_domain ();
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_setenv ("GTK_A11Y", "none", TRUE);

  if (gtk_init_check ())
    g_test_add ("/esplash/gui/screenshots", Fixture, NULL,
                fixture_set_up, test_states, fixture_tear_down);
  else
    g_test_add_func ("/esplash/gui/screenshots", test_no_display);

  return g_test_run ();
}
