/* esplash-style.h: the app's style sheet and icons.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Loads them on the default display: windows call it themselves, so they
 * look the same without the app (tests, screenshots). */
void esplash_style_load (void);

G_END_DECLS
