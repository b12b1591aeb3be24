/* fuzz-manifest.c: the ESP Web Tools manifest parser and build picker on
 * arbitrary bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const EsplashChipFamily families[] = {
    ESPLASH_CHIP_ESP32, ESPLASH_CHIP_ESP32S3, ESPLASH_CHIP_ESP32C3, ESPLASH_CHIP_ESP8266,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashManifest) m = esplash_manifest_parse ((const char *) data, size, &error);
  g_autofree char *families_text = NULL;

  FUZZ_CHECK ((m == NULL) == (error != NULL), "error set exactly on failure");
  if (m == NULL)
    {
      FUZZ_CHECK (error->domain == ESPLASH_ERROR &&
                  error->code == ESPLASH_ERROR_INVALID_IMAGE, "INVALID_IMAGE error");
      return 0;
    }
  FUZZ_CHECK (m->builds->len >= 1 && m->builds->len <= ESPLASH_MANIFEST_MAX_BUILDS, "builds");
  for (guint i = 0; i < m->builds->len; i++)
    {
      const EsplashManifestBuild *b = g_ptr_array_index (m->builds, i);

      FUZZ_CHECK (b->chip_family != NULL && b->chip_family[0] != '\0', "a family");
      FUZZ_CHECK (b->parts->len >= 1 && b->parts->len <= ESPLASH_MANIFEST_MAX_PARTS, "parts");
    }
  families_text = esplash_manifest_dup_families (m);
  FUZZ_CHECK (families_text != NULL && families_text[0] != '\0', "families named");
  for (guint i = 0; i < G_N_ELEMENTS (families); i++)
    for (guint32 size_mb = 0; size_mb <= 8; size_mb += 4)
      {
        g_autoptr(GError) pick_error = NULL;
        const EsplashChipInfo *chip = esplash_chip_get (families[i]);
        const EsplashManifestBuild *b = esplash_manifest_pick_build (m, chip, size_mb << 20,
                                                                     &pick_error);

        FUZZ_CHECK ((b == NULL) == (pick_error != NULL), "pick: error exactly on failure");
        if (b != NULL)
          FUZZ_CHECK (g_ascii_strcasecmp (b->chip_family, chip->name) == 0, "family matches");
        else
          FUZZ_CHECK (pick_error->code == ESPLASH_ERROR_UNSUPPORTED_CHIP, "UNSUPPORTED_CHIP");
      }
  return 0;
}

void
esplash_fuzz_add_seeds (GPtrArray *seeds)
{
  static const char manifest[] =
    "{\n"
    "  \"name\": \"Blink\", \"version\": \"1.2\", \"new_install_prompt_erase\": true,\n"
    "  \"builds\": [\n"
    "    { \"chipFamily\": \"ESP32\", \"parts\": [\n"
    "        { \"path\": \"bootloader.bin\", \"offset\": 4096 },\n"
    "        { \"path\": \"partitions.bin\", \"offset\": 32768 },\n"
    "        { \"path\": \"boot_app0.bin\", \"offset\": 57344 },\n"
    "        { \"path\": \"firmware.bin\", \"offset\": 65536 } ] },\n"
    "    { \"chipFamily\": \"ESP32-S3\", \"flashSizeMB\": 8, \"serialType\": \"cdc\", \"parts\": [\n"
    "        { \"path\": \"s3/merged.bin\", \"offset\": 0 } ] },\n"
    "    { \"chipFamily\": \"ESP32-C3\", \"improv\": false, \"parts\": [\n"
    "        { \"path\": \"https://example.com/c3.bin\", \"offset\": 0.0 } ] }\n"
    "  ]\n"
    "}\n";

  g_ptr_array_add (seeds, g_bytes_new_static (manifest, sizeof manifest - 1));
}
