/* esplash-firmware-list.h: the Firmware section — whatever was dropped or
 * opened (files, build folders, descriptions) turned into a flash plan by
 * EsplashBundle, one row per entry, with the user's offsets and switches
 * kept across changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash.h"
#include "esplash-firmware-row.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_FIRMWARE_LIST (esplash_firmware_list_get_type ())
G_DECLARE_FINAL_TYPE (EsplashFirmwareList, esplash_firmware_list, ESPLASH, FIRMWARE_LIST, GtkWidget)

/* Files and folders; what is already there is skipped, what cannot be
 * used is reported through the "message" signal. */
void      esplash_firmware_list_add_files    (EsplashFirmwareList   *self,
                                              GFile *const          *files,
                                              guint                  n_files);
/* Rows shown. */
guint     esplash_firmware_list_get_n_files  (EsplashFirmwareList   *self);
/* Something to write, every enabled offset valid, no refusal that
 * forcing cannot lift. */
gboolean  esplash_firmware_list_is_ready     (EsplashFirmwareList   *self);
/* The first refusal a confirmation may lift (the chip does not match …),
 * %NULL when none. */
const char *esplash_firmware_list_get_confirmation (EsplashFirmwareList *self);
/* (transfer none) (nullable) */
EsplashFlashPlan *esplash_firmware_list_get_plan (EsplashFirmwareList *self);
/* Adds each enabled entry as a region; returns how many. Their names are
 * appended to @names (nullable), in the same order. */
guint     esplash_firmware_list_add_to_plan  (EsplashFirmwareList   *self,
                                              EsplashJobPlan        *plan,
                                              GPtrArray             *names);
/* Adds the images add_to_plan() would write to @record (their SHA-256). */
void      esplash_firmware_list_add_to_record (EsplashFirmwareList *self,
                                               EsplashFlashRecord  *record);
/* What the plan is made for and checked against; @chip nullable. */
void      esplash_firmware_list_set_target   (EsplashFirmwareList   *self,
                                              const EsplashChipInfo *chip,
                                              guint                  revision,
                                              guint32                flash_size);
/* What was added ("as": URIs) and the user's changes ("a(sub)": entry
 * URI, offset or G_MAXUINT32, enabled) for GSettings, and back. */
GVariant *esplash_firmware_list_save_files   (EsplashFirmwareList   *self);
GVariant *esplash_firmware_list_save_changes (EsplashFirmwareList   *self);
void      esplash_firmware_list_restore      (EsplashFirmwareList   *self,
                                              GVariant              *files,
                                              GVariant              *changes);
/* Shows the Add Firmware file dialog. */
void      esplash_firmware_list_choose_files (EsplashFirmwareList   *self);
/* The app's ELF found beside what was added, or %NULL. */
char     *esplash_firmware_list_find_elf     (EsplashFirmwareList   *self);
/* The row for the file named @name, or %NULL. */
EsplashFirmwareRow *esplash_firmware_list_find_row (EsplashFirmwareList *self,
                                                    const char          *name);

G_END_DECLS
