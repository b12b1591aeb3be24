/* fuzz-partition.c: esplash_partition_table_parse on arbitrary bytes,
 * checking what the parser promises on success.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashPartitionTable) table = esplash_partition_table_parse (data, size, &error);
  g_autofree char *csv = NULL;
  guint lines = 0;
  guint32 offset;

  FUZZ_CHECK ((table == NULL) == (error != NULL), "error set exactly on failure");
  if (table == NULL)
    {
      FUZZ_CHECK (error->domain == ESPLASH_ERROR &&
                  error->code == ESPLASH_ERROR_INVALID_IMAGE, "INVALID_IMAGE error");
      return 0;
    }

  FUZZ_CHECK (table->n_partitions >= 1 &&
              table->n_partitions <= ESPLASH_PARTITION_MAX_ENTRIES, "entry count");
  for (guint i = 0; i < table->n_partitions; i++)
    {
      const EsplashPartition *a = &table->partitions[i];

      FUZZ_CHECK (strlen (a->label) <= ESPLASH_PARTITION_LABEL_LEN, "label terminated");
      FUZZ_CHECK ((guint64) a->offset + a->size <= G_MAXUINT32 + (guint64) 1, "end within 4 GiB");
      for (guint j = i + 1; j < table->n_partitions; j++)
        {
          const EsplashPartition *b = &table->partitions[j];

          FUZZ_CHECK ((guint64) a->offset + a->size <= b->offset ||
                      (guint64) b->offset + b->size <= a->offset ||
                      a->size == 0 || b->size == 0, "no overlap");
        }
    }
  csv = esplash_partition_table_to_csv (table);
  for (const char *c = csv; *c != '\0'; c++)
    lines += *c == '\n';
  FUZZ_CHECK (lines == table->n_partitions + 2, "one CSV line per partition");
  if (esplash_partition_table_get_otadata_offset (table, &offset))
    FUZZ_CHECK (esplash_partition_table_find (table, 1, 0)->offset == offset, "otadata lookup");
  (void) esplash_partition_table_get_boot_app (table);
  return 0;
}

static void
add_entry (GByteArray *t,
           guint8      type,
           guint8      subtype,
           guint32     offset,
           guint32     size,
           const char *label)
{
  guint8 e[32] = { 0xAA, 0x50, type, subtype };

  for (guint i = 0; i < 4; i++)
    {
      e[4 + i] = (guint8) (offset >> (8 * i));
      e[8 + i] = (guint8) (size >> (8 * i));
    }
  memcpy (e + 12, label, strlen (label));
  g_byte_array_append (t, e, 32);
}

/* The ESP-IDF OTA layout with its MD5 record, padded to 0xC00. */
void
esplash_fuzz_add_seeds (GPtrArray *seeds)
{
  GByteArray *t = g_byte_array_new ();
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_MD5);
  guint8 rec[32] = { 0xEB, 0xEB };
  gsize n = 16;
  static const guint8 ff = 0xFF;

  add_entry (t, 1, 0x02, 0x9000, 0x4000, "nvs");
  add_entry (t, 1, 0x00, 0xd000, 0x2000, "otadata");
  add_entry (t, 1, 0x01, 0xf000, 0x1000, "phy_init");
  add_entry (t, 0, 0x00, 0x10000, 0x100000, "factory");
  add_entry (t, 0, 0x10, 0x110000, 0x100000, "ota_0");
  add_entry (t, 0, 0x11, 0x210000, 0x100000, "ota_1");
  memset (rec + 2, 0xFF, 14);
  g_checksum_update (sum, t->data, t->len);
  g_checksum_get_digest (sum, rec + 16, &n);
  g_byte_array_append (t, rec, sizeof rec);
  while (t->len < 0xC00)
    g_byte_array_append (t, &ff, 1);
  g_ptr_array_add (seeds, g_byte_array_free_to_bytes (t));
}
