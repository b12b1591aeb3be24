/* esplash-troubleshoot.h: "Help Me Fix This" for the main window — shows a
 * failed job's diagnosis in the status area, opens the guided page, keeps
 * watching the port while it is open (a probe every 300 ms on a worker
 * thread) and resumes the interrupted job as soon as the chip answers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-troubleshoot-page.h"
#include "esplash-window.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_TROUBLESHOOT (esplash_troubleshoot_get_type ())
G_DECLARE_FINAL_TYPE (EsplashTroubleshoot, esplash_troubleshoot, ESPLASH, TROUBLESHOOT, GObject)

/* @window must outlive the returned object. */
EsplashTroubleshoot *esplash_troubleshoot_new         (EsplashWindow       *window);
/* A new job starts: the last diagnosis no longer applies. */
void                 esplash_troubleshoot_job_started (EsplashTroubleshoot *self);
/* Shows @error with @job's diagnosis and enables win.troubleshoot. */
void                 esplash_troubleshoot_job_failed  (EsplashTroubleshoot *self,
                                                       EsplashJob          *job,
                                                       const GError        *error);
/* Opens the guided page for the last diagnosis (win.troubleshoot). */
void                 esplash_troubleshoot_open        (EsplashTroubleshoot *self);
/* Opens the guided page for @diagnosis (screenshots, tests). */
void                 esplash_troubleshoot_show        (EsplashTroubleshoot    *self,
                                                       const EsplashDiagnosis *diagnosis);
/* Stops watching and closes the page. */
void                 esplash_troubleshoot_close       (EsplashTroubleshoot *self);
/* What the virtual board is and how it is wired (drawn as native USB
 * unless UART); an ESP32-S3 on a UART bridge until set. */
void                 esplash_troubleshoot_set_virtual_board (EsplashTroubleshoot *self,
                                                             EsplashChipFamily    family,
                                                             EsplashConsole       console);
EsplashChipFamily    esplash_troubleshoot_get_virtual_family (EsplashTroubleshoot *self);

/* The translated title for a diagnosis id, %NULL for an unknown id. */
const char          *esplash_diagnosis_translated_title (const char *id);

/* For tests: the open page and its window, %NULL when closed. */
EsplashTroubleshootPage *esplash_troubleshoot_get_page   (EsplashTroubleshoot *self);
GtkWindow               *esplash_troubleshoot_get_dialog (EsplashTroubleshoot *self);
/* Probes run while the page was open. */
guint                    esplash_troubleshoot_get_n_probes (EsplashTroubleshoot *self);

G_END_DECLS
