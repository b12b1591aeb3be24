/* esplash-image-desc.c: what an ESP-IDF image says about itself — the app
 * description (esp_app_desc_t) and, from ESP-IDF 5.2 on, the bootloader
 * description (esp_bootloader_desc_t).
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

/* esp_bootloader_desc_t: magic byte, 3 reserved bytes, version (u32),
 * idf_ver[32], date_time[24], 16 reserved bytes. */
#define BOOT_DESC_MAGIC          0x50
#define BOOT_DESC_VERSION_OFF    4
#define BOOT_DESC_IDF_VER_OFF    8
#define BOOT_DESC_IDF_VER_LEN    32
#define BOOT_DESC_DATE_TIME_OFF  40
#define BOOT_DESC_DATE_TIME_LEN  24
#define BOOT_DESC_LEN            80

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

static gboolean
in_range (guint32 address,
          guint32 start,
          guint32 end)
{
  return address >= start && address < end;
}

/* As esptool decides it, an image with a segment in DROM is an app, and a
 * bootloader's description starts a DRAM segment of at least 80 bytes. Which
 * one: segment 0, at file offset 0x20, where esptool's elf2image moves the
 * description's section and where ESP-IDF's own reader looks for it.
 * (esptool's image_info keeps the last such segment instead; on chips whose
 * IRAM and DRAM share addresses — C5, C6, C61, H2, P4 — that can be code.)
 * The DROM and DRAM ranges are esptool's memory maps, in the chip table. */
static void
read_bootloader_desc (const guint8     *data,
                      EsplashImageInfo *info)
{
  const EsplashChipInfo *chip = esplash_chip_from_image_id (info->chip_id);
  const EsplashImageSegment *first = &info->segments[0];
  EsplashImageBootloaderDesc *desc = &info->bootloader_desc;
  const guint8 *d;

  /* the chip table's memory map; a chip without one has no description */
  if (chip == NULL || chip->dram_start >= chip->dram_end ||
      info->has_app_desc || info->n_segments == 0)
    return;
  for (guint i = 0; i < info->n_segments; i++)
    if (in_range (info->segments[i].load_address, chip->drom_start, chip->drom_end))
      return;
  if (first->size < BOOT_DESC_LEN ||
      !in_range (first->load_address, chip->dram_start, chip->dram_end))
    return;
  d = data + first->file_offset;
  /* A one-byte magic; the reserved bytes are not checked, as newer ESP-IDF
   * versions have begun to use them. */
  if (d[0] != BOOT_DESC_MAGIC)
    return;
  info->has_bootloader_desc = TRUE;
  desc->version = esplash_read_le32 (d + BOOT_DESC_VERSION_OFF);
  copy_desc_string (desc->idf_version, sizeof desc->idf_version,
                    d + BOOT_DESC_IDF_VER_OFF, BOOT_DESC_IDF_VER_LEN);
  copy_desc_string (desc->date_time, sizeof desc->date_time,
                    d + BOOT_DESC_DATE_TIME_OFF, BOOT_DESC_DATE_TIME_LEN);
}

void
esplash_image_read_descs (const guint8     *data,
                          EsplashImageInfo *info)
{
  read_app_desc (data, info);
  read_bootloader_desc (data, info);
}

/**
 * esplash_image_info_get_bootloader_desc:
 * @info: an image parsed by esplash_image_parse()
 *
 * The description an ESP-IDF 5.2 or later bootloader carries: its version,
 * the ESP-IDF version and its build time. An app (an image with flash-mapped
 * data, whose description is the app description instead), an older
 * bootloader, an image for a chip Esplash does not know and an ESP8266 image
 * have none.
 *
 * Returns: (transfer none) (nullable): the description inside @info, valid as
 *   long as @info is, or %NULL when the image has none
 */
const EsplashImageBootloaderDesc *
esplash_image_info_get_bootloader_desc (const EsplashImageInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  return info->has_bootloader_desc ? &info->bootloader_desc : NULL;
}
