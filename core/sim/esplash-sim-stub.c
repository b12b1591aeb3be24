/* esplash-sim-stub.c: the flasher-stub personality (protocol.md §1.7, §2,
 * §5): [code, 0] status, SYNC with value 0, blocks ACKed before they are
 * written (errors found later are reported on the next command), erase just
 * before the first write into a sector, streamed READ_FLASH, raw MD5.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-bytes-private.h"

#include <string.h>

#include "esplash-sim-private.h"

#define SYNC_REPLIES          8
#define DATA_HEADER_LEN       16
#define SPI_PARAMS_LEN        24
#define READ_FLASH_MAX_PACKET 4096
#define ADLER_TAIL_LEN        4
/* raw codes of the legacy stub's ERASE_REGION / MD5 (§1.7) */
#define STUB_ERASE_BAD_ADDRESS 0x32
#define STUB_ERASE_BAD_LENGTH  0x33
#define STUB_MD5_READ_FAILED   0x63
#define STUB_TOO_LONG_EXTRA    0xEE

static const guint8 greeting[4] = { 'O', 'H', 'A', 'I' };

static void
result (EsplashSim *self,
        guint8      opcode,
        guint8      code)
{
  sim_reply_result (self, opcode, 0, NULL, 0, code);
}

void
sim_stub_start (EsplashSim *self)
{
  self->state = ESPLASH_SIM_STATE_STUB;
  sim_flash_op_clear (&self->fop);
  sim_read_op_clear (&self->rop);
  self->believed_flash_size = self->chip->stub_max_flash_mb * 1024u * 1024u;
  sim_send_frame (self, greeting, sizeof greeting);
  sim_event (self, "stub running");
}

static void
stub_begin (EsplashSim   *self,
            guint8        opcode,
            const guint8 *data,
            gsize         len)
{
  SimFlashOp *op = &self->fop;
  guint32 size, offset;

  if (len != 16 && len != 20)
    {
      result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      return;
    }
  if (esplash_read_word (data, 2) > SIM_STUB_MAX_BLOCK)
    {
      result (self, opcode, ESPLASH_STUB_ERROR_BAD_BLOCKSIZE);
      return;
    }
  size = esplash_read_word (data, 0);
  offset = esplash_read_word (data, 3);
  if (!sim_flash_range_ok (self, offset, size))
    {
      result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      return;
    }
  sim_flash_op_clear (op);
  op->active = TRUE;
  op->compressed = opcode == ESPLASH_OP_FLASH_DEFL_BEGIN;
  op->offset = offset;
  op->total = size;
  op->remaining = size;
  op->n_blocks = esplash_read_word (data, 1);
  op->block_size = esplash_read_word (data, 2);
  op->write_pos = offset;
  op->next_erase = offset - offset % SIM_SECTOR_SIZE;
  result (self, opcode, ESPLASH_STUB_OK);
}

/* Erase the sectors [next_erase, end) before they are first written. */
static void
erase_ahead (EsplashSim *self,
             guint32     end)
{
  SimFlashOp *op = &self->fop;

  if (end <= op->next_erase)
    return;
  end = MIN ((guint64) (end + SIM_SECTOR_SIZE - 1) / SIM_SECTOR_SIZE * SIM_SECTOR_SIZE,
             self->flash_size);
  if (end <= op->next_erase)
    return;
  sim_add_busy (self, (gint64) sim_flash_erase (self, op->next_erase, end - op->next_erase)
                        * SIM_STUB_ERASE_US_PER_SECTOR);
  op->next_erase = end;
}

static void
stub_data (EsplashSim   *self,
           guint8        opcode,
           const guint8 *data,
           gsize         len,
           guint32       checksum)
{
  SimFlashOp *op = &self->fop;
  gboolean compressed = opcode == ESPLASH_OP_FLASH_DEFL_DATA;
  const guint8 *payload = data + DATA_HEADER_LEN;
  guint32 n;

  if (!op->active || op->compressed != compressed)
    {
      result (self, opcode, ESPLASH_STUB_ERROR_NOT_IN_FLASH_MODE);
      return;
    }
  if (len < DATA_HEADER_LEN || esplash_read_word (data, 0) != len - DATA_HEADER_LEN)
    {
      result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      return;
    }
  n = esplash_read_word (data, 0);
  if (esplash_checksum (payload, n) != (checksum & 0xFF))
    {
      result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_CHECKSUM);
      return;
    }
  if (compressed && op->remaining == 0 && n > ADLER_TAIL_LEN)
    {
      result (self, opcode, ESPLASH_STUB_ERROR_TOO_MUCH_DATA);
      return;
    }
  if (op->deferred_error != 0)
    {
      guint8 code = op->deferred_error;

      op->deferred_error = 0;
      result (self, opcode, code);
      return;
    }

  /* ACK first: the write happens while the host sends the next block, so
   * its cost shows up as a later reply (sim_add_busy after the reply). */
  result (self, opcode, ESPLASH_STUB_OK);

  if (compressed)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();
      gboolean overflow;

      if (!sim_flash_op_inflate (self, payload, n, op->remaining, out, &overflow))
        op->deferred_error = ESPLASH_STUB_ERROR_INFLATE;
      else if (overflow)
        op->deferred_error = ESPLASH_STUB_ERROR_TOO_MUCH_DATA;
      erase_ahead (self, op->write_pos + out->len);
      sim_flash_program (self, op->write_pos, out->data, out->len);
      op->write_pos += out->len;
      op->remaining -= out->len;
      sim_add_busy (self, (gint64) out->len * SIM_PROGRAM_US_PER_KIB / 1024);
    }
  else
    {
      guint32 keep = MIN (n, op->remaining);   /* padding past the total is dropped */

      erase_ahead (self, op->write_pos + keep);
      sim_flash_program (self, op->write_pos, payload, keep);
      op->write_pos += keep;
      op->remaining -= keep;
      sim_add_busy (self, (gint64) keep * SIM_PROGRAM_US_PER_KIB / 1024);
    }
  op->next_seq++;
}

static void
stub_end (EsplashSim   *self,
          guint8        opcode,
          const guint8 *data,
          gsize         len)
{
  SimFlashOp *op = &self->fop;
  guint32 flag;
  guint8 code = ESPLASH_STUB_OK;

  if (len != 4)
    {
      result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      return;
    }
  flag = esplash_read_word (data, 0);
  if (!op->active)
    code = ESPLASH_STUB_ERROR_NOT_IN_FLASH_MODE;
  else if (op->remaining > 0)
    code = ESPLASH_STUB_ERROR_NOT_ENOUGH_DATA;
  else if (op->deferred_error != 0)
    code = op->deferred_error;
  result (self, opcode, code);
  if (code != ESPLASH_STUB_OK)
    return;
  sim_flash_op_clear (op);
  /* 0: reboot (into the ROM loader if the straps still say so); 1: stay */
  if (flag == 0)
    sim_board_software_reset (self, SIM_RESET_STUB_REBOOT,
                              MAX (self->tx_free_us, self->cmd_time_us) + SIM_STUB_REBOOT_US);
}

static void
stub_mem (EsplashSim   *self,
          guint8        opcode,
          const guint8 *data,
          gsize         len,
          guint32       checksum)
{
  switch (opcode)
    {
    case ESPLASH_OP_MEM_BEGIN:
      if (len != 16)
        result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      else
        {
          sim_ram_begin (self, esplash_read_word (data, 3), esplash_read_word (data, 0));
          result (self, opcode, ESPLASH_STUB_OK);
        }
      break;

    case ESPLASH_OP_MEM_DATA:
      {
        guint32 n = len >= DATA_HEADER_LEN ? esplash_read_word (data, 0) : 0;

        if (self->mem_current == NULL)
          result (self, opcode, ESPLASH_STUB_ERROR_NOT_IN_FLASH_MODE);
        else if (len < DATA_HEADER_LEN || n != len - DATA_HEADER_LEN || n % 4 != 0)
          result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
        else if (esplash_checksum (data + DATA_HEADER_LEN, n) != (checksum & 0xFF))
          result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_CHECKSUM);
        else if (self->mem_current->data->len + n > self->mem_current->size)
          result (self, opcode, ESPLASH_STUB_ERROR_TOO_MUCH_DATA);
        else
          {
            sim_ram_append (self, data + DATA_HEADER_LEN, n);
            result (self, opcode, ESPLASH_STUB_OK);
          }
      }
      break;

    case ESPLASH_OP_MEM_END:
    default:
      if (len != 8)
        result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      else if (self->mem_current != NULL && self->mem_current->data->len < self->mem_current->size)
        result (self, opcode, ESPLASH_STUB_ERROR_NOT_ENOUGH_DATA);
      else
        {
          self->mem_current = NULL;
          result (self, opcode, ESPLASH_STUB_OK);
        }
      break;
    }
}

static void
stub_erase_region (EsplashSim   *self,
                   const guint8 *data,
                   gsize         len)
{
  guint32 offset, size;

  if (len != 8)
    {
      result (self, ESPLASH_OP_ERASE_REGION, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      return;
    }
  offset = esplash_read_word (data, 0);
  size = esplash_read_word (data, 1);
  if (offset % SIM_SECTOR_SIZE != 0)
    result (self, ESPLASH_OP_ERASE_REGION, STUB_ERASE_BAD_ADDRESS);
  else if (size % SIM_SECTOR_SIZE != 0)
    result (self, ESPLASH_OP_ERASE_REGION, STUB_ERASE_BAD_LENGTH);
  else if (!sim_flash_range_ok (self, offset, size))
    result (self, ESPLASH_OP_ERASE_REGION, ESPLASH_STUB_ERROR_FAILED_SPI_OP);
  else
    {
      sim_add_busy (self, (gint64) sim_flash_erase (self, offset, size) * SIM_STUB_ERASE_US_PER_SECTOR);
      result (self, ESPLASH_OP_ERASE_REGION, ESPLASH_STUB_OK);
    }
}

/* Send the next READ_FLASH packet once the last one is acknowledged; then
 * the MD5. One packet in flight whatever the host asks for: the new stub
 * forces max_in_flight to 1 (esp-flasher-stub s_read_flash_post_process:
 * "esptool cannot handle the data flow"), and the legacy stub compares
 * bytes in flight with the packet count, which stops after each packet
 * (esptool-legacy-flasher-stub stub_commands.c handle_flash_read). */
static void
read_pump (EsplashSim *self)
{
  SimReadOp *op = &self->rop;

  while (op->sent < op->length && op->sent == op->acked)
    {
      guint32 n = MIN (op->packet_size, op->length - op->sent);
      const guint8 *chunk = self->flash + op->offset + op->sent;

      g_checksum_update (op->md5, chunk, n);
      sim_send_frame (self, chunk, n);
      op->sent += n;
    }
  if (op->acked >= op->length)
    {
      guint8 digest[16];
      gsize digest_len = sizeof digest;

      g_checksum_get_digest (op->md5, digest, &digest_len);
      sim_send_frame (self, digest, sizeof digest);
      sim_read_op_clear (op);
    }
}

static void
stub_read_flash (EsplashSim   *self,
                 const guint8 *data,
                 gsize         len)
{
  SimReadOp *op = &self->rop;

  if (len != 16)
    {
      result (self, ESPLASH_OP_READ_FLASH, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      return;
    }
  if (!sim_flash_range_ok (self, esplash_read_word (data, 0), esplash_read_word (data, 1)))
    {
      result (self, ESPLASH_OP_READ_FLASH, ESPLASH_STUB_ERROR_FAILED_SPI_OP);
      return;
    }
  result (self, ESPLASH_OP_READ_FLASH, ESPLASH_STUB_OK);
  /* the legacy stub gives up silently on packets it cannot buffer */
  if (esplash_read_word (data, 2) == 0 || esplash_read_word (data, 2) > READ_FLASH_MAX_PACKET || esplash_read_word (data, 3) == 0)
    return;
  sim_read_op_clear (op);
  op->active = TRUE;
  op->offset = esplash_read_word (data, 0);
  op->length = esplash_read_word (data, 1);
  op->packet_size = esplash_read_word (data, 2);
  op->max_in_flight = esplash_read_word (data, 3);
  op->md5 = g_checksum_new (G_CHECKSUM_MD5);
  read_pump (self);
}

void
sim_stub_frame (EsplashSim   *self,
                const guint8 *frame,
                gsize         len)
{
  /* during READ_FLASH every frame from the host is an ACK: bytes received */
  if (len != 4)
    return;
  self->rop.acked = MAX (self->rop.acked, MIN (esplash_read_word (frame, 0), self->rop.sent));
  read_pump (self);
}

static void
stub_md5 (EsplashSim   *self,
          const guint8 *data,
          gsize         len)
{
  guint8 digest[16];

  if (len != 16)
    {
      result (self, ESPLASH_OP_SPI_FLASH_MD5, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      return;
    }
  if (!sim_flash_range_ok (self, esplash_read_word (data, 0), esplash_read_word (data, 1)))
    {
      result (self, ESPLASH_OP_SPI_FLASH_MD5, STUB_MD5_READ_FAILED);
      return;
    }
  sim_flash_md5 (self, esplash_read_word (data, 0), esplash_read_word (data, 1), digest);
  sim_add_busy (self, (gint64) esplash_read_word (data, 1) / 1024 * SIM_MD5_US_PER_KIB);
  sim_reply_result (self, ESPLASH_OP_SPI_FLASH_MD5, 0, digest, sizeof digest, 0);
}

static void
stub_security_info (EsplashSim *self)
{
  guint8 info[20];
  guint32 chip_id = (guint32) MAX (self->chip->image_chip_id, 0);

  if (!self->chip->has_security_info)
    {
      result (self, ESPLASH_OP_GET_SECURITY_INFO, ESPLASH_STUB_ERROR_NOT_IMPLEMENTED);
      return;
    }
  memset (info, 0, sizeof info);
  for (guint i = 0; i < 4; i++)
    info[12 + i] = (chip_id >> (8 * i)) & 0xFF;
  sim_reply_result (self, ESPLASH_OP_GET_SECURITY_INFO, 0, info,
                    MIN (self->chip->security_info_len, sizeof info), 0);
}

void
sim_stub_command (EsplashSim   *self,
                  guint8        opcode,
                  const guint8 *data,
                  gsize         len,
                  guint32       checksum)
{
  if (len > SIM_STUB_MAX_BLOCK + DATA_HEADER_LEN)
    {
      guint8 status[2] = { ESPLASH_STUB_ERROR_BAD_DATA_LEN, STUB_TOO_LONG_EXTRA };

      sim_reply (self, opcode, 0, NULL, 0, status, sizeof status);
      return;
    }

  switch (opcode)
    {
    case ESPLASH_OP_SYNC:
      for (guint i = 0; i < SYNC_REPLIES; i++)
        result (self, opcode, ESPLASH_STUB_OK);
      break;
    case ESPLASH_OP_READ_REG:
      if (len != 4)
        result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      else
        sim_reply_result (self, opcode, sim_reg_read (self, esplash_read_word (data, 0)), NULL, 0, 0);
      break;
    case ESPLASH_OP_WRITE_REG:
      if (len == 0 || len % 16 != 0)
        {
          result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
          break;
        }
      for (gsize i = 0; i < len / 16; i++)
        {
          const guint8 *rec = data + 16 * i;

          sim_add_busy (self, esplash_read_word (rec, 3));
          sim_reg_write (self, esplash_read_word (rec, 0), esplash_read_word (rec, 1), esplash_read_word (rec, 2));
        }
      result (self, opcode, ESPLASH_STUB_OK);
      break;
    case ESPLASH_OP_FLASH_BEGIN:
    case ESPLASH_OP_FLASH_DEFL_BEGIN:
      stub_begin (self, opcode, data, len);
      break;
    case ESPLASH_OP_FLASH_DATA:
    case ESPLASH_OP_FLASH_DEFL_DATA:
      stub_data (self, opcode, data, len, checksum);
      break;
    case ESPLASH_OP_FLASH_ENCRYPT_DATA:
      /* encryption is not modelled: the data is written as given */
      if (self->chip->rom_is_esp8266_like)
        result (self, opcode, ESPLASH_STUB_ERROR_INVALID_COMMAND);
      else
        stub_data (self, ESPLASH_OP_FLASH_DATA, data, len, checksum);
      break;
    case ESPLASH_OP_FLASH_END:
    case ESPLASH_OP_FLASH_DEFL_END:
      stub_end (self, opcode, data, len);
      break;
    case ESPLASH_OP_MEM_BEGIN:
    case ESPLASH_OP_MEM_DATA:
    case ESPLASH_OP_MEM_END:
      stub_mem (self, opcode, data, len, checksum);
      break;
    case ESPLASH_OP_ERASE_FLASH:
      sim_add_busy (self, (gint64) sim_flash_erase (self, 0, self->flash_size)
                            * SIM_CHIP_ERASE_US_PER_SECTOR);
      result (self, opcode, ESPLASH_STUB_OK);
      break;
    case ESPLASH_OP_ERASE_REGION:
      stub_erase_region (self, data, len);
      break;
    case ESPLASH_OP_READ_FLASH:
      stub_read_flash (self, data, len);
      break;
    case ESPLASH_OP_SPI_FLASH_MD5:
      stub_md5 (self, data, len);
      break;
    case ESPLASH_OP_CHANGE_BAUDRATE:
      if (len != 8 || esplash_read_word (data, 0) == 0)
        result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      else
        {
          result (self, opcode, ESPLASH_STUB_OK);
          sim_set_chip_baud (self, esplash_read_word (data, 0));
        }
      break;
    case ESPLASH_OP_GET_SECURITY_INFO:
      stub_security_info (self);
      break;
    case ESPLASH_OP_RUN_USER_CODE:
      sim_board_run_user_code (self, MAX (self->tx_free_us, self->cmd_time_us));
      break;
    case ESPLASH_OP_SPI_SET_PARAMS:
      if (len != SPI_PARAMS_LEN)
        result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      else
        {
          self->believed_flash_size = esplash_read_word (data, 1);
          result (self, opcode, ESPLASH_STUB_OK);
        }
      break;
    case ESPLASH_OP_SPI_ATTACH:
      if (len != 4 && len != 8)
        result (self, opcode, ESPLASH_STUB_ERROR_BAD_DATA_LEN);
      else
        result (self, opcode, ESPLASH_STUB_OK);
      break;
    default:
      result (self, opcode, ESPLASH_STUB_ERROR_INVALID_COMMAND);
      break;
    }
}
