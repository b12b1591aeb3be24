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

#define SECTOR_SIZE 0x1000u
#define DEFAULT_FLASH_SIZE (4u * 1024 * 1024)
/* Sessions taken up again (esplash_device_recover()) in one write before
 * it gives up: each fault on a line costs one. */
#define WRITE_RECOVERIES 8

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


static void
prepared_free (gpointer data)
{
  EsplashFlashPrepared *p = data;

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


static gboolean
loader_can_compress (EsplashDevice *device)
{
  /* Secure Download Mode allows only the plain FLASH_* commands (§2.1). */
  if (esplash_device_is_secure_download_mode (device))
    return FALSE;
  return esplash_device_is_stub (device) || !esplash_device_get_chip (device)->rom_is_esp8266_like;
}

static EsplashFlashPrepared *
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
  EsplashFlashPrepared *p;
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

  p = g_new0 (EsplashFlashPrepared, 1);
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

/* Writes a prepared region, only the parts that differ from the flash when
 * @skip. *@verified is set when the comparison found it all unchanged. */
static gboolean
write_region (EsplashDevice               *device,
              const EsplashFlashPrepared  *p,
              EsplashFlashTotals          *totals,
              gboolean                     skip,
              guint32                     *written,
              gboolean                    *verified,
              guint                       *budget,
              GCancellable                *cancellable,
              GError                     **error)
{
  guint32 len = (guint32) g_bytes_get_size (p->image);
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (EsplashFlashRun));
  guint32 changed = 0;

  *verified = FALSE;
  *written = len;
  if (!skip || (p->previous != NULL ? p->address % SECTOR_SIZE != 0
                                     : !esplash_flash_can_skip (device, p->address)))
    {
      g_array_append_vals (runs, &(EsplashFlashRun) { 0, len }, 1);
      return esplash_flash_write_runs_guarded (device, p, totals, runs, budget, cancellable, error);
    }

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
      GError *local_error = NULL;

      esplash_device_log (device, ESPLASH_LOG_INFO, "Comparing %s with the flash at 0x%08X...",
                          esplash_flash_region_label (p->region), p->address);
      while (!esplash_flash_find_changed (device, p->address, p->image, runs, cancellable,
                                          &local_error))
        {
          if (!esplash_flash_recover_session (device, local_error, budget, cancellable, error))
            return FALSE;
          local_error = NULL;
        }
    }
  for (guint i = 0; i < runs->len; i++)
    changed += g_array_index (runs, EsplashFlashRun, i).len;
  esplash_device_log (device, ESPLASH_LOG_INFO, "%s: %u of %u KiB unchanged%s",
                      esplash_flash_region_label (p->region), (len - changed + 512) / 1024,
                      (len + 512) / 1024, changed == 0 ? ", nothing to write" : "");
  totals->overall_skipped += len - changed;
  *written = changed;

  if (!esplash_flash_write_runs_guarded (device, p, totals, runs, budget, cancellable, error))
    return FALSE;
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
  EsplashFlashTotals totals = { 0 };
  guint budget = WRITE_RECOVERIES;
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
      EsplashFlashPrepared *p;

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
  totals.flash_size = size_known ? flash_size : 0;
  verify = options->verify && prepared->len > 0 && esplash_flash_can_verify (device);

  for (guint i = 0; i < prepared->len; i++)
    {
      EsplashFlashPrepared *p = g_ptr_array_index (prepared, i);
      gsize len = g_bytes_get_size (p->image);
      GError *local_error = NULL;
      gboolean ok, verified;
      guint32 written;

      esplash_device_stage_region (device, ESPLASH_STAGE_WRITING, p->index, totals.count,
                                   p->region->address);
      esplash_flash_region_progress (device, p, &totals, 0);
      ok = write_region (device, p, &totals, !options->no_skip && !options->erase_all,
                         &written, &verified, &budget, cancellable, &local_error);
      if (!ok)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, local_error);
          else
            g_propagate_prefixed_error (error, local_error, "Writing %s at 0x%X: ",
                                        esplash_flash_region_label (p->region), p->region->address);
          return FALSE;
        }
      esplash_flash_region_progress (device, p, &totals, len);
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
      else if (verify &&
               !esplash_flash_verify_region_resuming (device, p, &totals, &budget, cancellable, error))
        return FALSE;
    }
  return TRUE;
}
