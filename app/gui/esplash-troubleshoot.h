/* esplash-troubleshoot.h: "Help Me Fix This" for one board's session —
 * opens the guided page for its failure, keeps watching its port while
 * the page is open (a probe every 300 ms on a worker thread) and resumes
 * the session's interrupted job as soon as the chip answers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-flash-session.h"
#include "esplash-troubleshoot-page.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_TROUBLESHOOT (esplash_troubleshoot_get_type ())
G_DECLARE_FINAL_TYPE (EsplashTroubleshoot, esplash_troubleshoot, ESPLASH, TROUBLESHOOT, GObject)

/* The page is modal to @parent, which must outlive the returned object. */
EsplashTroubleshoot *esplash_troubleshoot_new   (GtkWindow           *parent);
/* Opens the guided page for @session's last failure, unless it is busy. */
void                 esplash_troubleshoot_open  (EsplashTroubleshoot *self,
                                                 EsplashFlashSession *session);
/* Opens the guided page for @diagnosis (nullable: @session's) and
 * watches @session's port (screenshots, tests). */
void                 esplash_troubleshoot_show  (EsplashTroubleshoot    *self,
                                                 EsplashFlashSession    *session,
                                                 const EsplashDiagnosis *diagnosis);
/* Stops watching and closes the page. */
void                 esplash_troubleshoot_close (EsplashTroubleshoot *self);

/* Signals: "watching" (session) — the page opens and probes @session's
 * port: whoever reads it (the serial monitor) lets go. */

/* (nullable) the board watched */
EsplashFlashSession *esplash_troubleshoot_get_session (EsplashTroubleshoot *self);

/* For tests: the open page and its window, %NULL when closed. */
EsplashTroubleshootPage *esplash_troubleshoot_get_page   (EsplashTroubleshoot *self);
GtkWindow               *esplash_troubleshoot_get_dialog (EsplashTroubleshoot *self);
/* Probes run while the page was open. */
guint                    esplash_troubleshoot_get_n_probes (EsplashTroubleshoot *self);

G_END_DECLS
