/* esplash-troubleshoot-page.h: the guided "Help Me Fix This" page — what
 * is wrong, what was seen, the steps (each ticked off as the watcher sees
 * it done), exact commands to copy, and a drawing of the board's BOOT and
 * EN/RESET buttons for the chip family.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_TROUBLESHOOT_PAGE (esplash_troubleshoot_page_get_type ())
G_DECLARE_FINAL_TYPE (EsplashTroubleshootPage, esplash_troubleshoot_page, ESPLASH, TROUBLESHOOT_PAGE, GtkWidget)

GtkWidget *esplash_troubleshoot_page_new (void);

/* @title: the translated title; @chip (nullable): the family drawn;
 * @native_usb: the chip's own USB port (no EN/RTS wiring to draw). */
void     esplash_troubleshoot_page_set_diagnosis   (EsplashTroubleshootPage  *self,
                                                    const EsplashDiagnosis   *diagnosis,
                                                    const char               *title,
                                                    const EsplashChipInfo    *chip,
                                                    gboolean                  native_usb);
/* Ticks the steps @observation satisfies and spins on the first open one. */
void     esplash_troubleshoot_page_set_observation (EsplashTroubleshootPage  *self,
                                                    const EsplashObservation *observation);
/* A line under the steps: what the watcher does right now. */
void     esplash_troubleshoot_page_set_status      (EsplashTroubleshootPage  *self,
                                                    const char               *status);

/* Signals: "manual-boot" — the user holds BOOT, taps RESET and asks to
 * connect without resetting. */

/* For tests. */
guint    esplash_troubleshoot_page_get_n_steps     (EsplashTroubleshootPage *self);
const char *esplash_troubleshoot_page_get_step_text (EsplashTroubleshootPage *self,
                                                    guint                    index);
gboolean esplash_troubleshoot_page_get_step_done   (EsplashTroubleshootPage *self,
                                                    guint                    index);
/* The two labels of the drawing, e.g. "BOOT (GPIO0)" and "EN". */
const char *esplash_troubleshoot_page_get_boot_label  (EsplashTroubleshootPage *self);
const char *esplash_troubleshoot_page_get_reset_label (EsplashTroubleshootPage *self);

G_END_DECLS
