/* esplash-bundle.h: whatever a build produced → a flash plan (issue 3).
 *
 * A bundle collects dropped files and folders: ESP images, partition
 * tables, boot_app0.bin, merged images, Intel HEX, ESP-IDF build folders
 * (flasher_args.json, else flash_project_args / flash_args), Arduino and
 * PlatformIO build folders, ESP Web Tools manifest.json, and explicit
 * ADDR FILE pairs. esplash_bundle_resolve() turns it into an
 * EsplashFlashPlan for a chip (or for the chip the files name), with the
 * reason for every offset, and runs the checks.
 *
 * Typical use (CLI):
 *   bundle = esplash_bundle_new_from_paths (paths, &error);
 *   esplash_plan_target_init (&target);  target.chip = chip_from_--chip;
 *   plan = esplash_bundle_resolve (bundle, &target, &error);   // before connecting
 *   print esplash_flash_plan_format (plan);
 *   esplash_flash_plan_ensure_writable (plan, force, &error);
 *   … connect; target.chip/revision/flash_size from the device …
 *   plan = esplash_bundle_resolve (bundle, &target, &error);   // again, for the real chip
 *   esplash_flash_plan_ensure_writable (plan, force, &error);
 *   regions = esplash_flash_plan_dup_regions (plan);  → esplash_flash_write
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include "esplash-flash-plan.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_BUNDLE (esplash_bundle_get_type ())
G_DECLARE_FINAL_TYPE (EsplashBundle, esplash_bundle, ESPLASH, BUNDLE, GObject)

EsplashBundle *esplash_bundle_new            (void);
/* esplash_bundle_add_path() for each of @paths (NULL-terminated). */
EsplashBundle *esplash_bundle_new_from_paths (const char *const  *paths,
                                              GError            **error);

/* Adds a file (image, table, HEX, flasher_args.json, flash_project_args,
 * manifest.json) or a build folder, recognised by content and name.
 * Errors: ESPLASH_ERROR_NOT_FOUND (no such path, a folder with nothing
 * recognisable), ESPLASH_ERROR_INVALID_IMAGE (invalid JSON with
 * line:column, a bad HEX record with its line, a malformed description),
 * ESPLASH_ERROR_INVALID_ARGUMENT (a folder with several PlatformIO
 * environments). Problems with single files a description lists (missing,
 * outside the folder, empty, on the web) are not errors here: they become
 * refusals in the plan, next to everything else. */
gboolean       esplash_bundle_add_path       (EsplashBundle  *bundle,
                                              const char     *path,
                                              GError        **error);
/* Adds @path to be written at @offset as given (an ADDR FILE pair). */
gboolean       esplash_bundle_add_file_at    (EsplashBundle  *bundle,
                                              guint32         offset,
                                              const char     *path,
                                              GError        **error);

/* What the bundle holds, for a title ("ESP-IDF build (flasher_args.json)"). */
const char    *esplash_bundle_get_description (EsplashBundle *bundle);
/* The chip the inputs name (flasher_args "chip", the images' chip ids, a
 * manifest with a single chip family); NULL when none or when they disagree. */
const EsplashChipInfo *esplash_bundle_guess_chip (EsplashBundle *bundle);

/* Builds the plan for @target->chip (NULL: the guessed chip; offsets that
 * depend on the chip are then left open with a refusal) and checks it
 * against @target. Errors only when no plan can be made at all: a manifest
 * without a build for the chip (ESPLASH_ERROR_UNSUPPORTED_CHIP) or with no
 * chip known (ESPLASH_ERROR_INVALID_ARGUMENT, naming the families). */
EsplashFlashPlan *esplash_bundle_resolve     (EsplashBundle            *bundle,
                                              const EsplashPlanTarget  *target,
                                              GError                  **error);

G_END_DECLS
