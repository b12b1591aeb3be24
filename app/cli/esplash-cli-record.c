/* esplash-cli-record.c: write-flash --record FILE — the file checked
 * before the port is opened, and after the run (success or failure) one
 * line about the board appended to it (EsplashFlashRecord).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-cli-private.h"

gboolean
cli_record_check (CliContext  *ctx,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (ctx->record == NULL || ctx->dry_run)
    return TRUE;
  if (!esplash_flash_record_check_path (ctx->record, &local_error))
    {
      /* before the port is touched: the user's argument to fix */
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT, "--record: %s",
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
cli_record_append (CliContext    *ctx,
                   gdouble        duration_s,
                   const GError  *flash_error,
                   GError       **error)
{
  EsplashFlashRecord record;
  g_autoptr(GPtrArray) plan_regions = NULL;
  GPtrArray *regions = ctx->regions;
  gboolean ok;

  esplash_flash_record_init (&record);
  record.time = g_date_time_new_now_utc ();
  record.port = g_strdup (ctx->port_used);
  record.usb_serial = g_strdup (ctx->usb_serial);
  if (ctx->record_described)
    esplash_flash_record_set_chip (&record, &ctx->record_desc);
  /* the regions written, else (a failure before) those the plan holds */
  if (regions == NULL && ctx->plan != NULL)
    regions = plan_regions = esplash_flash_plan_dup_regions (ctx->plan);
  for (guint i = 0; regions != NULL && i < regions->len; i++)
    {
      const EsplashFlashRegion *region = g_ptr_array_index (regions, i);

      esplash_flash_record_add_image (&record, region->address, region->data, region->name);
    }
  record.duration_s = duration_s;
  record.ok = flash_error == NULL;
  record.error = flash_error != NULL ? g_strdup (flash_error->message) : NULL;
  record.diagnosis_id = !record.ok && ctx->diagnosis != NULL ? g_strdup (ctx->diagnosis->id)
                                                              : NULL;
  ok = esplash_flash_record_append (&record, ctx->record,
                                    esplash_record_format_for_path (ctx->record), error);
  esplash_flash_record_clear (&record);
  return ok;
}
