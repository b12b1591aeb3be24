/* esplash-flash-write.c: sending one part of a prepared region — BEGIN, the
 * data blocks (compressed or plain, the last plain block padded with 0xFF),
 * END for the stub — with the per-loader timeouts and the ESP8266 ROM's
 * erase-size rules (protocol.md §2.4, §2.5, §3.3, §3.4). What to write, and
 * resuming after a lost session, are in esplash-flash.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-flash-private.h"

#include "esplash-device-private.h"
#include "esplash-error.h"

#include <string.h>
#include <zlib.h>

#define SECTOR_SIZE 0x1000u
/* §3.4 [HEAD]: erase (ROM BEGIN) and erase+write (DEFL_DATA) budgets. */
#define ERASE_REGION_S_PER_MB 40
#define ERASE_WRITE_S_PER_MB 40
/* The stub inflates into a 32 KiB buffer and may erase a 64 KiB block for
 * each buffer, plus one (§3.4 stub rule). */
#define STUB_INFLATE_CHUNK 32768
#define STUB_ERASE_ALLOWANCE 65536

static GBytes *
deflate_image (GBytes  *image,
               GError **error)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (image, &len);
  uLongf zlen = compressBound ((uLong) len);
  guint8 *z = g_malloc (zlen);
  int rc = compress2 (z, &zlen, d, (uLong) len, Z_BEST_COMPRESSION);

  if (rc != Z_OK)
    {
      g_free (z);
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                   "Compressing the image failed (zlib error %d)", rc);
      return NULL;
    }
  return g_bytes_new_take (z, zlen);
}

/* ESP8266 ROM erase-size workaround (§3.3): its erase counts the part up to
 * the next 64 KiB boundary twice. */
static guint32
esp8266_rom_erase_size (guint32 offset,
                        guint32 size)
{
  guint32 sectors = (size + SECTOR_SIZE - 1) / SECTOR_SIZE;
  guint32 start = offset / SECTOR_SIZE;
  guint32 head = MIN (16 - start % 16, sectors);

  if (sectors < 2 * head)
    return (sectors + 1) / 2 * SECTOR_SIZE;
  return (sectors - head) * SECTOR_SIZE;
}

/* The stub acks a block before writing it: what block k inflates to bounds
 * how long block k+1 (or the END) may wait (§3.4 [HEAD]). */
static guint
stub_next_timeout (guint64 inflated)
{
  guint64 chunks = (inflated + STUB_INFLATE_CHUNK - 1) / STUB_INFLATE_CHUNK + 1;

  return esplash_timeout_per_mb (ERASE_WRITE_S_PER_MB, inflated + chunks * STUB_ERASE_ALLOWANCE);
}

static gboolean
send_block (EsplashDevice  *device,
            GBytes         *packet,
            guint32         seq,
            guint           timeout_ms,
            GCancellable   *cancellable,
            GError        **error)
{
  /* A ROM's block is sent again by the command layer when its reply is
   * lost or damaged (esptool's WRITE_BLOCK_ATTEMPTS); a stub's is not — it
   * may have taken it — and the write resumes from the flash's MD5s. */
  if (esplash_device_command_packet (device, packet, 0, timeout_ms, TRUE, NULL, cancellable,
                                     error))
    return TRUE;
  g_prefix_error (error, "Writing block %u: ", seq);
  return FALSE;
}


void
esplash_flash_region_progress (EsplashDevice              *device,
                               const EsplashFlashPrepared *p,
                               const EsplashFlashTotals   *totals,
                               guint64                     done)
{
  guint64 at = p->progress_offset + done;

  esplash_flash_emit_progress (device, ESPLASH_STAGE_WRITING, p->index, totals->count,
                               p->region->address, at, p->progress_total,
                               totals->overall_done + at, totals->overall_total,
                               totals->overall_skipped);
}

static gboolean
begin_words (EsplashDevice *device,
             guint8         opcode,
             guint32        size_word,
             guint32        blocks,
             guint32        bs,
             guint32        address,
             guint          timeout_ms,
             GCancellable  *cancellable,
             GError       **error)
{
  /* HEAD: the 5th "encrypted" word goes to every stub and to the ROMs that
   * take it (all but ESP32 and ESP8266). */
  guint32 words[5] = { size_word, blocks, bs, address, 0 };
  guint n = (esplash_device_is_stub (device) ||
             esplash_device_get_chip (device)->rom_begin_has_encrypt_word) ? 5 : 4;

  return esplash_device_command_words (device, opcode, words, n, 0, timeout_ms, TRUE, NULL,
                                       cancellable, error);
}

static gboolean
write_compressed (EsplashDevice     *device,
                  const EsplashFlashPrepared    *p,
                  const EsplashFlashTotals *totals,
                  GCancellable      *cancellable,
                  GError           **error)
{
  gboolean stub = esplash_device_is_stub (device);
  guint bs = esplash_device_flash_block_size (device);
  gsize len, zlen;
  const guint8 *z = g_bytes_get_data (p->compressed, &zlen);
  guint32 blocks = (guint32) ((zlen + bs - 1) / bs);
  guint32 size_word, seq;
  guint64 done = 0;
  guint timeout = ESPLASH_DEFAULT_TIMEOUT_MS, next_timeout = ESPLASH_DEFAULT_TIMEOUT_MS;
  z_stream zs = { 0 };
  guint8 *sink;
  gboolean ok = TRUE;

  len = g_bytes_get_size (p->image);
  /* The ROM erases what it is told right away, in whole blocks (§2.5). */
  size_word = stub ? (guint32) len : (guint32) ((len + bs - 1) / bs * bs);
  esplash_device_log (device, ESPLASH_LOG_INFO, "Compressed %" G_GSIZE_FORMAT " bytes to %"
                      G_GSIZE_FORMAT "...", len, zlen);
  if (!begin_words (device, ESPLASH_OP_FLASH_DEFL_BEGIN, size_word, blocks, bs, p->address,
                    stub ? ESPLASH_DEFAULT_TIMEOUT_MS
                         : esplash_timeout_per_mb (ERASE_REGION_S_PER_MB, size_word),
                    cancellable, error))
    return FALSE;

  if (inflateInit (&zs) != Z_OK)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED, "zlib inflateInit failed");
      return FALSE;
    }
  sink = g_malloc (STUB_INFLATE_CHUNK);

  for (seq = 0; seq < blocks && ok; seq++)
    {
      gsize off = (gsize) seq * bs;
      gsize n = MIN (bs, zlen - off);
      guint64 inflated = 0;
      g_autoptr(GBytes) packet = NULL;

      /* How much this block inflates to, for its timeout and the progress. */
      zs.next_in = (Bytef *) (z + off);
      zs.avail_in = (uInt) n;
      do
        {
          int rc;

          zs.next_out = sink;
          zs.avail_out = STUB_INFLATE_CHUNK;
          rc = inflate (&zs, Z_NO_FLUSH);
          inflated += STUB_INFLATE_CHUNK - zs.avail_out;
          if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            break;
          if (rc == Z_STREAM_END)
            break;
        }
      while (zs.avail_in > 0 || zs.avail_out == 0);

      if (stub)
        {
          timeout = next_timeout;
          next_timeout = stub_next_timeout (inflated);
        }
      else
        {
          timeout = esplash_timeout_per_mb (ERASE_WRITE_S_PER_MB, inflated);
        }

      packet = esplash_command_build_data (ESPLASH_OP_FLASH_DEFL_DATA, seq, z + off, n);
      ok = send_block (device, packet, seq, timeout, cancellable, error);
      if (ok)
        {
          done = MIN (done + inflated, (guint64) len);
          esplash_flash_region_progress (device, p, totals, done);
        }
    }
  inflateEnd (&zs);
  g_free (sink);
  if (!ok)
    return FALSE;

  /* Only the stub gets the END: it answers once the last block is written.
   * A ROM would leave the loader (§4). */
  if (stub)
    {
      guint32 stay = 1;

      if (!esplash_device_command_words (device, ESPLASH_OP_FLASH_DEFL_END, &stay, 1, 0,
                                         next_timeout, TRUE, NULL, cancellable, error))
        return FALSE;
    }
  esplash_flash_region_progress (device, p, totals, len);
  return TRUE;
}

static gboolean
write_plain (EsplashDevice              *device,
             const EsplashFlashPrepared *p,
             const EsplashFlashTotals   *totals,
             guint32                    *acked,
             GCancellable               *cancellable,
             GError                    **error)
{
  gboolean stub = esplash_device_is_stub (device);
  const EsplashChipInfo *chip = esplash_device_get_chip (device);
  guint bs = esplash_device_flash_block_size (device);
  gsize len;
  const guint8 *d = g_bytes_get_data (p->image, &len);
  guint32 blocks = (guint32) ((len + bs - 1) / bs);
  guint32 erase_size = (guint32) len;
  guint timeout = ESPLASH_DEFAULT_TIMEOUT_MS, next_timeout = ESPLASH_DEFAULT_TIMEOUT_MS;
  g_autofree guint8 *block = g_malloc (bs);

  if (!stub && chip->rom_is_esp8266_like)
    erase_size = esp8266_rom_erase_size (p->address, (guint32) len);
  if (!begin_words (device, ESPLASH_OP_FLASH_BEGIN, erase_size, blocks, bs, p->address,
                    stub ? ESPLASH_DEFAULT_TIMEOUT_MS
                         : esplash_timeout_per_mb (ERASE_REGION_S_PER_MB, len),
                    cancellable, error))
    return FALSE;

  for (guint32 seq = 0; seq < blocks; seq++)
    {
      gsize off = (gsize) seq * bs;
      gsize n = MIN (bs, len - off);
      g_autoptr(GBytes) packet = NULL;

      /* Every FLASH_DATA carries a whole block: the last one padded with 0xFF. */
      memcpy (block, d + off, n);
      memset (block + n, 0xFF, bs - n);
      if (stub)
        {
          timeout = next_timeout;
          next_timeout = stub_next_timeout (bs);
        }
      packet = esplash_command_build_data (ESPLASH_OP_FLASH_DATA, seq, block, bs);
      if (!send_block (device, packet, seq, timeout, cancellable, error))
        return FALSE;
      *acked = (guint32) (off + n);
      esplash_flash_region_progress (device, p, totals, off + n);
    }

  if (stub)
    {
      guint32 stay = 1;

      if (!esplash_device_command_words (device, ESPLASH_OP_FLASH_END, &stay, 1, 0,
                                         next_timeout, TRUE, NULL, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* The ESP8266 ROM erases one sector too many when told to write an odd
 * number of sectors below twice the sectors up to the next 64 KiB boundary:
 * esptool's erase-size workaround (§3.3) can only ask for an even count
 * there. Such a part is written as all but its last sector, then its last
 * two sectors again under their own BEGIN: both counts are erased exactly,
 * and the sector written twice holds the same bytes. Returns the split
 * point (0: none), and warns about what cannot be split (one sector). */
static guint32
esp8266_rom_split (EsplashDevice *device,
                   guint32        address,
                   guint32        len)
{
  guint32 sectors = (len + SECTOR_SIZE - 1) / SECTOR_SIZE;
  guint32 start = address / SECTOR_SIZE;
  guint32 head = MIN (16 - start % 16, sectors);

  if (sectors % 2 == 0 || sectors >= 2 * head)
    return 0;
  if (sectors == 1)
    {
      esplash_device_log (device, ESPLASH_LOG_WARNING,
                          "The ESP8266 ROM loader cannot erase one sector alone: the sector at "
                          "0x%08X, after the one written at 0x%08X, is erased too. Use the "
                          "flasher stub (leave out --no-stub) to keep its contents.",
                          address + SECTOR_SIZE, address);
      return 0;
    }
  return (sectors - 1) * SECTOR_SIZE;
}

/**
 * esplash_flash_write_part:
 * @acked: (out): how far into the region the loader acknowledged the data,
 *   in order (a ROM writes a block before it answers, so that much is on
 *   the flash; a stub answers first): where a write without MD5s resumes
 *
 * Writes [@offset, @offset + @len) of a prepared region: compressed where
 * the loader can and (AUTO) it pays.
 */
gboolean
esplash_flash_write_part (EsplashDevice              *device,
                          const EsplashFlashPrepared *p,
                          const EsplashFlashTotals   *totals,
                          guint32                     offset,
                          guint32                     len,
                          guint32                    *acked,
                          GCancellable               *cancellable,
                          GError                    **error)
{
  EsplashFlashPrepared part = *p;
  g_autoptr(GBytes) slice = g_bytes_new_from_bytes (p->image, offset, len);
  g_autoptr(GBytes) z = NULL;
  guint32 split = 0, done = 0;

  *acked = offset;
  part.address = p->address + offset;
  part.image = slice;
  part.progress_offset = offset;
  part.compressed = NULL;
  if (p->compress != ESPLASH_COMPRESS_NEVER)
    {
      z = deflate_image (slice, error);
      if (z == NULL)
        return FALSE;
      /* AUTO drops compression when it does not pay (HEAD). */
      if (p->compress == ESPLASH_COMPRESS_ALWAYS || g_bytes_get_size (z) < len)
        part.compressed = z;
    }
  esplash_device_log (device, ESPLASH_LOG_INFO, "Writing %s at 0x%08X (%u bytes%s)...",
                      esplash_flash_region_label (p->region), part.address, len,
                      part.compressed != NULL ? ", compressed" : "");
  if (part.compressed != NULL)
    return write_compressed (device, &part, totals, cancellable, error);

  if (!esplash_device_is_stub (device) && esplash_device_get_chip (device)->rom_is_esp8266_like)
    split = esp8266_rom_split (device, part.address, len);
  if (split == 0)
    {
      gboolean ok = write_plain (device, &part, totals, &done, cancellable, error);

      *acked = offset + done;
      return ok;
    }

  {
    g_autoptr(GBytes) first = g_bytes_new_from_bytes (p->image, offset, split);
    g_autoptr(GBytes) last = g_bytes_new_from_bytes (p->image, offset + split - SECTOR_SIZE,
                                                     len - split + SECTOR_SIZE);
    EsplashFlashPrepared tail = part;

    esplash_device_log (device, ESPLASH_LOG_DEBUG, "ESP8266 ROM: %u sectors written as %u, "
                        "then the last 2, so that it erases no sector after them",
                        (len + SECTOR_SIZE - 1) / SECTOR_SIZE, split / SECTOR_SIZE);
    part.image = first;
    if (!write_plain (device, &part, totals, &done, cancellable, error))
      {
        *acked = offset + done;
        return FALSE;
      }
    /* the tail's BEGIN erases the sector before the split again */
    *acked = offset + split - SECTOR_SIZE;
    tail.image = last;
    tail.address = part.address + split - SECTOR_SIZE;
    tail.progress_offset = offset + split - SECTOR_SIZE;
    done = 0;
    if (!write_plain (device, &tail, totals, &done, cancellable, error))
      {
        *acked = offset + split - SECTOR_SIZE + done;
        return FALSE;
      }
    *acked = offset + len;
    return TRUE;
  }
}
