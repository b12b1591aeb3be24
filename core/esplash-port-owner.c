/* esplash-port-owner.c: who holds a port open, by scanning /proc (proc(5),
 * troubleshooting.md §7 "Who holds a port").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-port-owner.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

void
esplash_port_holder_free (EsplashPortHolder *holder)
{
  if (holder == NULL)
    return;
  g_free (holder->name);
  g_free (holder->cmdline);
  g_free (holder);
}

static gboolean
is_pid_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static char *
read_comm (const char *pid_dir)
{
  g_autofree char *path = g_build_filename (pid_dir, "comm", NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return g_strdup (g_strchomp (text));
}

/* /proc/<pid>/cmdline separates the arguments with NULs. */
static char *
read_cmdline (const char *pid_dir)
{
  g_autofree char *path = g_build_filename (pid_dir, "cmdline", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, NULL) || len == 0)
    return NULL;
  for (gsize i = 0; i + 1 < len; i++)
    if (text[i] == '\0')
      text[i] = ' ';
  return g_strdup (text);
}

/* Does any fd of the process at @pid_dir refer to the file @target? The
 * link text is compared first (cheap), then the inode behind the link,
 * which also matches through other names of the same device node. */
static gboolean
process_holds (const char        *pid_dir,
               const char        *resolved,
               const struct stat *target)
{
  g_autofree char *fd_dir = g_build_filename (pid_dir, "fd", NULL);
  g_autoptr(GDir) dir = g_dir_open (fd_dir, 0, NULL);
  const char *entry;

  if (dir == NULL)
    return FALSE;   /* another user's process, or gone */
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link = g_build_filename (fd_dir, entry, NULL);
      g_autofree char *dest = g_file_read_link (link, NULL);
      struct stat st;

      if (dest != NULL && g_strcmp0 (dest, resolved) == 0)
        return TRUE;
      if (stat (link, &st) == 0 && st.st_dev == target->st_dev && st.st_ino == target->st_ino &&
          st.st_rdev == target->st_rdev)
        return TRUE;
    }
  return FALSE;
}

static gint
compare_pids (gconstpointer a,
              gconstpointer b)
{
  gint x = *(const gint *) a;
  gint y = *(const gint *) b;

  return (x > y) - (x < y);
}

/**
 * esplash_port_find_holders:
 * @path: a device node or file
 *
 * Returns: (transfer full) (element-type EsplashPortHolder): the other
 *   processes that have @path open, lowest pid first; empty if none could
 *   be seen
 */
GPtrArray *
esplash_port_find_holders (const char *path)
{
  GPtrArray *holders = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_port_holder_free);
  g_autofree char *resolved = NULL;
  g_autoptr(GDir) proc = NULL;
  g_autoptr(GArray) pids = NULL;
  struct stat target;
  gint self_pid = (gint) getpid ();
  const char *entry;

  g_return_val_if_fail (path != NULL, holders);

  resolved = realpath (path, NULL);
  if (resolved == NULL || stat (resolved, &target) != 0)
    return holders;
  proc = g_dir_open ("/proc", 0, NULL);
  if (proc == NULL)
    return holders;

  pids = g_array_new (FALSE, FALSE, sizeof (gint));
  while ((entry = g_dir_read_name (proc)) != NULL)
    {
      gint pid;

      if (!is_pid_name (entry))
        continue;
      pid = (gint) g_ascii_strtoll (entry, NULL, 10);
      if (pid != self_pid)
        g_array_append_val (pids, pid);
    }
  g_array_sort (pids, compare_pids);
  for (guint i = 0; i < pids->len; i++)
    {
      gint pid = g_array_index (pids, gint, i);
      g_autofree char *pid_dir = g_strdup_printf ("/proc/%d", pid);
      EsplashPortHolder *holder;

      if (!process_holds (pid_dir, resolved, &target))
        continue;
      holder = g_new0 (EsplashPortHolder, 1);
      holder->pid = pid;
      holder->name = read_comm (pid_dir);
      if (holder->name == NULL)
        holder->name = g_strdup_printf ("process %d", pid);
      holder->cmdline = read_cmdline (pid_dir);
      g_ptr_array_add (holders, holder);
    }
  return holders;
}

/**
 * esplash_process_find:
 * @name: a process name as in /proc/<pid>/comm ("brltty", "ModemManager")
 *
 * Returns: the lowest pid of a process called @name, 0 if none (or no /proc)
 */
gint
esplash_process_find (const char *name)
{
  g_autoptr(GDir) proc = NULL;
  const char *entry;
  gint found = 0;

  g_return_val_if_fail (name != NULL, 0);

  proc = g_dir_open ("/proc", 0, NULL);
  if (proc == NULL)
    return 0;
  while ((entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *pid_dir = NULL;
      g_autofree char *comm = NULL;
      gint pid;

      if (!is_pid_name (entry))
        continue;
      pid = (gint) g_ascii_strtoll (entry, NULL, 10);
      pid_dir = g_build_filename ("/proc", entry, NULL);
      comm = read_comm (pid_dir);
      /* comm is cut at 15 characters ("ModemManager" fits). */
      if (comm != NULL && strncmp (comm, name, 15) == 0 && (found == 0 || pid < found))
        found = pid;
    }
  return found;
}
