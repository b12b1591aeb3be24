/* esplash-flash-skip.c: which parts of an image the flash already holds.
 *
 * The loader's SPI_FLASH_MD5 (§2.10) is asked about the whole region first:
 * when it matches, nothing is written and the region is verified already.
 * Otherwise the region is split into 64 KiB spans and the differing spans
 * into 4 KiB sectors, so one changed sector in a 1 MiB image costs 33 MD5
 * round trips (a few milliseconds each) instead of a megabyte on the wire.
 * A span that reads erased (0xFF) is written whole without looking closer:
 * a fresh board costs one MD5 query per region.
 * The same holds for the ROM loader: one MD5 reply is ~60 bytes, while a
 * sector takes 4 KiB on the line, so asking always pays where the loader has
 * the command (not the ESP8266 ROM, not Secure Download Mode).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-device-private.h"
#include "esplash-flash.h"
#include "esplash-flash-private.h"

#define SECTOR_SIZE 0x1000u
#define SPAN_SIZE   0x10000u

gboolean
esplash_flash_can_skip (EsplashDevice *device,
                        guint32        address)
{
  if (address % SECTOR_SIZE != 0 || esplash_device_is_secure_download_mode (device))
    return FALSE;
  return esplash_device_is_stub (device) ||
         !esplash_device_get_chip (device)->rom_is_esp8266_like;
}

static void
add_run (GArray  *runs,
         guint32  offset,
         guint32  len)
{
  if (runs->len > 0)
    {
      EsplashFlashRun *last = &g_array_index (runs, EsplashFlashRun, runs->len - 1);

      if (last->offset + last->len == offset)
        {
          last->len += len;
          return;
        }
    }
  g_array_append_vals (runs, &(EsplashFlashRun) { offset, len }, 1);
}

/* Compares [@offset, @offset + @len) of @data with the flash at @address +
 * @offset; a differing span is looked at in pieces of @piece bytes, down to
 * a sector. */
static gboolean
compare_span (EsplashDevice  *device,
              guint32         address,
              const guint8   *data,
              guint32         offset,
              guint32         len,
              guint32         piece,
              GArray         *runs,
              guint          *queries,
              GCancellable   *cancellable,
              GError        **error)
{
  guint8 want[16], have[16];

  g_autofree guint8 *erased = NULL;
  guint8 blank[16];

  esplash_flash_md5_of (data + offset, len, want);
  if (!esplash_flash_md5 (device, address + offset, len, have, cancellable, error))
    return FALSE;
  (*queries)++;
  if (memcmp (want, have, sizeof want) == 0)
    return TRUE;
  /* Erased flash (a new board, after erase-flash) holds nothing worth
   * looking for: write the span whole. */
  erased = g_malloc (len);
  memset (erased, 0xFF, len);
  esplash_flash_md5_of (erased, len, blank);
  if (len <= SECTOR_SIZE || memcmp (have, blank, sizeof have) == 0)
    {
      add_run (runs, offset, len);
      return TRUE;
    }
  for (guint32 at = offset; at < offset + len; at += piece)
    if (!compare_span (device, address, data, at, MIN (piece, offset + len - at),
                       piece > SPAN_SIZE ? SPAN_SIZE : SECTOR_SIZE, runs, queries,
                       cancellable, error))
      return FALSE;
  return TRUE;
}

/**
 * esplash_flash_find_changed:
 * @device: a connected device whose loader has SPI_FLASH_MD5
 * @address: where @image goes (a multiple of 4 KiB)
 * @image: the padded image
 * @runs: (element-type EsplashFlashRun): filled with the parts that differ,
 *   in order, adjacent sectors merged; empty when the flash holds @image
 *
 * Returns: %TRUE when @runs says what to write
 */
gboolean
esplash_flash_find_changed (EsplashDevice  *device,
                            guint32         address,
                            GBytes         *image,
                            GArray         *runs,
                            GCancellable   *cancellable,
                            GError        **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (image, &len);
  guint queries = 0;

  g_array_set_size (runs, 0);
  if (len == 0)
    return TRUE;
  if (!compare_span (device, address, data, 0, (guint32) len,
                     len > SPAN_SIZE ? SPAN_SIZE : SECTOR_SIZE, runs, &queries,
                     cancellable, error))
    return FALSE;
  esplash_device_log (device, ESPLASH_LOG_DEBUG, "Compared 0x%X bytes at 0x%08X with %u MD5 "
                      "queries: %u run%s differ", (guint) len, address, queries, runs->len,
                      runs->len == 1 ? "" : "s");
  return TRUE;
}

/* The sectors of @image that differ from @previous (laid out the same way;
 * where @previous is shorter, everything past its end differs). */
void
esplash_flash_diff_runs (GBytes *image,
                         GBytes *previous,
                         GArray *runs)
{
  gsize len, plen;
  const guint8 *data = g_bytes_get_data (image, &len);
  const guint8 *old = g_bytes_get_data (previous, &plen);

  g_array_set_size (runs, 0);
  for (gsize at = 0; at < len; at += SECTOR_SIZE)
    {
      gsize n = MIN ((gsize) SECTOR_SIZE, len - at);

      if (at + n > plen || memcmp (data + at, old + at, n) != 0)
        add_run (runs, (guint32) at, (guint32) n);
    }
}
