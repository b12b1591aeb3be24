/* fuzz-flasher-args.c: ESP-IDF flasher_args.json and flash_project_args
 * parsers on arbitrary bytes, checking what they promise on success.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "fuzz.h"

static void
check (EsplashFlasherArgs *args,
       GError             *error)
{
  FUZZ_CHECK ((args == NULL) == (error != NULL), "error set exactly on failure");
  if (args == NULL)
    {
      FUZZ_CHECK (error->domain == ESPLASH_ERROR &&
                  error->code == ESPLASH_ERROR_INVALID_IMAGE, "INVALID_IMAGE error");
      return;
    }
  FUZZ_CHECK (args->files->len >= 1 && args->files->len <= ESPLASH_FLASHER_ARGS_MAX_FILES,
              "file count");
  for (guint i = 0; i < args->files->len; i++)
    {
      const EsplashFlasherArgsFile *f = g_ptr_array_index (args->files, i);

      FUZZ_CHECK (f->path != NULL && f->path[0] != '\0', "a file name");
      for (guint j = i + 1; j < args->files->len; j++)
        FUZZ_CHECK (((const EsplashFlasherArgsFile *) g_ptr_array_index (args->files, j))->offset
                    != f->offset, "offsets unique");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(EsplashFlasherArgs) json = esplash_flasher_args_parse_json ((const char *) data, size, &e1);
  g_autoptr(EsplashFlasherArgs) text = esplash_flasher_args_parse_text ((const char *) data, size, &e2);
  char buf[32];
  guint32 offset;

  check (json, e1);
  check (text, e2);
  /* the offset parser on a prefix of the input */
  memset (buf, 0, sizeof buf);
  if (size > 0)
    memcpy (buf, data, MIN (size, sizeof buf - 1));
  if (esplash_parse_offset (buf, &offset))
    FUZZ_CHECK (buf[0] != '-' && buf[0] != '+' && buf[0] != ' ', "no sign or space");
  return 0;
}

void
esplash_fuzz_add_seeds (GPtrArray *seeds)
{
  static const char json[] =
    "{\n"
    "  \"write_flash_args\": [\"--flash_mode\", \"dio\", \"--flash_size\", \"4MB\",\n"
    "                       \"--flash_freq\", \"40m\"],\n"
    "  \"flash_settings\": {\"flash_mode\": \"dio\", \"flash_size\": \"4MB\", \"flash_freq\": \"40m\"},\n"
    "  \"flash_files\": {\"0x1000\": \"bootloader/bootloader.bin\",\n"
    "                  \"0x8000\": \"partition_table/partition-table.bin\",\n"
    "                  \"0xd000\": \"ota_data_initial.bin\", \"0x10000\": \"app.bin\"},\n"
    "  \"bootloader\": {\"offset\": \"0x1000\", \"file\": \"bootloader/bootloader.bin\", \"encrypted\": \"false\"},\n"
    "  \"app\": {\"offset\": \"0x10000\", \"file\": \"app.bin\", \"encrypted\": \"true\"},\n"
    "  \"otadata\": {\"offset\": \"0xd000\", \"file\": \"ota_data_initial.bin\", \"encrypted\": \"false\"},\n"
    "  \"extra_esptool_args\": {\"after\": \"hard_reset\", \"before\": \"default_reset\", \"stub\": true, \"chip\": \"esp32\"}\n"
    "}\n";
  static const char text[] =
    "--flash_mode dio --flash_freq 80m --flash_size 2MB\n"
    "0x0 bootloader/bootloader.bin\n"
    "0x10000 app.bin\n"
    "0x8000 partition_table/partition-table.bin\n"
    "--encrypt 0xd000 ota_data_initial.bin\r\n";

  g_ptr_array_add (seeds, g_bytes_new_static (json, sizeof json - 1));
  g_ptr_array_add (seeds, g_bytes_new_static (text, sizeof text - 1));
}
