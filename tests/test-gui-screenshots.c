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

#include "esplash-window-private.h"

#define WIDTH 1000
#define HEIGHT 760

typedef struct {
  char          *dir;       /* the firmware files, named as a build names them */
  EsplashWindow *window;
} Fixture;

/* The files of an ESP-IDF build of "blink" for the ESP32-S3, relative to
 * the build folder, and flasher_args.json naming them (protocol.md §9.1). */
static const char *build_files[] = {
  "bootloader/bootloader.bin", "partition_table/partition-table.bin", "blink.bin",
  "flasher_args.json",
};
static const char *build_dirs[] = { "bootloader", "partition_table" };

static const char flasher_args[] =
  "{ \"write_flash_args\": [\"--flash_mode\", \"dio\", \"--flash_size\", \"4MB\", \"--flash_freq\", \"80m\"],\n"
  "  \"flash_files\": { \"0x0\": \"bootloader/bootloader.bin\",\n"
  "                   \"0x8000\": \"partition_table/partition-table.bin\",\n"
  "                   \"0x10000\": \"blink.bin\" },\n"
  "  \"extra_esptool_args\": { \"chip\": \"esp32s3\" } }\n";

static void
put_u32 (GByteArray *image,
         guint32     value)
{
  guint8 bytes[4] = { value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >> 24 };

  g_byte_array_append (image, bytes, 4);
}

/* An ESP32-S3 image (protocol.md §8.1): header, extended header, segments
 * of @sizes bytes at @addresses (the first starting with @prefix), the
 * checksum and the SHA-256. The filler is pseudo-random (fixed seed) so it
 * compresses like code, not like a pattern. */
static GBytes *
build_image (const guint32 *addresses,
             const guint32 *sizes,
             guint          n_segments,
             const guint8  *prefix,
             gsize          prefix_len)
{
  static const guint8 extended[16] = { 0xee, 0, 0, 0, 9, 0, 0, 0, 0, 99, 0, 0, 0, 0, 0, 1 };
  GByteArray *image = g_byte_array_new ();
  guint8 checksum = 0xef;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 header[4] = { 0xe9, n_segments, 2 /* dio */, 0x2f /* 4 MB, 80 MHz */ };
  guint32 state = 0x2545f491;

  g_byte_array_append (image, header, 4);
  put_u32 (image, addresses[n_segments - 1]);   /* entry: the code segment */
  g_byte_array_append (image, extended, sizeof extended);
  for (guint s = 0; s < n_segments; s++)
    {
      put_u32 (image, addresses[s]);
      put_u32 (image, sizes[s]);
      for (guint32 i = 0; i < sizes[s]; i++)
        {
          guint8 byte;

          state ^= state << 13;   /* xorshift32 */
          state ^= state >> 17;
          state ^= state << 5;
          byte = s == 0 && i < prefix_len ? prefix[i] : (guint8) state;

          checksum ^= byte;
          g_byte_array_append (image, &byte, 1);
        }
    }
  while (image->len % 16 != 15)
    g_byte_array_append (image, (const guint8 *) "", 1);
  g_byte_array_append (image, &checksum, 1);
  g_checksum_update (sha, image->data, image->len);
  g_checksum_get_digest (sha, digest, &digest_len);
  g_byte_array_append (image, digest, sizeof digest);
  return g_byte_array_free_to_bytes (image);
}

static void
write_build_file (const char *dir,
                  const char *name,
                  GBytes     *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (contents, NULL),
                                      g_bytes_get_size (contents), NULL));
}

static void
make_build_folder (const char *dir)
{
  /* The bootloader: DRAM and IRAM segments only. */
  static const guint32 boot_addr[] = { 0x3fce3980, 0x403c9700 };
  static const guint32 boot_size[] = { 0x1000, 0x3400 };
  /* The app: DROM with its description first, IRAM, then IROM. */
  static const guint32 app_addr[] = { 0x3c020020, 0x40374000, 0x42000020 };
  static const guint32 app_size[] = { 0x8000, 0x4000, 0x70000 };
  guint8 desc[256] = { 0x32, 0x54, 0xcd, 0xab };   /* esp_app_desc_t magic */
  g_autofree char *table_src = g_build_filename (g_getenv ("ESPLASH_SHARED_DIR"), "testdata",
                                                 "images", "partitions_singleapp.bin", NULL);
  g_autoptr(GBytes) table = NULL;
  g_autoptr(GBytes) boot = NULL;
  g_autoptr(GBytes) app = NULL;
  g_autoptr(GBytes) args = g_bytes_new_static (flasher_args, sizeof flasher_args - 1);
  char *contents;
  gsize len;

  memcpy (desc + 16, "1.0.0", 5);
  memcpy (desc + 48, "blink", 5);
  memcpy (desc + 80, "10:30:00", 8);
  memcpy (desc + 96, "Nov 24 2026", 11);
  memcpy (desc + 112, "v5.3.1", 6);
  boot = build_image (boot_addr, boot_size, G_N_ELEMENTS (boot_addr), NULL, 0);
  app = build_image (app_addr, app_size, G_N_ELEMENTS (app_addr), desc, sizeof desc);
  g_assert_true (g_file_get_contents (table_src, &contents, &len, NULL));
  table = g_bytes_new_take (contents, len);

  write_build_file (dir, build_files[0], boot);
  write_build_file (dir, build_files[1], table);
  write_build_file (dir, build_files[2], app);
  write_build_file (dir, build_files[3], args);
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
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  for (guint i = 0; i < G_N_ELEMENTS (build_files); i++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, build_files[i], NULL);

      g_unlink (path);
    }
  for (guint i = 0; i < G_N_ELEMENTS (build_dirs); i++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, build_dirs[i], NULL);

      g_rmdir (path);
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
  job = esplash_window_get_job (window);
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
  job = esplash_window_get_job (window);
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
