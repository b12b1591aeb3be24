/* esplash-cli-image.c: the image-info command — what a firmware file holds,
 * from esplash_image_parse(), without a device.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-cli-private.h"

static const char *const mode_names[] = { "QIO", "QOUT", "DIO", "DOUT" };

/* The name of the size nibble, by asking the chip table which size has it. */
static char *
flash_size_name (const EsplashChipInfo *chip,
                 guint                  code)
{
  for (guint32 size = 256 * 1024; size != 0 && size <= 128u * 1024 * 1024; size *= 2)
    if (esplash_chip_flash_size_code (chip, size) == (gint) code)
      return size >= 1024 * 1024 ? g_strdup_printf ("%uMB", size / (1024 * 1024))
                                 : g_strdup_printf ("%uKB", size / 1024);
  return g_strdup_printf ("unknown (0x%X)", code);
}

static char *
flash_freq_name (const EsplashChipInfo *chip,
                 guint                  code)
{
  for (guint i = 0; i < chip->n_freqs; i++)
    if (chip->freq_codes[i] == code)
      return g_strdup (chip->freq_names[i]);
  return g_strdup_printf ("unknown (0x%X)", code);
}

static char *
flash_mode_name (guint mode)
{
  if (mode < G_N_ELEMENTS (mode_names))
    return g_strdup (mode_names[mode]);
  return g_strdup_printf ("unknown (0x%02X)", mode);
}

static char *
hex_string (const guint8 *bytes,
            gsize         len)
{
  GString *s = g_string_sized_new (len * 2);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", bytes[i]);
  return g_string_free (s, FALSE);
}

gboolean
cli_prepare_image_info (CliContext  *ctx,
                        GError     **error)
{
  ctx->path = g_strdup (ctx->args[0]);
  if (!g_file_test (ctx->path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
                   "Cannot read %s: no such file", ctx->path);
      return FALSE;
    }
  return TRUE;
}

static void
add_member (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
print_segments (CliContext             *ctx,
                const EsplashImageInfo *info)
{
  JsonBuilder *b = ctx->result;

  cli_output_text (ctx->out, "\nSegments information\n====================");
  cli_output_text (ctx->out, "Segment   Length   Load addr   File offs");
  cli_output_text (ctx->out, "-------  -------  ----------  ----------");
  if (b != NULL)
    {
      json_builder_set_member_name (b, "segment_list");
      json_builder_begin_array (b);
    }
  for (guint i = 0; i < info->n_segments && i < ESPLASH_IMAGE_MAX_SEGMENTS; i++)
    {
      const EsplashImageSegment *seg = &info->segments[i];

      /* Like esptool, the file offset of the segment's 8-byte header. */
      cli_output_text (ctx->out, "%7u  0x%05x  0x%08x  0x%08x", i, seg->size, seg->load_address,
                       seg->file_offset - 8);
      if (b != NULL)
        {
          json_builder_begin_object (b);
          add_member (b, "index", i);
          add_member (b, "length", seg->size);
          add_member (b, "load_address", seg->load_address);
          add_member (b, "header_offset", seg->file_offset - 8);
          add_member (b, "data_offset", seg->file_offset);
          json_builder_end_object (b);
        }
    }
  if (b != NULL)
    json_builder_end_array (b);
}

static void
print_footer (CliContext             *ctx,
              const EsplashImageInfo *info)
{
  JsonBuilder *b = ctx->result;
  gboolean valid = info->checksum_stored == info->checksum_computed;

  cli_output_text (ctx->out, "\nImage footer\n============");
  cli_output_text (ctx->out, "Checksum: 0x%02x (%s, computed 0x%02x)", info->checksum_stored,
                   valid ? "valid" : "invalid", info->checksum_computed);
  if (b != NULL)
    {
      add_member (b, "checksum", info->checksum_stored);
      add_member (b, "checksum_computed", info->checksum_computed);
      json_builder_set_member_name (b, "checksum_valid");
      json_builder_add_boolean_value (b, valid);
      json_builder_set_member_name (b, "hash_appended");
      json_builder_add_boolean_value (b, info->hash_appended);
    }
  if (info->hash_appended)
    {
      g_autofree char *hash = hex_string (info->sha256_stored, sizeof info->sha256_stored);

      cli_output_text (ctx->out, "Validation hash: %s (%s)", hash,
                       info->sha256_valid ? "valid" : "invalid");
      if (b != NULL)
        {
          add_string (b, "validation_hash", hash);
          json_builder_set_member_name (b, "validation_hash_valid");
          json_builder_add_boolean_value (b, info->sha256_valid);
        }
    }
}

/* The descriptions ESP-IDF builds into an image, as esptool prints them. */
static void
print_descriptions (CliContext             *ctx,
                    const EsplashImageInfo *info)
{
  const EsplashImageBootloaderDesc *boot = esplash_image_info_get_bootloader_desc (info);
  JsonBuilder *b = ctx->result;

  if (info->has_app_desc)
    {
      cli_output_text (ctx->out, "\nApplication information\n=======================");
      cli_output_text (ctx->out, "Project name: %s", info->project_name);
      cli_output_text (ctx->out, "App version: %s", info->version);
      cli_output_text (ctx->out, "Compile time: %s %s", info->compile_date, info->compile_time);
      cli_output_text (ctx->out, "ESP-IDF: %s", info->idf_version);
      if (b != NULL)
        {
          json_builder_set_member_name (b, "app");
          json_builder_begin_object (b);
          add_string (b, "project_name", info->project_name);
          add_string (b, "version", info->version);
          add_string (b, "compile_date", info->compile_date);
          add_string (b, "compile_time", info->compile_time);
          add_string (b, "idf_version", info->idf_version);
          json_builder_end_object (b);
        }
    }
  if (boot != NULL)
    {
      cli_output_text (ctx->out, "\nBootloader information\n======================");
      cli_output_text (ctx->out, "Bootloader version: %u", boot->version);
      cli_output_text (ctx->out, "ESP-IDF: %s", boot->idf_version);
      cli_output_text (ctx->out, "Compile time: %s", boot->date_time);
      if (b != NULL)
        {
          json_builder_set_member_name (b, "bootloader");
          json_builder_begin_object (b);
          add_member (b, "version", boot->version);
          add_string (b, "idf_version", boot->idf_version);
          add_string (b, "date_time", boot->date_time);
          json_builder_end_object (b);
        }
    }
}

/* A partition table prints as gen_esp32part.py prints a binary one: CSV. */
static gboolean
print_partition_table (CliContext    *ctx,
                       const guint8  *data,
                       gsize          len,
                       GError       **error)
{
  g_autoptr(EsplashPartitionTable) table = NULL;
  g_autofree char *csv = NULL;
  JsonBuilder *b = ctx->result;

  table = esplash_partition_table_parse (data, MIN (len, ESPLASH_PARTITION_TABLE_MAX_LEN), error);
  if (table == NULL)
    {
      g_prefix_error (error, "%s: ", ctx->path);
      return FALSE;
    }
  csv = esplash_partition_table_to_csv (table);
  cli_output_text (ctx->out, "File size: %" G_GSIZE_FORMAT " (bytes)", len);
  cli_output_text (ctx->out, "Detected image type: partition table (%u partitions, %s)",
                   table->n_partitions,
                   table->has_md5 ? "MD5 checksum valid" : "no MD5 checksum");
  cli_output_text (ctx->out, "\n%s", g_strchomp (csv));
  for (guint i = 0; i < table->warnings->len; i++)
    cli_output_message (ctx->out, ESPLASH_LOG_WARNING, "%s: %s", ctx->path,
                        (const char *) g_ptr_array_index (table->warnings, i));
  if (b == NULL)
    return TRUE;
  add_string (b, "file", ctx->path);
  add_member (b, "file_size", (gint64) len);
  add_string (b, "image_type", "partition-table");
  json_builder_set_member_name (b, "md5");
  json_builder_add_boolean_value (b, table->has_md5);
  json_builder_set_member_name (b, "partitions");
  json_builder_begin_array (b);
  for (guint i = 0; i < table->n_partitions; i++)
    {
      const EsplashPartition *p = &table->partitions[i];

      json_builder_begin_object (b);
      add_string (b, "label", p->label);
      add_member (b, "type", p->type);
      add_member (b, "subtype", p->subtype);
      add_string (b, "type_name", esplash_partition_type_name (p->type));
      add_string (b, "subtype_name", esplash_partition_subtype_name (p->type, p->subtype));
      add_member (b, "offset", p->offset);
      add_member (b, "size", p->size);
      add_member (b, "flags", p->flags);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_string (b, "csv", csv);
  return TRUE;
}

gboolean
cli_run_image_info (CliContext    *ctx,
                    EsplashDevice *device,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *contents = NULL;
  gsize len;
  EsplashImageInfo info;
  const EsplashChipInfo *chip;
  g_autofree char *size = NULL, *freq = NULL, *mode = NULL;
  JsonBuilder *b = ctx->result;

  if (!g_file_get_contents (ctx->path, &contents, &len, error))
    return FALSE;
  /* 0xAA50: the magic of a partition table entry (protocol.md §8.5) */
  if (len >= 2 && (guint8) contents[0] == 0xAA && (guint8) contents[1] == 0x50)
    return print_partition_table (ctx, (const guint8 *) contents, len, error);
  if (!esplash_image_parse ((const guint8 *) contents, len, ctx->chip_info, &info, error))
    {
      g_prefix_error (error, "%s: ", ctx->path);
      return FALSE;
    }

  if (info.has_extended_header)
    chip = esplash_chip_from_image_id (info.chip_id);
  else
    chip = esplash_chip_get (ESPLASH_CHIP_ESP8266);
  /* A chip asked for with --chip decides the field names. */
  if (ctx->chip_info != NULL)
    chip = ctx->chip_info;
  if (chip == NULL)
    chip = esplash_chip_get (ESPLASH_CHIP_ESP32);

  size = flash_size_name (chip, info.flash_size_freq >> 4);
  freq = flash_freq_name (chip, info.flash_size_freq & 0x0F);
  mode = flash_mode_name (info.flash_mode);

  cli_output_text (ctx->out, "File size: %" G_GSIZE_FORMAT " (bytes)", len);
  cli_output_text (ctx->out, "Detected image type: %s", chip->name);
  cli_output_text (ctx->out, "\nImage header\n============");
  cli_output_text (ctx->out, "Image version: %u", info.magic == ESPLASH_IMAGE_MAGIC_ESP8266_V2 ? 2 : 1);
  cli_output_text (ctx->out, "Entry point: 0x%08x", info.entry);
  cli_output_text (ctx->out, "Segments: %u", info.n_segments);
  cli_output_text (ctx->out, "Flash size: %s", size);
  cli_output_text (ctx->out, "Flash freq: %s", freq);
  cli_output_text (ctx->out, "Flash mode: %s", mode);
  if (b != NULL)
    {
      add_string (b, "file", ctx->path);
      add_member (b, "file_size", (gint64) len);
      add_string (b, "chip", chip->id);
      add_member (b, "image_version", info.magic == ESPLASH_IMAGE_MAGIC_ESP8266_V2 ? 2 : 1);
      add_member (b, "entry", info.entry);
      add_member (b, "segments", info.n_segments);
      add_string (b, "flash_size", size);
      add_string (b, "flash_freq", freq);
      add_string (b, "flash_mode", mode);
    }

  if (info.has_extended_header)
    {
      const EsplashChipInfo *id_chip = esplash_chip_from_image_id (info.chip_id);

      cli_output_text (ctx->out, "\nExtended image header\n=====================");
      cli_output_text (ctx->out, "WP pin: 0x%02x%s", info.wp_pin,
                       info.wp_pin == 0xEE ? " (disabled)" : "");
      cli_output_text (ctx->out, "Chip ID: %u (%s)", info.chip_id,
                       id_chip != NULL ? id_chip->name : "unknown chip");
      cli_output_text (ctx->out, "Minimal chip revision: v%u.%u, (legacy min_rev = %u)",
                       info.min_rev_full / 100, info.min_rev_full % 100, info.min_rev);
      cli_output_text (ctx->out, "Maximal chip revision: v%u.%u",
                       info.max_rev_full / 100, info.max_rev_full % 100);
      if (b != NULL)
        {
          add_member (b, "wp_pin", info.wp_pin);
          add_member (b, "image_chip_id", info.chip_id);
          add_member (b, "min_rev", info.min_rev);
          add_member (b, "min_rev_full", info.min_rev_full);
          add_member (b, "max_rev_full", info.max_rev_full);
        }
      if (ctx->chip_info != NULL && ctx->chip_info->image_chip_id >= 0 &&
          info.chip_id != (guint) ctx->chip_info->image_chip_id)
        cli_output_message (ctx->out, ESPLASH_LOG_WARNING, "This image is for %s, not %s",
                            id_chip != NULL ? id_chip->name : "an unknown chip",
                            ctx->chip_info->name);
    }

  print_segments (ctx, &info);
  print_footer (ctx, &info);
  print_descriptions (ctx, &info);
  return TRUE;
}
