/* esplash-flash-record.h: one line per flash, appended to a file the user
 * chooses (JSON Lines or CSV) — a record of every board.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "esplash-device.h"

G_BEGIN_DECLS

typedef enum {
  ESPLASH_RECORD_FORMAT_JSON_LINES = 0,
  ESPLASH_RECORD_FORMAT_CSV = 1,
} EsplashRecordFormat;

/* One image written: @sha256 is the hex digest of the bytes sent. */
typedef struct {
  guint32  offset;
  guint32  size;
  char    *sha256;
  char    *name;       /* nullable */
} EsplashRecordImage;

typedef struct {
  GDateTime *time;          /* when the flash started (written as ISO 8601 UTC); nullable = now */
  char      *port;
  char      *usb_serial;    /* nullable */
  char      *chip;          /* "ESP32-S3"; nullable if never connected */
  guint      revision;      /* major*100 + minor */
  char      *mac;           /* "24:0a:c4:…"; nullable */
  guint32    flash_id;
  guint32    flash_size;    /* bytes */
  GPtrArray *images;        /* EsplashRecordImage */
  gdouble    duration_s;
  gboolean   ok;
  char      *error;         /* nullable */
  char      *diagnosis_id;  /* nullable */
} EsplashFlashRecord;

void     esplash_flash_record_init      (EsplashFlashRecord *record);
void     esplash_flash_record_clear     (EsplashFlashRecord *record);
void     esplash_flash_record_add_image (EsplashFlashRecord *record,
                                         guint32             offset,
                                         GBytes             *data,
                                         const char         *name);
/* Copies of @images (EsplashRecordImage), their digests computed already. */
void     esplash_flash_record_add_images (EsplashFlashRecord *record,
                                          GPtrArray          *images);
/* Chip, revision, MAC, flash ID and size from what the board said. */
void     esplash_flash_record_set_chip  (EsplashFlashRecord           *record,
                                         const EsplashChipDescription *chip);

EsplashRecordFormat esplash_record_format_for_path (const char *path);

/* The line @record becomes in @format, without the newline; the CSV
 * header with esplash_flash_record_csv_header(). */
char        *esplash_flash_record_to_line    (const EsplashFlashRecord *record,
                                              EsplashRecordFormat       format);
const char  *esplash_flash_record_csv_header (void);

/* Opens @path for appending (creating it) and closes it again: checks a
 * record can be written before anything is flashed. */
gboolean esplash_flash_record_check_path (const char  *path,
                                          GError     **error);
gboolean esplash_flash_record_append     (const EsplashFlashRecord *record,
                                          const char               *path,
                                          EsplashRecordFormat       format,
                                          GError                  **error);

G_END_DECLS
