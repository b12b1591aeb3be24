/* esplash-cli.c: the esplash-cli program — esptool's commands over the core.
 *
 * Options are parsed per command (global options may come before or after
 * the command name); every input is read and checked before the port is
 * opened; the device session runs on a worker thread so Ctrl-C can cancel
 * it from the main loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "esplash-cli-private.h"

/* Global options that take a value as the next argument: skipped when
 * looking for the command name. */
static const char *const value_options[] = {
  "-p", "--port", "-b", "--baud", "-c", "--chip", "--before", "--after", "--stub-dir",
  "--flash-mode", "--flash-freq", "--flash-size", "--elf", "--monitor-baud", "--record",
};

typedef struct {
  CliContext   *ctx;
  GMainLoop    *loop;
  GCancellable *cancellable;
  GError       *error;
  gboolean      finished;
  guint         signals;       /* how many SIGINT/SIGTERM arrived */
} Session;

/* Numbers: addresses and sizes on the command line. */

static gboolean
parse_number (const char *text,
              guint64     max,
              guint64    *value)
{
  gboolean hex = g_ascii_strncasecmp (text, "0x", 2) == 0;

  if (text[0] == '\0' || text[0] == '-' || text[0] == '+' || (hex && text[2] == '\0'))
    return FALSE;
  return g_ascii_string_to_unsigned (hex ? text + 2 : text, hex ? 16 : 10, 0, max, value, NULL);
}

gboolean
cli_parse_address (const char  *text,
                   guint32     *value,
                   GError     **error)
{
  guint64 v;

  if (!parse_number (text, G_MAXUINT32, &v))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Invalid address “%s”: use 0x-prefixed hex or decimal (e.g. 0x10000)", text);
      return FALSE;
    }
  *value = (guint32) v;
  return TRUE;
}

gboolean
cli_parse_size (const char  *text,
                guint32     *value,
                GError     **error)
{
  static const struct { const char *suffix; guint64 factor; } units[] = {
    { "KiB", 1024 }, { "KB", 1024 }, { "K", 1024 },
    { "MiB", 1024 * 1024 }, { "MB", 1024 * 1024 }, { "M", 1024 * 1024 },
  };
  g_autofree char *number = g_strdup (text);
  guint64 factor = 1, v;
  gsize len = strlen (number);

  /* Hex digits never end in K or M, so a suffix is never part of "0x…". */
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      gsize slen = strlen (units[i].suffix);

      if (len > slen && g_ascii_strcasecmp (number + len - slen, units[i].suffix) == 0 &&
          !(slen == 2 && g_ascii_strncasecmp (number, "0x", 2) == 0 &&
            g_ascii_tolower (units[i].suffix[1]) == 'b'))
        {
          number[len - slen] = '\0';
          factor = units[i].factor;
          break;
        }
    }
  if (!parse_number (number, G_MAXUINT32, &v) || v * factor > G_MAXUINT32)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Invalid size “%s”: use 0x-prefixed hex, decimal, or a size such as "
                   "64k, 1M or 4MB (below 4 GiB)", text);
      return FALSE;
    }
  *value = (guint32) (v * factor);
  return TRUE;
}

static void
context_clear (CliContext *ctx)
{
  g_strfreev (ctx->ports);
  g_free (ctx->baud);
  g_free (ctx->chip);
  g_free (ctx->before);
  g_free (ctx->after);
  g_free (ctx->stub_dir);
  g_free (ctx->flash_mode);
  g_free (ctx->flash_freq);
  g_free (ctx->flash_size);
  g_free (ctx->monitor_baud);
  g_free (ctx->elf);
  g_free (ctx->port_used);
  g_free (ctx->record);
  g_free (ctx->usb_serial);
  g_strfreev (ctx->args);
  g_strfreev (ctx->argv);
  g_clear_pointer (&ctx->regions, g_ptr_array_unref);
  g_free (ctx->path);
  g_clear_object (&ctx->result);
  g_clear_object (&ctx->plan);
  g_clear_object (&ctx->bundle);
  g_clear_pointer (&ctx->pair_paths, g_hash_table_unref);
  g_clear_pointer (&ctx->pair_addresses, g_array_unref);
  g_clear_pointer (&ctx->diff_with, g_strfreev);
  g_clear_pointer (&ctx->diff_bytes, g_ptr_array_unref);
  g_strfreev (ctx->plan_lines);
  g_clear_pointer (&ctx->diagnosis, esplash_diagnosis_free);
  g_clear_pointer (&ctx->out, cli_output_free);
}

static char *
usage_hint (const CliCommand *command)
{
  if (command == NULL)
    return g_strdup ("Run 'esplash-cli --help' for the list of commands.");
  return g_strdup_printf ("Run 'esplash-cli %s --help' for its usage.", command->name);
}

static gboolean
is_usage_error (const GError *error)
{
  return error->domain == G_OPTION_ERROR ||
         g_error_matches (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT);
}

static char *
command_list_text (void)
{
  GString *text = g_string_new ("Commands:\n");
  guint n;
  const CliCommand *commands = cli_command_list (&n);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "  %-14s %s\n", commands[i].name, commands[i].summary);
  g_string_append (text, "\nRun 'esplash-cli COMMAND --help' for the options of a command.");
  return g_string_free (text, FALSE);
}

/* The first argument that is neither an option nor an option's value. */
static gint
find_command_index (int    argc,
                    char **argv)
{
  for (gint i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      gboolean takes_value = FALSE;

      if (strcmp (arg, "--") == 0)
        return i + 1 < argc ? i + 1 : -1;
      if (arg[0] != '-' || arg[1] == '\0')
        return i;
      for (guint k = 0; k < G_N_ELEMENTS (value_options); k++)
        if (strcmp (arg, value_options[k]) == 0)
          takes_value = TRUE;
      if (takes_value)
        i++;
    }
  return -1;
}

static GOptionContext *
build_option_context (CliContext       *ctx,
                      const CliCommand *command)
{
  const GOptionEntry global_entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &ctx->ports,
      "Serial port, socket://HOST:PORT or rfc2217://HOST:PORT (default: the only ESP-looking "
      "port); write-flash: repeat to flash several boards at once",
      "PORT" },
    { "baud", 'b', 0, G_OPTION_ARG_STRING, &ctx->baud,
      "Baud rate after connecting (default 460800; syncing is always at 115200), or auto: "
      "the fastest the line holds", "BAUD" },
    { "chip", 'c', 0, G_OPTION_ARG_STRING, &ctx->chip,
      "Expected chip: auto (default), esp8266, esp32, esp32s2, esp32s3, esp32c3 …", "CHIP" },
    { "before", 0, 0, G_OPTION_ARG_STRING, &ctx->before,
      "Before connecting: default-reset, usb-reset, no-reset, no-reset-no-sync", "WHAT" },
    { "after", 0, 0, G_OPTION_ARG_STRING, &ctx->after,
      "After the command: hard-reset (default), watchdog-reset, no-reset, no-reset-stub", "WHAT" },
    { "no-stub", 0, 0, G_OPTION_ARG_NONE, &ctx->no_stub,
      "Talk to the ROM loader only (no flasher stub)", NULL },
    { "stub-dir", 0, 0, G_OPTION_ARG_FILENAME, &ctx->stub_dir,
      "Look for the flasher stubs in DIR first", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &ctx->json,
      "Print one JSON object per event and a final result object", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &ctx->verbose, "Print debug messages", NULL },
    { NULL }
  };
  const GOptionEntry write_entries[] = {
    { "no-compress", 'u', 0, G_OPTION_ARG_NONE, &ctx->no_compress,
      "Send the data uncompressed", NULL },
    { "no-skip", 0, 0, G_OPTION_ARG_NONE, &ctx->no_skip,
      "Write every sector, even those the flash holds already (compared by MD5)", NULL },
    { "diff-with", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &ctx->diff_with,
      "The file written last at an ADDRESS FILE pair's address (repeat, in the pairs' order; "
      "skip for none): compared instead of asking the chip", "FILE" },
    { "no-verify", 0, 0, G_OPTION_ARG_NONE, &ctx->no_verify,
      "Do not compare the flash MD5 with the files after writing", NULL },
    { "erase-all", 'e', 0, G_OPTION_ARG_NONE, &ctx->erase_all,
      "Erase the whole flash first (needs the stub)", NULL },
    { "flash-mode", 0, 0, G_OPTION_ARG_STRING, &ctx->flash_mode,
      "Bootloader flash mode: keep (default), qio, qout, dio, dout", "MODE" },
    { "flash-freq", 0, 0, G_OPTION_ARG_STRING, &ctx->flash_freq,
      "Bootloader flash frequency: keep (default), 80m, 40m, 26m, 20m …", "FREQ" },
    { "flash-size", 0, 0, G_OPTION_ARG_STRING, &ctx->flash_size,
      "Flash size: keep (default), detect, 4MB …", "SIZE" },
    { NULL }
  };
  const GOptionEntry monitor_entries[] = {
    { "elf", 0, 0, G_OPTION_ARG_FILENAME, &ctx->elf,
      "The app's ELF, to decode a crash's addresses (write-flash: found beside the build "
      "when not given)", "FILE" },
    { NULL }
  };
  const GOptionEntry monitor_only_entries[] = {
    { "no-reset", 0, 0, G_OPTION_ARG_NONE, &ctx->no_reset,
      "Do not reset the board at start (default: reset it, to watch it boot)", NULL },
    { NULL }
  };
  const GOptionEntry write_monitor_entries[] = {
    { "monitor", 0, 0, G_OPTION_ARG_NONE, &ctx->monitor,
      "After flashing, show the board's output (as the monitor command)", NULL },
    { "monitor-baud", 0, 0, G_OPTION_ARG_STRING, &ctx->monitor_baud,
      "The app's console rate for --monitor (default 115200)", "BAUD" },
    { NULL }
  };
  const GOptionEntry record_entries[] = {
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &ctx->record,
      "Append a line about this flash (time, port, chip, MAC, flash, SHA-256 of each image, "
      "result) to FILE: CSV if it ends in .csv, else JSON Lines", "FILE" },
    { "all-ports", 0, 0, G_OPTION_ARG_NONE, &ctx->all_ports,
      "Flash every port that looks like an ESP board, all at once", NULL },
    { NULL }
  };
  const GOptionEntry plan_entries[] = {
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &ctx->dry_run,
      "Print the plan (what goes where, and why) and check it; open no port", NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &ctx->force,
      "Write even what the checks refuse but allow overriding (another chip's image, "
      "a revision mismatch, a damaged checksum …)", NULL },
    { NULL }
  };
  g_autofree char *parameters = NULL;
  GOptionContext *context;

  if (command != NULL)
    parameters = g_strdup_printf ("%s%s%s", command->name,
                                  command->parameters[0] != '\0' ? " " : "",
                                  command->parameters);
  else
    parameters = g_strdup ("COMMAND [ARGS…]");
  context = g_option_context_new (parameters);
  g_option_context_set_summary (context, command != NULL ? command->summary
                                                          : "Flash Espressif chips.");
  if (command == NULL)
    {
      g_autofree char *list = command_list_text ();
      g_option_context_set_description (context, list);
    }
  else if (command->description != NULL)
    {
      g_option_context_set_description (context, command->description);
    }
  g_option_context_add_main_entries (context, global_entries, NULL);
  if (command != NULL && command->write_options)
    g_option_context_add_main_entries (context, write_entries, NULL);
  if (command != NULL && command->plan_options)
    g_option_context_add_main_entries (context, plan_entries, NULL);
  if (command != NULL && command->prepare == cli_prepare_write)
    g_option_context_add_main_entries (context, record_entries, NULL);
  if (command != NULL && command->monitor_options)
    {
      g_option_context_add_main_entries (context, monitor_entries, NULL);
      g_option_context_add_main_entries (context, command->needs_device ? write_monitor_entries
                                                                         : monitor_only_entries,
                                         NULL);
    }
  return context;
}

static gboolean
resolve_globals (CliContext  *ctx,
                 GError     **error)
{
  esplash_connect_options_init (&ctx->connect);
  ctx->after_value = ESPLASH_AFTER_HARD_RESET;

  if (ctx->before != NULL && !esplash_before_from_string (ctx->before, &ctx->connect.before))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Unknown --before “%s”: use default-reset, usb-reset, no-reset or "
                   "no-reset-no-sync", ctx->before);
      return FALSE;
    }
  if (ctx->after != NULL && !esplash_after_from_string (ctx->after, &ctx->after_value))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Unknown --after “%s”: use hard-reset, watchdog-reset, no-reset or "
                   "no-reset-stub", ctx->after);
      return FALSE;
    }
  if (ctx->chip != NULL && g_ascii_strcasecmp (ctx->chip, "auto") != 0)
    {
      ctx->chip_info = esplash_chip_from_id (ctx->chip);
      if (ctx->chip_info == NULL)
        {
          g_autoptr(GString) ids = g_string_new (NULL);
          guint n;
          const EsplashChipInfo *const *chips = esplash_chip_list (&n);

          for (guint i = 0; i < n; i++)
            g_string_append_printf (ids, "%s%s", i > 0 ? ", " : "", chips[i]->id);
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                       "Unknown --chip “%s”: use auto or one of %s", ctx->chip, ids->str);
          return FALSE;
        }
      ctx->connect.chip = ctx->chip_info->family;
    }
  ctx->connect.baud = CLI_DEFAULT_BAUD;
  if (g_strcmp0 (ctx->baud, "auto") == 0)
    {
      ctx->connect.baud = 0;
      ctx->connect.auto_baud = TRUE;
    }
  else if (ctx->baud != NULL)
    {
      guint64 baud = 0;

      if (!g_ascii_string_to_unsigned (ctx->baud, 10, 300, 12000000, &baud, NULL))
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                       "Invalid --baud “%s”: use a rate such as 115200 or 460800, or auto",
                       ctx->baud);
          return FALSE;
        }
      ctx->connect.baud = (guint) baud;
    }
  ctx->connect.no_stub = ctx->no_stub;
  ctx->connect.stub_dir = ctx->stub_dir;
  return TRUE;
}

/* The device session, on a worker thread. A failure is diagnosed before
 * the port closes, while the device still holds what it saw. */
static gboolean
run_session (CliContext             *ctx,
             const char             *url,
             const EsplashPortInfo  *info,
             GCancellable           *cancellable,
             GError                **error)
{
  g_autoptr(EsplashTransport) transport = NULL;
  g_autoptr(EsplashDevice) device = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *baud_key = NULL;
  EsplashConnectOptions connect;
  gboolean ok;

  transport = esplash_transport_open (url, &local_error);
  if (transport == NULL)
    {
      ctx->diagnosis = cli_diagnose_failure (ctx, url, info, NULL, NULL, local_error, cancellable);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  device = esplash_device_new (transport);
  esplash_device_set_event_func (device, cli_output_event, ctx->out, NULL);

  /* -b auto: start at the rate found last time on this adapter. */
  connect = ctx->connect;
  if (connect.auto_baud)
    {
      baud_key = info != NULL ? esplash_port_info_dup_adapter_key (info) : g_strdup (url);
      connect.baud = cli_baud_memory_lookup (baud_key);
    }
  ok = esplash_device_connect (device, &connect, cancellable, &local_error);
  if (ok && baud_key != NULL)
    cli_baud_memory_store (baud_key, esplash_transport_get_baud (transport));
  ok = ok &&
       ctx->command->run (ctx, device, cancellable, &local_error) &&
       esplash_device_leave (device, ctx->after_value, cancellable, &local_error);
  /* A refused plan is the firmware's problem, and says so itself. */
  if (ok)
    ctx->diagnosis = cli_diagnose_success (ctx, device);
  else if (ctx->refusal_exit == 0)
    ctx->diagnosis = cli_diagnose_failure (ctx, url, info, transport, device, local_error,
                                           cancellable);
  /* On failure or cancellation the port is closed as it is: no reset. */
  esplash_device_close (device);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

/* For --record: the USB serial of a local port, when it has one. */
static char *
find_usb_serial (const char            *url,
                 const EsplashPortInfo *info)
{
  g_autoptr(GPtrArray) ports = NULL;

  if (info != NULL)
    return g_strdup (info->serial);
  if (strstr (url, "://") != NULL)
    return NULL;
  ports = esplash_port_list (NULL);
  for (guint i = 0; ports != NULL && i < ports->len; i++)
    {
      const EsplashPortInfo *p = g_ptr_array_index (ports, i);

      if (g_strcmp0 (p->path, url) == 0)
        return g_strdup (p->serial);
    }
  return NULL;
}

static void
session_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Session *session = task_data;
  g_autoptr(EsplashPortInfo) info = NULL;
  g_autofree char *url = NULL;
  gboolean diagnose = FALSE;
  GError *error = NULL;

  url = cli_resolve_port_info (session->ctx, &info, &diagnose, &error);
  if (url == NULL && diagnose)
    session->ctx->diagnosis = cli_diagnose_failure (session->ctx, NULL, NULL, NULL, NULL, error,
                                                    cancellable);
  if (url != NULL)
    session->ctx->port_used = g_strdup (url);
  if (url != NULL && session->ctx->record != NULL)
    session->ctx->usb_serial = find_usb_serial (url, info);
  if (url == NULL || !run_session (session->ctx, url, info, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
session_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Session *session = user_data;

  g_task_propagate_boolean (G_TASK (result), &session->error);
  session->finished = TRUE;
  g_main_loop_quit (session->loop);
}

static gboolean
signal_cb (gpointer user_data)
{
  Session *session = user_data;

  /* A second Ctrl-C does not wait for the worker. */
  if (++session->signals > 1)
    {
      cli_output_cancelled (session->ctx->out);
      _exit (CLI_EXIT_CANCELLED);
    }
  g_cancellable_cancel (session->cancellable);
  return G_SOURCE_CONTINUE;
}

static gboolean
run_with_device (CliContext  *ctx,
                 GError     **error)
{
  Session session = { ctx };
  g_autoptr(GTask) task = NULL;
  guint sigint, sigterm;

  session.loop = g_main_loop_new (NULL, FALSE);
  session.cancellable = g_cancellable_new ();
  sigint = g_unix_signal_add (SIGINT, signal_cb, &session);
  sigterm = g_unix_signal_add (SIGTERM, signal_cb, &session);

  task = g_task_new (NULL, session.cancellable, session_done_cb, &session);
  g_task_set_task_data (task, &session, NULL);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, session_thread);
  g_clear_object (&task);
  while (!session.finished)
    g_main_loop_run (session.loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_main_loop_unref (session.loop);
  g_object_unref (session.cancellable);
  if (session.error != NULL)
    {
      g_propagate_error (error, session.error);
      return FALSE;
    }
  return TRUE;
}

static int
finish (CliContext   *ctx,
        GError       *error)
{
  g_autofree char *hint = NULL;

  if (error == NULL)
    {
      g_autoptr(JsonNode) fields = NULL;

      if (ctx->result != NULL)
        {
          json_builder_end_object (ctx->result);
          fields = json_builder_get_root (ctx->result);
        }
      /* A run that worked can still have seen a fault (flash ID 0xFFFFFF). */
      if (ctx->diagnosis != NULL)
        cli_output_diagnosis (ctx->out, ctx->diagnosis, NULL);
      cli_output_result (ctx->out, ctx->command->name, fields);
      return CLI_EXIT_OK;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      cli_output_cancelled (ctx->out);
      g_error_free (error);
      return CLI_EXIT_CANCELLED;
    }
  /* A refused plan says what to do itself: no usage hint. */
  if (ctx->refusal_exit != 0)
    {
      cli_output_error (ctx->out, error, NULL);
      g_error_free (error);
      return ctx->refusal_exit;
    }
  if (is_usage_error (error))
    {
      hint = usage_hint (ctx->command);
      cli_output_error (ctx->out, error, hint);
      g_error_free (error);
      return CLI_EXIT_USAGE;
    }
  /* Text: the diagnosis explains the error line above it. JSON: the
   * error object stays the last line. */
  if (ctx->diagnosis != NULL && cli_output_is_json (ctx->out))
    cli_output_diagnosis (ctx->out, ctx->diagnosis, error);
  cli_output_error (ctx->out, error, NULL);
  if (ctx->diagnosis != NULL && !cli_output_is_json (ctx->out))
    cli_output_diagnosis (ctx->out, ctx->diagnosis, error);
  g_error_free (error);
  return CLI_EXIT_FAILURE;
}

static int
usage_failure (CliContext       *ctx,
               const CliCommand *command,
               const char       *message)
{
  g_autoptr(GError) error = g_error_new_literal (G_OPTION_ERROR, G_OPTION_ERROR_FAILED, message);
  g_autofree char *hint = usage_hint (command);
  g_autoptr(CliOutput) out = ctx->out == NULL ? cli_output_new (ctx->json, FALSE) : NULL;

  cli_output_error (out != NULL ? out : ctx->out, error, hint);
  return CLI_EXIT_USAGE;
}

static gboolean
has_help_option (int    argc,
                 char **argv)
{
  for (gint i = 1; i < argc; i++)
    if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0 ||
        strcmp (argv[i], "-?") == 0)
      return TRUE;
  return FALSE;
}

static int
run_main (CliContext *ctx,
          int         argc,
          char      **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  const CliCommand *command = NULL;
  gint index = find_command_index (argc, argv);
  guint n_args;

  if (index > 0)
    {
      command = cli_command_lookup (argv[index]);
      if (command == NULL)
        {
          g_autofree char *message = g_strdup_printf ("Unknown command “%s”", argv[index]);
          return usage_failure (ctx, NULL, message);
        }
    }
  else if (!has_help_option (argc, argv))
    {
      /* Still parse so misspelled options are named. */
      options = build_option_context (ctx, NULL);
      args = g_strdupv (argv);
      if (!g_option_context_parse_strv (options, &args, &error))
        return usage_failure (ctx, NULL, error->message);
      return usage_failure (ctx, NULL, "No command given");
    }

  ctx->command = command;
  ctx->argv = g_strdupv (argv);
  options = build_option_context (ctx, command);
  args = g_strdupv (argv);
  if (!g_option_context_parse_strv (options, &args, &error))
    return usage_failure (ctx, command, error->message);
  if (command == NULL)
    return usage_failure (ctx, NULL, "No command given");

  ctx->out = cli_output_new (ctx->json, ctx->verbose);

  /* args: program, the command name (first positional), its arguments. */
  n_args = g_strv_length (args);
  g_assert (n_args >= 2);
  ctx->args = g_new0 (char *, n_args - 1);
  for (guint i = 2; i < n_args; i++)
    ctx->args[i - 2] = g_strdup (args[i]);
  n_args -= 2;
  if (n_args < command->min_args || n_args > command->max_args)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf ("%s takes %s%s", command->name,
                                 command->parameters[0] != '\0' ? command->parameters
                                                                 : "no arguments",
                                 n_args > command->max_args ? " (too many arguments)"
                                                            : " (missing arguments)");
      return usage_failure (ctx, command, message);
    }

  if (!resolve_globals (ctx, &error))
    return finish (ctx, g_steal_pointer (&error));

  if (ctx->json)
    {
      ctx->result = json_builder_new ();
      json_builder_begin_object (ctx->result);
    }
  if (command->prepare != NULL && !command->prepare (ctx, &error))
    return finish (ctx, g_steal_pointer (&error));
  if (ctx->monitor && !cli_prepare_monitor (ctx, &error))
    return finish (ctx, g_steal_pointer (&error));

  if (!cli_record_check (ctx, &error))
    return finish (ctx, g_steal_pointer (&error));

  if (command->needs_device && !ctx->dry_run && cli_ports_several (ctx))
    return cli_ports_run (ctx);
  if (command->needs_device && !ctx->dry_run)
    {
      gint64 start = g_get_monotonic_time ();
      gboolean ok = run_with_device (ctx, &error);
      g_autoptr(GError) record_error = NULL;

      /* --record: one line for this board, whatever the result; a failed
       * append is an error of its own, after the flash's result. */
      if (ctx->record != NULL && ctx->port_used != NULL &&
          !cli_record_append (ctx, (gdouble) (g_get_monotonic_time () - start) / G_USEC_PER_SEC,
                              error, &record_error))
        {
          int status = finish (ctx, g_steal_pointer (&error));

          cli_output_error (ctx->out, record_error, NULL);
          return status != CLI_EXIT_OK ? status : CLI_EXIT_FAILURE;
        }
      if (!ok)
        return finish (ctx, g_steal_pointer (&error));
      /* write-flash --monitor: the result first, then the board's output. */
      if (ctx->monitor)
        {
          int status = finish (ctx, NULL);

          if (!cli_monitor_after_write (ctx, &error))
            {
              cli_output_error (ctx->out, error, NULL);
              return CLI_EXIT_FAILURE;
            }
          return status;
        }
    }
  else if (!command->run (ctx, NULL, NULL, &error))
    {
      return finish (ctx, g_steal_pointer (&error));
    }
  return finish (ctx, NULL);
}

int
main (int    argc,
      char **argv)
{
  CliContext ctx = { 0 };
  int status;

  setlocale (LC_ALL, "");
  g_set_prgname ("esplash-cli");
  /* A closed pipe (| head) ends the program quietly rather than by signal. */
  signal (SIGPIPE, SIG_IGN);

  status = run_main (&ctx, argc, argv);
  context_clear (&ctx);
  return status;
}
