/* esplash-firmware-row.h: one entry of the flash plan — file name, what it
 * is, size, offset (editable) and why it was chosen, enabled switch,
 * remove button, and the checks' warnings and refusals for it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_FIRMWARE_ROW (esplash_firmware_row_get_type ())
G_DECLARE_FINAL_TYPE (EsplashFirmwareRow, esplash_firmware_row, ESPLASH, FIRMWARE_ROW, GtkListBoxRow)

/* A row for entry @index of @plan. */
EsplashFirmwareRow *esplash_firmware_row_new     (EsplashFlashPlan   *plan,
                                                  guint               index);

guint       esplash_firmware_row_get_index       (EsplashFirmwareRow *self);
/* The entry's source file. */
const char *esplash_firmware_row_get_path        (EsplashFirmwareRow *self);
const char *esplash_firmware_row_get_name        (EsplashFirmwareRow *self);
/* FALSE while the offset entry does not hold a valid address. */
gboolean    esplash_firmware_row_get_offset      (EsplashFirmwareRow *self,
                                                  guint32            *offset);
/* As if typed. */
void        esplash_firmware_row_set_offset      (EsplashFirmwareRow *self,
                                                  guint32             offset);
gboolean    esplash_firmware_row_get_enabled     (EsplashFirmwareRow *self);
void        esplash_firmware_row_set_enabled     (EsplashFirmwareRow *self,
                                                  gboolean            enabled);
/* Shows @plan's findings about this row's entry (after a check). */
void        esplash_firmware_row_update_findings (EsplashFirmwareRow *self,
                                                  EsplashFlashPlan   *plan);
/* The findings shown, one a line, for tests and screen readers. */
char       *esplash_firmware_row_dup_findings    (EsplashFirmwareRow *self);

/* Hexadecimal, "0x10000" or "10000"; FALSE when not a number or not
 * 4-byte aligned. */
gboolean    esplash_firmware_parse_offset        (const char *text,
                                                  guint32    *offset);

G_END_DECLS
