/* esplash-cli-ports.c: which ports a command uses — -p, else the only
 * port that looks like an ESP board — and write-flash to several boards
 * at once (-p given more than once, or --all-ports).
 *
 * The inputs are read and the plan checked once, by the caller's prepare
 * step; then each board is flashed by a child esplash-cli with the same
 * arguments and a single -p, all of them at once. Every line a child
 * prints is printed again prefixed with its port ("[/dev/ttyUSB0] …"; in
 * --json, stdout objects gain a "port" member), and each child appends
 * its own --record line. A summary ends the run: "N of M boards flashed".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "esplash-cli-private.h"

/* -p, else the only port that looks like an ESP board (its listing in
 * @info). @diagnose says whether a failure is one to diagnose: a missing
 * port is, a choice between several boards is the user's. */
char *
cli_resolve_port_info (CliContext       *ctx,
                       EsplashPortInfo **info,
                       gboolean         *diagnose,
                       GError          **error)
{
  g_autoptr(GPtrArray) ports = NULL;
  g_autoptr(GString) list = NULL;
  const EsplashPortInfo *found = NULL;
  guint n_found = 0;

  *info = NULL;
  *diagnose = FALSE;
  if (ctx->ports != NULL && ctx->ports[0] != NULL && ctx->ports[0][0] != '\0')
    return g_strdup (ctx->ports[0]);

  ports = esplash_port_list (error);
  if (ports == NULL)
    {
      g_prefix_error (error, "No --port given and the serial ports could not be listed: ");
      return NULL;
    }
  list = g_string_new (NULL);
  for (guint i = 0; i < ports->len; i++)
    {
      const EsplashPortInfo *p = g_ptr_array_index (ports, i);

      g_string_append_printf (list, "%s%s%s%s%s", list->len > 0 ? ", " : "", p->path,
                              p->friendly_name != NULL ? " (" : "",
                              p->friendly_name != NULL ? p->friendly_name : "",
                              p->friendly_name != NULL ? ")" : "");
      if (p->looks_like_esp)
        {
          found = p;
          n_found++;
        }
    }
  if (n_found == 1)
    {
      cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Using port %s", found->path);
      *info = esplash_port_info_copy (found);
      return g_strdup (found->path);
    }
  *diagnose = n_found == 0;
  g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
               "%s: pass the port with -p PORT (serial ports here: %s)",
               n_found == 0 ? "No serial port that looks like an ESP board"
                            : "Several serial ports look like ESP boards",
               list->len > 0 ? list->str : "none");
  return NULL;
}

char *
cli_resolve_port (CliContext  *ctx,
                  GError     **error)
{
  g_autoptr(EsplashPortInfo) info = NULL;
  gboolean diagnose;

  return cli_resolve_port_info (ctx, &info, &diagnose, error);
}

typedef struct _PortsRun PortsRun;

typedef struct {
  PortsRun    *run;
  char        *url;
  GSubprocess *process;
  guint        open_streams;   /* stdout, stderr: until EOF */
  gboolean     exited;
  gint         status;         /* the child's exit status */
} Board;

struct _PortsRun {
  CliContext *ctx;
  GMainLoop  *loop;
  GPtrArray  *boards;          /* Board */
  guint       pending;         /* boards whose child has not finished */
  guint       signals;
};

typedef struct {
  Board            *board;
  GDataInputStream *stream;
  gboolean          is_stdout;
} Reader;

gboolean
cli_ports_several (CliContext *ctx)
{
  return ctx->all_ports || (ctx->ports != NULL && g_strv_length (ctx->ports) > 1);
}

static void
board_free (Board *board)
{
  g_clear_object (&board->process);
  g_free (board->url);
  g_free (board);
}

/* The ports to flash: every -p, or every port that looks like an ESP board. */
static GStrv
list_ports (CliContext  *ctx,
            GError     **error)
{
  g_autoptr(GPtrArray) ports = NULL;
  g_autoptr(GStrvBuilder) urls = g_strv_builder_new ();
  guint n = 0;

  if (!ctx->all_ports)
    return g_strdupv (ctx->ports);
  if (ctx->ports != NULL && ctx->ports[0] != NULL)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "--all-ports and -p cannot be used together");
      return NULL;
    }
  ports = esplash_port_list (error);
  if (ports == NULL)
    {
      g_prefix_error (error, "--all-ports: the serial ports could not be listed: ");
      return NULL;
    }
  for (guint i = 0; i < ports->len; i++)
    {
      const EsplashPortInfo *p = g_ptr_array_index (ports, i);

      if (p->looks_like_esp)
        {
          g_strv_builder_add (urls, p->path);
          n++;
        }
    }
  if (n == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
                           "--all-ports: no serial port looks like an ESP board");
      return NULL;
    }
  return g_strv_builder_end (urls);
}

/* The command line as given, without its ports, then "-p @url". */
static GStrv
child_argv (CliContext *ctx,
            const char *url)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  gboolean options_done = FALSE;

  g_strv_builder_add (b, self != NULL ? self : ctx->argv[0]);
  /* Global options may come before the command name. */
  g_strv_builder_add (b, "--port");
  g_strv_builder_add (b, url);
  for (guint i = 1; ctx->argv[i] != NULL; i++)
    {
      const char *arg = ctx->argv[i];

      if (!options_done && strcmp (arg, "--") == 0)
        options_done = TRUE;
      else if (!options_done && (strcmp (arg, "-p") == 0 || strcmp (arg, "--port") == 0))
        {
          if (ctx->argv[i + 1] != NULL)
            i++;
          continue;
        }
      else if (!options_done && (g_str_has_prefix (arg, "--port=") ||
                                 (g_str_has_prefix (arg, "-p") && arg[2] != '\0' &&
                                  arg[1] != '-') ||
                                 strcmp (arg, "--all-ports") == 0))
        continue;
      g_strv_builder_add (b, arg);
    }
  return g_strv_builder_end (b);
}

static void
board_maybe_done (Board *board)
{
  if (!board->exited || board->open_streams > 0)
    return;
  if (--board->run->pending == 0)
    g_main_loop_quit (board->run->loop);
}

/* One line of a child's output, printed again with its port. */
static void
relay_line (Reader     *reader,
            const char *line)
{
  CliContext *ctx = reader->board->run->ctx;
  FILE *stream = reader->is_stdout ? stdout : stderr;

  if (reader->is_stdout && ctx->json)
    {
      g_autoptr(JsonNode) node = json_from_string (line, NULL);

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        {
          g_autofree char *text = NULL;

          json_object_set_string_member (json_node_get_object (node), "port", reader->board->url);
          text = json_to_string (node, FALSE);
          fprintf (stream, "%s\n", text);
          fflush (stream);
          return;
        }
    }
  fprintf (stream, "[%s] %s\n", reader->board->url, line);
  fflush (stream);
}

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Reader *reader = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length;

  line = g_data_input_stream_read_line_finish_utf8 (reader->stream, result, &length, &error);
  if (line == NULL && error != NULL &&
      g_error_matches (error, G_CONVERT_ERROR, G_CONVERT_ERROR_ILLEGAL_SEQUENCE))
    {
      /* Not UTF-8: keep reading; the line is lost. */
      g_data_input_stream_read_line_async (reader->stream, G_PRIORITY_DEFAULT, NULL,
                                           read_line_cb, reader);
      return;
    }
  if (line == NULL)
    {
      Board *board = reader->board;

      g_object_unref (reader->stream);
      g_free (reader);
      board->open_streams--;
      board_maybe_done (board);
      return;
    }
  relay_line (reader, line);
  g_data_input_stream_read_line_async (reader->stream, G_PRIORITY_DEFAULT, NULL, read_line_cb,
                                       reader);
}

static void
read_lines (Board        *board,
            GInputStream *stream,
            gboolean      is_stdout)
{
  Reader *reader = g_new0 (Reader, 1);

  reader->board = board;
  reader->stream = g_data_input_stream_new (stream);
  reader->is_stdout = is_stdout;
  board->open_streams++;
  g_data_input_stream_read_line_async (reader->stream, G_PRIORITY_DEFAULT, NULL, read_line_cb,
                                       reader);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Board *board = user_data;

  if (g_subprocess_wait_finish (board->process, result, NULL) &&
      g_subprocess_get_if_exited (board->process))
    board->status = g_subprocess_get_exit_status (board->process);
  else
    board->status = CLI_EXIT_CANCELLED;
  board->exited = TRUE;
  board_maybe_done (board);
}

/* Ctrl-C reaches this process only (each child has its own process
 * group): it is passed on to every child, which stops as a single run
 * would. */
static void
child_setup (gpointer user_data)
{
  setpgid (0, 0);
}

static gboolean
signal_cb (gpointer user_data)
{
  PortsRun *run = user_data;

  run->signals++;
  for (guint i = 0; i < run->boards->len; i++)
    {
      Board *board = g_ptr_array_index (run->boards, i);

      if (board->process != NULL && !board->exited)
        g_subprocess_send_signal (board->process, SIGTERM);
    }
  return G_SOURCE_CONTINUE;
}

static void
print_summary (CliContext *ctx,
               PortsRun   *run,
               guint       flashed)
{
  guint total = run->boards->len;

  if (ctx->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "result");
      json_builder_set_member_name (b, "command");
      json_builder_add_string_value (b, ctx->command->name);
      json_builder_set_member_name (b, "success");
      json_builder_add_boolean_value (b, flashed == total);
      json_builder_set_member_name (b, "boards");
      json_builder_add_int_value (b, total);
      json_builder_set_member_name (b, "flashed");
      json_builder_add_int_value (b, flashed);
      json_builder_set_member_name (b, "failed");
      json_builder_begin_array (b);
      for (guint i = 0; i < total; i++)
        {
          Board *board = g_ptr_array_index (run->boards, i);

          if (board->status != CLI_EXIT_OK)
            json_builder_add_string_value (b, board->url);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      node = json_builder_get_root (b);
      cli_output_object (ctx->out, node);
      return;
    }
  fflush (stdout);
  fprintf (stderr, "%u of %u boards flashed", flashed, total);
  for (guint i = 0, n = 0; i < total; i++)
    {
      Board *board = g_ptr_array_index (run->boards, i);

      if (board->status != CLI_EXIT_OK)
        fprintf (stderr, "%s%s", n++ == 0 ? "; failed: " : ", ", board->url);
    }
  fprintf (stderr, "\n");
  fflush (stderr);
}

int
cli_ports_run (CliContext *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_auto(GStrv) urls = NULL;
  PortsRun run = { ctx };
  guint flashed = 0, sigint, sigterm;
  int status;
  gboolean cancelled = FALSE;

  if (ctx->monitor)
    {
      g_set_error_literal (&error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "--monitor watches one board: it cannot be used with several ports");
      cli_output_error (ctx->out, error, "Run 'esplash-cli write-flash --help' for its usage.");
      return CLI_EXIT_USAGE;
    }
  urls = list_ports (ctx, &error);
  if (urls == NULL)
    {
      gboolean usage = g_error_matches (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT);

      cli_output_error (ctx->out, error,
                        usage ? "Run 'esplash-cli write-flash --help' for its usage." : NULL);
      return usage ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    }

  run.loop = g_main_loop_new (NULL, FALSE);
  run.boards = g_ptr_array_new_with_free_func ((GDestroyNotify) board_free);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  sigint = g_unix_signal_add (SIGINT, signal_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, signal_cb, &run);

  for (guint i = 0; urls[i] != NULL; i++)
    {
      Board *board = g_new0 (Board, 1);
      g_auto(GStrv) argv = child_argv (ctx, urls[i]);
      g_autoptr(GError) spawn_error = NULL;

      board->run = &run;
      board->url = g_strdup (urls[i]);
      board->status = CLI_EXIT_FAILURE;
      g_ptr_array_add (run.boards, board);
      board->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv,
                                                     &spawn_error);
      if (board->process == NULL)
        {
          g_prefix_error (&spawn_error, "[%s] ", board->url);
          cli_output_error (ctx->out, spawn_error, NULL);
          continue;
        }
      run.pending++;
      read_lines (board, g_subprocess_get_stdout_pipe (board->process), TRUE);
      read_lines (board, g_subprocess_get_stderr_pipe (board->process), FALSE);
      g_subprocess_wait_async (board->process, NULL, wait_cb, board);
    }
  if (run.pending > 0)
    g_main_loop_run (run.loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  for (guint i = 0; i < run.boards->len; i++)
    {
      Board *board = g_ptr_array_index (run.boards, i);

      if (board->status == CLI_EXIT_OK)
        flashed++;
      else if (board->status == CLI_EXIT_CANCELLED)
        cancelled = TRUE;
    }
  print_summary (ctx, &run, flashed);
  status = flashed == run.boards->len ? CLI_EXIT_OK
           : cancelled && run.signals > 0 ? CLI_EXIT_CANCELLED : CLI_EXIT_FAILURE;
  g_ptr_array_unref (run.boards);
  g_main_loop_unref (run.loop);
  return status;
}
