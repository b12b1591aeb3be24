/* esplash-job-private.h: what esplash-job*.c share — the plan's fields,
 * the job's state and the queue between the worker and the caller.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-job.h"

G_BEGIN_DECLS

/* ---- the plan (esplash-job-plan.c) ------------------------------------- */

typedef struct {
  guint32  address;
  GBytes  *data;      /* NULL until loaded when @file is set */
  char    *name;
  GFile   *file;
} EsplashJobPlanRegion;

struct _EsplashJobPlan {
  gatomicrefcount        ref_count;
  gboolean               sealed;
  EsplashJobAction       action;
  char                  *url;
  EsplashTransport      *transport;
  EsplashConnectOptions  connect;
  char                  *stub_dir;
  EsplashWriteOptions    write;
  char                  *flash_mode;
  char                  *flash_freq;
  char                  *flash_size;
  EsplashAfter           after;
  GPtrArray             *regions;      /* EsplashJobPlanRegion */
  guint32                read_address;
  guint32                read_size;
  GFile                 *read_file;
};

void esplash_job_plan_seal (EsplashJobPlan *plan);

/* ---- the queue (esplash-job-queue.c) ----------------------------------- */

typedef enum {
  ESPLASH_JOB_ENTRY_EVENT,       /* a device event (stage, progress, log) */
  ESPLASH_JOB_ENTRY_DESCRIBED,   /* the chip description is known */
  ESPLASH_JOB_ENTRY_FINISHED,    /* the outcome; always the last entry */
} EsplashJobEntryKind;

typedef struct {
  EsplashJobEntryKind     kind;
  EsplashEvent            event;       /* message points into @message */
  char                   *message;
  EsplashChipDescription  description;
  GError                 *error;       /* FINISHED, NULL on success */
  GBytes                 *read_data;   /* FINISHED of a READ */
  EsplashDiagnosis       *diagnosis;   /* FINISHED with an error: what the failure means */
} EsplashJobEntry;

void esplash_job_entry_free (EsplashJobEntry *entry);

struct _EsplashJob
{
  GObject          parent_instance;

  EsplashJobPlan  *plan;
  GMainContext    *context;

  /* Shared with the worker, under @mutex. */
  GMutex           mutex;
  GQueue           queue;           /* EsplashJobEntry */
  gboolean         drain_scheduled;
  gboolean         direct;          /* esplash_job_run(): deliver at once, on the worker */
  GTask           *task;            /* the caller's; completed by the drain */

  /* Owned by the thread that delivers (@context's, or esplash_job_run()'s). */
  gboolean         started;
  gboolean         running;
  EsplashStage     stage;
  gdouble          fraction;
  gboolean         described;
  EsplashChipDescription description;
  GBytes          *read_data;
  EsplashDiagnosis *diagnosis;
  gint64           start_time;
  gdouble          elapsed;
  guint64          bytes_unchanged;   /* context side: from write progress */
  guint            resume_count;      /* context side: RECONNECTING stages seen */
};

/* Worker side: queue @entry (taking it) for delivery on the job's context,
 * or deliver it at once while esplash_job_run() runs. */
void esplash_job_push_entry (EsplashJob *self, EsplashJobEntry *entry);
void esplash_job_push_event (EsplashJob *self, const EsplashEvent *event);
void esplash_job_push_stage (EsplashJob *self, EsplashStage stage);
void esplash_job_push_log   (EsplashJob *self, EsplashLogLevel level,
                             const char *format, ...) G_GNUC_PRINTF (3, 4);
/* Drops whatever was not delivered (finalize). */
void esplash_job_queue_clear (EsplashJob *self);

/* ---- delivery (esplash-job.c) ------------------------------------------ */

/* Turns one entry into signals and property changes; a FINISHED entry also
 * completes the caller's task when there is one. Consumes @entry's fields,
 * not the entry itself. */
void esplash_job_deliver (EsplashJob *self, EsplashJobEntry *entry);

/* ---- the work (esplash-job-worker.c) ----------------------------------- */

/* Runs the plan on the calling thread, reporting through the push functions;
 * returns the FINISHED entry (not yet pushed). */
EsplashJobEntry *esplash_job_work (EsplashJob *self, GCancellable *cancellable);

/* esplash-job-plan.c: the share of the progress bar each stage covers for
 * @plan, so the fraction moves steadily from connecting through writing to
 * resetting; FALSE for stages that do not move it. */
gboolean esplash_job_plan_stage_band (const EsplashJobPlan *plan,
                                      EsplashStage          stage,
                                      gdouble              *lo,
                                      gdouble              *hi);

G_END_DECLS
