/* esplash-flash-plan.h: what will be written where, why, and what is wrong
 * with it (issue 3).
 *
 * A plan is an ordered list of entries (offset, bytes, kind, source, reason)
 * plus findings from esplash_flash_plan_check(). EsplashBundle builds plans
 * from dropped files and build folders; callers may override offsets and
 * switch entries off, then check again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include "esplash-chip.h"
#include "esplash-error.h"

G_BEGIN_DECLS

typedef enum {
  ESPLASH_PLAN_KIND_UNKNOWN = 0,
  ESPLASH_PLAN_KIND_BOOTLOADER = 1,
  ESPLASH_PLAN_KIND_PARTITION_TABLE = 2,
  ESPLASH_PLAN_KIND_APP = 3,
  ESPLASH_PLAN_KIND_OTADATA = 4,
  ESPLASH_PLAN_KIND_DATA = 5,
  ESPLASH_PLAN_KIND_MERGED = 6,
} EsplashPlanKind;

/* "bootloader", "partition-table", "app", "otadata", "data", "merged", "unknown" */
const char *esplash_plan_kind_to_string (EsplashPlanKind kind);

typedef enum {
  ESPLASH_PLAN_WARNING = 0,               /* said, never blocks */
  ESPLASH_PLAN_REFUSAL_OVERRIDABLE = 1,   /* blocks unless forced (--force, a confirm) */
  ESPLASH_PLAN_REFUSAL = 2,               /* blocks always */
} EsplashPlanSeverity;

/* What a finding is about; values are stable. */
typedef enum {
  ESPLASH_PLAN_CHECK_MISSING_FILE = 1,     /* refusal */
  ESPLASH_PLAN_CHECK_PATH_ESCAPES = 2,     /* refusal: a listed path leaves its folder */
  ESPLASH_PLAN_CHECK_EMPTY_FILE = 3,       /* refusal */
  ESPLASH_PLAN_CHECK_URL_PART = 4,         /* refusal: manifest part on the web */
  ESPLASH_PLAN_CHECK_NO_OFFSET = 5,        /* refusal until an offset is set */
  ESPLASH_PLAN_CHECK_CHIP_MISMATCH = 6,    /* overridable */
  ESPLASH_PLAN_CHECK_REVISION = 7,         /* overridable */
  ESPLASH_PLAN_CHECK_BAD_CHECKSUM = 8,     /* overridable */
  ESPLASH_PLAN_CHECK_BAD_SHA256 = 9,       /* overridable */
  ESPLASH_PLAN_CHECK_INVALID_IMAGE = 10,   /* overridable: starts like an image, does not parse */
  ESPLASH_PLAN_CHECK_BEYOND_FLASH = 11,    /* refusal */
  ESPLASH_PLAN_CHECK_OVERLAP = 12,         /* refusal: two entries write the same bytes */
  ESPLASH_PLAN_CHECK_SHARED_SECTOR = 13,   /* overridable: one entry's erase wipes another */
  ESPLASH_PLAN_CHECK_MISALIGNED = 14,      /* warning: not on a 4 KiB sector */
  ESPLASH_PLAN_CHECK_APP_TOO_LARGE = 15,   /* overridable */
  ESPLASH_PLAN_CHECK_NO_PARTITION = 16,    /* warning: an app where the table has no app */
  ESPLASH_PLAN_CHECK_SIGNED_PATCH = 17,    /* refusal: patching would break a signature */
  ESPLASH_PLAN_CHECK_MIXED_CHIPS = 18,     /* overridable: images for different chips */
  ESPLASH_PLAN_CHECK_BOOTLOADER_OFFSET = 19, /* warning: a bootloader off the chip's offset */
  ESPLASH_PLAN_CHECK_UNKNOWN_CHIP = 20,    /* refusal: an offset depends on the chip */
  ESPLASH_PLAN_CHECK_NOTHING_TO_WRITE = 21,/* refusal */
  ESPLASH_PLAN_CHECK_NOT_IMAGE = 22,       /* warning: an app/bootloader that is not an image */
} EsplashPlanCheck;

typedef struct {
  guint32          offset;         /* meaningful when has_offset */
  gboolean         has_offset;
  GBytes          *data;           /* nullable: the file could not be used (see findings) */
  EsplashPlanKind  kind;
  char            *path;           /* source file as found ("build/bootloader/bootloader.bin") */
  char            *name;           /* short name for lists ("bootloader.bin") */
  char            *reason;         /* why this offset ("from flasher_args.json") */
  char            *detail;         /* what the content is ("ESP32-S3 app “blink” v1.0"), nullable */
  gboolean         enabled;
  gboolean         user_override;  /* offset set by the user */
  gint             image_chip_id;  /* from the image's extended header; -1 = none */
} EsplashPlanEntry;

typedef struct {
  EsplashPlanSeverity  severity;
  EsplashPlanCheck     check;
  EsplashError         error_code;   /* what esplash_flash_plan_ensure_writable() reports */
  gint                 entry;        /* index into the plan; -1 = the plan as a whole */
  char                *message;      /* what is wrong and what to do */
} EsplashPlanFinding;

#define ESPLASH_REVISION_UNKNOWN  G_MAXUINT

/* What the plan is checked against; all fields optional. */
typedef struct {
  const EsplashChipInfo *chip;       /* NULL: not connected (and no --chip) */
  guint                  revision;   /* major*100+minor, or ESPLASH_REVISION_UNKNOWN */
  guint32                flash_size; /* bytes, 0 = unknown */
} EsplashPlanTarget;

void esplash_plan_target_init (EsplashPlanTarget *target);

#define ESPLASH_TYPE_FLASH_PLAN (esplash_flash_plan_get_type ())
G_DECLARE_FINAL_TYPE (EsplashFlashPlan, esplash_flash_plan, ESPLASH, FLASH_PLAN, GObject)

EsplashFlashPlan       *esplash_flash_plan_new            (void);

/* Appends an entry (ADDR FILE pairs, bundles); takes a ref on @data
 * (nullable). Returns its index. */
guint                   esplash_flash_plan_add_entry      (EsplashFlashPlan *plan,
                                                           gboolean          has_offset,
                                                           guint32           offset,
                                                           GBytes           *data,
                                                           EsplashPlanKind   kind,
                                                           const char       *path,
                                                           const char       *reason);
guint                   esplash_flash_plan_get_n_entries  (EsplashFlashPlan *plan);
/* (transfer none): valid until the plan changes */
EsplashPlanEntry       *esplash_flash_plan_get_entry      (EsplashFlashPlan *plan,
                                                           guint             index);
/* User overrides; the findings are stale until the next check. */
void                    esplash_flash_plan_set_offset     (EsplashFlashPlan *plan,
                                                           guint             index,
                                                           guint32           offset);
void                    esplash_flash_plan_set_enabled    (EsplashFlashPlan *plan,
                                                           guint             index,
                                                           gboolean          enabled);

/* The chip the offsets were chosen for (nullable). */
const EsplashChipInfo  *esplash_flash_plan_get_chip       (EsplashFlashPlan *plan);
void                    esplash_flash_plan_set_chip       (EsplashFlashPlan      *plan,
                                                           const EsplashChipInfo *chip);
/* Where the plan came from: "ESP-IDF build (build/flasher_args.json)". */
const char             *esplash_flash_plan_get_source     (EsplashFlashPlan *plan);
void                    esplash_flash_plan_set_source     (EsplashFlashPlan *plan,
                                                           const char       *source);

/* Flash settings the build asks for (flasher_args); NULL = keep. Pass them
 * to EsplashWriteOptions unless the user gave others. */
const char             *esplash_flash_plan_get_flash_mode (EsplashFlashPlan *plan);
const char             *esplash_flash_plan_get_flash_freq (EsplashFlashPlan *plan);
const char             *esplash_flash_plan_get_flash_size (EsplashFlashPlan *plan);
void                    esplash_flash_plan_set_flash_settings (EsplashFlashPlan *plan,
                                                               const char       *mode,
                                                               const char       *freq,
                                                               const char       *size);
/* The manifest asks to offer erasing the whole flash first. */
gboolean                esplash_flash_plan_get_prompt_erase (EsplashFlashPlan *plan);
void                    esplash_flash_plan_set_prompt_erase (EsplashFlashPlan *plan,
                                                             gboolean          prompt);

/* Runs every check (issue 3 item 3) against @target (NULL = nothing known)
 * and replaces the findings. Returns the number of refusals (both kinds). */
guint                   esplash_flash_plan_check          (EsplashFlashPlan        *plan,
                                                           const EsplashPlanTarget *target);
guint                   esplash_flash_plan_get_n_findings (EsplashFlashPlan *plan);
const EsplashPlanFinding *esplash_flash_plan_get_finding  (EsplashFlashPlan *plan,
                                                           guint             index);
/* First finding with @check (for @entry, or any entry when -1), or NULL. */
const EsplashPlanFinding *esplash_flash_plan_find_finding (EsplashFlashPlan *plan,
                                                           EsplashPlanCheck  check,
                                                           gint              entry);
/* TRUE when nothing blocks: no refusal, and no overridable refusal unless
 * @force. Otherwise the first blocking finding as the error (its
 * error_code), with "(and N more problems)" when there are more, and "use
 * --force" hints only where forcing helps. */
gboolean                esplash_flash_plan_ensure_writable (EsplashFlashPlan  *plan,
                                                            gboolean           force,
                                                            GError           **error);

/* The plan as lines for the CLI: one per entry
 * ("0x00010000  app              hello.bin (172 KiB)  — app at the factory
 * partition of partitions.bin"), then one per finding ("refusal: …"). */
char                  **esplash_flash_plan_format         (EsplashFlashPlan *plan);

/* The enabled entries as (element-type EsplashFlashRegion) for
 * esplash_flash_write(), in plan order. Entries without data or offset are
 * skipped (ensure_writable refuses them first). */
GPtrArray              *esplash_flash_plan_dup_regions    (EsplashFlashPlan *plan);

G_END_DECLS
