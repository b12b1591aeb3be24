/* esplash-flash.h: flash operations on a connected device: write, verify,
 * read, erase (protocol.md §2.4–§2.14, §3, §4).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-device.h"

G_BEGIN_DECLS

/* One region to write: @data at @address. */
typedef struct {
  guint32  address;
  GBytes  *data;
  char    *name;      /* for messages ("bootloader.bin"); nullable */
  /* Appended: what the flash holds at @address already — the file written
   * there last (esptool's --diff-with); nullable. Set, it is compared
   * instead of asking the chip, and only the sectors that differ are
   * written; the region is still verified. */
  GBytes  *previous;
} EsplashFlashRegion;

EsplashFlashRegion *esplash_flash_region_new  (guint32 address, GBytes *data, const char *name);
void                esplash_flash_region_free (EsplashFlashRegion *region);
void                esplash_flash_region_set_previous (EsplashFlashRegion *region, GBytes *previous);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashFlashRegion, esplash_flash_region_free)

typedef enum {
  ESPLASH_COMPRESS_AUTO = 0,   /* compressed where the loader can and it is smaller */
  ESPLASH_COMPRESS_NEVER = 1,
  ESPLASH_COMPRESS_ALWAYS = 2, /* when the loader supports it */
} EsplashCompress;

typedef struct {
  EsplashCompress compress;
  gboolean        verify;        /* default TRUE */
  gboolean        erase_all;     /* erase the whole chip first (stub only) */
  const char     *flash_mode;    /* "keep" (default, NULL), "qio", "qout", "dio", "dout" */
  const char     *flash_freq;    /* "keep" (default, NULL), "40m", … */
  const char     *flash_size;    /* "keep" (default, NULL), "detect", "4MB", … */
  /* Appended: write every byte, even where the flash holds it already
   * (default FALSE: parts whose MD5 matches are skipped) */
  gboolean        no_skip;
} EsplashWriteOptions;

void     esplash_write_options_init (EsplashWriteOptions *options);

/* Writes every region (GPtrArray of EsplashFlashRegion), then verifies each
 * by MD5 unless options->verify is FALSE or the loader cannot (ESP8266 ROM:
 * logged). Fails with ESPLASH_ERROR_VERIFY_FAILED on a mismatch. */
gboolean esplash_flash_write  (EsplashDevice             *device,
                               GPtrArray                 *regions,
                               const EsplashWriteOptions *options,
                               GCancellable              *cancellable,
                               GError                   **error);

/* Compares the flash MD5 of each region with the file. */
gboolean esplash_flash_verify (EsplashDevice *device,
                               GPtrArray     *regions,
                               GCancellable  *cancellable,
                               GError       **error);

gboolean esplash_flash_md5    (EsplashDevice *device,
                               guint32        address,
                               guint32        size,
                               guint8         digest[16],
                               GCancellable  *cancellable,
                               GError       **error);

/* Stub: streamed READ_FLASH with acks and final MD5; ROM: READ_FLASH_SLOW. */
GBytes  *esplash_flash_read   (EsplashDevice *device,
                               guint32        address,
                               guint32        size,
                               GCancellable  *cancellable,
                               GError       **error);

gboolean esplash_flash_erase_all    (EsplashDevice *device,
                                     GCancellable  *cancellable,
                                     GError       **error);
/* @address and @size multiples of 0x1000. */
gboolean esplash_flash_erase_region (EsplashDevice *device,
                                     guint32        address,
                                     guint32        size,
                                     GCancellable  *cancellable,
                                     GError       **error);

G_END_DECLS
