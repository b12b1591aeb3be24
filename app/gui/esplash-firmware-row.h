/* esplash-firmware-row.h: one firmware file in the list — name, offset,
 * size, enabled switch, remove button.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ESPLASH_TYPE_FIRMWARE_ROW (esplash_firmware_row_get_type ())
G_DECLARE_FINAL_TYPE (EsplashFirmwareRow, esplash_firmware_row, ESPLASH, FIRMWARE_ROW, GtkListBoxRow)

EsplashFirmwareRow *esplash_firmware_row_new          (GFile   *file,
                                                       guint32  offset);

GFile   *esplash_firmware_row_get_file         (EsplashFirmwareRow *self);
/* FALSE while the offset entry does not hold a valid address. */
gboolean esplash_firmware_row_get_offset       (EsplashFirmwareRow *self,
                                                guint32            *offset);
void     esplash_firmware_row_set_offset       (EsplashFirmwareRow *self,
                                                guint32             offset);
gboolean esplash_firmware_row_get_enabled      (EsplashFirmwareRow *self);
void     esplash_firmware_row_set_enabled      (EsplashFirmwareRow *self,
                                                gboolean            enabled);
/* Bytes; 0 until known. */
guint64  esplash_firmware_row_get_size         (EsplashFirmwareRow *self);

/* A first guess of where @name goes (a later planner reads the image). */
guint32  esplash_firmware_guess_offset         (const char *name,
                                                gboolean    first);
/* Hexadecimal, "0x10000" or "10000"; FALSE when not a number or not
 * 4-byte aligned. */
gboolean esplash_firmware_parse_offset         (const char *text,
                                                guint32    *offset);

G_END_DECLS
