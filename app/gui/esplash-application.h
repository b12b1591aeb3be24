/* esplash-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ESPLASH_TYPE_APPLICATION (esplash_application_get_type ())
G_DECLARE_FINAL_TYPE (EsplashApplication, esplash_application, ESPLASH, APPLICATION, GtkApplication)

EsplashApplication *esplash_application_new          (void);

/* The app's settings, or %NULL when the schema is not installed (then
 * choices are simply not remembered). (transfer none) */
GSettings          *esplash_application_get_settings (EsplashApplication *self);
/* Where flasher stubs are found when not installed; %NULL = the core's default. */
const char         *esplash_application_get_stub_dir (EsplashApplication *self);

/* Where the translations are read from (see the .c). */
const char         *esplash_application_get_locale_dir   (void);
/* Binds the "esplash" text domain there; call after setlocale(). */
void                esplash_application_bind_text_domain (void);

G_END_DECLS
