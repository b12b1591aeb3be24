/* esplash-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "esplash-application.h"
#include "esplash-window.h"

#define SCHEMA_ID "io.github.esplash.Esplash"

struct _EsplashApplication
{
  GtkApplication  parent_instance;

  GSettings      *settings;
  char           *stub_dir;
};

G_DEFINE_FINAL_TYPE (EsplashApplication, esplash_application, GTK_TYPE_APPLICATION)

/* The installed schema, or — when run from the build tree — the one
 * compiled next to it, so `./build/app/gui/esplash` works. */
static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
#ifdef ESPLASH_BUILD_SCHEMA_DIR
  if (schema == NULL && g_file_test (ESPLASH_BUILD_SCHEMA_DIR "/gschemas.compiled", G_FILE_TEST_EXISTS))
    {
      g_autoptr(GSettingsSchemaSource) build_source = NULL;
      g_autoptr(GError) error = NULL;

      build_source = g_settings_schema_source_new_from_directory (ESPLASH_BUILD_SCHEMA_DIR, source,
                                                                  FALSE, &error);
      if (build_source != NULL)
        schema = g_settings_schema_source_lookup (build_source, SCHEMA_ID, FALSE);
      else
        g_debug ("Build-tree schemas unusable: %s", error->message);
    }
#endif
  if (schema == NULL)
    {
      g_warning ("The settings schema %s is not installed; choices will not be remembered",
                 SCHEMA_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

/* ESPLASH_LOCALEDIR wins; a program running from the build tree reads the
 * catalogues meson compiled there, so `LANGUAGE=de build/app/gui/esplash`
 * is translated before anything is installed. */
const char *
esplash_application_get_locale_dir (void)
{
  const char *env = g_getenv ("ESPLASH_LOCALEDIR");

  if (env != NULL && *env != '\0')
    return env;
#if defined(ESPLASH_BUILD_ROOT) && defined(ESPLASH_BUILD_LOCALE_DIR)
  {
    g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

    if (exe != NULL && g_str_has_prefix (exe, ESPLASH_BUILD_ROOT G_DIR_SEPARATOR_S))
      return ESPLASH_BUILD_LOCALE_DIR;
  }
#endif
  return LOCALEDIR;
}

void
esplash_application_init_i18n (void)
{
  const char *language = g_getenv ("LANGUAGE");
  const char *messages;

  setlocale (LC_ALL, "");
  /* gettext ignores LANGUAGE in the C locale (no LANG set, as in a bare
   * shell or CI); C.UTF-8 behaves the same otherwise but lets LANGUAGE
   * choose the translation. GTK must then leave the locale alone. */
  messages = setlocale (LC_MESSAGES, NULL);
  if (language != NULL && *language != '\0' && messages != NULL &&
      (g_str_equal (messages, "C") || g_str_equal (messages, "POSIX")))
    setlocale (LC_ALL, "C.UTF-8");
  gtk_disable_setlocale ();

  bindtextdomain (GETTEXT_PACKAGE, esplash_application_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

static char *
find_stub_dir (void)
{
  const char *env = g_getenv ("ESPLASH_STUB_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (g_file_test (ESPLASH_STUB_INSTALL_DIR, G_FILE_TEST_IS_DIR))
    return NULL;
#ifdef ESPLASH_SOURCE_STUB_DIR
  if (g_file_test (ESPLASH_SOURCE_STUB_DIR, G_FILE_TEST_IS_DIR))
    return g_strdup (ESPLASH_SOURCE_STUB_DIR);
#endif
  return NULL;
}

static EsplashWindow *
get_window (EsplashApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (esplash_window_new (GTK_APPLICATION (self), self->settings,
                                             esplash_application_get_stub_dir (self)));
  return ESPLASH_WINDOW (window);
}

static void
esplash_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (ESPLASH_APPLICATION (app))));
}

static void
esplash_application_open (GApplication  *app,
                          GFile        **files,
                          gint           n_files,
                          const char    *hint)
{
  EsplashWindow *window = get_window (ESPLASH_APPLICATION (app));

  esplash_window_add_files (window, files, (guint) n_files);
  gtk_window_present (GTK_WINDOW (window));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Esplash contributors", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (app),
                         "program-name", _("Esplash"),
                         "logo-icon-name", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Flash firmware onto ESP32 and ESP8266 boards"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", developers,
                         /* TRANSLATORS: your name(s), one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (app);

  /* Closing (not destroying) lets a flashing window ask first. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_activated },
  { .name = "quit", .activate = quit_activated },
};

static void
esplash_application_startup (GApplication *app)
{
  EsplashApplication *self = ESPLASH_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *flash_accels[] = { "<Control>Return", NULL };
  static const char *add_accels[] = { "<Control>o", NULL };
  static const char *cancel_accels[] = { "Escape", "<Control>period", NULL };
  static const char *chip_accels[] = { "<Control>i", NULL };
  static const char *backup_accels[] = { "<Control>s", NULL };
  static const char *monitor_accels[] = { "<Control>m", NULL };

  G_APPLICATION_CLASS (esplash_application_parent_class)->startup (app);

  self->settings = load_settings ();
  self->stub_dir = find_stub_dir ();
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.flash", flash_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.add-firmware", add_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.cancel", cancel_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.chip-info", chip_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.backup", backup_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.monitor", monitor_accels);
}

static void
esplash_application_finalize (GObject *object)
{
  EsplashApplication *self = ESPLASH_APPLICATION (object);

  g_clear_object (&self->settings);
  g_free (self->stub_dir);

  G_OBJECT_CLASS (esplash_application_parent_class)->finalize (object);
}

static void
esplash_application_class_init (EsplashApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = esplash_application_finalize;
  app_class->activate = esplash_application_activate;
  app_class->open = esplash_application_open;
  app_class->startup = esplash_application_startup;
}

static void
esplash_application_init (EsplashApplication *self)
{
}

EsplashApplication *
esplash_application_new (void)
{
  /* A fixed resource path: the development profile only changes the id. */
  return g_object_new (ESPLASH_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/esplash/Esplash",
                       NULL);
}

GSettings *
esplash_application_get_settings (EsplashApplication *self)
{
  g_return_val_if_fail (ESPLASH_IS_APPLICATION (self), NULL);

  return self->settings;
}

const char *
esplash_application_get_stub_dir (EsplashApplication *self)
{
  g_return_val_if_fail (ESPLASH_IS_APPLICATION (self), NULL);

  return self->stub_dir;
}
