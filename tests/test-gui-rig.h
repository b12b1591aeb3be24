/* test-gui-rig.h: what the GUI tests share — starting GTK for a test, an
 * ESP-IDF build folder of "blink" for the ESP32-S3 made on the fly (images
 * with valid headers, checksums and digests), the longest main-loop gap
 * while something runs, and rendering a window to a checked picture
 * (saved as PNG under $ESPLASH_SCREENSHOT_DIR when set).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gstdio.h>
#include <string.h>
#include <gtk/gtk.h>

/* g_test_init(), then GTK; FALSE without a display. Without a session bus
 * (xvfb-run) the accessibility bridge warns, and warnings are fatal in
 * tests; accessibility is not what these tests check. Xvfb has no GPU:
 * GL would run on a software rasteriser that says nothing about the app,
 * so Cairo draws. */
static G_GNUC_UNUSED gboolean
gui_test_init (int    *argc,
               char ***argv)
{
  g_test_init (argc, argv, NULL);
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_setenv ("GTK_A11Y", "none", TRUE);
  if (g_getenv ("GSK_RENDERER") == NULL)
    g_setenv ("GSK_RENDERER", "cairo", TRUE);
  return gtk_init_check ();
}

/* The longest gap between ticks of a 5 ms timeout: how long the main loop
 * was not answering. */
typedef struct {
  guint  id;
  gint64 last_tick;
  gint64 max_gap;    /* µs */
} StallProbe;

static gboolean
stall_probe_tick_cb (gpointer user_data)
{
  StallProbe *probe = user_data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last_tick != 0)
    probe->max_gap = MAX (probe->max_gap, now - probe->last_tick);
  probe->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static G_GNUC_UNUSED void
stall_probe_start (StallProbe *probe)
{
  probe->last_tick = 0;
  probe->max_gap = 0;
  probe->id = g_timeout_add (5, stall_probe_tick_cb, probe);
}

static G_GNUC_UNUSED void
stall_probe_stop (StallProbe *probe)
{
  g_clear_handle_id (&probe->id, g_source_remove);
}

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

static G_GNUC_UNUSED void
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

static G_GNUC_UNUSED void
remove_build_folder (const char *dir)
{
  for (guint i = 0; i < G_N_ELEMENTS (build_files); i++)
    {
      g_autofree char *path = g_build_filename (dir, build_files[i], NULL);

      g_unlink (path);
    }
  for (guint i = 0; i < G_N_ELEMENTS (build_dirs); i++)
    {
      g_autofree char *path = g_build_filename (dir, build_dirs[i], NULL);

      g_rmdir (path);
    }
  g_rmdir (dir);
}

/* Renders the window as the compositor would show it (header bar
 * included) and checks it is the size asked for and not blank. */
static gboolean
count_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  guint *ticks = user_data;

  (*ticks)++;
  return G_SOURCE_CONTINUE;
}

/* Until the window has drawn @n real frames (each lays out what changed
 * before it paints; a slow build may need more than wall-clock waits). */
static void
wait_drawn (GtkWidget *widget,
            guint      n)
{
  guint ticks = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_tick_cb, &ticks, NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (ticks < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_remove_tick_callback (widget, id);
}

static G_GNUC_UNUSED void
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
  wait_drawn (widget, 3);
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

