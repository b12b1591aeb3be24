/* test-gui-production.c: production mode on a virtual display — eight
 * virtual boards (each its own EsplashSim) flashed at once to the end
 * without stalling the main loop, each holding the build afterwards and
 * each with its line in the record; boards that start by themselves when
 * plugged in, one pulled out mid-write without disturbing the other (its
 * Help Me Fix This resumes it once it is back); and
 * the serial-port watch: a port that appears is flashed by itself (an
 * esplash-sim RFC 2217 server), one present before is not, a chip's own
 * USB port that comes back after its reset is not flashed twice, and a
 * bridge put back is another board. With
 * ESPLASH_SCREENSHOT_DIR set, the finished run is saved as
 * 10-production.png and the mixed one as 11-production-unplugged.png.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "esplash-sim-server.h"
#include "esplash-window-private.h"
#include "test-gui-rig.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define MAX_STALL_US (250 * G_TIME_SPAN_MILLISECOND)
#else
#define MAX_STALL_US (50 * G_TIME_SPAN_MILLISECOND)   /* issue 13's bound */
#endif
#define WIDTH 1000
#define HEIGHT 780   /* the suite's Xvfb screen is 800 high */
#define N_BOARDS 8

/* Where the build's images go (flasher_args.json in test-gui-rig.h). */
static const struct { const char *file; guint32 address; } written[] = {
  { "bootloader/bootloader.bin", 0x0 },
  { "partition_table/partition-table.bin", 0x8000 },
  { "blink.bin", 0x10000 },
};

typedef struct {
  char          *dir;       /* the build folder */
  char          *record;    /* the record file */
  EsplashWindow *window;
  StallProbe     stall;
} Fixture;

static gboolean
wait_for (gboolean (*done) (Fixture *fixture),
          Fixture  *fixture,
          guint     seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;

  while (!done (fixture) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  return done (fixture);
}

static gboolean
idle (Fixture *fixture)
{
  return !esplash_window_is_busy (fixture->window);
}

static EsplashProductionView *
view_of (Fixture *fixture)
{
  return esplash_window_get_production_view (fixture->window);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GFile) folder = NULL;
  GFile *files[1];

  fixture->dir = g_dir_make_tmp ("esplash-production-XXXXXX", NULL);
  make_build_folder (fixture->dir);
  fixture->record = g_build_filename (fixture->dir, "record.jsonl", NULL);
  fixture->window = esplash_window_new (NULL, NULL, NULL);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), WIDTH, HEIGHT);
  gtk_window_present (GTK_WINDOW (fixture->window));

  folder = g_file_new_for_path (fixture->dir);
  files[0] = folder;
  esplash_window_add_files (fixture->window, files, 1);
  g_assert_cmpuint (esplash_window_get_n_files (fixture->window), ==, 3);

  esplash_window_set_production (fixture->window, TRUE);
  g_assert_true (esplash_window_get_production (fixture->window));
  /* The real ports of this machine stay out of it. */
  esplash_port_watch_set_active (esplash_production_view_get_port_watch (view_of (fixture)), FALSE, 0);
  g_assert_true (esplash_production_view_set_record_path (view_of (fixture), fixture->record, NULL));
  wait_frames (10);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_unlink (fixture->record);
  remove_build_folder (fixture->dir);
  g_free (fixture->record);
  g_free (fixture->dir);
}

static GBytes *
read_build_file (Fixture    *fixture,
                 const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  char *contents;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_bytes_new_take (contents, len);
}

/* The board holds the build, byte for byte. */
static void
assert_flashed (Fixture    *fixture,
                EsplashSim *sim)
{
  for (guint i = 0; i < G_N_ELEMENTS (written); i++)
    {
      g_autoptr(GBytes) image = read_build_file (fixture, written[i].file);
      g_autoptr(GBytes) flash = esplash_sim_dup_flash (sim, written[i].address, g_bytes_get_size (image));

      g_assert_true (g_bytes_equal (flash, image));
    }
}

/* The record's lines, each a JSON object. */
static GPtrArray *
read_record (Fixture *fixture)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_assert_true (g_file_get_contents (fixture->record, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      g_ptr_array_add (objects, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }
  return objects;
}

/* A record line's images are the build's, with their digests. */
static void
assert_record_images (Fixture    *fixture,
                      JsonObject *line)
{
  JsonArray *images = json_object_get_array_member (line, "images");

  g_assert_cmpuint (json_array_get_length (images), ==, G_N_ELEMENTS (written));
  for (guint i = 0; i < G_N_ELEMENTS (written); i++)
    {
      JsonObject *image = json_array_get_object_element (images, i);
      g_autoptr(GBytes) data = read_build_file (fixture, written[i].file);
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);

      g_assert_cmpstr (json_object_get_string_member (image, "sha256"), ==, sha);
    }
}

static EsplashSimOptions
board_options (guint n)
{
  EsplashSimOptions options;

  esplash_sim_options_init (&options, ESPLASH_CHIP_ESP32S3);
  options.console = ESPLASH_CONSOLE_UART;
  options.timing = TRUE;    /* each board takes its time, as on a bench */
  options.mac[0] = 0x24; options.mac[1] = 0x0a; options.mac[2] = 0xc4;
  options.mac[3] = 0x10; options.mac[4] = 0x00; options.mac[5] = (guint8) n;
  return options;
}

/* ---- eight boards at once ---------------------------------------------- */

static void
test_eight_boards (Fixture       *fixture,
                   gconstpointer  data)
{
  EsplashProductionView *view = view_of (fixture);
  EsplashFlashSession *sessions[N_BOARDS];
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GHashTable) macs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint flashed, failed;

  g_assert_false (g_action_get_enabled (g_action_map_lookup_action (G_ACTION_MAP (fixture->window), "flash")));
  for (guint i = 0; i < N_BOARDS; i++)
    {
      EsplashSimOptions options = board_options (i + 1);

      sessions[i] = esplash_production_view_add_virtual_board (view, &options);
    }
  g_assert_cmpuint (esplash_production_view_get_n_boards (view), ==, N_BOARDS);
  /* Automatic flashing is off: plugging them in started nothing. */
  g_assert_false (esplash_window_is_busy (fixture->window));
  g_assert_true (g_action_get_enabled (g_action_map_lookup_action (G_ACTION_MAP (fixture->window), "flash")));
  wait_frames (5);

  stall_probe_start (&fixture->stall);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "flash", NULL);
  for (guint i = 0; i < N_BOARDS; i++)
    g_assert_true (esplash_flash_session_is_busy (sessions[i]));
  /* While they run, the files and options stay as they are. */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (esplash_window_get_firmware_list (fixture->window))));
  g_assert_true (wait_for (idle, fixture, 180));
  stall_probe_stop (&fixture->stall);

  g_test_message ("%u boards flashed at once; longest main-loop gap %.1f ms", N_BOARDS,
                  fixture->stall.max_gap / 1000.0);
  g_assert_cmpint (fixture->stall.max_gap, <, MAX_STALL_US);

  esplash_production_view_get_counts (view, &flashed, &failed);
  g_assert_cmpuint (flashed, ==, N_BOARDS);
  g_assert_cmpuint (failed, ==, 0);
  for (guint i = 0; i < N_BOARDS; i++)
    {
      EsplashBoardRow *row = esplash_production_view_get_row (view, i);

      g_assert_cmpint (esplash_flash_session_get_state (sessions[i]), ==, ESPLASH_SESSION_SUCCEEDED);
      assert_flashed (fixture, esplash_flash_session_get_sim (sessions[i]));
      g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "board-success"));
      g_assert_cmpstr (esplash_board_row_get_status_text (row), ==, "Flashed — unplug this board");
    }

  /* One line per board, each its own MAC, all with the build's digests. */
  lines = read_record (fixture);
  g_assert_cmpuint (lines->len, ==, N_BOARDS);
  for (guint i = 0; i < lines->len; i++)
    {
      JsonObject *line = g_ptr_array_index (lines, i);

      g_assert_true (json_object_get_boolean_member (line, "ok"));
      g_assert_cmpstr (json_object_get_string_member (line, "chip"), ==, "ESP32-S3");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (line, "port"), "Virtual board "));
      g_hash_table_add (macs, g_strdup (json_object_get_string_member (line, "mac")));
      assert_record_images (fixture, line);
    }
  g_assert_cmpuint (g_hash_table_size (macs), ==, N_BOARDS);
  g_assert_true (g_hash_table_contains (macs, "24:0a:c4:10:00:08"));

  wait_frames (200);   /* past the finished rows' pulse */
  capture_window (GTK_WINDOW (fixture->window), "10-production.png", WIDTH, HEIGHT);
}

/* ---- plugged in: started by itself; one pulled out --------------------- */

static gboolean
first_writing (Fixture *fixture)
{
  EsplashJob *job = esplash_flash_session_get_job (
    esplash_board_row_get_session (esplash_production_view_get_row (view_of (fixture), 0)));

  return job == NULL || (esplash_job_get_stage (job) == ESPLASH_STAGE_WRITING &&
                         esplash_job_get_fraction (job) > 0.4);
}

static gboolean
a_resumed (Fixture *fixture)
{
  EsplashFlashSession *a = esplash_board_row_get_session (esplash_production_view_get_row (view_of (fixture), 0));

  return esplash_flash_session_is_busy (a);
}

static void
test_auto_and_unplug (Fixture       *fixture,
                      gconstpointer  data)
{
  EsplashProductionView *view = view_of (fixture);
  EsplashSimOptions a_options = board_options (1);
  EsplashSimOptions b_options = board_options (2);
  EsplashFlashSession *a, *b;
  EsplashBoardRow *a_row;
  g_autoptr(GPtrArray) lines = NULL;
  EsplashTroubleshoot *troubleshoot = esplash_window_get_troubleshoot (fixture->window);
  JsonObject *a_line = NULL, *b_line = NULL;

  esplash_production_view_set_auto (view, TRUE);
  stall_probe_start (&fixture->stall);
  a = esplash_production_view_add_virtual_board (view, &a_options);
  b = esplash_production_view_add_virtual_board (view, &b_options);
  g_assert_true (esplash_flash_session_is_busy (a));
  g_assert_true (esplash_flash_session_is_busy (b));
  a_row = esplash_production_view_get_row (view, 0);

  g_assert_true (wait_for (first_writing, fixture, 60));
  g_assert_true (esplash_flash_session_is_busy (a));
  esplash_production_view_unplug_virtual (view, a);
  g_assert_true (wait_for (idle, fixture, 120));
  stall_probe_stop (&fixture->stall);
  g_assert_cmpint (fixture->stall.max_gap, <, MAX_STALL_US);

  /* The one pulled out failed, with its diagnosis and its help … */
  g_assert_cmpint (esplash_flash_session_get_state (a), ==, ESPLASH_SESSION_FAILED);
  g_assert_nonnull (esplash_flash_session_get_diagnosis (a));
  g_test_message ("unplugged board: %s (%s)", esplash_board_row_get_status_text (a_row),
                  esplash_flash_session_get_diagnosis (a)->id);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (a_row), "board-error"));
  g_assert_true (strstr (esplash_board_row_get_status_text (a_row), "(unplugged)") != NULL);
  /* … the other was not disturbed. */
  g_assert_cmpint (esplash_flash_session_get_state (b), ==, ESPLASH_SESSION_SUCCEEDED);
  assert_flashed (fixture, esplash_flash_session_get_sim (b));

  lines = read_record (fixture);
  g_assert_cmpuint (lines->len, ==, 2);
  for (guint i = 0; i < lines->len; i++)
    {
      JsonObject *line = g_ptr_array_index (lines, i);

      if (g_str_equal (json_object_get_string_member (line, "port"), esplash_flash_session_get_title (a)))
        a_line = line;
      else
        b_line = line;
    }
  g_assert_nonnull (a_line);
  g_assert_nonnull (b_line);
  g_assert_false (json_object_get_boolean_member (a_line, "ok"));
  g_assert_cmpstr (json_object_get_string_member (a_line, "diagnosis_id"), ==,
                   esplash_flash_session_get_diagnosis (a)->id);
  g_assert_true (json_object_get_boolean_member (b_line, "ok"));
  assert_record_images (fixture, b_line);

  wait_frames (200);
  capture_window (GTK_WINDOW (fixture->window), "11-production-unplugged.png", WIDTH, HEIGHT);

  /* Help for that board opens the guided page watching it; plugged in
   * again, the board answers and its flash goes on by itself. */
  g_signal_emit_by_name (a_row, "troubleshoot");
  g_assert_true (esplash_troubleshoot_get_session (troubleshoot) == a);
  g_assert_nonnull (esplash_troubleshoot_get_page (troubleshoot));
  esplash_production_view_replug_virtual (view, a);
  g_assert_true (wait_for (a_resumed, fixture, 60));
  g_assert_null (esplash_troubleshoot_get_page (troubleshoot));
  g_assert_true (wait_for (idle, fixture, 120));
  g_assert_cmpint (esplash_flash_session_get_state (a), ==, ESPLASH_SESSION_SUCCEEDED);
  assert_flashed (fixture, esplash_flash_session_get_sim (a));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (a_row), "board-success"));
  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = read_record (fixture);
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_true (json_object_get_boolean_member (g_ptr_array_index (lines, 2), "ok"));
}

/* ---- the port watch: hotplug ------------------------------------------- */

typedef struct {
  GMutex     lock;
  GPtrArray *ports;      /* EsplashPortInfo the "machine" has now */
} FakePorts;

static GPtrArray *
fake_lister (gpointer   user_data,
             GError   **error)
{
  FakePorts *fake = user_data;
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_port_info_free);

  g_mutex_lock (&fake->lock);
  for (guint i = 0; i < fake->ports->len; i++)
    g_ptr_array_add (copy, esplash_port_info_copy (g_ptr_array_index (fake->ports, i)));
  g_mutex_unlock (&fake->lock);
  return copy;
}

/* @native: the chip's own USB-Serial/JTAG port (303a:1001, serial = its
 * MAC), else a CP2102 bridge as on most boards. */
static void
fake_plug (FakePorts  *fake,
           const char *url,
           gboolean    native,
           const char *serial)
{
  EsplashPortInfo *info = g_new0 (EsplashPortInfo, 1);

  info->path = g_strdup (url);
  info->usb_vid = native ? 0x303a : 0x10c4;
  info->usb_pid = native ? 0x1001 : 0xea60;
  info->serial = g_strdup (serial);
  esplash_port_info_classify (info);
  g_mutex_lock (&fake->lock);
  g_ptr_array_add (fake->ports, info);
  g_mutex_unlock (&fake->lock);
}

static void
fake_unplug (FakePorts  *fake,
             const char *url)
{
  g_mutex_lock (&fake->lock);
  for (guint i = 0; i < fake->ports->len; i++)
    if (g_str_equal (((EsplashPortInfo *) g_ptr_array_index (fake->ports, i))->path, url))
      g_ptr_array_remove_index (fake->ports, i);
  g_mutex_unlock (&fake->lock);
}

static gboolean
n_rows_is (EsplashProductionView *view,
           guint                  n,
           guint                  seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;

  while (esplash_production_view_get_n_boards (view) != n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  return esplash_production_view_get_n_boards (view) == n;
}

static gboolean
row_unplugged (EsplashBoardRow *row,
               gboolean         unplugged,
               guint            seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;

  while (esplash_board_row_is_unplugged (row) != unplugged && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  return esplash_board_row_is_unplugged (row) == unplugged;
}

static EsplashSimServer *
serve_board (guint n,
             EsplashSim **sim_out)
{
  EsplashSimOptions options = board_options (n);
  g_autoptr(EsplashSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  EsplashSimServer *server;

  options.timing = FALSE;
  sim = esplash_sim_new (&options);
  server = esplash_sim_server_new (sim, TRUE, 0, &error);   /* RFC 2217: with DTR and RTS */
  g_assert_no_error (error);
  *sim_out = g_steal_pointer (&sim);
  return server;
}

static void
test_hotplug (Fixture       *fixture,
              gconstpointer  data)
{
  EsplashProductionView *view = view_of (fixture);
  EsplashPortWatch *watch = esplash_production_view_get_port_watch (view);
  FakePorts fake = { .ports = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_port_info_free) };
  g_autoptr(EsplashSim) present_sim = NULL;
  g_autoptr(EsplashSim) new_sim = NULL;
  g_autoptr(EsplashSimServer) present = serve_board (1, &present_sim);
  g_autoptr(EsplashSimServer) plugged = serve_board (2, &new_sim);
  g_autofree char *present_url = g_strdup_printf ("rfc2217://127.0.0.1:%u", esplash_sim_server_get_port (present));
  g_autofree char *new_url = g_strdup_printf ("rfc2217://127.0.0.1:%u", esplash_sim_server_get_port (plugged));
  /* The same board once it re-enumerated: another name, the same serial. */
  g_autofree char *new_url_again = g_strdup_printf ("rfc2217://localhost:%u", esplash_sim_server_get_port (plugged));
  static const char mac[] = "24:0A:C4:10:00:02";
  EsplashBoardRow *first, *second, *swapped;
  EsplashFlashSession *session;
  guint syncs;

  g_mutex_init (&fake.lock);
  esplash_production_view_set_auto (view, TRUE);
  esplash_port_watch_set_lister (watch, fake_lister, &fake);
  fake_plug (&fake, present_url, FALSE, "0001");
  esplash_port_watch_set_active (watch, TRUE, 100);

  /* There before production mode looked: listed, not flashed by itself. */
  g_assert_true (n_rows_is (view, 1, 10));
  first = esplash_production_view_get_row (view, 0);
  g_assert_true (esplash_board_row_get_included (first));
  wait_frames (30);
  g_assert_false (esplash_window_is_busy (fixture->window));
  g_assert_cmpint (esplash_flash_session_get_state (esplash_board_row_get_session (first)), ==,
                   ESPLASH_SESSION_IDLE);

  /* Plugged in while watching: flashed by itself. */
  fake_plug (&fake, new_url, TRUE, mac);
  g_assert_true (n_rows_is (view, 2, 10));
  second = esplash_production_view_get_row (view, 1);
  session = esplash_board_row_get_session (second);
  g_assert_true (esplash_flash_session_is_busy (session));
  g_assert_true (wait_for (idle, fixture, 120));
  g_test_message ("plugged-in board: %s", esplash_board_row_get_status_text (second));
  g_assert_cmpstr (esplash_flash_session_get_error_message (session), ==, NULL);
  g_assert_cmpint (esplash_flash_session_get_state (session), ==, ESPLASH_SESSION_SUCCEEDED);
  assert_flashed (fixture, new_sim);

  /* Its reset makes its own USB port re-enumerate, under another name:
   * the same board (its serial), followed, not flashed twice. */
  syncs = esplash_sim_count_commands (new_sim, 0x08 /* SYNC */);
  g_assert_cmpuint (syncs, >, 0);
  fake_unplug (&fake, new_url);
  g_assert_true (row_unplugged (second, TRUE, 10));
  g_assert_cmpstr (esplash_board_row_get_status_text (second), ==, "Flashed");
  fake_plug (&fake, new_url_again, TRUE, mac);
  g_assert_true (row_unplugged (second, FALSE, 10));
  g_assert_cmpuint (esplash_production_view_get_n_boards (view), ==, 2);
  g_assert_cmpstr (esplash_port_item_get_id (esplash_flash_session_get_port (session)), ==, new_url_again);
  wait_frames (30);
  g_assert_false (esplash_flash_session_is_busy (session));
  g_assert_cmpuint (esplash_sim_count_commands (new_sim, 0x08), ==, syncs);

  /* A bridge pulled and put back is another board in its place (bridges
   * stay plugged in across resets, and share serials): flashed. */
  fake_unplug (&fake, present_url);
  g_assert_true (row_unplugged (first, TRUE, 10));
  fake_plug (&fake, present_url, FALSE, "0001");
  /* The old row goes and a new one comes (it may take the old one's
   * memory: compare what is alive). */
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

    while (esplash_production_view_get_row (view, 0) != second && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_true (esplash_production_view_get_row (view, 0) == second);
  g_assert_cmpuint (esplash_production_view_get_n_boards (view), ==, 2);
  swapped = esplash_production_view_get_row (view, 1);
  g_assert_true (esplash_flash_session_is_busy (esplash_board_row_get_session (swapped)));
  g_assert_true (wait_for (idle, fixture, 120));
  g_assert_cmpint (esplash_flash_session_get_state (esplash_board_row_get_session (swapped)), ==,
                   ESPLASH_SESSION_SUCCEEDED);
  assert_flashed (fixture, present_sim);

  /* Gone for good: the row leaves after a while; the other stays. */
  fake_unplug (&fake, new_url_again);
  g_assert_true (n_rows_is (view, 1, 20));
  g_assert_true (esplash_production_view_get_row (view, 0) == swapped);

  esplash_port_watch_set_active (watch, FALSE, 0);
  esplash_port_watch_set_lister (watch, NULL, NULL);
  esplash_sim_server_stop (present);
  esplash_sim_server_stop (plugged);
  g_ptr_array_unref (fake.ports);
  g_mutex_clear (&fake.lock);
}

/* ---- a record file that cannot be written ------------------------------ */

static void
test_record_refused (Fixture       *fixture,
                     gconstpointer  data)
{
  EsplashProductionView *view = view_of (fixture);
  g_autofree char *bad = g_build_filename (fixture->dir, "no-such-folder", "record.csv", NULL);
  g_autoptr(GError) error = NULL;

  /* Said when chosen, before any board is flashed; the old file stays. */
  g_assert_false (esplash_production_view_set_record_path (view, bad, &error));
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  g_assert_cmpstr (esplash_production_view_get_record_path (view), ==, fixture->record);
  g_assert_true (esplash_production_view_set_record_path (view, NULL, NULL));
  g_assert_null (esplash_production_view_get_record_path (view));
}

/* ---- nobody to ask: a board plugged in waits, and says why ------------- */

static void
test_auto_refused (void)
{
  EsplashWindow *window = esplash_window_new (NULL, NULL, NULL);
  EsplashProductionView *view = esplash_window_get_production_view (window);
  EsplashFlashSession *session;
  const char *status;

  esplash_window_set_production (window, TRUE);
  esplash_port_watch_set_active (esplash_production_view_get_port_watch (view), FALSE, 0);
  esplash_production_view_set_auto (view, TRUE);
  /* No firmware yet: plugging a board in starts nothing. */
  session = esplash_production_view_add_virtual_board (view, NULL);
  g_assert_false (esplash_flash_session_is_busy (session));
  status = esplash_board_row_get_status_text (esplash_production_view_get_row (view, 0));
  g_test_message ("row: %s", status);
  g_assert_true (g_str_has_prefix (status, "Not flashed automatically: The firmware list is not ready"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- remembered: production mode, automatic flashing, the record ------- */

static void
test_settings (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.esplash.Esplash");
  g_autofree char *gone = g_build_filename (fixture->dir, "removed-drive", "record.csv", NULL);
  EsplashWindow *window;
  EsplashProductionView *view;

  g_settings_set_boolean (settings, "production-mode", TRUE);
  g_settings_set_boolean (settings, "production-auto", TRUE);
  g_settings_set_string (settings, "production-record", fixture->record);
  window = esplash_window_new (NULL, settings, NULL);
  view = esplash_window_get_production_view (window);
  g_assert_true (esplash_window_get_production (window));
  g_assert_true (esplash_production_view_get_auto (view));
  g_assert_cmpstr (esplash_production_view_get_record_path (view), ==, fixture->record);
  esplash_port_watch_set_active (esplash_production_view_get_port_watch (view), FALSE, 0);
  esplash_window_set_production (window, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "production-mode"));
  gtk_window_destroy (GTK_WINDOW (window));

  /* A record file that cannot be written any more is not used silently. */
  g_settings_set_string (settings, "production-record", gone);
  window = esplash_window_new (NULL, settings, NULL);
  view = esplash_window_get_production_view (window);
  g_assert_null (esplash_production_view_get_record_path (view));
  g_settings_reset (settings, "production-record");
  g_settings_reset (settings, "production-auto");
  g_settings_reset (settings, "production-mode");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_no_display (void)
{
  g_test_skip ("no display");
}

int
main (int argc, char **argv)
{
  if (!gui_test_init (&argc, &argv))
    {
      g_test_add_func ("/esplash/gui/production/skipped", test_no_display);
      return g_test_run ();
    }
  g_test_add ("/esplash/gui/production/eight-boards", Fixture, NULL, fixture_set_up,
              test_eight_boards, fixture_tear_down);
  g_test_add ("/esplash/gui/production/auto-and-unplug", Fixture, NULL, fixture_set_up,
              test_auto_and_unplug, fixture_tear_down);
  g_test_add ("/esplash/gui/production/hotplug", Fixture, NULL, fixture_set_up,
              test_hotplug, fixture_tear_down);
  g_test_add ("/esplash/gui/production/record-refused", Fixture, NULL, fixture_set_up,
              test_record_refused, fixture_tear_down);
  g_test_add ("/esplash/gui/production/settings", Fixture, NULL, fixture_set_up,
              test_settings, fixture_tear_down);
  g_test_add_func ("/esplash/gui/production/auto-refused", test_auto_refused);
  return g_test_run ();
}
