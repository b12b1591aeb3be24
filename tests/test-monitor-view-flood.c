/* test-monitor-view-flood.c: the serial monitor's view in a window —
 * following the output and the jump-to-end button, that a 2 Mbaud flood
 * does not stall the main loop, and what the user sees after a crash.
 * Needs a display (run under xvfb-run); skipped without one.
 *
 * Set ESPLASH_SCREENSHOT_DIR to keep pictures of the view
 * (monitor-view.png, monitor-view-stamps.png, monitor-view-scrolled.png).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>

#include "esplash-monitor-view.h"
#include "test-monitor-view-rig.h"

#define STALL_RATE 200000                 /* bytes per second: 2 Mbaud */
#define STALL_SECONDS 3
/* Issue 12's bound. Under the sanitizers (the suite runs ASan with
 * fast_unwind_on_malloc=0: every allocation unwinds the stack) a text
 * buffer's allocations alone take hundreds of milliseconds, so there the
 * figure is printed and only a freeze fails. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define STALL_LIMIT_MS 1000
#else
#define STALL_LIMIT_MS 50
#endif

static GtkAdjustment *
get_vadjustment (EsplashMonitorView *view)
{
  GtkWidget *text_view = find_child (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW);

  g_assert_nonnull (text_view);
  return gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (text_view));
}

/* What the user's wheel does: the view sees a scroll event, then the
 * scrolled window moves the adjustment. */
static void
user_scrolls_to (EsplashMonitorView *view,
                 double              value)
{
  /* the text's own scrolled window (the baud drop-down's popover has one too) */
  GtkWidget *scroller = gtk_widget_get_parent (find_child (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW));
  g_autoptr(GListModel) controllers = NULL;
  gboolean found = FALSE;

  g_assert_nonnull (scroller);
  controllers = gtk_widget_observe_controllers (scroller);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);
      gboolean handled = FALSE;

      if (g_strcmp0 (gtk_event_controller_get_name (c), "esplash-monitor-user-scroll") != 0)
        continue;
      g_signal_emit_by_name (c, "scroll", 0.0, -3.0, &handled);
      found = TRUE;
    }
  g_assert_true (found);
  gtk_adjustment_set_value (get_vadjustment (view), value);
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *left = user_data;

  return --*left > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
wait_frames (GtkWidget *widget,
             guint      n)
{
  guint left = n;
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  gtk_widget_add_tick_callback (widget, count_frame_cb, &left, NULL);
  while (left > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (left, ==, 0);
}

static GtkWindow *
present (EsplashMonitorView *view,
         int                 width,
         int                 height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  wait_frames (GTK_WIDGET (view), 5);
  return window;
}

static double
bottom_of (GtkAdjustment *adjustment)
{
  return gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);
}

static void
append_lines (EsplashMonitorView *view,
              guint               from,
              guint               n)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = from; i < from + n; i++)
    g_string_append_printf (text, "\033[0;32mI (%u) main: line %u\033[0m\r\n", i * 10, i);
  append_str (view, text->str);
}

static void
test_autoscroll (void)
{
  EsplashMonitorView *view = ESPLASH_MONITOR_VIEW (esplash_monitor_view_new ());
  GtkWindow *window = present (view, 500, 400);
  GtkAdjustment *adjustment = get_vadjustment (view);
  GtkWidget *jump = NULL;

  g_assert_true (esplash_monitor_view_get_autoscroll (view));
  append_lines (view, 0, 500);
  wait_ms (100);
  wait_frames (GTK_WIDGET (view), 5);
  g_assert_cmpfloat (bottom_of (adjustment), >, 1000);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >=, bottom_of (adjustment) - 24);
  g_assert_true (esplash_monitor_view_get_autoscroll (view));

  /* The view moved up by something else than the user (the text view's
   * own layout does that on a slow machine): still following. */
  gtk_adjustment_set_value (adjustment, 100);
  g_assert_true (esplash_monitor_view_get_autoscroll (view));
  wait_frames (GTK_WIDGET (view), 3);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >=, bottom_of (adjustment) - 24);

  /* The user scrolls up: no longer following, and the view stays there. */
  user_scrolls_to (view, 100);
  g_assert_false (esplash_monitor_view_get_autoscroll (view));
  for (GtkWidget *w = find_child (GTK_WIDGET (view), GTK_TYPE_OVERLAY); w != NULL; w = NULL)
    for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_BUTTON (c))
        jump = c;
  g_assert_nonnull (jump);
  g_assert_true (gtk_widget_get_visible (jump));
  append_lines (view, 500, 100);
  wait_ms (100);
  wait_frames (GTK_WIDGET (view), 3);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 100);
  g_assert_false (esplash_monitor_view_get_autoscroll (view));

  /* Back at the bottom: following again. */
  gtk_adjustment_set_value (adjustment, bottom_of (adjustment));
  g_assert_true (esplash_monitor_view_get_autoscroll (view));
  g_assert_false (gtk_widget_get_visible (jump));

  /* The jump button does the same. */
  user_scrolls_to (view, 0);
  g_assert_false (esplash_monitor_view_get_autoscroll (view));
  gtk_widget_activate_action (GTK_WIDGET (view), "monitor.jump-to-end", NULL);
  g_assert_true (esplash_monitor_view_get_autoscroll (view));
  wait_frames (GTK_WIDGET (view), 5);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >=, bottom_of (adjustment) - 24);

  /* A ring that drops lines from the top while following: still at the
   * bottom, still following. */
  esplash_monitor_view_set_max_lines (view, 200);
  for (guint i = 0; i < 20; i++)
    {
      append_lines (view, 1000 + i * 50, 50);
      wait_ms (20);
      g_assert_true (esplash_monitor_view_get_autoscroll (view));
    }
  wait_ms (100);
  wait_frames (GTK_WIDGET (view), 5);
  g_assert_true (esplash_monitor_view_get_autoscroll (view));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >=, bottom_of (adjustment) - 24);

  /* Scrolled up during the flood: it stays up. */
  user_scrolls_to (view, 0);
  g_assert_false (esplash_monitor_view_get_autoscroll (view));
  for (guint i = 0; i < 10; i++)
    {
      append_lines (view, 2000 + i * 50, 50);
      wait_ms (20);
    }
  wait_frames (GTK_WIDGET (view), 3);
  g_assert_false (esplash_monitor_view_get_autoscroll (view));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), <, bottom_of (adjustment) - 24);

  gtk_window_destroy (window);
}

/* The stall test: a board at 2 Mbaud, fed as the monitor does (every
 * ~30 ms, what arrived since), while a 5 ms timeout measures how long the
 * main loop goes without running it. */
typedef struct {
  EsplashMonitorView *view;
  GString            *chunk;
  gint64              start;
  gint64              last_tick;
  gint64              max_gap;
  guint64             sent;
  guint               seq;
  guint               ticks;
  guint               step;
  guint               stopped_following;
  gboolean            done;
} Stall;

static void
add_log_line (GString *out,
              guint    seq)
{
  guint ms = seq * 3;

  if (seq % 37 == 0)
    g_string_append_printf (out, "\033[0;31mE (%u) app: parse_reading failed: 0x%x (frame %u)\033[0m\r\n",
                            ms, 0x103 + seq % 7, seq);
  else if (seq % 11 == 0)
    g_string_append_printf (out, "\033[0;33mW (%u) wifi: beacon timeout, rssi=-%u dBm\033[0m\r\n",
                            ms, 60 + seq % 30);
  else if (seq % 53 == 0)
    g_string_append_printf (out, "ets Jun  8 2016 00:22:57 rst:0x1 (POWERON_RESET),boot:0x13\r\n");
  else
    g_string_append_printf (out, "\033[0;32mI (%u) sensor: reading %u temperature=23.%u C humidity=41.%u%%\033[0m\r\n",
                            ms, seq, seq % 10, seq % 7);
}

static gboolean
stall_feed_cb (gpointer user_data)
{
  Stall *stall = user_data;
  gint64 elapsed = g_get_monotonic_time () - stall->start;
  guint64 due = (guint64) elapsed * STALL_RATE / G_USEC_PER_SEC;

  g_string_truncate (stall->chunk, 0);
  while (stall->sent + stall->chunk->len < due)
    add_log_line (stall->chunk, stall->seq++);
  esplash_monitor_view_append (stall->view, (const guint8 *) stall->chunk->str, stall->chunk->len);
  stall->sent += stall->chunk->len;

  /* What a user does meanwhile: each makes the view catch up on many lines. */
  if (stall->step == 0 && elapsed >= G_USEC_PER_SEC)
    esplash_monitor_view_set_timestamps (stall->view, TRUE);    /* the whole ring again */
  else if (stall->step == 1 && elapsed >= G_USEC_PER_SEC * 3 / 2)
    esplash_monitor_view_set_paused (stall->view, TRUE);
  else if (stall->step == 2 && elapsed >= G_USEC_PER_SEC * 22 / 10)
    esplash_monitor_view_set_paused (stall->view, FALSE);       /* 0.7 s of lines at once */
  else if (stall->step == 3 && elapsed >= G_USEC_PER_SEC * 25 / 10)
    esplash_monitor_view_set_timestamps (stall->view, FALSE);
  else
    stall->step--;
  stall->step++;
  if (elapsed >= STALL_SECONDS * G_USEC_PER_SEC)
    {
      stall->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
stall_tick_cb (gpointer user_data)
{
  Stall *stall = user_data;
  gint64 now = g_get_monotonic_time ();

  stall->max_gap = MAX (stall->max_gap, now - stall->last_tick);
  stall->last_tick = now;
  stall->ticks++;
  return stall->done ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
autoscroll_cb (EsplashMonitorView *view,
               GParamSpec         *pspec,
               Stall              *stall)
{
  if (!esplash_monitor_view_get_autoscroll (view))
    stall->stopped_following++;
}

static void
test_stall (void)
{
  EsplashMonitorView *view = ESPLASH_MONITOR_VIEW (esplash_monitor_view_new ());
  GtkWindow *window = present (view, 1000, 700);
  g_autoptr(GString) backlog = g_string_new (NULL);
  Stall stall = { view, g_string_new (NULL), 0, };
  GtkAdjustment *adjustment = get_vadjustment (view);

  esplash_monitor_view_set_status (view, "Monitoring /dev/ttyUSB0 at 2000000 baud");
  esplash_monitor_view_set_baud (view, 2000000);
  /* A monitor that has run for a while: the ring nearly full, so lines
   * drop from the top during the measurement. */
  for (guint i = 0; i < 8000; i++)
    add_log_line (backlog, stall.seq++);
  append_str (view, backlog->str);
  wait_ms (500);
  wait_frames (GTK_WIDGET (view), 5);

  g_signal_connect (view, "notify::autoscroll", G_CALLBACK (autoscroll_cb), &stall);
  stall.start = stall.last_tick = g_get_monotonic_time ();
  g_timeout_add (30, stall_feed_cb, &stall);
  g_timeout_add (5, stall_tick_cb, &stall);
  while (!stall.done)
    g_main_context_iteration (NULL, TRUE);

  g_test_message ("stall: %.1f MB/s for %d s, %u lines, %u ticks of 5 ms, longest main-loop gap %.1f ms",
                  stall.sent / 1e6 / STALL_SECONDS, STALL_SECONDS, stall.seq - 8000, stall.ticks,
                  stall.max_gap / 1000.0);
  g_assert_cmpuint (stall.sent, >=, STALL_RATE * STALL_SECONDS * 9 / 10);
  g_assert_cmpint (stall.max_gap, <, STALL_LIMIT_MS * 1000);
  g_assert_cmpuint (stall.stopped_following, ==, 0);

  /* It kept up: the ring is full, the view shows its end, still following. */
  wait_ms (100);
  wait_frames (GTK_WIDGET (view), 5);
  g_assert_cmpuint (esplash_monitor_view_get_n_lines (view), ==, ESPLASH_MONITOR_VIEW_DEFAULT_MAX_LINES);
  g_assert_true (esplash_monitor_view_get_autoscroll (view));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >=, bottom_of (adjustment) - 24);

  g_string_free (stall.chunk, TRUE);
  gtk_window_destroy (window);
}

static void
save_png (GtkWidget  *widget,
          const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  const char *dir = g_getenv ("ESPLASH_SCREENSHOT_DIR");
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  if (dir != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("saved %s (%d×%d)", path, width, height);
    }
}

/* What the user sees after a crash: coloured boot log, the panic, the
 * decoded frames, Esplash's notes. */
static void
test_screenshot (void)
{
  EsplashMonitorView *view = ESPLASH_MONITOR_VIEW (esplash_monitor_view_new ());
  GtkWindow *window = present (view, 900, 620);

  esplash_monitor_view_set_status (view, "Monitoring /dev/ttyUSB0 at 115200 baud");
  esplash_monitor_view_set_elf_name (view, "sensor-app.elf");
  esplash_monitor_view_append_note (view, ESPLASH_MONITOR_NOTE_INFO, "Reset");
  append_str (view,
              "ESP-ROM:esp32c3-api1-20210207\r\n"
              "rst:0x1 (POWERON),boot:0xc (SPI_FAST_FLASH_BOOT)\r\n"
              "\033[0;32mI (30) boot: ESP-IDF v5.1.2 2nd stage bootloader\033[0m\r\n"
              "\033[0;32mI (31) boot: chip revision: v0.4\033[0m\r\n"
              "\033[0;32mI (265) cpu_start: Starting scheduler.\033[0m\r\n"
              "\033[0;32mI (270) sensor: reading 1 temperature=23.4 C\033[0m\r\n"
              "\033[0;33mW (280) wifi: beacon timeout, rssi=-82 dBm\033[0m\r\n"
              "\033[0;31mE (290) app: parse_reading failed: 0x103\033[0m\r\n"
              "Guru Meditation Error: Core  0 panic'ed (Load access fault). Exception was unhandled.\r\n"
              "\r\n"
              "Core  0 register dump:\r\n"
              "MEPC    : 0x42000034  RA      : 0x42000078  SP      : 0x3fc8f6e0  GP      : 0x3fc8b400\r\n");
  esplash_monitor_view_append_note (view, ESPLASH_MONITOR_NOTE_DECODED,
                                    "0x42000034: parse_reading at /src/app.c:12");
  esplash_monitor_view_append_note (view, ESPLASH_MONITOR_NOTE_DECODED,
                                    "0x42000078: app_main at /src/app.c:31");
  append_str (view, "\r\nRebooting...\r\n");
  esplash_monitor_view_append_note (view, ESPLASH_MONITOR_NOTE_INFO,
                                    "Waiting for the port to come back…");
  esplash_monitor_view_append_note (view, ESPLASH_MONITOR_NOTE_WARNING,
                                    "The board reset 3 times in 10 s");
  append_str (view, "ESP-ROM:esp32c3-api1-20210207\r\n\033[0;32mI (30) boot: ESP-I");
  wait_ms (100);
  wait_frames (GTK_WIDGET (view), 10);
  save_png (GTK_WIDGET (window), "monitor-view.png");

  esplash_monitor_view_set_timestamps (view, TRUE);
  esplash_monitor_view_set_elf_name (view, NULL);
  user_scrolls_to (view, 0);
  wait_ms (100);
  wait_frames (GTK_WIDGET (view), 10);
  save_png (GTK_WIDGET (window), "monitor-view-stamps.png");

  /* Scrolled up in a long output: the jump-to-end button shows. */
  append_lines (view, 0, 300);
  wait_ms (100);
  wait_frames (GTK_WIDGET (view), 5);
  user_scrolls_to (view, 200);
  g_assert_false (esplash_monitor_view_get_autoscroll (view));
  wait_frames (GTK_WIDGET (view), 5);
  save_png (GTK_WIDGET (window), "monitor-view-scrolled.png");

  gtk_window_destroy (window);
}

int
main (int    argc,
      char **argv)
{
  const MonitorViewTest tests[] = {
    { "/esplash/monitor-view/autoscroll", test_autoscroll },
    { "/esplash/monitor-view/stall", test_stall },
    { "/esplash/monitor-view/screenshot", test_screenshot },
  };

  return run_monitor_view_tests (&argc, &argv, tests, G_N_ELEMENTS (tests));
}
