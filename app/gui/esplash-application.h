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
/* Sets the locale from the environment (see the .c for LANGUAGE in the C
 * locale) and binds the "esplash" text domain; call before GTK starts. */
void                esplash_application_init_i18n        (void);

G_END_DECLS
