/* esplash-image-desc.c: what an ESP-IDF image says about itself — the app
 * description (esp_app_desc_t).
 *
 * Only the segments' bytes are read, and only after esplash_image_parse() has
 * checked that each segment lies inside the buffer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-bytes-private.h"

#include "esplash-image-private.h"

/* esp_app_desc_t, at the start of segment 0's data. */
#define APP_DESC_MAGIC        0xABCD5432u
#define APP_DESC_VERSION_OFF  16
#define APP_DESC_PROJECT_OFF  48
#define APP_DESC_TIME_OFF     80
#define APP_DESC_DATE_OFF     96
#define APP_DESC_IDF_VER_OFF  112
#define APP_DESC_MIN_LEN      144   /* through idf_ver */

static void
copy_desc_string (char         *dest,
                  gsize         dest_size,
                  const guint8 *src,
                  gsize         field_len)
{
  gsize n = 0;

  g_assert (dest_size > field_len);
  /* Only printable ASCII: these end up in logs and labels. A field filled to
   * its last byte has no NUL and ends at the field. */
  while (n < field_len && src[n] != '\0')
    {
      dest[n] = g_ascii_isprint (src[n]) ? (char) src[n] : '?';
      n++;
    }
  dest[n] = '\0';
}

static void
read_app_desc (const guint8     *data,
               EsplashImageInfo *info)
{
  const EsplashImageSegment *seg = &info->segments[0];
  const guint8 *d;

  if (info->n_segments == 0 || seg->size < APP_DESC_MIN_LEN)
    return;
  d = data + seg->file_offset;
  if (esplash_read_le32 (d) != APP_DESC_MAGIC)
    return;
  info->has_app_desc = TRUE;
  copy_desc_string (info->version, sizeof info->version, d + APP_DESC_VERSION_OFF, 32);
  copy_desc_string (info->project_name, sizeof info->project_name, d + APP_DESC_PROJECT_OFF, 32);
  copy_desc_string (info->compile_time, sizeof info->compile_time, d + APP_DESC_TIME_OFF, 16);
  copy_desc_string (info->compile_date, sizeof info->compile_date, d + APP_DESC_DATE_OFF, 16);
  copy_desc_string (info->idf_version, sizeof info->idf_version, d + APP_DESC_IDF_VER_OFF, 32);
}

void
esplash_image_read_descs (const guint8     *data,
                          EsplashImageInfo *info)
{
  read_app_desc (data, info);
}
