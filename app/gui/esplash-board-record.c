/* esplash-board-record.c
 *
 * The images' SHA-256 come from the caller, computed once per firmware
 * change: hashing megabytes for each of a dozen boards finishing together
 * would stall the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-board-record.h"

gboolean
esplash_board_record_append (EsplashFlashSession *session,
                             EsplashJob          *job,
                             GPtrArray           *images,
                             const char          *path,
                             GError             **error)
{
  const EsplashChipDescription *chip = esplash_job_get_chip_description (job);
  const EsplashDiagnosis *diagnosis = esplash_flash_session_get_diagnosis (session);
  EsplashPortItem *port = esplash_flash_session_get_port (session);
  EsplashFlashRecord record;
  gboolean ok;

  g_return_val_if_fail (ESPLASH_IS_FLASH_SESSION (session), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  esplash_flash_record_init (&record);
  record.time = g_date_time_new_from_unix_utc (esplash_flash_session_get_started (session) /
                                               G_USEC_PER_SEC);
  record.port = g_strdup (esplash_port_item_is_virtual (port) ? esplash_flash_session_get_title (session)
                                                              : esplash_port_item_get_id (port));
  record.usb_serial = g_strdup (esplash_port_item_get_usb_serial (port));
  if (chip != NULL && chip->chip != NULL)
    esplash_flash_record_set_chip (&record, chip);
  esplash_flash_record_add_images (&record, images);
  record.duration_s = esplash_job_get_elapsed (job);
  record.ok = esplash_flash_session_get_state (session) == ESPLASH_SESSION_SUCCEEDED;
  record.error = g_strdup (esplash_flash_session_get_error_message (session));
  record.diagnosis_id = diagnosis != NULL ? g_strdup (diagnosis->id) : NULL;
  ok = esplash_flash_record_append (&record, path, esplash_record_format_for_path (path), error);
  esplash_flash_record_clear (&record);
  return ok;
}
