/* esplash-firmware-list.h: the Firmware section — the files to write, one
 * row each, with an Add Firmware button and a placeholder that invites
 * a drop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_FIRMWARE_LIST (esplash_firmware_list_get_type ())
G_DECLARE_FINAL_TYPE (EsplashFirmwareList, esplash_firmware_list, ESPLASH, FIRMWARE_LIST, GtkWidget)

/* Files already listed are skipped. Emits "added" for each new one. */
void      esplash_firmware_list_add_files    (EsplashFirmwareList *self,
                                              GFile *const        *files,
                                              guint                n_files);
guint     esplash_firmware_list_get_n_files  (EsplashFirmwareList *self);
/* Whether there is something to write and every enabled offset is valid. */
gboolean  esplash_firmware_list_is_ready     (EsplashFirmwareList *self);
/* Adds each enabled file at its offset; returns how many. Their base
 * names are appended to @names (nullable), in the same order. */
guint     esplash_firmware_list_add_to_plan  (EsplashFirmwareList *self,
                                              EsplashJobPlan      *plan,
                                              GPtrArray           *names);
/* The list as a GSettings "a(sub)" value (URI, offset, enabled) and back;
 * files that no longer exist are skipped when restoring. */
GVariant *esplash_firmware_list_save         (EsplashFirmwareList *self);
void      esplash_firmware_list_restore      (EsplashFirmwareList *self,
                                              GVariant            *saved);
/* Shows the Add Firmware file dialog. */
void      esplash_firmware_list_choose_files (EsplashFirmwareList *self);

G_END_DECLS
