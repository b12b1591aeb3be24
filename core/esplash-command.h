/* esplash-command.h: loader commands and responses (pure).
 *
 * Builds request packets and parses response packets of the ROM loader and the
 * flasher stub; one table of opcodes and one of status codes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ESPLASH_OP_FLASH_BEGIN = 0x02,
  ESPLASH_OP_FLASH_DATA = 0x03,
  ESPLASH_OP_FLASH_END = 0x04,
  ESPLASH_OP_MEM_BEGIN = 0x05,
  ESPLASH_OP_MEM_END = 0x06,
  ESPLASH_OP_MEM_DATA = 0x07,
  ESPLASH_OP_SYNC = 0x08,
  ESPLASH_OP_WRITE_REG = 0x09,
  ESPLASH_OP_READ_REG = 0x0A,
  ESPLASH_OP_SPI_SET_PARAMS = 0x0B,
  ESPLASH_OP_SPI_ATTACH = 0x0D,
  ESPLASH_OP_READ_FLASH_SLOW = 0x0E,
  ESPLASH_OP_CHANGE_BAUDRATE = 0x0F,
  ESPLASH_OP_FLASH_DEFL_BEGIN = 0x10,
  ESPLASH_OP_FLASH_DEFL_DATA = 0x11,
  ESPLASH_OP_FLASH_DEFL_END = 0x12,
  ESPLASH_OP_SPI_FLASH_MD5 = 0x13,
  ESPLASH_OP_GET_SECURITY_INFO = 0x14,
  ESPLASH_OP_ERASE_FLASH = 0xD0,
  ESPLASH_OP_ERASE_REGION = 0xD1,
  ESPLASH_OP_READ_FLASH = 0xD2,
  ESPLASH_OP_RUN_USER_CODE = 0xD3,
  ESPLASH_OP_FLASH_ENCRYPT_DATA = 0xD4,
} EsplashOpcode;

#define ESPLASH_COMMAND_HEADER_LEN 8
#define ESPLASH_CHECKSUM_SEED 0xEF
#define ESPLASH_SYNC_VALUE 0x20120707u  /* what ROMs commonly put in a SYNC reply's value */

/* ROM error codes (second status byte when the first is 1). */
typedef enum {
  ESPLASH_ROM_ERROR_UNDEFINED = 0x00,
  ESPLASH_ROM_ERROR_INVALID_PARAM = 0x01,
  ESPLASH_ROM_ERROR_OUT_OF_MEMORY = 0x02,
  ESPLASH_ROM_ERROR_SEND_FAILED = 0x03,
  ESPLASH_ROM_ERROR_RECEIVE_FAILED = 0x04,
  ESPLASH_ROM_ERROR_INVALID_FORMAT = 0x05,   /* also: unsupported / not allowed */
  ESPLASH_ROM_ERROR_RESULT_WRONG = 0x06,
  ESPLASH_ROM_ERROR_CHECKSUM = 0x07,
  ESPLASH_ROM_ERROR_FLASH_WRITE = 0x08,
  ESPLASH_ROM_ERROR_FLASH_READ = 0x09,
  ESPLASH_ROM_ERROR_FLASH_READ_LENGTH = 0x0A,
  ESPLASH_ROM_ERROR_DEFLATE = 0x0B,
  ESPLASH_ROM_ERROR_DEFLATE_ADLER = 0x0C,
  ESPLASH_ROM_ERROR_DEFLATE_PARAM = 0x0D,
  ESPLASH_ROM_ERROR_RAM_SIZE = 0x0E,
  ESPLASH_ROM_ERROR_RAM_ADDRESS = 0x0F,
  ESPLASH_ROM_ERROR_PARAM = 0x64,
  ESPLASH_ROM_ERROR_FORMAT = 0x65,
  ESPLASH_ROM_ERROR_DESC_TOO_LONG = 0x66,
  ESPLASH_ROM_ERROR_BAD_ENCODING = 0x67,
  ESPLASH_ROM_ERROR_STORAGE = 0x69,
} EsplashRomError;

/* Stub error codes (first status byte). */
typedef enum {
  ESPLASH_STUB_OK = 0x00,
  ESPLASH_STUB_ERROR_BAD_DATA_LEN = 0xC0,
  ESPLASH_STUB_ERROR_BAD_DATA_CHECKSUM = 0xC1,
  ESPLASH_STUB_ERROR_BAD_BLOCKSIZE = 0xC2,
  ESPLASH_STUB_ERROR_INVALID_COMMAND = 0xC3,
  ESPLASH_STUB_ERROR_FAILED_SPI_OP = 0xC4,
  ESPLASH_STUB_ERROR_FAILED_SPI_UNLOCK = 0xC5,
  ESPLASH_STUB_ERROR_NOT_IN_FLASH_MODE = 0xC6,
  ESPLASH_STUB_ERROR_INFLATE = 0xC7,
  ESPLASH_STUB_ERROR_NOT_ENOUGH_DATA = 0xC8,
  ESPLASH_STUB_ERROR_TOO_MUCH_DATA = 0xC9,
  ESPLASH_STUB_ERROR_NAND_PROGRAM = 0xCA,
  ESPLASH_STUB_ERROR_NAND_ERASE = 0xCB,
  ESPLASH_STUB_ERROR_NOT_IMPLEMENTED = 0xFF,
} EsplashStubError;

const char *esplash_opcode_name    (guint8 opcode);            /* "FLASH_BEGIN", or NULL */
const char *esplash_rom_error_name (guint8 code);              /* or NULL when unknown */
const char *esplash_stub_error_name (guint8 code);             /* or NULL when unknown */
guint8      esplash_checksum       (const guint8 *data, gsize len);
gboolean    esplash_opcode_is_checksummed (guint8 opcode);

/* A request packet (unframed): direction 0, opcode, size, checksum, data. */
GBytes     *esplash_command_build  (guint8        opcode,
                                    const guint8 *data,
                                    gsize         len,
                                    guint32       checksum);

/* Convenience: data made of little-endian 32-bit words. */
GBytes     *esplash_command_build_words (guint8         opcode,
                                         const guint32 *words,
                                         guint          n_words);

/* A *_DATA command: 16-byte header (len, seq, 0, 0) + payload, checksum over payload. */
GBytes     *esplash_command_build_data  (guint8        opcode,
                                         guint32       seq,
                                         const guint8 *payload,
                                         gsize         len);

typedef struct {
  guint8   opcode;
  guint32  value;
  GBytes  *payload;       /* data before the status bytes (may be empty) */
  guint8   status[2];     /* the two meaningful status bytes */
  guint    status_len;    /* 2 or 4 as found on the wire; 0 if too short */
} EsplashResponse;

void     esplash_response_clear (EsplashResponse *response);

/* Parse a response packet (unframed). @expected_payload is the number of
 * payload bytes the command returns before its status (0 for most; 16 stub
 * MD5; 32 ROM MD5; 12/20 security info; 64 READ_FLASH_SLOW). Both 2- and
 * 4-byte status layouts are accepted (the status is located right after the
 * expected payload). Fails with ESPLASH_ERROR_PROTOCOL if the packet is not a
 * response or too short. Does NOT fail on a failure status: see
 * esplash_response_check(). */
gboolean esplash_response_parse (const guint8    *packet,
                                 gsize            len,
                                 gsize            expected_payload,
                                 EsplashResponse *out,
                                 GError         **error);

/* Fails with ESPLASH_ERROR_DEVICE when status[0] != 0; the message names
 * the opcode and the decoded ROM or stub error, e.g.
 * "FLASH_DATA failed: ROM error 0x07 (checksum error)". */
gboolean esplash_response_check (const EsplashResponse *response,
                                 GError               **error);

/* TRUE if this failure is the ROM's "invalid message / unsupported" (01 05). */
gboolean esplash_response_is_unsupported (const EsplashResponse *response);

G_END_DECLS
