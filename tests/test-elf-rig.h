/* test-elf-rig.h: what test-elf-symbols.c needs beside its cases — the
 * test app's ELF and C source, that ELF's symbol table read with libelf
 * and GNU addr2line's answer (both independent of the code under test),
 * the lines of a function in the source, and scratch folders of build
 * outputs.
 *
 * The ELF is tests/app-elf/panic-app.c built for rv32imc at setup
 * ($ESPLASH_TEST_APP_ELF; the source is found from $ESPLASH_TEST_DATA).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include <glib/gstdio.h>

#include "test-rm-rf.h"

static const char *
app_elf_path (void)
{
  const char *path = g_getenv ("ESPLASH_TEST_APP_ELF");

  g_assert_nonnull (path);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  return path;
}

/* The source the ELF was built from (tests/app-elf/panic-app.c). */
static char *
app_source_path (void)
{
  const char *data = g_getenv ("ESPLASH_TEST_DATA");
  g_autofree char *tests = NULL;

  g_assert_nonnull (data);
  tests = g_path_get_dirname (data);
  return g_build_filename (tests, "app-elf", "panic-app.c", NULL);
}

/* A function's address and size from the ELF's symbol table (libelf). */
static void
elf_function (const char *path,
              const char *name,
              guint32    *address,
              guint32    *size)
{
  int fd = g_open (path, O_RDONLY, 0);
  Elf *elf;
  Elf_Scn *scn = NULL;
  gboolean found = FALSE;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (elf_version (EV_CURRENT), !=, EV_NONE);
  elf = elf_begin (fd, ELF_C_READ, NULL);
  g_assert_nonnull (elf);
  while (!found && (scn = elf_nextscn (elf, scn)) != NULL)
    {
      GElf_Shdr shdr;
      Elf_Data *data;

      g_assert_nonnull (gelf_getshdr (scn, &shdr));
      if (shdr.sh_type != SHT_SYMTAB)
        continue;
      data = elf_getdata (scn, NULL);
      for (gsize i = 0; data != NULL && i < shdr.sh_size / shdr.sh_entsize; i++)
        {
          GElf_Sym sym;
          const char *n;

          g_assert_nonnull (gelf_getsym (data, (int) i, &sym));
          n = elf_strptr (elf, shdr.sh_link, sym.st_name);
          if (n != NULL && strcmp (n, name) == 0 && GELF_ST_TYPE (sym.st_info) == STT_FUNC)
            {
              *address = (guint32) sym.st_value;
              *size = (guint32) sym.st_size;
              found = TRUE;
              break;
            }
        }
    }
  elf_end (elf);
  close (fd);
  g_assert_true (found);
  g_assert_cmpuint (*size, >, 0);
}

/* GNU addr2line's answer (the cross binutils), an independent reader of
 * the same DWARF: function, file and line; FALSE when it is not installed. */
static gboolean
addr2line (const char *elf,
           guint32     address,
           char      **function,
           char      **file,
           guint      *line)
{
  g_autofree char *tool = g_find_program_in_path ("riscv64-unknown-elf-addr2line");
  g_autofree char *hex = g_strdup_printf ("0x%08x", address);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { tool, "-f", "-e", elf, hex, NULL };
  char *colon, *end;
  int status;

  if (tool == NULL)
    return FALSE;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 2);
  /* "/dir/panic-app.c:24 (discriminator 4)" */
  colon = strrchr (lines[1], ':');
  g_assert_nonnull (colon);
  *colon = '\0';
  *function = g_strdup (lines[0]);
  *file = g_strdup (lines[1]);
  *line = (guint) g_ascii_strtoull (colon + 1, &end, 10);
  return TRUE;
}

/* The lines of a function in the C source: from its name at the start of
 * a line (GNU style) to the closing brace at the start of a line. */
static void
source_span (const char *name,
             guint      *first,
             guint      *last)
{
  g_autofree char *path = app_source_path ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *head = g_strdup_printf ("%s (", name);
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  *first = *last = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (*first == 0 && g_str_has_prefix (lines[i], head))
        *first = i + 1;
      else if (*first != 0 && lines[i][0] == '}')
        {
          *last = i + 1;
          break;
        }
    }
  g_assert_cmpuint (*first, >, 0);
  g_assert_cmpuint (*last, >, *first);
}

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("esplash-crash-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* Writes @contents (NULL: a copy of the test ELF) to @dir/@rel. */
static char *
put_file (const char *dir,
          const char *rel,
          const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, rel, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *elf = NULL;
  gsize len = 0;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  if (contents == NULL)
    {
      g_file_get_contents (app_elf_path (), &elf, &len, &error);
      g_assert_no_error (error);
      g_file_set_contents (path, elf, (gssize) len, &error);
    }
  else
    g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}
