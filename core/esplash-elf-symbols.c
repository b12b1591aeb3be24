/* esplash-elf-symbols.c: code addresses → function and file:line, from an
 * application's ELF, with elfutils' libdwfl/libdw.
 *
 * The ELF is for the chip (32-bit RISC-V or Xtensa), so it is reported to
 * libdwfl "offline" (dwfl_report_offline: an ET_EXEC at its own addresses,
 * nothing relocated) and read with the architecture-neutral parts of
 * libdw: the symbol table, DWARF scopes and the line table. An address is
 * in the ELF when a section of the file holds it (outside every section a
 * lookup answers FALSE and describe() says "not in NAME.elf").
 *
 * The function named is the innermost one at the address: an inlined
 * function's own name when DWARF says the code was inlined there
 * (dwarf_getscopes), else the containing subprogram's DWARF name, else the
 * symbol table's; file and line come from the line table, the file as the
 * DWARF gives it (usually an absolute path from the build machine; a
 * relative one is put after the compilation folder, as GNU addr2line does,
 * without resolving "..").
 *
 * The file's SHA-256 is computed at load: ESP-IDF prints the first digits
 * of it at start ("ELF file SHA256:"), so a monitor can tell whether the
 * board runs this very build.
 *
 * Finding the ELF that belongs to a dropped build (esplash_elf_find_for_build,
 * declared with these functions) is in esplash-elf-find.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <glib/gstdio.h>

#include "esplash-elf-symbols.h"
#include "esplash-error.h"

#define HASH_CHUNK (64 * 1024)
#define CHOOSE_ELF_HINT \
  "choose the application's .elf from the build folder (build/PROJECT.elf)"

struct _EsplashElfSymbols {
  GObject      parent_instance;

  char        *path;
  char        *basename;
  char        *sha256;      /* lower-case hex */
  Dwfl        *dwfl;
  Dwfl_Module *module;
};

G_DEFINE_FINAL_TYPE (EsplashElfSymbols, esplash_elf_symbols, G_TYPE_OBJECT)

/* libdwfl asks for separate debug info only when the ELF has no DWARF of
 * its own (ESP-IDF, Arduino and PlatformIO ELFs carry theirs). Nothing
 * outside the ELF is looked for: dwfl_standard_find_debuginfo would search
 * the host's debug folders (/usr/lib/debug, .debug/, by build ID and
 * .gnu_debuglink) and, when DEBUGINFOD_URLS is set, download from a
 * debuginfod server, blocking for as long as the network takes. A serial
 * monitor must never wait on the network, and the host's debug files are
 * for the host, not for the chip. Without DWARF the symbol table still
 * names the functions, without lines. */
static int
find_no_debuginfo (Dwfl_Module  *module,
                   void        **userdata,
                   const char   *modname,
                   Dwarf_Addr    base,
                   const char   *file_name,
                   const char   *debuglink_file,
                   GElf_Word     debuglink_crc,
                   char        **debuginfo_file_name)
{
  errno = ENOENT;
  return -1;    /* no separate debug file */
}

static const Dwfl_Callbacks offline_callbacks = {
  .find_debuginfo = find_no_debuginfo,
  .section_address = dwfl_offline_section_address,
};

void
esplash_code_location_clear (EsplashCodeLocation *location)
{
  g_return_if_fail (location != NULL);
  g_clear_pointer (&location->function, g_free);
  g_clear_pointer (&location->file, g_free);
  location->line = 0;
}

static void
esplash_elf_symbols_finalize (GObject *object)
{
  EsplashElfSymbols *self = ESPLASH_ELF_SYMBOLS (object);

  g_clear_pointer (&self->dwfl, dwfl_end);
  g_free (self->path);
  g_free (self->basename);
  g_free (self->sha256);
  G_OBJECT_CLASS (esplash_elf_symbols_parent_class)->finalize (object);
}

static void
esplash_elf_symbols_class_init (EsplashElfSymbolsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = esplash_elf_symbols_finalize;
}

static void
esplash_elf_symbols_init (EsplashElfSymbols *self)
{
}

/* ---- loading ------------------------------------------------------------ */

/* Reads the whole file once: its SHA-256 and whether it starts as an ELF. */
static char *
hash_file (const char  *path,
           gboolean    *is_elf,
           GError     **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (HASH_CHUNK);
  guint8 magic[SELFMAG];
  gsize magic_len = 0;
  GStatBuf st;
  int fd;

  /* O_NONBLOCK: a FIFO given as the ELF must not hang the open */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ENOENT || saved == ENOTDIR)
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
                     "There is no file %s: %s", path, CHOOSE_ELF_HINT);
      else
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PERMISSION_DENIED,
                     "Cannot open %s (%s): check its permissions, or " CHOOSE_ELF_HINT,
                     path, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "%s is not a regular file: %s", path, CHOOSE_ELF_HINT);
      close (fd);
      return NULL;
    }
  for (;;)
    {
      gssize n = read (fd, buf, HASH_CHUNK);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                       "Cannot read %s: %s", path, g_strerror (saved));
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      if (magic_len < SELFMAG)
        {
          gsize take = MIN ((gsize) n, SELFMAG - magic_len);

          memcpy (magic + magic_len, buf, take);
          magic_len += take;
        }
      g_checksum_update (sum, buf, n);
    }
  close (fd);
  *is_elf = magic_len == SELFMAG && memcmp (magic, ELFMAG, SELFMAG) == 0;
  return g_strdup (g_checksum_get_string (sum));
}

/* TRUE when the symbol table names at least one piece of code. */
static gboolean
has_code_symbols (Dwfl_Module *module)
{
  int n = dwfl_module_getsymtab (module);

  for (int i = 1; i < n; i++)
    {
      GElf_Sym sym;
      GElf_Addr addr;
      const char *name = dwfl_module_getsym_info (module, i, &sym, &addr, NULL, NULL, NULL);

      if (name != NULL && name[0] != '\0' && sym.st_shndx != SHN_UNDEF &&
          (GELF_ST_TYPE (sym.st_info) == STT_FUNC || GELF_ST_TYPE (sym.st_info) == STT_NOTYPE))
        return TRUE;
    }
  return FALSE;
}

/**
 * esplash_elf_symbols_new:
 * @path: an application ELF
 * @error: %ESPLASH_ERROR_NOT_FOUND when there is no such file,
 *   %ESPLASH_ERROR_INVALID_IMAGE when it is not an ELF or has neither
 *   symbols nor line information
 *
 * Returns: (transfer full) (nullable): the symbols, or NULL with @error set
 */
EsplashElfSymbols *
esplash_elf_symbols_new (const char  *path,
                         GError     **error)
{
  g_autoptr(EsplashElfSymbols) self = NULL;
  g_autofree char *sha256 = NULL;
  gboolean is_elf = FALSE;
  Dwarf_Addr bias;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sha256 = hash_file (path, &is_elf, error);
  if (sha256 == NULL)
    return NULL;
  if (!is_elf)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "%s is not an ELF file: %s, not the .bin that is flashed", path,
                   CHOOSE_ELF_HINT);
      return NULL;
    }

  self = g_object_new (ESPLASH_TYPE_ELF_SYMBOLS, NULL);
  self->path = g_strdup (path);
  self->basename = g_path_get_basename (path);
  self->sha256 = g_steal_pointer (&sha256);
  self->dwfl = dwfl_begin (&offline_callbacks);
  if (self->dwfl == NULL)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                   "Cannot read symbols (libdwfl: %s)", dwfl_errmsg (-1));
      return NULL;
    }
  dwfl_report_begin (self->dwfl);
  self->module = dwfl_report_offline (self->dwfl, self->basename, path, -1);
  if (self->module == NULL)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "%s cannot be read as an ELF executable (%s): %s", path, dwfl_errmsg (-1),
                   CHOOSE_ELF_HINT);
      return NULL;
    }
  if (dwfl_report_end (self->dwfl, NULL, NULL) != 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "%s cannot be read as an ELF executable (%s): %s", path, dwfl_errmsg (-1),
                   CHOOSE_ELF_HINT);
      return NULL;
    }
  if (!has_code_symbols (self->module) && dwfl_module_getdwarf (self->module, &bias) == NULL)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "%s has neither symbols nor debug information (it was stripped): %s, "
                   "as the build wrote it", path, CHOOSE_ELF_HINT);
      return NULL;
    }
  return g_steal_pointer (&self);
}

const char *
esplash_elf_symbols_get_path (EsplashElfSymbols *self)
{
  g_return_val_if_fail (ESPLASH_IS_ELF_SYMBOLS (self), NULL);
  return self->path;
}

const char *
esplash_elf_symbols_get_sha256 (EsplashElfSymbols *self)
{
  g_return_val_if_fail (ESPLASH_IS_ELF_SYMBOLS (self), NULL);
  return self->sha256;
}

gboolean
esplash_elf_symbols_matches_sha256 (EsplashElfSymbols *self,
                                    const char        *prefix)
{
  gsize len;

  g_return_val_if_fail (ESPLASH_IS_ELF_SYMBOLS (self), FALSE);

  if (prefix == NULL)
    return FALSE;
  len = strlen (prefix);
  if (len < 8 || len > strlen (self->sha256))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (prefix[i]))
      return FALSE;
  return g_ascii_strncasecmp (self->sha256, prefix, len) == 0;
}

/* ---- lookups ------------------------------------------------------------ */

/* The innermost function DWARF names at @address: an inlined function's
 * own name, else its subprogram's. */
static char *
dwarf_function_name (Dwfl_Module *module,
                     Dwarf_Addr   address)
{
  Dwarf_Addr bias = 0;
  Dwarf_Die *cudie = dwfl_module_addrdie (module, address, &bias);
  Dwarf_Die *scopes = NULL;
  char *name = NULL;
  int n;

  if (cudie == NULL)
    return NULL;
  n = dwarf_getscopes (cudie, address - bias, &scopes);
  for (int i = 0; i < n && name == NULL; i++)
    {
      int tag = dwarf_tag (&scopes[i]);

      if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine)
        {
          const char *s = dwarf_diename (&scopes[i]);

          if (s != NULL && s[0] != '\0')
            name = g_strdup (s);
        }
    }
  free (scopes);
  return name;
}

/* The symbol table's name for code at @address (not a data object's). */
static char *
symbol_function_name (Dwfl_Module *module,
                      Dwarf_Addr   address)
{
  GElf_Off offset = 0;
  GElf_Sym sym;
  const char *name = dwfl_module_addrinfo (module, address, &offset, &sym, NULL, NULL, NULL);

  if (name == NULL || name[0] == '\0')
    return NULL;
  switch (GELF_ST_TYPE (sym.st_info))
    {
    case STT_FUNC:
    case STT_GNU_IFUNC:
    case STT_NOTYPE:        /* assembly labels (vectors, start-up code) */
      return g_strdup (name);
    default:
      return NULL;
    }
}

/* TRUE when a section of the ELF holds @address (libdwfl also answers
 * for the address just past a section's end: that is left out here). */
static gboolean
in_a_section (EsplashElfSymbols *self,
              guint32            address)
{
  Dwarf_Addr offset = address, bias = 0;
  Elf_Scn *scn;
  GElf_Shdr shdr;

  if (dwfl_addrmodule (self->dwfl, address) != self->module)
    return FALSE;
  scn = dwfl_module_address_section (self->module, &offset, &bias);
  return scn != NULL && gelf_getshdr (scn, &shdr) != NULL && offset < shdr.sh_size;
}

/**
 * esplash_elf_symbols_lookup:
 * @self: the symbols
 * @address: a code address on the chip
 * @out: (out caller-allocates): filled in; clear it with
 *   esplash_code_location_clear()
 *
 * Returns: FALSE when no section of the ELF holds @address
 */
gboolean
esplash_elf_symbols_lookup (EsplashElfSymbols   *self,
                            guint32              address,
                            EsplashCodeLocation *out)
{
  Dwfl_Line *line;

  g_return_val_if_fail (ESPLASH_IS_ELF_SYMBOLS (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  out->address = address;
  out->function = NULL;
  out->file = NULL;
  out->line = 0;

  if (!in_a_section (self, address))
    return FALSE;

  out->function = dwarf_function_name (self->module, address);
  if (out->function == NULL)
    out->function = symbol_function_name (self->module, address);

  line = dwfl_module_getsrc (self->module, address);
  if (line != NULL)
    {
      int lineno = 0;
      const char *file = dwfl_lineinfo (line, NULL, &lineno, NULL, NULL, NULL);

      if (file != NULL && file[0] != '\0')
        {
          const char *comp_dir = dwfl_line_comp_dir (line);

          /* a relative name is relative to the compilation's folder */
          if (!g_path_is_absolute (file) && comp_dir != NULL && comp_dir[0] != '\0')
            out->file = g_build_filename (comp_dir, file, NULL);
          else
            out->file = g_strdup (file);
          out->line = lineno > 0 ? (guint) lineno : 0;
        }
    }
  return TRUE;
}

/**
 * esplash_elf_symbols_describe:
 * @self: the symbols
 * @address: a code address on the chip
 *
 * One line for a monitor, one of:
 * "0x42000034: parse_reading at /src/main/app.c:12",
 * "0x42000034: parse_reading" (no line information),
 * "0x42000034: ?? at /src/main/app.c:12" (a line but no function),
 * "0x42000034: ??" (in the ELF, but nothing known about it),
 * "0x42000034: ?? (not in app.elf)" (outside every section of the ELF).
 *
 * Returns: (transfer full): the line, without a line end
 */
char *
esplash_elf_symbols_describe (EsplashElfSymbols *self,
                              guint32            address)
{
  EsplashCodeLocation loc = { 0, };
  GString *s;

  g_return_val_if_fail (ESPLASH_IS_ELF_SYMBOLS (self), NULL);

  s = g_string_new (NULL);
  g_string_append_printf (s, "0x%08x: ", address);
  if (!esplash_elf_symbols_lookup (self, address, &loc))
    {
      g_string_append_printf (s, "?? (not in %s)", self->basename);
      return g_string_free (s, FALSE);
    }
  g_string_append (s, loc.function != NULL ? loc.function : "??");
  if (loc.file != NULL)
    {
      g_string_append_printf (s, " at %s", loc.file);
      if (loc.line > 0)
        g_string_append_printf (s, ":%u", loc.line);
    }
  esplash_code_location_clear (&loc);
  return g_string_free (s, FALSE);
}
