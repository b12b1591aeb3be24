/* esplash-ask.h: the one question the app asks before something it cannot
 * undo — a modal dialog whose yes is destructive and whose default is no.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* @response_cb (user_data, response, dialog) must destroy the dialog;
 * it is not called once @user_data (a GObject) is gone. */
void esplash_ask_destructive (GtkWindow  *parent,
                              const char *question,
                              const char *detail,
                              const char *no,
                              const char *yes,
                              GCallback   response_cb,
                              gpointer    user_data);

G_END_DECLS
