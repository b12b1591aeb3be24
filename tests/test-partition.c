/* test-partition.c: ESP-IDF partition table parsing and printing.
 *
 * partitions_singleapp.bin is esptool's test table; its three entries were
 * read off the bytes (xxd). Synthesized tables are built here with their MD5
 * computed independently (GChecksum). The CSV format follows ESP-IDF's
 * gen_esp32part.py (to_csv: sizes in M/K when whole, offsets in hex, unknown
 * types and subtypes in decimal, flags joined by ':').
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"

static GBytes *
load_image (const char *name)
{
  const char *shared = g_getenv ("ESPLASH_SHARED_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_assert_nonnull (shared);
  path = g_build_filename (shared, "testdata", "images", name, NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
put_u32 (guint8  *p,
         guint32  v)
{
  p[0] = v & 0xFF;
  p[1] = (v >> 8) & 0xFF;
  p[2] = (v >> 16) & 0xFF;
  p[3] = v >> 24;
}

static void
add_entry (GByteArray *t,
           guint8      type,
           guint8      subtype,
           guint32     offset,
           guint32     size,
           const char *label,
           guint32     flags)
{
  guint8 e[32] = { 0xAA, 0x50, type, subtype };

  put_u32 (e + 4, offset);
  put_u32 (e + 8, size);
  memcpy (e + 12, label, MIN (strlen (label), 16));
  put_u32 (e + 28, flags);
  g_byte_array_append (t, e, 32);
}

/* MD5 record over everything so far, then 0xFF up to @pad_to. */
static void
finish (GByteArray *t,
        gboolean    md5,
        guint       pad_to)
{
  static const guint8 ff = 0xFF;

  if (md5)
    {
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_MD5);
      guint8 rec[32] = { 0xEB, 0xEB };
      gsize n = 16;

      memset (rec + 2, 0xFF, 14);
      g_checksum_update (sum, t->data, t->len);
      g_checksum_get_digest (sum, rec + 16, &n);
      g_byte_array_append (t, rec, 32);
    }
  while (t->len < pad_to)
    g_byte_array_append (t, &ff, 1);
}

/* The ESP-IDF OTA layout plus a flagged littlefs and a custom type. */
static GByteArray *
ota_table (void)
{
  GByteArray *t = g_byte_array_new ();

  add_entry (t, 1, 0x02, 0x9000, 0x4000, "nvs", 0);
  add_entry (t, 1, 0x00, 0xd000, 0x2000, "otadata", 0);
  add_entry (t, 1, 0x01, 0xf000, 0x1000, "phy_init", 0);
  add_entry (t, 0, 0x10, 0x10000, 0x100000, "ota_0", 0);
  add_entry (t, 0, 0x11, 0x110000, 0x100000, "ota_1", 0);
  add_entry (t, 1, 0x83, 0x210000, 0x30000, "storage", 3);
  add_entry (t, 0x40, 0x05, 0x240000, 0x1234, "fifteen_chars_a", 0);
  return t;
}

static EsplashPartitionTable *
parse_ok (const guint8 *data,
          gsize         len)
{
  g_autoptr(GError) error = NULL;
  EsplashPartitionTable *table = esplash_partition_table_parse (data, len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (table);
  g_assert_nonnull (table->warnings);
  return table;
}

static void
test_singleapp (void)
{
  g_autoptr(GBytes) bin = load_image ("partitions_singleapp.bin");
  g_autoptr(EsplashPartitionTable) table = NULL;
  g_autofree char *csv = NULL;
  const EsplashPartition *p;
  gsize len;
  const guint8 *data = g_bytes_get_data (bin, &len);
  guint32 offset = 0;

  table = parse_ok (data, len);
  g_assert_cmpuint (table->n_partitions, ==, 3);
  g_assert_false (table->has_md5);
  /* the 96-byte file has neither MD5 record nor end marker */
  g_assert_false (table->has_end_marker);
  g_assert_cmpuint (table->warnings->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (table->warnings, 0), "end-of-table marker"));

  p = esplash_partition_table_get_factory (table);
  g_assert_nonnull (p);
  g_assert_cmpstr (p->label, ==, "factory");
  g_assert_cmphex (p->offset, ==, 0x10000);
  g_assert_cmphex (p->size, ==, 0x100000);
  g_assert_true (esplash_partition_table_get_boot_app (table) == p);
  g_assert_null (esplash_partition_table_get_ota_app (table, 0));
  g_assert_false (esplash_partition_table_get_otadata_offset (table, &offset));
  p = esplash_partition_table_find_label (table, "wifidata");
  g_assert_nonnull (p);
  g_assert_cmpuint (p->type, ==, ESPLASH_PARTITION_TYPE_DATA);
  g_assert_cmpuint (p->subtype, ==, ESPLASH_PARTITION_SUBTYPE_DATA_NVS);
  g_assert_cmphex (p->offset, ==, 0x150000);

  csv = esplash_partition_table_to_csv (table);
  g_assert_cmpstr (csv, ==,
                   "# ESP-IDF Partition Table\n"
                   "# Name, Type, SubType, Offset, Size, Flags\n"
                   "factory,app,factory,0x10000,1M,\n"
                   "rfdata,data,phy,0x110000,256K,\n"
                   "wifidata,data,nvs,0x150000,256K,\n");
}

static void
test_ota_layout (void)
{
  g_autoptr(GByteArray) t = ota_table ();
  g_autoptr(EsplashPartitionTable) table = NULL;
  g_autofree char *csv = NULL;
  const EsplashPartition *p;
  guint32 offset = 0;

  finish (t, TRUE, 0xC00);
  table = parse_ok (t->data, t->len);
  g_assert_cmpuint (table->n_partitions, ==, 7);
  g_assert_true (table->has_md5);
  g_assert_true (table->has_end_marker);
  g_assert_cmpuint (table->warnings->len, ==, 0);

  g_assert_null (esplash_partition_table_get_factory (table));
  p = esplash_partition_table_get_ota_app (table, 0);
  g_assert_nonnull (p);
  g_assert_cmphex (p->offset, ==, 0x10000);
  g_assert_true (esplash_partition_table_get_boot_app (table) == p);
  g_assert_cmphex (esplash_partition_table_get_ota_app (table, 1)->offset, ==, 0x110000);
  g_assert_null (esplash_partition_table_get_ota_app (table, 2));
  g_assert_null (esplash_partition_table_get_ota_app (table, 16));
  g_assert_true (esplash_partition_table_get_otadata_offset (table, &offset));
  g_assert_cmphex (offset, ==, 0xd000);
  p = esplash_partition_table_find_label (table, "fifteen_chars_a");
  g_assert_nonnull (p);
  g_assert_cmpuint (p->type, ==, 0x40);
  g_assert_cmpuint (strlen (p->label), ==, 15);
  g_assert_null (esplash_partition_table_find_label (table, "fifteen_chars_"));
  g_assert_cmphex (esplash_partition_table_find_label (table, "storage")->flags, ==,
                   ESPLASH_PARTITION_FLAG_ENCRYPTED | ESPLASH_PARTITION_FLAG_READONLY);

  csv = esplash_partition_table_to_csv (table);
  g_assert_cmpstr (csv, ==,
                   "# ESP-IDF Partition Table\n"
                   "# Name, Type, SubType, Offset, Size, Flags\n"
                   "nvs,data,nvs,0x9000,16K,\n"
                   "otadata,data,ota,0xd000,8K,\n"
                   "phy_init,data,phy,0xf000,4K,\n"
                   "ota_0,app,ota_0,0x10000,1M,\n"
                   "ota_1,app,ota_1,0x110000,1M,\n"
                   "storage,data,littlefs,0x210000,192K,encrypted:readonly\n"
                   "fifteen_chars_a,64,5,0x240000,0x1234,\n");

  /* the same table read from a whole 4 KiB sector */
  g_clear_pointer (&table, esplash_partition_table_free);
  finish (t, FALSE, 0x1000);
  table = parse_ok (t->data, t->len);
  g_assert_cmpuint (table->n_partitions, ==, 7);
}

static void
test_names (void)
{
  g_assert_cmpstr (esplash_partition_type_name (0), ==, "app");
  g_assert_cmpstr (esplash_partition_type_name (1), ==, "data");
  g_assert_null (esplash_partition_type_name (2));
  g_assert_cmpstr (esplash_partition_subtype_name (0, 0x00), ==, "factory");
  g_assert_cmpstr (esplash_partition_subtype_name (0, 0x10), ==, "ota_0");
  g_assert_cmpstr (esplash_partition_subtype_name (0, 0x1F), ==, "ota_15");
  g_assert_cmpstr (esplash_partition_subtype_name (0, 0x20), ==, "test");
  g_assert_null (esplash_partition_subtype_name (0, 0x21));
  g_assert_null (esplash_partition_subtype_name (0, 0x01));
  g_assert_cmpstr (esplash_partition_subtype_name (1, 0x00), ==, "ota");
  g_assert_cmpstr (esplash_partition_subtype_name (1, 0x01), ==, "phy");
  g_assert_cmpstr (esplash_partition_subtype_name (1, 0x02), ==, "nvs");
  g_assert_cmpstr (esplash_partition_subtype_name (1, 0x03), ==, "coredump");
  g_assert_cmpstr (esplash_partition_subtype_name (1, 0x04), ==, "nvs_keys");
  g_assert_cmpstr (esplash_partition_subtype_name (1, 0x05), ==, "efuse");
  g_assert_cmpstr (esplash_partition_subtype_name (1, 0x06), ==, "undefined");
  g_assert_cmpstr (esplash_partition_subtype_name (1, 0x80), ==, "esphttpd");
  g_assert_cmpstr (esplash_partition_subtype_name (1, 0x81), ==, "fat");
  g_assert_cmpstr (esplash_partition_subtype_name (1, 0x82), ==, "spiffs");
  g_assert_cmpstr (esplash_partition_subtype_name (1, 0x83), ==, "littlefs");
  g_assert_null (esplash_partition_subtype_name (1, 0x10));
  g_assert_null (esplash_partition_subtype_name (0x40, 0x00));
}

static gboolean
has_warning (const EsplashPartitionTable *table,
             const char                  *needle)
{
  for (guint i = 0; i < table->warnings->len; i++)
    if (strstr (g_ptr_array_index (table->warnings, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_warnings (void)
{
  g_autoptr(GByteArray) t = g_byte_array_new ();
  g_autoptr(EsplashPartitionTable) table = NULL;

  add_entry (t, 0, 0x00, 0x18000, 0x10000, "factory", 0);      /* not 64 KiB aligned */
  add_entry (t, 1, 0x02, 0x9000, 0x6000, "nvs", 0x100);        /* unknown flag */
  add_entry (t, 1, 0x81, 0x30000, 0x1000, "nvs", 0);           /* duplicate label */
  add_entry (t, 1, 0x81, 0x31000, 0x1000, "bad\tlabel", 0);    /* unprintable */
  finish (t, TRUE, 0xC00);
  table = parse_ok (t->data, t->len);
  g_assert_cmpuint (table->n_partitions, ==, 4);
  g_assert_cmpuint (table->warnings->len, ==, 4);
  g_assert_true (has_warning (table, "'factory' at 0x18000 is not aligned to 64 KiB"));
  g_assert_true (has_warning (table, "unknown flags 0x00000100"));
  g_assert_true (has_warning (table, "Two partitions are named 'nvs'"));
  g_assert_true (has_warning (table, "bad?label"));
  g_assert_nonnull (esplash_partition_table_find_label (table, "bad?label"));
}

static void
test_limits (void)
{
  g_autoptr(GByteArray) t = g_byte_array_new ();
  g_autoptr(EsplashPartitionTable) table = NULL;
  g_autoptr(GError) error = NULL;

  /* 95 entries and the MD5 record fill the 0xC00 bytes exactly */
  for (guint i = 0; i < 95; i++)
    {
      g_autofree char *label = g_strdup_printf ("p%u", i);

      add_entry (t, 1, 0x81, 0x10000 + i * 0x1000, 0x1000, label, 0);
    }
  finish (t, TRUE, 0x1000);
  table = parse_ok (t->data, t->len);
  g_assert_cmpuint (table->n_partitions, ==, 95);
  g_assert_true (table->has_md5);
  g_assert_false (table->has_end_marker);
  g_assert_true (has_warning (table, "end-of-table marker"));

  /* a 96th entry in place of the MD5 record is one too many */
  g_clear_pointer (&table, esplash_partition_table_free);
  g_byte_array_set_size (t, 95 * 32);
  add_entry (t, 1, 0x81, 0x200000, 0x1000, "p95", 0);
  finish (t, TRUE, 0x1000);
  table = esplash_partition_table_parse (t->data, t->len, &error);
  g_assert_null (table);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_assert_nonnull (strstr (error->message, "more than 95 entries"));
  g_assert_nonnull (strstr (error->message, "0xbe0"));
}

/* ---- malformed tables ------------------------------------------------- */

static void
expect_invalid (const guint8 *data,
                gsize         len,
                const char   *const *needles)
{
  g_autoptr(GError) error = NULL;
  EsplashPartitionTable *table = esplash_partition_table_parse (data, len, &error);

  g_assert_null (table);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_test_message ("%s", error->message);
  for (guint i = 0; needles[i] != NULL; i++)
    if (strstr (error->message, needles[i]) == NULL)
      g_error ("“%s” not in “%s”", needles[i], error->message);
}

#define NEEDLES(...) ((const char *const[]) { __VA_ARGS__, NULL })

static void
test_malformed (void)
{
  g_autoptr(GByteArray) t = NULL;
  g_autoptr(GBytes) image = load_image ("bootloader_esp32.bin");
  guint8 ff[0xC00];

  /* empty, erased, not a table */
  expect_invalid (NULL, 0, NEEDLES ("empty"));
  memset (ff, 0xFF, sizeof ff);
  expect_invalid (ff, sizeof ff, NEEDLES ("no partitions", "0xFF"));
  expect_invalid (g_bytes_get_data (image, NULL), 0xC00, NEEDLES ("Not a partition table", "E9 04"));

  /* bad MD5 */
  t = ota_table ();
  finish (t, TRUE, 0xC00);
  t->data[7 * 32 + 20] ^= 0x01;
  expect_invalid (t->data, t->len, NEEDLES ("MD5", "0xe0", "224 bytes"));
  /* an entry changed after the MD5 was computed */
  t->data[7 * 32 + 20] ^= 0x01;
  t->data[3 * 32 + 9] ^= 0x01;
  expect_invalid (t->data, t->len, NEEDLES ("MD5"));
  g_clear_pointer (&t, g_byte_array_unref);

  /* only an MD5 record */
  t = g_byte_array_new ();
  finish (t, TRUE, 0xC00);
  expect_invalid (t->data, t->len, NEEDLES ("only an MD5 record"));
  g_clear_pointer (&t, g_byte_array_unref);

  /* bad magic in the middle */
  t = ota_table ();
  finish (t, TRUE, 0xC00);
  t->data[2 * 32] = 0xAB;
  expect_invalid (t->data, t->len, NEEDLES ("entry 2", "0x40", "AB 50"));
  g_clear_pointer (&t, g_byte_array_unref);

  /* a 16-character label fills its field without a NUL: valid (ESP-IDF
   * packs names with "16s") */
  {
    g_autoptr(EsplashPartitionTable) full = NULL;
    g_autoptr(GError) full_error = NULL;

    t = ota_table ();
    finish (t, FALSE, 0xC00);
    memset (t->data + 1 * 32 + 12, 'x', 16);
    full = esplash_partition_table_parse (t->data, t->len, &full_error);
    g_assert_no_error (full_error);
    g_assert_cmpstr (full->partitions[1].label, ==, "xxxxxxxxxxxxxxxx");
    g_clear_pointer (&t, g_byte_array_unref);
  }

  /* overlapping partitions (ota_1 starts inside ota_0) */
  t = g_byte_array_new ();
  add_entry (t, 0, 0x10, 0x10000, 0x100000, "ota_0", 0);
  add_entry (t, 0, 0x11, 0x100000, 0x100000, "ota_1", 0);
  finish (t, TRUE, 0xC00);
  expect_invalid (t->data, t->len, NEEDLES ("'ota_0'", "0x10000–0x10ffff", "'ota_1'", "overlap"));
  g_clear_pointer (&t, g_byte_array_unref);

  /* same offset twice, listed in reverse order */
  t = g_byte_array_new ();
  add_entry (t, 1, 0x02, 0x9000, 0x6000, "nvs", 0);
  add_entry (t, 1, 0x01, 0xf000, 0x1000, "phy", 0);
  add_entry (t, 1, 0x82, 0x9000, 0x1000, "spiffs", 0);
  finish (t, FALSE, 0xC00);
  expect_invalid (t->data, t->len, NEEDLES ("overlap"));
  g_clear_pointer (&t, g_byte_array_unref);

  /* offset + size beyond 32 bits */
  t = g_byte_array_new ();
  add_entry (t, 1, 0x81, 0xFFFF0000, 0x20000, "huge", 0);
  finish (t, TRUE, 0xC00);
  expect_invalid (t->data, t->len, NEEDLES ("'huge'", "0xffff0000", "4 GiB"));
  g_clear_pointer (&t, g_byte_array_unref);

  /* truncated entry */
  t = ota_table ();
  expect_invalid (t->data, 32 + 10, NEEDLES ("entry 1", "10 of its 32 bytes"));

  /* an entry after the MD5 record, and a second MD5 record */
  g_byte_array_set_size (t, 64);
  finish (t, TRUE, 0);
  add_entry (t, 1, 0x81, 0x300000, 0x1000, "late", 0);
  finish (t, FALSE, 0xC00);
  expect_invalid (t->data, t->len, NEEDLES ("entry 3", "follows the MD5 record"));
  g_byte_array_set_size (t, 96);
  finish (t, TRUE, 0xC00);
  expect_invalid (t->data, t->len, NEEDLES ("second MD5 record", "0x60"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/partition/parse/singleapp", test_singleapp);
  g_test_add_func ("/esplash/partition/parse/ota-layout", test_ota_layout);
  g_test_add_func ("/esplash/partition/names", test_names);
  g_test_add_func ("/esplash/partition/parse/warnings", test_warnings);
  g_test_add_func ("/esplash/partition/parse/limits", test_limits);
  g_test_add_func ("/esplash/partition/parse/malformed", test_malformed);

  return g_test_run ();
}
