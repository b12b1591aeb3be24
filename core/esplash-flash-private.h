/* esplash-flash-private.h: helpers shared by esplash-flash*.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-flash.h"

G_BEGIN_DECLS

gboolean esplash_flash_require_connected (EsplashDevice *device, GError **error);
/* "4 MB", "512 KB"; newly allocated. */
char    *esplash_flash_format_size       (guint32 bytes);
void     esplash_flash_emit_progress     (EsplashDevice *device,
                                          EsplashStage   stage,
                                          guint          region_index,
                                          guint          region_count,
                                          guint32        region_address,
                                          guint64        region_done,
                                          guint64        region_total,
                                          guint64        overall_done,
                                          guint64        overall_total,
                                          guint64        overall_skipped);
/* Pads @data to 4 bytes with 0xFF and, if @align_to_sector, moves *@address
 * down to a 4 KiB boundary, prepending 0xFF (§3.2). */
GBytes  *esplash_flash_pad_image         (GBytes   *data,
                                          gboolean  align_to_sector,
                                          guint32  *address);

void        esplash_flash_md5_of        (const guint8 *data, gsize len, guint8 digest[16]);
const char *esplash_flash_region_label  (const EsplashFlashRegion *region);
gboolean    esplash_flash_can_verify    (EsplashDevice *device);
gboolean    esplash_flash_verify_region (EsplashDevice             *device,
                                         const EsplashFlashRegion  *region,
                                         guint32                    address,
                                         GBytes                    *image,
                                         const guint8              *expected,
                                         GCancellable              *cancellable,
                                         GError                   **error);

/* esplash-flash-write.c: one part of a region on the wire. */
typedef struct {
  const EsplashFlashRegion *region;
  guint     index;
  guint32   address;      /* possibly aligned down (ROM) */
  GBytes   *image;        /* padded, patched, possibly with 0xFF prepended */
  GBytes   *previous;     /* the region's previous file, laid out like @image; nullable */
  guint8    md5[16];
  EsplashCompress compress;  /* NEVER when the loader cannot */
  GBytes   *compressed;   /* what is sent compressed; NULL: sent plain */
  guint32   progress_offset;  /* a part of a region: where it starts in it */
  guint64   progress_total;   /* the whole region's length */
} EsplashFlashPrepared;

typedef struct {
  guint   count;
  guint64 overall_done;
  guint64 overall_total;
  guint64 overall_skipped;
  guint32 flash_size;      /* for the guard sectors; 0 = unknown */
} EsplashFlashTotals;

void     esplash_flash_region_progress (EsplashDevice              *device,
                                        const EsplashFlashPrepared *p,
                                        const EsplashFlashTotals   *totals,
                                        guint64                     done);
gboolean esplash_flash_write_part      (EsplashDevice              *device,
                                        const EsplashFlashPrepared *p,
                                        const EsplashFlashTotals   *totals,
                                        guint32                     offset,
                                        guint32                     len,
                                        guint32                    *acked,
                                        GCancellable               *cancellable,
                                        GError                    **error);

/* esplash-flash-resume.c */
/* Takes the session up again after @cause (consumed) if it is worth it and
 * *@budget allows; FALSE with the better of the two errors otherwise. */
gboolean esplash_flash_recover_session        (EsplashDevice              *device,
                                               GError                     *cause,
                                               guint                      *budget,
                                               GCancellable               *cancellable,
                                               GError                    **error);
/* Writes @runs (EsplashFlashRun) of a region, resuming from the flash after
 * a lost session, between a look at the region's neighbours. */
gboolean esplash_flash_write_runs_guarded     (EsplashDevice              *device,
                                               const EsplashFlashPrepared *p,
                                               EsplashFlashTotals         *totals,
                                               GArray                     *runs,
                                               guint                      *budget,
                                               GCancellable               *cancellable,
                                               GError                    **error);
gboolean esplash_flash_verify_region_resuming (EsplashDevice              *device,
                                               const EsplashFlashPrepared *p,
                                               EsplashFlashTotals         *totals,
                                               guint                      *budget,
                                               GCancellable               *cancellable,
                                               GError                    **error);

/* esplash-flash-skip.c: which parts of an image the flash already holds. */
typedef struct {
  guint32 offset;   /* in the image */
  guint32 len;
} EsplashFlashRun;

/* Whether the loader can tell (SPI_FLASH_MD5) and @address is a sector. */
gboolean esplash_flash_can_skip     (EsplashDevice *device,
                                     guint32        address);
void     esplash_flash_diff_runs    (GBytes        *image,
                                     GBytes        *previous,
                                     GArray        *runs);
gboolean esplash_flash_find_changed (EsplashDevice  *device,
                                     guint32         address,
                                     GBytes         *image,
                                     GArray         *runs,
                                     GCancellable   *cancellable,
                                     GError        **error);

G_END_DECLS
