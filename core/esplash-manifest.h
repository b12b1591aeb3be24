/* esplash-manifest.h: ESP Web Tools manifest.json (pure; protocol.md §9.3).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "esplash-chip.h"

G_BEGIN_DECLS

#define ESPLASH_MANIFEST_MAX_BUILDS  32
#define ESPLASH_MANIFEST_MAX_PARTS   32

typedef struct {
  char    *path;      /* relative to the manifest, or an http(s) URL */
  guint32  offset;    /* decimal in the JSON */
} EsplashManifestPart;

typedef struct {
  char      *chip_family;    /* "ESP32-S3" as written */
  guint      flash_size_mb;  /* 0 = any */
  char      *serial_type;    /* "cdc", "uart", nullable */
  GPtrArray *parts;          /* (element-type EsplashManifestPart), ≥ 1 */
} EsplashManifestBuild;

typedef struct {
  char      *name;           /* nullable */
  char      *version;        /* nullable */
  gboolean   prompt_erase;   /* new_install_prompt_erase (or the deprecated skip_erase) */
  GPtrArray *builds;         /* (element-type EsplashManifestBuild), ≥ 1 */
} EsplashManifest;

/* Errors: ESPLASH_ERROR_INVALID_IMAGE with what is wrong (JSON syntax with
 * line:column, no builds, a part without path or with a non-integer offset). */
EsplashManifest *esplash_manifest_parse (const char  *text,
                                         gsize        len,
                                         GError     **error);
void             esplash_manifest_free  (EsplashManifest *manifest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashManifest, esplash_manifest_free)

/* The build for @chip, as ESP Web Tools picks it: chipFamily equal to the
 * chip name; among those, one whose flashSizeMB equals @flash_size (bytes;
 * 0 = unknown) beats one without flashSizeMB; ties → the first. No build →
 * ESPLASH_ERROR_UNSUPPORTED_CHIP naming the families the manifest has. */
const EsplashManifestBuild *esplash_manifest_pick_build (const EsplashManifest  *manifest,
                                                         const EsplashChipInfo  *chip,
                                                         guint32                 flash_size,
                                                         GError                **error);

/* "ESP32, ESP32-S3" */
char *esplash_manifest_dup_families (const EsplashManifest *manifest);

G_END_DECLS
