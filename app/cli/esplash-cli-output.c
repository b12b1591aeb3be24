/* esplash-cli-output.c: what esplash-cli prints — esptool-like text with a
 * live progress line on a terminal, or one JSON object per line (--json).
 *
 * Events arrive on the worker thread, results and errors on the main
 * thread; a mutex keeps lines whole.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "esplash-cli-private.h"

/* Plain (non-terminal) progress: one line every this many percent. */
#define PLAIN_PROGRESS_STEP 10
/* Diagnosis text is wrapped to this many columns. */
#define WRAP_COLUMNS 79

struct _CliOutput
{
  GMutex   lock;
  gboolean json;
  gboolean verbose;
  gboolean tty;

  /* the progress line of the current region */
  gboolean progress_open;      /* a "\r" line is on the terminal without its newline */
  gint     last_percent;
  gint64   region_start_us;
  guint32  region_address;
  EsplashStage region_stage;
  gsize    compressed_size;    /* from the core's "Compressed A bytes to B" line, 0 = none */
  gboolean reconnecting;       /* the session was lost: the region's rate goes on after it */
};

CliOutput *
cli_output_new (gboolean json,
                gboolean verbose)
{
  CliOutput *out = g_new0 (CliOutput, 1);

  g_mutex_init (&out->lock);
  out->json = json;
  out->verbose = verbose;
  out->tty = !json && isatty (STDOUT_FILENO);
  out->last_percent = -1;
  return out;
}

void
cli_output_free (CliOutput *out)
{
  if (out == NULL)
    return;
  g_mutex_clear (&out->lock);
  g_free (out);
}

gboolean
cli_output_is_json (CliOutput *out)
{
  return out->json;
}

/* Callers hold the lock. */
static void
emit_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  fprintf (stdout, "%s\n", text);
  fflush (stdout);
}

static void
close_progress_line (CliOutput *out)
{
  if (out->progress_open)
    {
      fputc ('\n', stdout);
      out->progress_open = FALSE;
    }
}

static const char *
stage_verb (EsplashStage stage)
{
  switch (stage)
    {
    case ESPLASH_STAGE_WRITING:
      return "Writing";
    case ESPLASH_STAGE_READING:
      return "Reading";
    case ESPLASH_STAGE_ERASING:
      return "Erasing";
    case ESPLASH_STAGE_VERIFYING:
      return "Verifying";
    case ESPLASH_STAGE_UPLOADING_STUB:
      return "Uploading stub";
    case ESPLASH_STAGE_RECONNECTING:
      return "Reconnecting";
    default:
      return "Working";
    }
}

/* The stages of a connect (also when the session is taken up again). */
static gboolean
stage_is_connecting (EsplashStage stage)
{
  switch (stage)
    {
    case ESPLASH_STAGE_OPENING:
    case ESPLASH_STAGE_RESETTING:
    case ESPLASH_STAGE_SYNCING:
    case ESPLASH_STAGE_DETECTING:
    case ESPLASH_STAGE_UPLOADING_STUB:
    case ESPLASH_STAGE_CHANGING_BAUD:
      return TRUE;
    case ESPLASH_STAGE_IDLE:
    case ESPLASH_STAGE_ERASING:
    case ESPLASH_STAGE_WRITING:
    case ESPLASH_STAGE_VERIFYING:
    case ESPLASH_STAGE_READING:
    case ESPLASH_STAGE_LEAVING:
    case ESPLASH_STAGE_DONE:
    case ESPLASH_STAGE_RECONNECTING:
    default:
      return FALSE;
    }
}

static double
kbit_per_s (guint64 bytes,
            gint64  elapsed_us)
{
  if (elapsed_us <= 0)
    return 0.0;
  return (double) bytes * 8.0 / 1000.0 / ((double) elapsed_us / G_USEC_PER_SEC);
}

static void
text_progress (CliOutput          *out,
               const EsplashEvent *event)
{
  gint percent = event->region_total > 0
    ? (gint) (event->region_done * 100 / event->region_total) : 100;
  guint32 at = event->region_address + (guint32) MIN (event->region_done, G_MAXUINT32);
  gint64 elapsed = g_get_monotonic_time () - out->region_start_us;
  g_autofree char *line = NULL;

  if (event->region_done >= event->region_total && event->region_total > 0)
    at = event->region_address + (guint32) event->region_total - 1;
  at &= ~(guint32) 0x3FF;
  line = g_strdup_printf ("%s at 0x%08x... (%d %%) %.1f kbit/s", stage_verb (event->stage), at,
                          percent, kbit_per_s (event->region_done, elapsed));
  if (out->tty)
    {
      /* Pad so a shorter line covers the previous one. */
      fprintf (stdout, "\r%-60s", line);
      out->progress_open = TRUE;
      if (percent >= 100)
        close_progress_line (out);
    }
  else if (percent != out->last_percent &&
           (out->last_percent < 0 || percent >= 100 ||
            percent / PLAIN_PROGRESS_STEP != out->last_percent / PLAIN_PROGRESS_STEP))
    {
      fprintf (stdout, "%s\n", line);
    }
  out->last_percent = percent;
  fflush (stdout);
}

/* The core says "Wrote N bytes at 0x…"; esptool users expect the size on
 * the wire, the time and the rate too. */
static char *
rewrite_wrote_line (CliOutput  *out,
                    const char *message)
{
  unsigned long long n;
  unsigned int address;
  gint64 elapsed = g_get_monotonic_time () - out->region_start_us;
  double seconds = (double) elapsed / G_USEC_PER_SEC;
  g_autofree char *compressed = NULL;

  if (sscanf (message, "Wrote %llu bytes at 0x%x", &n, &address) != 2)
    return NULL;
  if (out->compressed_size > 0)
    compressed = g_strdup_printf (" (%" G_GSIZE_FORMAT " compressed)", out->compressed_size);
  out->compressed_size = 0;
  return g_strdup_printf ("Wrote %llu bytes%s at 0x%08x in %.1f seconds (%.1f kbit/s)...",
                          n, compressed != NULL ? compressed : "", address, seconds,
                          kbit_per_s (n, elapsed));
}

static void
text_log (CliOutput       *out,
          EsplashLogLevel  level,
          const char      *message)
{
  g_autofree char *rewritten = NULL;
  unsigned long long a, b;

  if (level == ESPLASH_LOG_DEBUG && !out->verbose)
    return;
  if (sscanf (message, "Compressed %llu bytes to %llu", &a, &b) == 2)
    out->compressed_size = (gsize) b;
  else if (g_str_has_prefix (message, "Wrote "))
    rewritten = rewrite_wrote_line (out, message);

  close_progress_line (out);
  switch (level)
    {
    case ESPLASH_LOG_WARNING:
      fflush (stdout);
      fprintf (stderr, "warning: %s\n", message);
      break;
    case ESPLASH_LOG_ERROR:
      fflush (stdout);
      fprintf (stderr, "error: %s\n", message);
      break;
    case ESPLASH_LOG_DEBUG:
      fprintf (stdout, "debug: %s\n", message);
      break;
    case ESPLASH_LOG_INFO:
    default:
      fprintf (stdout, "%s\n", rewritten != NULL ? rewritten : message);
      break;
    }
  fflush (stdout);
}

static void
json_log (CliOutput       *out,
          EsplashLogLevel  level,
          const char      *message)
{
  g_autoptr(JsonBuilder) b = NULL;

  if (level == ESPLASH_LOG_DEBUG && !out->verbose)
    return;
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "log");
  json_builder_set_member_name (b, "level");
  json_builder_add_string_value (b, esplash_log_level_nick (level));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  emit_json (b);
}

static void
json_event (const EsplashEvent *event)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, event->kind == ESPLASH_EVENT_STAGE ? "stage" : "progress");
  json_builder_set_member_name (b, "stage");
  json_builder_add_string_value (b, esplash_stage_nick (event->stage));
  if (event->region_count > 0)
    {
      json_builder_set_member_name (b, "region");
      json_builder_add_int_value (b, event->region_index);
      json_builder_set_member_name (b, "regions");
      json_builder_add_int_value (b, event->region_count);
      json_builder_set_member_name (b, "address");
      json_builder_add_int_value (b, event->region_address);
    }
  if (event->kind == ESPLASH_EVENT_PROGRESS)
    {
      json_builder_set_member_name (b, "done");
      json_builder_add_int_value (b, (gint64) event->region_done);
      json_builder_set_member_name (b, "total");
      json_builder_add_int_value (b, (gint64) event->region_total);
      json_builder_set_member_name (b, "overall_done");
      json_builder_add_int_value (b, (gint64) event->overall_done);
      json_builder_set_member_name (b, "overall_total");
      json_builder_add_int_value (b, (gint64) event->overall_total);
      json_builder_set_member_name (b, "overall_skipped");
      json_builder_add_int_value (b, (gint64) event->overall_skipped);
    }
  json_builder_end_object (b);
  emit_json (b);
}

void
cli_output_event (const EsplashEvent *event,
                  gpointer            user_data)
{
  CliOutput *out = user_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&out->lock);

  if (event->kind == ESPLASH_EVENT_STAGE && event->stage == ESPLASH_STAGE_RECONNECTING)
    {
      /* The region goes on after it: its start and rate stay. */
      out->reconnecting = TRUE;
      out->last_percent = -1;
    }
  else if (event->kind == ESPLASH_EVENT_STAGE &&
           !(out->reconnecting && stage_is_connecting (event->stage)))
    {
      /* A new region or stage restarts the rate and the plain-line steps;
       * the region that was going on when the session was lost does not. */
      if (!out->reconnecting || event->stage != out->region_stage ||
          event->region_address != out->region_address)
        out->region_start_us = g_get_monotonic_time ();
      out->reconnecting = FALSE;
      out->region_stage = event->stage;
      out->region_address = event->region_address;
      out->last_percent = -1;
    }

  if (out->json)
    {
      if (event->kind == ESPLASH_EVENT_LOG)
        json_log (out, event->level, event->message);
      else
        json_event (event);
      return;
    }

  switch (event->kind)
    {
    case ESPLASH_EVENT_LOG:
      text_log (out, event->level, event->message);
      break;
    case ESPLASH_EVENT_PROGRESS:
      text_progress (out, event);
      break;
    case ESPLASH_EVENT_STAGE:
    default:
      if (out->verbose)
        {
          close_progress_line (out);
          fprintf (stdout, "debug: stage %s\n", esplash_stage_nick (event->stage));
          fflush (stdout);
        }
      if (event->stage == ESPLASH_STAGE_RECONNECTING)
        {
          /* Not only in --verbose: the progress stops while it lasts. */
          close_progress_line (out);
          fprintf (stdout, "Reconnecting to the chip...\n");
          fflush (stdout);
        }
      break;
    }
}

void
cli_output_message (CliOutput       *out,
                    EsplashLogLevel  level,
                    const char      *format,
                    ...)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&out->lock);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (out->json)
    json_log (out, level, message);
  else
    text_log (out, level, message);
}

void
cli_output_text (CliOutput  *out,
                 const char *format,
                 ...)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&out->lock);
  g_autofree char *text = NULL;
  va_list args;

  if (out->json)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  close_progress_line (out);
  fprintf (stdout, "%s\n", text);
  fflush (stdout);
}

void
cli_output_result (CliOutput  *out,
                   const char *command,
                   JsonNode   *fields)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&out->lock);
  g_autoptr(JsonBuilder) b = NULL;
  JsonObject *object;

  if (!out->json)
    {
      close_progress_line (out);
      fflush (stdout);
      return;
    }
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "result");
  json_builder_set_member_name (b, "command");
  json_builder_add_string_value (b, command);
  json_builder_set_member_name (b, "success");
  json_builder_add_boolean_value (b, TRUE);
  object = fields != NULL && JSON_NODE_HOLDS_OBJECT (fields) ? json_node_get_object (fields) : NULL;
  if (object != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          json_builder_set_member_name (b, l->data);
          json_builder_add_value (b, json_node_copy (json_object_get_member (object, l->data)));
        }
    }
  json_builder_end_object (b);
  emit_json (b);
}

void
cli_output_object (CliOutput *out,
                   JsonNode  *object)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&out->lock);
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *text = NULL;

  if (!out->json)
    return;
  generator = json_generator_new ();
  json_generator_set_root (generator, object);
  text = json_generator_to_data (generator, NULL);
  fprintf (stdout, "%s\n", text);
  fflush (stdout);
}

static const char *
error_code_nick (const GError *error)
{
  if (error->domain == ESPLASH_ERROR)
    return esplash_error_code_nick ((EsplashError) error->code);
  if (error->domain == G_OPTION_ERROR)
    return "usage";
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  if (error->domain == G_FILE_ERROR || error->domain == G_IO_ERROR)
    return "io";
  return "failed";
}

void
cli_output_error (CliOutput    *out,
                  const GError *error,
                  const char   *hint)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&out->lock);

  if (out->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "error");
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, error_code_nick (error));
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, error->message);
      if (hint != NULL)
        {
          json_builder_set_member_name (b, "hint");
          json_builder_add_string_value (b, hint);
        }
      json_builder_end_object (b);
      emit_json (b);
      return;
    }
  close_progress_line (out);
  fflush (stdout);
  fprintf (stderr, "error: %s\n", error->message);
  if (hint != NULL)
    fprintf (stderr, "%s\n", hint);
  fflush (stderr);
}

void
cli_output_cancelled (CliOutput *out)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");

  if (out->json)
    {
      cli_output_error (out, error, NULL);
      return;
    }
  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&out->lock);

    close_progress_line (out);
    fflush (stdout);
    fprintf (stderr, "Cancelled\n");
    fflush (stderr);
  }
}

/* @text word-wrapped to WRAP_COLUMNS: the first line after @first, the
 * others after @indent. A word longer than a line stays whole. */
static void
append_wrapped (GString    *s,
                const char *first,
                const char *indent,
                const char *text)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  glong column = g_utf8_strlen (first, -1);
  glong indent_len = g_utf8_strlen (indent, -1);
  gboolean line_empty = TRUE;

  g_string_append (s, first);
  for (guint i = 0; words[i] != NULL; i++)
    {
      glong len = g_utf8_strlen (words[i], -1);

      if (len == 0)
        continue;
      if (!line_empty && column + 1 + len > WRAP_COLUMNS)
        {
          g_string_append_c (s, '\n');
          g_string_append (s, indent);
          column = indent_len;
          line_empty = TRUE;
        }
      if (!line_empty)
        {
          g_string_append_c (s, ' ');
          column++;
        }
      g_string_append (s, words[i]);
      column += len;
      line_empty = FALSE;
    }
  g_string_append_c (s, '\n');
}

static char *
diagnosis_text (const EsplashDiagnosis *d,
                const GError           *error)
{
  g_autofree char *reported = error != NULL ? g_strdup_printf ("Error reported: %s", error->message)
                                            : NULL;
  GString *s = g_string_new (NULL);
  guint number_width = d->steps->len >= 10 ? 2 : 1;

  g_string_append_c (s, '\n');
  {
    g_autofree char *title = g_strdup_printf ("%s [%s]", d->title, d->id);

    append_wrapped (s, "Diagnosis: ", "  ", title);
  }
  if (d->explanation != NULL && d->explanation[0] != '\0')
    append_wrapped (s, "", "", d->explanation);
  if (d->steps->len > 0)
    g_string_append (s, "\nWhat to do:\n");
  for (guint i = 0; i < d->steps->len; i++)
    {
      const EsplashDiagnosisStep *step = g_ptr_array_index (d->steps, i);
      g_autofree char *number = g_strdup_printf ("  %*u. ", number_width, i + 1);
      g_autofree char *indent = g_strnfill (strlen (number), ' ');

      append_wrapped (s, number, indent, step->text);
      /* A command is printed whole on its own line, ready to copy. */
      if (step->command != NULL)
        g_string_append_printf (s, "%s    %s\n", indent, step->command);
    }
  if (d->evidence->len > 0)
    g_string_append (s, "\nSeen:\n");
  for (guint i = 0; i < d->evidence->len; i++)
    {
      const char *line = g_ptr_array_index (d->evidence, i);

      if (g_strcmp0 (line, reported) != 0)
        append_wrapped (s, "  - ", "    ", line);
    }
  return g_string_free (s, FALSE);
}

void
cli_output_diagnosis (CliOutput              *out,
                      const EsplashDiagnosis *diagnosis,
                      const GError           *error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&out->lock);
  g_autofree char *text = NULL;

  if (out->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) node = esplash_diagnosis_to_json (diagnosis);
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "diagnosis");
      for (GList *l = members; l != NULL; l = l->next)
        {
          json_builder_set_member_name (b, l->data);
          json_builder_add_value (b, json_node_copy (json_object_get_member (object, l->data)));
        }
      json_builder_end_object (b);
      emit_json (b);
      return;
    }
  text = diagnosis_text (diagnosis, error);
  close_progress_line (out);
  fflush (stdout);
  fputs (text, stderr);
  fflush (stderr);
}
