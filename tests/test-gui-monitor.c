/* test-gui-monitor.c: the window's serial monitor on the virtual board —
 * an ESP-IDF build dropped (its app's ELF beside it), flashed with "Reset
 * and run": the monitor opens by itself and shows the board starting; a
 * panic is decoded to the build's function names under it; the USB device
 * unplugged and plugged back is followed without user action; a 2 Mbaud
 * flood neither stalls the main loop nor grows the view past its ring.
 *
 * Needs a display (the suite runs under xvfb-run); skipped without one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-window-private.h"
#include "test-gui-rig.h"

#define WIDTH 1000
#define HEIGHT 760
/* Issue 12's bound. Under the sanitizers (ASan with fast_unwind_on_malloc=0
 * unwinds the stack at every allocation) the figure measures the sanitizer:
 * there only a freeze fails. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define MAX_STALL_US (1000 * G_TIME_SPAN_MILLISECOND)
#else
#define MAX_STALL_US (50 * G_TIME_SPAN_MILLISECOND)
#endif

typedef struct {
  char          *dir;
  EsplashWindow *window;
  EsplashSim    *board;     /* the window's virtual board */
} Fixture;

static EsplashSim *
new_board (EsplashConsole console,
           guint          app_baud)
{
  EsplashSimOptions options;

  esplash_sim_options_init (&options, ESPLASH_CHIP_ESP32S3);
  options.console = console;
  options.app_elf = g_getenv ("ESPLASH_TEST_APP_ELF");
  options.app_baud = app_baud;
  if (app_baud > 921600)
    options.max_baud = 0;   /* the bridge takes the rate (test: not what is measured) */
  return esplash_sim_new (&options);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *elf = g_build_filename (fixture->dir = g_dir_make_tmp ("esplash-monitor-XXXXXX", NULL),
                                           "blink.elf", NULL);
  g_autoptr(GFile) src = g_file_new_for_path (g_getenv ("ESPLASH_TEST_APP_ELF"));
  g_autoptr(GFile) dst = g_file_new_for_path (elf);
  g_autoptr(EsplashSim) board = new_board (ESPLASH_CONSOLE_UART, 0);

  make_build_folder (fixture->dir);
  /* idf.py leaves build/PROJECT.elf beside build/PROJECT.bin */
  g_assert_true (g_file_copy (src, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, NULL));

  fixture->window = esplash_window_new (NULL, NULL, NULL);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), WIDTH, HEIGHT);
  esplash_selected_board_set_virtual_board (esplash_window_get_selected_board (fixture->window), board);
  fixture->board = board;
  esplash_port_chooser_set_preferred_port (esplash_window_get_port_chooser (fixture->window),
                                           ESPLASH_PORT_ITEM_VIRTUAL_ID);
  gtk_window_present (GTK_WINDOW (fixture->window));
  wait_frames (5);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *elf = g_build_filename (fixture->dir, "blink.elf", NULL);

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_unlink (elf);
  remove_build_folder (fixture->dir);
  g_free (fixture->dir);
}

static EsplashMonitorView *
monitor_view (EsplashWindow *window)
{
  EsplashWindowMonitor *monitor = esplash_window_get_monitor (window);

  g_assert_nonnull (monitor);
  return esplash_window_monitor_get_view (monitor);
}

static gboolean
view_has (EsplashWindow *window,
          const char    *needle)
{
  g_autofree char *text = esplash_monitor_view_dup_text (monitor_view (window));

  return strstr (text, needle) != NULL;
}

/* Runs the main loop until the view shows @needle (after @after, if
 * given, appears first). */
static gboolean
wait_for_text (EsplashWindow *window,
               const char    *needle,
               guint          seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;

  while (!view_has (window, needle) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  return view_has (window, needle);
}

static GtkTextView *
find_text_view (GtkWidget *widget)
{
  if (GTK_IS_TEXT_VIEW (widget))
    return GTK_TEXT_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkTextView *found = find_text_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* What the user's wheel does first: a scroll event the view sees. */
static void
user_scroll_event (GtkWidget *scroller)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (scroller);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);
      gboolean handled = FALSE;

      if (g_strcmp0 (gtk_event_controller_get_name (c), "esplash-monitor-user-scroll") == 0)
        g_signal_emit_by_name (c, "scroll", 0.0, -3.0, &handled);
    }
}

/* Scrolls the view's text, as the user would, so the line holding
 * @needle is at the top. The text view may carry the scroll out a few
 * frames later, once the lines are laid out (slowly under ASan): the
 * wheel goes on until it has. */
static void
scroll_to (EsplashMonitorView *view,
           const char         *needle)
{
  GtkTextView *text_view = find_text_view (GTK_WIDGET (view));
  GtkTextIter start, match;

  g_assert_nonnull (text_view);
  gtk_text_buffer_get_start_iter (gtk_text_view_get_buffer (text_view), &start);
  g_assert_true (gtk_text_iter_forward_search (&start, needle, 0, &match, NULL, NULL));
  for (guint i = 0; i < 50 && esplash_monitor_view_get_autoscroll (view); i++)
    {
      user_scroll_event (gtk_widget_get_parent (GTK_WIDGET (text_view)));
      gtk_text_view_scroll_to_iter (text_view, &match, 0.0, TRUE, 0.0, 0.0);
      wait_frames (5);
    }
  g_assert_false (esplash_monitor_view_get_autoscroll (view));
  wait_frames (10);
}

static void
flash_build (Fixture *fixture)
{
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->dir);
  GFile *files[] = { folder };
  gint64 deadline = g_get_monotonic_time () + 120 * G_TIME_SPAN_SECOND;

  esplash_window_add_files (fixture->window, files, 1);
  g_assert_cmpuint (esplash_window_get_n_files (fixture->window), ==, 3);
  g_assert_cmpint (esplash_window_get_after (fixture->window), ==, ESPLASH_AFTER_HARD_RESET);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "flash", NULL);
  g_assert_true (esplash_window_is_busy (fixture->window));
  while (esplash_window_is_busy (fixture->window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (esplash_window_get_result (fixture->window, NULL, NULL));
}

/* The decoded frames of the panic esplash-sim makes from panic-app.elf
 * (docs/simulator.md): an Xtensa backtrace through four functions. */
static void
assert_decoded (EsplashWindow *window)
{
  static const char *chain[] = { "store_reading", "parse_reading", "sensor_task", "app_main" };
  g_autofree char *text = NULL;
  const char *guru;

  g_assert_true (wait_for_text (window, ": app_main at ", 20));
  text = esplash_monitor_view_dup_text (monitor_view (window));
  guru = strstr (text, "Guru Meditation Error");
  g_assert_nonnull (guru);
  /* right under the backtrace, before the reboot's log */
  g_assert_true (strstr (guru, "Backtrace: ") < strstr (guru, ": store_reading at "));
  g_assert_true (strstr (guru, "Rebooting...") == NULL ||
                 strstr (guru, ": app_main at ") < strstr (guru, "Rebooting..."));
  for (guint i = 0; i < G_N_ELEMENTS (chain); i++)
    {
      g_autofree char *frame = g_strdup_printf (": %s at ", chain[i]);
      const char *at = strstr (guru, frame);

      g_assert_nonnull (at);   /* under the panic */
      g_assert_nonnull (strstr (at, "panic-app.c:"));
    }
}

static void
test_flash_then_monitor (Fixture       *fixture,
                         gconstpointer  data)
{
  EsplashWindow *window = fixture->window;
  EsplashWindowMonitor *monitor = esplash_window_get_monitor (window);
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (window), "monitor");
  g_autoptr(GVariant) state = NULL;

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (monitor_view (window))));
  flash_build (fixture);

  /* Reset and run: the monitor opened by itself and the board starts in it. */
  state = g_action_get_state (action);
  g_assert_true (g_variant_get_boolean (state));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (monitor_view (window))));
  g_assert_true (esplash_window_monitor_is_running (monitor));
  g_assert_true (wait_for_text (window, "2nd stage bootloader", 20));
  g_assert_true (wait_for_text (window, "esplash-sim-app: running image", 20));
  /* The build's ELF was found beside it. */
  g_assert_nonnull (esplash_window_monitor_get_elf_path (monitor));
  g_assert_true (g_str_has_suffix (esplash_window_monitor_get_elf_path (monitor), "blink.elf"));
  g_assert_true (view_has (window, "ELF file SHA256"));
  g_assert_false (view_has (window, "is not the ELF of the app"));

  esplash_sim_panic (fixture->board);
  assert_decoded (window);
  /* For the picture: the view held still and scrolled up to the panic,
   * made taller. */
  esplash_monitor_view_set_paused (monitor_view (window), TRUE);
  gtk_paned_set_position (GTK_PANED (gtk_widget_get_parent (GTK_WIDGET (monitor_view (window)))), 90);
  wait_frames (5);
  scroll_to (monitor_view (window), "Guru Meditation Error");
  capture_window (GTK_WINDOW (window), "09-monitor.png", WIDTH, HEIGHT);
  esplash_monitor_view_set_paused (monitor_view (window), FALSE);
  g_assert_true (wait_for_text (window, "Rebooting...", 10));

  /* A line typed into the monitor reaches the board. */
  {
    EsplashSimStats before, after;
    gint64 deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

    esplash_sim_get_stats (fixture->board, &before);
    g_signal_emit_by_name (monitor_view (window), "send-line", "status");
    do
      {
        g_main_context_iteration (NULL, FALSE);
        esplash_sim_get_stats (fixture->board, &after);
      }
    while (after.host_to_chip < before.host_to_chip + 8 && g_get_monotonic_time () < deadline);
    g_assert_cmpuint (after.host_to_chip, ==, before.host_to_chip + strlen ("status\r\n"));
  }

  /* Flashing again takes the port from the monitor, and gives it back. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "flash", NULL);
  g_assert_false (esplash_window_monitor_is_running (monitor));
  while (esplash_window_is_busy (window))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (esplash_window_monitor_is_running (monitor));

  /* The guided troubleshooting page watches the port: the monitor lets go. */
  {
    g_autoptr(GPtrArray) steps = g_ptr_array_new ();
    g_autoptr(GPtrArray) evidence = g_ptr_array_new ();
    EsplashDiagnosis diagnosis = {
      .id = (char *) ESPLASH_DIAGNOSIS_USB_REENUMERATING, .title = (char *) "title",
      .explanation = (char *) "explanation", .steps = steps, .evidence = evidence,
      .chip = ESPLASH_CHIP_ESP32S3, .retry = ESPLASH_RETRY_NONE,
    };

    g_assert_true (esplash_window_monitor_is_running (monitor));
    esplash_troubleshoot_show (esplash_window_get_troubleshoot (window), esplash_window_get_session (window),
                               &diagnosis);
    g_assert_false (esplash_window_monitor_is_running (monitor));
    esplash_troubleshoot_close (esplash_window_get_troubleshoot (window));
    g_action_group_change_action_state (G_ACTION_GROUP (window), "monitor", g_variant_new_boolean (TRUE));
    g_assert_true (esplash_window_monitor_is_running (monitor));
  }

  /* Hiding the monitor lets go of the port. */
  g_action_group_change_action_state (G_ACTION_GROUP (window), "monitor", g_variant_new_boolean (FALSE));
  g_assert_false (esplash_window_monitor_is_running (monitor));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (monitor_view (window))));
}

/* The board on its own USB (USB-Serial/JTAG): the device goes away and
 * comes back (a reset re-enumerates it); the monitor follows by itself. */
static void
test_reenumeration (Fixture       *fixture,
                    gconstpointer  data)
{
  EsplashWindow *window = fixture->window;
  g_autoptr(EsplashSim) board = new_board (ESPLASH_CONSOLE_USB_JTAG, 0);
  EsplashWindowMonitor *monitor = esplash_window_get_monitor (window);
  EsplashMonitor *core;

  esplash_selected_board_set_virtual_board (esplash_window_get_selected_board (window), board);
  flash_build (fixture);
  g_assert_true (wait_for_text (window, "esplash-sim-app: running image", 20));
  core = esplash_window_monitor_get_monitor (monitor);
  g_assert_nonnull (core);

  esplash_sim_unplug (board);
  while (esplash_monitor_get_state (core) != ESPLASH_MONITOR_STATE_WAITING_FOR_PORT)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (wait_for_text (window, "The port went away", 5));
  esplash_monitor_view_clear (monitor_view (window));

  esplash_sim_power_cycle (board);
  g_assert_true (wait_for_text (window, "The port is back", 10));
  g_assert_cmpint (esplash_monitor_get_state (core), ==, ESPLASH_MONITOR_STATE_RUNNING);
  g_assert_true (wait_for_text (window, "esplash-sim-app: running image", 20));
  esplash_sim_panic (board);
  assert_decoded (window);
}

typedef struct {
  StallProbe stall;
  guint64    bytes;
} Watch;

static void
output_cb (EsplashMonitor *monitor,
           GBytes         *bytes,
           Watch          *watch)
{
  watch->bytes += g_bytes_get_size (bytes);
}

/* 2 Mbaud of continuous output for 3 s: the main loop keeps answering
 * (no gap over MAX_STALL_US) and the view keeps to its ring of lines. */
static void
test_flood (Fixture       *fixture,
            gconstpointer  data)
{
  EsplashWindow *window = fixture->window;
  g_autoptr(EsplashSim) board = new_board (ESPLASH_CONSOLE_UART, 2000000);
  EsplashWindowMonitor *monitor = esplash_window_get_monitor (window);
  EsplashMonitorView *view = monitor_view (window);
  Watch watch = { 0 };
  gint64 until;

  esplash_selected_board_set_virtual_board (esplash_window_get_selected_board (window), board);
  flash_build (fixture);
  esplash_monitor_view_set_baud (view, 2000000);
  g_assert_true (wait_for_text (window, "esplash-sim-app: running image", 20));
  g_signal_connect (esplash_window_monitor_get_monitor (monitor), "output", G_CALLBACK (output_cb), &watch);

  esplash_sim_set_app_flood (board, TRUE);
  stall_probe_start (&watch.stall);
  until = g_get_monotonic_time () + 3 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  stall_probe_stop (&watch.stall);
  esplash_sim_set_app_flood (board, FALSE);

  g_test_message ("2 Mbaud flood: %" G_GUINT64_FORMAT " bytes in 3 s, %u lines kept, "
                  "longest main-loop gap %.1f ms", watch.bytes, esplash_monitor_view_get_n_lines (view),
                  watch.stall.max_gap / 1000.0);
  /* 2 Mbaud is 200 kB/s: most of 600 kB arrived (not a trickle) … */
  g_assert_cmpuint (watch.bytes, >, 400000);
  g_assert_cmpuint (esplash_monitor_view_get_n_lines (view), <=, esplash_monitor_view_get_max_lines (view));
  g_assert_true (wait_for_text (window, "flood: line ", 5));
  /* … and the main loop never stalled. */
  g_assert_cmpint (watch.stall.max_gap, <, MAX_STALL_US);
}

static void
test_no_display (void)
{
  g_test_skip ("no display");
}

int
main (int    argc,
      char **argv)
{
  if (gui_test_init (&argc, &argv))
    {
      g_test_add ("/esplash/gui/monitor/flash-then-monitor", Fixture, NULL, fixture_set_up,
                  test_flash_then_monitor, fixture_tear_down);
      g_test_add ("/esplash/gui/monitor/reenumeration", Fixture, NULL, fixture_set_up,
                  test_reenumeration, fixture_tear_down);
      g_test_add ("/esplash/gui/monitor/flood", Fixture, NULL, fixture_set_up,
                  test_flood, fixture_tear_down);
    }
  else
    g_test_add_func ("/esplash/gui/monitor", test_no_display);
  return g_test_run ();
}
