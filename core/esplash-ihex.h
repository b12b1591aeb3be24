/* esplash-ihex.h: Intel HEX files (pure).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Larger than any ESP flash: a HEX file claiming more is refused. */
#define ESPLASH_IHEX_MAX_DATA  ((gsize) 128 * 1024 * 1024)

typedef struct {
  guint32  address;   /* flash offset (the HEX address) */
  GBytes  *data;
} EsplashIhexRegion;

void esplash_ihex_region_free (EsplashIhexRegion *region);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashIhexRegion, esplash_ihex_region_free)

/* Parses Intel HEX text (record types 00–05; CR LF or LF line ends; blank
 * lines ignored). Data records are merged into contiguous regions, sorted by
 * address. Every record's checksum is checked; a bad record, overlapping data,
 * data beyond 4 GiB, or a missing or early end-of-file record gives
 * ESPLASH_ERROR_INVALID_IMAGE with "line N:" in the message.
 * Returns (element-type EsplashIhexRegion) with at least one region. */
GPtrArray *esplash_ihex_parse (const char  *text,
                               gsize        len,
                               GError     **error);

/* TRUE when @data starts like a HEX file (':' then hex digits). */
gboolean   esplash_ihex_sniff (const guint8 *data,
                               gsize         len);

G_END_DECLS
