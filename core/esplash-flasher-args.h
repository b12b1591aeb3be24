/* esplash-flasher-args.h: ESP-IDF flash descriptions — build/flasher_args.json
 * and the flash_project_args / flash_args text files (pure; protocol.md §9.1,
 * §9.2).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ESPLASH_FLASHER_ARGS_MAX_FILES  64

typedef struct {
  guint32   offset;
  char     *path;        /* as written: relative to the description's folder */
  char     *part;        /* "bootloader", "app", "partition-table", "otadata"…; nullable */
  gboolean  encrypted;
} EsplashFlasherArgsFile;

typedef struct {
  char      *flash_mode;   /* nullable; "keep" and "detect" are passed through */
  char      *flash_freq;
  char      *flash_size;
  char      *chip;         /* IDF target ("esp32s3"), nullable */
  GPtrArray *files;        /* (element-type EsplashFlasherArgsFile), in the file's order, ≥ 1 */
} EsplashFlasherArgs;

/* flasher_args.json: "flash_files" is authoritative; part objects
 * ("bootloader", "app", …) name the files; "flash_settings" (else
 * "write_flash_args") give mode/freq/size; "extra_esptool_args.chip" the
 * target. Errors: ESPLASH_ERROR_INVALID_IMAGE (JSON syntax with line:column,
 * wrong types, bad offsets, no files). */
EsplashFlasherArgs *esplash_flasher_args_parse_json (const char  *text,
                                                     gsize        len,
                                                     GError     **error);
/* flash_project_args / flash_args: option tokens (--flash_mode dio …) and
 * "<offset> <path>" lines. Errors name the line. */
EsplashFlasherArgs *esplash_flasher_args_parse_text (const char  *text,
                                                     gsize        len,
                                                     GError     **error);
void                esplash_flasher_args_free       (EsplashFlasherArgs *args);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashFlasherArgs, esplash_flasher_args_free)

/* Parses "0x1000", "4096" (≤ 0xFFFFFFFF, no sign, no junk); FALSE otherwise. */
gboolean esplash_parse_offset (const char *text,
                               guint32    *offset);

G_END_DECLS
