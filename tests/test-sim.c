/* test-sim.c: the virtual chip, driven with raw bytes as a host would
 * (commands built with esplash-command, framed with esplash-slip, replies
 * parsed with esplash_response_parse). Expected values come from
 * protocol.md and from the real test data (stub JSON, images).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <zlib.h>

#include "esplash-chip.h"
#include "esplash-command.h"
#include "esplash-error.h"
#include "esplash-slip.h"
#include "esplash-stub.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"
#include "test-sim-rig.h"

/* ----------------------------------------------------------- ROM basics */

static void
test_rom_sync (void)
{
  static const struct { EsplashChipFamily family; guint status_len; } cases[] = {
    { ESPLASH_CHIP_ESP32, 4 }, { ESPLASH_CHIP_ESP32S3, 4 },
    { ESPLASH_CHIP_ESP32C3, 4 }, { ESPLASH_CHIP_ESP8266, 2 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(Rig) rig = rig_new (cases[c].family);
      EsplashResponse resp;

      rig_sync (rig, &resp);
      for (guint i = 0; i < 8; i++)
        {
          if (i > 0)
            g_assert_true (rig_expect (rig, ESPLASH_OP_SYNC, 0, &resp));
          g_assert_cmphex (resp.value, ==, 0x20120707);
          g_assert_cmpuint (resp.status_len, ==, cases[c].status_len);
          g_assert_cmpuint (resp.status[0], ==, 0);
          esplash_response_clear (&resp);
        }
      /* exactly eight */
      g_assert_null (rig_read_frame (rig, 50 * G_TIME_SPAN_MILLISECOND));
      g_assert_cmpuint (esplash_sim_count_commands (rig->sim, ESPLASH_OP_SYNC), ==, 1);
    }
}

static void
test_rom_magic (void)
{
  guint n;
  const EsplashChipInfo *const *chips = esplash_chip_list (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(Rig) rig = rig_new (chips[i]->family);
      EsplashResponse resp;

      rig_sync (rig, &resp);
      esplash_response_clear (&resp);
      g_assert_cmphex (rig_read_reg (rig, ESPLASH_CHIP_DETECT_MAGIC_REG), ==, chips[i]->magic_values[0]);
      if (chips[i]->uses_magic)
        g_assert_true (esplash_chip_from_magic (rig_read_reg (rig, ESPLASH_CHIP_DETECT_MAGIC_REG)) == chips[i]);
    }
}

/* Reads the ROM's answer to a command it does not know: frames with command
 * byte 0 and the invalid-message status, until the line is quiet. Returns
 * how many arrived. */
static guint
rig_count_refusals (Rig  *rig,
                    guint status_len)
{
  guint n = 0;

  for (;;)
    {
      g_autoptr(GBytes) frame = rig_read_frame (rig, 100 * G_TIME_SPAN_MILLISECOND);
      const guint8 *f;
      gsize len;

      if (frame == NULL)
        return n;
      f = g_bytes_get_data (frame, &len);
      g_assert_cmpuint (len, ==, 8 + status_len);
      g_assert_cmphex (f[0], ==, 0x01);
      g_assert_cmphex (f[1], ==, 0x00);          /* not the request's opcode */
      g_assert_cmpuint (f[2] | f[3] << 8, ==, status_len);
      g_assert_cmphex (f[8], ==, 0x01);
      g_assert_cmphex (f[9], ==, ESPLASH_ROM_ERROR_INVALID_FORMAT);
      n++;
    }
}

static void
test_rom_security_info (void)
{
  static const struct { EsplashChipFamily family; gssize len; gint chip_id; } cases[] = {
    { ESPLASH_CHIP_ESP8266, -1, 0 }, { ESPLASH_CHIP_ESP32, -1, 0 },
    { ESPLASH_CHIP_ESP32S2, 12, -1 }, { ESPLASH_CHIP_ESP32S3, 20, 9 },
    { ESPLASH_CHIP_ESP32C3, 20, 5 }, { ESPLASH_CHIP_ESP32C6, 20, 13 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(Rig) rig = rig_new (cases[c].family);
      EsplashResponse resp;

      rig_sync (rig, &resp);
      esplash_response_clear (&resp);
      while (rig_read_frame (rig, 50 * G_TIME_SPAN_MILLISECOND) != NULL)
        ;   /* the other SYNC replies */
      if (cases[c].len < 0)
        {
          /* ESP32 and ESP8266 ROMs do not know the command: 8 refusals */
          g_autoptr(GBytes) packet = esplash_command_build_words (ESPLASH_OP_GET_SECURITY_INFO,
                                                                  NULL, 0);

          rig_send (rig, packet);
          g_assert_cmpuint (rig_count_refusals (rig, esplash_chip_get (cases[c].family)->rom_status_len),
                            ==, 8);
          /* and the ROM keeps working */
          g_assert_cmphex (rig_read_reg (rig, ESPLASH_CHIP_DETECT_MAGIC_REG), ==,
                           esplash_chip_get (cases[c].family)->magic_values[0]);
          continue;
        }
      g_assert_true (rig_words (rig, ESPLASH_OP_GET_SECURITY_INFO, NULL, 0, cases[c].len, &resp));
      g_assert_cmpuint (resp.status[0], ==, 0);
      g_assert_cmpuint (resp.status_len, ==, 4);
      g_assert_cmpuint (g_bytes_get_size (resp.payload), ==, cases[c].len);
      if (cases[c].chip_id >= 0)
        {
          const guint8 *p = g_bytes_get_data (resp.payload, NULL);

          g_assert_cmpint (p[12] | (p[13] << 8), ==, cases[c].chip_id);
        }
      esplash_response_clear (&resp);
    }
}

static void
single_unsupported_reply (EsplashSimOptions *options)
{
  options->single_unsupported_reply = TRUE;
}

/* The refusals take wire time even without the timing model: they are not
 * all there when the first one is read. */
static void
test_rom_unsupported_paced (void)
{
  g_autoptr(Rig) rig = rig_new (ESPLASH_CHIP_ESP32);
  g_autoptr(GBytes) packet = esplash_command_build_words (0x42, NULL, 0);
  g_autoptr(GBytes) first = NULL;
  EsplashResponse resp;
  gint64 start;

  rig_sync (rig, &resp);
  esplash_response_clear (&resp);
  while (rig_read_frame (rig, 50 * G_TIME_SPAN_MILLISECOND) != NULL)
    ;
  start = g_get_monotonic_time ();
  rig_send (rig, packet);
  first = rig_read_frame (rig, SECOND);
  g_assert_nonnull (first);
  /* 7 more × 14 bytes at 115200 baud: about 8.5 ms still to come */
  g_assert_cmpint (esplash_sim_host_pending (rig->sim), <, 7 * 14);
  g_assert_cmpuint (rig_count_refusals (rig, 4), ==, 7);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 8 * 14 * 10 * G_USEC_PER_SEC / 115200);
}

/* --unsupported-reply single: the old model, one reply echoing the opcode. */
static void
test_rom_unsupported_single (void)
{
  g_autoptr(Rig) rig = rig_new_full (ESPLASH_CHIP_ESP32, ESPLASH_CONSOLE_UART,
                                     ESPLASH_SIM_BOOT_DOWNLOAD, single_unsupported_reply);
  EsplashResponse resp;

  rig_sync (rig, &resp);
  esplash_response_clear (&resp);
  g_assert_true (rig_words (rig, ESPLASH_OP_GET_SECURITY_INFO, NULL, 0, 0, &resp));
  g_assert_cmpuint (resp.opcode, ==, ESPLASH_OP_GET_SECURITY_INFO);
  g_assert_true (esplash_response_is_unsupported (&resp));
  esplash_response_clear (&resp);
  g_assert_null (rig_read_frame (rig, 50 * G_TIME_SPAN_MILLISECOND));
}

static void
set_efuse_options (EsplashSimOptions *options)
{
  static const guint8 mac[6] = { 0x24, 0x6F, 0x28, 0xA1, 0xB2, 0xC3 };
  static const guint8 mac_8266[6] = { 0x5C, 0xCF, 0x7F, 0x01, 0x02, 0x03 };

  memcpy (options->mac, options->family == ESPLASH_CHIP_ESP8266 ? mac_8266 : mac, 6);
  switch (options->family)
    {
    case ESPLASH_CHIP_ESP32:
      options->revision = 301;
      break;
    case ESPLASH_CHIP_ESP32P4:
      options->revision = 301;   /* major 3 needs the high bit of its major field */
      break;
    case ESPLASH_CHIP_ESP8266:
      options->revision = 0;
      break;
    case ESPLASH_CHIP_ESP32H2:
      options->revision = 102;
      break;
    default:
      options->revision = 109;   /* minor 9 uses the split minor fields */
      break;
    }
}

static void
test_rom_efuse_roundtrip (void)
{
  guint n;
  const EsplashChipInfo *const *chips = esplash_chip_list (&n);

  for (guint i = 0; i < n; i++)
    {
      EsplashSimOptions expect;
      g_autoptr(Rig) rig = rig_new_full (chips[i]->family, ESPLASH_CONSOLE_UART,
                                         ESPLASH_SIM_BOOT_DOWNLOAD, set_efuse_options);
      g_autoptr(GError) error = NULL;
      EsplashResponse resp;
      guint revision = 9999, mhz = 0;
      guint8 mac[6];

      esplash_sim_options_init (&expect, chips[i]->family);
      set_efuse_options (&expect);
      rig_sync (rig, &resp);
      esplash_response_clear (&resp);

      g_test_message ("%s", chips[i]->name);
      if (chips[i]->family != ESPLASH_CHIP_ESP8266)
        {
          g_assert_true (esplash_chip_read_revision (chips[i], reg_reader, rig, &revision, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (revision, ==, expect.revision);
        }
      g_assert_true (esplash_chip_read_mac (chips[i], reg_reader, rig, mac, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (mac, 6, expect.mac, 6);

      g_assert_true (esplash_chip_read_crystal (chips[i], reg_reader, rig, 115200, &mhz, &error));
      g_assert_no_error (error);
      if (chips[i]->fixed_xtal_mhz != 0)
        g_assert_cmpuint (mhz, ==, chips[i]->fixed_xtal_mhz);
      else
        g_assert_cmpuint (mhz, ==, chips[i]->family == ESPLASH_CHIP_ESP8266 ? 26 : 40);
    }
}

/* RDID and SFDP through the SPI user-command registers (protocol.md §6.6). */
static guint32
spi_command (Rig                  *rig,
             const EsplashSpiRegs *spi,
             guint8                opcode,
             guint32               address)
{
  guint32 value;

  rig_write_reg (rig, spi->base + spi->usr2, (7u << 28) | opcode, 0xFFFFFFFF);
  rig_write_reg (rig, spi->base + 4, spi->addr_left_aligned ? address << 8 : address, 0xFFFFFFFF);
  rig_write_reg (rig, spi->base + spi->w0, 0, 0xFFFFFFFF);
  rig_write_reg (rig, spi->base, 1u << 18, 0xFFFFFFFF);
  g_assert_cmphex (rig_read_reg (rig, spi->base) & (1u << 18), ==, 0);
  value = rig_read_reg (rig, spi->base + spi->w0);
  return value;
}

static void
test_rom_rdid (void)
{
  static const EsplashChipFamily families[] = {
    ESPLASH_CHIP_ESP8266, ESPLASH_CHIP_ESP32, ESPLASH_CHIP_ESP32S3, ESPLASH_CHIP_ESP32C6,
  };

  for (guint i = 0; i < G_N_ELEMENTS (families); i++)
    {
      g_autoptr(Rig) rig = rig_new (families[i]);
      const EsplashChipInfo *chip = esplash_chip_get (families[i]);
      EsplashResponse resp;
      guint32 id;

      rig_sync (rig, &resp);
      esplash_response_clear (&resp);
      id = spi_command (rig, &chip->spi, 0x9F, 0);
      /* GigaDevice (0xC8), type 0x40, capacity 0x16 = 4 MiB */
      g_assert_cmphex (id, ==, 0x1640C8);
      g_assert_cmpuint (esplash_flash_size_from_id (id), ==, 4 * 1024 * 1024);
      g_assert_cmphex (spi_command (rig, &chip->spi, 0x5A, 0), ==, 0x50444653);
    }
}

/* ------------------------------------------------------ ROM flash writes */

static void
begin (Rig    *rig,
       guint8  opcode,
       guint32 size,
       guint32 blocks,
       guint32 block_size,
       guint32 offset,
       guint8  expect_code)
{
  guint32 words[4] = { size, blocks, block_size, offset };
  EsplashResponse resp;

  g_assert_true (rig_words (rig, opcode, words, 4, 0, &resp));
  g_assert_cmpuint (resp.status[0] == 0 ? 0 : (resp.status_len == 4 ? resp.status[1] : resp.status[0]),
                    ==, expect_code);
  esplash_response_clear (&resp);
}

/* Sends a *_DATA block; returns the error code (ROM second byte, stub first). */
static guint8
data_block (Rig          *rig,
            guint8        opcode,
            guint32       seq,
            const guint8 *payload,
            gsize         len,
            gboolean      corrupt)
{
  g_autoptr(GBytes) packet = esplash_command_build_data (opcode, seq, payload, len);
  EsplashResponse resp;
  guint8 code;

  if (corrupt)
    {
      g_autoptr(GByteArray) copy = g_byte_array_new ();

      g_byte_array_append (copy, g_bytes_get_data (packet, NULL), g_bytes_get_size (packet));
      copy->data[4] ^= 0xFF;
      g_bytes_unref (packet);
      packet = g_byte_array_free_to_bytes (g_steal_pointer (&copy));
    }
  rig_send (rig, packet);
  g_assert_true (rig_expect (rig, opcode, 0, &resp));
  code = resp.status[0] == 0 ? 0 : (resp.status_len == 4 ? resp.status[1] : resp.status[0]);
  esplash_response_clear (&resp);
  return code;
}

static GBytes *
pattern (gsize   len,
         guint32 seed)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    {
      seed = seed * 1664525u + 1013904223u;
      data[i] = seed >> 24;
    }
  return g_bytes_new_take (data, len);
}

static void
test_rom_flash_write (void)
{
  g_autoptr(Rig) rig = rig_new (ESPLASH_CHIP_ESP32);
  g_autoptr(GBytes) zeros = NULL;
  g_autoptr(GBytes) data = pattern (0x800, 1);
  g_autoptr(GBytes) f0 = NULL;
  g_autoptr(GBytes) readback = NULL;
  guint8 buf[0x400];
  EsplashResponse resp;
  const guint8 *p = g_bytes_get_data (data, NULL);

  rig_sync (rig, &resp);
  esplash_response_clear (&resp);

  /* old contents everywhere: 0x00 over two sectors */
  zeros = g_bytes_new_take (g_malloc0 (0x2000), 0x2000);
  esplash_sim_load_flash (rig->sim, 0x10000, zeros);

  begin (rig, ESPLASH_OP_FLASH_BEGIN, 0x800, 2, 0x400, 0x10000, 0);
  /* the ROM erased the whole first sector at once */
  readback = esplash_sim_dup_flash (rig->sim, 0x10000, 0x1000);
  for (guint i = 0; i < 0x1000; i++)
    g_assert_cmphex (((const guint8 *) g_bytes_get_data (readback, NULL))[i], ==, 0xFF);
  g_clear_pointer (&readback, g_bytes_unref);

  g_assert_cmphex (data_block (rig, ESPLASH_OP_FLASH_DATA, 0, p, 0x400, TRUE), ==, 0x07);
  g_assert_cmphex (data_block (rig, ESPLASH_OP_FLASH_DATA, 0, p, 0x400, FALSE), ==, 0);
  g_assert_cmphex (data_block (rig, ESPLASH_OP_FLASH_DATA, 1, p + 0x400, 0x400, FALSE), ==, 0);
  readback = esplash_sim_dup_flash (rig->sim, 0x10000, 0x800);
  g_assert_true (g_bytes_equal (readback, data));
  g_clear_pointer (&readback, g_bytes_unref);
  /* the second sector was not in the erase range */
  readback = esplash_sim_dup_flash (rig->sim, 0x11000, 0x1000);
  g_assert_true (g_bytes_equal (readback, g_bytes_new_static (g_bytes_get_data (zeros, NULL), 0x1000)));
  g_clear_pointer (&readback, g_bytes_unref);

  /* NOR: programming only clears bits; 0x0F over 0xF0 without erase = 0x00 */
  memset (buf, 0xF0, sizeof buf);
  f0 = g_bytes_new (buf, sizeof buf);
  esplash_sim_load_flash (rig->sim, 0x20000, f0);
  begin (rig, ESPLASH_OP_FLASH_BEGIN, 0, 1, 0x400, 0x20000, 0);
  memset (buf, 0x0F, sizeof buf);
  g_assert_cmphex (data_block (rig, ESPLASH_OP_FLASH_DATA, 0, buf, sizeof buf, FALSE), ==, 0);
  readback = esplash_sim_dup_flash (rig->sim, 0x20000, 0x400);
  for (guint i = 0; i < 0x400; i++)
    g_assert_cmphex (((const guint8 *) g_bytes_get_data (readback, NULL))[i], ==, 0x00);
  g_assert_cmpuint (esplash_sim_get_state (rig->sim), ==, ESPLASH_SIM_STATE_ROM_LOADER);
}

static void
test_rom_esp8266_erase (void)
{
  g_autoptr(Rig) rig = rig_new (ESPLASH_CHIP_ESP8266);
  g_autoptr(GBytes) zeros = g_bytes_new_take (g_malloc0 (0x20000), 0x20000);
  g_autoptr(GBytes) after = NULL;
  EsplashResponse resp;
  const guint8 *p;

  rig_sync (rig, &resp);
  esplash_response_clear (&resp);
  esplash_sim_load_flash (rig->sim, 0, zeros);
  /* esptool's value for 3 sectors at 0: n=3, head=3 → ceil(3/2)×4096 (§3.3);
   * the ROM erases 2 + min(16, 2) = 4 sectors */
  begin (rig, ESPLASH_OP_FLASH_BEGIN, 2 * 4096, 3, 0x400, 0, 0);
  after = esplash_sim_dup_flash (rig->sim, 0, 0x20000);
  p = g_bytes_get_data (after, NULL);
  g_assert_cmphex (p[4 * 4096 - 1], ==, 0xFF);
  g_assert_cmphex (p[4 * 4096], ==, 0x00);
}

static void
test_rom_deflate_md5 (void)
{
  g_autoptr(Rig) rig = rig_new (ESPLASH_CHIP_ESP32S3);
  g_autoptr(GBytes) data = pattern (5000, 7);
  g_autoptr(GBytes) readback = NULL;
  g_autofree char *expected = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, data);
  uLongf zlen = compressBound (5000);
  g_autofree guint8 *z = g_malloc (zlen);
  guint32 words[4] = { 0x10000, 5000, 0, 0 };
  EsplashResponse resp;
  guint32 packets;

  g_assert_cmpint (compress2 (z, &zlen, g_bytes_get_data (data, NULL), 5000, 9), ==, Z_OK);
  packets = (zlen + 0x3FF) / 0x400;

  rig_sync (rig, &resp);
  esplash_response_clear (&resp);
  begin (rig, ESPLASH_OP_FLASH_DEFL_BEGIN, (5000 + 0x3FF) / 0x400 * 0x400, packets, 0x400, 0x10000, 0);
  for (guint32 i = 0; i < packets; i++)
    g_assert_cmphex (data_block (rig, ESPLASH_OP_FLASH_DEFL_DATA, i, z + i * 0x400,
                                 MIN (0x400, zlen - i * 0x400), FALSE), ==, 0);
  readback = esplash_sim_dup_flash (rig->sim, 0x10000, 5000);
  g_assert_true (g_bytes_equal (readback, data));

  /* ROM MD5: 32 lower-case hex characters */
  g_assert_true (rig_words (rig, ESPLASH_OP_SPI_FLASH_MD5, words, 4, 32, &resp));
  g_assert_cmpuint (resp.status[0], ==, 0);
  g_assert_cmpmem (g_bytes_get_data (resp.payload, NULL), 32, expected, 32);
  esplash_response_clear (&resp);
}

static void
test_rom_esp8266_unsupported (void)
{
  g_autoptr(Rig) rig = rig_new (ESPLASH_CHIP_ESP8266);
  guint32 words[4] = { 0x1000, 1, 0x400, 0 };
  EsplashResponse resp;

  g_autoptr(GBytes) packet = esplash_command_build_words (ESPLASH_OP_FLASH_DEFL_BEGIN, words, 4);

  rig_sync (rig, &resp);
  esplash_response_clear (&resp);
  while (rig_read_frame (rig, 50 * G_TIME_SPAN_MILLISECOND) != NULL)
    ;
  rig_send (rig, packet);
  /* 2-byte ROM status on the ESP8266 */
  g_assert_cmpuint (rig_count_refusals (rig, 2), ==, 8);
}

/* ------------------------------------------------------------------ stub */

static EsplashStub *
load_stub (const char *name)
{
  const char *shared = g_getenv ("ESPLASH_SHARED_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  EsplashStub *stub;

  if (shared == NULL)
    return NULL;
  path = g_build_filename (shared, "testdata", "stubs", name, NULL);
  stub = esplash_stub_new_from_file (path, &error);
  g_assert_no_error (error);
  return stub;
}

static void
upload_segment (Rig     *rig,
                GBytes  *segment,
                guint32  start)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (segment, &len);
  guint32 blocks = (len + 0x17FF) / 0x1800;
  guint32 words[4] = { len, blocks, 0x1800, start };
  EsplashResponse resp;

  g_assert_true (rig_words (rig, ESPLASH_OP_MEM_BEGIN, words, 4, 0, &resp));
  g_assert_cmpuint (resp.status[0], ==, 0);
  esplash_response_clear (&resp);
  for (guint32 i = 0; i < blocks; i++)
    g_assert_cmphex (data_block (rig, ESPLASH_OP_MEM_DATA, i, p + i * 0x1800,
                                 MIN (0x1800, len - i * 0x1800), FALSE), ==, 0);
}

/* ROM → stub the way esptool does it; skips the test without the stub. */
static gboolean
start_stub (Rig *rig)
{
  g_autoptr(EsplashStub) stub = load_stub ("esp32s3.json");
  g_autoptr(GBytes) ohai = NULL;
  g_autoptr(GBytes) ram = NULL;
  guint32 words[2] = { 0, 0 };
  EsplashResponse resp;
  GBytes *text, *data;

  if (stub == NULL)
    {
      g_test_skip ("ESPLASH_SHARED_DIR is not set");
      return FALSE;
    }
  rig_sync (rig, &resp);
  esplash_response_clear (&resp);
  text = esplash_stub_get_text (stub);
  data = esplash_stub_get_data (stub);
  upload_segment (rig, text, esplash_stub_get_text_start (stub));
  if (data != NULL)
    upload_segment (rig, data, esplash_stub_get_data_start (stub));
  words[1] = esplash_stub_get_entry (stub);
  g_assert_true (rig_words (rig, ESPLASH_OP_MEM_END, words, 2, 0, &resp));
  g_assert_cmpuint (resp.status[0], ==, 0);
  esplash_response_clear (&resp);

  ohai = rig_read_frame (rig, SECOND);
  g_assert_nonnull (ohai);
  g_assert_cmpmem (g_bytes_get_data (ohai, NULL), g_bytes_get_size (ohai), "OHAI", 4);
  g_assert_cmpuint (esplash_sim_get_state (rig->sim), ==, ESPLASH_SIM_STATE_STUB);

  ram = esplash_sim_dup_ram (rig->sim, esplash_stub_get_text_start (stub), g_bytes_get_size (text));
  g_assert_true (g_bytes_equal (ram, text));
  if (data != NULL)
    {
      g_clear_pointer (&ram, g_bytes_unref);
      ram = esplash_sim_dup_ram (rig->sim, esplash_stub_get_data_start (stub), g_bytes_get_size (data));
      g_assert_true (g_bytes_equal (ram, data));
    }
  return TRUE;
}

static void
test_stub_upload (void)
{
  g_autoptr(Rig) rig = rig_new (ESPLASH_CHIP_ESP32S3);
  EsplashResponse resp;

  if (!start_stub (rig))
    return;
  g_assert_true (has_event_prefix (rig->sim, "stub running"));
  rig_sync (rig, &resp);
  g_assert_cmphex (resp.value, ==, 0);
  g_assert_cmpuint (resp.status_len, ==, 2);
  esplash_response_clear (&resp);
  /* the stub serves registers too: same chip */
  g_assert_cmphex (rig_read_reg (rig, ESPLASH_CHIP_DETECT_MAGIC_REG), ==,
                   esplash_chip_get (ESPLASH_CHIP_ESP32S3)->magic_values[0]);
}

static void
test_stub_flash_errors_and_md5 (void)
{
  g_autoptr(Rig) rig = rig_new (ESPLASH_CHIP_ESP32S3);
  g_autoptr(GBytes) data = pattern (0x5000, 3);
  g_autoptr(GBytes) readback = NULL;
  const guint8 *p = g_bytes_get_data (data, NULL);
  guint32 md5_words[4] = { 0x30000, 0x5000, 0, 0 };
  guint32 end_word = 1;
  guint8 digest[16];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  EsplashResponse resp;

  if (!start_stub (rig))
    return;

  g_assert_cmphex (data_block (rig, ESPLASH_OP_FLASH_DATA, 0, p, 0x100, FALSE), ==, 0xC6);
  begin (rig, ESPLASH_OP_FLASH_BEGIN, 0x5000, 2, 0x8000, 0x30000, 0xC2);
  begin (rig, ESPLASH_OP_FLASH_BEGIN, 0x5000, 2, 0x4000, 0x30000, 0);
  g_assert_cmphex (data_block (rig, ESPLASH_OP_FLASH_DATA, 0, p, 0x4000, TRUE), ==, 0xC1);
  g_assert_cmphex (data_block (rig, ESPLASH_OP_FLASH_DATA, 0, p, 0x4000, FALSE), ==, 0);
  g_assert_true (rig_words (rig, ESPLASH_OP_FLASH_END, &end_word, 1, 0, &resp));
  g_assert_cmphex (resp.status[0], ==, 0xC8);
  esplash_response_clear (&resp);
  g_assert_cmphex (data_block (rig, ESPLASH_OP_FLASH_DATA, 1, p + 0x4000, 0x1000, FALSE), ==, 0);
  g_assert_true (rig_words (rig, ESPLASH_OP_FLASH_END, &end_word, 1, 0, &resp));
  g_assert_cmphex (resp.status[0], ==, 0);
  esplash_response_clear (&resp);
  g_assert_true (rig_words (rig, ESPLASH_OP_FLASH_END, &end_word, 1, 0, &resp));
  g_assert_cmphex (resp.status[0], ==, 0xC6);
  esplash_response_clear (&resp);

  readback = esplash_sim_dup_flash (rig->sim, 0x30000, 0x5000);
  g_assert_true (g_bytes_equal (readback, data));

  /* stub MD5: 16 raw bytes */
  g_checksum_update (md5, p, 0x5000);
  g_checksum_get_digest (md5, digest, &digest_len);
  g_assert_true (rig_words (rig, ESPLASH_OP_SPI_FLASH_MD5, md5_words, 4, 16, &resp));
  g_assert_cmpuint (resp.status[0], ==, 0);
  g_assert_cmpmem (g_bytes_get_data (resp.payload, NULL), 16, digest, 16);
  esplash_response_clear (&resp);
}

static void
test_stub_deflate (void)
{
  g_autoptr(Rig) rig = rig_new (ESPLASH_CHIP_ESP32S3);
  g_autoptr(GBytes) data = pattern (40000, 11);
  g_autoptr(GBytes) readback = NULL;
  uLongf zlen = compressBound (40000);
  g_autofree guint8 *z = g_malloc (zlen);
  guint32 end_word = 1;
  EsplashResponse resp;
  guint32 packets;

  g_assert_cmpint (compress2 (z, &zlen, g_bytes_get_data (data, NULL), 40000, 9), ==, Z_OK);
  if (!start_stub (rig))
    return;
  packets = (zlen + 0x3FFF) / 0x4000;
  begin (rig, ESPLASH_OP_FLASH_DEFL_BEGIN, 40000, packets, 0x4000, 0x1000, 0);
  for (guint32 i = 0; i < packets; i++)
    g_assert_cmphex (data_block (rig, ESPLASH_OP_FLASH_DEFL_DATA, i, z + i * 0x4000,
                                 MIN (0x4000, zlen - i * 0x4000), FALSE), ==, 0);
  g_assert_true (rig_words (rig, ESPLASH_OP_FLASH_DEFL_END, &end_word, 1, 0, &resp));
  g_assert_cmphex (resp.status[0], ==, 0);
  esplash_response_clear (&resp);
  readback = esplash_sim_dup_flash (rig->sim, 0x1000, 40000);
  g_assert_true (g_bytes_equal (readback, data));
}

static void
test_stub_read_flash (void)
{
  g_autoptr(Rig) rig = rig_new (ESPLASH_CHIP_ESP32S3);
  g_autoptr(GBytes) data = pattern (10000, 5);
  g_autoptr(GByteArray) got = g_byte_array_new ();
  g_autoptr(GBytes) md5_frame = NULL;
  guint32 words[4] = { 0x8000, 10000, 0x1000, 2 };
  guint8 digest[16];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  EsplashResponse resp;

  if (!start_stub (rig))
    return;
  esplash_sim_load_flash (rig->sim, 0x8000, data);
  g_assert_true (rig_words (rig, ESPLASH_OP_READ_FLASH, words, 4, 0, &resp));
  g_assert_cmpuint (resp.status[0], ==, 0);
  esplash_response_clear (&resp);

  while (got->len < 10000)
    {
      g_autoptr(GBytes) frame = rig_read_frame (rig, SECOND);
      g_autoptr(GByteArray) ack = g_byte_array_new ();
      guint8 total[4];

      g_assert_nonnull (frame);
      g_assert_cmpuint (g_bytes_get_size (frame), ==, MIN (0x1000, 10000 - got->len));
      g_byte_array_append (got, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
      total[0] = got->len & 0xFF;
      total[1] = (got->len >> 8) & 0xFF;
      total[2] = (got->len >> 16) & 0xFF;
      total[3] = 0;
      esplash_slip_encode (total, 4, ack);
      esplash_sim_host_write (rig->sim, ack->data, ack->len);
    }
  g_assert_cmpmem (got->data, got->len, g_bytes_get_data (data, NULL), 10000);
  md5_frame = rig_read_frame (rig, SECOND);
  g_assert_nonnull (md5_frame);
  g_checksum_update (md5, got->data, got->len);
  g_checksum_get_digest (md5, digest, &digest_len);
  g_assert_cmpmem (g_bytes_get_data (md5_frame, NULL), g_bytes_get_size (md5_frame), digest, 16);
}

static void
test_stub_window (void)
{
  g_autoptr(Rig) rig = rig_new (ESPLASH_CHIP_ESP32S3);
  guint32 words[4] = { 0, 0x4000, 0x1000, 64 };
  EsplashResponse resp;

  if (!start_stub (rig))
    return;
  g_assert_true (rig_words (rig, ESPLASH_OP_READ_FLASH, words, 4, 0, &resp));
  esplash_response_clear (&resp);
  /* Asked for 64 in flight, it sends one packet and waits for its ACK, as
   * both real stubs do; each ACK lets the next one out. */
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GBytes) frame = rig_read_frame (rig, SECOND);
      g_autoptr(GByteArray) ack = g_byte_array_new ();
      guint32 acked = (i + 1) * 0x1000;
      guint8 count[4] = { acked & 0xFF, (acked >> 8) & 0xFF, (acked >> 16) & 0xFF, acked >> 24 };

      g_assert_nonnull (frame);
      g_assert_cmpuint (g_bytes_get_size (frame), ==, 0x1000);
      g_assert_null (rig_read_frame (rig, 50 * G_TIME_SPAN_MILLISECOND));
      esplash_slip_encode (count, sizeof count, ack);
      esplash_sim_host_write (rig->sim, ack->data, ack->len);
    }
  /* then the MD5 */
  {
    g_autoptr(GBytes) md5 = rig_read_frame (rig, SECOND);

    g_assert_nonnull (md5);
    g_assert_cmpuint (g_bytes_get_size (md5), ==, 16);
  }
}

/* ---------------------------------------------------------------- resets */

static void
test_reset_classic (void)
{
  g_autoptr(Rig) rig = rig_new_full (ESPLASH_CHIP_ESP32, ESPLASH_CONSOLE_UART,
                                     ESPLASH_SIM_BOOT_FLASH, NULL);
  g_autofree char *text = NULL;
  g_autofree char *last = NULL;
  g_autofree char *boot = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("boot:(0x[0-9a-fA-F]+)(.*waiting for download)?",
                                         G_REGEX_DOTALL, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_assert_cmpuint (esplash_sim_get_state (rig->sim), ==, ESPLASH_SIM_STATE_NO_APP);
  esplash_sim_host_purge (rig->sim);

  /* esptool's ClassicReset (protocol.md §7.1) */
  esplash_sim_host_set_lines (rig->sim, FALSE, FALSE);
  esplash_sim_host_set_lines (rig->sim, FALSE, TRUE);
  g_assert_cmpuint (esplash_sim_get_state (rig->sim), ==, ESPLASH_SIM_STATE_RESET);
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  esplash_sim_host_set_lines (rig->sim, TRUE, TRUE);
  esplash_sim_host_set_lines (rig->sim, TRUE, FALSE);
  g_usleep (50 * G_TIME_SPAN_MILLISECOND);
  esplash_sim_host_set_lines (rig->sim, FALSE, FALSE);

  g_assert_cmpuint (esplash_sim_get_state (rig->sim), ==, ESPLASH_SIM_STATE_ROM_LOADER);
  g_assert_cmpstr (last_reset_event (rig->sim, &last), ==, "reset en-pin boot:0x03 download");
  text = read_text (rig->sim, 20 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (g_regex_match (regex, text, 0, &match));
  boot = g_match_info_fetch (match, 1);
  g_assert_cmpstr (boot, ==, "0x3");
  g_assert_nonnull (strstr (text, "waiting for download"));
}

static void
test_reset_rts_pulse_runs_app (void)
{
  g_autoptr(Rig) rig = rig_new (ESPLASH_CHIP_ESP32);
  const char *shared = g_getenv ("ESPLASH_SHARED_DIR");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  g_autofree char *last = NULL;
  g_autoptr(GBytes) image = NULL;
  gsize len;

  if (shared == NULL)
    {
      g_test_skip ("ESPLASH_SHARED_DIR is not set");
      return;
    }
  path = g_build_filename (shared, "testdata", "images", "bootloader_esp32.bin", NULL);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  image = g_bytes_new (contents, len);
  esplash_sim_load_flash (rig->sim, esplash_chip_get (ESPLASH_CHIP_ESP32)->bootloader_offset, image);

  /* esptool's HardReset */
  esplash_sim_host_set_lines (rig->sim, FALSE, TRUE);
  g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  esplash_sim_host_set_lines (rig->sim, FALSE, FALSE);
  /* the EN capacitor: nothing happens for en_delay_ms */
  g_assert_cmpuint (esplash_sim_get_state (rig->sim), ==, ESPLASH_SIM_STATE_RESET);
  g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpstr (last_reset_event (rig->sim, &last), ==, "reset en-pin boot:0x13 flash");
  g_assert_cmpuint (esplash_sim_get_state (rig->sim), ==, ESPLASH_SIM_STATE_APP);
  g_assert_true (has_event_prefix (rig->sim, "app running"));
  text = read_text (rig->sim, 250 * G_TIME_SPAN_MILLISECOND);
  g_assert_nonnull (strstr (text, "SPI_FAST_FLASH_BOOT"));
  g_assert_nonnull (strstr (text, "esplash-sim-app: running image at 0x10000"));
}

static void
otg_boot_held (EsplashSimOptions *options)
{
  options->console = ESPLASH_CONSOLE_USB_OTG;
  options->boot_mode = ESPLASH_SIM_BOOT_DOWNLOAD;
}

static void
test_reset_usb_otg_boot_held (void)
{
  g_autoptr(Rig) rig = rig_new_full (ESPLASH_CHIP_ESP32S3, ESPLASH_CONSOLE_USB_OTG,
                                     ESPLASH_SIM_BOOT_DOWNLOAD, otg_boot_held);
  const EsplashChipInfo *chip = esplash_chip_get (ESPLASH_CHIP_ESP32S3);
  g_autofree char *last = NULL;
  EsplashResponse resp;

  rig_sync (rig, &resp);
  esplash_response_clear (&resp);
  /* strap latched low (GPIO0 bit 3 clear), force bit clear: esptool's
   * "placed into download mode using GPIO0" case */
  g_assert_cmphex (rig_read_reg (rig, chip->gpio_strap_reg) & 0x08, ==, 0);
  g_assert_cmphex (rig_read_reg (rig, chip->rtc_option1_reg) & 1, ==, 0);

  /* an RTS pulse is only a core reset: download again */
  esplash_sim_host_set_lines (rig->sim, FALSE, TRUE);
  esplash_sim_host_set_lines (rig->sim, FALSE, FALSE);
  g_assert_cmpstr (last_reset_event (rig->sim, &last), ==, "reset usb-core boot:0x00 download");
  g_assert_cmpuint (esplash_sim_get_state (rig->sim), ==, ESPLASH_SIM_STATE_ROM_LOADER);

  /* the RTC watchdog re-samples the released strap (protocol.md §7.5) */
  rig_sync (rig, &resp);
  esplash_response_clear (&resp);
  rig_write_reg (rig, chip->wdt.wprotect, ESPLASH_WDT_WKEY, 0xFFFFFFFF);
  rig_write_reg (rig, chip->wdt.config1, 2000, 0xFFFFFFFF);
  rig_write_reg (rig, chip->wdt.config0, 0xD0000102, 0xFFFFFFFF);
  rig_write_reg (rig, chip->wdt.wprotect, 0, 0xFFFFFFFF);
  g_assert_true (has_event_prefix (rig->sim, "watchdog armed"));
  g_usleep (120 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (esplash_sim_get_state (rig->sim), ==, ESPLASH_SIM_STATE_NO_APP);
  g_assert_cmpstr (last_reset_event (rig->sim, &last), ==, "reset rtc-wdt boot:0x08 flash");
}

static void
test_reset_usb_otg_force_bit (void)
{
  g_autoptr(Rig) rig = rig_new_full (ESPLASH_CHIP_ESP32S3, ESPLASH_CONSOLE_USB_OTG,
                                     ESPLASH_SIM_BOOT_FLASH, NULL);
  const EsplashChipInfo *chip = esplash_chip_get (ESPLASH_CHIP_ESP32S3);
  g_autofree char *last = NULL;
  EsplashResponse resp;

  /* UnixTight reset through the ROM's CDC: download via the force bit */
  esplash_sim_host_set_lines (rig->sim, FALSE, FALSE);
  esplash_sim_host_set_lines (rig->sim, TRUE, TRUE);
  esplash_sim_host_set_lines (rig->sim, FALSE, TRUE);
  esplash_sim_host_set_lines (rig->sim, TRUE, FALSE);
  esplash_sim_host_set_lines (rig->sim, FALSE, FALSE);
  g_assert_cmpuint (esplash_sim_get_state (rig->sim), ==, ESPLASH_SIM_STATE_ROM_LOADER);
  rig_sync (rig, &resp);
  esplash_response_clear (&resp);
  g_assert_cmphex (rig_read_reg (rig, chip->rtc_option1_reg) & 1, ==, 1);
  g_assert_cmphex (rig_read_reg (rig, chip->gpio_strap_reg) & 0x08, ==, 0x08);

  /* esptool's S3 hard reset: clear the force bit, then pulse RTS */
  rig_write_reg (rig, chip->rtc_option1_reg, 0, 1);
  esplash_sim_host_set_lines (rig->sim, FALSE, TRUE);
  esplash_sim_host_set_lines (rig->sim, FALSE, FALSE);
  g_assert_cmpstr (last_reset_event (rig->sim, &last), ==, "reset usb-core boot:0x08 flash");
}

static void
test_reset_usb_jtag (void)
{
  g_autoptr(Rig) rig = rig_new_full (ESPLASH_CHIP_ESP32C3, ESPLASH_CONSOLE_USB_JTAG,
                                     ESPLASH_SIM_BOOT_FLASH, NULL);
  g_autofree char *last = NULL;
  EsplashResponse resp;

  /* USBJTAGSerialReset (protocol.md §7.1) */
  esplash_sim_host_set_lines (rig->sim, FALSE, FALSE);
  esplash_sim_host_set_lines (rig->sim, TRUE, FALSE);
  esplash_sim_host_set_lines (rig->sim, TRUE, TRUE);
  esplash_sim_host_set_lines (rig->sim, FALSE, TRUE);
  esplash_sim_host_set_lines (rig->sim, FALSE, TRUE);
  esplash_sim_host_set_lines (rig->sim, FALSE, FALSE);
  g_assert_cmpstr (last_reset_event (rig->sim, &last), ==, "reset usb-jtag boot:0x00 download");
  rig_sync (rig, &resp);
  esplash_response_clear (&resp);
  /* console variable says USB-Serial/JTAG (protocol.md §6.4) */
  g_assert_cmpuint (rig_read_reg (rig, esplash_chip_get (ESPLASH_CHIP_ESP32C3)->uartdev_buf_no) & 0xFF, ==, 3);

  /* HardReset: the latch was consumed, so the chip boots from flash */
  esplash_sim_host_set_lines (rig->sim, FALSE, TRUE);
  esplash_sim_host_set_lines (rig->sim, FALSE, FALSE);
  g_assert_cmpstr (last_reset_event (rig->sim, &last), ==, "reset usb-jtag boot:0x08 flash");
}

static void
test_reset_no_circuit (void)
{
  EsplashSimOptions options;
  g_autoptr(EsplashSim) bare = NULL;
  guint resets;

  esplash_sim_options_init (&options, ESPLASH_CHIP_ESP32);
  options.auto_reset_circuit = FALSE;
  bare = esplash_sim_new (&options);
  resets = esplash_sim_get_reset_count (bare);
  esplash_sim_host_set_lines (bare, FALSE, TRUE);
  esplash_sim_host_set_lines (bare, FALSE, FALSE);
  g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (esplash_sim_get_reset_count (bare), ==, resets);

  /* the buttons still work: hold BOOT, tap RESET */
  esplash_sim_set_boot_held (bare, TRUE);
  esplash_sim_press_reset (bare);
  g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  esplash_sim_set_boot_held (bare, FALSE);
  g_assert_cmpuint (esplash_sim_get_state (bare), ==, ESPLASH_SIM_STATE_ROM_LOADER);
  g_assert_cmpuint (esplash_sim_get_reset_count (bare), ==, resets + 1);
}

/* ------------------------------------------------------- baud and faults */

static void
test_wrong_baud_garbage (void)
{
  g_autoptr(Rig) rig = rig_new (ESPLASH_CHIP_ESP32);
  guint8 sync[36] = { 0x07, 0x07, 0x12, 0x20 };
  g_autoptr(GBytes) packet = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autofree char *text = NULL;
  EsplashResponse resp;

  rig_sync (rig, &resp);   /* autobaud locks 115200 */
  esplash_response_clear (&resp);
  g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  esplash_sim_host_purge (rig->sim);
  g_byte_array_set_size (rig->pending, 0);
  esplash_slip_decoder_reset (rig->decoder);

  esplash_sim_host_set_baud (rig->sim, 460800);
  memset (sync + 4, 0x55, 32);
  packet = esplash_command_build (ESPLASH_OP_SYNC, sync, sizeof sync, 0);
  rig_send (rig, packet);
  /* the command arrived garbled: no reply at all */
  g_assert_null (rig_read_frame (rig, 100 * G_TIME_SPAN_MILLISECOND));
  g_assert_cmpuint (esplash_sim_count_commands (rig->sim, ESPLASH_OP_SYNC), ==, 1);

  /* and what the chip sends (an application's output) is noise */
  esplash_sim_host_set_baud (rig->sim, 115200);
  rig_sync (rig, &resp);
  esplash_response_clear (&resp);
  {
    guint32 flag = 1;
    g_autoptr(GBytes) end = esplash_command_build_words (ESPLASH_OP_FLASH_END, &flag, 1);

    rig_send (rig, end);
    g_assert_true (rig_expect (rig, ESPLASH_OP_FLASH_END, 0, &resp));
    esplash_response_clear (&resp);
  }
  esplash_sim_host_set_baud (rig->sim, 921600);
  text = read_text (rig->sim, 250 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (strlen (text), >, 0);
  g_assert_null (strstr (text, "invalid header"));
}

static void
sdm (EsplashSimOptions *options)
{
  options->secure_download_mode = TRUE;
}

static void
test_secure_download_mode (void)
{
  g_autoptr(Rig) rig = rig_new_full (ESPLASH_CHIP_ESP32S3, ESPLASH_CONSOLE_UART,
                                     ESPLASH_SIM_BOOT_DOWNLOAD, sdm);
  guint32 address = ESPLASH_CHIP_DETECT_MAGIC_REG;
  guint32 md5_words[4] = { 0, 0x1000, 0, 0 };
  EsplashResponse resp;
  const guint8 *info;

  g_autoptr(GBytes) read_reg = esplash_command_build_words (ESPLASH_OP_READ_REG, &address, 1);
  g_autoptr(GBytes) md5 = esplash_command_build_words (ESPLASH_OP_SPI_FLASH_MD5, md5_words, 4);

  rig_sync (rig, &resp);
  esplash_response_clear (&resp);
  while (rig_read_frame (rig, 50 * G_TIME_SPAN_MILLISECOND) != NULL)
    ;
  rig_send (rig, read_reg);
  g_assert_cmpuint (rig_count_refusals (rig, 4), ==, 8);
  rig_send (rig, md5);
  g_assert_cmpuint (rig_count_refusals (rig, 4), ==, 8);

  g_assert_true (rig_words (rig, ESPLASH_OP_GET_SECURITY_INFO, NULL, 0, 20, &resp));
  g_assert_cmpuint (resp.status[0], ==, 0);
  info = g_bytes_get_data (resp.payload, NULL);
  g_assert_cmphex (info[0] & 0x04, ==, 0x04);
  esplash_response_clear (&resp);
  begin (rig, ESPLASH_OP_FLASH_BEGIN, 0x1000, 1, 0x400, 0x10000, 0);
}

static void
stall_after_one (EsplashSimOptions *options)
{
  options->faults = ESPLASH_SIM_FAULT_STALL;
  options->fault_after = 1;
}

static void
wrong_status_len (EsplashSimOptions *options)
{
  options->faults = ESPLASH_SIM_FAULT_WRONG_STATUS_LEN;
}

static void
disconnect_after_one (EsplashSimOptions *options)
{
  options->faults = ESPLASH_SIM_FAULT_DISCONNECT;
  options->fault_after = 1;
}

static void
drop_every_7 (EsplashSimOptions *options)
{
  options->faults = ESPLASH_SIM_FAULT_DROP_BYTES;
  options->fault_every = 7;
}

static void
test_faults (void)
{
  EsplashResponse resp;

  {
    /* every 7th byte missing: no SYNC reply (12+ bytes) survives intact */
    g_autoptr(Rig) rig = rig_new_full (ESPLASH_CHIP_ESP32, ESPLASH_CONSOLE_UART,
                                       ESPLASH_SIM_BOOT_DOWNLOAD, drop_every_7);
    guint8 sync[36] = { 0x07, 0x07, 0x12, 0x20 };
    g_autoptr(GBytes) packet = NULL;

    memset (sync + 4, 0x55, 32);
    packet = esplash_command_build (ESPLASH_OP_SYNC, sync, sizeof sync, 0);
    rig_send (rig, packet);
    g_assert_false (rig_expect (rig, ESPLASH_OP_SYNC, 0, &resp));
  }

  {
    g_autoptr(Rig) rig = rig_new_full (ESPLASH_CHIP_ESP32, ESPLASH_CONSOLE_UART,
                                       ESPLASH_SIM_BOOT_DOWNLOAD, stall_after_one);
    guint32 address = ESPLASH_CHIP_DETECT_MAGIC_REG;
    g_autoptr(GBytes) packet = esplash_command_build_words (ESPLASH_OP_READ_REG, &address, 1);

    rig_sync (rig, &resp);
    esplash_response_clear (&resp);
    rig_send (rig, packet);
    g_assert_false (rig_expect (rig, ESPLASH_OP_READ_REG, 0, &resp));
    esplash_sim_power_cycle (rig->sim);
  }
  {
    g_autoptr(Rig) rig = rig_new_full (ESPLASH_CHIP_ESP32, ESPLASH_CONSOLE_UART,
                                       ESPLASH_SIM_BOOT_DOWNLOAD, wrong_status_len);

    rig_sync (rig, &resp);
    g_assert_cmpuint (resp.status_len, ==, 2);
    esplash_response_clear (&resp);
  }
  {
    g_autoptr(Rig) rig = rig_new_full (ESPLASH_CHIP_ESP32, ESPLASH_CONSOLE_UART,
                                       ESPLASH_SIM_BOOT_DOWNLOAD, disconnect_after_one);
    guint8 buf[16];

    rig_sync (rig, &resp);
    esplash_response_clear (&resp);
    {
      guint32 address = ESPLASH_CHIP_DETECT_MAGIC_REG;
      g_autoptr(GBytes) packet = esplash_command_build_words (ESPLASH_OP_READ_REG, &address, 1);

      rig_send (rig, packet);
      g_assert_cmpint (esplash_sim_host_read (rig->sim, buf, sizeof buf, 10000), ==, -1);
      g_assert_true (has_event_prefix (rig->sim, "unplugged"));
    }
  }
}

static void
test_transport (void)
{
  g_autoptr(Rig) uart = rig_new (ESPLASH_CHIP_ESP32);
  g_autoptr(Rig) otg = rig_new_full (ESPLASH_CHIP_ESP32S3, ESPLASH_CONSOLE_USB_OTG,
                                     ESPLASH_SIM_BOOT_DOWNLOAD, NULL);
  g_autoptr(EsplashTransport) t1 = esplash_sim_transport_new (uart->sim);
  g_autoptr(EsplashTransport) t2 = esplash_sim_transport_new (otg->sim);
  g_autoptr(GError) error = NULL;
  guint8 buf[8];

  g_assert_cmpint (esplash_transport_get_kind (t1), ==, ESPLASH_TRANSPORT_KIND_SIMULATOR);
  g_assert_cmpstr (esplash_transport_get_url (t1), ==, "sim://esp32");
  g_assert_true (esplash_transport_has_lines (t1));
  g_assert_cmphex (esplash_transport_get_usb_vid (t1), ==, 0x10C4);
  g_assert_cmphex (esplash_transport_get_usb_pid (t1), ==, 0xEA60);
  g_assert_cmphex (esplash_transport_get_usb_vid (t2), ==, 0x303A);
  g_assert_cmphex (esplash_transport_get_usb_pid (t2), ==, 0x0009);

  esplash_sim_unplug (uart->sim);
  g_assert_cmpint (esplash_transport_read (t1, buf, sizeof buf, 50, NULL, &error), ==, -1);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/sim/rom/sync", test_rom_sync);
  g_test_add_func ("/esplash/sim/rom/magic", test_rom_magic);
  g_test_add_func ("/esplash/sim/rom/security-info", test_rom_security_info);
  g_test_add_func ("/esplash/sim/rom/unsupported/paced", test_rom_unsupported_paced);
  g_test_add_func ("/esplash/sim/rom/unsupported/single", test_rom_unsupported_single);
  g_test_add_func ("/esplash/sim/rom/efuse-roundtrip", test_rom_efuse_roundtrip);
  g_test_add_func ("/esplash/sim/rom/rdid", test_rom_rdid);
  g_test_add_func ("/esplash/sim/rom/flash-write", test_rom_flash_write);
  g_test_add_func ("/esplash/sim/rom/esp8266-erase", test_rom_esp8266_erase);
  g_test_add_func ("/esplash/sim/rom/deflate-md5", test_rom_deflate_md5);
  g_test_add_func ("/esplash/sim/rom/esp8266-unsupported", test_rom_esp8266_unsupported);
  g_test_add_func ("/esplash/sim/stub/upload", test_stub_upload);
  g_test_add_func ("/esplash/sim/stub/flash-errors-md5", test_stub_flash_errors_and_md5);
  g_test_add_func ("/esplash/sim/stub/deflate", test_stub_deflate);
  g_test_add_func ("/esplash/sim/stub/read-flash", test_stub_read_flash);
  g_test_add_func ("/esplash/sim/stub/read-flash-window", test_stub_window);
  g_test_add_func ("/esplash/sim/reset/classic", test_reset_classic);
  g_test_add_func ("/esplash/sim/reset/rts-pulse-app", test_reset_rts_pulse_runs_app);
  g_test_add_func ("/esplash/sim/reset/usb-otg-boot-held", test_reset_usb_otg_boot_held);
  g_test_add_func ("/esplash/sim/reset/usb-otg-force-bit", test_reset_usb_otg_force_bit);
  g_test_add_func ("/esplash/sim/reset/usb-jtag", test_reset_usb_jtag);
  g_test_add_func ("/esplash/sim/reset/no-circuit", test_reset_no_circuit);
  g_test_add_func ("/esplash/sim/wire/wrong-baud", test_wrong_baud_garbage);
  g_test_add_func ("/esplash/sim/rom/secure-download-mode", test_secure_download_mode);
  g_test_add_func ("/esplash/sim/faults", test_faults);
  g_test_add_func ("/esplash/sim/transport", test_transport);

  return g_test_run ();
}
