/* esplash-job.h: one device operation run on a worker thread, reported on
 * the caller's main context (the bridge from the blocking core to a GUI).
 *
 * A job is built from an immutable plan (what to do, which port, options).
 * The worker never emits signals: events are queued and re-emitted as the
 * "stage", "progress" and "log" signals on the GMainContext that was
 * thread-default when the job was created; the result arrives after the
 * last of them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "esplash-device.h"
#include "esplash-diagnosis.h"
#include "esplash-event.h"
#include "esplash-flash.h"
#include "esplash-reset.h"
#include "esplash-transport.h"

G_BEGIN_DECLS

/**
 * EsplashJobAction:
 * @ESPLASH_JOB_DESCRIBE: connect and describe the chip only
 * @ESPLASH_JOB_WRITE: write (and verify) the plan's regions
 * @ESPLASH_JOB_READ: read a flash range, optionally into a file
 * @ESPLASH_JOB_ERASE_ALL: erase the whole flash
 * @ESPLASH_JOB_RESET: connect, then leave as the plan's "after" says
 * @ESPLASH_JOB_VERIFY: compare the flash with the plan's regions (MD5), without writing
 *
 * What a job does.
 */
typedef enum {
  ESPLASH_JOB_DESCRIBE = 0,   /* connect and describe the chip only */
  ESPLASH_JOB_WRITE = 1,      /* write (and verify) the plan's regions */
  ESPLASH_JOB_READ = 2,       /* read a flash range, optionally into a file */
  ESPLASH_JOB_ERASE_ALL = 3,  /* erase the whole flash */
  ESPLASH_JOB_RESET = 4,      /* connect, then leave as the plan's "after" says */
  ESPLASH_JOB_VERIFY = 5,     /* compare the flash with the regions (MD5) */
} EsplashJobAction;

const char *esplash_job_action_nick (EsplashJobAction action);

/* The plan: filled in with the setters, then sealed by esplash_job_new(). */
typedef struct _EsplashJobPlan EsplashJobPlan;

#define ESPLASH_TYPE_JOB_PLAN (esplash_job_plan_get_type ())
GType           esplash_job_plan_get_type  (void) G_GNUC_CONST;

EsplashJobPlan *esplash_job_plan_new       (EsplashJobAction action);
EsplashJobPlan *esplash_job_plan_ref       (EsplashJobPlan *plan);
void            esplash_job_plan_unref     (EsplashJobPlan *plan);

EsplashJobAction esplash_job_plan_get_action (const EsplashJobPlan *plan);

/* Where the chip is: a URL for esplash_transport_open() … */
void esplash_job_plan_set_url          (EsplashJobPlan *plan, const char *url);
/* … or a transport that is already open (e.g. the virtual board). The job
 * takes a reference and closes it when it ends. */
void esplash_job_plan_set_transport    (EsplashJobPlan *plan, EsplashTransport *transport);
/* Copied, strings included. */
void esplash_job_plan_set_connect_options (EsplashJobPlan *plan,
                                           const EsplashConnectOptions *options);
void esplash_job_plan_set_write_options   (EsplashJobPlan *plan,
                                           const EsplashWriteOptions *options);
/* Default ESPLASH_AFTER_HARD_RESET. */
void esplash_job_plan_set_after        (EsplashJobPlan *plan, EsplashAfter after);
/* Single options, for bindings (the structs above are C-only). */
void esplash_job_plan_set_before       (EsplashJobPlan *plan, EsplashBefore before);
void esplash_job_plan_set_chip         (EsplashJobPlan *plan, EsplashChipFamily chip);
void esplash_job_plan_set_baud         (EsplashJobPlan *plan, guint baud);
void esplash_job_plan_set_no_stub      (EsplashJobPlan *plan, gboolean no_stub);
void esplash_job_plan_set_stub_dir     (EsplashJobPlan *plan, const char *dir);
void esplash_job_plan_set_verify       (EsplashJobPlan *plan, gboolean verify);
void esplash_job_plan_set_compress     (EsplashJobPlan *plan, EsplashCompress compress);
void esplash_job_plan_set_erase_all    (EsplashJobPlan *plan, gboolean erase_all);
void esplash_job_plan_set_flash_params (EsplashJobPlan *plan,
                                        const char     *mode,
                                        const char     *freq,
                                        const char     *size);

/* WRITE, VERIFY: regions in the order given. @name is for messages (nullable). */
void esplash_job_plan_add_region       (EsplashJobPlan *plan,
                                        guint32         address,
                                        GBytes         *data,
                                        const char     *name);
void esplash_job_plan_add_flash_region (EsplashJobPlan           *plan,
                                        const EsplashFlashRegion *region);
/* WRITE, VERIFY: a file the worker loads before it touches the port. */
void esplash_job_plan_add_file         (EsplashJobPlan *plan,
                                        guint32         address,
                                        GFile          *file);
guint esplash_job_plan_get_n_regions   (const EsplashJobPlan *plan);

/* READ: @size bytes at @address; @file (nullable) is replaced with them. */
void esplash_job_plan_set_read         (EsplashJobPlan *plan,
                                        guint32         address,
                                        guint32         size,
                                        GFile          *file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashJobPlan, esplash_job_plan_unref)

/* EsplashFlashRegion (esplash-flash.h) as a boxed type, for bindings. */
#define ESPLASH_TYPE_FLASH_REGION (esplash_flash_region_get_type ())
GType               esplash_flash_region_get_type (void) G_GNUC_CONST;
EsplashFlashRegion *esplash_flash_region_copy     (const EsplashFlashRegion *region);

#define ESPLASH_TYPE_JOB (esplash_job_get_type ())
G_DECLARE_FINAL_TYPE (EsplashJob, esplash_job, ESPLASH, JOB, GObject)

/* Seals @plan (its setters must not be called any more). */
EsplashJob     *esplash_job_new           (EsplashJobPlan *plan);

EsplashJobPlan *esplash_job_get_plan      (EsplashJob *self);
gboolean        esplash_job_is_running    (EsplashJob *self);
/* Latest values delivered on the job's context. */
EsplashStage    esplash_job_get_stage     (EsplashJob *self);
gdouble         esplash_job_get_fraction  (EsplashJob *self);
/* The chip once connected and described, %NULL before. */
const EsplashChipDescription *esplash_job_get_chip_description (EsplashJob *self);
/* "ESP32-S3", %NULL before connecting. */
const char     *esplash_job_get_chip_name (EsplashJob *self);
/* "aa:bb:cc:dd:ee:ff", newly allocated; %NULL before connecting. */
char           *esplash_job_dup_mac       (EsplashJob *self);
/* READ: what was read, after a successful finish. */
GBytes         *esplash_job_dup_read_data (EsplashJob *self);
/* Wall time of the last run in seconds (0 before it ended). */
gdouble         esplash_job_get_elapsed   (EsplashJob *self);
guint64         esplash_job_get_bytes_unchanged (EsplashJob *self);
guint           esplash_job_get_resume_count    (EsplashJob *self);
EsplashDiagnosis *esplash_job_dup_diagnosis (EsplashJob *self);

/* Runs once. Cancelling @cancellable ends the run with G_IO_ERROR_CANCELLED. */
/* Blocking, on the calling thread; signals are emitted on it as they happen. */
gboolean esplash_job_run        (EsplashJob          *self,
                                 GCancellable        *cancellable,
                                 GError             **error);
/* On a worker; signals on the context that was thread-default at esplash_job_new(). */
void     esplash_job_run_async  (EsplashJob          *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean esplash_job_run_finish (EsplashJob          *self,
                                 GAsyncResult        *result,
                                 GError             **error);

G_END_DECLS
