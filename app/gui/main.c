/* main.c: the Esplash GTK application.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(EsplashApplication) app = NULL;

  esplash_application_init_i18n ();

  g_set_application_name (_("Esplash"));
  app = esplash_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
