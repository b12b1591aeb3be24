/* fuzz-response.c: esplash_response_parse on an arbitrary (unframed)
 * packet with every expected payload length 0..64, then
 * esplash_response_check, checking what they promise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "fuzz.h"

#define HEADER_LEN 8
#define MAX_EXPECTED_PAYLOAD 64

static void
check_response (const uint8_t         *data,
                size_t                 size,
                gsize                  expected,
                const EsplashResponse *r)
{
  gsize plen;
  const guint8 *payload;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  FUZZ_CHECK (size >= HEADER_LEN + 2 && data[0] == 0x01, "a response packet");
  FUZZ_CHECK (r->opcode == data[1], "opcode");
  FUZZ_CHECK (r->value == (guint32) (data[4] | data[5] << 8 | data[6] << 16 |
                                     (guint32) data[7] << 24), "value");
  FUZZ_CHECK (r->payload != NULL, "a payload");
  payload = g_bytes_get_data (r->payload, &plen);
  FUZZ_CHECK (plen == expected || (plen == 0 && r->status[0] != 0),
              "the expected payload, or none on a failure");
  FUZZ_CHECK (plen == 0 || memcmp (payload, data + HEADER_LEN, plen) == 0, "payload bytes");
  FUZZ_CHECK (r->status_len >= 2 && r->status_len == size - HEADER_LEN - plen,
              "the status follows the payload");
  FUZZ_CHECK (r->status[0] == data[HEADER_LEN + plen] &&
              r->status[1] == data[HEADER_LEN + plen + 1], "status bytes");

  ok = esplash_response_check (r, &error);
  FUZZ_CHECK (ok == (r->status[0] == 0), "check: success exactly on status 0");
  FUZZ_CHECK (ok == (error == NULL), "check: error set exactly on failure");
  if (!ok)
    FUZZ_CHECK (error->domain == ESPLASH_ERROR && error->code == ESPLASH_ERROR_DEVICE &&
                error->message[0] != '\0', "DEVICE error with a message");
  if (esplash_response_is_unsupported (r))
    FUZZ_CHECK (!ok, "an unsupported command is a failure");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  for (gsize expected = 0; expected <= MAX_EXPECTED_PAYLOAD; expected++)
    {
      g_autoptr(GError) error = NULL;
      EsplashResponse r;
      gboolean ok = esplash_response_parse (data, size, expected, &r, &error);

      FUZZ_CHECK (ok == (error == NULL), "error set exactly on failure");
      if (ok)
        check_response (data, size, expected, &r);
      else
        FUZZ_CHECK (error->domain == ESPLASH_ERROR && error->code == ESPLASH_ERROR_PROTOCOL &&
                    r.payload == NULL, "PROTOCOL error and no payload");
      esplash_response_clear (&r);
    }
  return 0;
}

/* A ROM SYNC reply (4 status bytes), a stub MD5 reply (16 + 2), a ROM
 * failure shorter than the payload, a stub error with a detail byte. */
void
esplash_fuzz_add_seeds (GPtrArray *seeds)
{
  static const guint8 sync[] = { 0x01, 0x08, 0x04, 0x00, 0x07, 0x07, 0x12, 0x20,
                                 0x00, 0x00, 0x00, 0x00 };
  static const guint8 md5[] = { 0x01, 0x13, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00,
                                0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04,
                                0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8, 0x42, 0x7e,
                                0x00, 0x00 };
  static const guint8 rom_fail[] = { 0x01, 0x13, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
                                     0x01, 0x05, 0x00, 0x00 };
  static const guint8 stub_fail[] = { 0x01, 0x0B, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
                                      0xC1, 0xEE };

  g_ptr_array_add (seeds, g_bytes_new_static (sync, sizeof sync));
  g_ptr_array_add (seeds, g_bytes_new_static (md5, sizeof md5));
  g_ptr_array_add (seeds, g_bytes_new_static (rom_fail, sizeof rom_fail));
  g_ptr_array_add (seeds, g_bytes_new_static (stub_fail, sizeof stub_fail));
}
