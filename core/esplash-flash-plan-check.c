/* esplash-flash-plan-check.c: the checks run on a plan before connecting
 * and again against the connected chip (issue 3 item 3, protocol.md §8.3).
 *
 * Which findings --force may override: chip id and revision mismatches,
 * bad checksums and digests, images that do not parse, an app larger than
 * its partition, erases that wipe a neighbour. Never: overlaps, writes
 * beyond the flash, paths that leave their folder, missing or empty files,
 * patching a signed bootloader.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-bundle-private.h"
#include "esplash-image.h"
#include "esplash-partition.h"

#define MAX_ADDRESS ((guint64) G_MAXUINT32 + 1)

typedef struct {
  EsplashFlashPlan        *plan;
  const EsplashChipInfo   *chip;        /* target, else the plan's */
  const EsplashPlanTarget *target;
  EsplashPartitionTable   *table;       /* from the plan's partition table or merged image */
  char                    *table_name;
} Check;

static EsplashError
problem_error_code (EsplashPlanCheck check)
{
  switch (check)
    {
    case ESPLASH_PLAN_CHECK_MISSING_FILE:
      return ESPLASH_ERROR_NOT_FOUND;
    case ESPLASH_PLAN_CHECK_EMPTY_FILE:
      return ESPLASH_ERROR_INVALID_IMAGE;
    case ESPLASH_PLAN_CHECK_UNKNOWN_CHIP:
      return ESPLASH_ERROR_UNSUPPORTED_CHIP;
    case ESPLASH_PLAN_CHECK_PATH_ESCAPES:
    case ESPLASH_PLAN_CHECK_URL_PART:
    case ESPLASH_PLAN_CHECK_NO_OFFSET:
    default:
      return ESPLASH_ERROR_INVALID_ARGUMENT;
    }
}

static void
find_table (Check *c)
{
  guint n = esplash_flash_plan_get_n_entries (c->plan);

  for (guint pass = 0; pass < 2 && c->table == NULL; pass++)
    for (guint i = 0; i < n && c->table == NULL; i++)
      {
        const EsplashPlanEntry *e = esplash_flash_plan_get_entry (c->plan, i);
        EsplashDetected det;

        if (!e->enabled || e->data == NULL ||
            e->kind != (pass == 0 ? ESPLASH_PLAN_KIND_PARTITION_TABLE : ESPLASH_PLAN_KIND_MERGED))
          continue;
        esplash_detect (e->data, e->name, &det);
        c->table = g_steal_pointer (&det.table);
        c->table_name = g_strdup (e->name);
        esplash_detected_clear (&det);
      }
}

static void
check_revision (Check                  *c,
                guint                   index,
                const EsplashPlanEntry *e,
                const EsplashImageInfo *info)
{
  guint rev = c->target->revision;
  gboolean use_full;

  if (info->max_rev_full == 0)
    use_full = FALSE;
  else if (info->max_rev_full == 0xFFFF)
    use_full = !(info->min_rev_full == 0 && info->min_rev != 0);
  else
    use_full = TRUE;

  if (use_full)
    {
      g_autofree char *max = info->max_rev_full == 0xFFFF
        ? g_strdup ("no maximum")
        : g_strdup_printf ("v%u.%u", info->max_rev_full / 100, info->max_rev_full % 100);

      if (rev < info->min_rev_full || rev > info->max_rev_full)
        esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                                        ESPLASH_PLAN_CHECK_REVISION,
                                        ESPLASH_ERROR_UNSUPPORTED_CHIP, (gint) index,
                                        "%s requires chip revision v%u.%u to %s, but this %s "
                                        "is revision v%u.%u; use a build made for this "
                                        "revision", e->name, info->min_rev_full / 100,
                                        info->min_rev_full % 100, max, c->chip->name,
                                        rev / 100, rev % 100);
    }
  else
    {
      /* the legacy byte is the major revision, the minor one on the C3 */
      guint have = c->chip->family == ESPLASH_CHIP_ESP32C3 ? rev % 100 : rev / 100;

      if (have < info->min_rev)
        esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                                        ESPLASH_PLAN_CHECK_REVISION,
                                        ESPLASH_ERROR_UNSUPPORTED_CHIP, (gint) index,
                                        "%s requires chip revision %u or higher, but this "
                                        "%s is revision %u (v%u.%u); use a build made for "
                                        "this revision", e->name, info->min_rev, c->chip->name,
                                        have, rev / 100, rev % 100);
    }
}

static gboolean
settings_all_keep (EsplashFlashPlan *plan)
{
  const char *v[] = { esplash_flash_plan_get_flash_mode (plan),
                      esplash_flash_plan_get_flash_freq (plan),
                      esplash_flash_plan_get_flash_size (plan) };

  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    if (v[i] != NULL && g_strcmp0 (v[i], "keep") != 0)
      return FALSE;
  return TRUE;
}

/* The write patches mode/freq/size into the bootloader header at the
 * chip's bootloader offset (§8.4); on a signed image that breaks the
 * signature, so refuse when the bytes would change. */
static void
check_patch (Check                  *c,
             guint                   index,
             const EsplashPlanEntry *e)
{
  g_autoptr(GBytes) patched = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (e->data, &len);

  if (c->chip == NULL || e->offset != c->chip->bootloader_offset || settings_all_keep (c->plan))
    return;
  patched = esplash_image_patch_flash_params (e->data, c->chip,
                                              esplash_flash_plan_get_flash_mode (c->plan),
                                              esplash_flash_plan_get_flash_freq (c->plan),
                                              esplash_flash_plan_get_flash_size (c->plan),
                                              c->target->flash_size, NULL, &error);
  if (patched == NULL)
    {
      esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL, ESPLASH_PLAN_CHECK_NOT_IMAGE,
                                      ESPLASH_ERROR_INVALID_ARGUMENT, (gint) index,
                                      "The build's flash settings do not suit %s: %s",
                                      c->chip->name, error->message);
      return;
    }
  if (!g_bytes_equal (patched, e->data) && esplash_image_is_signed (data, len))
    esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL, ESPLASH_PLAN_CHECK_SIGNED_PATCH,
                                    ESPLASH_ERROR_INVALID_IMAGE, (gint) index,
                                    "%s is a signed (Secure Boot) bootloader: writing it with "
                                    "flash mode/frequency/size %s/%s/%s changes its header and "
                                    "breaks the signature, so the chip would not boot; flash it "
                                    "with the settings kept (--flash-mode keep --flash-freq keep "
                                    "--flash-size keep)", e->name,
                                    esplash_flash_plan_get_flash_mode (c->plan) ?: "keep",
                                    esplash_flash_plan_get_flash_freq (c->plan) ?: "keep",
                                    esplash_flash_plan_get_flash_size (c->plan) ?: "keep");
}

static void
check_image (Check                  *c,
             guint                   index,
             const EsplashPlanEntry *e,
             GHashTable             *chip_ids)
{
  g_autoptr(GError) error = NULL;
  EsplashImageInfo info;
  gsize len;
  const guint8 *data = g_bytes_get_data (e->data, &len);
  gsize at = 0;

  if (e->kind == ESPLASH_PLAN_KIND_PARTITION_TABLE || e->kind == ESPLASH_PLAN_KIND_OTADATA ||
      e->kind == ESPLASH_PLAN_KIND_DATA)
    return;
  if (e->kind == ESPLASH_PLAN_KIND_MERGED)
    {
      /* the bootloader inside is what the ROM checks */
      at = c->chip != NULL ? c->chip->bootloader_offset : 0;
      if (at >= len || data[at] != ESPLASH_IMAGE_MAGIC)
        {
          if (c->chip != NULL)
            esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                                            ESPLASH_PLAN_CHECK_CHIP_MISMATCH,
                                            ESPLASH_ERROR_UNSUPPORTED_CHIP, (gint) index,
                                            "%s has no bootloader at 0x%zx, where %s boots "
                                            "from; it is a merged image for another chip",
                                            e->name, at, c->chip->name);
          return;
        }
    }
  else if (data[0] != ESPLASH_IMAGE_MAGIC && data[0] != ESPLASH_IMAGE_MAGIC_ESP8266_V2)
    {
      if (e->kind == ESPLASH_PLAN_KIND_APP || e->kind == ESPLASH_PLAN_KIND_BOOTLOADER)
        esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                                        ESPLASH_PLAN_CHECK_NOT_IMAGE, ESPLASH_ERROR_INVALID_IMAGE,
                                        (gint) index,
                                        "%s is listed as the %s but is not a firmware image "
                                        "(first byte 0x%02X, not 0xE9); the chip would not boot "
                                        "it — check that the build finished",
                                        e->name, esplash_plan_kind_to_string (e->kind), data[0]);
      return;
    }

  /* inferred first, so a foreign chip's image is recognised; for the
   * target's own layout, its parse error is the precise one */
  if (!esplash_image_parse (data + at, len - at, NULL, &info, NULL) &&
      (c->chip == NULL || !esplash_image_parse (data + at, len - at, c->chip, &info, &error)))
    {
      if (error == NULL)
        esplash_image_parse (data + at, len - at, NULL, &info, &error);
      esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                                      ESPLASH_PLAN_CHECK_INVALID_IMAGE, ESPLASH_ERROR_INVALID_IMAGE,
                                      (gint) index, "%s starts like a firmware image but is not a "
                                      "valid one: %s; rebuild it or download it again",
                                      e->name, error->message);
      return;
    }
  if (info.has_extended_header)
    g_hash_table_add (chip_ids, GINT_TO_POINTER ((gint) info.chip_id));

  if (c->chip != NULL)
    {
      gboolean foreign = c->chip->image_chip_id < 0
        ? info.has_extended_header
        : !info.has_extended_header || info.chip_id != (guint) c->chip->image_chip_id;

      if (foreign)
        {
          const EsplashChipInfo *other = info.has_extended_header
            ? esplash_chip_from_image_id (info.chip_id) : esplash_chip_get (ESPLASH_CHIP_ESP8266);

          esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                                          ESPLASH_PLAN_CHECK_CHIP_MISMATCH,
                                          ESPLASH_ERROR_UNSUPPORTED_CHIP, (gint) index,
                                          "%s is an image for %s (chip id %d), not for this "
                                          "%s; use the build for %s",
                                          e->name, other != NULL ? other->name : "an unknown chip",
                                          info.has_extended_header ? (gint) info.chip_id : -1,
                                          c->chip->name, c->chip->name);
        }
      else if (info.has_extended_header && c->target->revision != ESPLASH_REVISION_UNKNOWN)
        check_revision (c, index, e, &info);
    }

  if (info.checksum_stored != info.checksum_computed)
    esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                                    ESPLASH_PLAN_CHECK_BAD_CHECKSUM, ESPLASH_ERROR_INVALID_IMAGE,
                                    (gint) index, "%s has a bad checksum (stored 0x%02x, computed "
                                    "0x%02x): the file is damaged; rebuild it or download it "
                                    "again", e->name, info.checksum_stored, info.checksum_computed);
  if (info.hash_appended && !info.sha256_valid)
    esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                                    ESPLASH_PLAN_CHECK_BAD_SHA256, ESPLASH_ERROR_INVALID_IMAGE,
                                    (gint) index, "%s has a SHA-256 digest that does not match "
                                    "its contents: the file is damaged or was edited; rebuild it "
                                    "or download it again", e->name);

  if (e->kind == ESPLASH_PLAN_KIND_BOOTLOADER && e->has_offset && c->chip != NULL)
    {
      if (e->offset != c->chip->bootloader_offset)
        esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_WARNING,
                                        ESPLASH_PLAN_CHECK_BOOTLOADER_OFFSET,
                                        ESPLASH_ERROR_INVALID_ARGUMENT, (gint) index,
                                        "%s looks like a bootloader but goes to 0x%x; %s boots "
                                        "from 0x%x", e->name, e->offset, c->chip->name,
                                        c->chip->bootloader_offset);
      else
        check_patch (c, index, e);
    }
}

static void
check_app_partition (Check                  *c,
                     guint                   index,
                     const EsplashPlanEntry *e)
{
  gsize len = g_bytes_get_size (e->data);

  if (e->kind != ESPLASH_PLAN_KIND_APP || c->table == NULL)
    return;
  for (guint i = 0; i < c->table->n_partitions; i++)
    {
      const EsplashPartition *p = &c->table->partitions[i];

      if (p->type != ESPLASH_PARTITION_TYPE_APP || p->offset != e->offset)
        continue;
      if (len > p->size)
        esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                                        ESPLASH_PLAN_CHECK_APP_TOO_LARGE,
                                        ESPLASH_ERROR_IMAGE_TOO_LARGE, (gint) index,
                                        "%s (%zu bytes) is larger than the app partition “%s” "
                                        "at 0x%x (%u bytes) in %s; it would overwrite the next "
                                        "partition — choose a larger partition scheme",
                                        e->name, len, p->label, p->offset, p->size, c->table_name);
      return;
    }
  esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_WARNING, ESPLASH_PLAN_CHECK_NO_PARTITION,
                                  ESPLASH_ERROR_INVALID_ARGUMENT, (gint) index,
                                  "No app partition in %s starts at 0x%x, where %s goes; the "
                                  "bootloader will not start it from there",
                                  c->table_name, e->offset, e->name);
}

static void
check_bounds (Check                  *c,
              guint                   index,
              const EsplashPlanEntry *e)
{
  gsize len = g_bytes_get_size (e->data);
  guint64 end = (guint64) e->offset + len;

  if (end > MAX_ADDRESS || (c->target->flash_size != 0 && end > c->target->flash_size))
    {
      g_autofree char *size = c->target->flash_size != 0
        ? g_strdup_printf ("the %u MiB flash", c->target->flash_size >> 20)
        : g_strdup ("the 4 GiB address space");

      esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL, ESPLASH_PLAN_CHECK_BEYOND_FLASH,
                                      ESPLASH_ERROR_IMAGE_TOO_LARGE, (gint) index,
                                      "%s (%zu bytes at 0x%x) ends at 0x%" G_GINT64_MODIFIER "x, "
                                      "beyond %s; check the offset, or use a build for this "
                                      "flash size", e->name, len, e->offset, end, size);
    }
  if (e->offset % 4 != 0)
    esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_WARNING, ESPLASH_PLAN_CHECK_MISALIGNED,
                                    ESPLASH_ERROR_INVALID_ARGUMENT, (gint) index,
                                    "%s goes to 0x%x, which is not even a multiple of 4; the "
                                    "flash is written in 4-byte words — check the offset",
                                    e->name, e->offset);
  else if (e->offset % ESPLASH_SECTOR != 0)
    esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_WARNING, ESPLASH_PLAN_CHECK_MISALIGNED,
                                    ESPLASH_ERROR_INVALID_ARGUMENT, (gint) index,
                                    "%s goes to 0x%x, not on a 4 KiB sector boundary: the erase "
                                    "before writing wipes 0x%x–0x%x as well",
                                    e->name, e->offset, e->offset & ~(ESPLASH_SECTOR - 1),
                                    e->offset - 1);
}

static void
check_overlaps (Check *c)
{
  guint n = esplash_flash_plan_get_n_entries (c->plan);

  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      {
        const EsplashPlanEntry *a = esplash_flash_plan_get_entry (c->plan, i);
        const EsplashPlanEntry *b = esplash_flash_plan_get_entry (c->plan, j);
        guint64 a0, a1, b0, b1;

        if (!a->enabled || !b->enabled || a->data == NULL || b->data == NULL ||
            !a->has_offset || !b->has_offset ||
            g_bytes_get_size (a->data) == 0 || g_bytes_get_size (b->data) == 0)
          continue;
        a0 = a->offset;
        a1 = a0 + g_bytes_get_size (a->data);
        b0 = b->offset;
        b1 = b0 + g_bytes_get_size (b->data);
        if (a0 < b1 && b0 < a1)
          {
            esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL, ESPLASH_PLAN_CHECK_OVERLAP,
                                            ESPLASH_ERROR_INVALID_ARGUMENT, (gint) j,
                                            "%s (0x%" G_GINT64_MODIFIER "x–0x%" G_GINT64_MODIFIER
                                            "x) and %s (0x%" G_GINT64_MODIFIER "x–0x%"
                                            G_GINT64_MODIFIER "x) overlap; change an offset or "
                                            "leave one of them out",
                                            a->name, a0, a1 - 1, b->name, b0, b1 - 1);
            continue;
          }
        /* erases work on whole sectors */
        a0 &= ~(guint64) (ESPLASH_SECTOR - 1);
        b0 &= ~(guint64) (ESPLASH_SECTOR - 1);
        a1 = (a1 + ESPLASH_SECTOR - 1) & ~(guint64) (ESPLASH_SECTOR - 1);
        b1 = (b1 + ESPLASH_SECTOR - 1) & ~(guint64) (ESPLASH_SECTOR - 1);
        if (a0 < b1 && b0 < a1)
          esplash_flash_plan_add_finding (c->plan, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                                          ESPLASH_PLAN_CHECK_SHARED_SECTOR,
                                          ESPLASH_ERROR_INVALID_ARGUMENT, (gint) j,
                                          "%s and %s share the flash sector at 0x%"
                                          G_GINT64_MODIFIER "x: erasing it for one wipes part of "
                                          "the other; move one to a 4 KiB boundary",
                                          a->name, b->name, MAX (a0, b0));
      }
}

guint
esplash_flash_plan_check (EsplashFlashPlan        *plan,
                          const EsplashPlanTarget *target)
{
  g_autoptr(GHashTable) chip_ids = g_hash_table_new (NULL, NULL);
  EsplashPlanTarget none;
  Check c = { plan, NULL, NULL, NULL, NULL };
  guint n, n_writing = 0, n_refusals = 0;

  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), 0);

  esplash_plan_target_init (&none);
  c.target = target != NULL ? target : &none;
  c.chip = c.target->chip != NULL ? c.target->chip : esplash_flash_plan_get_chip (plan);
  esplash_flash_plan_clear_findings (plan);
  find_table (&c);

  n = esplash_flash_plan_get_n_entries (plan);
  for (guint i = 0; i < n; i++)
    {
      const EsplashPlanEntry *e = esplash_flash_plan_get_entry (plan, i);
      EsplashPlanCheck problem;
      const char *message;

      if (!e->enabled)
        continue;
      if (esplash_flash_plan_get_entry_problem (plan, i, &problem, &message))
        {
          esplash_flash_plan_add_finding (plan, ESPLASH_PLAN_REFUSAL, problem,
                                          problem_error_code (problem), (gint) i, "%s", message);
          if (e->image_chip_id >= 0)
            g_hash_table_add (chip_ids, GINT_TO_POINTER (e->image_chip_id));
          continue;
        }
      if (e->data == NULL)
        continue;
      if (g_bytes_get_size (e->data) == 0)
        {
          esplash_flash_plan_add_finding (plan, ESPLASH_PLAN_REFUSAL, ESPLASH_PLAN_CHECK_EMPTY_FILE,
                                          ESPLASH_ERROR_INVALID_IMAGE, (gint) i,
                                          "%s is empty (0 bytes): the build did not finish or "
                                          "the copy failed; rebuild it or leave it out", e->path);
          continue;
        }
      n_writing++;
      check_image (&c, i, e, chip_ids);
      if (!e->has_offset)
        {
          esplash_flash_plan_add_finding (plan, ESPLASH_PLAN_REFUSAL, ESPLASH_PLAN_CHECK_NO_OFFSET,
                                          ESPLASH_ERROR_INVALID_ARGUMENT, (gint) i,
                                          "Cannot tell where %s goes (%s); give its offset",
                                          e->name, e->reason != NULL ? e->reason : "unknown content");
          continue;
        }
      check_bounds (&c, i, e);
      check_app_partition (&c, i, e);
    }
  if (c.chip == NULL && g_hash_table_size (chip_ids) > 1)
    esplash_flash_plan_add_finding (plan, ESPLASH_PLAN_REFUSAL_OVERRIDABLE,
                                    ESPLASH_PLAN_CHECK_MIXED_CHIPS, ESPLASH_ERROR_UNSUPPORTED_CHIP,
                                    -1, "The images are built for %u different chips; drop only "
                                    "the files of one build", g_hash_table_size (chip_ids));
  check_overlaps (&c);
  if (n_writing == 0)
    esplash_flash_plan_add_finding (plan, ESPLASH_PLAN_REFUSAL, ESPLASH_PLAN_CHECK_NOTHING_TO_WRITE,
                                    ESPLASH_ERROR_INVALID_ARGUMENT, -1,
                                    "Nothing to write: no usable file is selected");

  g_clear_pointer (&c.table, esplash_partition_table_free);
  g_free (c.table_name);
  for (guint i = 0; i < esplash_flash_plan_get_n_findings (plan); i++)
    if (esplash_flash_plan_get_finding (plan, i)->severity != ESPLASH_PLAN_WARNING)
      n_refusals++;
  return n_refusals;
}
