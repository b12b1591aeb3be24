/* esplash-flash-plan-regions.c: a plan's enabled entries as the regions
 * esplash_flash_write() takes. In the engine layer because that is where
 * EsplashFlashRegion lives; the plan itself is pure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-flash-plan.h"
#include "esplash-flash.h"

/**
 * esplash_flash_plan_dup_regions:
 * @plan: a plan (checked with esplash_flash_plan_ensure_writable() first)
 *
 * Returns: (transfer full) (element-type EsplashFlashRegion): the regions
 */
GPtrArray *
esplash_flash_plan_dup_regions (EsplashFlashPlan *plan)
{
  GPtrArray *regions;

  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), NULL);

  regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  for (guint i = 0; i < esplash_flash_plan_get_n_entries (plan); i++)
    {
      const EsplashPlanEntry *e = esplash_flash_plan_get_entry (plan, i);

      if (!e->enabled || !e->has_offset || e->data == NULL)
        continue;
      g_ptr_array_add (regions, esplash_flash_region_new (e->offset, e->data, e->path));
    }
  return regions;
}
