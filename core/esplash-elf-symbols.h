/* esplash-elf-symbols.h: code addresses → function and file:line, from an
 * application's ELF, with elfutils' libdw (offline: the ELF is for the
 * chip, not the host; Xtensa and RISC-V alike).
 *
 * One object per ELF file; lookups from one thread at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  guint32  address;
  char    *function;   /* NULL when the address is in no function of the ELF */
  char    *file;       /* NULL without line information */
  guint    line;       /* 0 without line information */
} EsplashCodeLocation;

void esplash_code_location_clear (EsplashCodeLocation *location);

#define ESPLASH_TYPE_ELF_SYMBOLS (esplash_elf_symbols_get_type ())
G_DECLARE_FINAL_TYPE (EsplashElfSymbols, esplash_elf_symbols, ESPLASH, ELF_SYMBOLS, GObject)

/* Loads @path. Errors: ESPLASH_ERROR_NOT_FOUND (no such file),
 * ESPLASH_ERROR_INVALID_IMAGE (not an ELF, or one with neither symbols nor
 * line information), each saying what to do. */
EsplashElfSymbols *esplash_elf_symbols_new        (const char         *path,
                                                   GError            **error);
const char        *esplash_elf_symbols_get_path   (EsplashElfSymbols  *self);
/* Lower-case hex SHA-256 of the file (ESP-IDF prints its first 16 digits at start). */
const char        *esplash_elf_symbols_get_sha256 (EsplashElfSymbols  *self);
/* TRUE when @prefix (a hex prefix, any case, at least 8 digits) starts the file's SHA-256. */
gboolean           esplash_elf_symbols_matches_sha256 (EsplashElfSymbols *self,
                                                       const char        *prefix);

/* Fills @out (clear it with esplash_code_location_clear). FALSE when the
 * address is outside every section of the ELF (out->function stays NULL). */
gboolean           esplash_elf_symbols_lookup     (EsplashElfSymbols   *self,
                                                   guint32              address,
                                                   EsplashCodeLocation *out);
/* One line for a monitor: "0x42000034: parse_reading at /src/main/app.c:12",
 * "0x42000034: parse_reading" (no line info), "0x42000034: ?? (not in app.elf)". */
char              *esplash_elf_symbols_describe   (EsplashElfSymbols   *self,
                                                   guint32              address);

/* The application ELF that belongs to a dropped build output, or NULL:
 * ESP-IDF (flasher_args.json's app file or project_description.json's
 * app_elf, next to it), PlatformIO (firmware.elf beside firmware.bin),
 * Arduino (<sketch>.ino.elf beside <sketch>.ino.bin / .merged.bin), or
 * a lone NAME.elf beside NAME.bin. @path is a file or a build folder. */
char              *esplash_elf_find_for_build     (const char          *path);

G_END_DECLS
