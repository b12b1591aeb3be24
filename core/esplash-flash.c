/* esplash-flash.c: writing and verifying flash on a connected device
 * (protocol.md §2.4, §2.5, §2.10, §3, §4; esptool HEAD semantics).
 * Reading and erasing are in esplash-flash-read.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-flash.h"
#include "esplash-flash-private.h"

#include "esplash-device-private.h"
#include "esplash-error.h"
#include "esplash-image.h"

#include <string.h>
#include <zlib.h>

#define SECTOR_SIZE 0x1000u
#define DEFAULT_FLASH_SIZE (4u * 1024 * 1024)
#define WRITE_BLOCK_ATTEMPTS 3
/* §3.4 [HEAD]: erase (ROM BEGIN) and erase+write (DEFL_DATA) budgets. */
#define ERASE_REGION_S_PER_MB 40
#define ERASE_WRITE_S_PER_MB 40
/* The stub inflates into a 32 KiB buffer and may erase a 64 KiB block for
 * each buffer, plus one (§3.4 stub rule). */
#define STUB_INFLATE_CHUNK 32768
#define STUB_ERASE_ALLOWANCE 65536

/**
 * esplash_flash_region_new:
 * @address: flash offset
 * @data: the bytes (kept by reference)
 * @name: (nullable): for messages ("bootloader.bin")
 *
 * Returns: (transfer full): a region
 */
EsplashFlashRegion *
esplash_flash_region_new (guint32     address,
                          GBytes     *data,
                          const char *name)
{
  EsplashFlashRegion *region;

  g_return_val_if_fail (data != NULL, NULL);

  region = g_new0 (EsplashFlashRegion, 1);
  region->address = address;
  region->data = g_bytes_ref (data);
  region->name = g_strdup (name);
  return region;
}

/**
 * esplash_flash_region_free:
 * @region: (nullable) (transfer full): a region
 */
void
esplash_flash_region_free (EsplashFlashRegion *region)
{
  if (region == NULL)
    return;
  g_bytes_unref (region->data);
  g_clear_pointer (&region->previous, g_bytes_unref);
  g_free (region->name);
  g_free (region);
}

/**
 * esplash_flash_region_set_previous:
 * @region: a region
 * @previous: (nullable): the file the flash holds at the region's address
 *   (the one written there last); %NULL to ask the chip instead
 *
 * Lets a write compare with @previous instead of reading MD5s from the
 * chip, as esptool's `--diff-with` does. Only sectors that differ from it
 * are written, so it must really be what the flash holds; the region is
 * verified by MD5 afterwards all the same.
 */
void
esplash_flash_region_set_previous (EsplashFlashRegion *region,
                                   GBytes             *previous)
{
  g_return_if_fail (region != NULL);

  g_clear_pointer (&region->previous, g_bytes_unref);
  if (previous != NULL)
    region->previous = g_bytes_ref (previous);
}

void
esplash_write_options_init (EsplashWriteOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->compress = ESPLASH_COMPRESS_AUTO;
  options->verify = TRUE;
}

gboolean
esplash_flash_require_connected (EsplashDevice  *device,
                                 GError        **error)
{
  if (esplash_device_is_connected (device))
    return TRUE;
  g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                       "Not connected to a chip: connect first");
  return FALSE;
}

char *
esplash_flash_format_size (guint32 bytes)
{
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
    return g_strdup_printf ("%u MB", bytes / (1024 * 1024));
  if (bytes % 1024 == 0)
    return g_strdup_printf ("%u KB", bytes / 1024);
  return g_strdup_printf ("%u bytes", bytes);
}

void
esplash_flash_emit_progress (EsplashDevice *device,
                             EsplashStage   stage,
                             guint          region_index,
                             guint          region_count,
                             guint32        region_address,
                             guint64        region_done,
                             guint64        region_total,
                             guint64        overall_done,
                             guint64        overall_total,
                             guint64        overall_skipped)
{
  EsplashEvent event = { 0 };

  event.kind = ESPLASH_EVENT_PROGRESS;
  event.stage = stage;
  event.region_index = region_index;
  event.region_count = region_count;
  event.region_address = region_address;
  event.region_done = region_done;
  event.region_total = region_total;
  event.overall_done = overall_done;
  event.overall_total = overall_total;
  event.overall_skipped = overall_skipped;
  esplash_device_emit (device, &event);
}

/* Flash size for SPI_SET_PARAMS and the fit check: the option, else the
 * detected size (@known says whether it is more than a default). */
static gboolean
resolve_flash_size (EsplashDevice              *device,
                    const EsplashWriteOptions  *options,
                    guint32                    *size,
                    gboolean                   *known,
                    GCancellable               *cancellable,
                    GError                    **error)
{
  const char *opt = options->flash_size;

  *known = FALSE;
  if (opt != NULL && g_strcmp0 (opt, "keep") != 0 && g_strcmp0 (opt, "detect") != 0)
    {
      *size = esplash_flash_size_parse (opt);
      if (*size == 0)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                       "Unknown flash size “%s”: use for example 4MB, or detect or keep", opt);
          return FALSE;
        }
      *known = TRUE;
      return TRUE;
    }

  if (!esplash_device_ensure_flash_id (device, cancellable, error))
    return FALSE;
  *size = esplash_device_get_flash_size (device);
  if (*size != 0)
    {
      *known = TRUE;
      return TRUE;
    }
  *size = DEFAULT_FLASH_SIZE;
  esplash_device_log (device, ESPLASH_LOG_WARNING,
                      "Could not detect the flash size: assuming 4 MB");
  return TRUE;
}

typedef struct {
  const EsplashFlashRegion *region;
  guint     index;
  guint32   address;      /* possibly aligned down (ROM) */
  GBytes   *image;        /* padded, patched, possibly with 0xFF prepended */
  GBytes   *previous;     /* the region's previous file, laid out like @image; nullable */
  guint8    md5[16];
  EsplashCompress compress;  /* NEVER when the loader cannot */
  GBytes   *compressed;   /* what is sent compressed; NULL: sent plain */
  guint32   progress_offset;  /* a part of a region: where it starts in it */
  guint64   progress_total;   /* the whole region's length */
} Prepared;

static void
prepared_free (gpointer data)
{
  Prepared *p = data;

  g_clear_pointer (&p->image, g_bytes_unref);
  g_clear_pointer (&p->previous, g_bytes_unref);
  g_clear_pointer (&p->compressed, g_bytes_unref);
  g_free (p);
}

/* Pad to 4 bytes with 0xFF; on a ROM align the address down to a sector by
 * prepending 0xFF (§3.2). */
GBytes *
esplash_flash_pad_image (GBytes   *data,
                         gboolean  align_to_sector,
                         guint32  *address)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (data, &len);
  guint32 head = align_to_sector ? *address % SECTOR_SIZE : 0;
  gsize padded = (len + 3) & ~(gsize) 3;
  guint8 *out = g_malloc (head + padded);

  memset (out, 0xFF, head);
  memcpy (out + head, d, len);
  memset (out + head + len, 0xFF, padded - len);
  *address -= head;
  return g_bytes_new_take (out, head + padded);
}

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

static gboolean
loader_can_compress (EsplashDevice *device)
{
  /* Secure Download Mode allows only the plain FLASH_* commands (§2.1). */
  if (esplash_device_is_secure_download_mode (device))
    return FALSE;
  return esplash_device_is_stub (device) || !esplash_device_get_chip (device)->rom_is_esp8266_like;
}

static Prepared *
prepare_region (EsplashDevice              *device,
                const EsplashFlashRegion   *region,
                guint                       index,
                const EsplashWriteOptions  *options,
                guint32                     flash_size,
                gboolean                    size_known,
                GError                    **error)
{
  const EsplashChipInfo *chip = esplash_device_get_chip (device);
  gboolean stub = esplash_device_is_stub (device);
  g_autoptr(GBytes) data = g_bytes_ref (region->data);
  Prepared *p;
  gsize len;
  guint64 end;

  if (region->address == chip->bootloader_offset)
    {
      gboolean secure = esplash_device_is_secure_download_mode (device) ||
        (esplash_device_get_security_info (device)->flags & ESPLASH_SECURITY_SECURE_BOOT_EN) != 0;
      gboolean keep_all = (options->flash_mode == NULL || g_strcmp0 (options->flash_mode, "keep") == 0) &&
                          (options->flash_freq == NULL || g_strcmp0 (options->flash_freq, "keep") == 0) &&
                          (options->flash_size == NULL || g_strcmp0 (options->flash_size, "keep") == 0);

      if (secure && !keep_all)
        {
          esplash_device_log (device, ESPLASH_LOG_WARNING,
                              "Security features enabled, so not changing any flash settings");
        }
      else if (!keep_all)
        {
          g_autofree char *message = NULL;
          g_autoptr(GBytes) patched = NULL;

          patched = esplash_image_patch_flash_params (data, chip, options->flash_mode,
                                                      options->flash_freq, options->flash_size,
                                                      size_known ? flash_size : 0,
                                                      &message, error);
          if (patched == NULL)
            return NULL;
          if (message != NULL)
            esplash_device_log (device, ESPLASH_LOG_INFO, "%s", message);
          g_bytes_unref (data);
          data = g_steal_pointer (&patched);
        }
    }

  p = g_new0 (Prepared, 1);
  p->region = region;
  p->index = index;
  p->address = region->address;
  p->image = esplash_flash_pad_image (data, !stub, &p->address);
  if (region->previous != NULL)
    {
      guint32 at = region->address;

      p->previous = esplash_flash_pad_image (region->previous, !stub, &at);
    }
  len = g_bytes_get_size (p->image);
  esplash_flash_md5_of (g_bytes_get_data (p->image, NULL), len, p->md5);

  end = (guint64) p->address + len;
  if (size_known && end > flash_size)
    {
      g_autofree char *size_text = esplash_flash_format_size (flash_size);

      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_IMAGE_TOO_LARGE,
                   "%s (%" G_GSIZE_FORMAT " bytes at 0x%X) ends at 0x%" G_GINT64_MODIFIER "X, "
                   "beyond the %s flash", esplash_flash_region_label (region),
                   g_bytes_get_size (region->data), region->address, end, size_text);
      prepared_free (p);
      return NULL;
    }

  /* Compressed per part at write time: unchanged parts are never sent. */
  p->compress = loader_can_compress (device) ? options->compress : ESPLASH_COMPRESS_NEVER;
  p->progress_total = len;
  return p;
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
  for (guint attempt = 1; ; attempt++)
    {
      GError *local_error = NULL;

      if (esplash_device_command_packet (device, packet, 0, timeout_ms, TRUE, NULL, cancellable,
                                         &local_error))
        return TRUE;
      /* esptool retries a block; only a lost or garbled reply is worth it. */
      if (attempt >= WRITE_BLOCK_ATTEMPTS ||
          !(g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT) ||
            g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_PROTOCOL)))
        {
          g_propagate_prefixed_error (error, local_error, "Writing block %u: ", seq);
          return FALSE;
        }
      esplash_device_log (device, ESPLASH_LOG_DEBUG, "Block %u: %s; retrying (%u attempts left)",
                          seq, local_error->message, WRITE_BLOCK_ATTEMPTS - attempt);
      g_clear_error (&local_error);
    }
}

typedef struct {
  guint   count;
  guint64 overall_done;
  guint64 overall_total;
  guint64 overall_skipped;
} WriteTotals;

static void
region_progress (EsplashDevice    *device,
                 const Prepared   *p,
                 const WriteTotals *totals,
                 guint64           done)
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
                  const Prepared    *p,
                  const WriteTotals *totals,
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
          region_progress (device, p, totals, done);
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
  region_progress (device, p, totals, len);
  return TRUE;
}

static gboolean
write_plain (EsplashDevice     *device,
             const Prepared    *p,
             const WriteTotals *totals,
             GCancellable      *cancellable,
             GError           **error)
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
      region_progress (device, p, totals, off + n);
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

/* Writes [@offset, @offset + @len) of a prepared region: compressed where the
 * loader can and (AUTO) it pays. */
static gboolean
write_part (EsplashDevice     *device,
            const Prepared    *p,
            const WriteTotals *totals,
            guint32            offset,
            guint32            len,
            GCancellable      *cancellable,
            GError           **error)
{
  Prepared part = *p;
  g_autoptr(GBytes) slice = g_bytes_new_from_bytes (p->image, offset, len);
  g_autoptr(GBytes) z = NULL;

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
  return write_plain (device, &part, totals, cancellable, error);
}

/* Writes a prepared region, only the parts that differ from the flash when
 * @skip. *@verified is set when the comparison found it all unchanged. */
static gboolean
write_region (EsplashDevice     *device,
              const Prepared    *p,
              WriteTotals       *totals,
              gboolean           skip,
              guint32           *written,
              gboolean          *verified,
              GCancellable      *cancellable,
              GError           **error)
{
  guint32 len = (guint32) g_bytes_get_size (p->image);
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (EsplashFlashRun));
  guint32 changed = 0;

  *verified = FALSE;
  *written = len;
  if (!skip || (p->previous != NULL ? p->address % SECTOR_SIZE != 0
                                     : !esplash_flash_can_skip (device, p->address)))
    return write_part (device, p, totals, 0, len, cancellable, error);

  if (p->previous != NULL)
    {
      /* What the caller says the flash holds: no need to ask the chip, but
       * then nothing is verified yet either. */
      esplash_device_log (device, ESPLASH_LOG_INFO, "Comparing %s with the file written "
                          "there before...", esplash_flash_region_label (p->region));
      esplash_flash_diff_runs (p->image, p->previous, runs);
    }
  else
    {
      esplash_device_log (device, ESPLASH_LOG_INFO, "Comparing %s with the flash at 0x%08X...",
                          esplash_flash_region_label (p->region), p->address);
      if (!esplash_flash_find_changed (device, p->address, p->image, runs, cancellable, error))
        return FALSE;
    }
  for (guint i = 0; i < runs->len; i++)
    changed += g_array_index (runs, EsplashFlashRun, i).len;
  esplash_device_log (device, ESPLASH_LOG_INFO, "%s: %u of %u KiB unchanged%s",
                      esplash_flash_region_label (p->region), (len - changed + 512) / 1024,
                      (len + 512) / 1024, changed == 0 ? ", nothing to write" : "");
  totals->overall_skipped += len - changed;
  *written = changed;

  for (guint i = 0; i < runs->len; i++)
    {
      const EsplashFlashRun *run = &g_array_index (runs, EsplashFlashRun, i);

      if (!write_part (device, p, totals, run->offset, run->len, cancellable, error))
        return FALSE;
    }
  *verified = runs->len == 0 && p->previous == NULL;
  return TRUE;
}

/**
 * esplash_flash_write:
 * @device: a connected device
 * @regions: (element-type EsplashFlashRegion): what to write, in order
 * @options: (nullable): write options; %NULL for the defaults
 * @cancellable: (nullable): cancels the write
 * @error: the reason it failed
 *
 * Writes every region (each padded with 0xFF to 4 bytes, moved down to a
 * 4 KiB boundary for the ROM loader, compressed where it helps), then
 * verifies each by MD5 unless @options says not to or the loader cannot
 * (ESP8266 ROM: logged).
 *
 * Returns: %TRUE when every region was written (and verified)
 */
gboolean
esplash_flash_write (EsplashDevice              *device,
                     GPtrArray                  *regions,
                     const EsplashWriteOptions  *options,
                     GCancellable               *cancellable,
                     GError                    **error)
{
  g_autoptr(GPtrArray) prepared = g_ptr_array_new_with_free_func (prepared_free);
  EsplashWriteOptions defaults;
  WriteTotals totals = { 0 };
  guint32 flash_size;
  gboolean size_known, verify;

  g_return_val_if_fail (ESPLASH_IS_DEVICE (device), FALSE);
  g_return_val_if_fail (regions != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options == NULL)
    {
      esplash_write_options_init (&defaults);
      options = &defaults;
    }
  if (!esplash_flash_require_connected (device, error))
    return FALSE;

  if (options->erase_all && !esplash_flash_erase_all (device, cancellable, error))
    return FALSE;

  if (!esplash_device_ensure_flash_attached (device, cancellable, error) ||
      !resolve_flash_size (device, options, &flash_size, &size_known, cancellable, error) ||
      !esplash_device_set_flash_params (device, flash_size, cancellable, error))
    return FALSE;

  /* Check everything before the first byte is written. */
  for (guint i = 0; i < regions->len; i++)
    {
      const EsplashFlashRegion *region = g_ptr_array_index (regions, i);
      Prepared *p;

      if (g_bytes_get_size (region->data) == 0)
        {
          esplash_device_log (device, ESPLASH_LOG_WARNING,
                              "Skipping %s at 0x%X: the file is empty", esplash_flash_region_label (region),
                              region->address);
          continue;
        }
      p = prepare_region (device, region, i, options, flash_size, size_known, error);
      if (p == NULL)
        return FALSE;
      totals.overall_total += g_bytes_get_size (p->image);
      g_ptr_array_add (prepared, p);
    }
  totals.count = regions->len;
  verify = options->verify && prepared->len > 0 && esplash_flash_can_verify (device);

  for (guint i = 0; i < prepared->len; i++)
    {
      Prepared *p = g_ptr_array_index (prepared, i);
      gsize len = g_bytes_get_size (p->image);
      GError *local_error = NULL;
      gboolean ok, verified;
      guint32 written;

      esplash_device_stage_region (device, ESPLASH_STAGE_WRITING, p->index, totals.count,
                                   p->region->address);
      region_progress (device, p, &totals, 0);
      ok = write_region (device, p, &totals, !options->no_skip && !options->erase_all,
                         &written, &verified, cancellable, &local_error);
      if (!ok)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, local_error);
          else
            g_propagate_prefixed_error (error, local_error, "Writing %s at 0x%X: ",
                                        esplash_flash_region_label (p->region), p->region->address);
          return FALSE;
        }
      region_progress (device, p, &totals, len);
      totals.overall_done += len;
      if (written == len)
        esplash_device_log (device, ESPLASH_LOG_INFO, "Wrote %" G_GSIZE_FORMAT " bytes at 0x%08X",
                            len, p->address);
      else if (written > 0)
        esplash_device_log (device, ESPLASH_LOG_INFO, "Wrote %u of %" G_GSIZE_FORMAT " bytes at "
                            "0x%08X (the rest was unchanged)", written, len, p->address);

      /* the comparison's MD5 of the whole region checked it already */
      if (verify && verified)
        esplash_device_log (device, ESPLASH_LOG_INFO, "Hash of data verified.");
      else if (verify)
        {
          esplash_device_stage_region (device, ESPLASH_STAGE_VERIFYING, p->index, totals.count,
                                       p->region->address);
          if (!esplash_flash_verify_region (device, p->region, p->address, p->image, p->md5, cancellable, error))
            return FALSE;
        }
    }
  return TRUE;
}
