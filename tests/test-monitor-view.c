/* test-monitor-view.c: the serial monitor's view — ANSI colours as tags,
 * lines split across appends, invalid UTF-8, notes, the ring's bound,
 * pause, time stamps, following the output, send, save, and that a
 * 2 Mbaud flood does not stall the main loop. Needs a display (run under
 * xvfb-run); skipped without one.
 *
 * Set ESPLASH_SCREENSHOT_DIR to keep a picture of the view
 * (monitor-view.png).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "esplash-monitor-view.h"

#define STALL_RATE 200000                 /* bytes per second: 2 Mbaud */
#define STALL_SECONDS 3
#define STALL_LIMIT_MS 50

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

static GtkTextBuffer *
get_buffer (EsplashMonitorView *view)
{
  GtkWidget *text_view = find_child (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW);

  g_assert_nonnull (text_view);
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
}

static GtkAdjustment *
get_vadjustment (EsplashMonitorView *view)
{
  GtkWidget *text_view = find_child (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW);

  g_assert_nonnull (text_view);
  return gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (text_view));
}

static EsplashMonitorView *
new_view (void)
{
  return ESPLASH_MONITOR_VIEW (g_object_ref_sink (esplash_monitor_view_new ()));
}

static void
append_str (EsplashMonitorView *view,
            const char         *text)
{
  esplash_monitor_view_append (view, (const guint8 *) text, strlen (text));
}

static void
assert_text (EsplashMonitorView *view,
             const char         *expected)
{
  g_autofree char *text = esplash_monitor_view_dup_text (view);

  g_assert_cmpstr (text, ==, expected);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The names of the tags at a character, sorted, joined by ','. */
static char *
tags_at (EsplashMonitorView *view,
         int                 line,
         int                 offset)
{
  GtkTextIter iter;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GSList *tags;

  gtk_text_buffer_get_iter_at_line_offset (get_buffer (view), &iter, line, offset);
  tags = gtk_text_iter_get_tags (&iter);
  for (GSList *l = tags; l != NULL; l = l->next)
    {
      char *name = NULL;

      g_object_get (l->data, "name", &name, NULL);
      g_ptr_array_add (names, name);
    }
  g_slist_free (tags);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
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

static void
test_colours (void)
{
  g_autoptr(EsplashMonitorView) view = new_view ();
  g_autofree char *tags = NULL;

  append_str (view, "\033[0;32mI (12) boot: ok\033[0m\r\n"
                    "\033[0;31mE (13) app: bad\033[0m\r\n"
                    "\033[1;33mW bold\033[0m\n"
                    "plain \033[0;36mcyan\033[0m tail\n"
                    "\033[2K\033[1Amoved\033]0;title\007\n"
                    "\033[38;5;200mx\033[0m\n");
  assert_text (view, "I (12) boot: ok\nE (13) app: bad\nW bold\nplain cyan tail\nmoved\nx\n");
  g_assert_cmpuint (esplash_monitor_view_get_n_lines (view), ==, 6);

  tags = tags_at (view, 0, 0);
  g_assert_cmpstr (tags, ==, "ansi-green");
  g_free (tags);
  tags = tags_at (view, 0, 14);                            /* the last 'k' */
  g_assert_cmpstr (tags, ==, "ansi-green");
  g_free (tags);
  tags = tags_at (view, 0, 15);                            /* its '\n' */
  g_assert_cmpstr (tags, ==, "");
  g_free (tags);
  tags = tags_at (view, 1, 3);
  g_assert_cmpstr (tags, ==, "ansi-red");
  g_free (tags);
  tags = tags_at (view, 2, 0);
  g_assert_cmpstr (tags, ==, "ansi-bold,ansi-yellow");
  g_free (tags);
  tags = tags_at (view, 3, 5);                             /* the space before "cyan" */
  g_assert_cmpstr (tags, ==, "");
  g_free (tags);
  tags = tags_at (view, 3, 6);
  g_assert_cmpstr (tags, ==, "ansi-cyan");
  g_free (tags);
  tags = tags_at (view, 3, 9);
  g_assert_cmpstr (tags, ==, "ansi-cyan");
  g_free (tags);
  tags = tags_at (view, 3, 10);
  g_assert_cmpstr (tags, ==, "");
  g_free (tags);
  tags = tags_at (view, 4, 0);
  g_assert_cmpstr (tags, ==, "");
  g_free (tags);
  tags = tags_at (view, 5, 0);                             /* 256 colours: not shown */
  g_assert_cmpstr (tags, ==, "");
}

/* A line, a colour escape, a UTF-8 character and a "\r\n" split across
 * appends come out whole; a note ends the board's line first. */
static void
test_partial (void)
{
  g_autoptr(EsplashMonitorView) view = new_view ();
  const char *pieces[] = { "hel", "lo\r", "\nwor", "\033[0;3", "1mré", "d\033[0m" };
  g_autofree char *tags = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    append_str (view, pieces[i]);
  assert_text (view, "hello\nworréd");
  g_assert_cmpuint (esplash_monitor_view_get_n_lines (view), ==, 1);
  tags = tags_at (view, 1, 3);
  g_assert_cmpstr (tags, ==, "ansi-red");
  g_free (tags);

  esplash_monitor_view_append (view, (const guint8 *) "\xc3", 1);
  esplash_monitor_view_append (view, (const guint8 *) "\xa9", 1);
  assert_text (view, "hello\nworréd\xc3\xa9");

  esplash_monitor_view_append_note (view, ESPLASH_MONITOR_NOTE_DECODED,
                                    "0x42000034: parse_reading at /src/app.c:12");
  assert_text (view, "hello\nworréd\xc3\xa9\n0x42000034: parse_reading at /src/app.c:12\n");
  g_assert_cmpuint (esplash_monitor_view_get_n_lines (view), ==, 3);
  tags = tags_at (view, 2, 0);
  g_assert_cmpstr (tags, ==, "note-decoded");
  g_free (tags);

  append_str (view, "ld\r\n");
  esplash_monitor_view_append_note (view, ESPLASH_MONITOR_NOTE_INFO,
                                    "Waiting for the port to come back…");
  assert_text (view, "hello\nworréd\xc3\xa9\n0x42000034: parse_reading at /src/app.c:12\n"
                     "ld\nWaiting for the port to come back…\n");
  tags = tags_at (view, 4, 0);
  g_assert_cmpstr (tags, ==, "note-info");
  g_assert_cmpuint (esplash_monitor_view_get_n_lines (view), ==, 5);

  esplash_monitor_view_clear (view);
  assert_text (view, "");
  g_assert_cmpuint (esplash_monitor_view_get_n_lines (view), ==, 0);
}

static void
test_invalid_utf8 (void)
{
  g_autoptr(EsplashMonitorView) view = new_view ();
  static const guint8 bytes[] = "caf\xc3\xa9 \xff\xfe ok\n\033[0;31m\xc0 bad\033[0m\n\x01\x7f\tend\n";
  g_autofree char *text = NULL;
  g_autofree char *tags = NULL;

  esplash_monitor_view_append (view, bytes, sizeof bytes - 1);
  text = esplash_monitor_view_dup_text (view);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpstr (text, ==, "café \xef\xbf\xbd\xef\xbf\xbd ok\n\xef\xbf\xbd bad\n\tend\n");
  tags = tags_at (view, 1, 0);
  g_assert_cmpstr (tags, ==, "ansi-red");
  g_free (tags);
  tags = tags_at (view, 1, 4);
  g_assert_cmpstr (tags, ==, "ansi-red");
}

static int
count_buffer_lines (EsplashMonitorView *view)
{
  return gtk_text_buffer_get_line_count (get_buffer (view));
}

static void
assert_first_line (EsplashMonitorView *view,
                   const char         *expected)
{
  g_autofree char *text = esplash_monitor_view_dup_text (view);
  g_autofree char *first = NULL;
  const char *nl = strchr (text, '\n');

  g_assert_nonnull (nl);
  first = g_strndup (text, nl - text);
  g_assert_cmpstr (first, ==, expected);
}

/* 30000 lines through a ring of 1000: at once, and rendered as they come. */
static void
test_ring (void)
{
  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(EsplashMonitorView) view = new_view ();
      g_autoptr(GString) chunk = g_string_new (NULL);
      g_autofree char *text = NULL;

      esplash_monitor_view_set_max_lines (view, 1000);
      for (guint i = 1; i <= 30000; i++)
        {
          g_string_append_printf (chunk, "\033[0;32mline %u\033[0m\r\n", i);
          if (i % 300 == 0)
            {
              append_str (view, chunk->str);
              g_string_truncate (chunk, 0);
              if (pass == 1)
                wait_ms (35);
            }
        }
      g_assert_cmpuint (esplash_monitor_view_get_n_lines (view), ==, 1000);
      assert_first_line (view, "line 29001");
      /* 1000 lines, each ended, and the empty line after the last. */
      g_assert_cmpint (count_buffer_lines (view), ==, 1001);
      text = esplash_monitor_view_dup_text (view);
      g_assert_true (g_str_has_suffix (text, "\nline 30000\n"));
      g_clear_pointer (&text, g_free);

      /* A smaller ring drops from the top; a larger one keeps what is left. */
      esplash_monitor_view_set_max_lines (view, 10);
      assert_first_line (view, "line 29991");
      g_assert_cmpint (count_buffer_lines (view), ==, 11);
      esplash_monitor_view_set_max_lines (view, 100);
      append_str (view, "more\n");
      g_assert_cmpuint (esplash_monitor_view_get_n_lines (view), ==, 11);
      assert_first_line (view, "line 29991");
    }
}

static void
test_pause (void)
{
  g_autoptr(EsplashMonitorView) view = new_view ();
  g_autofree char *text = NULL;

  append_str (view, "a\n");
  assert_text (view, "a\n");
  esplash_monitor_view_set_paused (view, TRUE);
  g_assert_true (esplash_monitor_view_get_paused (view));
  append_str (view, "b\nc");
  esplash_monitor_view_append_note (view, ESPLASH_MONITOR_NOTE_WARNING, "note");
  esplash_monitor_view_set_timestamps (view, TRUE);          /* applied on resume */
  wait_ms (100);
  assert_text (view, "a\n");
  g_assert_cmpuint (esplash_monitor_view_get_n_lines (view), ==, 4);

  esplash_monitor_view_set_timestamps (view, FALSE);
  esplash_monitor_view_set_paused (view, FALSE);
  assert_text (view, "a\nb\nc\nnote\n");

  /* While paused the ring still holds only max-lines; the newest show. */
  esplash_monitor_view_set_max_lines (view, 3);
  esplash_monitor_view_set_paused (view, TRUE);
  append_str (view, "1\n2\n3\n4\n5\n");
  assert_text (view, "a\nb\nc\nnote\n");
  esplash_monitor_view_set_paused (view, FALSE);
  wait_ms (100);
  text = esplash_monitor_view_dup_text (view);
  g_assert_cmpstr (text, ==, "3\n4\n5\n");
}

static void
assert_stamped (const char *line,
                const char *rest)
{
  g_assert_cmpuint (strlen (line), >=, 13);
  for (guint i = 0; i < 12; i++)
    {
      if (i == 2 || i == 5)
        g_assert_cmpint (line[i], ==, ':');
      else if (i == 8)
        g_assert_cmpint (line[i], ==, '.');
      else
        g_assert_true (g_ascii_isdigit (line[i]));
    }
  g_assert_cmpint (line[12], ==, ' ');
  g_assert_cmpstr (line + 13, ==, rest);
}

static void
test_timestamps (void)
{
  g_autoptr(EsplashMonitorView) view = new_view ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *tags = NULL;

  append_str (view, "x\n\033[0;32mgreen\033[0m\npart");
  esplash_monitor_view_set_timestamps (view, TRUE);
  text = esplash_monitor_view_dup_text (view);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  assert_stamped (lines[0], "x");
  assert_stamped (lines[1], "green");
  assert_stamped (lines[2], "part");
  tags = tags_at (view, 1, 0);
  g_assert_cmpstr (tags, ==, "stamp");
  g_free (tags);
  tags = tags_at (view, 1, 13);
  g_assert_cmpstr (tags, ==, "ansi-green");
  g_free (tags);
  tags = tags_at (view, 1, 17);
  g_assert_cmpstr (tags, ==, "ansi-green");

  /* New lines are stamped as they come. */
  append_str (view, "ial\n");
  g_free (text);
  g_strfreev (lines);
  text = esplash_monitor_view_dup_text (view);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  assert_stamped (lines[2], "partial");
  g_assert_cmpstr (lines[3], ==, "");

  esplash_monitor_view_set_timestamps (view, FALSE);
  assert_text (view, "x\ngreen\npartial\n");
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

  /* Up: no longer following, and the view stays where it was. */
  gtk_adjustment_set_value (adjustment, 100);
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
  gtk_adjustment_set_value (adjustment, 0);
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
  gtk_adjustment_set_value (adjustment, 0);
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

static void
send_line_cb (EsplashMonitorView *view,
              const char         *line,
              GPtrArray          *sent)
{
  g_ptr_array_add (sent, g_strdup (line));
}

static void
count_cb (EsplashMonitorView *view,
          guint              *count)
{
  (*count)++;
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_signals (void)
{
  g_autoptr(EsplashMonitorView) view = new_view ();
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *entry = find_child (GTK_WIDGET (view), GTK_TYPE_ENTRY);
  guint resets = 0, elves = 0, bauds = 0;

  g_signal_connect (view, "send-line", G_CALLBACK (send_line_cb), sent);
  g_signal_connect (view, "reset-requested", G_CALLBACK (count_cb), &resets);
  g_signal_connect (view, "choose-elf", G_CALLBACK (count_cb), &elves);
  g_signal_connect (view, "notify::baud", G_CALLBACK (notify_cb), &bauds);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "help");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sent, 0), ==, "help");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  gtk_editable_set_text (GTK_EDITABLE (entry), "reboot");
  gtk_widget_activate_action (GTK_WIDGET (view), "monitor.send", NULL);
  g_assert_cmpuint (sent->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (sent, 1), ==, "reboot");
  assert_text (view, "");                                  /* nothing appended by itself */

  gtk_widget_activate_action (GTK_WIDGET (view), "monitor.reset", NULL);
  g_assert_cmpuint (resets, ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (view), "monitor.choose-elf", NULL);
  g_assert_cmpuint (elves, ==, 1);

  g_assert_cmpuint (esplash_monitor_view_get_baud (view), ==, 115200);
  esplash_monitor_view_set_baud (view, 921600);
  g_assert_cmpuint (esplash_monitor_view_get_baud (view), ==, 921600);
  g_assert_cmpuint (bauds, ==, 1);
  esplash_monitor_view_set_baud (view, 921600);
  g_assert_cmpuint (bauds, ==, 1);
  esplash_monitor_view_set_baud (view, 250000);              /* not listed: added */
  g_assert_cmpuint (esplash_monitor_view_get_baud (view), ==, 250000);
  esplash_monitor_view_set_baud (view, 5000000);
  g_assert_cmpuint (esplash_monitor_view_get_baud (view), ==, 5000000);
  g_object_set (view, "baud", 74880, NULL);
  g_assert_cmpuint (esplash_monitor_view_get_baud (view), ==, 74880);
  g_assert_cmpuint (bauds, ==, 4);

  /* The toggles are property actions. */
  gtk_widget_activate_action (GTK_WIDGET (view), "monitor.timestamps", NULL);
  g_assert_true (esplash_monitor_view_get_timestamps (view));
  gtk_widget_activate_action (GTK_WIDGET (view), "monitor.paused", NULL);
  g_assert_true (esplash_monitor_view_get_paused (view));
}

static char *
read_file (GFile *file)
{
  char *contents = NULL;

  g_assert_true (g_file_load_contents (file, NULL, &contents, NULL, NULL, NULL));
  return contents;
}

static void
test_save (void)
{
  g_autoptr(EsplashMonitorView) view = new_view ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("esplash-monitor-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out.log", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad = g_file_new_for_path ("/nonexistent/dir/out.log");
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  append_str (view, "\033[0;32mI (1) a\033[0m\r\n\033[0;31mE (2) b\033[0m\r\npart");
  esplash_monitor_view_append_note (view, ESPLASH_MONITOR_NOTE_DECODED, "0x42: f at x.c:1");
  esplash_monitor_view_set_paused (view, TRUE);
  append_str (view, "after\n");                            /* in the ring, not shown yet */
  g_assert_true (esplash_monitor_view_save_to_file (view, file, &error));
  g_assert_no_error (error);
  contents = read_file (file);
  g_assert_cmpstr (contents, ==, "I (1) a\nE (2) b\npart\n0x42: f at x.c:1\nafter\n");

  esplash_monitor_view_set_timestamps (view, TRUE);
  append_str (view, "tail");
  g_assert_true (esplash_monitor_view_save_to_file (view, file, &error));
  g_free (contents);
  contents = read_file (file);
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  assert_stamped (lines[0], "I (1) a");
  assert_stamped (lines[3], "0x42: f at x.c:1");
  assert_stamped (lines[5], "tail");

  g_assert_false (esplash_monitor_view_save_to_file (view, bad, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  g_assert_true (g_file_delete (file, NULL, NULL));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
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
  gtk_adjustment_set_value (get_vadjustment (view), 0);
  wait_ms (100);
  wait_frames (GTK_WIDGET (view), 10);
  save_png (GTK_WIDGET (window), "monitor-view-stamps.png");

  /* Scrolled up in a long output: the jump-to-end button shows. */
  append_lines (view, 0, 300);
  wait_ms (100);
  wait_frames (GTK_WIDGET (view), 5);
  gtk_adjustment_set_value (get_vadjustment (view), 200);
  g_assert_false (esplash_monitor_view_get_autoscroll (view));
  wait_frames (GTK_WIDGET (view), 5);
  save_png (GTK_WIDGET (window), "monitor-view-scrolled.png");

  gtk_window_destroy (window);
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
  const struct {
    const char *path;
    GTestFunc   func;
  } tests[] = {
    { "/esplash/monitor-view/colours", test_colours },
    { "/esplash/monitor-view/partial", test_partial },
    { "/esplash/monitor-view/invalid-utf8", test_invalid_utf8 },
    { "/esplash/monitor-view/ring", test_ring },
    { "/esplash/monitor-view/pause", test_pause },
    { "/esplash/monitor-view/timestamps", test_timestamps },
    { "/esplash/monitor-view/autoscroll", test_autoscroll },
    { "/esplash/monitor-view/signals", test_signals },
    { "/esplash/monitor-view/save", test_save },
    { "/esplash/monitor-view/stall", test_stall },
    { "/esplash/monitor-view/screenshot", test_screenshot },
  };
  gboolean have_display;

  g_test_init (&argc, &argv, NULL);
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

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add_func (tests[i].path, have_display ? tests[i].func : test_no_display);

  return g_test_run ();
}
