/* esplash-port-chooser.h: the port drop-down — local serial ports,
 * refreshed every second, plus the virtual demo board.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "esplash-port-item.h"
#include "esplash-port-watch.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_PORT_CHOOSER (esplash_port_chooser_get_type ())
G_DECLARE_FINAL_TYPE (EsplashPortChooser, esplash_port_chooser, ESPLASH, PORT_CHOOSER, GtkWidget)

/* (transfer none) (nullable) */
EsplashPortItem *esplash_port_chooser_get_selected       (EsplashPortChooser *self);
/* The port the user picked last (bound to GSettings "last-port"); selected
 * whenever it is present. */
const char      *esplash_port_chooser_get_preferred_port (EsplashPortChooser *self);
void             esplash_port_chooser_set_preferred_port (EsplashPortChooser *self,
                                                          const char         *id);
/* (transfer none) what lists the ports, every second */
EsplashPortWatch *esplash_port_chooser_get_port_watch   (EsplashPortChooser *self);

G_END_DECLS
