/* flash.c: flash a board with libesplash-1, with a progress bar; Ctrl-C cancels.  SPDX-License-Identifier: CC0-1.0
 * cc flash.c $(pkg-config --cflags --libs esplash-1) -o flash && ./flash PORT-URL ADDRESS FILE [ADDRESS FILE ...] */
#include <esplash.h>
#include <glib-unix.h>

static void on_fraction (EsplashJob *job, GParamSpec *pspec, gpointer user_data)
{
  double fraction = esplash_job_get_fraction (job);   /* overall 0…1, never goes down */
  g_print ("\r[%-40.*s] %3.0f%%", (int) (fraction * 40), "########################################", fraction * 100);
}
static gboolean on_sigint (gpointer cancellable) { g_cancellable_cancel (cancellable); return G_SOURCE_CONTINUE; }
static void on_done (GObject *job, GAsyncResult *result, gpointer status)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = esplash_job_run_finish (ESPLASH_JOB (job), result, &error);
  *(int *) status = ok ? 0 : g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? 130 : 1;
  (ok ? g_print : g_printerr) ("\n%s\n", ok ? "Done: written and verified" : error->message);
}

int main (int argc, char **argv)
{
  g_autoptr(EsplashJobPlan) plan = esplash_job_plan_new (ESPLASH_JOB_WRITE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  int status = -1;
  if (argc < 4 || argc % 2 != 0)
    return g_printerr ("Usage: %s PORT-URL ADDRESS FILE [ADDRESS FILE ...]\n", argv[0]), 2;
  esplash_job_plan_set_url (plan, argv[1]);
  for (int i = 2; i + 1 < argc; i += 2) {
    g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[i + 1]);
    esplash_job_plan_add_file (plan, g_ascii_strtoull (argv[i], NULL, 0), file);
  }
  g_autoptr(EsplashJob) job = esplash_job_new (plan);
  g_signal_connect (job, "notify::fraction", G_CALLBACK (on_fraction), NULL);
  g_unix_signal_add (SIGINT, on_sigint, cancellable);
  esplash_job_run_async (job, cancellable, on_done, &status);
  while (status < 0)   /* on_done() sets it */
    g_main_context_iteration (NULL, TRUE);
  return status;
}
