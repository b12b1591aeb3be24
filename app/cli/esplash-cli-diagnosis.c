/* esplash-cli-diagnosis.c: what went wrong in a failed session, and how to
 * fix it — an EsplashAttempt filled from the failed step while the device
 * still holds its observations, the host's facts for a local port, then
 * esplash_diagnose() (core/esplash-diagnosis.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-cli-private.h"

/* How long the second look at the ROM's boot baud listens ("wrong-baud"). */
#define PROBE_LISTEN_MS 500

/* Errors about the command's own inputs or the loader's abilities: their
 * message says what to do, and a generic "try another cable" would mislead. */
static gboolean
is_input_error (const GError *error)
{
  if (error->domain != ESPLASH_ERROR)
    return TRUE;
  switch (error->code)
    {
    case ESPLASH_ERROR_INVALID_ARGUMENT:
    case ESPLASH_ERROR_INVALID_IMAGE:
    case ESPLASH_ERROR_IMAGE_TOO_LARGE:
    case ESPLASH_ERROR_UNSUPPORTED:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
is_network_url (const char *url)
{
  return url != NULL && (g_str_has_prefix (url, "socket://") || g_str_has_prefix (url, "rfc2217://"));
}

/* The engine lists only the ports that look like ESP boards; the user
 * also wants to know which ones exist at all. */
static void
add_ports_evidence (EsplashDiagnosis     *d,
                    const EsplashAttempt *a)
{
  g_autoptr(GString) list = NULL;

  if (a->ports == NULL)
    return;
  if (a->ports->len == 0)
    {
      g_ptr_array_add (d->evidence, g_strdup ("No serial ports exist on this computer"));
      return;
    }
  list = g_string_new (NULL);
  for (guint i = 0; i < a->ports->len; i++)
    {
      const EsplashPortInfo *p = g_ptr_array_index (a->ports, i);

      g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", p->path);
      if (p->usb_vid != 0)
        g_string_append_printf (list, " (USB %04x:%04x%s%s)", p->usb_vid, p->usb_pid,
                                p->friendly_name != NULL ? ", " : "",
                                p->friendly_name != NULL ? p->friendly_name : "");
      else if (p->friendly_name != NULL && g_strcmp0 (p->friendly_name, p->path) != 0 &&
               !g_str_has_suffix (p->path, p->friendly_name))
        g_string_append_printf (list, " (%s)", p->friendly_name);
    }
  g_ptr_array_add (d->evidence, g_strdup_printf ("Serial ports present: %s", list->str));
}

/* Without a port name the engine words its verdict for "the port". */
static void
reword_no_port_found (EsplashDiagnosis *d)
{
  g_free (d->title);
  d->title = g_strdup ("No serial port for an ESP board was found");
  for (guint i = 0; i < d->evidence->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (d->evidence, i), "the port does not exist"))
      g_ptr_array_remove_index (d->evidence, i--);
}

/* A word as the shell needs it: quoted only where it must be. */
static void
append_shell_word (GString    *s,
                   const char *word)
{
  gboolean plain = word[0] != '\0';

  for (const char *c = word; *c != '\0' && plain; c++)
    plain = g_ascii_isalnum (*c) || strchr ("_./:=,@%+-", *c) != NULL;
  if (s->len > 0)
    g_string_append_c (s, ' ');
  if (plain)
    {
      g_string_append (s, word);
    }
  else
    {
      g_autofree char *quoted = g_shell_quote (word);

      g_string_append (s, quoted);
    }
}

/* The command line as given, with @option set to @value (the option's
 * other spellings dropped), ready to paste. @option: "--before", "--baud"
 * or "--port"; NULL for the command as it was. */
static char *
rerun_command (CliContext *ctx,
               const char *option,
               const char *value)
{
  static const struct { const char *name; const char *shortname; } spellings[] = {
    { "--before", NULL }, { "--baud", "-b" }, { "--port", "-p" },
  };
  const char *shortname = NULL;
  GString *s = g_string_new (NULL);
  guint n = ctx->argv != NULL ? g_strv_length (ctx->argv) : 0;

  for (guint k = 0; option != NULL && k < G_N_ELEMENTS (spellings); k++)
    if (g_str_equal (option, spellings[k].name))
      shortname = spellings[k].shortname;
  append_shell_word (s, n > 0 ? ctx->argv[0] : "esplash-cli");
  if (option != NULL)
    {
      append_shell_word (s, option);
      append_shell_word (s, value);
    }
  for (guint i = 1; i < n; i++)
    {
      const char *arg = ctx->argv[i];
      gsize len = option != NULL ? strlen (option) : 0;

      if (g_str_equal (arg, "--"))
        {
          /* everything after is positional */
          for (; i < n; i++)
            append_shell_word (s, ctx->argv[i]);
          break;
        }
      if (option != NULL && (g_str_equal (arg, option) ||
                             (shortname != NULL && g_str_equal (arg, shortname))))
        {
          i++;   /* and its value */
          continue;
        }
      if (option != NULL && ((g_str_has_prefix (arg, option) && arg[len] == '=') ||
                             (shortname != NULL && g_str_has_prefix (arg, shortname) &&
                              arg[2] != '\0')))
        continue;
      append_shell_word (s, arg);
    }
  return g_string_free (s, FALSE);
}

static void
set_step (EsplashDiagnosisStep *step,
          char                 *text,
          char                 *command)
{
  g_free (step->text);
  step->text = text;
  g_free (step->command);
  step->command = command;
}

/* The engine's last steps describe what the app does by itself ("Esplash
 * keeps listening … and continues"); esplash-cli stops instead, so that
 * becomes the command to run again, shaped by how to retry. */
static void
add_rerun_step (CliContext       *ctx,
                EsplashDiagnosis *d)
{
  g_autofree char *baud = NULL;
  char *text = NULL;
  char *command = NULL;
  gboolean placed = FALSE;
  EsplashStepCheck check = ESPLASH_STEP_CHECK_NONE;

  switch (d->retry)
    {
    case ESPLASH_RETRY_NO_RESET:
      text = g_strdup ("Then run the command again, without resetting the chip:");
      command = rerun_command (ctx, "--before", "no-reset");
      check = ESPLASH_STEP_CHECK_SYNC_REPLY;
      break;
    case ESPLASH_RETRY_LOWER_BAUD:
      baud = g_strdup_printf ("%u", d->suggested_baud != 0 ? d->suggested_baud : 115200);
      text = g_strdup_printf ("Run the command again at %s baud:", baud);
      command = rerun_command (ctx, "--baud", baud);
      break;
    case ESPLASH_RETRY_REOPEN:
      text = g_strdup ("Run the command again once the port is back:");
      command = d->port_path != NULL ? rerun_command (ctx, "--port", d->port_path)
                                     : rerun_command (ctx, NULL, NULL);
      check = ESPLASH_STEP_CHECK_PORT_OPENS;
      break;
    case ESPLASH_RETRY_NORMAL:
      text = g_strdup ("Then run the command again:");
      command = rerun_command (ctx, NULL, NULL);
      break;
    case ESPLASH_RETRY_NONE:
    default:
      return;
    }

  for (guint i = 0; i < d->steps->len; i++)
    {
      EsplashDiagnosisStep *step = g_ptr_array_index (d->steps, i);

      if (!g_str_has_prefix (step->text, "Esplash ") ||
          (step->check != ESPLASH_STEP_CHECK_SYNC_REPLY && step->check != ESPLASH_STEP_CHECK_PORT_OPENS))
        continue;
      if (placed)
        {
          g_ptr_array_remove_index (d->steps, i--);
          continue;
        }
      set_step (step, g_steal_pointer (&text), g_steal_pointer (&command));
      placed = TRUE;
    }
  /* Else the engine's own "Try again …" step gets the command, if any. */
  for (guint i = 0; i < d->steps->len && !placed; i++)
    {
      EsplashDiagnosisStep *step = g_ptr_array_index (d->steps, i);

      if (g_str_has_prefix (step->text, "Try again") && step->command == NULL)
        {
          step->command = g_steal_pointer (&command);
          g_clear_pointer (&text, g_free);
          placed = TRUE;
        }
    }
  if (!placed)
    {
      EsplashDiagnosisStep *step = g_new0 (EsplashDiagnosisStep, 1);

      step->check = check;
      set_step (step, g_steal_pointer (&text), g_steal_pointer (&command));
      g_ptr_array_add (d->steps, step);
    }
}

static EsplashDiagnosis *
diagnose (CliContext           *ctx,
          const EsplashAttempt *attempt)
{
  EsplashDiagnosis *d = esplash_diagnose (attempt, ctx->connect.chip);

  if (d == NULL)
    return NULL;
  /* "unknown" adds nothing to an input error's own message. */
  if (g_strcmp0 (d->id, ESPLASH_DIAGNOSIS_UNKNOWN) == 0 && attempt->error != NULL &&
      is_input_error (attempt->error))
    {
      esplash_diagnosis_free (d);
      return NULL;
    }
  /* The no-port verdict is about USB cables and drivers: wrong for a
   * network endpoint, whose error already names the host and the cause. */
  if (g_strcmp0 (d->id, ESPLASH_DIAGNOSIS_NO_PORT) == 0 && is_network_url (attempt->url))
    {
      esplash_diagnosis_free (d);
      return NULL;
    }
  if (g_strcmp0 (d->id, ESPLASH_DIAGNOSIS_NO_PORT) == 0)
    {
      if (attempt->url == NULL)
        reword_no_port_found (d);
      add_ports_evidence (d, attempt);
    }
  add_rerun_step (ctx, d);
  return d;
}

/**
 * cli_diagnose_failure:
 * @url: (nullable): the port, NULL when none was found
 * @info: (nullable): the listed port it came from
 * @transport: (nullable): the open port, NULL when opening failed
 * @device: (nullable): the session, before it is closed
 *
 * Called on the worker thread right after the failure.
 *
 * Returns: (transfer full) (nullable): the diagnosis, NULL for a
 *   cancellation or when there is nothing useful to add
 */
EsplashDiagnosis *
cli_diagnose_failure (CliContext             *ctx,
                      const char             *url,
                      const EsplashPortInfo  *info,
                      EsplashTransport       *transport,
                      EsplashDevice          *device,
                      const GError           *error,
                      GCancellable           *cancellable)
{
  g_autoptr(EsplashAttempt) attempt = NULL;
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(GError) probe_error = NULL;

  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (cancellable))
    return NULL;

  attempt = esplash_attempt_new (url);
  if (info != NULL)
    esplash_attempt_set_port_info (attempt, info);
  if (device != NULL)
    esplash_attempt_set_device (attempt, device);
  esplash_attempt_set_error (attempt, error);
  /* Only a local port has a device node, owners, groups and a USB bus. */
  if (!is_network_url (url))
    esplash_attempt_probe_host (attempt);
  d = diagnose (ctx, attempt);

  /* Unreadable bytes: listen at the ROM's boot baud once, then judge
   * again with what arrived there. A raw socket has no baud to change. */
  if (d != NULL && g_strcmp0 (d->id, ESPLASH_DIAGNOSIS_WRONG_BAUD) == 0 &&
      d->suggested_baud != 0 && transport != NULL &&
      esplash_transport_get_kind (transport) != ESPLASH_TRANSPORT_KIND_SOCKET)
    {
      if (esplash_attempt_probe_baud (attempt, transport, d->suggested_baud, PROBE_LISTEN_MS,
                                      cancellable, &probe_error))
        {
          esplash_diagnosis_free (g_steal_pointer (&d));
          d = diagnose (ctx, attempt);
        }
      else
        {
          cli_output_message (ctx->out, ESPLASH_LOG_DEBUG, "Listening at %u baud: %s",
                              d->suggested_baud, probe_error->message);
        }
    }
  return g_steal_pointer (&d);
}

/**
 * cli_diagnose_success:
 * @device: the session of a command that worked
 *
 * A run can succeed and still show a fault, e.g. a flash that answers
 * 0xFFFFFF to its ID.
 *
 * Returns: (transfer full) (nullable): the diagnosis, NULL if all was well
 */
EsplashDiagnosis *
cli_diagnose_success (CliContext    *ctx,
                      EsplashDevice *device)
{
  g_autoptr(EsplashAttempt) attempt = esplash_attempt_new (NULL);

  esplash_attempt_set_device (attempt, device);
  return esplash_diagnose (attempt, ctx->connect.chip);
}
