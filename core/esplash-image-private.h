/* esplash-image-private.h: shared by esplash-image.c (the layout) and
 * esplash-image-desc.c (the descriptions ESP-IDF embeds in its images).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-image.h"

G_BEGIN_DECLS

/* Fills the app or bootloader description of @info, an ESP32-family image
 * whose segments have been read from @data (so they lie inside it). */
void esplash_image_read_descs (const guint8     *data,
                               EsplashImageInfo *info);

G_END_DECLS
