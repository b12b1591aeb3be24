/* esplash-bundle-resolve.c: a bundle → a plan for a chip: manifest builds,
 * offsets for what no description placed, the reason for each, the checks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-bundle.h"
#include "esplash-bundle-private.h"
#include "esplash-image.h"
#include "esplash-manifest.h"

/* ---- resolving ---------------------------------------------------------- */

const EsplashChipInfo *
esplash_bundle_guess_chip (EsplashBundle *self)
{
  const EsplashChipInfo *guess = NULL;

  g_return_val_if_fail (ESPLASH_IS_BUNDLE (self), NULL);

  if (self->chip_hint != NULL && esplash_chip_from_id (self->chip_hint) != NULL)
    return esplash_chip_from_id (self->chip_hint);
  for (guint i = 0; i < self->items->len; i++)
    {
      const EsplashBundleItem *item = g_ptr_array_index (self->items, i);
      const EsplashChipInfo *chip;

      if (item->data == NULL || item->disabled || item->det.image_chip_id < 0)
        continue;
      chip = esplash_chip_from_image_id ((guint) item->det.image_chip_id);
      if (chip == NULL)
        continue;
      if (guess != NULL && guess != chip)
        return NULL;
      guess = chip;
    }
  if (guess == NULL && self->manifest != NULL)
    for (guint i = 0; i < self->manifest->builds->len; i++)
      {
        const EsplashManifestBuild *b = g_ptr_array_index (self->manifest->builds, i);
        const EsplashChipInfo *chip = esplash_chip_from_id (b->chip_family);

        if (chip == NULL || (guess != NULL && guess != chip))
          return NULL;
        guess = chip;
      }
  return guess;
}

typedef struct {
  const EsplashBundleItem      *item;
  EsplashPlanKind  kind;
  gboolean         has_offset;
  guint32          offset;
  char            *reason;
  EsplashPlanCheck problem;
  char            *problem_message;
  guint            order;
} Pending;

static void
pending_clear (Pending *p)
{
  g_free (p->reason);
  g_free (p->problem_message);
}

static EsplashPlanKind
kind_from_part (const char *part)
{
  if (part == NULL)
    return ESPLASH_PLAN_KIND_UNKNOWN;
  if (g_str_equal (part, "bootloader"))
    return ESPLASH_PLAN_KIND_BOOTLOADER;
  if (g_str_equal (part, "partition-table") || g_str_equal (part, "partition_table"))
    return ESPLASH_PLAN_KIND_PARTITION_TABLE;
  if (g_str_equal (part, "app"))
    return ESPLASH_PLAN_KIND_APP;
  if (g_str_equal (part, "otadata"))
    return ESPLASH_PLAN_KIND_OTADATA;
  return ESPLASH_PLAN_KIND_UNKNOWN;
}

static const EsplashPartitionTable *
find_table (GArray  *pending,
            char   **name)
{
  for (guint i = 0; i < pending->len; i++)
    {
      const Pending *p = &g_array_index (pending, Pending, i);

      if (p->kind == ESPLASH_PLAN_KIND_PARTITION_TABLE && !p->item->disabled &&
          p->item->det.table != NULL)
        {
          *name = g_path_get_basename (p->item->path);
          return p->item->det.table;
        }
    }
  return NULL;
}

/* Picks the offset of an entry no description placed. */
static void
place (Pending                     *p,
       const EsplashChipInfo       *chip,
       const EsplashPartitionTable *table,
       const char                  *table_name,
       gboolean                    *app_placed)
{
  const EsplashDetected *det = &p->item->det;
  const EsplashPartition *part = NULL;

  switch (p->kind)
    {
    case ESPLASH_PLAN_KIND_BOOTLOADER:
      if (chip == NULL)
        {
          p->problem = ESPLASH_PLAN_CHECK_UNKNOWN_CHIP;
          p->problem_message = g_strdup_printf ("%s is a bootloader, whose offset depends on the "
                                                "chip (0x1000 on ESP32, 0x0 on ESP32-S3 and "
                                                "ESP32-C3, 0x2000 on ESP32-P4); connect the board "
                                                "or name the chip", p->item->path);
          p->reason = g_strdup ("bootloader for an unknown chip");
          return;
        }
      p->has_offset = TRUE;
      p->offset = chip->bootloader_offset;
      p->reason = g_strdup_printf ("%s for %s → the chip's bootloader offset 0x%x", det->why,
                                   chip->name, chip->bootloader_offset);
      return;
    case ESPLASH_PLAN_KIND_PARTITION_TABLE:
      p->has_offset = TRUE;
      p->offset = ESPLASH_PARTITION_TABLE_OFFSET;
      p->reason = g_strdup_printf ("%s → 0x8000, ESP-IDF's and Arduino's partition table offset",
                                   det->why);
      return;
    case ESPLASH_PLAN_KIND_APP:
      if (*app_placed)
        {
          p->reason = g_strdup ("a second app: which partition it is for cannot be told");
          return;
        }
      *app_placed = TRUE;
      p->has_offset = TRUE;
      if (det->image_magic == ESPLASH_IMAGE_MAGIC_ESP8266_V2)
        {
          p->offset = 0x1000;
          p->reason = g_strdup_printf ("%s → 0x1000, after the SDK boot loader", det->why);
        }
      else if (table != NULL && (part = esplash_partition_table_get_boot_app (table)) != NULL)
        {
          p->offset = part->offset;
          p->reason = g_strdup_printf ("%s → the %s partition “%s” at 0x%x in %s", det->why,
                                       esplash_partition_subtype_name (part->type, part->subtype),
                                       part->label, part->offset, table_name);
        }
      else
        {
          p->offset = 0x10000;
          p->reason = g_strdup_printf ("%s → 0x10000, where ESP-IDF and Arduino put the first "
                                       "app (no partition table with one among the files)",
                                       det->why);
        }
      return;
    case ESPLASH_PLAN_KIND_OTADATA:
      if (table != NULL && esplash_partition_table_get_otadata_offset (table, &p->offset))
        {
          p->has_offset = TRUE;
          p->reason = g_strdup_printf ("%s → the otadata partition at 0x%x in %s", det->why,
                                       p->offset, table_name);
        }
      else
        p->reason = g_strdup ("OTA data belongs in the otadata partition, but no partition "
                              "table with one is among the files");
      return;
    case ESPLASH_PLAN_KIND_DATA:
      if (table != NULL &&
          (part = esplash_partition_table_find (table, ESPLASH_PARTITION_TYPE_DATA,
                                                det->data_subtype)) != NULL)
        {
          p->has_offset = TRUE;
          p->offset = part->offset;
          p->reason = g_strdup_printf ("%s → “%s” at 0x%x in %s", det->why, part->label,
                                       part->offset, table_name);
        }
      else
        p->reason = g_strdup_printf ("%s, but no partition table with one is among the files",
                                     det->why);
      return;
    case ESPLASH_PLAN_KIND_MERGED:
      p->has_offset = TRUE;
      p->offset = 0;
      p->reason = g_strdup (det->why);
      return;
    case ESPLASH_PLAN_KIND_UNKNOWN:
    default:
      p->reason = det->image_error != NULL
        ? g_strdup_printf ("starts like a firmware image but is not one: %s", det->image_error)
        : g_strdup (det->why != NULL ? det->why : "unknown content");
      return;
    }
}

static gint
compare_pending (gconstpointer a,
                 gconstpointer b)
{
  const Pending *pa = a, *pb = b;

  if (pa->has_offset != pb->has_offset)
    return pa->has_offset ? -1 : 1;
  if (pa->has_offset && pa->offset != pb->offset)
    return pa->offset < pb->offset ? -1 : 1;
  return pa->order < pb->order ? -1 : pa->order > pb->order;
}

/* The manifest's parts for @chip become items owned by @owned. */
static gboolean
manifest_items (EsplashBundle          *self,
                const EsplashChipInfo  *chip,
                guint32                 flash_size,
                GPtrArray              *owned,
                GError                **error)
{
  const EsplashManifestBuild *build;
  g_autofree char *base = g_path_get_basename (self->manifest_name);

  if (chip == NULL)
    {
      g_autofree char *families = esplash_manifest_dup_families (self->manifest);

      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "%s has builds for %s; connect the board (or name the chip) to pick one",
                   self->manifest_name, families);
      return FALSE;
    }
  build = esplash_manifest_pick_build (self->manifest, chip, flash_size, error);
  if (build == NULL)
    {
      g_prefix_error (error, "%s: ", self->manifest_name);
      return FALSE;
    }
  for (guint i = 0; i < build->parts->len; i++)
    {
      const EsplashManifestPart *part = g_ptr_array_index (build->parts, i);
      EsplashBundleItem *item;

      if (g_ascii_strncasecmp (part->path, "http://", 7) == 0 ||
          g_ascii_strncasecmp (part->path, "https://", 8) == 0)
        {
          item = esplash_bundle_item_new (part->path);
          esplash_bundle_item_set_problem (item, ESPLASH_PLAN_CHECK_URL_PART,
                            g_strdup_printf ("%s: part %s is on the web; Esplash does not "
                                             "download firmware — download it next to the "
                                             "manifest and give its file name as the path",
                                             base, part->path));
        }
      else
        item = esplash_bundle_item_from_listed (self->manifest_dir, part->path, base);
      item->has_offset = TRUE;
      item->offset = part->offset;
      item->offset_reason = g_strdup_printf ("0x%x from %s (build for %s)", part->offset, base,
                                             build->chip_family);
      g_ptr_array_add (owned, item);
    }
  return TRUE;
}

EsplashFlashPlan *
esplash_bundle_resolve (EsplashBundle            *self,
                        const EsplashPlanTarget  *target,
                        GError                  **error)
{
  g_autoptr(EsplashFlashPlan) plan = esplash_flash_plan_new ();
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_bundle_item_free);
  g_autoptr(GArray) pending = g_array_new (FALSE, TRUE, sizeof (Pending));
  g_autofree char *table_name = NULL;
  const EsplashPartitionTable *table;
  const EsplashChipInfo *chip;
  EsplashPlanTarget none;
  gboolean app_placed = FALSE;

  g_return_val_if_fail (ESPLASH_IS_BUNDLE (self), NULL);

  esplash_plan_target_init (&none);
  if (target == NULL)
    target = &none;
  chip = target->chip != NULL ? target->chip : esplash_bundle_guess_chip (self);
  if (self->manifest != NULL &&
      !manifest_items (self, chip, target->flash_size, owned, error))
    return NULL;

  g_array_set_clear_func (pending, (GDestroyNotify) pending_clear);
  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *items = pass == 0 ? owned : self->items;

      for (guint i = 0; i < items->len; i++)
        {
          Pending p = { 0 };

          p.item = g_ptr_array_index (items, i);
          p.kind = kind_from_part (p.item->part);
          if (p.kind == ESPLASH_PLAN_KIND_UNKNOWN)
            p.kind = p.item->det.kind;
          p.order = pending->len;
          g_array_append_val (pending, p);
        }
    }

  table = find_table (pending, &table_name);
  for (guint i = 0; i < pending->len; i++)
    {
      Pending *p = &g_array_index (pending, Pending, i);

      if (p->item->has_offset)
        {
          p->has_offset = TRUE;
          p->offset = p->item->offset;
          p->reason = g_strdup (p->item->offset_reason);
        }
      else if (p->item->data != NULL)
        {
          gboolean ignored = app_placed;

          /* a left-out entry still gets its offset, in case it is enabled */
          place (p, chip, table, table_name, p->item->disabled ? &ignored : &app_placed);
          if (p->item->disabled)
            {
              char *why = g_strdup_printf ("%s (else: %s)", p->item->disabled_reason, p->reason);

              g_free (p->reason);
              p->reason = why;
            }
        }
      else
        p->reason = g_strdup (p->item->det.why);
    }
  g_array_sort (pending, compare_pending);

  for (guint i = 0; i < pending->len; i++)
    {
      const Pending *p = &g_array_index (pending, Pending, i);
      const EsplashBundleItem *item = p->item;
      guint index = esplash_flash_plan_add_entry (plan, p->has_offset, p->offset, item->data,
                                                  p->kind, item->path, p->reason);

      esplash_flash_plan_set_entry_detail (plan, index, item->det.detail, item->det.image_chip_id);
      if (item->disabled)
        esplash_flash_plan_set_enabled (plan, index, FALSE);
      if (item->problem != 0)
        esplash_flash_plan_set_entry_problem (plan, index, item->problem, item->problem_message);
      else if (p->problem != 0)
        esplash_flash_plan_set_entry_problem (plan, index, p->problem, p->problem_message);
    }

  esplash_flash_plan_set_chip (plan, chip);
  esplash_flash_plan_set_source (plan, esplash_bundle_get_description (self));
  esplash_flash_plan_set_flash_settings (plan, self->flash_mode, self->flash_freq,
                                         self->flash_size);
  esplash_flash_plan_set_prompt_erase (plan, self->manifest != NULL &&
                                             self->manifest->prompt_erase);
  esplash_flash_plan_check (plan, target);
  return g_steal_pointer (&plan);
}
