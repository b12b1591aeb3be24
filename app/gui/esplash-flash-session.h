/* esplash-flash-session.h: one board the app works on — its port (or
 * virtual board), the plan made for it, the running job, the chip it
 * described, and the result or diagnosis of the last job. The window's
 * status area, the production rows, Tools and "Help Me Fix This" follow
 * a session through its properties and signals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "esplash.h"
#include "esplash-sim.h"
#include "esplash-port-item.h"

G_BEGIN_DECLS

typedef enum {
  ESPLASH_SESSION_IDLE,
  ESPLASH_SESSION_RUNNING,
  ESPLASH_SESSION_SUCCEEDED,
  ESPLASH_SESSION_FAILED,
  ESPLASH_SESSION_CANCELLED,
} EsplashSessionState;

#define ESPLASH_TYPE_FLASH_SESSION (esplash_flash_session_get_type ())
G_DECLARE_FINAL_TYPE (EsplashFlashSession, esplash_flash_session, ESPLASH, FLASH_SESSION, GObject)

/* Called when a job succeeded, before "finished"; it sets the result. */
typedef void (*EsplashFlashSessionDone)    (EsplashFlashSession *session,
                                            EsplashJob          *job,
                                            gpointer             user_data);
/* Runs the interrupted job again (its plan is rebuilt, with the session's
 * "before" for the connect). */
typedef void (*EsplashFlashSessionRestart) (EsplashFlashSession *session,
                                            gpointer             user_data);

/* A real port. */
EsplashFlashSession *esplash_flash_session_new         (EsplashPortItem   *port);
/* A virtual board: @sim, a @family chip on @console, shown as @title. */
EsplashFlashSession *esplash_flash_session_new_virtual (EsplashPortItem   *port,
                                                        EsplashSim        *sim,
                                                        EsplashChipFamily  family,
                                                        EsplashConsole     console,
                                                        const char        *title);

EsplashPortItem   *esplash_flash_session_get_port      (EsplashFlashSession *self);
/* The same board on another port (it re-enumerated); idle, real ports only. */
void               esplash_flash_session_set_port      (EsplashFlashSession *self,
                                                        EsplashPortItem     *port);
/* "CP2102 USB-UART bridge — /dev/ttyUSB0", "Virtual board 2" */
const char        *esplash_flash_session_get_title     (EsplashFlashSession *self);
/* (nullable) the virtual board */
EsplashSim        *esplash_flash_session_get_sim       (EsplashFlashSession *self);
/* The family a plan assumes before connecting (the virtual board's), else
 * ESPLASH_CHIP_UNKNOWN. */
EsplashChipFamily  esplash_flash_session_get_family    (EsplashFlashSession *self);
/* The chip's own USB port: no EN/RTS wiring. */
gboolean           esplash_flash_session_is_native_usb (EsplashFlashSession *self);

/* What plans connect with: the rate the user chose (0 = automatic, then
 * remembered per adapter in @settings, nullable), where stubs are. */
void               esplash_flash_session_set_connect   (EsplashFlashSession *self,
                                                        guint                baud,
                                                        EsplashAfter         after,
                                                        const char          *stub_dir,
                                                        GSettings           *settings);
EsplashAfter       esplash_flash_session_get_after     (EsplashFlashSession *self);
/* The connect of the next plan only (resuming after "Help Me Fix This"). */
void               esplash_flash_session_set_before    (EsplashFlashSession *self,
                                                        EsplashBefore        before);
/* A plan for @action on this board with the connect set above. */
EsplashJobPlan    *esplash_flash_session_new_plan      (EsplashFlashSession *self,
                                                        EsplashJobAction     action);

/* Runs @plan; FALSE when a job runs already. @region_names (nullable) name
 * a write's regions in plan order; @restart (nullable) makes the job
 * resumable. */
gboolean           esplash_flash_session_run           (EsplashFlashSession        *self,
                                                        EsplashJobPlan             *plan,
                                                        const char                 *busy_message,
                                                        const char * const         *region_names,
                                                        EsplashFlashSessionDone     done,
                                                        EsplashFlashSessionRestart  restart,
                                                        gpointer                    user_data);
void               esplash_flash_session_cancel        (EsplashFlashSession *self);
gboolean           esplash_flash_session_is_cancelling (EsplashFlashSession *self);
/* Runs the last failed job again, connecting with @before; FALSE when it
 * cannot be (a job runs, or the last one cannot be resumed). */
gboolean           esplash_flash_session_resume        (EsplashFlashSession *self,
                                                        EsplashBefore        before);

/* (nullable) (transfer none) */
EsplashJob        *esplash_flash_session_get_job       (EsplashFlashSession *self);
gboolean           esplash_flash_session_is_busy       (EsplashFlashSession *self);
const char * const *esplash_flash_session_get_region_names (EsplashFlashSession *self);
EsplashSessionState esplash_flash_session_get_state    (EsplashFlashSession *self);
/* The chip the last job described, %NULL when not known. */
const EsplashChipDescription *esplash_flash_session_get_chip (EsplashFlashSession *self);
/* Of the last failed job, %NULL otherwise. */
const EsplashDiagnosis *esplash_flash_session_get_diagnosis (EsplashFlashSession *self);
/* The virtual board's line of the last job, %NULL for real ports. */
EsplashTransport  *esplash_flash_session_get_last_transport (EsplashFlashSession *self);
/* Why the last job failed (or "cancelled"), %NULL after a success. */
const char        *esplash_flash_session_get_error_message (EsplashFlashSession *self);
/* When the last job started (g_get_real_time()), 0 before any. */
gint64             esplash_flash_session_get_started   (EsplashFlashSession *self);
/* Bytes the last write covered. */
guint64            esplash_flash_session_get_job_bytes (EsplashFlashSession *self);

/* The result of the last job (notify::result): @kind "success", "error"
 * or "info"; @hint (nullable) what to do, above the @detail. */
void               esplash_flash_session_set_result    (EsplashFlashSession *self,
                                                        const char          *kind,
                                                        const char          *title,
                                                        const char          *hint,
                                                        const char          *detail);
/* FALSE when no result is shown; the strings are borrowed. */
gboolean           esplash_flash_session_get_result    (EsplashFlashSession *self,
                                                        const char         **kind,
                                                        const char         **title,
                                                        const char         **hint,
                                                        const char         **detail);
/* Emits "log". */
void               esplash_flash_session_log           (EsplashFlashSession *self,
                                                        EsplashLogLevel      level,
                                                        const char          *message);

/* Signals: "log" (level, message); "finished" (job, ok) after a job ended
 * and its result was set. Properties (notify): "job", "state", "chip",
 * "result", "diagnosis", "port". */

G_END_DECLS
