/* esplash-sim-main.c: the esplash-sim program — a virtual Espressif board
 * served on 127.0.0.1 (raw TCP or RFC 2217), driven from stdin.
 *
 * Other programs (integration tests, esptool) start it, read the one
 * "listening" line for the port, and may send control commands, one per
 * line on stdin, each answered by one line on stdout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>

#include "esplash-sim.h"
#include "esplash-sim-server.h"

#define EXIT_USAGE 2
/* How often new chip events are appended to the --events file. */
#define EVENTS_POLL_MS 50

typedef struct {
  EsplashSim       *sim;
  EsplashSimServer *server;
  GMainLoop        *loop;
  GDataInputStream *input;
  GCancellable     *cancellable;

  /* --events: the file, and the log as last seen, to find what is new */
  FILE             *events_file;
  GStrv             events_seen;
} App;

typedef struct {
  char     *chip;
  gint      port;
  gboolean  rfc2217;
  char     *console;
  char     *boot;
  char     *flash_size;
  char     *revision;
  char     *mac;
  char     *flash_id;
  gboolean  secure_download;
  char     *unsupported_reply;
  gboolean  timing;
  gboolean  no_auto_reset;
  gint      en_delay_ms;
  gint      max_baud;
  char    **faults;
  gint      fault_every;
  gint      fault_after;
  char    **hostile;
  gint      hostile_after;
  char     *flash_file;
  char     *dump_flash;
  char     *events;
  char     *app_elf;
  gint      app_baud;
} Args;

static void
args_clear (Args *args)
{
  g_free (args->chip);
  g_free (args->console);
  g_free (args->boot);
  g_free (args->flash_size);
  g_free (args->revision);
  g_free (args->flash_id);
  g_free (args->unsupported_reply);
  g_free (args->mac);
  g_strfreev (args->faults);
  g_strfreev (args->hostile);
  g_free (args->flash_file);
  g_free (args->dump_flash);
  g_free (args->events);
  g_free (args->app_elf);
}

static gboolean G_GNUC_PRINTF (1, 2)
usage_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "esplash-sim: %s\n", message);
  return FALSE;
}

static char *
chip_ids (void)
{
  g_autoptr(GString) ids = g_string_new (NULL);
  guint n = 0;
  const EsplashChipInfo *const *chips = esplash_chip_list (&n);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (ids, "%s%s", i > 0 ? ", " : "", chips[i]->id);
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

/* "0.2" → 2, "3.1" → 301, "1" → 100 (major*100 + minor, as eFuses encode it) */
static gboolean
parse_revision (const char *text,
                guint      *revision)
{
  g_auto(GStrv) parts = g_strsplit (text, ".", 0);
  guint64 major = 0, minor = 0;
  guint n = g_strv_length (parts);

  if (n < 1 || n > 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 0, 99, &major, NULL) ||
      (n == 2 && !g_ascii_string_to_unsigned (parts[1], 10, 0, 99, &minor, NULL)))
    return FALSE;
  *revision = (guint) (major * 100 + minor);
  return TRUE;
}

static gboolean
parse_mac (const char *text,
           guint8      mac[6])
{
  g_auto(GStrv) parts = g_strsplit (text, ":", 0);

  if (g_strv_length (parts) != 6)
    return FALSE;
  for (guint i = 0; i < 6; i++)
    {
      guint64 byte;

      if (strlen (parts[i]) != 2 || !g_ascii_string_to_unsigned (parts[i], 16, 0, 0xFF, &byte, NULL))
        return FALSE;
      mac[i] = (guint8) byte;
    }
  return TRUE;
}

static gboolean
parse_faults (char              **names,
              EsplashSimFaults   *faults)
{
  static const struct { const char *name; EsplashSimFaults fault; } table[] = {
    { "drop", ESPLASH_SIM_FAULT_DROP_BYTES },
    { "corrupt", ESPLASH_SIM_FAULT_CORRUPT_BYTES },
    { "stall", ESPLASH_SIM_FAULT_STALL },
    { "disconnect", ESPLASH_SIM_FAULT_DISCONNECT },
    { "wrong-status-len", ESPLASH_SIM_FAULT_WRONG_STATUS_LEN },
  };

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      gboolean known = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (table) && !known; j++)
        if (g_str_equal (names[i], table[j].name))
          {
            *faults |= table[j].fault;
            known = TRUE;
          }
      if (!known)
        return usage_error ("unknown --fault '%s' (use drop, corrupt, stall, disconnect or wrong-status-len)",
                            names[i]);
    }
  return TRUE;
}

static gboolean
parse_hostile (char              **names,
               EsplashSimHostile  *kinds)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    if (!esplash_sim_hostile_parse (names[i], kinds))
      return usage_error ("unknown --hostile '%s' (use oversized, endless, endless-frames, "
                          "bad-escape or unsolicited, or several separated by commas)", names[i]);
  return TRUE;
}

/* Options → sim options; prints the problem and returns FALSE on bad input. */
static gboolean
build_options (const Args        *args,
               EsplashSimOptions *options,
               gboolean          *rfc2217)
{
  const EsplashChipInfo *chip;
  gboolean download;

  if (args->chip == NULL)
    {
      g_autofree char *ids = chip_ids ();
      return usage_error ("--chip is required (one of %s)", ids);
    }
  chip = esplash_chip_from_id (args->chip);
  if (chip == NULL)
    {
      g_autofree char *ids = chip_ids ();
      return usage_error ("unknown --chip '%s' (use one of %s)", args->chip, ids);
    }
  esplash_sim_options_init (options, chip->family);

  if (args->port < 0 || args->port > 65535)
    return usage_error ("--port %d is not a TCP port (0–65535; 0 picks a free one)", args->port);
  *rfc2217 = args->rfc2217;

  if (args->console == NULL || g_str_equal (args->console, "uart"))
    options->console = ESPLASH_CONSOLE_UART;
  else if (g_str_equal (args->console, "usb-otg"))
    options->console = ESPLASH_CONSOLE_USB_OTG;
  else if (g_str_equal (args->console, "usb-jtag"))
    options->console = ESPLASH_CONSOLE_USB_JTAG;
  else
    return usage_error ("unknown --console '%s' (use uart, usb-otg or usb-jtag)", args->console);
  if (options->console == ESPLASH_CONSOLE_USB_OTG && chip->usb_otg_pid == 0)
    return usage_error ("%s has no USB-OTG console (use --console uart)", chip->name);
  if (options->console == ESPLASH_CONSOLE_USB_JTAG && !chip->has_usb_jtag)
    return usage_error ("%s has no USB-Serial/JTAG console (use --console uart)", chip->name);

  /* A raw client has no reset lines: power on in download mode, as a board
   * whose BOOT button is held while it is plugged in. */
  if (args->boot == NULL)
    download = !args->rfc2217;
  else if (g_str_equal (args->boot, "download"))
    download = TRUE;
  else if (g_str_equal (args->boot, "flash"))
    download = FALSE;
  else
    return usage_error ("unknown --boot '%s' (use download or flash)", args->boot);
  options->boot_mode = download ? ESPLASH_SIM_BOOT_DOWNLOAD : ESPLASH_SIM_BOOT_FLASH;

  if (args->flash_size != NULL)
    {
      options->flash_size = esplash_flash_size_parse (args->flash_size);
      if (options->flash_size == 0)
        return usage_error ("--flash-size '%s' is not a flash size (e.g. 2MB, 4MB, 16MB)", args->flash_size);
    }
  if (args->revision != NULL && !parse_revision (args->revision, &options->revision))
    return usage_error ("--revision '%s' is not MAJOR.MINOR (e.g. 0.2 or 3.1)", args->revision);
  if (args->mac != NULL && !parse_mac (args->mac, options->mac))
    return usage_error ("--mac '%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", args->mac);

  if (args->flash_id != NULL)
    {
      char *end = NULL;
      guint64 id = g_ascii_strtoull (args->flash_id, &end, 16);

      if (end == args->flash_id || *end != '\0' || id > 0xFFFFFF)
        return usage_error ("--flash-id '%s' is not a 24-bit hex JEDEC id as read into W0 "
                            "(e.g. 1640c8; ffffff = no flash answering)", args->flash_id);
      options->flash_id = (guint32) id;
    }

  /* Secure Download Mode exists from the ESP32-S2 on. */
  if (args->secure_download && !chip->has_security_info)
    return usage_error ("%s has no Secure Download Mode", chip->name);
  options->secure_download_mode = args->secure_download;
  if (args->unsupported_reply == NULL || g_str_equal (args->unsupported_reply, "repeated"))
    options->single_unsupported_reply = FALSE;
  else if (g_str_equal (args->unsupported_reply, "single"))
    options->single_unsupported_reply = TRUE;
  else
    return usage_error ("--unsupported-reply '%s': use repeated (the real ROMs) or single",
                        args->unsupported_reply);
  options->timing = args->timing;
  options->auto_reset_circuit = !args->no_auto_reset;
  if (args->en_delay_ms >= 0)
    options->en_delay_ms = (guint) args->en_delay_ms;
  if (args->max_baud < -1)
    return usage_error ("--max-baud must not be negative (0: no limit)");
  if (args->max_baud >= 0)
    options->max_baud = (guint) args->max_baud;

  if (!parse_faults (args->faults, &options->faults))
    return FALSE;
  if (args->fault_every == 0 || args->fault_every < -1)
    return usage_error ("--fault-every must be at least 1");
  if (args->fault_every > 0)
    options->fault_every = (guint) args->fault_every;
  if (args->fault_after < -1)
    return usage_error ("--fault-after must not be negative");
  if (args->fault_after >= 0)
    options->fault_after = (guint) args->fault_after;

  if (!parse_hostile (args->hostile, &options->hostile))
    return FALSE;
  if (args->hostile_after < -1)
    return usage_error ("--hostile-after must not be negative");
  if (args->hostile_after >= 0)
    options->hostile_after = (guint) args->hostile_after;

  if (args->app_elf != NULL && !g_file_test (args->app_elf, G_FILE_TEST_IS_REGULAR))
    return usage_error ("--app-elf %s is not a file (the application's ELF, e.g. build/app.elf)",
                        args->app_elf);
  options->app_elf = args->app_elf;
  if (args->app_baud < 0)
    return usage_error ("--app-baud must not be negative (0: 115200)");
  options->app_baud = (guint) args->app_baud;
  return TRUE;
}

/* ------------------------------------------------------------- events */

/* The chip keeps a bounded log (oldest dropped), so new lines are found by
 * where the previously seen tail lines up with the current log. */
static guint
count_new_events (GStrv seen,
                  GStrv now)
{
  guint n_seen = seen != NULL ? g_strv_length (seen) : 0;
  guint n_now = g_strv_length (now);

  for (guint dropped = 0; dropped <= n_seen; dropped++)
    {
      guint overlap = n_seen - dropped;
      gboolean match = overlap <= n_now;

      for (guint i = 0; match && i < overlap; i++)
        match = g_str_equal (seen[dropped + i], now[i]);
      if (match)
        return n_now - overlap;
    }
  return n_now;
}

static void
write_new_events (App *app)
{
  g_auto(GStrv) now = NULL;
  guint n_new;
  guint n_now;

  if (app->events_file == NULL)
    return;
  now = esplash_sim_dup_events (app->sim);
  n_now = g_strv_length (now);
  n_new = count_new_events (app->events_seen, now);
  for (guint i = n_now - n_new; i < n_now; i++)
    fprintf (app->events_file, "%s\n", now[i]);
  if (n_new > 0)
    fflush (app->events_file);
  g_strfreev (app->events_seen);
  app->events_seen = g_steal_pointer (&now);
}

static gboolean
events_tick_cb (gpointer user_data)
{
  write_new_events (user_data);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------ control */

static void
reply (const char *format,
       ...) G_GNUC_PRINTF (1, 2);

static void
reply (const char *format,
       ...)
{
  va_list args;

  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
}

static gboolean
parse_number (const char *text,
              guint32    *value)
{
  guint64 v;
  gboolean hex = g_str_has_prefix (text, "0x") || g_str_has_prefix (text, "0X");

  if (!g_ascii_string_to_unsigned (hex ? text + 2 : text, hex ? 16 : 10, 0, G_MAXUINT32, &v, NULL))
    return FALSE;
  *value = (guint32) v;
  return TRUE;
}

static gboolean
dump_flash (EsplashSim  *sim,
            guint32      address,
            guint32      size,
            const char  *path,
            GError     **error)
{
  g_autoptr(GBytes) bytes = esplash_sim_dup_flash (sim, address, size);

  if (bytes == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "0x%x bytes at 0x%x do not fit in the 0x%x-byte flash",
                   size, address, esplash_sim_get_flash_size (sim));
      return FALSE;
    }
  return g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), error);
}

static void
run_command (App  *app,
             char *line)
{
  g_auto(GStrv) argv = g_strsplit_set (g_strstrip (line), " \t", 0);
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  const char *cmd;

  for (guint i = 0; argv[i] != NULL; i++)
    if (argv[i][0] != '\0')
      g_ptr_array_add (words, argv[i]);
  if (words->len == 0)
    return;   /* blank line: nothing asked, nothing answered */
  cmd = words->pdata[0];

  if (g_str_equal (cmd, "state") && words->len == 1)
    {
      reply ("state %s", esplash_sim_state_name (esplash_sim_get_state (app->sim)));
    }
  else if (g_str_equal (cmd, "boot-held") && words->len == 2 &&
           (g_str_equal (words->pdata[1], "0") || g_str_equal (words->pdata[1], "1")))
    {
      esplash_sim_set_boot_held (app->sim, g_str_equal (words->pdata[1], "1"));
      reply ("ok");
    }
  else if (g_str_equal (cmd, "press-reset") && words->len == 1)
    {
      esplash_sim_press_reset (app->sim);
      reply ("ok");
    }
  else if (g_str_equal (cmd, "power-cycle") && words->len == 1)
    {
      esplash_sim_power_cycle (app->sim);
      reply ("ok");
    }
  else if (g_str_equal (cmd, "unplug") && words->len == 1)
    {
      esplash_sim_unplug (app->sim);
      reply ("ok");
    }
  else if (g_str_equal (cmd, "dump-flash"))
    {
      g_autoptr(GError) error = NULL;
      guint32 address, size;

      if (words->len != 4 || !parse_number (words->pdata[1], &address) ||
          !parse_number (words->pdata[2], &size))
        reply ("error: usage: dump-flash ADDR SIZE PATH (ADDR and SIZE in hex 0x… or decimal)");
      else if (!dump_flash (app->sim, address, size, words->pdata[3], &error))
        reply ("error: %s", error->message);
      else
        reply ("ok");
    }
  else if (g_str_equal (cmd, "events") && words->len == 1)
    {
      g_auto(GStrv) events = esplash_sim_dup_events (app->sim);

      for (guint i = 0; events[i] != NULL; i++)
        printf ("%s\n", events[i]);
      reply ("end");
    }
  else if (g_str_equal (cmd, "stats") && words->len == 1)
    {
      EsplashSimStats stats;

      esplash_sim_get_stats (app->sim, &stats);
      reply ("stats host-to-chip=%" G_GUINT64_FORMAT " chip-to-host=%" G_GUINT64_FORMAT
             " busy-us=%" G_GINT64_FORMAT " baud=%u hostile-frames=%" G_GUINT64_FORMAT
             " hostile-bytes=%" G_GUINT64_FORMAT, stats.host_to_chip, stats.chip_to_host,
             stats.busy_us, esplash_sim_get_baud (app->sim), stats.hostile_frames,
             stats.hostile_bytes);
    }
  else if (g_str_equal (cmd, "panic") && words->len == 1)
    {
      EsplashSimState state = esplash_sim_get_state (app->sim);

      if (state != ESPLASH_SIM_STATE_APP)
        reply ("error: no application running (state %s)", esplash_sim_state_name (state));
      else
        {
          esplash_sim_panic (app->sim);
          reply ("ok");
        }
    }
  else if (g_str_equal (cmd, "flood") && words->len == 2 &&
           (g_str_equal (words->pdata[1], "0") || g_str_equal (words->pdata[1], "1")))
    {
      esplash_sim_set_app_flood (app->sim, g_str_equal (words->pdata[1], "1"));
      reply ("ok");
    }
  else if (g_str_equal (cmd, "quit") && words->len == 1)
    {
      g_main_loop_quit (app->loop);
    }
  else
    {
      reply ("error: unknown command");
    }
}

static void read_next_line (App *app);

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                      result, NULL, &error);

  if (line == NULL)
    {
      /* EOF (e.g. stdin is /dev/null) does not stop the board; only
       * "quit" or a signal does. */
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr ("esplash-sim: reading commands from stdin: %s\n", error->message);
      return;
    }
  run_command (app, line);
  read_next_line (app);
}

static void
read_next_line (App *app)
{
  g_data_input_stream_read_line_async (app->input, G_PRIORITY_DEFAULT, app->cancellable,
                                       line_read_cb, app);
}

static gboolean
quit_signal_cb (gpointer user_data)
{
  App *app = user_data;

  g_main_loop_quit (app->loop);
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------- main */

static gboolean
load_flash_file (EsplashSim  *sim,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, error);
  g_autoptr(GBytes) bytes = NULL;

  if (file == NULL)
    return FALSE;
  bytes = g_mapped_file_get_bytes (file);
  if (g_bytes_get_size (bytes) > esplash_sim_get_flash_size (sim))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s is %zu bytes, larger than the %u-byte flash (use --flash-size)",
                   path, g_bytes_get_size (bytes), esplash_sim_get_flash_size (sim));
      return FALSE;
    }
  esplash_sim_load_flash (sim, 0, bytes);
  return TRUE;
}

static int
run (const Args *args)
{
  EsplashSimOptions options;
  gboolean rfc2217 = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GInputStream) stdin_stream = NULL;
  App app = { 0 };
  guint sigint_id, sigterm_id, events_id = 0;
  int status = EXIT_SUCCESS;

  if (!build_options (args, &options, &rfc2217))
    return EXIT_USAGE;

  if (args->events != NULL)
    {
      app.events_file = fopen (args->events, "a");
      if (app.events_file == NULL)
        {
          fprintf (stderr, "esplash-sim: cannot open --events file %s: %s\n", args->events, g_strerror (errno));
          return EXIT_USAGE;
        }
    }

  app.sim = esplash_sim_new (&options);
  if (args->flash_file != NULL)
    {
      if (!load_flash_file (app.sim, args->flash_file, &error))
        {
          fprintf (stderr, "esplash-sim: --flash-file: %s\n", error->message);
          g_clear_object (&app.sim);
          g_clear_pointer (&app.events_file, fclose);
          return EXIT_USAGE;
        }
      /* The chip booted when it was created, from an empty flash: boot
       * again so a flash boot runs what was just loaded. */
      if (options.boot_mode == ESPLASH_SIM_BOOT_FLASH)
        esplash_sim_power_cycle (app.sim);
    }

  app.server = esplash_sim_server_new (app.sim, rfc2217, (guint16) args->port, &error);
  if (app.server == NULL)
    {
      fprintf (stderr, "esplash-sim: %s\n", error->message);
      g_clear_object (&app.sim);
      g_clear_pointer (&app.events_file, fclose);
      return EXIT_USAGE;
    }

  printf ("esplash-sim: %s listening on 127.0.0.1:%u (%s)\n",
          esplash_chip_get (options.family)->id, esplash_sim_server_get_port (app.server),
          rfc2217 ? "rfc2217" : "raw");
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  app.cancellable = g_cancellable_new ();
  stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  app.input = g_data_input_stream_new (stdin_stream);
  g_data_input_stream_set_newline_type (app.input, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  read_next_line (&app);

  sigint_id = g_unix_signal_add (SIGINT, quit_signal_cb, &app);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_signal_cb, &app);
  if (app.events_file != NULL)
    events_id = g_timeout_add (EVENTS_POLL_MS, events_tick_cb, &app);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (events_id != 0)
    g_source_remove (events_id);
  g_cancellable_cancel (app.cancellable);
  esplash_sim_server_stop (app.server);

  write_new_events (&app);
  if (args->dump_flash != NULL &&
      !dump_flash (app.sim, 0, esplash_sim_get_flash_size (app.sim), args->dump_flash, &error))
    {
      fprintf (stderr, "esplash-sim: --dump-flash: %s\n", error->message);
      status = EXIT_FAILURE;
    }

  /* Let the cancelled read finish before the stream goes away. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&app.input);
  g_clear_object (&app.cancellable);
  g_clear_object (&app.server);
  g_clear_object (&app.sim);
  g_clear_pointer (&app.events_seen, g_strfreev);
  g_clear_pointer (&app.events_file, fclose);
  return status;
}

int
main (int argc, char **argv)
{
  Args args = { .port = 0, .en_delay_ms = -1, .max_baud = -1, .fault_every = -1, .fault_after = -1,
                .hostile_after = -1, .app_baud = 0 };
  const GOptionEntry entries[] = {
    { "chip", 0, 0, G_OPTION_ARG_STRING, &args.chip, "Chip to simulate (esp8266, esp32, esp32s3 …; required)", "CHIP" },
    { "port", 0, 0, G_OPTION_ARG_INT, &args.port, "TCP port on 127.0.0.1 (default 0: any free port)", "N" },
    { "rfc2217", 0, 0, G_OPTION_ARG_NONE, &args.rfc2217, "Serve RFC 2217 (rfc2217://) instead of raw bytes (socket://)", NULL },
    { "console", 0, 0, G_OPTION_ARG_STRING, &args.console, "Console the host is on: uart (default), usb-otg, usb-jtag", "KIND" },
    { "boot", 0, 0, G_OPTION_ARG_STRING, &args.boot, "Power-on boot: download or flash (default: download raw, flash RFC 2217)", "MODE" },
    { "flash-size", 0, 0, G_OPTION_ARG_STRING, &args.flash_size, "Flash size (default 4MB)", "SIZE" },
    { "revision", 0, 0, G_OPTION_ARG_STRING, &args.revision, "Chip revision, e.g. 0.2 or 3.1", "MAJOR.MINOR" },
    { "mac", 0, 0, G_OPTION_ARG_STRING, &args.mac, "MAC address", "aa:bb:cc:dd:ee:ff" },
    { "flash-id", 0, 0, G_OPTION_ARG_STRING, &args.flash_id, "RDID answer in W0 order, hex (default from the flash size)", "HEX" },
    { "secure-download", 0, 0, G_OPTION_ARG_NONE, &args.secure_download, "Secure download mode", NULL },
    { "unsupported-reply", 0, 0, G_OPTION_ARG_STRING, &args.unsupported_reply, "ROM answer to an unknown command: repeated (default: 8 invalid-message frames with command byte 0, as real ROMs) or single (one frame echoing the opcode)", "KIND" },
    { "timing", 0, 0, G_OPTION_ARG_NONE, &args.timing, "Model wire time, erase and program costs", NULL },
    { "no-auto-reset", 0, 0, G_OPTION_ARG_NONE, &args.no_auto_reset, "DTR/RTS not wired to EN and the strap pin", NULL },
    { "en-delay-ms", 0, 0, G_OPTION_ARG_INT, &args.en_delay_ms, "EN capacitor: strap sampled this long after EN rises (default 5)", "N" },
    { "max-baud", 0, 0, G_OPTION_ARG_INT, &args.max_baud, "Fastest rate the UART bridge holds; above it 1 byte in 64 arrives wrong (default 921600, 0: no limit)", "N" },
    { "fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args.faults, "Inject a fault: drop, corrupt, stall, disconnect, wrong-status-len (repeatable)", "FAULT" },
    { "fault-every", 0, 0, G_OPTION_ARG_INT, &args.fault_every, "drop/corrupt: one byte in N (default 1000)", "N" },
    { "fault-after", 0, 0, G_OPTION_ARG_INT, &args.fault_after, "stall/disconnect: after N commands", "N" },
    { "hostile", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args.hostile, "Break the protocol: oversized, endless, endless-frames, bad-escape, unsolicited (repeatable or comma-separated)", "KIND" },
    { "hostile-after", 0, 0, G_OPTION_ARG_INT, &args.hostile_after, "hostile: answer the first N commands normally (default 0)", "N" },
    { "flash-file", 0, 0, G_OPTION_ARG_FILENAME, &args.flash_file, "Load this file into the flash at offset 0", "PATH" },
    { "dump-flash", 0, 0, G_OPTION_ARG_FILENAME, &args.dump_flash, "Write the whole flash here at exit", "PATH" },
    { "events", 0, 0, G_OPTION_ARG_FILENAME, &args.events, "Append the chip's event lines to this file as they happen", "PATH" },
    { "app-elf", 0, 0, G_OPTION_ARG_FILENAME, &args.app_elf, "The application's ELF: a panic's addresses point into its functions, its SHA-256 is printed", "PATH" },
    { "app-baud", 0, 0, G_OPTION_ARG_INT, &args.app_baud, "The application's console baud (default 115200; above --max-baud also give --max-baud 0)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- a virtual Espressif board on a TCP port");
  g_autoptr(GError) error = NULL;
  int status;

  /* A reader that goes away must not kill us mid-write. */
  signal (SIGPIPE, SIG_IGN);
  /* stdout carries the control protocol: debug logs go to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Commands on stdin, one per line: state, boot-held 0|1, press-reset, power-cycle,\n"
    "unplug, dump-flash ADDR SIZE PATH, events, stats, panic (the running application\n"
    "crashes and the chip reboots), flood 0|1 (the application prints numbered lines\n"
    "back to back), quit.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "esplash-sim: %s\n", error->message);
      args_clear (&args);
      return EXIT_USAGE;
    }
  if (argc > 1)
    {
      fprintf (stderr, "esplash-sim: unexpected argument '%s'\n", argv[1]);
      args_clear (&args);
      return EXIT_USAGE;
    }

  status = run (&args);
  args_clear (&args);
  return status;
}
