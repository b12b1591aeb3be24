/* esplash-bundle-detect.c: what a file is, from its bytes first and its
 * name second.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-bundle-private.h"
#include "esplash-image.h"

/* esptool's elf2image places each flash-mapped segment so that its file
 * offset and load address agree modulo the 64 KiB MMU page; RAM segments
 * (all a 2nd-stage bootloader has) essentially never do. */
#define MMU_PAGE             0x10000u
/* esp_bootloader_desc_t (ESP-IDF ≥ 5.2) starts the bootloader's first
 * DRAM segment with this byte. */
#define BOOTLOADER_DESC_MAGIC 0x50
#define BOOTLOADER_DESC_LEN  80
/* Secure Boot v2 signature block and v1 signature sizes (espsecure). */
#define SIG_BLOCK_MAGIC      0xE7
#define SIG_V1_LEN           68

void
esplash_detected_clear (EsplashDetected *det)
{
  g_clear_pointer (&det->why, g_free);
  g_clear_pointer (&det->detail, g_free);
  g_clear_pointer (&det->image_error, g_free);
  g_clear_pointer (&det->table, esplash_partition_table_free);
}

static gboolean
name_has (const char *lower_name,
          const char *what)
{
  return lower_name != NULL && strstr (lower_name, what) != NULL;
}

static gboolean
has_flash_mapped_segment (const EsplashImageInfo *info)
{
  for (guint i = 0; i < info->n_segments; i++)
    {
      const EsplashImageSegment *s = &info->segments[i];

      if (s->size > 0 && s->file_offset % MMU_PAGE == s->load_address % MMU_PAGE)
        return TRUE;
    }
  return FALSE;
}

static const char *
chip_name_for (const EsplashImageInfo *info)
{
  const EsplashChipInfo *chip;

  if (!info->has_extended_header)
    return info->magic == ESPLASH_IMAGE_MAGIC_ESP8266_V2 ? "ESP8266 (v2 image)" : "ESP8266";
  chip = esplash_chip_from_image_id (info->chip_id);
  return chip != NULL ? chip->name : "an unknown chip";
}

static gboolean
partition_table_at (const guint8           *data,
                    gsize                   len,
                    gsize                   at,
                    EsplashPartitionTable **table)
{
  gsize n;

  if (len < at + ESPLASH_PARTITION_ENTRY_LEN || data[at] != 0xAA || data[at + 1] != 0x50)
    return FALSE;
  n = MIN (len - at, ESPLASH_PARTITION_TABLE_MAX_LEN);
  *table = esplash_partition_table_parse (data + at, n, NULL);
  return *table != NULL;
}

/* A merged image: a bootloader at one of the chips' bootloader offsets and
 * a partition table at 0x8000. */
static gboolean
detect_merged (const guint8    *data,
               gsize            len,
               EsplashDetected *out)
{
  EsplashPartitionTable *table = NULL;
  guint n_chips;
  const EsplashChipInfo *const *chips = esplash_chip_list (&n_chips);
  guint32 offsets[64];
  guint n_offsets = 0;

  if (len <= ESPLASH_PARTITION_TABLE_OFFSET ||
      !partition_table_at (data, len, ESPLASH_PARTITION_TABLE_OFFSET, &table))
    return FALSE;
  /* the chips' bootloader offsets below the table, lowest first, once each */
  for (guint c = 0; c < n_chips && n_offsets < G_N_ELEMENTS (offsets); c++)
    {
      guint32 at = chips[c]->bootloader_offset;
      guint k = 0;

      if (at >= ESPLASH_PARTITION_TABLE_OFFSET)
        continue;
      while (k < n_offsets && offsets[k] < at)
        k++;
      if (k < n_offsets && offsets[k] == at)
        continue;
      memmove (offsets + k + 1, offsets + k, (n_offsets - k) * sizeof offsets[0]);
      offsets[k] = at;
      n_offsets++;
    }
  for (guint i = 0; i < n_offsets; i++)
    {
      guint32 at = offsets[i];
      const EsplashChipInfo *chip;
      EsplashImageInfo info;

      /* the bootloader must be for a chip that boots from this offset */
      if (data[at] != ESPLASH_IMAGE_MAGIC ||
          !esplash_image_parse (data + at, ESPLASH_PARTITION_TABLE_OFFSET - at, NULL, &info,
                                NULL) ||
          !info.has_extended_header ||
          (chip = esplash_chip_from_image_id (info.chip_id)) == NULL ||
          chip->bootloader_offset != at)
        continue;
      out->kind = ESPLASH_PLAN_KIND_MERGED;
      out->merged_bootloader_offset = at;
      out->image_chip_id = info.chip_id;
      out->image_magic = ESPLASH_IMAGE_MAGIC;
      out->table = table;
      out->why = g_strdup_printf ("merged image (the %s bootloader at 0x%x and a partition "
                                  "table at 0x8000 inside) → written at 0x0 as is",
                                  chip->name, at);
      out->detail = g_strdup_printf ("merged %s image", chip->name);
      return TRUE;
    }
  esplash_partition_table_free (table);
  return FALSE;
}

/* boot_app0.bin / ota_data_initial.bin: two 4 KiB sectors that are 0xFF
 * after an optional 32-byte OTA select entry. */
static gboolean
looks_like_otadata (const guint8 *data,
                    gsize         len)
{
  if (len != ESPLASH_OTADATA_LEN)
    return FALSE;
  for (gsize s = 0; s < len; s += ESPLASH_SECTOR)
    for (gsize i = 32; i < ESPLASH_SECTOR; i++)
      if (data[s + i] != 0xFF)
        return FALSE;
  return TRUE;
}

static void
detect_image (const guint8     *data,
              gsize             len,
              const char       *lower,
              EsplashDetected  *out)
{
  g_autoptr(GError) error = NULL;
  EsplashImageInfo info;
  const char *chip_name;

  out->image_magic = data[0];
  if (!esplash_image_parse (data, len, NULL, &info, &error))
    {
      out->image_error = g_strdup (error->message);
      out->kind = name_has (lower, "bootloader") ? ESPLASH_PLAN_KIND_BOOTLOADER
                : ESPLASH_PLAN_KIND_UNKNOWN;
      out->why = g_strdup ("starts like a firmware image but does not parse");
      return;
    }
  out->image_chip_id = info.has_extended_header ? info.chip_id : -1;
  chip_name = chip_name_for (&info);

  if (info.has_app_desc)
    {
      out->kind = ESPLASH_PLAN_KIND_APP;
      out->why = g_strdup ("app image (ESP-IDF app description, magic 0xABCD5432, in segment 0)");
      out->detail = g_strdup_printf ("%s app “%s” %s (IDF %s)", chip_name, info.project_name,
                                     info.version, info.idf_version);
      return;
    }
  if (info.magic == ESPLASH_IMAGE_MAGIC_ESP8266_V2)
    {
      out->kind = ESPLASH_PLAN_KIND_APP;
      out->why = g_strdup ("ESP8266 v2 app image (magic 0xEA) for the SDK boot loader");
      out->detail = g_strdup_printf ("%s app", chip_name);
      return;
    }
  if (info.has_extended_header && info.n_segments > 0 &&
      info.segments[0].size >= BOOTLOADER_DESC_LEN &&
      data[info.segments[0].file_offset] == BOOTLOADER_DESC_MAGIC)
    {
      out->kind = ESPLASH_PLAN_KIND_BOOTLOADER;
      out->why = g_strdup ("bootloader image (ESP-IDF bootloader description in segment 0)");
    }
  else if (has_flash_mapped_segment (&info))
    {
      out->kind = ESPLASH_PLAN_KIND_APP;
      out->why = g_strdup ("app image (it has flash-mapped code or data segments)");
    }
  else if (name_has (lower, "bootloader"))
    {
      out->kind = ESPLASH_PLAN_KIND_BOOTLOADER;
      out->why = g_strdup ("bootloader image (named so; every segment loads into RAM)");
    }
  else if (name_has (lower, "firmware") || g_str_has_suffix (lower, ".ino.bin"))
    {
      out->kind = ESPLASH_PLAN_KIND_APP;
      out->why = g_strdup ("app image (named so)");
    }
  else
    {
      /* only the ROM boots an image whose segments all load into RAM */
      out->kind = ESPLASH_PLAN_KIND_BOOTLOADER;
      out->why = g_strdup ("bootloader image (no app description; every segment loads into "
                           "RAM, which only the ROM boots)");
    }
  out->detail = g_strdup_printf ("%s %s", chip_name,
                                 out->kind == ESPLASH_PLAN_KIND_APP ? "app" : "bootloader");
}

/**
 * esplash_detect:
 * @data: the file contents
 * @name: (nullable): its file name, for hints
 * @out: (out caller-allocates): cleared with esplash_detected_clear()
 */
void
esplash_detect (GBytes          *data,
                const char      *name,
                EsplashDetected *out)
{
  g_autofree char *lower = name != NULL ? g_ascii_strdown (name, -1) : NULL;
  gsize len;
  const guint8 *d = g_bytes_get_data (data, &len);

  memset (out, 0, sizeof *out);
  out->image_chip_id = -1;
  out->data_subtype = 0xFF;
  if (len == 0)
    {
      out->why = g_strdup ("empty file");
      return;
    }
  if (partition_table_at (d, len, 0, &out->table))
    {
      out->kind = ESPLASH_PLAN_KIND_PARTITION_TABLE;
      out->why = g_strdup ("partition table (0xAA50 entries)");
      out->detail = g_strdup_printf ("partition table, %u partitions", out->table->n_partitions);
      return;
    }
  if (detect_merged (d, len, out))
    return;
  if (d[0] == ESPLASH_IMAGE_MAGIC || d[0] == ESPLASH_IMAGE_MAGIC_ESP8266_V2)
    {
      detect_image (d, len, lower, out);
      return;
    }
  if (looks_like_otadata (d, len) || name_has (lower, "boot_app0") ||
      name_has (lower, "ota_data_initial"))
    {
      out->kind = ESPLASH_PLAN_KIND_OTADATA;
      out->why = g_strdup ("OTA data (boot_app0.bin / ota_data_initial.bin: 8 KiB, mostly 0xFF)");
      return;
    }
  if (name_has (lower, "littlefs"))
    out->data_subtype = ESPLASH_PARTITION_SUBTYPE_DATA_LITTLEFS;
  else if (name_has (lower, "spiffs"))
    out->data_subtype = ESPLASH_PARTITION_SUBTYPE_DATA_SPIFFS;
  else if (name_has (lower, "fatfs") || name_has (lower, "ffat"))
    out->data_subtype = ESPLASH_PARTITION_SUBTYPE_DATA_FAT;
  if (out->data_subtype != 0xFF)
    {
      out->kind = ESPLASH_PLAN_KIND_DATA;
      out->why = g_strdup_printf ("file system image (named so) for the %s partition",
                                  esplash_partition_subtype_name (ESPLASH_PARTITION_TYPE_DATA,
                                                                  out->data_subtype));
      return;
    }
  out->why = g_strdup ("not a firmware image, partition table or OTA data");
}

gboolean
esplash_image_is_signed (const guint8 *data,
                         gsize         len)
{
  EsplashImageInfo info;
  gsize end;

  if (len < 24 || !esplash_image_parse (data, len, NULL, &info, NULL) ||
      !info.has_extended_header)
    return FALSE;
  end = info.data_length + (info.hash_appended ? 32 : 0);
  /* v2: the image is padded to a sector; the signature sector follows */
  for (gsize at = (end + ESPLASH_SECTOR - 1) / ESPLASH_SECTOR * ESPLASH_SECTOR;
       at + ESPLASH_SECTOR <= len && at < end + 2 * ESPLASH_SECTOR; at += ESPLASH_SECTOR)
    if (data[at] == SIG_BLOCK_MAGIC && (data[at + 1] == 0x02 || data[at + 1] == 0x03))
      return TRUE;
  /* v1 (ESP32): version word 0 and a 64-byte signature right after */
  return len == end + SIG_V1_LEN && data[end] == 0 && data[end + 1] == 0 &&
         data[end + 2] == 0 && data[end + 3] == 0;
}
