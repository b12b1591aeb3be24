/* esplash-partition.h: ESP-IDF partition tables (pure; protocol.md §8.5).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ESPLASH_PARTITION_TABLE_OFFSET   0x8000    /* ESP-IDF default */
#define ESPLASH_PARTITION_TABLE_MAX_LEN  0xC00     /* entries + MD5 record */
#define ESPLASH_PARTITION_ENTRY_LEN      32
#define ESPLASH_PARTITION_MAX_ENTRIES    95
#define ESPLASH_PARTITION_LABEL_LEN      16
#define ESPLASH_PARTITION_APP_ALIGN      0x10000

typedef enum {
  ESPLASH_PARTITION_TYPE_APP = 0x00,
  ESPLASH_PARTITION_TYPE_DATA = 0x01,
} EsplashPartitionType;

typedef enum {
  ESPLASH_PARTITION_SUBTYPE_APP_FACTORY = 0x00,
  ESPLASH_PARTITION_SUBTYPE_APP_OTA_0 = 0x10,     /* ota_N = 0x10 + N */
  ESPLASH_PARTITION_SUBTYPE_APP_OTA_15 = 0x1F,
  ESPLASH_PARTITION_SUBTYPE_APP_TEST = 0x20,

  ESPLASH_PARTITION_SUBTYPE_DATA_OTA = 0x00,
  ESPLASH_PARTITION_SUBTYPE_DATA_PHY = 0x01,
  ESPLASH_PARTITION_SUBTYPE_DATA_NVS = 0x02,
  ESPLASH_PARTITION_SUBTYPE_DATA_COREDUMP = 0x03,
  ESPLASH_PARTITION_SUBTYPE_DATA_NVS_KEYS = 0x04,
  ESPLASH_PARTITION_SUBTYPE_DATA_EFUSE = 0x05,
  ESPLASH_PARTITION_SUBTYPE_DATA_UNDEFINED = 0x06,
  ESPLASH_PARTITION_SUBTYPE_DATA_ESPHTTPD = 0x80,
  ESPLASH_PARTITION_SUBTYPE_DATA_FAT = 0x81,
  ESPLASH_PARTITION_SUBTYPE_DATA_SPIFFS = 0x82,
  ESPLASH_PARTITION_SUBTYPE_DATA_LITTLEFS = 0x83,
} EsplashPartitionSubtype;

#define ESPLASH_PARTITION_FLAG_ENCRYPTED  (1u << 0)
#define ESPLASH_PARTITION_FLAG_READONLY   (1u << 1)

typedef struct {
  guint8   type;
  guint8   subtype;
  guint32  offset;
  guint32  size;
  char     label[ESPLASH_PARTITION_LABEL_LEN + 1];  /* printable ASCII, NUL-terminated */
  guint32  flags;
} EsplashPartition;

typedef struct {
  guint             n_partitions;
  EsplashPartition  partitions[ESPLASH_PARTITION_MAX_ENTRIES];   /* in table order */
  gboolean          has_md5;          /* an MD5 record was present (and matched) */
  gboolean          has_end_marker;   /* an all-0xFF entry ended the table */
  GPtrArray        *warnings;         /* (element-type utf8): never NULL */
} EsplashPartitionTable;

/* Parses a binary table (as flashed at 0x8000). Errors
 * (ESPLASH_ERROR_INVALID_IMAGE) for a bad magic, a wrong MD5,
 * offset + size beyond 4 GiB, overlapping partitions, more than 95
 * entries, or no partitions at all; suspicious but usable tables (an app not
 * 64 KiB aligned, unknown flags, no end marker) give warnings. A label
 * may fill all 16 bytes without a NUL. */
EsplashPartitionTable *esplash_partition_table_parse (const guint8  *data,
                                                      gsize          len,
                                                      GError       **error);
void                   esplash_partition_table_free  (EsplashPartitionTable *table);

/* First partition with @type and @subtype, or NULL. */
const EsplashPartition *esplash_partition_table_find       (const EsplashPartitionTable *table,
                                                            guint8                       type,
                                                            guint8                       subtype);
const EsplashPartition *esplash_partition_table_find_label (const EsplashPartitionTable *table,
                                                            const char                  *label);
const EsplashPartition *esplash_partition_table_get_factory (const EsplashPartitionTable *table);
/* ota_@n (0…15), or NULL. */
const EsplashPartition *esplash_partition_table_get_ota_app (const EsplashPartitionTable *table,
                                                             guint                        n);
/* The app the bootloader starts when otadata is blank: factory, else ota_0. */
const EsplashPartition *esplash_partition_table_get_boot_app (const EsplashPartitionTable *table);
gboolean                esplash_partition_table_get_otadata_offset (const EsplashPartitionTable *table,
                                                                    guint32                     *offset);

/* "app", "data"; NULL for other types. */
const char *esplash_partition_type_name    (guint8 type);
/* "factory", "ota_3", "nvs" …; NULL when ESP-IDF has no name for it. */
const char *esplash_partition_subtype_name (guint8 type,
                                            guint8 subtype);

/* The table as gen_esp32part.py prints it:
 * "# ESP-IDF Partition Table\n# Name, Type, SubType, Offset, Size, Flags\n"
 * then one "nvs,data,nvs,0x9000,24K," line per partition. */
char *esplash_partition_table_to_csv (const EsplashPartitionTable *table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashPartitionTable, esplash_partition_table_free)

G_END_DECLS
