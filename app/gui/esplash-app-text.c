/* esplash-app-text.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-app-text.h"

char *
esplash_stage_describe (EsplashStage  stage,
                        guint         region_index,
                        guint         region_count,
                        const char   *region_name)
{
  switch (stage)
    {
    case ESPLASH_STAGE_IDLE:
      return g_strdup (_("Ready"));
    case ESPLASH_STAGE_OPENING:
      return g_strdup (_("Opening the port…"));
    case ESPLASH_STAGE_RESETTING:
    case ESPLASH_STAGE_SYNCING:
    case ESPLASH_STAGE_DETECTING:
      return g_strdup (_("Connecting…"));
    case ESPLASH_STAGE_UPLOADING_STUB:
      return g_strdup (_("Uploading flasher stub…"));
    case ESPLASH_STAGE_CHANGING_BAUD:
      return g_strdup (_("Changing the baud rate…"));
    case ESPLASH_STAGE_ERASING:
      return g_strdup (_("Erasing flash…"));
    case ESPLASH_STAGE_WRITING:
      if (region_name != NULL && region_count > 1)
        /* TRANSLATORS: "Writing bootloader.bin (2 of 3)…" */
        return g_strdup_printf (_("Writing %s (%u of %u)…"), region_name, region_index + 1, region_count);
      if (region_name != NULL)
        /* TRANSLATORS: "Writing app.bin…" */
        return g_strdup_printf (_("Writing %s…"), region_name);
      if (region_count > 1)
        /* TRANSLATORS: "Writing region 2 of 3…" */
        return g_strdup_printf (_("Writing region %u of %u…"), region_index + 1, region_count);
      return g_strdup (_("Writing…"));
    case ESPLASH_STAGE_VERIFYING:
      if (region_name != NULL && region_count > 1)
        /* TRANSLATORS: "Verifying bootloader.bin (2 of 3)…" */
        return g_strdup_printf (_("Verifying %s (%u of %u)…"), region_name, region_index + 1, region_count);
      return g_strdup (_("Verifying…"));
    case ESPLASH_STAGE_READING:
      return g_strdup (_("Reading flash…"));
    case ESPLASH_STAGE_LEAVING:
      return g_strdup (_("Resetting the board…"));
    case ESPLASH_STAGE_DONE:
      return g_strdup (_("Done"));
    case ESPLASH_STAGE_RECONNECTING:
      /* TRANSLATORS: the connection was lost mid-operation; the operation
       * goes on once the chip answers again */
      return g_strdup (_("Reconnecting to the chip…"));
    default:
      return g_strdup (_("Working…"));
    }
}

char *
esplash_format_duration (gdouble seconds)
{
  guint s = (guint) (seconds + 0.5);

  if (seconds < 1.0)
    return g_strdup (_("less than a second"));
  if (s < 60)
    /* TRANSLATORS: a duration under a minute */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", s), s);
  /* TRANSLATORS: a duration: minutes and seconds, "2:05 min" */
  return g_strdup_printf (_("%u:%02u min"), s / 60, s % 60);
}

static const char *
failed_title (EsplashJobAction action)
{
  switch (action)
    {
    case ESPLASH_JOB_DESCRIBE:
      return _("Could not read the chip details");
    case ESPLASH_JOB_READ:
      return _("Backing up the flash failed");
    case ESPLASH_JOB_ERASE_ALL:
      return _("Erasing the flash failed");
    case ESPLASH_JOB_RESET:
      return _("Could not reset the board");
    case ESPLASH_JOB_WRITE:
    default:
      return _("Flashing failed");
    }
}

/* A translated headline for the core's English detail. */
const char *
esplash_error_title (const GError     *error,
                     EsplashJobAction  action)
{
  if (error->domain != ESPLASH_ERROR)
    return failed_title (action);

  switch (error->code)
    {
    case ESPLASH_ERROR_NOT_FOUND:
      return _("The port or a file was not found");
    case ESPLASH_ERROR_PERMISSION_DENIED:
      return _("No permission to open the port");
    case ESPLASH_ERROR_BUSY:
      return _("The port is in use by another program");
    case ESPLASH_ERROR_TIMED_OUT:
      return _("The board stopped answering");
    case ESPLASH_ERROR_NO_SYNC:
      return _("Could not connect to the board");
    case ESPLASH_ERROR_PORT_GONE:
      return _("The board was unplugged");
    case ESPLASH_ERROR_VERIFY_FAILED:
      return _("The written firmware did not verify");
    case ESPLASH_ERROR_INVALID_IMAGE:
    case ESPLASH_ERROR_IMAGE_TOO_LARGE:
      return _("The firmware cannot be written as it is");
    case ESPLASH_ERROR_UNSUPPORTED_CHIP:
      return _("This chip is not supported");
    case ESPLASH_ERROR_LINE_DAMAGED:
      return _("The connection to the board is unreliable");
    case ESPLASH_ERROR_CHIP_RESET:
      return _("The board restarted during the operation");
    default:
      return failed_title (action);
    }
}

const char *
esplash_error_hint (const GError *error)
{
  if (error->domain != ESPLASH_ERROR)
    return NULL;

  switch (error->code)
    {
    case ESPLASH_ERROR_NOT_FOUND:
      return _("Check that the board is plugged in and the files are still there.");
    case ESPLASH_ERROR_PERMISSION_DENIED:
      return _("Add your user to the group that owns serial ports (often “dialout”), then log out and in again.");
    case ESPLASH_ERROR_BUSY:
      return _("Close serial monitors and other flashing tools, then try again.");
    case ESPLASH_ERROR_TIMED_OUT:
      return _("Check the cable, then try again at a lower baud rate.");
    case ESPLASH_ERROR_NO_SYNC:
      return _("Hold the BOOT button while pressing RESET to put the board into download mode, then try again.");
    case ESPLASH_ERROR_PORT_GONE:
      return _("Plug the board back in and flash again; a loose cable or a weak USB port can cause this.");
    case ESPLASH_ERROR_VERIFY_FAILED:
      return _("Flash again at a lower baud rate; if it keeps failing, the flash chip may be damaged.");
    case ESPLASH_ERROR_LINE_DAMAGED:
      return _("Choose a lower baud rate, use a short cable without a USB hub, and close other programs that use the port.");
    case ESPLASH_ERROR_CHIP_RESET:
      return _("Do not press RESET or BOOT while flashing, close other programs that use the port, and power the board from a good USB port; then flash again.");
    default:
      return NULL;
    }
}

const char *
esplash_job_cancelled_text (EsplashJobAction   action,
                            const char       **detail)
{
  switch (action)
    {
    case ESPLASH_JOB_WRITE:
      *detail = _("The board may not start until it is flashed completely.");
      return _("Flashing cancelled");
    case ESPLASH_JOB_READ:
      *detail = _("No backup was saved.");
      return _("Backup cancelled");
    case ESPLASH_JOB_ERASE_ALL:
      *detail = _("Part of the flash may already be erased.");
      return _("Erasing cancelled");
    case ESPLASH_JOB_DESCRIBE:
    case ESPLASH_JOB_RESET:
    default:
      *detail = _("Nothing was changed on the board.");
      return _("Cancelled");
    }
}

char *
esplash_chip_summary (const EsplashChipDescription *chip)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *mac_text = NULL;

  g_return_val_if_fail (chip->chip != NULL, NULL);

  g_ptr_array_add (parts, g_strdup (chip->chip->name));
  /* TRANSLATORS: chip revision, "revision v0.2" */
  g_ptr_array_add (parts, g_strdup_printf (_("revision v%u.%u"),
                                           chip->revision / 100, chip->revision % 100));
  if (chip->flash_size > 0)
    {
      g_autofree char *size = g_format_size_full (chip->flash_size, G_FORMAT_SIZE_IEC_UNITS);

      /* TRANSLATORS: "4.0 MiB flash" */
      g_ptr_array_add (parts, g_strdup_printf (_("%s flash"), size));
    }
  mac_text = esplash_chip_description_dup_mac (chip);
  /* TRANSLATORS: the chip's MAC address */
  g_ptr_array_add (parts, g_strdup_printf (_("MAC %s"), mac_text));
  if (chip->crystal_mhz > 0)
    /* TRANSLATORS: the crystal oscillator frequency */
    g_ptr_array_add (parts, g_strdup_printf (_("%u MHz crystal"), chip->crystal_mhz));
  g_ptr_array_add (parts, NULL);

  return g_strjoinv (" · ", (char **) parts->pdata);
}

static char *flash_result_sentence (guint64 bytes, guint64 unchanged, gdouble elapsed);

char *
esplash_flash_result_text (guint64 bytes,
                           guint64 unchanged,
                           gdouble elapsed,
                           guint   resumed)
{
  g_autofree char *text = flash_result_sentence (bytes, unchanged, elapsed);

  if (resumed == 0)
    return g_steal_pointer (&text);
  /* TRANSLATORS: appended to the result, e.g. "Wrote 1.2 MB in 14 seconds (86.0 kB/s). The
   * connection to the board was lost 2 times: …" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s The connection to the board was lost %u time: Esplash "
                                       "reconnected and checked what the flash held before going on.",
                                       "%s The connection to the board was lost %u times: Esplash "
                                       "reconnected each time and checked what the flash held "
                                       "before going on.", resumed), text, resumed);
}

static char *
flash_result_sentence (guint64 bytes,
                       guint64 unchanged,
                       gdouble elapsed)
{
  g_autofree char *size = g_format_size (bytes);
  g_autofree char *duration = NULL;

  elapsed = MAX (elapsed, 0.001);
  duration = esplash_format_duration (elapsed);
  unchanged = MIN (unchanged, bytes);
  if (unchanged > 0 && unchanged == bytes)
    /* TRANSLATORS: "The board held this firmware already: nothing was written (checked in 1 second)." */
    return g_strdup_printf (_("The board held this firmware already: nothing was written "
                              "(checked in %s)."), duration);
  if (unchanged > 0)
    {
      g_autofree char *changed = g_format_size (bytes - unchanged);

      /* TRANSLATORS: "Wrote 12.3 kB of 1.2 MB in 2 seconds; the rest was on the board already." */
      return g_strdup_printf (_("Wrote %s of %s in %s; the rest was on the board already."),
                              changed, size, duration);
    }
  {
    g_autofree char *rate = g_format_size ((guint64) (bytes / elapsed));

    /* TRANSLATORS: "Wrote 1.2 MB in 14 seconds (86.0 kB/s)." */
    return g_strdup_printf (_("Wrote %s in %s (%s/s)."), size, duration, rate);
  }
}

static const char *
title_msgid (const char *id)
{
  static const struct { const char *id; const char *title; } titles[] = {
    { ESPLASH_DIAGNOSIS_PERMISSION_DENIED, N_("No permission to open the port") },
    { ESPLASH_DIAGNOSIS_PORT_BUSY, N_("Another program is using the port") },
    { ESPLASH_DIAGNOSIS_PORT_GONE, N_("The port disappeared") },
    { ESPLASH_DIAGNOSIS_NO_PORT, N_("The port does not exist") },
    { ESPLASH_DIAGNOSIS_SILENT_LINE, N_("No data from the chip") },
    { ESPLASH_DIAGNOSIS_NORMAL_BOOT, N_("The chip started its firmware instead of download mode") },
    { ESPLASH_DIAGNOSIS_INVALID_STRAPS, N_("The chip’s strap pins select neither flash nor download mode") },
    { ESPLASH_DIAGNOSIS_NO_SYNC_REPLY, N_("The chip waits in download mode but does not answer") },
    { ESPLASH_DIAGNOSIS_WRONG_BAUD, N_("The chip sends data Esplash cannot read at this baud rate") },
    { ESPLASH_DIAGNOSIS_USB_REENUMERATING, N_("The board’s USB port restarted") },
    { ESPLASH_DIAGNOSIS_SECURE_DOWNLOAD_MODE, N_("The chip is in Secure Download Mode") },
    { ESPLASH_DIAGNOSIS_FLASH_NOT_CONNECTED, N_("The flash chip does not answer") },
    { ESPLASH_DIAGNOSIS_STALL_MID_WRITE, N_("The chip stopped answering while writing") },
    { ESPLASH_DIAGNOSIS_VERIFY_MISMATCH, N_("The flash does not hold what was written") },
    { ESPLASH_DIAGNOSIS_APP_CRASH, N_("The firmware on the chip crashes") },
    { ESPLASH_DIAGNOSIS_WRONG_CHIP, N_("This is not the chip that was selected") },
    { ESPLASH_DIAGNOSIS_LINE_DAMAGED, N_("The chip’s replies arrive damaged") },
    { ESPLASH_DIAGNOSIS_CHIP_RESET_MID_WRITE, N_("The chip was reset while writing") },
    { ESPLASH_DIAGNOSIS_UNKNOWN, N_("The operation failed") },
  };

  for (guint i = 0; id != NULL && i < G_N_ELEMENTS (titles); i++)
    if (g_str_equal (id, titles[i].id))
      return titles[i].title;
  return NULL;
}

/* Untranslated, the core's own title says more (it names the chip or the
 * port); gettext hands back the msgid itself then. */
const char *
esplash_diagnosis_title (const EsplashDiagnosis *diagnosis)
{
  const char *msgid = title_msgid (diagnosis->id);
  const char *title = msgid != NULL ? _(msgid) : NULL;

  return title != NULL && title != msgid ? title : diagnosis->title;
}
