/* test-window.c: smoke test of the main window — it builds from its
 * templates, takes files, and flashes the virtual board through the
 * "win.flash" action without blocking. Needs a display (run under
 * xvfb-run); skipped without one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>

#include "esplash-window-private.h"
#include "test-gui-rig.h"
#include "esplash-firmware-list.h"
#include "esplash-baud-memory.h"

static char *
image_path (const char *name)
{
  const char *shared = g_getenv ("ESPLASH_SHARED_DIR");

  g_assert_nonnull (shared);
  return g_build_filename (shared, "testdata", "images", name, NULL);
}

static gboolean
action_enabled (GtkWidget  *window,
                const char *name)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (window), name);

  g_assert_nonnull (action);
  return g_action_get_enabled (action);
}

static void
test_offsets (void)
{
  guint32 offset = 1;

  g_assert_true (esplash_firmware_parse_offset ("0x10000", &offset));
  g_assert_cmphex (offset, ==, 0x10000);
  g_assert_true (esplash_firmware_parse_offset (" 8000 ", &offset));
  g_assert_cmphex (offset, ==, 0x8000);
  g_assert_false (esplash_firmware_parse_offset ("0x1002", &offset));   /* not aligned */
  g_assert_false (esplash_firmware_parse_offset ("0x", &offset));
  g_assert_false (esplash_firmware_parse_offset ("zz", &offset));
  g_assert_false (esplash_firmware_parse_offset ("0x100000000", &offset));
}

static void
test_flash_virtual (void)
{
  g_autofree char *path = image_path ("fifty_kb.bin");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GFile *files[] = { file };
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GBytes) flash = NULL;
  EsplashWindow *window;
  EsplashFirmwareRow *row;
  gint64 deadline;
  char *contents;
  gsize len;

  window = esplash_window_new (NULL, NULL, NULL);
  gtk_window_present (GTK_WINDOW (window));

  /* Nothing to flash yet. */
  g_assert_false (action_enabled (GTK_WIDGET (window), "flash"));
  g_assert_false (action_enabled (GTK_WIDGET (window), "cancel"));
  g_assert_false (action_enabled (GTK_WIDGET (window), "troubleshoot"));

  esplash_port_chooser_set_preferred_port (esplash_window_get_port_chooser (window),
                                           ESPLASH_PORT_ITEM_VIRTUAL_ID);
  /* Adding it again does not list it twice. The file is not an image, so
   * nothing says where it goes: Flash waits for an offset. */
  esplash_window_add_files (window, files, G_N_ELEMENTS (files));
  esplash_window_add_files (window, files, G_N_ELEMENTS (files));
  g_assert_cmpuint (esplash_window_get_n_files (window), ==, 1);
  g_assert_false (action_enabled (GTK_WIDGET (window), "flash"));
  row = esplash_firmware_list_find_row (esplash_window_get_firmware_list (window), "fifty_kb.bin");
  g_assert_nonnull (row);
  esplash_firmware_row_set_offset (row, 0x0);
  g_assert_true (action_enabled (GTK_WIDGET (window), "flash"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.flash", NULL));
  g_assert_true (esplash_window_is_busy (window));
  g_assert_false (action_enabled (GTK_WIDGET (window), "flash"));
  g_assert_true (action_enabled (GTK_WIDGET (window), "cancel"));
  g_assert_nonnull (esplash_window_get_virtual_board (window));

  deadline = g_get_monotonic_time () + 90 * G_TIME_SPAN_SECOND;
  while (esplash_window_is_busy (window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (esplash_window_is_busy (window));
  g_assert_true (action_enabled (GTK_WIDGET (window), "flash"));

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  expected = g_bytes_new_take (contents, len);
  flash = esplash_sim_dup_flash (esplash_window_get_virtual_board (window), 0x0, len);
  g_assert_true (g_bytes_equal (flash, expected));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The automatic rate found for an adapter is kept per adapter, replaced
 * when it changes, and the dictionary stays bounded. */
static void
test_baud_memory (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.esplash.Esplash");
  g_autoptr(GVariant) all = NULL;

  g_settings_reset (settings, "adapter-bauds");
  g_assert_cmpuint (esplash_baud_memory_lookup (settings, "10c4:ea60:0001"), ==, 0);
  g_assert_cmpuint (esplash_baud_memory_lookup (NULL, "10c4:ea60:0001"), ==, 0);
  esplash_baud_memory_store (settings, "10c4:ea60:0001", 921600);
  esplash_baud_memory_store (settings, "1a86:7523:", 2000000);
  g_assert_cmpuint (esplash_baud_memory_lookup (settings, "10c4:ea60:0001"), ==, 921600);
  g_assert_cmpuint (esplash_baud_memory_lookup (settings, "1a86:7523:"), ==, 2000000);
  esplash_baud_memory_store (settings, "10c4:ea60:0001", 460800);
  g_assert_cmpuint (esplash_baud_memory_lookup (settings, "10c4:ea60:0001"), ==, 460800);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *key = g_strdup_printf ("0403:6001:A%03u", i);

      esplash_baud_memory_store (settings, key, 115200 + i);
    }
  all = g_settings_get_value (settings, "adapter-bauds");
  g_assert_cmpuint (g_variant_n_children (all), <=, 64);
  g_assert_cmpuint (esplash_baud_memory_lookup (settings, "0403:6001:A099"), ==, 115299);
  g_assert_cmpuint (esplash_baud_memory_lookup (settings, "0403:6001:A000"), ==, 0);
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
  gboolean have_display = gui_test_init (&argc, &argv);

  g_test_add_func ("/esplash/window/parse-offset", test_offsets);
  g_test_add_func ("/esplash/window/baud-memory", test_baud_memory);
  if (have_display)
    g_test_add_func ("/esplash/window/flash-virtual", test_flash_virtual);
  else
    g_test_add_func ("/esplash/window/flash-virtual", test_no_display);

  return g_test_run ();
}
