/* esplash-flash-resume.c: a write that goes on after its session was lost
 * (esplash_device_recover()): what the flash holds decides what is sent
 * again — never a block the loader may have taken already; the sectors on
 * either side of a region are checked before and after it is written; a
 * verification that fails writes the sectors that differ once more
 * (docs/reliability.md, "What is retried").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-flash-private.h"

#include "esplash-device-private.h"
#include "esplash-error.h"

#include <string.h>

#define SECTOR_SIZE 0x1000u
#define DEFAULT_FLASH_SIZE (4u * 1024 * 1024)

/* Takes the session up again after @cause, if it is worth it and the write
 * has recoveries left; @cause is consumed either way. */
gboolean
esplash_flash_recover_session (EsplashDevice  *device,
                 GError         *cause,
                 guint          *budget,
                 GCancellable   *cancellable,
                 GError        **error)
{
  GError *local_error = NULL;

  if (!esplash_device_error_is_recoverable (device, cause) || *budget == 0)
    {
      g_propagate_error (error, cause);
      return FALSE;
    }
  (*budget)--;
  if (!esplash_device_recover (device, cause, cancellable, &local_error))
    {
      /* What took it down first is the better explanation, unless the
       * chip or the port was found gone since. */
      if (local_error->domain == ESPLASH_ERROR &&
          (local_error->code == ESPLASH_ERROR_CHIP_RESET ||
           local_error->code == ESPLASH_ERROR_PORT_GONE ||
           local_error->code == ESPLASH_ERROR_UNSUPPORTED_CHIP))
        {
          g_propagate_error (error, local_error);
          g_error_free (cause);
        }
      else
        {
          g_propagate_error (error, cause);
          esplash_device_log (device, ESPLASH_LOG_DEBUG, "Recovery failed: %s",
                              local_error->message);
          g_error_free (local_error);
        }
      return FALSE;
    }
  return TRUE;
}

static gboolean
rom_is_esp8266 (EsplashDevice *device)
{
  return !esplash_device_is_stub (device) && esplash_device_get_chip (device)->rom_is_esp8266_like;
}

/* What of [@offset, @offset + @len) is still to be written after the session
 * was lost: the sectors whose MD5 differs where the loader has MD5s; else
 * (the ESP8266 ROM) from the sector the ROM's in-order acknowledgements
 * reached (@acked: it writes a block before answering). */
static gboolean
remaining_runs (EsplashDevice               *device,
                const EsplashFlashPrepared  *p,
                guint32                      offset,
                guint32                      len,
                guint32                      acked,
                GArray                      *runs,
                GCancellable                *cancellable,
                GError                     **error)
{
  guint32 from = offset;

  g_array_set_size (runs, 0);
  if (esplash_flash_can_skip (device, p->address + offset))
    {
      g_autoptr(GBytes) slice = g_bytes_new_from_bytes (p->image, offset, len);

      if (!esplash_flash_find_changed (device, p->address + offset, slice, runs, cancellable,
                                       error))
        return FALSE;
      for (guint i = 0; i < runs->len; i++)
        g_array_index (runs, EsplashFlashRun, i).offset += offset;
      return TRUE;
    }
  if (!esplash_device_is_stub (device) && acked > offset && (p->address + offset) % SECTOR_SIZE == 0)
    from = offset + (acked - offset) / SECTOR_SIZE * SECTOR_SIZE;
  /* The ESP8266 ROM cannot erase one sector alone (it takes the next one
   * too): going on with one sector left, start a sector earlier — one of
   * ours, written already. */
  if (from > offset && offset + len - from <= SECTOR_SIZE && rom_is_esp8266 (device))
    from -= SECTOR_SIZE;
  if (from < offset + len)
    g_array_append_vals (runs, &(EsplashFlashRun) { from, offset + len - from }, 1);
  return TRUE;
}

/* Writes @runs of a region. When the session is lost on the way (a reply
 * lost, late or damaged; the chip reset; the port gone) it is taken up
 * again and the write goes on with what the flash does not hold yet —
 * never with a block the loader may have taken already. */
static gboolean
write_runs_resuming (EsplashDevice               *device,
                     const EsplashFlashPrepared  *p,
                     EsplashFlashTotals          *totals,
                     GArray                      *runs,
                     guint                       *budget,
                     GCancellable                *cancellable,
                     GError                     **error)
{
  g_autoptr(GArray) todo = g_array_copy (runs);
  guint32 end;

  if (todo->len == 0)
    return TRUE;
  end = g_array_index (todo, EsplashFlashRun, todo->len - 1).offset +
        g_array_index (todo, EsplashFlashRun, todo->len - 1).len;
  for (;;)
    {
      GError *local_error = NULL;
      guint32 from = 0, acked = 0, left = 0;

      for (guint i = 0; i < todo->len; i++)
        {
          const EsplashFlashRun *run = &g_array_index (todo, EsplashFlashRun, i);

          if (esplash_flash_write_part (device, p, totals, run->offset, run->len, &acked,
                                        cancellable, &local_error))
            continue;
          from = run->offset;
          break;
        }
      if (local_error == NULL)
        return TRUE;

      /* Recompute from the failed run on; a comparison that fails costs a
       * recovery too. */
      do
        {
          if (!esplash_flash_recover_session (device, local_error, budget, cancellable, error))
            return FALSE;
          local_error = NULL;
        }
      while (!remaining_runs (device, p, from, end - from, acked, todo, cancellable,
                              &local_error));
      for (guint i = 0; i < todo->len; i++)
        left += g_array_index (todo, EsplashFlashRun, i).len;
      esplash_device_stage_region (device, ESPLASH_STAGE_WRITING, p->index, totals->count,
                                   p->region->address);
      esplash_device_log (device, ESPLASH_LOG_WARNING,
                          "Resuming %s at 0x%08X: %u KiB still to write, the flash holds the rest",
                          esplash_flash_region_label (p->region),
                          p->address + (todo->len > 0 ? g_array_index (todo, EsplashFlashRun, 0).offset
                                                      : end),
                          (left + 1023) / 1024);
      if (todo->len == 0)
        return TRUE;
    }
}

/* The sectors on either side of a region, looked at before and after it is
 * written: a BEGIN carries no checksum, and one whose size arrived damaged
 * (a line that damages bytes) makes the loader erase past the region —
 * the neighbouring partition's data, gone while the write reports success.
 * Found by the fault campaign; the loader cannot be asked what it erased,
 * the neighbours can. */
typedef struct {
  guint32 address;
  guint8  md5[16];
} Guard;

static gboolean
guard_md5 (EsplashDevice  *device,
           guint32         address,
           guint8          md5[16],
           guint          *budget,
           GCancellable   *cancellable,
           GError        **error)
{
  GError *local_error = NULL;

  while (!esplash_flash_md5 (device, address, SECTOR_SIZE, md5, cancellable, &local_error))
    {
      if (!esplash_flash_recover_session (device, local_error, budget, cancellable, error))
        return FALSE;
      local_error = NULL;
    }
  return TRUE;
}

static gboolean
guards_take (EsplashDevice               *device,
             const EsplashFlashPrepared  *p,
             const EsplashFlashTotals    *totals,
             GArray                      *guards,
             guint                       *budget,
             GCancellable                *cancellable,
             GError                     **error)
{
  guint32 end = p->address + (guint32) g_bytes_get_size (p->image);
  guint32 after = (end + SECTOR_SIZE - 1) / SECTOR_SIZE * SECTOR_SIZE;
  guint32 flash_size = totals->flash_size != 0 ? totals->flash_size : DEFAULT_FLASH_SIZE;

  if (!esplash_flash_can_skip (device, p->address / SECTOR_SIZE * SECTOR_SIZE))
    return TRUE;   /* no MD5 here (the ESP8266 ROM, SDM) */
  if (p->address >= SECTOR_SIZE)
    g_array_append_vals (guards, &(Guard) { p->address / SECTOR_SIZE * SECTOR_SIZE - SECTOR_SIZE }, 1);
  if ((guint64) after + SECTOR_SIZE <= flash_size)
    g_array_append_vals (guards, &(Guard) { after }, 1);
  for (guint i = 0; i < guards->len; i++)
    {
      Guard *g = &g_array_index (guards, Guard, i);
      guint8 again[16];

      /* The stub's raw MD5 has no check: a damaged answer here would fail a
       * good write later. Two answers that agree. */
      if (!guard_md5 (device, g->address, g->md5, budget, cancellable, error))
        return FALSE;
      for (guint tries = 0; ; tries++)
        {
          if (!guard_md5 (device, g->address, again, budget, cancellable, error))
            return FALSE;
          if (memcmp (again, g->md5, 16) == 0)
            break;
          if (tries == 5)
            {
              g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_LINE_DAMAGED,
                           "The MD5 of the sector at 0x%08X came back different each time: "
                           "the line damages the chip's answers; try a lower baud rate",
                           g->address);
              return FALSE;
            }
          /* answers that disagree: the line damages them; go slower */
          device->line_faults++;
          if (device->line_faults >= 2 && !esplash_device_lower_rate (device, cancellable, error))
            return FALSE;
          memcpy (g->md5, again, 16);
        }
    }
  return TRUE;
}

static gboolean
guards_check (EsplashDevice               *device,
              const EsplashFlashPrepared  *p,
              GArray                      *guards,
              guint                       *budget,
              GCancellable                *cancellable,
              GError                     **error)
{
  for (guint i = 0; i < guards->len; i++)
    {
      const Guard *g = &g_array_index (guards, Guard, i);
      guint8 now[16];

      /* asked twice before it counts: an MD5 answer damaged on the way
       * must not fail a good write */
      if (!guard_md5 (device, g->address, now, budget, cancellable, error))
        return FALSE;
      if (memcmp (now, g->md5, 16) == 0)
        continue;
      if (!guard_md5 (device, g->address, now, budget, cancellable, error))
        return FALSE;
      if (memcmp (now, g->md5, 16) == 0)
        continue;
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_LINE_DAMAGED,
                   "The sector at 0x%08X, next to %s, changed while it was written: a command "
                   "reached the chip damaged (this line damages bytes) and the loader erased "
                   "more than it was told. What was in that sector is lost: write everything "
                   "that belongs there again, at a lower baud rate", g->address,
                   esplash_flash_region_label (p->region));
      return FALSE;
    }
  return TRUE;
}

/* write_runs_resuming() between a look at the region's neighbours before
 * and after (nothing to write: no look). */
gboolean
esplash_flash_write_runs_guarded (EsplashDevice               *device,
                    const EsplashFlashPrepared  *p,
                    EsplashFlashTotals          *totals,
                    GArray                      *runs,
                    guint                       *budget,
                    GCancellable                *cancellable,
                    GError                     **error)
{
  g_autoptr(GArray) guards = g_array_new (FALSE, FALSE, sizeof (Guard));

  if (runs->len == 0)
    return TRUE;
  return guards_take (device, p, totals, guards, budget, cancellable, error) &&
         write_runs_resuming (device, p, totals, runs, budget, cancellable, error) &&
         guards_check (device, p, guards, budget, cancellable, error);
}

/* Verifies a written region by MD5. A reply lost on the way is asked
 * again; a flash that differs is compared sector by sector and the sectors
 * that differ written once more (a block the loader took twice, or an MD5
 * answer damaged on the line) before the verdict. */
gboolean
esplash_flash_verify_region_resuming (EsplashDevice               *device,
                        const EsplashFlashPrepared  *p,
                        EsplashFlashTotals          *totals,
                        guint                       *budget,
                        GCancellable                *cancellable,
                        GError                     **error)
{
  gboolean rewritten = FALSE;

  for (;;)
    {
      GError *local_error = NULL;
      g_autoptr(GArray) runs = NULL;

      esplash_device_stage_region (device, ESPLASH_STAGE_VERIFYING, p->index, totals->count,
                                   p->region->address);
      if (esplash_flash_verify_region (device, p->region, p->address, p->image, p->md5,
                                       cancellable, &local_error))
        return TRUE;
      if (!g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_VERIFY_FAILED))
        {
          if (!esplash_flash_recover_session (device, local_error, budget, cancellable, error))
            return FALSE;
          continue;
        }
      if (rewritten || !esplash_flash_can_skip (device, p->address))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      rewritten = TRUE;
      esplash_device_log (device, ESPLASH_LOG_WARNING, "%s: looking for the sectors that differ "
                          "and writing them again", local_error->message);
      g_clear_error (&local_error);
      runs = g_array_new (FALSE, FALSE, sizeof (EsplashFlashRun));
      while (!esplash_flash_find_changed (device, p->address, p->image, runs, cancellable,
                                          &local_error))
        {
          if (!esplash_flash_recover_session (device, local_error, budget, cancellable, error))
            return FALSE;
          local_error = NULL;
        }
      esplash_device_stage_region (device, ESPLASH_STAGE_WRITING, p->index, totals->count,
                                   p->region->address);
      if (!esplash_flash_write_runs_guarded (device, p, totals, runs, budget, cancellable, error))
        return FALSE;
    }
}

