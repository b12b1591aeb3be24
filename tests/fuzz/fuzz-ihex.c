/* fuzz-ihex.c: the Intel HEX parser on arbitrary bytes, checking what it
 * promises on success (sorted, disjoint, non-empty regions below 4 GiB).
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
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) regions = esplash_ihex_parse ((const char *) data, size, &error);
  guint64 end = 0;

  (void) esplash_ihex_sniff (data, size);
  FUZZ_CHECK ((regions == NULL) == (error != NULL), "error set exactly on failure");
  if (regions == NULL)
    {
      FUZZ_CHECK (error->domain == ESPLASH_ERROR &&
                  error->code == ESPLASH_ERROR_INVALID_IMAGE, "INVALID_IMAGE error");
      return 0;
    }
  FUZZ_CHECK (regions->len >= 1, "at least one region");
  for (guint i = 0; i < regions->len; i++)
    {
      const EsplashIhexRegion *r = g_ptr_array_index (regions, i);
      gsize len = g_bytes_get_size (r->data);

      FUZZ_CHECK (len > 0, "non-empty region");
      FUZZ_CHECK (i == 0 || r->address > end, "sorted, disjoint and merged");
      end = (guint64) r->address + len;
      FUZZ_CHECK (end <= (guint64) G_MAXUINT32 + 1, "below 4 GiB");
    }
  return 0;
}

void
esplash_fuzz_add_seeds (GPtrArray *seeds)
{
  static const char hex[] =
    ":020000040000FA\n"
    ":10100000E9030210FFFFFFFF00112233445566770A\n"
    ":04101000AABBCCDDCE\n"
    ":020000021000EC\n"
    ":0400000500001000E7\n"
    ":00000001FF\n";

  g_ptr_array_add (seeds, g_bytes_new_static (hex, sizeof hex - 1));
}
