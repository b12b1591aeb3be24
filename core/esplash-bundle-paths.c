/* esplash-bundle-paths.c: reading the files a bundle names, safely.
 *
 * A path from a build description or a folder scan must stay inside that
 * folder: absolute paths are refused, "../" is resolved lexically, and the
 * result is resolved again with realpath() so a symbolic link out of the
 * folder is caught too; the comparison is by whole path components.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "esplash-bundle-private.h"

/* Reads a regular file of at most ESPLASH_BUNDLE_MAX_FILE bytes. */
GBytes *
esplash_bundle_read_file (const char  *path,
                          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;
  char *contents = NULL;
  gsize len = 0;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, ESPLASH_ERROR,
                   saved == ENOENT || saved == ENOTDIR ? ESPLASH_ERROR_NOT_FOUND
                                                       : ESPLASH_ERROR_PERMISSION_DENIED,
                   "%s: %s", path, g_strerror (saved));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "%s is not a regular file", path);
      return NULL;
    }
  if ((guint64) st.st_size > ESPLASH_BUNDLE_MAX_FILE)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_IMAGE_TOO_LARGE,
                   "%s is %" G_GUINT64_FORMAT " bytes long, larger than any ESP flash",
                   path, (guint64) st.st_size);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, ESPLASH_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                     ? ESPLASH_ERROR_NOT_FOUND : ESPLASH_ERROR_PERMISSION_DENIED,
                   "Cannot read %s: %s", path, local_error->message);
      return NULL;
    }
  return g_bytes_new_take (contents, len);
}

static gboolean
path_inside (const char *path,
             const char *base)
{
  gsize n = strlen (base);

  if (g_str_equal (base, "/"))
    return TRUE;
  return strncmp (path, base, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Resolves @rel inside @base_dir. Returns the path to read, or NULL with
 * *@problem and *@message set (PATH_ESCAPES or MISSING_FILE). */
char *
esplash_bundle_resolve_inside (const char        *base_dir,
                               const char        *rel,
                               const char        *what,
                               EsplashPlanCheck  *problem,
                               char             **message)
{
  g_autofree char *base = g_canonicalize_filename (base_dir, NULL);
  g_autofree char *joined = NULL, *real_base = NULL, *real = NULL;

  if (g_path_is_absolute (rel))
    {
      *problem = ESPLASH_PLAN_CHECK_PATH_ESCAPES;
      *message = g_strdup_printf ("%s names the absolute path %s; a build description may "
                                  "only name files inside its own folder — copy the file into "
                                  "the build folder, or flash it with an explicit offset", what, rel);
      return NULL;
    }
  joined = g_canonicalize_filename (rel, base);
  if (!path_inside (joined, base))
    {
      *problem = ESPLASH_PLAN_CHECK_PATH_ESCAPES;
      *message = g_strdup_printf ("%s names %s, which leaves its folder (%s); refusing to "
                                  "read files outside a build folder — fix the path",
                                  what, rel, base);
      return NULL;
    }
  real_base = realpath (base, NULL);
  if (real_base == NULL)
    real_base = g_strdup (base);
  real = realpath (joined, NULL);
  if (real == NULL)
    {
      int saved = errno;

      *problem = ESPLASH_PLAN_CHECK_MISSING_FILE;
      *message = g_strdup_printf ("%s names %s, which %s (%s); rebuild the project, or copy "
                                  "the whole build folder", what, rel,
                                  saved == ENOENT ? "does not exist" : "cannot be opened",
                                  g_strerror (saved));
      return NULL;
    }
  if (!path_inside (real, real_base))
    {
      *problem = ESPLASH_PLAN_CHECK_PATH_ESCAPES;
      *message = g_strdup_printf ("%s names %s, a symbolic link to %s outside its folder; "
                                  "refusing to follow it — copy the file into the folder instead",
                                  what, rel, real);
      return NULL;
    }
  /* read exactly what was checked */
  return g_steal_pointer (&real);
}

