/* esplash-event.h: what a running operation reports (stage, progress, log).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ESPLASH_EVENT_STAGE = 0,
  ESPLASH_EVENT_PROGRESS = 1,
  ESPLASH_EVENT_LOG = 2,
} EsplashEventKind;

typedef enum {
  ESPLASH_STAGE_IDLE = 0,
  ESPLASH_STAGE_OPENING,
  ESPLASH_STAGE_RESETTING,        /* reset into the bootloader */
  ESPLASH_STAGE_SYNCING,
  ESPLASH_STAGE_DETECTING,
  ESPLASH_STAGE_UPLOADING_STUB,
  ESPLASH_STAGE_CHANGING_BAUD,
  ESPLASH_STAGE_ERASING,
  ESPLASH_STAGE_WRITING,
  ESPLASH_STAGE_VERIFYING,
  ESPLASH_STAGE_READING,
  ESPLASH_STAGE_LEAVING,          /* reset out of the bootloader */
  ESPLASH_STAGE_DONE,
  /* appended: the session was lost mid-operation (reply lost, chip reset,
   * port gone) and is being taken up again; the operation resumes after */
  ESPLASH_STAGE_RECONNECTING,
} EsplashStage;

typedef enum {
  ESPLASH_LOG_DEBUG = 0,
  ESPLASH_LOG_INFO = 1,
  ESPLASH_LOG_WARNING = 2,
  ESPLASH_LOG_ERROR = 3,
} EsplashLogLevel;

/* One event. Strings are borrowed for the duration of the callback. */
typedef struct {
  EsplashEventKind kind;
  EsplashStage     stage;           /* STAGE and PROGRESS */
  /* PROGRESS (and STAGE, for per-region stages) */
  guint            region_index;    /* 0-based */
  guint            region_count;
  guint32          region_address;
  guint64          region_done;     /* uncompressed bytes acknowledged in this region */
  guint64          region_total;
  guint64          overall_done;    /* over all regions of the operation */
  guint64          overall_total;
  /* LOG */
  EsplashLogLevel  level;
  const char      *message;
  /* PROGRESS of a write (appended): bytes found already in flash and not
   * sent, over all regions so far; they count in overall_done too */
  guint64          overall_skipped;
} EsplashEvent;

typedef void (*EsplashEventFunc) (const EsplashEvent *event,
                                  gpointer            user_data);

const char *esplash_stage_nick (EsplashStage stage);   /* "writing" */
const char *esplash_log_level_nick (EsplashLogLevel level);

G_END_DECLS
