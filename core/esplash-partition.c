/* esplash-partition.c: ESP-IDF binary partition tables (protocol.md §8.5).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-bytes-private.h"

#include <stdlib.h>
#include <string.h>

#include "esplash-partition.h"
#include "esplash-error.h"

#define MD5_LEN           16
#define KNOWN_FLAGS       (ESPLASH_PARTITION_FLAG_ENCRYPTED | ESPLASH_PARTITION_FLAG_READONLY)

static const guint8 entry_magic[2] = { 0xAA, 0x50 };
static const guint8 md5_magic[2] = { 0xEB, 0xEB };

static const char *const app_ota_names[16] = {
  "ota_0", "ota_1", "ota_2", "ota_3", "ota_4", "ota_5", "ota_6", "ota_7",
  "ota_8", "ota_9", "ota_10", "ota_11", "ota_12", "ota_13", "ota_14", "ota_15",
};

static const struct {
  guint8      subtype;
  const char *name;
} data_subtypes[] = {
  { ESPLASH_PARTITION_SUBTYPE_DATA_OTA, "ota" },
  { ESPLASH_PARTITION_SUBTYPE_DATA_PHY, "phy" },
  { ESPLASH_PARTITION_SUBTYPE_DATA_NVS, "nvs" },
  { ESPLASH_PARTITION_SUBTYPE_DATA_COREDUMP, "coredump" },
  { ESPLASH_PARTITION_SUBTYPE_DATA_NVS_KEYS, "nvs_keys" },
  { ESPLASH_PARTITION_SUBTYPE_DATA_EFUSE, "efuse" },
  { ESPLASH_PARTITION_SUBTYPE_DATA_UNDEFINED, "undefined" },
  { ESPLASH_PARTITION_SUBTYPE_DATA_ESPHTTPD, "esphttpd" },
  { ESPLASH_PARTITION_SUBTYPE_DATA_FAT, "fat" },
  { ESPLASH_PARTITION_SUBTYPE_DATA_SPIFFS, "spiffs" },
  { ESPLASH_PARTITION_SUBTYPE_DATA_LITTLEFS, "littlefs" },
};

static gboolean
all_ff (const guint8 *p,
        gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (p[i] != 0xFF)
      return FALSE;
  return TRUE;
}

static char *
hex (const guint8 *p,
     gsize         len)
{
  GString *s = g_string_sized_new (len * 2);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", p[i]);
  return g_string_free (s, FALSE);
}

const char *
esplash_partition_type_name (guint8 type)
{
  switch (type)
    {
    case ESPLASH_PARTITION_TYPE_APP:
      return "app";
    case ESPLASH_PARTITION_TYPE_DATA:
      return "data";
    default:
      return NULL;
    }
}

const char *
esplash_partition_subtype_name (guint8 type,
                                guint8 subtype)
{
  if (type == ESPLASH_PARTITION_TYPE_APP)
    {
      if (subtype == ESPLASH_PARTITION_SUBTYPE_APP_FACTORY)
        return "factory";
      if (subtype == ESPLASH_PARTITION_SUBTYPE_APP_TEST)
        return "test";
      if (subtype >= ESPLASH_PARTITION_SUBTYPE_APP_OTA_0 &&
          subtype <= ESPLASH_PARTITION_SUBTYPE_APP_OTA_15)
        return app_ota_names[subtype - ESPLASH_PARTITION_SUBTYPE_APP_OTA_0];
      return NULL;
    }
  if (type == ESPLASH_PARTITION_TYPE_DATA)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (data_subtypes); i++)
        if (data_subtypes[i].subtype == subtype)
          return data_subtypes[i].name;
    }
  return NULL;
}

void
esplash_partition_table_free (EsplashPartitionTable *table)
{
  if (table == NULL)
    return;
  g_ptr_array_unref (table->warnings);
  g_free (table);
}

static void
add_warning (EsplashPartitionTable *table,
             const char            *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
add_warning (EsplashPartitionTable *table,
             const char            *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (table->warnings, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Decodes one AA 50 entry at @p (entry number @index at byte @at). */
static gboolean
read_entry (const guint8           *p,
            guint                   index,
            gsize                   at,
            EsplashPartitionTable  *table,
            GError                **error)
{
  EsplashPartition *part = &table->partitions[table->n_partitions];
  const guint8 *label = p + 12;
  const guint8 *nul = memchr (label, '\0', ESPLASH_PARTITION_LABEL_LEN);
  gsize label_len;
  gboolean mangled = FALSE;
  guint32 unknown;

  part->type = p[2];
  part->subtype = p[3];
  part->offset = esplash_read_le32 (p + 4);
  part->size = esplash_read_le32 (p + 8);
  part->flags = esplash_read_le32 (p + 28);

  /* A 16-character label fills its field without a NUL, as ESP-IDF's
   * gen_esp32part.py packs it ("16s") and its C reader accepts it. */
  label_len = nul != NULL ? (gsize) (nul - label) : ESPLASH_PARTITION_LABEL_LEN;
  for (gsize i = 0; i < label_len; i++)
    {
      /* labels end up in logs and CSV: keep them printable and comma-free */
      gboolean ok = g_ascii_isprint (label[i]) && label[i] != ',';

      part->label[i] = ok ? (char) label[i] : '?';
      mangled |= !ok;
    }
  part->label[label_len] = '\0';
  if (mangled)
    add_warning (table, "Partition %u has unprintable characters in its label, shown as '?': %s",
                 index, part->label);

  if ((guint64) part->offset + part->size > G_MAXUINT32 + (guint64) 1)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Invalid partition table: partition '%s' (entry %u) at 0x%08x with size "
                   "0x%08x ends beyond the 4 GiB address space", part->label, index,
                   part->offset, part->size);
      return FALSE;
    }
  unknown = part->flags & ~KNOWN_FLAGS;
  if (unknown != 0)
    add_warning (table, "Partition '%s' has unknown flags 0x%08x (newer table format?)",
                 part->label, unknown);
  if (part->type == ESPLASH_PARTITION_TYPE_APP && part->offset % ESPLASH_PARTITION_APP_ALIGN != 0)
    add_warning (table, "App partition '%s' at 0x%x is not aligned to 64 KiB (0x10000); "
                 "the bootloader cannot map it", part->label, part->offset);
  table->n_partitions++;
  return TRUE;
}

static int
compare_by_offset (gconstpointer a,
                   gconstpointer b)
{
  const EsplashPartition *pa = *(const EsplashPartition *const *) a;
  const EsplashPartition *pb = *(const EsplashPartition *const *) b;

  if (pa->offset != pb->offset)
    return pa->offset < pb->offset ? -1 : 1;
  return pa->size < pb->size ? -1 : pa->size > pb->size;
}

static gboolean
check_layout (EsplashPartitionTable  *table,
              GError                **error)
{
  const EsplashPartition *sorted[ESPLASH_PARTITION_MAX_ENTRIES];

  for (guint i = 0; i < table->n_partitions; i++)
    sorted[i] = &table->partitions[i];
  qsort (sorted, table->n_partitions, sizeof sorted[0], compare_by_offset);
  for (guint i = 1; i < table->n_partitions; i++)
    {
      const EsplashPartition *prev = sorted[i - 1], *cur = sorted[i];
      guint64 prev_end = (guint64) prev->offset + prev->size;

      if (cur->offset < prev_end)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "Invalid partition table: partition '%s' (0x%x–0x%" G_GINT64_MODIFIER "x) "
                       "overlaps partition '%s' starting at 0x%x",
                       prev->label, prev->offset, prev_end - 1, cur->label, cur->offset);
          return FALSE;
        }
    }
  for (guint i = 0; i < table->n_partitions; i++)
    for (guint j = i + 1; j < table->n_partitions; j++)
      if (strcmp (table->partitions[i].label, table->partitions[j].label) == 0)
        {
          add_warning (table, "Two partitions are named '%s' (entries %u and %u)",
                       table->partitions[i].label, i, j);
          break;
        }
  return TRUE;
}

static gboolean
check_md5 (const guint8  *data,
           gsize          at,
           GError       **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[MD5_LEN];
  gsize digest_len = MD5_LEN;

  g_checksum_update (sum, data, (gssize) at);
  g_checksum_get_digest (sum, digest, &digest_len);
  if (memcmp (digest, data + at + 16, MD5_LEN) != 0)
    {
      g_autofree char *stored = hex (data + at + 16, MD5_LEN);
      g_autofree char *computed = hex (digest, MD5_LEN);

      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Invalid partition table: the MD5 record at offset 0x%zx says %s, but "
                   "the %zu bytes of entries before it hash to %s (corrupted table?)",
                   at, stored, at, computed);
      return FALSE;
    }
  return TRUE;
}

/**
 * esplash_partition_table_parse:
 * @data: (array length=len): the table, usually the 0xC00 (or 0x1000) bytes at 0x8000
 * @len: their length
 * @error: return location for an %ESPLASH_ERROR_INVALID_IMAGE error
 *
 * Returns: (transfer full) (nullable): the table, or %NULL on error
 */
EsplashPartitionTable *
esplash_partition_table_parse (const guint8  *data,
                               gsize          len,
                               GError       **error)
{
  g_autoptr(EsplashPartitionTable) table = NULL;
  gsize limit = MIN (len, ESPLASH_PARTITION_TABLE_MAX_LEN);
  gsize at = 0;
  guint index = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "The partition table file is empty");
      return NULL;
    }

  table = g_new0 (EsplashPartitionTable, 1);
  table->warnings = g_ptr_array_new_with_free_func (g_free);

  for (; at < limit; at += ESPLASH_PARTITION_ENTRY_LEN, index++)
    {
      const guint8 *p = data + at;

      if (len - at < ESPLASH_PARTITION_ENTRY_LEN)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "Partition table truncated: entry %u at offset 0x%zx has only %zu of "
                       "its 32 bytes", index, at, len - at);
          return NULL;
        }
      if (all_ff (p, ESPLASH_PARTITION_ENTRY_LEN))
        {
          table->has_end_marker = TRUE;
          break;
        }
      if (memcmp (p, md5_magic, 2) == 0)
        {
          if (table->has_md5)
            {
              g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "Invalid partition table: a second MD5 record at offset 0x%zx", at);
              return NULL;
            }
          if (!check_md5 (data, at, error))
            return NULL;
          table->has_md5 = TRUE;
          continue;
        }
      if (memcmp (p, entry_magic, 2) != 0)
        {
          if (at == 0)
            g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                         "Not a partition table: it starts with %02X %02X instead of AA 50",
                         p[0], p[1]);
          else
            g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                         "Invalid partition table: entry %u at offset 0x%zx starts with "
                         "%02X %02X, not AA 50 (partition), EB EB (MD5) or an all-FF end "
                         "marker", index, at, p[0], p[1]);
          return NULL;
        }
      if (table->has_md5)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "Invalid partition table: entry %u at offset 0x%zx follows the MD5 "
                       "record; the MD5 record must be last", index, at);
          return NULL;
        }
      if (table->n_partitions == ESPLASH_PARTITION_MAX_ENTRIES)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "Invalid partition table: more than %u entries (entry %u at offset "
                       "0x%zx)", ESPLASH_PARTITION_MAX_ENTRIES, index, at);
          return NULL;
        }
      if (!read_entry (p, index, at, table, error))
        return NULL;
    }

  /* The bootloader reads at most 0xC00 bytes, and stops there too. */
  if (!table->has_end_marker)
    add_warning (table, "The partition table has no end-of-table marker (an all-FF entry) "
                 "in its first %zu bytes", at);
  if (table->n_partitions == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           table->has_md5
                           ? "The partition table has no partitions, only an MD5 record"
                           : "The partition table has no partitions (the data is all 0xFF: "
                             "erased flash?)");
      return NULL;
    }
  if (!check_layout (table, error))
    return NULL;
  return g_steal_pointer (&table);
}

const EsplashPartition *
esplash_partition_table_find (const EsplashPartitionTable *table,
                              guint8                       type,
                              guint8                       subtype)
{
  g_return_val_if_fail (table != NULL, NULL);

  for (guint i = 0; i < table->n_partitions; i++)
    if (table->partitions[i].type == type && table->partitions[i].subtype == subtype)
      return &table->partitions[i];
  return NULL;
}

const EsplashPartition *
esplash_partition_table_find_label (const EsplashPartitionTable *table,
                                    const char                  *label)
{
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (label != NULL, NULL);

  for (guint i = 0; i < table->n_partitions; i++)
    if (strcmp (table->partitions[i].label, label) == 0)
      return &table->partitions[i];
  return NULL;
}

const EsplashPartition *
esplash_partition_table_get_factory (const EsplashPartitionTable *table)
{
  return esplash_partition_table_find (table, ESPLASH_PARTITION_TYPE_APP,
                                       ESPLASH_PARTITION_SUBTYPE_APP_FACTORY);
}

const EsplashPartition *
esplash_partition_table_get_ota_app (const EsplashPartitionTable *table,
                                     guint                        n)
{
  if (n > 15)
    return NULL;
  return esplash_partition_table_find (table, ESPLASH_PARTITION_TYPE_APP,
                                       (guint8) (ESPLASH_PARTITION_SUBTYPE_APP_OTA_0 + n));
}

const EsplashPartition *
esplash_partition_table_get_boot_app (const EsplashPartitionTable *table)
{
  const EsplashPartition *factory = esplash_partition_table_get_factory (table);

  return factory != NULL ? factory : esplash_partition_table_get_ota_app (table, 0);
}

gboolean
esplash_partition_table_get_otadata_offset (const EsplashPartitionTable *table,
                                            guint32                     *offset)
{
  const EsplashPartition *p = esplash_partition_table_find (table, ESPLASH_PARTITION_TYPE_DATA,
                                                            ESPLASH_PARTITION_SUBTYPE_DATA_OTA);

  if (p == NULL)
    return FALSE;
  if (offset != NULL)
    *offset = p->offset;
  return TRUE;
}

/* gen_esp32part.py: sizes in M or K when whole, else hex; offsets in hex. */
static void
append_size (GString *s,
             guint32  size)
{
  if (size % 0x100000 == 0)
    g_string_append_printf (s, "%uM", size / 0x100000);
  else if (size % 0x400 == 0)
    g_string_append_printf (s, "%uK", size / 0x400);
  else
    g_string_append_printf (s, "0x%x", size);
}

char *
esplash_partition_table_to_csv (const EsplashPartitionTable *table)
{
  GString *s;

  g_return_val_if_fail (table != NULL, NULL);

  s = g_string_new ("# ESP-IDF Partition Table\n# Name, Type, SubType, Offset, Size, Flags\n");
  for (guint i = 0; i < table->n_partitions; i++)
    {
      const EsplashPartition *p = &table->partitions[i];
      const char *type = esplash_partition_type_name (p->type);
      const char *subtype = esplash_partition_subtype_name (p->type, p->subtype);
      gboolean first_flag = TRUE;

      g_string_append_printf (s, "%s,", p->label);
      if (type != NULL)
        g_string_append_printf (s, "%s,", type);
      else
        g_string_append_printf (s, "%u,", p->type);
      if (subtype != NULL)
        g_string_append_printf (s, "%s,", subtype);
      else
        g_string_append_printf (s, "%u,", p->subtype);
      g_string_append_printf (s, "0x%x,", p->offset);
      append_size (s, p->size);
      g_string_append_c (s, ',');
      if (p->flags & ESPLASH_PARTITION_FLAG_ENCRYPTED)
        {
          g_string_append (s, "encrypted");
          first_flag = FALSE;
        }
      if (p->flags & ESPLASH_PARTITION_FLAG_READONLY)
        g_string_append (s, first_flag ? "readonly" : ":readonly");
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}
