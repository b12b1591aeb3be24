/* esplash-sim-rom.c: the ROM serial loader personality (protocol.md §1.5,
 * §2, §3, §6): ROM status bytes, SYNC with the non-zero value, registers,
 * erase-on-BEGIN (with the ESP8266 quirk), 0x400-byte blocks written
 * before the reply, MD5 as hex text, MEM_* and the jump into a stub, and
 * the Secure Download Mode filter.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-bytes-private.h"

#include <string.h>

#include "esplash-sim-private.h"

#define SYNC_REPLIES        8
#define SYNC_DATA_LEN       36
#define DATA_HEADER_LEN     16
#define READ_SLOW_LEN       64
#define ROM_MAX_DATA        (0x4000 + DATA_HEADER_LEN)
#define SPI_PARAMS_LEN      24
/* esptool HEAD loader.py command(): "Unsupported command response is sent 8
 * times"; esptool-js webserial.ts drainInput(): "the ROM repeats an
 * unsupported command response 8 times". */
#define UNSUPPORTED_REPEATS 8
/* The command byte of that response: not the request's opcode (esptool and
 * esptool-js recognise it only as a frame whose opcode differs). */
#define UNSUPPORTED_OPCODE  0x00

static void
ok (EsplashSim *self,
    guint8      opcode)
{
  sim_reply_result (self, opcode, self->rom_last_value, NULL, 0, 0);
}

static void
fail (EsplashSim *self,
      guint8      opcode,
      guint8      code)
{
  sim_reply_result (self, opcode, self->rom_last_value, NULL, 0, code);
}

/* A command this ROM does not know, or may not run in Secure Download Mode
 * (protocol.md §1.3, §11): the invalid-message status in a frame with
 * command byte 0, repeated. The copies leave the UART one after another, so
 * they take wire time even without --timing: a client that flushes after
 * the first still finds the rest arriving. */
static void
refuse (EsplashSim *self,
        guint8      opcode)
{
  if (self->opt.single_unsupported_reply)
    {
      fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_FORMAT);
      return;
    }
  self->wire_paced = TRUE;
  for (guint i = 0; i < UNSUPPORTED_REPEATS; i++)
    sim_reply_result (self, UNSUPPORTED_OPCODE, self->rom_last_value, NULL, 0,
                      ESPLASH_ROM_ERROR_INVALID_FORMAT);
  self->wire_paced = FALSE;
}

static gboolean
sdm_allows (guint8 opcode)
{
  switch (opcode)
    {
    case ESPLASH_OP_SYNC:
    case ESPLASH_OP_SPI_ATTACH:
    case ESPLASH_OP_SPI_SET_PARAMS:
    case ESPLASH_OP_CHANGE_BAUDRATE:
    case ESPLASH_OP_FLASH_BEGIN:
    case ESPLASH_OP_FLASH_DATA:
    case ESPLASH_OP_FLASH_END:
    case ESPLASH_OP_GET_SECURITY_INFO:
      return TRUE;
    default:
      return FALSE;
    }
}

/* The inferred ESP8266 ROM erase (§3.3): the part up to the next 64 KiB
 * boundary is counted twice. */
static guint
esp8266_erase_sectors (guint32 offset,
                       guint32 size)
{
  guint m = (size + SIM_SECTOR_SIZE - 1) / SIM_SECTOR_SIZE;
  guint head = 16 - (offset / SIM_SECTOR_SIZE) % 16;

  return m + MIN (head, m);
}

static void
rom_sync (EsplashSim   *self,
          const guint8 *data,
          gsize         len)
{
  static const guint8 sync_head[4] = { 0x07, 0x07, 0x12, 0x20 };

  if (len != SYNC_DATA_LEN || memcmp (data, sync_head, 4) != 0)
    {
      fail (self, ESPLASH_OP_SYNC, ESPLASH_ROM_ERROR_INVALID_FORMAT);
      return;
    }
  for (guint i = 0; i < SYNC_REPLIES; i++)
    sim_reply_result (self, ESPLASH_OP_SYNC, ESPLASH_SYNC_VALUE, NULL, 0, 0);
}

static void
rom_write_reg (EsplashSim   *self,
               const guint8 *data,
               gsize         len)
{
  if (len == 0 || len % 16 != 0)
    {
      fail (self, ESPLASH_OP_WRITE_REG, ESPLASH_ROM_ERROR_INVALID_FORMAT);
      return;
    }
  for (gsize i = 0; i < len / 16; i++)
    {
      const guint8 *rec = data + 16 * i;

      sim_add_busy (self, esplash_read_word (rec, 3));
      sim_reg_write (self, esplash_read_word (rec, 0), esplash_read_word (rec, 1), esplash_read_word (rec, 2));
    }
  ok (self, ESPLASH_OP_WRITE_REG);
}

static void
rom_flash_begin (EsplashSim   *self,
                 guint8        opcode,
                 const guint8 *data,
                 gsize         len)
{
  gboolean compressed = opcode == ESPLASH_OP_FLASH_DEFL_BEGIN;
  guint32 size, offset;
  guint sectors;

  if (len != 16 && len != 20)
    {
      fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_FORMAT);
      return;
    }
  size = esplash_read_word (data, 0);
  offset = esplash_read_word (data, 3);
  if (esplash_read_word (data, 2) == 0 && esplash_read_word (data, 1) != 0)
    {
      fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_PARAM);
      return;
    }
  if (!sim_flash_range_ok (self, offset, size))
    {
      fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_PARAM);
      return;
    }

  sim_flash_op_clear (&self->fop);
  self->fop.active = TRUE;
  self->fop.compressed = compressed;
  self->fop.offset = offset;
  self->fop.total = size;
  self->fop.n_blocks = esplash_read_word (data, 1);
  self->fop.block_size = esplash_read_word (data, 2);
  self->fop.write_pos = offset;

  if (self->chip->rom_is_esp8266_like)
    {
      guint n = esp8266_erase_sectors (offset, size);

      sectors = size == 0 ? 0 : sim_flash_erase (self, offset, MIN ((guint64) n * SIM_SECTOR_SIZE,
                                                                     self->flash_size - offset));
    }
  else
    sectors = sim_flash_erase (self, offset, size);
  sim_add_busy (self, (gint64) sectors * SIM_ROM_ERASE_US_PER_SECTOR);
  ok (self, opcode);
}

static gboolean
check_data (EsplashSim   *self,
            guint8        opcode,
            const guint8 *data,
            gsize         len,
            guint32       checksum,
            guint32      *payload_len,
            guint32      *seq)
{
  if (len < DATA_HEADER_LEN || esplash_read_word (data, 0) != len - DATA_HEADER_LEN)
    {
      fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_FORMAT);
      return FALSE;
    }
  *payload_len = esplash_read_word (data, 0);
  *seq = esplash_read_word (data, 1);
  if (esplash_checksum (data + DATA_HEADER_LEN, *payload_len) != (checksum & 0xFF))
    {
      fail (self, opcode, ESPLASH_ROM_ERROR_CHECKSUM);
      return FALSE;
    }
  return TRUE;
}

static void
rom_flash_data (EsplashSim   *self,
                guint8        opcode,
                const guint8 *data,
                gsize         len,
                guint32       checksum)
{
  SimFlashOp *op = &self->fop;
  gboolean compressed = opcode == ESPLASH_OP_FLASH_DEFL_DATA;
  guint32 n, seq;

  if (!check_data (self, opcode, data, len, checksum, &n, &seq))
    return;
  if (!op->active || op->compressed != compressed)
    {
      fail (self, opcode, ESPLASH_ROM_ERROR_RESULT_WRONG);
      return;
    }
  /* the same block again (its reply was lost) is harmless on NOR flash */
  if (seq != op->next_seq && seq + 1 != op->next_seq)
    {
      fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_PARAM);
      return;
    }
  if (n > op->block_size)
    {
      fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_PARAM);
      return;
    }

  if (compressed)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();
      gboolean overflow;

      if (seq + 1 == op->next_seq)
        {
          ok (self, opcode);   /* already inflated: feeding it twice would corrupt the stream */
          return;
        }
      if (!sim_flash_op_inflate (self, data + DATA_HEADER_LEN, n,
                                 self->flash_size - MIN (op->write_pos, self->flash_size),
                                 out, &overflow))
        {
          fail (self, opcode, ESPLASH_ROM_ERROR_DEFLATE);
          return;
        }
      sim_flash_program (self, op->write_pos, out->data, out->len);
      op->write_pos += out->len;
      sim_add_busy (self, (gint64) out->len * SIM_PROGRAM_US_PER_KIB / 1024);
    }
  else
    {
      guint32 address = op->offset + seq * op->block_size;

      if (!sim_flash_range_ok (self, address, n))
        {
          fail (self, opcode, ESPLASH_ROM_ERROR_FLASH_WRITE);
          return;
        }
      sim_flash_program (self, address, data + DATA_HEADER_LEN, n);
      sim_add_busy (self, (gint64) n * SIM_PROGRAM_US_PER_KIB / 1024);
    }
  if (seq == op->next_seq)
    op->next_seq++;
  ok (self, opcode);
}

static void
rom_flash_end (EsplashSim   *self,
               guint8        opcode,
               const guint8 *data,
               gsize         len)
{
  guint32 flag = len >= 4 ? esplash_read_word (data, 0) : 0;

  ok (self, opcode);
  sim_flash_op_clear (&self->fop);
  /* flag 0: reboot; 1: leave the loader and run the application */
  if (flag == 0)
    sim_board_software_reset (self, SIM_RESET_SOFTWARE, MAX (self->tx_free_us, self->cmd_time_us));
  else
    sim_board_run_user_code (self, MAX (self->tx_free_us, self->cmd_time_us));
}

static void
rom_mem (EsplashSim   *self,
         guint8        opcode,
         const guint8 *data,
         gsize         len,
         guint32       checksum)
{
  guint32 n, seq;

  switch (opcode)
    {
    case ESPLASH_OP_MEM_BEGIN:
      if (len != 16)
        {
          fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_FORMAT);
          return;
        }
      sim_ram_begin (self, esplash_read_word (data, 3), esplash_read_word (data, 0));
      ok (self, opcode);
      return;

    case ESPLASH_OP_MEM_DATA:
      if (!check_data (self, opcode, data, len, checksum, &n, &seq))
        return;
      if (self->mem_current == NULL || seq != self->mem_next_seq
          || self->mem_current->data->len + n > self->mem_current->size)
        {
          fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_PARAM);
          return;
        }
      sim_ram_append (self, data + DATA_HEADER_LEN, n);
      ok (self, opcode);
      return;

    case ESPLASH_OP_MEM_END:
    default:
      if (len != 8)
        {
          fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_FORMAT);
          return;
        }
      ok (self, opcode);
      self->mem_current = NULL;
      /* flag 0 = jump to the entry; only code that was loaded can run */
      if (esplash_read_word (data, 0) == 0 && sim_ram_contains (self, esplash_read_word (data, 1)))
        sim_stub_start (self);
      return;
    }
}

static void
rom_change_baud (EsplashSim   *self,
                 const guint8 *data,
                 gsize         len)
{
  guint64 baud;

  if (len != 8 || esplash_read_word (data, 0) == 0)
    {
      fail (self, ESPLASH_OP_CHANGE_BAUDRATE, ESPLASH_ROM_ERROR_INVALID_PARAM);
      return;
    }
  baud = esplash_read_word (data, 0);
  /* The C2 ROM computes its divider for 40 MHz whatever the crystal; the
   * host compensates (§2.9), so undo that here. The ESP32's calibration is
   * modelled exact, so its compensation is the identity. */
  if (self->chip->baud_needs_xtal_fix && self->chip->family != ESPLASH_CHIP_ESP32)
    baud = baud * self->crystal_mhz / 40;
  ok (self, ESPLASH_OP_CHANGE_BAUDRATE);
  sim_set_chip_baud (self, (guint) baud);
}

static void
rom_md5 (EsplashSim   *self,
         const guint8 *data,
         gsize         len)
{
  guint8 digest[16];
  char hex[33];
  guint32 address, size;

  if (len != 16)
    {
      fail (self, ESPLASH_OP_SPI_FLASH_MD5, ESPLASH_ROM_ERROR_INVALID_FORMAT);
      return;
    }
  address = esplash_read_word (data, 0);
  size = esplash_read_word (data, 1);
  if (!sim_flash_range_ok (self, address, size))
    {
      fail (self, ESPLASH_OP_SPI_FLASH_MD5, ESPLASH_ROM_ERROR_FLASH_READ);
      return;
    }
  sim_flash_md5 (self, address, size, digest);
  for (guint i = 0; i < 16; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  sim_add_busy (self, (gint64) size / 1024 * SIM_MD5_US_PER_KIB);
  sim_reply_result (self, ESPLASH_OP_SPI_FLASH_MD5, self->rom_last_value, (const guint8 *) hex, 32, 0);
}

static void
rom_read_flash_slow (EsplashSim   *self,
                     const guint8 *data,
                     gsize         len)
{
  guint8 block[READ_SLOW_LEN];
  guint32 address, size;

  if (len != 8 || esplash_read_word (data, 1) > READ_SLOW_LEN)
    {
      fail (self, ESPLASH_OP_READ_FLASH_SLOW, ESPLASH_ROM_ERROR_INVALID_PARAM);
      return;
    }
  address = esplash_read_word (data, 0);
  size = esplash_read_word (data, 1);
  if (!sim_flash_range_ok (self, address, size))
    {
      fail (self, ESPLASH_OP_READ_FLASH_SLOW, ESPLASH_ROM_ERROR_FLASH_READ);
      return;
    }
  memset (block, 0, sizeof block);
  memcpy (block, self->flash + address, size);
  sim_reply_result (self, ESPLASH_OP_READ_FLASH_SLOW, self->rom_last_value, block, sizeof block, 0);
}

static void
rom_security_info (EsplashSim *self)
{
  guint8 info[20];
  guint32 flags = self->opt.secure_download_mode ? 1u << 2 : 0;
  guint32 chip_id = (guint32) MAX (self->chip->image_chip_id, 0);

  memset (info, 0, sizeof info);
  info[0] = flags & 0xFF;
  for (guint i = 0; i < 4; i++)
    info[12 + i] = (chip_id >> (8 * i)) & 0xFF;
  /* bytes 16..19: API version 0 */
  sim_reply_result (self, ESPLASH_OP_GET_SECURITY_INFO, self->rom_last_value,
                    info, MIN (self->chip->security_info_len, sizeof info), 0);
}

void
sim_rom_command (EsplashSim   *self,
                 guint8        opcode,
                 const guint8 *data,
                 gsize         len,
                 guint32       checksum)
{
  const EsplashChipInfo *chip = self->chip;
  gboolean no_8266 = chip->rom_is_esp8266_like;

  if (self->opt.secure_download_mode && !sdm_allows (opcode))
    {
      refuse (self, opcode);
      return;
    }
  if (len > ROM_MAX_DATA)
    {
      fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_FORMAT);
      return;
    }

  switch (opcode)
    {
    case ESPLASH_OP_SYNC:
      rom_sync (self, data, len);
      break;
    case ESPLASH_OP_READ_REG:
      if (len != 4)
        {
          fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_FORMAT);
          break;
        }
      /* the ESP32-family ROMs leave this in the value field of later replies */
      self->rom_last_value = sim_reg_read (self, esplash_read_word (data, 0));
      sim_reply_result (self, opcode, self->rom_last_value, NULL, 0, 0);
      if (no_8266)
        self->rom_last_value = 0;
      break;
    case ESPLASH_OP_WRITE_REG:
      rom_write_reg (self, data, len);
      break;
    case ESPLASH_OP_FLASH_BEGIN:
      rom_flash_begin (self, opcode, data, len);
      break;
    case ESPLASH_OP_FLASH_DATA:
      rom_flash_data (self, opcode, data, len, checksum);
      break;
    case ESPLASH_OP_FLASH_END:
      rom_flash_end (self, opcode, data, len);
      break;
    case ESPLASH_OP_MEM_BEGIN:
    case ESPLASH_OP_MEM_DATA:
    case ESPLASH_OP_MEM_END:
      rom_mem (self, opcode, data, len, checksum);
      break;
    case ESPLASH_OP_FLASH_DEFL_BEGIN:
    case ESPLASH_OP_FLASH_DEFL_DATA:
    case ESPLASH_OP_FLASH_DEFL_END:
      if (no_8266)
        refuse (self, opcode);
      else if (opcode == ESPLASH_OP_FLASH_DEFL_BEGIN)
        rom_flash_begin (self, opcode, data, len);
      else if (opcode == ESPLASH_OP_FLASH_DEFL_DATA)
        rom_flash_data (self, opcode, data, len, checksum);
      else
        rom_flash_end (self, opcode, data, len);
      break;
    case ESPLASH_OP_SPI_ATTACH:
      if (no_8266)
        refuse (self, opcode);
      else if (len != 8 && len != 4)
        fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_FORMAT);
      else
        ok (self, opcode);
      break;
    case ESPLASH_OP_SPI_SET_PARAMS:
      if (no_8266)
        refuse (self, opcode);
      else if (len != SPI_PARAMS_LEN)
        fail (self, opcode, ESPLASH_ROM_ERROR_INVALID_FORMAT);
      else
        {
          self->believed_flash_size = esplash_read_word (data, 1);
          ok (self, opcode);
        }
      break;
    case ESPLASH_OP_CHANGE_BAUDRATE:
      if (no_8266)
        refuse (self, opcode);
      else
        rom_change_baud (self, data, len);
      break;
    case ESPLASH_OP_SPI_FLASH_MD5:
      if (no_8266)
        refuse (self, opcode);
      else
        rom_md5 (self, data, len);
      break;
    case ESPLASH_OP_READ_FLASH_SLOW:
      if (!chip->has_read_flash_slow)
        refuse (self, opcode);
      else
        rom_read_flash_slow (self, data, len);
      break;
    case ESPLASH_OP_GET_SECURITY_INFO:
      if (!chip->has_security_info)
        refuse (self, opcode);
      else
        rom_security_info (self);
      break;
    default:
      refuse (self, opcode);
      break;
    }
}
