/* esplash-image.h: ESP firmware image parsing (pure; protocol.md §8).
 *
 * Tolerates nothing: every length and offset is bounds-checked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "esplash-chip.h"

G_BEGIN_DECLS

#define ESPLASH_IMAGE_MAGIC         0xE9
#define ESPLASH_IMAGE_MAGIC_ESP8266_V2 0xEA
#define ESPLASH_IMAGE_MAX_SEGMENTS  16

typedef struct {
  guint32 load_address;
  guint32 file_offset;     /* of the segment data */
  guint32 size;
} EsplashImageSegment;

/**
 * EsplashImageBootloaderDesc:
 * @version: the bootloader's own version number (ESP-IDF's
 *   `CONFIG_BOOTLOADER_PROJECT_VER`, 1 unless the project sets it)
 * @idf_version: the ESP-IDF version it was built with, e.g. "v5.2.1"
 * @date_time: when it was built, e.g. "Apr 25 2023 00:13:32"; empty when the
 *   build left the time out (reproducible builds)
 *
 * The description (`esp_bootloader_desc_t`) that ESP-IDF 5.2 and later put at
 * the start of a bootloader's first segment, which loads into DRAM. The
 * strings hold printable ASCII only: any other byte reads as '?'.
 */
typedef struct {
  guint32 version;
  char    idf_version[33];
  char    date_time[25];
} EsplashImageBootloaderDesc;

typedef struct {
  guint8   magic;
  guint8   n_segments;
  guint8   flash_mode;
  guint8   flash_size_freq;   /* byte 3: size nibble high, freq nibble low */
  guint32  entry;
  gboolean has_extended_header;  /* ESP32 family */
  /* extended header */
  guint8   wp_pin;
  guint16  chip_id;
  guint8   min_rev;
  guint16  min_rev_full;
  guint16  max_rev_full;
  gboolean hash_appended;
  /* body */
  EsplashImageSegment segments[ESPLASH_IMAGE_MAX_SEGMENTS];
  guint8   checksum_stored;
  guint8   checksum_computed;
  gsize    data_length;        /* through the checksum byte (what the SHA covers) */
  gboolean sha256_valid;       /* meaningful when hash_appended */
  guint8   sha256_stored[32];
  /* ESP-IDF app description, when segment 0 starts with its magic */
  gboolean has_app_desc;
  char     project_name[33];
  char     version[33];
  char     idf_version[33];
  char     compile_time[17];
  char     compile_date[17];
  /* Added after the first contract (append-only): the ESP-IDF >= 5.2
   * bootloader description, see esplash_image_info_get_bootloader_desc() */
  gboolean has_bootloader_desc;
  EsplashImageBootloaderDesc bootloader_desc;
} EsplashImageInfo;

/* Parses @data as an image for @chip. With @chip NULL the layout is inferred:
 * 0xEA → ESP8266 v2; 0xE9 with a plausible extended header (known chip id,
 * zero reserved bytes, hash_appended 0/1) → ESP32 family; else ESP8266 v1.
 * Returns FALSE with ESPLASH_ERROR_INVALID_IMAGE and a precise message when
 * the bytes are not a valid image. A bad checksum or SHA-256, and a chip id
 * other than @chip's, are reported in the info, not as errors (§8.3 checks
 * are the caller's). For an ESP8266 v2 image segments[0] is the IROM segment
 * (load address 0, not in the checksum); its trailing CRC32 is not checked. */
gboolean esplash_image_parse (const guint8           *data,
                              gsize                   len,
                              const EsplashChipInfo  *chip,
                              EsplashImageInfo       *info,
                              GError                **error);

/* The bootloader description of a parsed image, or NULL when it has none
 * (an app, a bootloader older than ESP-IDF 5.2, an ESP8266 image). */
const EsplashImageBootloaderDesc *
         esplash_image_info_get_bootloader_desc (const EsplashImageInfo *info);

/* Patches flash mode/freq/size in a bootloader image copy as esptool does
 * (§8.4) and recomputes the appended SHA-256. NULL/"keep" keeps a field;
 * "detect" size uses @detected_size (0 or unrepresentable: kept, with a
 * warning in @message). Returns a new GBytes (or a ref to @image when nothing
 * changes); @message gets a log line (NULL when all three are keep). An image
 * that does not parse for @chip, or whose chip id is another chip's, is
 * returned unchanged with a message saying so. Unknown names, or a NULL
 * @chip → NULL and ESPLASH_ERROR_INVALID_ARGUMENT. */
GBytes  *esplash_image_patch_flash_params (GBytes                *image,
                                           const EsplashChipInfo *chip,
                                           const char            *mode,
                                           const char            *freq,
                                           const char            *size,
                                           guint32                detected_size,
                                           char                 **message,
                                           GError               **error);

G_END_DECLS
