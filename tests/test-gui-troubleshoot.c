/* test-gui-troubleshoot.c: "Help Me Fix This" on a virtual display — a
 * board without an auto-reset circuit (it enters download mode only while
 * BOOT is held during a reset) fails to flash with the normal-boot
 * diagnosis; the guided page shows the steps for the chip, and once the
 * test holds BOOT and taps RESET, as the user would, the flash resumes by
 * itself and completes. Also renders the page for an ESP32 over a UART
 * bridge and an ESP32-C3 on its own USB (saved as PNG when
 * ESPLASH_SCREENSHOT_DIR is set: data/screenshots/05-… and 06-…).
 *
 * Needs a display (the suite runs under xvfb-run); skipped without one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <gtk/gtk.h>

#include "esplash-window-private.h"

static GBytes *
load_image (const char *name,
            GFile     **file)
{
  const char *shared = g_getenv ("ESPLASH_SHARED_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize len;

  g_assert_nonnull (shared);
  path = g_build_filename (shared, "testdata", "images", name, NULL);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  *file = g_file_new_for_path (path);
  return g_bytes_new_take (contents, len);
}

static gboolean
action_enabled (EsplashWindow *window,
                const char    *name)
{
  return g_action_get_enabled (g_action_map_lookup_action (G_ACTION_MAP (window), name));
}

static void
wait_frames (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      gint64 until = g_get_monotonic_time () + 20 * G_TIME_SPAN_MILLISECOND;

      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
    }
}

static gboolean
wait_until_idle (EsplashWindow *window,
                 guint          seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;

  while (esplash_window_is_busy (window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  return !esplash_window_is_busy (window);
}

/* A window on a virtual @family board without DTR/RTS wiring to EN and
 * BOOT, with one_kb.bin at 0x0 ready to flash. */
static EsplashWindow *
new_window (EsplashChipFamily family,
            EsplashConsole    console,
            GBytes          **image)
{
  EsplashWindow *window = esplash_window_new (NULL, NULL, NULL);
  EsplashPortChooser *chooser = esplash_window_get_port_chooser (window);
  EsplashSimOptions options;
  g_autoptr(GFile) file = NULL;
  EsplashFirmwareRow *row;

  esplash_sim_options_init (&options, family);
  options.console = console;
  options.boot_mode = ESPLASH_SIM_BOOT_FLASH;
  options.auto_reset_circuit = FALSE;
  esplash_selected_board_set_virtual_board_options (esplash_window_get_selected_board (window), &options);
  gtk_window_present (GTK_WINDOW (window));
  wait_frames (3);

  esplash_port_chooser_set_preferred_port (chooser, ESPLASH_PORT_ITEM_VIRTUAL_ID);
  g_assert_true (esplash_port_item_is_virtual (esplash_port_chooser_get_selected (chooser)));
  *image = load_image ("one_kb.bin", &file);
  esplash_window_add_files (window, &file, 1);
  row = esplash_firmware_list_find_row (esplash_window_get_firmware_list (window), "one_kb.bin");
  g_assert_nonnull (row);
  esplash_firmware_row_set_offset (row, 0x0);
  g_assert_true (action_enabled (window, "flash"));
  return window;
}

/* Flash; it fails: the board never enters download mode by itself. */
static void
flash_and_fail (EsplashWindow *window,
                const char    *diagnosis_id)
{
  g_autoptr(EsplashJob) job = NULL;
  g_autoptr(EsplashDiagnosis) diagnosis = NULL;
  const char *title = NULL;
  const char *detail = NULL;

  g_assert_false (action_enabled (window, "troubleshoot"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "flash", NULL);
  job = g_object_ref (esplash_flash_session_get_job (esplash_window_get_session (window)));
  g_assert_true (wait_until_idle (window, 60));

  diagnosis = esplash_job_dup_diagnosis (job);
  g_assert_nonnull (diagnosis);
  g_test_message ("diagnosis %s: %s", diagnosis->id, diagnosis->title);
  g_assert_cmpstr (diagnosis->id, ==, diagnosis_id);
  g_assert_true (esplash_window_get_result (window, &title, &detail));
  g_assert_cmpstr (title, ==, "Could not connect to the board");
  /* The core's explanation under the title. */
  g_assert_cmpstr (detail, ==, diagnosis->explanation);
  g_assert_true (action_enabled (window, "troubleshoot"));
}

static EsplashTroubleshootPage *
open_page (EsplashWindow *window)
{
  EsplashTroubleshoot *troubleshoot = esplash_window_get_troubleshoot (window);
  EsplashTroubleshootPage *page;

  g_action_group_activate_action (G_ACTION_GROUP (window), "troubleshoot", NULL);
  page = esplash_troubleshoot_get_page (troubleshoot);
  g_assert_nonnull (page);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (esplash_troubleshoot_get_dialog (troubleshoot))));
  return page;
}

static gboolean
has_step (EsplashTroubleshootPage *page,
          const char              *text)
{
  for (guint i = 0; i < esplash_troubleshoot_page_get_n_steps (page); i++)
    if (strstr (esplash_troubleshoot_page_get_step_text (page, i), text) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_resume_after_boot_button (void)
{
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GBytes) flash = NULL;
  EsplashWindow *window = new_window (ESPLASH_CHIP_ESP32S3, ESPLASH_CONSOLE_UART, &image);
  EsplashTroubleshoot *troubleshoot = esplash_window_get_troubleshoot (window);
  EsplashSim *board = esplash_window_get_virtual_board (window);
  EsplashTroubleshootPage *page;
  const char *title = NULL;
  gint64 deadline, pressed;
  guint probes;

  flash_and_fail (window, ESPLASH_DIAGNOSIS_NORMAL_BOOT);
  g_assert_cmpint (esplash_sim_get_state (board), !=, ESPLASH_SIM_STATE_ROM_LOADER);

  page = open_page (window);
  g_assert_cmpuint (esplash_troubleshoot_page_get_n_steps (page), >=, 4);
  g_assert_true (has_step (page, "Press and hold BOOT (GPIO0)"));
  g_assert_true (has_step (page, "EN"));
  g_assert_cmpstr (esplash_troubleshoot_page_get_boot_label (page), ==, "BOOT (GPIO0)");
  g_assert_cmpstr (esplash_troubleshoot_page_get_reset_label (page), ==, "EN");
  g_assert_false (esplash_troubleshoot_page_get_step_done (page, 0));

  /* The page keeps watching, but nothing changes until BOOT is held: wait
   * for at least two probes (bounded; sanitizer builds probe slowly). */
  deadline = g_get_monotonic_time () + 15 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < deadline &&
         esplash_troubleshoot_get_n_probes (troubleshoot) < 2)
    g_main_context_iteration (NULL, TRUE);
  probes = esplash_troubleshoot_get_n_probes (troubleshoot);
  g_test_message ("%u probes watched", probes);
  g_assert_cmpuint (probes, >=, 2);
  g_assert_false (esplash_window_is_busy (window));
  g_assert_nonnull (esplash_troubleshoot_get_page (troubleshoot));
  g_assert_cmpuint (esplash_troubleshoot_page_get_n_steps (page), >, 0);
  g_assert_false (esplash_troubleshoot_page_get_step_done (page, 0));

  /* The user holds BOOT and taps RESET; nothing is clicked after that. */
  esplash_sim_set_boot_held (board, TRUE);
  esplash_sim_press_reset (board);
  pressed = g_get_monotonic_time ();
  deadline = pressed + 20 * G_TIME_SPAN_SECOND;
  while (!esplash_window_is_busy (window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (esplash_window_is_busy (window));
  g_test_message ("resumed %.2f s after the reset",
                  (g_get_monotonic_time () - pressed) / (double) G_TIME_SPAN_SECOND);
  g_assert_null (esplash_troubleshoot_get_page (troubleshoot));
  esplash_sim_set_boot_held (board, FALSE);

  g_assert_true (wait_until_idle (window, 20));
  g_assert_true (esplash_window_get_result (window, &title, NULL));
  g_assert_cmpstr (title, ==, "Firmware flashed");
  flash = esplash_sim_dup_flash (board, 0, g_bytes_get_size (image));
  g_assert_true (g_bytes_equal (flash, image));
  g_assert_false (action_enabled (window, "troubleshoot"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* "Connect Without Resetting": BOOT held and RESET tapped, then the button. */
static void
test_manual_boot (void)
{
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GBytes) flash = NULL;
  EsplashWindow *window = new_window (ESPLASH_CHIP_ESP32S3, ESPLASH_CONSOLE_UART, &image);
  EsplashSim *board = esplash_window_get_virtual_board (window);
  EsplashTroubleshootPage *page;
  g_autoptr(EsplashJob) job = NULL;
  const char *title = NULL;
  const char *detail = NULL;

  flash_and_fail (window, ESPLASH_DIAGNOSIS_NORMAL_BOOT);
  page = open_page (window);
  esplash_sim_set_boot_held (board, TRUE);
  esplash_sim_press_reset (board);
  /* The strap is sampled a few ms after EN rises: release BOOT later. */
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  esplash_sim_set_boot_held (board, FALSE);
  g_signal_emit_by_name (page, "manual-boot");
  while (!esplash_window_is_busy (window))
    g_main_context_iteration (NULL, TRUE);
  job = g_object_ref (esplash_flash_session_get_job (esplash_window_get_session (window)));
  g_assert_true (wait_until_idle (window, 20));
  g_assert_true (esplash_window_get_result (window, &title, &detail));
  if (g_strcmp0 (title, "Firmware flashed") != 0)
    {
      g_autoptr(EsplashDiagnosis) d = esplash_job_dup_diagnosis (job);
      g_autofree char *text = d != NULL ? esplash_diagnosis_to_string (d) : NULL;

      g_test_message ("%s\n%s", detail, text);
    }
  g_assert_cmpstr (title, ==, "Firmware flashed");
  flash = esplash_sim_dup_flash (board, 0, g_bytes_get_size (image));
  g_assert_true (g_bytes_equal (flash, image));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- screenshots ------------------------------------------------------- */

static void
capture (GtkWindow  *window,
         const char *name)
{
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  const char *dir = g_getenv ("ESPLASH_SCREENSHOT_DIR");
  int width, height;

  wait_frames (10);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 300);
  g_assert_cmpint (height, >, 300);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  if (dir != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("saved %s (%d×%d)", path, width, height);
    }
}

static void
test_screenshot_esp32 (void)
{
  g_autoptr(GBytes) image = NULL;
  EsplashWindow *window = new_window (ESPLASH_CHIP_ESP32, ESPLASH_CONSOLE_UART, &image);
  EsplashTroubleshoot *troubleshoot = esplash_window_get_troubleshoot (window);
  EsplashTroubleshootPage *page;

  flash_and_fail (window, ESPLASH_DIAGNOSIS_NORMAL_BOOT);
  page = open_page (window);
  g_assert_cmpstr (esplash_troubleshoot_page_get_boot_label (page), ==, "BOOT (GPIO0)");
  g_assert_cmpstr (esplash_troubleshoot_page_get_reset_label (page), ==, "EN");
  capture (esplash_troubleshoot_get_dialog (troubleshoot), "05-troubleshoot-esp32.png");
  esplash_troubleshoot_close (troubleshoot);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The C3's own USB-Serial/JTAG port (303a:1001) after the firmware booted
 * from flash: what a failed connect on such a board records. */
static void
test_screenshot_esp32c3_usb (void)
{
  static const char boot_log[] =
    "ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\n"
    "rst:0x15 (USB_UART_CHIP_RESET),boot:0xd (SPI_FAST_FLASH_BOOT)\r\n"
    "Saved PC:0x40380f2e\r\nI (30) boot: ESP-IDF v5.1.2 2nd stage bootloader\r\n";
  g_autoptr(GBytes) image = NULL;
  EsplashWindow *window = new_window (ESPLASH_CHIP_ESP32C3, ESPLASH_CONSOLE_USB_JTAG, &image);
  EsplashTroubleshoot *troubleshoot = esplash_window_get_troubleshoot (window);
  g_autoptr(EsplashAttempt) attempt = esplash_attempt_new ("/dev/ttyACM0");
  g_autoptr(EsplashDiagnosis) diagnosis = NULL;
  g_autoptr(GError) error = g_error_new (ESPLASH_ERROR, ESPLASH_ERROR_NO_SYNC,
                                         "Failed to connect to the chip: no SYNC reply after 7 attempts");
  EsplashTroubleshootPage *page;

  attempt->port_kind = ESPLASH_PORT_KIND_ESPRESSIF_USB;
  attempt->usb_vid = 0x303a;
  attempt->usb_pid = 0x1001;
  attempt->stage = ESPLASH_STAGE_SYNCING;
  attempt->line_text = g_bytes_new_static (boot_log, sizeof boot_log - 1);
  attempt->rx_bytes = sizeof boot_log - 1;
  attempt->boot_mode = 0xd;
  attempt->resets_run = 7;
  attempt->reset_strategies = 1u << ESPLASH_RESET_USB_JTAG;
  esplash_attempt_set_error (attempt, error);
  diagnosis = esplash_diagnose (attempt, ESPLASH_CHIP_ESP32C3);
  g_assert_nonnull (diagnosis);
  g_test_message ("diagnosis %s: %s", diagnosis->id, diagnosis->title);

  esplash_troubleshoot_show (troubleshoot, esplash_window_get_session (window), diagnosis);
  page = esplash_troubleshoot_get_page (troubleshoot);
  g_assert_nonnull (page);
  g_assert_cmpstr (esplash_troubleshoot_page_get_boot_label (page), ==, "BOOT (GPIO9)");
  g_assert_cmpstr (esplash_troubleshoot_page_get_reset_label (page), ==, "RST");
  g_assert_true (has_step (page, "GPIO9"));
  capture (esplash_troubleshoot_get_dialog (troubleshoot), "06-troubleshoot-esp32c3-usb.png");
  esplash_troubleshoot_close (troubleshoot);
  gtk_window_destroy (GTK_WINDOW (window));
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
  gboolean have_display;

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_setenv ("GTK_A11Y", "none", TRUE);
  if (g_getenv ("GSK_RENDERER") == NULL)
    g_setenv ("GSK_RENDERER", "cairo", TRUE);
  have_display = gtk_init_check ();

  g_test_add_func ("/esplash/gui/troubleshoot/resume-after-boot-button",
                   have_display ? test_resume_after_boot_button : test_no_display);
  g_test_add_func ("/esplash/gui/troubleshoot/manual-boot", have_display ? test_manual_boot : test_no_display);
  g_test_add_func ("/esplash/gui/troubleshoot/screenshot-esp32",
                   have_display ? test_screenshot_esp32 : test_no_display);
  g_test_add_func ("/esplash/gui/troubleshoot/screenshot-esp32c3-usb",
                   have_display ? test_screenshot_esp32c3_usb : test_no_display);
  return g_test_run ();
}
