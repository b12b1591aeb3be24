/* esplash-cli-monitor.c: `monitor` and `write-flash --monitor` — the
 * board's output on stdout, as idf.py monitor shows it.
 *
 * The board's bytes go to stdout unchanged, on a terminal or a pipe; the
 * monitor's own lines (decoded crash frames, resets, a port that went
 * away) start with "--- " (coloured on a terminal) so a log stays readable
 * and greppable. On a terminal the keys go to the board as typed, except
 * Ctrl-] (quit) and Ctrl-T followed by a key (Ctrl-R: reset, Ctrl-H:
 * help, Ctrl-T: send a Ctrl-T); piped input is sent line by line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>
#include <glib-unix.h>

#include "esplash-cli-private.h"

#define KEY_QUIT  0x1d   /* Ctrl-] */
#define KEY_MENU  0x14   /* Ctrl-T */
#define KEY_RESET 0x12   /* Ctrl-R */
#define KEY_HELP  0x08   /* Ctrl-H */
#define KEY_HELP2 'h'

#define COLOUR_DECODED "\033[0;33m"
#define COLOUR_WARNING "\033[0;31m"
#define COLOUR_INFO    "\033[0;36m"
#define COLOUR_RESET   "\033[0m"

typedef struct {
  CliContext      *ctx;
  EsplashMonitor  *monitor;
  GMainLoop       *loop;
  gboolean         tty_in;
  gboolean         tty_out;
  struct termios   saved_termios;
  gboolean         raw;
  gboolean         menu;            /* Ctrl-T seen, waiting for its key */
  gboolean         at_line_start;   /* stdout's last byte was a line end */
  GString         *json_line;       /* --json: the board's line so far */
  GString         *piped;           /* piped stdin: the line so far */
} Monitor;

static void
say (Monitor    *m,
     const char *colour,
     const char *text)
{
  if (cli_output_is_json (m->ctx->out))
    return;
  if (!m->at_line_start)
    fputc ('\n', stdout);
  if (m->tty_out)
    fprintf (stdout, "%s--- %s%s\n", colour, text, COLOUR_RESET);
  else
    fprintf (stdout, "--- %s\n", text);
  fflush (stdout);
  m->at_line_start = TRUE;
}

static void
json_object (Monitor    *m,
             const char *type,
             const char *kind,
             const char *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  if (kind != NULL)
    {
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, kind);
    }
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  cli_output_object (m->ctx->out, node);
}

static void
output_cb (EsplashMonitor *monitor,
           GBytes         *bytes,
           Monitor        *m)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len == 0)
    return;
  if (!cli_output_is_json (m->ctx->out))
    {
      fwrite (data, 1, len, stdout);
      fflush (stdout);
      m->at_line_start = data[len - 1] == '\n';
      return;
    }
  /* --json: one object per line, without its line end. */
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != '\n')
        {
          g_string_append_c (m->json_line, data[i]);
          continue;
        }
      if (m->json_line->len > 0 && m->json_line->str[m->json_line->len - 1] == '\r')
        g_string_truncate (m->json_line, m->json_line->len - 1);
      {
        g_autofree char *valid = g_utf8_make_valid (m->json_line->str, (gssize) m->json_line->len);

        json_object (m, "monitor-line", NULL, valid);
      }
      g_string_truncate (m->json_line, 0);
    }
}

static void
note_cb (EsplashMonitor *monitor,
         int             kind,
         const char     *text,
         Monitor        *m)
{
  static const char *const kinds[] = { "info", "decoded", "warning" };
  const char *colour = kind == ESPLASH_MONITOR_NOTE_DECODED ? COLOUR_DECODED
                       : kind == ESPLASH_MONITOR_NOTE_WARNING ? COLOUR_WARNING
                       : COLOUR_INFO;

  if (cli_output_is_json (m->ctx->out))
    json_object (m, "monitor-note", kinds[CLAMP (kind, 0, 2)], text);
  else
    say (m, colour, text);
}

static void
state_cb (EsplashMonitor *monitor,
          int             state,
          const char     *message,
          Monitor        *m)
{
  if (message != NULL)
    note_cb (monitor, state == ESPLASH_MONITOR_STATE_WAITING_FOR_PORT ? ESPLASH_MONITOR_NOTE_WARNING
                                                                       : ESPLASH_MONITOR_NOTE_INFO,
             message, m);
  if (state == ESPLASH_MONITOR_STATE_STOPPED)
    g_main_loop_quit (m->loop);
}

static void
print_help (Monitor *m)
{
  say (m, COLOUR_INFO, "Keys: Ctrl-] quits · Ctrl-T Ctrl-R resets the board · "
                       "Ctrl-T Ctrl-T sends Ctrl-T · Ctrl-T Ctrl-H shows this");
}

/* A key typed on the terminal. */
static void
key (Monitor *m,
     guint8   c)
{
  if (m->menu)
    {
      m->menu = FALSE;
      if (c == KEY_RESET || c == 'r' || c == 'R')
        esplash_monitor_reset (m->monitor);
      else if (c == KEY_MENU)
        esplash_monitor_send (m->monitor, &c, 1);
      else
        print_help (m);
      return;
    }
  if (c == KEY_QUIT)
    g_main_loop_quit (m->loop);
  else if (c == KEY_MENU)
    m->menu = TRUE;
  else if (c == '\r' || c == '\n')
    esplash_monitor_send (m->monitor, (const guint8 *) "\r\n", 2);
  else
    esplash_monitor_send (m->monitor, &c, 1);
}

static gboolean
stdin_cb (gint         fd,
          GIOCondition condition,
          gpointer     user_data)
{
  Monitor *m = user_data;
  guint8 buf[256];
  gssize n = read (fd, buf, sizeof buf);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    return G_SOURCE_REMOVE;    /* end of piped input: keep watching the board */
  for (gssize i = 0; i < n; i++)
    {
      if (m->tty_in)
        {
          key (m, buf[i]);
          continue;
        }
      if (buf[i] != '\n')
        {
          g_string_append_c (m->piped, (char) buf[i]);
          continue;
        }
      g_string_append (m->piped, "\r\n");
      esplash_monitor_send (m->monitor, (const guint8 *) m->piped->str, m->piped->len);
      g_string_truncate (m->piped, 0);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  Monitor *m = user_data;

  g_main_loop_quit (m->loop);
  return G_SOURCE_CONTINUE;
}

/* Keys reach the program one by one and unechoed; output processing (and
 * so "\n" → "\r\n" on the terminal) and Ctrl-C stay as they were. */
static void
terminal_raw (Monitor *m)
{
  struct termios raw;

  if (!m->tty_in || tcgetattr (STDIN_FILENO, &m->saved_termios) != 0)
    return;
  raw = m->saved_termios;
  raw.c_lflag &= ~(ICANON | ECHO | IEXTEN);
  raw.c_iflag &= ~(IXON | ICRNL | INLCR);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  m->raw = tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0;
}

static void
terminal_restore (Monitor *m)
{
  if (m->raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &m->saved_termios);
  m->raw = FALSE;
}

static EsplashElfSymbols *
load_elf (CliContext  *ctx,
          const char  *path,
          GError     **error)
{
  EsplashElfSymbols *elf = esplash_elf_symbols_new (path, error);

  if (elf == NULL)
    g_prefix_error (error, "--elf: ");
  return elf;
}

/* The ELF that decodes crashes: --elf, else the one beside the build that
 * was flashed (write-flash's inputs). */
static EsplashElfSymbols *
find_elf (CliContext  *ctx,
          GError     **error)
{
  if (ctx->elf != NULL)
    return load_elf (ctx, ctx->elf, error);
  for (guint i = 0; ctx->args != NULL && ctx->args[i] != NULL; i++)
    {
      g_autofree char *path = esplash_elf_find_for_build (ctx->args[i]);

      if (path != NULL)
        return esplash_elf_symbols_new (path, NULL);
    }
  return NULL;
}

gboolean
cli_monitor (CliContext  *ctx,
             const char  *url,
             guint        baud,
             gboolean     reset,
             GError     **error)
{
  g_autoptr(EsplashElfSymbols) elf = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *status = NULL;
  Monitor m = { ctx };
  guint stdin_watch = 0, sigint, sigterm;

  elf = find_elf (ctx, &local_error);
  if (elf == NULL && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  m.monitor = esplash_monitor_new (url);
  esplash_monitor_set_baud (m.monitor, baud);
  esplash_monitor_set_elf (m.monitor, elf);
  m.loop = g_main_loop_new (NULL, FALSE);
  m.tty_in = isatty (STDIN_FILENO);
  m.tty_out = isatty (STDOUT_FILENO);
  m.at_line_start = TRUE;
  m.json_line = g_string_new (NULL);
  m.piped = g_string_new (NULL);
  g_signal_connect (m.monitor, "output", G_CALLBACK (output_cb), &m);
  g_signal_connect (m.monitor, "note", G_CALLBACK (note_cb), &m);
  g_signal_connect (m.monitor, "state-changed", G_CALLBACK (state_cb), &m);

  if (!esplash_monitor_start (m.monitor, reset, error))
    {
      g_object_unref (m.monitor);
      g_main_loop_unref (m.loop);
      g_string_free (m.json_line, TRUE);
      g_string_free (m.piped, TRUE);
      return FALSE;
    }
  status = g_strdup_printf ("Monitoring %s at %u baud%s%s. %s", url, baud,
                            elf != NULL ? "; crashes decoded with " : "",
                            elf != NULL ? esplash_elf_symbols_get_path (elf) : "",
                            m.tty_in ? "Quit: Ctrl-], reset: Ctrl-T Ctrl-R"
                                     : "Stop it with Ctrl-C (SIGINT) or SIGTERM");
  note_cb (m.monitor, ESPLASH_MONITOR_NOTE_INFO, status, &m);
  if (elf == NULL)
    note_cb (m.monitor, ESPLASH_MONITOR_NOTE_INFO,
             "No ELF given: a crash's addresses will not be decoded (--elf FILE)", &m);

  terminal_raw (&m);
  stdin_watch = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, &m);
  sigint = g_unix_signal_add (SIGINT, quit_cb, &m);
  sigterm = g_unix_signal_add (SIGTERM, quit_cb, &m);
  g_main_loop_run (m.loop);
  terminal_restore (&m);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (stdin_watch != 0 && g_main_context_find_source_by_id (NULL, stdin_watch) != NULL)
    g_source_remove (stdin_watch);
  esplash_monitor_stop (m.monitor);
  /* What the reader had read before it stopped still reaches stdout. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (!m.at_line_start && !cli_output_is_json (ctx->out))
    fputc ('\n', stdout);
  fflush (stdout);
  g_signal_handlers_disconnect_by_data (m.monitor, &m);
  g_object_unref (m.monitor);
  g_main_loop_unref (m.loop);
  g_string_free (m.json_line, TRUE);
  g_string_free (m.piped, TRUE);
  return TRUE;
}

/* The monitor's rate: -b for `monitor` (115200 unless given). */
static gboolean
monitor_baud (CliContext  *ctx,
              const char  *text,
              guint       *baud,
              GError     **error)
{
  guint64 value = 0;

  *baud = ESPLASH_MONITOR_DEFAULT_BAUD;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 300, 12000000, &value, NULL))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Invalid monitor rate “%s”: use the app's console rate, such as 115200", text);
      return FALSE;
    }
  *baud = (guint) value;
  return TRUE;
}

gboolean
cli_prepare_monitor (CliContext  *ctx,
                     GError     **error)
{
  g_autoptr(EsplashElfSymbols) elf = NULL;
  guint baud;

  /* Settle bad input before any port is opened. */
  if (ctx->command->needs_device)
    return monitor_baud (ctx, ctx->monitor_baud, &baud, error) &&
           (ctx->elf == NULL || (elf = load_elf (ctx, ctx->elf, error)) != NULL);
  if (g_strcmp0 (ctx->baud, "auto") == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "-b auto finds a flashing rate; the monitor needs the app's console "
                           "rate, such as -b 115200");
      return FALSE;
    }
  return monitor_baud (ctx, ctx->baud, &baud, error) &&
         (ctx->elf == NULL || (elf = load_elf (ctx, ctx->elf, error)) != NULL);
}

gboolean
cli_run_monitor (CliContext     *ctx,
                 EsplashDevice  *device,
                 GCancellable   *cancellable,
                 GError        **error)
{
  g_autofree char *url = NULL;
  guint baud;

  if (!monitor_baud (ctx, ctx->baud, &baud, error))
    return FALSE;
  url = cli_resolve_port (ctx, error);
  if (url == NULL)
    return FALSE;
  return cli_monitor (ctx, url, baud, !ctx->no_reset, error);
}

/* write-flash --monitor, after the flash: the port was closed after the
 * reset into the app, so what the app printed meanwhile is gone; as
 * idf.py flash monitor does, the board is reset once more to show its
 * start — unless --after asked to leave it in the bootloader. */
gboolean
cli_monitor_after_write (CliContext  *ctx,
                         GError     **error)
{
  guint baud;

  if (!monitor_baud (ctx, ctx->monitor_baud, &baud, error))
    return FALSE;
  return cli_monitor (ctx, ctx->port_used, baud,
                      ctx->after_value == ESPLASH_AFTER_HARD_RESET ||
                      ctx->after_value == ESPLASH_AFTER_WATCHDOG_RESET, error);
}
