/* esplash-chip-dialog.h: everything known about a connected chip — name,
 * revision, features, crystal, MAC, flash id and size, security.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_CHIP_DIALOG (esplash_chip_dialog_get_type ())
G_DECLARE_FINAL_TYPE (EsplashChipDialog, esplash_chip_dialog, ESPLASH, CHIP_DIALOG, GtkWindow)

EsplashChipDialog *esplash_chip_dialog_new      (GtkWindow                    *parent,
                                                 const EsplashChipDescription *chip);
/* The details as "Name: value" lines (what Copy puts on the clipboard). */
char              *esplash_chip_dialog_dup_text (EsplashChipDialog            *self);

G_END_DECLS
