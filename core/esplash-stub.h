/* esplash-stub.h: flasher-stub images (JSON, esptool/esptool-js format).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "esplash-chip.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_STUB (esplash_stub_get_type ())
G_DECLARE_FINAL_TYPE (EsplashStub, esplash_stub, ESPLASH, STUB, GObject)

EsplashStub *esplash_stub_new_from_bytes (GBytes      *json,
                                          GError     **error);
EsplashStub *esplash_stub_new_from_file  (const char  *path,
                                          GError     **error);

guint32      esplash_stub_get_entry      (EsplashStub *self);
GBytes      *esplash_stub_get_text       (EsplashStub *self);   /* transfer none */
guint32      esplash_stub_get_text_start (EsplashStub *self);
GBytes      *esplash_stub_get_data       (EsplashStub *self);   /* transfer none, nullable */
guint32      esplash_stub_get_data_start (EsplashStub *self);
guint32      esplash_stub_get_bss_start  (EsplashStub *self);   /* 0 if absent */
const char  *esplash_stub_get_path       (EsplashStub *self);   /* nullable */

/* Search order: @stub_dir (if not NULL), $ESPLASH_STUB_DIR, the installed
 * data dir (ESPLASH_STUB_INSTALL_DIR from config.h), the user data dir
 * ($XDG_DATA_HOME/esplash/stubs). Returns NULL with ESPLASH_ERROR_NOT_FOUND
 * (listing the places searched) when there is none. */
EsplashStub *esplash_stub_find (const EsplashChipInfo *chip,
                                guint                  revision,
                                const char            *stub_dir,
                                GError               **error);

/* The directories esplash_stub_find() searches, in order (for messages). */
GStrv        esplash_stub_dup_search_path (const char *stub_dir);

G_END_DECLS
