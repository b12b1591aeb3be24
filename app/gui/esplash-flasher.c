/* esplash-flasher.c
 *
 * Flashing is the same for one board and for twenty: this is the only
 * place a write plan is made in the app, so the production rows and the
 * window cannot drift apart.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-app-text.h"
#include "esplash-flasher.h"

struct _EsplashFlasher
{
  GObject              parent_instance;

  EsplashFirmwareList *files;
  EsplashOptionsPanel *options;
  GSettings           *settings;   /* nullable */
  char                *stub_dir;   /* nullable */
  GPtrArray           *images;     /* EsplashRecordImage; NULL until asked after a change */
};

G_DEFINE_FINAL_TYPE (EsplashFlasher, esplash_flasher, G_TYPE_OBJECT)

void
esplash_flasher_prepare (EsplashFlasher      *self,
                         EsplashFlashSession *session)
{
  g_return_if_fail (ESPLASH_IS_FLASHER (self));
  g_return_if_fail (ESPLASH_IS_FLASH_SESSION (session));

  esplash_flash_session_set_connect (session, esplash_options_panel_get_baud (self->options),
                                     esplash_options_panel_get_after (self->options),
                                     self->stub_dir, self->settings);
}

static void
flash_done (EsplashFlashSession *session,
            EsplashJob          *job,
            gpointer             user_data)
{
  g_autofree char *detail = esplash_flash_result_text (esplash_flash_session_get_job_bytes (session),
                                                       esplash_job_get_bytes_unchanged (job),
                                                       esplash_job_get_elapsed (job),
                                                       esplash_job_get_resume_count (job));

  esplash_flash_session_set_result (session, "success", _("Firmware flashed"), NULL, detail);
  esplash_flash_session_log (session, ESPLASH_LOG_INFO, detail);
}

static void
restart (EsplashFlashSession *session,
         gpointer             user_data)
{
  esplash_flasher_start (ESPLASH_FLASHER (user_data), session);
}

gboolean
esplash_flasher_start (EsplashFlasher      *self,
                       EsplashFlashSession *session)
{
  EsplashFlashPlan *files = esplash_firmware_list_get_plan (self->files);
  g_autoptr(EsplashJobPlan) plan = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *message = NULL;
  EsplashWriteOptions write;
  guint n;

  g_return_val_if_fail (ESPLASH_IS_FLASHER (self), FALSE);
  g_return_val_if_fail (ESPLASH_IS_FLASH_SESSION (session), FALSE);

  if (esplash_flash_session_is_busy (session) || files == NULL)
    return FALSE;
  esplash_flasher_prepare (self, session);
  plan = esplash_flash_session_new_plan (session, ESPLASH_JOB_WRITE);

  esplash_write_options_init (&write);
  write.verify = esplash_options_panel_get_verify (self->options);
  write.erase_all = esplash_options_panel_get_erase_all (self->options);
  write.no_skip = !esplash_options_panel_get_skip_unchanged (self->options);
  /* What the build asks for (flasher_args.json); NULL keeps the image's. */
  write.flash_mode = esplash_flash_plan_get_flash_mode (files);
  write.flash_freq = esplash_flash_plan_get_flash_freq (files);
  write.flash_size = esplash_flash_plan_get_flash_size (files);
  esplash_job_plan_set_write_options (plan, &write);

  n = esplash_firmware_list_add_to_plan (self->files, plan, names);
  if (n == 0)
    return FALSE;

  /* TRANSLATORS: log line, "Flashing 3 files to /dev/ttyUSB0" */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Flashing %u file to %s",
                                          "Flashing %u files to %s", n),
                             n, esplash_flash_session_get_title (session));
  g_ptr_array_add (names, NULL);
  return esplash_flash_session_run (session, plan, message, (const char * const *) names->pdata,
                                    flash_done, restart, self);
}

const char *
esplash_flasher_get_refusal (EsplashFlasher *self)
{
  g_return_val_if_fail (ESPLASH_IS_FLASHER (self), NULL);

  if (!esplash_firmware_list_is_ready (self->files))
    return _("The firmware list is not ready: add firmware, and give each file its offset.");
  /* A doubt the user may overrule, but only by saying so. */
  return esplash_firmware_list_get_confirmation (self->files);
}

GPtrArray *
esplash_flasher_get_record_images (EsplashFlasher *self)
{
  g_return_val_if_fail (ESPLASH_IS_FLASHER (self), NULL);

  if (self->images == NULL)
    {
      EsplashFlashRecord record;

      esplash_flash_record_init (&record);
      esplash_firmware_list_add_to_record (self->files, &record);
      self->images = g_steal_pointer (&record.images);
      esplash_flash_record_clear (&record);
    }
  return self->images;
}

static void
files_changed_cb (EsplashFlasher *self)
{
  g_clear_pointer (&self->images, g_ptr_array_unref);
}

static void
esplash_flasher_dispose (GObject *object)
{
  EsplashFlasher *self = ESPLASH_FLASHER (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->images, g_ptr_array_unref);

  G_OBJECT_CLASS (esplash_flasher_parent_class)->dispose (object);
}

static void
esplash_flasher_finalize (GObject *object)
{
  g_free (ESPLASH_FLASHER (object)->stub_dir);

  G_OBJECT_CLASS (esplash_flasher_parent_class)->finalize (object);
}

static void
esplash_flasher_class_init (EsplashFlasherClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = esplash_flasher_dispose;
  G_OBJECT_CLASS (klass)->finalize = esplash_flasher_finalize;
}

static void
esplash_flasher_init (EsplashFlasher *self)
{
}

EsplashFlasher *
esplash_flasher_new (EsplashFirmwareList *files,
                     EsplashOptionsPanel *options,
                     GSettings           *settings,
                     const char          *stub_dir)
{
  EsplashFlasher *self = g_object_new (ESPLASH_TYPE_FLASHER, NULL);

  self->files = files;
  self->options = options;
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  self->stub_dir = g_strdup (stub_dir);
  g_signal_connect_object (files, "changed", G_CALLBACK (files_changed_cb), self, G_CONNECT_SWAPPED);
  return self;
}
