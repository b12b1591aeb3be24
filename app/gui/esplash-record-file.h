/* esplash-record-file.h: production mode's "Record of every board" row —
 * the file a line per flash goes to, a Choose File… button, the file
 * checked when chosen, remembered in GSettings, and any failure to write
 * it said in the row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ESPLASH_TYPE_RECORD_FILE (esplash_record_file_get_type ())
G_DECLARE_FINAL_TYPE (EsplashRecordFile, esplash_record_file, ESPLASH, RECORD_FILE, GtkWidget)

/* Signal: "log" (level, message) — a file that cannot be used. */
GtkWidget  *esplash_record_file_new        (void);
/* Keeps the path in @settings' "production-record"; a remembered file that
 * cannot be written now is said, not used. */
void        esplash_record_file_bind       (EsplashRecordFile  *self,
                                            GSettings          *settings);
/* (nullable: none); FALSE + @error when the file cannot be appended to
 * (nothing changes then). */
gboolean    esplash_record_file_set_path   (EsplashRecordFile  *self,
                                            const char         *path,
                                            GError            **error);
const char *esplash_record_file_get_path   (EsplashRecordFile  *self);
/* A line could not be written: @message stays in the row. */
void        esplash_record_file_show_error (EsplashRecordFile  *self,
                                            const char         *message);

G_END_DECLS
