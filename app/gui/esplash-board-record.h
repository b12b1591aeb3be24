/* esplash-board-record.h: the line a production flash adds to the record
 * file — what the session learned of the board, and the images written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-flash-session.h"

G_BEGIN_DECLS

/* Appends the last job of @session (ended) to @path, in the format its
 * name says (.csv, else JSON Lines); @images: EsplashRecordImage. */
gboolean esplash_board_record_append (EsplashFlashSession *session,
                                      EsplashJob          *job,
                                      GPtrArray           *images,
                                      const char          *path,
                                      GError             **error);

G_END_DECLS
