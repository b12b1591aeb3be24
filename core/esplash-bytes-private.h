/* esplash-bytes-private.h: little-endian fields in wire packets and image
 * files (everything on the wire and in ESP images is little-endian).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

static inline guint16
esplash_read_le16 (const guint8 *p)
{
  return (guint16) (p[0] | p[1] << 8);
}

static inline guint32
esplash_read_le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

/* Word @index of a command's data (commands carry arrays of 32-bit words). */
static inline guint32
esplash_read_word (const guint8 *data,
                   guint         index)
{
  return esplash_read_le32 (data + 4 * index);
}

G_END_DECLS
