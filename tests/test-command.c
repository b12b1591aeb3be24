/* test-command.c: request building and response parsing.
 *
 * Expected bytes and names come from protocol.md §1.2–1.7 and §2.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"

static void
assert_bytes (GBytes       *bytes,
              const guint8 *want,
              gsize         len)
{
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), want, len);
}

static void
test_build_plain (void)
{
  const guint8 data[] = { 0x00, 0x10, 0x00, 0x40 };
  const guint8 want[] = { 0x00, 0x0A, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
                          0x00, 0x10, 0x00, 0x40 };
  const guint8 want_empty[] = { 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
  g_autoptr(GBytes) packet = esplash_command_build (ESPLASH_OP_READ_REG, data, sizeof data, 0);
  g_autoptr(GBytes) empty = esplash_command_build (ESPLASH_OP_GET_SECURITY_INFO, NULL, 0, 0);

  assert_bytes (packet, want, sizeof want);
  assert_bytes (empty, want_empty, sizeof want_empty);
}

static void
test_build_words_sync (void)
{
  /* SYNC data (§2.2): 07 07 12 20 then 32 × 0x55 */
  const guint32 words[] = { 0x20120707, 0x55555555, 0x55555555, 0x55555555, 0x55555555,
                            0x55555555, 0x55555555, 0x55555555, 0x55555555 };
  g_autoptr(GBytes) packet = esplash_command_build_words (ESPLASH_OP_SYNC, words, G_N_ELEMENTS (words));
  guint8 want[8 + 36];

  memset (want, 0x55, sizeof want);
  memcpy (want, (const guint8[]) { 0x00, 0x08, 36, 0x00, 0, 0, 0, 0, 0x07, 0x07, 0x12, 0x20 }, 12);
  assert_bytes (packet, want, sizeof want);
}

static void
test_build_words_le (void)
{
  const guint32 words[] = { 0x11223344, 0xA0B0C0D0 };
  const guint8 want[] = { 0x00, 0x02, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
                          0x44, 0x33, 0x22, 0x11, 0xD0, 0xC0, 0xB0, 0xA0 };
  g_autoptr(GBytes) packet = esplash_command_build_words (ESPLASH_OP_FLASH_BEGIN, words, 2);

  assert_bytes (packet, want, sizeof want);
}

static void
test_build_data (void)
{
  /* checksum = 0xEF ^ 0xAA ^ 0x01 = 0x44 */
  const guint8 payload[] = { 0xAA, 0x01 };
  const guint8 want[] = { 0x00, 0x03, 0x12, 0x00, 0x44, 0x00, 0x00, 0x00,
                          0x02, 0x00, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                          0xAA, 0x01 };
  g_autoptr(GBytes) packet = esplash_command_build_data (ESPLASH_OP_FLASH_DATA, 0x103, payload, sizeof payload);
  g_autofree guint8 *big = g_malloc (0x4000);
  g_autoptr(GBytes) big_packet = NULL;
  const guint8 *p;
  guint8 chk = 0xEF;

  assert_bytes (packet, want, sizeof want);

  /* a full stub block: length word 0x4000, size field 0x4010 */
  for (guint i = 0; i < 0x4000; i++)
    {
      big[i] = (i * 7 + 3) & 0xFF;
      chk ^= big[i];
    }
  big_packet = esplash_command_build_data (ESPLASH_OP_FLASH_DEFL_DATA, 0, big, 0x4000);
  p = g_bytes_get_data (big_packet, NULL);
  g_assert_cmpuint (g_bytes_get_size (big_packet), ==, 8 + 16 + 0x4000);
  g_assert_cmpuint (p[1], ==, 0x11);
  g_assert_cmpuint (p[2] | p[3] << 8, ==, 0x4010);
  g_assert_cmpuint (p[4], ==, chk);
  g_assert_cmpuint (p[5] | p[6] | p[7], ==, 0);
  g_assert_cmpuint (p[8] | p[9] << 8 | p[10] << 16, ==, 0x4000);
  g_assert_cmpmem (p + 24, 0x4000, big, 0x4000);
}

static void
test_checksum (void)
{
  const guint8 zero_xor[] = { 0x10, 0x20, 0x30 };

  g_assert_cmpuint (esplash_checksum (NULL, 0), ==, 0xEF);
  g_assert_cmpuint (esplash_checksum (zero_xor, sizeof zero_xor), ==, 0xEF);
  g_assert_cmpuint (esplash_checksum ((const guint8[]) { 0xEF }, 1), ==, 0x00);

  g_assert_true (esplash_opcode_is_checksummed (0x03));
  g_assert_true (esplash_opcode_is_checksummed (0x07));
  g_assert_true (esplash_opcode_is_checksummed (0x11));
  g_assert_true (esplash_opcode_is_checksummed (0xD4));
  g_assert_false (esplash_opcode_is_checksummed (0x02));
  g_assert_false (esplash_opcode_is_checksummed (0x0A));
  g_assert_false (esplash_opcode_is_checksummed (0x05));
}

static void
test_opcode_names (void)
{
  /* §2.1 */
  static const struct { guint8 op; const char *name; } table[] = {
    { 0x02, "FLASH_BEGIN" }, { 0x03, "FLASH_DATA" }, { 0x04, "FLASH_END" },
    { 0x05, "MEM_BEGIN" }, { 0x06, "MEM_END" }, { 0x07, "MEM_DATA" }, { 0x08, "SYNC" },
    { 0x09, "WRITE_REG" }, { 0x0A, "READ_REG" }, { 0x0B, "SPI_SET_PARAMS" },
    { 0x0D, "SPI_ATTACH" }, { 0x0E, "READ_FLASH_SLOW" }, { 0x0F, "CHANGE_BAUDRATE" },
    { 0x10, "FLASH_DEFL_BEGIN" }, { 0x11, "FLASH_DEFL_DATA" }, { 0x12, "FLASH_DEFL_END" },
    { 0x13, "SPI_FLASH_MD5" }, { 0x14, "GET_SECURITY_INFO" }, { 0xD0, "ERASE_FLASH" },
    { 0xD1, "ERASE_REGION" }, { 0xD2, "READ_FLASH" }, { 0xD3, "RUN_USER_CODE" },
    { 0xD4, "FLASH_ENCRYPT_DATA" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    g_assert_cmpstr (esplash_opcode_name (table[i].op), ==, table[i].name);
  g_assert_null (esplash_opcode_name (0x00));
  g_assert_null (esplash_opcode_name (0x01));
  g_assert_null (esplash_opcode_name (0x0C));
  g_assert_null (esplash_opcode_name (0xFF));
}

/* Parse @packet, expecting success. */
static void
parse_ok (const guint8    *packet,
          gsize            len,
          gsize            expected_payload,
          EsplashResponse *out)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (esplash_response_parse (packet, len, expected_payload, out, &error));
  g_assert_no_error (error);
}

static void
test_parse_read_reg_layouts (void)
{
  /* §1.5 observed replies: ESP32 ROM (4 status), ESP8266 ROM (2), stub (2) */
  const guint8 esp32[] = { 0x01, 0x0A, 0x04, 0x00, 0x83, 0x1D, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00 };
  const guint8 esp8266[] = { 0x01, 0x0A, 0x02, 0x00, 0x01, 0xC1, 0xF0, 0xFF, 0x00, 0x00 };
  const guint8 stub[] = { 0x01, 0x0A, 0x02, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00 };
  EsplashResponse r = { 0 };

  parse_ok (esp32, sizeof esp32, 0, &r);
  g_assert_cmpuint (r.opcode, ==, ESPLASH_OP_READ_REG);
  g_assert_cmphex (r.value, ==, 0x00F01D83);
  g_assert_cmpuint (r.status_len, ==, 4);
  g_assert_cmpuint (r.status[0], ==, 0);
  g_assert_cmpuint (g_bytes_get_size (r.payload), ==, 0);
  g_assert_true (esplash_response_check (&r, NULL));
  esplash_response_clear (&r);
  g_assert_null (r.payload);

  parse_ok (esp8266, sizeof esp8266, 0, &r);
  g_assert_cmphex (r.value, ==, 0xFFF0C101);
  g_assert_cmpuint (r.status_len, ==, 2);
  g_assert_true (esplash_response_check (&r, NULL));
  esplash_response_clear (&r);

  parse_ok (stub, sizeof stub, 0, &r);
  g_assert_cmphex (r.value, ==, 9);
  g_assert_cmpuint (r.status_len, ==, 2);
  g_assert_true (esplash_response_check (&r, NULL));
  esplash_response_clear (&r);
}

static void
test_parse_md5 (void)
{
  const char *hex = "d41d8cd98f00b204e9800998ecf8427e";
  const guint8 raw[16] = { 0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04,
                           0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8, 0x42, 0x7e };
  guint8 rom[8 + 32 + 4] = { 0x01, 0x13, 36, 0x00, 0, 0, 0, 0 };
  guint8 stub[8 + 16 + 2] = { 0x01, 0x13, 18, 0x00, 0, 0, 0, 0 };
  EsplashResponse r = { 0 };

  memcpy (rom + 8, hex, 32);
  parse_ok (rom, sizeof rom, 32, &r);
  g_assert_cmpmem (g_bytes_get_data (r.payload, NULL), g_bytes_get_size (r.payload), hex, 32);
  g_assert_cmpuint (r.status_len, ==, 4);
  g_assert_true (esplash_response_check (&r, NULL));
  esplash_response_clear (&r);

  memcpy (stub + 8, raw, 16);
  parse_ok (stub, sizeof stub, 16, &r);
  g_assert_cmpmem (g_bytes_get_data (r.payload, NULL), g_bytes_get_size (r.payload), raw, 16);
  g_assert_cmpuint (r.status_len, ==, 2);
  g_assert_true (esplash_response_check (&r, NULL));
  esplash_response_clear (&r);

  /* A failed stub MD5 with a status in place of the digest. */
  {
    const guint8 fail[] = { 0x01, 0x13, 0x02, 0x00, 0, 0, 0, 0, 0x63, 0x00 };
    g_autoptr(GError) error = NULL;

    parse_ok (fail, sizeof fail, 16, &r);
    g_assert_cmpuint (g_bytes_get_size (r.payload), ==, 0);
    g_assert_cmpuint (r.status[0], ==, 0x63);
    g_assert_false (esplash_response_check (&r, &error));
    g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE);
    g_assert_nonnull (strstr (error->message, "SPI_FLASH_MD5 failed: stub error 0x63"));
    esplash_response_clear (&r);
  }

  /* A failed ROM MD5 with four status bytes only. */
  {
    const guint8 fail[] = { 0x01, 0x13, 0x04, 0x00, 0, 0, 0, 0, 0x01, 0x09, 0x00, 0x00 };
    g_autoptr(GError) error = NULL;

    parse_ok (fail, sizeof fail, 32, &r);
    g_assert_false (esplash_response_check (&r, &error));
    g_assert_cmpstr (error->message, ==, "SPI_FLASH_MD5 failed: ROM error 0x09 (flash read error)");
    esplash_response_clear (&r);
  }

  /* "success" with the digest missing is a protocol error, not an empty digest */
  {
    const guint8 short_ok[] = { 0x01, 0x13, 0x02, 0x00, 0, 0, 0, 0, 0x00, 0x00 };
    g_autoptr(GError) error = NULL;

    g_assert_false (esplash_response_parse (short_ok, sizeof short_ok, 16, &r, &error));
    g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL);
    g_assert_null (r.payload);
  }
}

static void
test_parse_security_info (void)
{
  /* S3 and later: 20 bytes + 4 status; S2: 12 + 4 */
  guint8 s3[8 + 20 + 4] = { 0x01, 0x14, 24, 0x00 };
  guint8 s2[8 + 12 + 4] = { 0x01, 0x14, 16, 0x00 };
  EsplashResponse r = { 0 };

  s3[8 + 12] = 9;  /* chip id */
  parse_ok (s3, sizeof s3, 20, &r);
  g_assert_cmpuint (g_bytes_get_size (r.payload), ==, 20);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (r.payload, NULL))[12], ==, 9);
  esplash_response_clear (&r);

  parse_ok (s2, sizeof s2, 12, &r);
  g_assert_cmpuint (g_bytes_get_size (r.payload), ==, 12);
  g_assert_cmpuint (r.status_len, ==, 4);
  esplash_response_clear (&r);
}

static void
test_parse_malformed (void)
{
  const guint8 request[] = { 0x00, 0x0A, 0x02, 0x00, 0, 0, 0, 0, 0x00, 0x00 };
  const guint8 truncated[] = { 0x01, 0x0A, 0x02, 0x00, 0, 0, 0 };
  const guint8 size_big[] = { 0x01, 0x0A, 0x04, 0x00, 0, 0, 0, 0, 0x00, 0x00 };
  const guint8 size_small[] = { 0x01, 0x0A, 0x02, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x00 };
  const guint8 no_status[] = { 0x01, 0x0A, 0x00, 0x00, 0, 0, 0, 0 };
  const guint8 one_byte[] = { 0x01, 0x0A, 0x01, 0x00, 0, 0, 0, 0, 0x00 };
  EsplashResponse r = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (esplash_response_parse (request, sizeof request, 0, &r, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==,
                   "Not a response packet (READ_REG): direction byte is 0x00, expected 0x01");
  g_clear_error (&error);

  g_assert_false (esplash_response_parse (truncated, sizeof truncated, 0, &r, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==, "Response packet too short: 7 bytes, the header alone is 8");
  g_clear_error (&error);

  g_assert_false (esplash_response_parse (NULL, 0, 0, &r, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL);
  g_clear_error (&error);

  g_assert_false (esplash_response_parse (size_big, sizeof size_big, 0, &r, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==,
                   "READ_REG response: size field says 4 data bytes but 2 follow the header");
  g_clear_error (&error);

  g_assert_false (esplash_response_parse (size_small, sizeof size_small, 0, &r, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==,
                   "READ_REG response: size field says 2 data bytes but 4 follow the header");
  g_clear_error (&error);

  g_assert_false (esplash_response_parse (no_status, sizeof no_status, 0, &r, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL);
  g_clear_error (&error);

  g_assert_false (esplash_response_parse (one_byte, sizeof one_byte, 0, &r, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (r.payload);
}

/* §1.6, with a word from each description */
static const struct { guint8 code; const char *word; } rom_table[] = {
  { 0x00, "undefined" }, { 0x01, "invalid input parameter" }, { 0x02, "out of memory" },
  { 0x03, "send" }, { 0x04, "receive" }, { 0x05, "invalid" }, { 0x06, "result" },
  { 0x07, "checksum" }, { 0x08, "flash write" }, { 0x09, "flash read" },
  { 0x0A, "read length" }, { 0x0B, "deflate" }, { 0x0C, "Adler" },
  { 0x0D, "deflate parameter" }, { 0x0E, "RAM binary size" }, { 0x0F, "RAM binary address" },
  { 0x64, "invalid parameter" }, { 0x65, "invalid format" }, { 0x66, "too long" },
  { 0x67, "encoding" }, { 0x69, "storage" },
};

/* §1.7 and its legacy raw codes */
static const struct { guint8 code; const char *word; } stub_table[] = {
  { 0xC0, "data length" }, { 0xC1, "checksum" }, { 0xC2, "block size" },
  { 0xC3, "invalid command" }, { 0xC4, "SPI operation" }, { 0xC5, "SPI unlock" },
  { 0xC6, "not in flash mode" }, { 0xC7, "inflate" }, { 0xC8, "not enough data" },
  { 0xC9, "too much data" }, { 0xCA, "NAND program" }, { 0xCB, "NAND erase" },
  { 0xFF, "not implemented" },
  { 0x32, "address" }, { 0x33, "length" }, { 0x34, "unlock" }, { 0x35, "erase" },
  { 0x36, "erase" }, { 0x37, "erase" }, { 0x63, "read" },
};

static void
test_rom_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rom_table); i++)
    {
      guint8 packet[] = { 0x01, 0x03, 0x04, 0x00, 0, 0, 0, 0, 0x01, rom_table[i].code, 0x00, 0x00 };
      const char *name = esplash_rom_error_name (rom_table[i].code);
      EsplashResponse r = { 0 };
      g_autoptr(GError) error = NULL;
      g_autofree char *want = NULL;

      g_assert_nonnull (name);
      g_assert_nonnull (strstr (name, rom_table[i].word));
      parse_ok (packet, sizeof packet, 0, &r);
      g_assert_false (esplash_response_check (&r, &error));
      g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE);
      want = g_strdup_printf ("FLASH_DATA failed: ROM error 0x%02X (%s)", rom_table[i].code, name);
      g_assert_cmpstr (error->message, ==, want);
      g_assert_cmpint (esplash_response_is_unsupported (&r), ==, rom_table[i].code == 0x05);
      esplash_response_clear (&r);
    }
  for (guint code = 0; code < 256; code++)
    {
      gboolean listed = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (rom_table); i++)
        listed |= rom_table[i].code == code;
      if (!listed)
        g_assert_null (esplash_rom_error_name (code));
    }
}

static void
test_rom_error_message (void)
{
  const guint8 packet[] = { 0x01, 0x03, 0x04, 0x00, 0, 0, 0, 0, 0x01, 0x07, 0x00, 0x00 };
  const guint8 unknown[] = { 0x01, 0x03, 0x04, 0x00, 0, 0, 0, 0, 0x01, 0x42, 0x00, 0x00 };
  const guint8 esp8266[] = { 0x01, 0x42, 0x02, 0x00, 0, 0, 0, 0, 0x01, 0x05 };
  EsplashResponse r = { 0 };
  g_autoptr(GError) error = NULL;

  parse_ok (packet, sizeof packet, 0, &r);
  g_assert_false (esplash_response_check (&r, &error));
  g_assert_cmpstr (error->message, ==, "FLASH_DATA failed: ROM error 0x07 (checksum error)");
  g_clear_error (&error);
  esplash_response_clear (&r);

  parse_ok (unknown, sizeof unknown, 0, &r);
  g_assert_false (esplash_response_check (&r, &error));
  g_assert_cmpstr (error->message, ==, "FLASH_DATA failed: ROM error 0x42 (unknown)");
  g_clear_error (&error);
  esplash_response_clear (&r);

  parse_ok (esp8266, sizeof esp8266, 0, &r);
  g_assert_true (esplash_response_is_unsupported (&r));
  g_assert_false (esplash_response_check (&r, &error));
  g_assert_true (g_str_has_prefix (error->message, "opcode 0x42 failed: ROM error 0x05 ("));
  esplash_response_clear (&r);
}

static void
test_stub_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (stub_table); i++)
    {
      guint8 packet[] = { 0x01, 0x11, 0x02, 0x00, 0, 0, 0, 0, stub_table[i].code, 0x00 };
      const char *name = esplash_stub_error_name (stub_table[i].code);
      EsplashResponse r = { 0 };
      g_autoptr(GError) error = NULL;
      g_autofree char *want = NULL;
      guint8 code = stub_table[i].code;

      g_assert_nonnull (name);
      g_assert_nonnull (strstr (name, stub_table[i].word));
      parse_ok (packet, sizeof packet, 0, &r);
      g_assert_false (esplash_response_check (&r, &error));
      g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE);
      want = g_strdup_printf ("FLASH_DEFL_DATA failed: stub error 0x%02X (%s)", code, name);
      g_assert_cmpstr (error->message, ==, want);
      g_assert_cmpint (esplash_response_is_unsupported (&r), ==, code == 0xC3 || code == 0xFF);
      esplash_response_clear (&r);
    }
  g_assert_cmpstr (esplash_stub_error_name (0x00), ==, "OK");
  g_assert_null (esplash_stub_error_name (0x01));
  g_assert_null (esplash_stub_error_name (0xCC));
  g_assert_null (esplash_stub_error_name (0xEE));
}

static void
test_stub_error_message (void)
{
  const guint8 chk[] = { 0x01, 0x03, 0x02, 0x00, 0, 0, 0, 0, 0xC1, 0x00 };
  const guint8 oversize[] = { 0x01, 0x03, 0x02, 0x00, 0, 0, 0, 0, 0xC0, 0xEE };
  const guint8 unknown[] = { 0x01, 0x03, 0x02, 0x00, 0, 0, 0, 0, 0x80, 0x00 };
  EsplashResponse r = { 0 };
  g_autoptr(GError) error = NULL;

  parse_ok (chk, sizeof chk, 0, &r);
  g_assert_false (esplash_response_check (&r, &error));
  g_assert_cmpstr (error->message, ==, "FLASH_DATA failed: stub error 0xC1 (bad data checksum)");
  g_assert_false (esplash_response_is_unsupported (&r));
  g_clear_error (&error);
  esplash_response_clear (&r);

  parse_ok (oversize, sizeof oversize, 0, &r);
  g_assert_false (esplash_response_check (&r, &error));
  g_assert_cmpstr (error->message, ==, "FLASH_DATA failed: stub error 0xC0 (bad data length), detail 0xEE");
  g_clear_error (&error);
  esplash_response_clear (&r);

  parse_ok (unknown, sizeof unknown, 0, &r);
  g_assert_false (esplash_response_check (&r, &error));
  g_assert_cmpstr (error->message, ==, "FLASH_DATA failed: stub error 0x80 (unknown)");
  esplash_response_clear (&r);
}

static void
test_success_is_not_failure (void)
{
  /* a non-zero second byte with a zero first byte is still success (§1.5) */
  const guint8 packet[] = { 0x01, 0x0B, 0x02, 0x00, 0, 0, 0, 0, 0x00, 0x05 };
  EsplashResponse r = { 0 };

  parse_ok (packet, sizeof packet, 0, &r);
  g_assert_true (esplash_response_check (&r, NULL));
  g_assert_false (esplash_response_is_unsupported (&r));
  esplash_response_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/command/build/plain", test_build_plain);
  g_test_add_func ("/esplash/command/build/words-sync", test_build_words_sync);
  g_test_add_func ("/esplash/command/build/words-le", test_build_words_le);
  g_test_add_func ("/esplash/command/build/data", test_build_data);
  g_test_add_func ("/esplash/command/checksum", test_checksum);
  g_test_add_func ("/esplash/command/opcode-names", test_opcode_names);
  g_test_add_func ("/esplash/command/parse/read-reg-layouts", test_parse_read_reg_layouts);
  g_test_add_func ("/esplash/command/parse/md5", test_parse_md5);
  g_test_add_func ("/esplash/command/parse/security-info", test_parse_security_info);
  g_test_add_func ("/esplash/command/parse/malformed", test_parse_malformed);
  g_test_add_func ("/esplash/command/check/rom-errors", test_rom_errors);
  g_test_add_func ("/esplash/command/check/rom-error-message", test_rom_error_message);
  g_test_add_func ("/esplash/command/check/stub-errors", test_stub_errors);
  g_test_add_func ("/esplash/command/check/stub-error-message", test_stub_error_message);
  g_test_add_func ("/esplash/command/check/success", test_success_is_not_failure);

  return g_test_run ();
}
