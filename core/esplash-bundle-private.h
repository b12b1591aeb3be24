/* esplash-bundle-private.h: in-tree helpers shared by the bundle, plan and
 * description parsers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "esplash-flash-plan.h"
#include "esplash-partition.h"
#include "esplash-manifest.h"
#include "esplash-bundle.h"

G_BEGIN_DECLS

#define ESPLASH_JSON_MAX_LEN   (1024 * 1024)
/* Larger than any ESP flash: files beyond this are not read. */
#define ESPLASH_BUNDLE_MAX_FILE ((gsize) 128 * 1024 * 1024)
#define ESPLASH_SECTOR          0x1000u
#define ESPLASH_OTADATA_LEN     0x2000u

/* Parses JSON, refusing deep nesting first; json-glib's message (with
 * line:column) ends up in ESPLASH_ERROR_INVALID_IMAGE. */
JsonNode *esplash_json_load (const char  *text,
                             gsize        len,
                             GError     **error);

/* What the content (and name) of a file says it is. */
typedef struct {
  EsplashPlanKind        kind;
  char                  *why;            /* "the ESP-IDF app description (magic 0xABCD5432) …" */
  char                  *detail;         /* "ESP32-S3 app “blink” v1.0 (IDF v5.3)", nullable */
  gint                   image_chip_id;  /* -1: none */
  guint8                 image_magic;    /* 0 when not an image */
  char                  *image_error;    /* starts like an image but does not parse */
  guint32                merged_bootloader_offset;
  EsplashPartitionTable *table;          /* partition table (or the one inside a merged image) */
  guint8                 data_subtype;   /* DATA: spiffs/littlefs/fat; 0xFF unknown */
} EsplashDetected;

void esplash_detect           (GBytes          *data,
                               const char      *name,
                               EsplashDetected *out);
void esplash_detected_clear   (EsplashDetected *det);

/* Secure Boot: a v2 signature sector (magic 0xE7 at a 4 KiB boundary after
 * the image) or a v1 signature (version word 0 + 64 bytes) follows it. */
gboolean esplash_image_is_signed (const guint8 *data,
                                  gsize         len);

/* Findings are added by the checks. */
void esplash_flash_plan_clear_findings (EsplashFlashPlan     *plan);
void esplash_flash_plan_add_finding    (EsplashFlashPlan     *plan,
                                        EsplashPlanSeverity   severity,
                                        EsplashPlanCheck      check,
                                        EsplashError          error_code,
                                        gint                  entry,
                                        const char           *format,
                                        ...) G_GNUC_PRINTF (6, 7);
/* A problem known when the entry was made (missing file, path escape):
 * re-reported by every check. */
void esplash_flash_plan_set_entry_problem (EsplashFlashPlan *plan,
                                           guint             index,
                                           EsplashPlanCheck  check,
                                           const char       *message);
gboolean esplash_flash_plan_get_entry_problem (EsplashFlashPlan  *plan,
                                               guint              index,
                                               EsplashPlanCheck  *check,
                                               const char       **message);
void esplash_flash_plan_set_entry_detail (EsplashFlashPlan *plan,
                                          guint             index,
                                          const char       *detail,
                                          gint              image_chip_id);
void esplash_flash_plan_set_entry_reason (EsplashFlashPlan *plan,
                                          guint             index,
                                          gboolean          has_offset,
                                          guint32           offset,
                                          const char       *reason);

/* Reads a regular file of at most ESPLASH_BUNDLE_MAX_FILE bytes
 * (ESPLASH_ERROR_NOT_FOUND, _PERMISSION_DENIED, _INVALID_ARGUMENT for a
 * non-file, _IMAGE_TOO_LARGE). */
GBytes *esplash_bundle_read_file      (const char  *path,
                                       GError     **error);
/* @rel inside @base_dir, or NULL with *@problem (PATH_ESCAPES,
 * MISSING_FILE) and *@message (naming @what, the description) set. */
char   *esplash_bundle_resolve_inside (const char        *base_dir,
                                       const char        *rel,
                                       const char        *what,
                                       EsplashPlanCheck  *problem,
                                       char             **message);

/* ---- the bundle's insides (esplash-bundle.c, esplash-bundle-resolve.c) */

typedef struct {
  char            *path;        /* shown in the plan */
  GBytes          *data;        /* NULL when there is a problem */
  gboolean         has_offset;
  guint32          offset;
  char            *offset_reason;
  char            *part;        /* flasher_args part name, nullable */
  gboolean         disabled;
  char            *disabled_reason;
  EsplashPlanCheck problem;     /* 0 = none */
  char            *problem_message;
  EsplashDetected  det;
} EsplashBundleItem;

struct _EsplashBundle {
  GObject          parent_instance;
  GPtrArray       *items;       /* EsplashBundleItem */
  GPtrArray       *sources;     /* (element-type utf8) */
  char            *description;
  EsplashManifest *manifest;
  char            *manifest_dir;
  char            *manifest_name;
  char            *flash_mode, *flash_freq, *flash_size;
  char            *chip_hint;
};


EsplashBundleItem *esplash_bundle_item_new         (const char        *path);
void               esplash_bundle_item_free        (EsplashBundleItem *item);
/* Takes @message; drops the data. */
void               esplash_bundle_item_set_problem (EsplashBundleItem *item,
                                                    EsplashPlanCheck   problem,
                                                    char              *message);
/* Takes @data and detects what it is. */
void               esplash_bundle_item_set_data    (EsplashBundleItem *item,
                                                    GBytes            *data);
/* An item for @rel inside @base_dir, read, or with its problem set. */
EsplashBundleItem *esplash_bundle_item_from_listed (const char        *base_dir,
                                                    const char        *rel,
                                                    const char        *what);

G_END_DECLS
