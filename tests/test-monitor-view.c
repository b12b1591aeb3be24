/* test-monitor-view.c: the serial monitor's view without a window — ANSI
 * colours as tags, lines split across appends, invalid UTF-8, notes, the
 * ring's bound, pause, time stamps, send and the other signals, save.
 * Scrolling, the 2 Mbaud flood and the screenshots are in
 * test-monitor-view-flood.c. Needs a display (run under xvfb-run); skipped
 * without one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "esplash-monitor-view.h"
#include "test-monitor-view-rig.h"

static GtkTextBuffer *
get_buffer (EsplashMonitorView *view)
{
  GtkWidget *text_view = find_child (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW);

  g_assert_nonnull (text_view);
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
}

static EsplashMonitorView *
new_view (void)
{
  return ESPLASH_MONITOR_VIEW (g_object_ref_sink (esplash_monitor_view_new ()));
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

int
main (int    argc,
      char **argv)
{
  const MonitorViewTest tests[] = {
    { "/esplash/monitor-view/colours", test_colours },
    { "/esplash/monitor-view/partial", test_partial },
    { "/esplash/monitor-view/invalid-utf8", test_invalid_utf8 },
    { "/esplash/monitor-view/ring", test_ring },
    { "/esplash/monitor-view/pause", test_pause },
    { "/esplash/monitor-view/timestamps", test_timestamps },
    { "/esplash/monitor-view/signals", test_signals },
    { "/esplash/monitor-view/save", test_save },
  };

  return run_monitor_view_tests (&argc, &argv, tests, G_N_ELEMENTS (tests));
}
