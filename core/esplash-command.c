/* esplash-command.c: loader commands and responses (protocol.md §1.2–1.7, §2).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-bytes-private.h"

#include <string.h>

#include "esplash-command.h"
#include "esplash-error.h"

typedef struct {
  guint8      code;
  const char *name;
} CodeName;

static const CodeName opcodes[] = {
  { ESPLASH_OP_FLASH_BEGIN, "FLASH_BEGIN" },
  { ESPLASH_OP_FLASH_DATA, "FLASH_DATA" },
  { ESPLASH_OP_FLASH_END, "FLASH_END" },
  { ESPLASH_OP_MEM_BEGIN, "MEM_BEGIN" },
  { ESPLASH_OP_MEM_END, "MEM_END" },
  { ESPLASH_OP_MEM_DATA, "MEM_DATA" },
  { ESPLASH_OP_SYNC, "SYNC" },
  { ESPLASH_OP_WRITE_REG, "WRITE_REG" },
  { ESPLASH_OP_READ_REG, "READ_REG" },
  { ESPLASH_OP_SPI_SET_PARAMS, "SPI_SET_PARAMS" },
  { ESPLASH_OP_SPI_ATTACH, "SPI_ATTACH" },
  { ESPLASH_OP_READ_FLASH_SLOW, "READ_FLASH_SLOW" },
  { ESPLASH_OP_CHANGE_BAUDRATE, "CHANGE_BAUDRATE" },
  { ESPLASH_OP_FLASH_DEFL_BEGIN, "FLASH_DEFL_BEGIN" },
  { ESPLASH_OP_FLASH_DEFL_DATA, "FLASH_DEFL_DATA" },
  { ESPLASH_OP_FLASH_DEFL_END, "FLASH_DEFL_END" },
  { ESPLASH_OP_SPI_FLASH_MD5, "SPI_FLASH_MD5" },
  { ESPLASH_OP_GET_SECURITY_INFO, "GET_SECURITY_INFO" },
  { ESPLASH_OP_ERASE_FLASH, "ERASE_FLASH" },
  { ESPLASH_OP_ERASE_REGION, "ERASE_REGION" },
  { ESPLASH_OP_READ_FLASH, "READ_FLASH" },
  { ESPLASH_OP_RUN_USER_CODE, "RUN_USER_CODE" },
  { ESPLASH_OP_FLASH_ENCRYPT_DATA, "FLASH_ENCRYPT_DATA" },
};

/* Second status byte when the first is 1 (§1.6). */
static const CodeName rom_errors[] = {
  { ESPLASH_ROM_ERROR_UNDEFINED, "undefined error" },
  { ESPLASH_ROM_ERROR_INVALID_PARAM, "invalid input parameter" },
  { ESPLASH_ROM_ERROR_OUT_OF_MEMORY, "out of memory" },
  { ESPLASH_ROM_ERROR_SEND_FAILED, "failed to send message" },
  { ESPLASH_ROM_ERROR_RECEIVE_FAILED, "failed to receive message" },
  { ESPLASH_ROM_ERROR_INVALID_FORMAT, "invalid message format or command not supported" },
  { ESPLASH_ROM_ERROR_RESULT_WRONG, "execution result wrong" },
  { ESPLASH_ROM_ERROR_CHECKSUM, "checksum error" },
  { ESPLASH_ROM_ERROR_FLASH_WRITE, "flash write error" },
  { ESPLASH_ROM_ERROR_FLASH_READ, "flash read error" },
  { ESPLASH_ROM_ERROR_FLASH_READ_LENGTH, "flash read length error" },
  { ESPLASH_ROM_ERROR_DEFLATE, "deflate error" },
  { ESPLASH_ROM_ERROR_DEFLATE_ADLER, "deflate Adler-32 error" },
  { ESPLASH_ROM_ERROR_DEFLATE_PARAM, "deflate parameter error" },
  { ESPLASH_ROM_ERROR_RAM_SIZE, "invalid RAM binary size" },
  { ESPLASH_ROM_ERROR_RAM_ADDRESS, "invalid RAM binary address" },
  { ESPLASH_ROM_ERROR_PARAM, "invalid parameter" },
  { ESPLASH_ROM_ERROR_FORMAT, "invalid format" },
  { ESPLASH_ROM_ERROR_DESC_TOO_LONG, "description too long" },
  { ESPLASH_ROM_ERROR_BAD_ENCODING, "bad encoding description" },
  { ESPLASH_ROM_ERROR_STORAGE, "insufficient storage" },
};

/* First status byte of a stub reply (§1.7), with the raw codes the legacy
 * stub returns from ERASE_REGION and SPI_FLASH_MD5. */
static const CodeName stub_errors[] = {
  { ESPLASH_STUB_OK, "OK" },
  { 0x32, "erase address not aligned to 4 KiB" },
  { 0x33, "erase length not a multiple of 4 KiB" },
  { 0x34, "flash unlock failed before erase" },
  { 0x35, "flash erase failed (code 0x35)" },
  { 0x36, "flash erase failed (code 0x36)" },
  { 0x37, "flash erase failed (code 0x37)" },
  { 0x63, "flash read failed while computing MD5" },
  { ESPLASH_STUB_ERROR_BAD_DATA_LEN, "bad data length" },
  { ESPLASH_STUB_ERROR_BAD_DATA_CHECKSUM, "bad data checksum" },
  { ESPLASH_STUB_ERROR_BAD_BLOCKSIZE, "bad block size" },
  { ESPLASH_STUB_ERROR_INVALID_COMMAND, "invalid command" },
  { ESPLASH_STUB_ERROR_FAILED_SPI_OP, "SPI operation failed" },
  { ESPLASH_STUB_ERROR_FAILED_SPI_UNLOCK, "SPI unlock failed" },
  { ESPLASH_STUB_ERROR_NOT_IN_FLASH_MODE, "not in flash mode" },
  { ESPLASH_STUB_ERROR_INFLATE, "inflate error" },
  { ESPLASH_STUB_ERROR_NOT_ENOUGH_DATA, "not enough data" },
  { ESPLASH_STUB_ERROR_TOO_MUCH_DATA, "too much data" },
  { ESPLASH_STUB_ERROR_NAND_PROGRAM, "NAND program failed" },
  { ESPLASH_STUB_ERROR_NAND_ERASE, "NAND erase failed" },
  { ESPLASH_STUB_ERROR_NOT_IMPLEMENTED, "command not implemented" },
};

static const char *
lookup (const CodeName *table,
        gsize           n,
        guint8          code)
{
  for (gsize i = 0; i < n; i++)
    if (table[i].code == code)
      return table[i].name;
  return NULL;
}

/**
 * esplash_opcode_name:
 *
 * Returns: (nullable): "FLASH_BEGIN" etc., or %NULL for an unknown opcode
 */
const char *
esplash_opcode_name (guint8 opcode)
{
  return lookup (opcodes, G_N_ELEMENTS (opcodes), opcode);
}

/**
 * esplash_rom_error_name:
 *
 * Returns: (nullable): a description of ROM error @code, or %NULL
 */
const char *
esplash_rom_error_name (guint8 code)
{
  return lookup (rom_errors, G_N_ELEMENTS (rom_errors), code);
}

/**
 * esplash_stub_error_name:
 *
 * Returns: (nullable): a description of stub status @code, or %NULL
 */
const char *
esplash_stub_error_name (guint8 code)
{
  return lookup (stub_errors, G_N_ELEMENTS (stub_errors), code);
}

/**
 * esplash_checksum:
 *
 * Returns: the XOR of @data seeded with 0xEF (§1.4)
 */
guint8
esplash_checksum (const guint8 *data,
                  gsize         len)
{
  guint8 chk = ESPLASH_CHECKSUM_SEED;

  for (gsize i = 0; i < len; i++)
    chk ^= data[i];
  return chk;
}

/**
 * esplash_opcode_is_checksummed:
 *
 * Returns: %TRUE if @opcode carries a 16-byte data header and a payload
 *   checksum in the packet header
 */
gboolean
esplash_opcode_is_checksummed (guint8 opcode)
{
  switch (opcode)
    {
    case ESPLASH_OP_FLASH_DATA:
    case ESPLASH_OP_MEM_DATA:
    case ESPLASH_OP_FLASH_DEFL_DATA:
    case ESPLASH_OP_FLASH_ENCRYPT_DATA:
    case 0x1A:  /* SDC_VERIF_DATA */
    case 0x1D:  /* SDC_GEN_DATA */
      return TRUE;
    default:
      return FALSE;
    }
}

static void
put_le32 (guint8  *p,
          guint32  v)
{
  p[0] = v & 0xFF;
  p[1] = (v >> 8) & 0xFF;
  p[2] = (v >> 16) & 0xFF;
  p[3] = (v >> 24) & 0xFF;
}

/* Header for @len data bytes, data left to the caller. */
static GByteArray *
new_packet (guint8  opcode,
            gsize   len,
            guint32 checksum)
{
  GByteArray *packet = g_byte_array_sized_new (ESPLASH_COMMAND_HEADER_LEN + len);
  guint8 header[ESPLASH_COMMAND_HEADER_LEN];

  header[0] = 0x00;
  header[1] = opcode;
  header[2] = len & 0xFF;
  header[3] = (len >> 8) & 0xFF;
  put_le32 (header + 4, checksum);
  g_byte_array_append (packet, header, sizeof header);
  return packet;
}

/**
 * esplash_command_build:
 * @opcode: an #EsplashOpcode
 * @data: (array length=len) (nullable): the data field
 * @len: its length, at most 0xFFFF
 * @checksum: the header checksum word (0 unless a *_DATA command)
 *
 * Returns: (transfer full): the unframed request packet
 */
GBytes *
esplash_command_build (guint8        opcode,
                       const guint8 *data,
                       gsize         len,
                       guint32       checksum)
{
  GByteArray *packet;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (len <= G_MAXUINT16, NULL);

  packet = new_packet (opcode, len, checksum);
  if (len > 0)
    g_byte_array_append (packet, data, len);
  return g_byte_array_free_to_bytes (packet);
}

/**
 * esplash_command_build_words:
 * @words: (array length=n_words) (nullable): the data words
 *
 * Returns: (transfer full): a request whose data are @words, little-endian
 */
GBytes *
esplash_command_build_words (guint8         opcode,
                             const guint32 *words,
                             guint          n_words)
{
  GByteArray *packet;

  g_return_val_if_fail (words != NULL || n_words == 0, NULL);
  g_return_val_if_fail (n_words <= G_MAXUINT16 / 4, NULL);

  packet = new_packet (opcode, (gsize) n_words * 4, 0);
  for (guint i = 0; i < n_words; i++)
    {
      guint8 w[4];

      put_le32 (w, words[i]);
      g_byte_array_append (packet, w, sizeof w);
    }
  return g_byte_array_free_to_bytes (packet);
}

/**
 * esplash_command_build_data:
 * @opcode: FLASH_DATA, MEM_DATA, FLASH_DEFL_DATA or FLASH_ENCRYPT_DATA
 * @seq: block sequence number, from 0
 * @payload: (array length=len) (nullable): the block
 *
 * Returns: (transfer full): the request, with the checksum over @payload
 */
GBytes *
esplash_command_build_data (guint8        opcode,
                            guint32       seq,
                            const guint8 *payload,
                            gsize         len)
{
  GByteArray *packet;
  guint8 header[16] = { 0 };

  g_return_val_if_fail (payload != NULL || len == 0, NULL);
  g_return_val_if_fail (len <= G_MAXUINT16 - sizeof header, NULL);

  packet = new_packet (opcode, sizeof header + len, esplash_checksum (payload, len));
  put_le32 (header, (guint32) len);
  put_le32 (header + 4, seq);
  g_byte_array_append (packet, header, sizeof header);
  if (len > 0)
    g_byte_array_append (packet, payload, len);
  return g_byte_array_free_to_bytes (packet);
}

void
esplash_response_clear (EsplashResponse *response)
{
  g_return_if_fail (response != NULL);

  g_clear_pointer (&response->payload, g_bytes_unref);
  memset (response, 0, sizeof *response);
}

/* "READ_REG" or "opcode 0x42"; for messages. */
static char *
dup_opcode_label (guint8 opcode)
{
  const char *name = esplash_opcode_name (opcode);

  if (name != NULL)
    return g_strdup (name);
  return g_strdup_printf ("opcode 0x%02X", opcode);
}

/**
 * esplash_response_parse:
 * @packet: (array length=len): one unframed packet
 * @expected_payload: bytes the command returns before its status
 * @out: (out caller-allocates): the response; clear it with esplash_response_clear()
 *
 * Locates the status right after @expected_payload bytes, so replies with 2 and
 * with 4 status bytes both parse. A failure reply may be shorter than the
 * payload; its status is then the first two data bytes and the payload empty.
 * A success reply that is too short for the payload is a protocol error.
 *
 * Returns: %TRUE if @packet is a well-formed response
 */
gboolean
esplash_response_parse (const guint8    *packet,
                        gsize            len,
                        gsize            expected_payload,
                        EsplashResponse *out,
                        GError         **error)
{
  g_autofree char *label = NULL;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (packet != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out, 0, sizeof *out);

  if (len < ESPLASH_COMMAND_HEADER_LEN)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                   "Response packet too short: %" G_GSIZE_FORMAT " bytes, "
                   "the header alone is %d", len, ESPLASH_COMMAND_HEADER_LEN);
      return FALSE;
    }

  label = dup_opcode_label (packet[1]);
  if (packet[0] != 0x01)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                   "Not a response packet (%s): direction byte is 0x%02X, expected 0x01",
                   label, packet[0]);
      return FALSE;
    }

  size = packet[2] | (gsize) packet[3] << 8;
  if (size != len - ESPLASH_COMMAND_HEADER_LEN)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                   "%s response: size field says %" G_GSIZE_FORMAT " data bytes "
                   "but %" G_GSIZE_FORMAT " follow the header",
                   label, size, len - ESPLASH_COMMAND_HEADER_LEN);
      return FALSE;
    }
  if (size < 2)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                   "%s response has %" G_GSIZE_FORMAT " data bytes, "
                   "too few for a status (at least 2)", label, size);
      return FALSE;
    }

  data = packet + ESPLASH_COMMAND_HEADER_LEN;
  out->opcode = packet[1];
  out->value = esplash_read_le32 (packet + 4);

  if (size >= expected_payload + 2)
    {
      out->payload = g_bytes_new (data, expected_payload);
      out->status[0] = data[expected_payload];
      out->status[1] = data[expected_payload + 1];
      out->status_len = size - expected_payload;
      return TRUE;
    }

  /* Too short for the payload: only a failure may look like this. */
  if (data[0] == 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL,
                   "%s response has %" G_GSIZE_FORMAT " data bytes, expected "
                   "%" G_GSIZE_FORMAT " payload bytes and a status",
                   label, size, expected_payload);
      out->opcode = 0;
      out->value = 0;
      return FALSE;
    }
  out->payload = g_bytes_new (NULL, 0);
  out->status[0] = data[0];
  out->status[1] = data[1];
  out->status_len = size;
  return TRUE;
}

/**
 * esplash_response_check:
 *
 * Returns: %TRUE if the status says success; else %FALSE with
 *   %ESPLASH_ERROR_DEVICE naming the opcode and the ROM or stub error
 */
gboolean
esplash_response_check (const EsplashResponse *response,
                        GError               **error)
{
  g_autofree char *label = NULL;
  const char *name;

  g_return_val_if_fail (response != NULL, FALSE);

  if (response->status[0] == 0)
    return TRUE;

  label = dup_opcode_label (response->opcode);
  if (response->status[0] == 1)
    {
      name = esplash_rom_error_name (response->status[1]);
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE,
                   "%s failed: ROM error 0x%02X (%s)",
                   label, response->status[1], name != NULL ? name : "unknown");
      return FALSE;
    }

  name = esplash_stub_error_name (response->status[0]);
  if (response->status[1] != 0)
    /* The second byte carries extra detail, e.g. the ROM function's return
     * code for SPI_SET_PARAMS, or 0xEE for an oversize frame. */
    g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE,
                 "%s failed: stub error 0x%02X (%s), detail 0x%02X",
                 label, response->status[0], name != NULL ? name : "unknown",
                 response->status[1]);
  else
    g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE,
                 "%s failed: stub error 0x%02X (%s)",
                 label, response->status[0], name != NULL ? name : "unknown");
  return FALSE;
}

/**
 * esplash_response_is_unsupported:
 *
 * Returns: %TRUE if the loader refused the command as unknown or not allowed:
 *   ROM 01 05, stub 0xC3 (invalid command) or 0xFF (not implemented)
 */
gboolean
esplash_response_is_unsupported (const EsplashResponse *response)
{
  g_return_val_if_fail (response != NULL, FALSE);

  if (response->status[0] == 1)
    return response->status[1] == ESPLASH_ROM_ERROR_INVALID_FORMAT;
  return response->status[0] == ESPLASH_STUB_ERROR_INVALID_COMMAND ||
         response->status[0] == ESPLASH_STUB_ERROR_NOT_IMPLEMENTED;
}
