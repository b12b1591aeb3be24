/* esplash-job-plan.c: what a job will do — the action, the port and the
 * options, filled in with setters and sealed when the job is created.
 *
 * Also registers EsplashFlashRegion as a boxed type, so bindings can hand
 * regions to a plan, and maps the plan's stages onto the progress bar.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-job.h"
#include "esplash-job-private.h"

/**
 * EsplashJobPlan:
 *
 * What a job will do: the action, the port (a URL or an open transport),
 * the connect and write options, the regions to write or verify, the range
 * to read. Filled in with the setters, then sealed by esplash_job_new().
 */
G_DEFINE_BOXED_TYPE (EsplashJobPlan, esplash_job_plan, esplash_job_plan_ref, esplash_job_plan_unref)

/**
 * esplash_flash_region_copy:
 * @region: a region
 *
 * Returns: (transfer full): a copy sharing @region's bytes
 */
EsplashFlashRegion *
esplash_flash_region_copy (const EsplashFlashRegion *region)
{
  g_return_val_if_fail (region != NULL, NULL);

  return esplash_flash_region_new (region->address, region->data, region->name);
}

G_DEFINE_BOXED_TYPE (EsplashFlashRegion, esplash_flash_region,
                     esplash_flash_region_copy, esplash_flash_region_free)

static void
plan_region_free (gpointer data)
{
  EsplashJobPlanRegion *region = data;

  g_clear_pointer (&region->data, g_bytes_unref);
  g_clear_object (&region->file);
  g_free (region->name);
  g_free (region);
}

/**
 * esplash_job_action_nick:
 * @action: an #EsplashJobAction
 *
 * Returns: (transfer none): "describe", "write", "read", "erase-all",
 *   "reset" or "verify"
 */
const char *
esplash_job_action_nick (EsplashJobAction action)
{
  switch (action)
    {
    case ESPLASH_JOB_DESCRIBE:
      return "describe";
    case ESPLASH_JOB_WRITE:
      return "write";
    case ESPLASH_JOB_READ:
      return "read";
    case ESPLASH_JOB_ERASE_ALL:
      return "erase-all";
    case ESPLASH_JOB_RESET:
      return "reset";
    case ESPLASH_JOB_VERIFY:
      return "verify";
    default:
      return "unknown";
    }
}

/**
 * esplash_job_plan_new:
 * @action: what the job will do
 *
 * Creates a plan with the defaults: detect the chip, use the flasher stub,
 * stay at 115200 baud, compress where it helps, verify every region, hard
 * reset at the end.
 *
 * Returns: (transfer full): an empty plan
 */
EsplashJobPlan *
esplash_job_plan_new (EsplashJobAction action)
{
  EsplashJobPlan *plan = g_new0 (EsplashJobPlan, 1);

  g_atomic_ref_count_init (&plan->ref_count);
  plan->action = action;
  esplash_connect_options_init (&plan->connect);
  esplash_write_options_init (&plan->write);
  plan->after = ESPLASH_AFTER_HARD_RESET;
  plan->regions = g_ptr_array_new_with_free_func (plan_region_free);
  return plan;
}

/**
 * esplash_job_plan_ref:
 * @plan: a plan
 *
 * Returns: (transfer full): @plan
 */
EsplashJobPlan *
esplash_job_plan_ref (EsplashJobPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);

  g_atomic_ref_count_inc (&plan->ref_count);
  return plan;
}

/**
 * esplash_job_plan_unref:
 * @plan: (transfer full): a plan
 */
void
esplash_job_plan_unref (EsplashJobPlan *plan)
{
  g_return_if_fail (plan != NULL);

  if (!g_atomic_ref_count_dec (&plan->ref_count))
    return;

  g_free (plan->url);
  g_clear_object (&plan->transport);
  g_free (plan->stub_dir);
  g_free (plan->flash_mode);
  g_free (plan->flash_freq);
  g_free (plan->flash_size);
  g_ptr_array_unref (plan->regions);
  g_clear_object (&plan->read_file);
  g_free (plan);
}

void
esplash_job_plan_seal (EsplashJobPlan *plan)
{
  plan->sealed = TRUE;
}

/**
 * esplash_job_plan_get_action:
 * @plan: a plan
 *
 * Returns: what the job will do
 */
EsplashJobAction
esplash_job_plan_get_action (const EsplashJobPlan *plan)
{
  g_return_val_if_fail (plan != NULL, ESPLASH_JOB_DESCRIBE);

  return plan->action;
}

/**
 * esplash_job_plan_set_url:
 * @plan: a plan not yet given to a job
 * @url: (nullable): "socket://HOST:PORT", "rfc2217://HOST:PORT" or a serial
 *   device ("/dev/ttyUSB0")
 *
 * Sets the port the job opens (see esplash_transport_open()).
 */
void
esplash_job_plan_set_url (EsplashJobPlan *plan,
                          const char     *url)
{
  g_return_if_fail (plan != NULL && !plan->sealed);

  g_free (plan->url);
  plan->url = g_strdup (url);
}

/**
 * esplash_job_plan_set_transport:
 * @plan: a plan not yet given to a job
 * @transport: (nullable): an open transport, used instead of the URL
 *
 * The job takes a reference and closes @transport when it ends.
 */
void
esplash_job_plan_set_transport (EsplashJobPlan   *plan,
                                EsplashTransport *transport)
{
  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (transport == NULL || ESPLASH_IS_TRANSPORT (transport));

  g_set_object (&plan->transport, transport);
}

/**
 * esplash_job_plan_set_connect_options: (skip)
 * @plan: a plan not yet given to a job
 * @options: copied, strings included
 */
void
esplash_job_plan_set_connect_options (EsplashJobPlan              *plan,
                                      const EsplashConnectOptions *options)
{
  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (options != NULL);

  plan->connect = *options;
  g_free (plan->stub_dir);
  plan->stub_dir = g_strdup (options->stub_dir);
  plan->connect.stub_dir = plan->stub_dir;
}

/**
 * esplash_job_plan_set_write_options: (skip)
 * @plan: a plan not yet given to a job
 * @options: copied, strings included
 */
void
esplash_job_plan_set_write_options (EsplashJobPlan            *plan,
                                    const EsplashWriteOptions *options)
{
  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (options != NULL);

  plan->write = *options;
  g_free (plan->flash_mode);
  g_free (plan->flash_freq);
  g_free (plan->flash_size);
  plan->flash_mode = g_strdup (options->flash_mode);
  plan->flash_freq = g_strdup (options->flash_freq);
  plan->flash_size = g_strdup (options->flash_size);
  plan->write.flash_mode = plan->flash_mode;
  plan->write.flash_freq = plan->flash_freq;
  plan->write.flash_size = plan->flash_size;
}

/**
 * esplash_job_plan_set_after:
 * @plan: a plan not yet given to a job
 * @after: how to leave the loader (default %ESPLASH_AFTER_HARD_RESET)
 */
void
esplash_job_plan_set_after (EsplashJobPlan *plan,
                            EsplashAfter    after)
{
  g_return_if_fail (plan != NULL && !plan->sealed);

  plan->after = after;
}

/**
 * esplash_job_plan_set_before:
 * @plan: a plan not yet given to a job
 * @before: how to enter the loader (default %ESPLASH_BEFORE_DEFAULT_RESET)
 */
void
esplash_job_plan_set_before (EsplashJobPlan *plan,
                             EsplashBefore   before)
{
  g_return_if_fail (plan != NULL && !plan->sealed);

  plan->connect.before = before;
}

/**
 * esplash_job_plan_set_chip:
 * @plan: a plan not yet given to a job
 * @chip: the chip expected on the port; %ESPLASH_CHIP_UNKNOWN (the default)
 *   detects it
 *
 * A different chip on the port makes the job fail with
 * %ESPLASH_ERROR_UNSUPPORTED_CHIP.
 */
void
esplash_job_plan_set_chip (EsplashJobPlan    *plan,
                           EsplashChipFamily  chip)
{
  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (chip < ESPLASH_CHIP_N_FAMILIES);

  plan->connect.chip = chip;
}

/**
 * esplash_job_plan_set_baud:
 * @plan: a plan not yet given to a job
 * @baud: the baud rate after connecting; 0 (the default) stays at 115200
 */
void
esplash_job_plan_set_baud (EsplashJobPlan *plan,
                           guint           baud)
{
  g_return_if_fail (plan != NULL && !plan->sealed);

  plan->connect.baud = baud;
}

/**
 * esplash_job_plan_set_no_stub:
 * @plan: a plan not yet given to a job
 * @no_stub: %TRUE to stay with the ROM loader (slower; no compression on
 *   ESP8266)
 */
void
esplash_job_plan_set_no_stub (EsplashJobPlan *plan,
                              gboolean        no_stub)
{
  g_return_if_fail (plan != NULL && !plan->sealed);

  plan->connect.no_stub = no_stub;
}

/**
 * esplash_job_plan_set_stub_dir:
 * @plan: a plan not yet given to a job
 * @dir: (nullable) (type filename): a folder with flasher stub JSON files,
 *   searched before the installed ones
 */
void
esplash_job_plan_set_stub_dir (EsplashJobPlan *plan,
                               const char     *dir)
{
  g_return_if_fail (plan != NULL && !plan->sealed);

  g_free (plan->stub_dir);
  plan->stub_dir = g_strdup (dir);
  plan->connect.stub_dir = plan->stub_dir;
}

/**
 * esplash_job_plan_set_verify:
 * @plan: a plan not yet given to a job
 * @verify: %FALSE to skip the MD5 check after writing (default %TRUE)
 */
void
esplash_job_plan_set_verify (EsplashJobPlan *plan,
                             gboolean        verify)
{
  g_return_if_fail (plan != NULL && !plan->sealed);

  plan->write.verify = verify;
}

/**
 * esplash_job_plan_set_compress:
 * @plan: a plan not yet given to a job
 * @compress: when to send regions zlib-compressed (default
 *   %ESPLASH_COMPRESS_AUTO)
 */
void
esplash_job_plan_set_compress (EsplashJobPlan  *plan,
                               EsplashCompress  compress)
{
  g_return_if_fail (plan != NULL && !plan->sealed);

  plan->write.compress = compress;
}

/**
 * esplash_job_plan_set_erase_all:
 * @plan: a plan not yet given to a job
 * @erase_all: %TRUE to erase the whole flash before writing (stub only)
 */
void
esplash_job_plan_set_erase_all (EsplashJobPlan *plan,
                                gboolean        erase_all)
{
  g_return_if_fail (plan != NULL && !plan->sealed);

  plan->write.erase_all = erase_all;
}

/**
 * esplash_job_plan_set_flash_params:
 * @plan: a plan not yet given to a job
 * @mode: (nullable): "keep" (default), "qio", "qout", "dio" or "dout"
 * @freq: (nullable): "keep" (default), "80m", "40m", …
 * @size: (nullable): "keep" (default), "detect", "4MB", …
 *
 * Flash parameters patched into a bootloader image written at the chip's
 * bootloader offset, as esptool's --flash_mode/--flash_freq/--flash_size do.
 */
void
esplash_job_plan_set_flash_params (EsplashJobPlan *plan,
                                   const char     *mode,
                                   const char     *freq,
                                   const char     *size)
{
  g_return_if_fail (plan != NULL && !plan->sealed);

  g_free (plan->flash_mode);
  g_free (plan->flash_freq);
  g_free (plan->flash_size);
  plan->flash_mode = g_strdup (mode);
  plan->flash_freq = g_strdup (freq);
  plan->flash_size = g_strdup (size);
  plan->write.flash_mode = plan->flash_mode;
  plan->write.flash_freq = plan->flash_freq;
  plan->write.flash_size = plan->flash_size;
}

/**
 * esplash_job_plan_add_region:
 * @plan: a plan not yet given to a job
 * @address: flash offset
 * @data: the bytes to write there (kept by reference)
 * @name: (nullable): for messages ("app.bin")
 *
 * WRITE and VERIFY: adds a region; regions are handled in the order added.
 */
void
esplash_job_plan_add_region (EsplashJobPlan *plan,
                             guint32         address,
                             GBytes         *data,
                             const char     *name)
{
  EsplashJobPlanRegion *region;

  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (data != NULL);

  region = g_new0 (EsplashJobPlanRegion, 1);
  region->address = address;
  region->data = g_bytes_ref (data);
  region->name = g_strdup (name);
  g_ptr_array_add (plan->regions, region);
}

/**
 * esplash_job_plan_add_flash_region:
 * @plan: a plan not yet given to a job
 * @region: the address, bytes and name to add (copied)
 *
 * As esplash_job_plan_add_region().
 */
void
esplash_job_plan_add_flash_region (EsplashJobPlan           *plan,
                                   const EsplashFlashRegion *region)
{
  g_return_if_fail (region != NULL);

  esplash_job_plan_add_region (plan, region->address, region->data, region->name);
}

/**
 * esplash_job_plan_add_file:
 * @plan: a plan not yet given to a job
 * @address: flash offset
 * @file: a firmware file, read by the worker before it opens the port
 *
 * WRITE and VERIFY: adds a region loaded from @file.
 */
void
esplash_job_plan_add_file (EsplashJobPlan *plan,
                           guint32         address,
                           GFile          *file)
{
  EsplashJobPlanRegion *region;

  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (G_IS_FILE (file));

  region = g_new0 (EsplashJobPlanRegion, 1);
  region->address = address;
  region->file = g_object_ref (file);
  region->name = g_file_get_basename (file);
  g_ptr_array_add (plan->regions, region);
}

/**
 * esplash_job_plan_get_n_regions:
 * @plan: a plan
 *
 * Returns: the number of regions added
 */
guint
esplash_job_plan_get_n_regions (const EsplashJobPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);

  return plan->regions->len;
}

/**
 * esplash_job_plan_set_read:
 * @plan: a plan not yet given to a job
 * @address: flash offset
 * @size: bytes to read
 * @file: (nullable): replaced with what was read
 *
 * READ: the range to read; the bytes are also available from
 * esplash_job_dup_read_data() afterwards.
 */
void
esplash_job_plan_set_read (EsplashJobPlan *plan,
                           guint32         address,
                           guint32         size,
                           GFile          *file)
{
  g_return_if_fail (plan != NULL && !plan->sealed);
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  plan->read_address = address;
  plan->read_size = size;
  g_set_object (&plan->read_file, file);
}

/* The share of the bar each stage covers for this plan, so the fraction
 * moves steadily from connecting through writing to resetting. */
gboolean
esplash_job_plan_stage_band (const EsplashJobPlan *plan,
                             EsplashStage          stage,
                             gdouble              *lo,
                             gdouble              *hi)
{
  gboolean connect_only = plan->action == ESPLASH_JOB_DESCRIBE || plan->action == ESPLASH_JOB_RESET;
  gdouble connect_end = connect_only ? 0.9 : 0.05;
  gdouble work_end = 0.97;

  if (stage >= ESPLASH_STAGE_OPENING && stage <= ESPLASH_STAGE_CHANGING_BAUD)
    {
      guint step = stage - ESPLASH_STAGE_OPENING;
      guint n_steps = ESPLASH_STAGE_CHANGING_BAUD - ESPLASH_STAGE_OPENING + 1;

      *lo = connect_end * step / n_steps;
      *hi = connect_end * (step + 1) / n_steps;
      return TRUE;
    }

  switch (stage)
    {
    case ESPLASH_STAGE_ERASING:
      if (plan->action == ESPLASH_JOB_ERASE_ALL)
        *lo = connect_end, *hi = work_end;
      else if (plan->action == ESPLASH_JOB_WRITE && plan->write.erase_all)
        *lo = connect_end, *hi = 0.15;
      else
        return FALSE;   /* per-region erases are part of writing */
      return TRUE;
    case ESPLASH_STAGE_WRITING:
      *lo = plan->write.erase_all ? 0.15 : connect_end;
      *hi = plan->write.verify ? 0.85 : work_end;
      return TRUE;
    case ESPLASH_STAGE_VERIFYING:
      *lo = 0.85, *hi = work_end;
      return TRUE;
    case ESPLASH_STAGE_READING:
      *lo = connect_end, *hi = work_end;
      return TRUE;
    case ESPLASH_STAGE_LEAVING:
      *lo = connect_only ? connect_end : work_end, *hi = 0.99;
      return TRUE;
    case ESPLASH_STAGE_DONE:
      *lo = *hi = 1.0;
      return TRUE;
    case ESPLASH_STAGE_IDLE:
    case ESPLASH_STAGE_OPENING:
    case ESPLASH_STAGE_RESETTING:
    case ESPLASH_STAGE_SYNCING:
    case ESPLASH_STAGE_DETECTING:
    case ESPLASH_STAGE_UPLOADING_STUB:
    case ESPLASH_STAGE_CHANGING_BAUD:
    case ESPLASH_STAGE_RECONNECTING:   /* the bar stays where it is */
    default:
      return FALSE;
    }
}
