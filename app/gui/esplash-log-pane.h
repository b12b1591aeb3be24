/* esplash-log-pane.h: the collapsible log — every event of every job, with
 * time stamps, copy, save and clear.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_LOG_PANE (esplash_log_pane_get_type ())
G_DECLARE_FINAL_TYPE (EsplashLogPane, esplash_log_pane, ESPLASH, LOG_PANE, GtkWidget)

void     esplash_log_pane_append   (EsplashLogPane  *self,
                                    EsplashLogLevel  level,
                                    const char      *message);
void     esplash_log_pane_clear    (EsplashLogPane  *self);
/* The whole log as plain text, one event a line. */
char    *esplash_log_pane_dup_text (EsplashLogPane  *self);
gboolean esplash_log_pane_get_expanded (EsplashLogPane *self);
void     esplash_log_pane_set_expanded (EsplashLogPane *self,
                                        gboolean        expanded);

G_END_DECLS
