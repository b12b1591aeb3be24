/* esplash-flasher.h: "Flash" for any board — makes the write plan from
 * the firmware list and the options on screen, and runs it in a board's
 * session (the window's one board, or each board in production mode).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "esplash-firmware-list.h"
#include "esplash-flash-session.h"
#include "esplash-options-panel.h"

G_BEGIN_DECLS

#define ESPLASH_TYPE_FLASHER (esplash_flasher_get_type ())
G_DECLARE_FINAL_TYPE (EsplashFlasher, esplash_flasher, ESPLASH, FLASHER, GObject)

/* @files and @options must outlive the returned object; @settings
 * (nullable) remembers the rate found per adapter; @stub_dir (nullable)
 * is where flasher stubs are. */
EsplashFlasher *esplash_flasher_new     (EsplashFirmwareList *files,
                                         EsplashOptionsPanel *options,
                                         GSettings           *settings,
                                         const char          *stub_dir);
/* Gives @session the connect options on screen (before any plan of it). */
void            esplash_flasher_prepare (EsplashFlasher      *self,
                                         EsplashFlashSession *session);
/* Writes the files to @session's board; resumable from "Help Me Fix
 * This". FALSE when nothing could start (busy, no files). */
gboolean        esplash_flasher_start   (EsplashFlasher      *self,
                                         EsplashFlashSession *session);
/* Why a board may not be flashed without asking (nothing ready, or a
 * doubt such as another chip's image), %NULL when it may. */
const char     *esplash_flasher_get_refusal (EsplashFlasher *self);
/* What a record says of the images the next flash writes
 * (EsplashRecordImage; SHA-256 computed once per change of the list). */
GPtrArray      *esplash_flasher_get_record_images (EsplashFlasher *self);

G_END_DECLS
