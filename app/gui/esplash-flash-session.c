/* esplash-flash-session.c
 *
 * A session only talks to the core through EsplashJob, on the main
 * context: the job's worker thread never sees it. What it learned (chip,
 * result, diagnosis) stays until the next job starts, so a row or the
 * status area can be built for it at any time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-sim-transport.h"

#include "esplash-app-text.h"
#include "esplash-baud-memory.h"
#include "esplash-flash-session.h"

struct _EsplashFlashSession
{
  GObject            parent_instance;

  EsplashPortItem   *port;
  char              *title;
  EsplashSim        *sim;             /* nullable: a real port */
  EsplashChipFamily  family;          /* the virtual board's */
  EsplashConsole     console;

  /* what plans connect with */
  guint              baud;
  EsplashAfter       after;
  char              *stub_dir;
  GSettings         *settings;        /* nullable */
  EsplashBefore      before;          /* of the next plan; reset once used */

  EsplashJob        *job;             /* while one runs */
  GCancellable      *cancellable;
  GStrv              region_names;
  EsplashFlashSessionDone    done;
  EsplashFlashSessionRestart restart;  /* of the last job; nullable */
  gpointer           user_data;
  EsplashTransport  *transport;       /* the virtual board's line of the last job */
  char              *baud_key;        /* adapter of an automatic rate, until the job ends */
  guint64            job_bytes;

  EsplashSessionState state;
  gboolean           have_chip;
  EsplashChipDescription chip;
  EsplashDiagnosis  *diagnosis;
  char              *error_message;   /* of the last job, nullable */
  gint64             started_us;      /* wall clock of the last start */
  char              *result_kind;     /* NULL: no result (none yet, or a job runs) */
  char              *result_title;
  char              *result_hint;
  char              *result_detail;
};

G_DEFINE_FINAL_TYPE (EsplashFlashSession, esplash_flash_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_JOB,
  PROP_STATE,
  PROP_CHIP,
  PROP_RESULT,
  PROP_DIAGNOSIS,
  PROP_PORT,
  N_PROPS
};

enum {
  SIGNAL_LOG,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

void
esplash_flash_session_log (EsplashFlashSession *self,
                           EsplashLogLevel      level,
                           const char          *message)
{
  g_return_if_fail (ESPLASH_IS_FLASH_SESSION (self));

  g_signal_emit (self, signals[SIGNAL_LOG], 0, (int) level, message);
}

static void
set_state (EsplashFlashSession *self,
           EsplashSessionState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
esplash_flash_session_set_result (EsplashFlashSession *self,
                                  const char          *kind,
                                  const char          *title,
                                  const char          *hint,
                                  const char          *detail)
{
  g_return_if_fail (ESPLASH_IS_FLASH_SESSION (self));

  g_free (self->result_kind);
  self->result_kind = g_strdup (kind);
  g_free (self->result_title);
  self->result_title = g_strdup (title);
  g_free (self->result_hint);
  self->result_hint = g_strdup (hint);
  g_free (self->result_detail);
  self->result_detail = g_strdup (detail);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
}

gboolean
esplash_flash_session_get_result (EsplashFlashSession *self,
                                  const char         **kind,
                                  const char         **title,
                                  const char         **hint,
                                  const char         **detail)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_SESSION (self), FALSE);

  if (kind != NULL)
    *kind = self->result_kind;
  if (title != NULL)
    *title = self->result_title;
  if (hint != NULL)
    *hint = self->result_hint;
  if (detail != NULL)
    *detail = self->result_detail;
  return self->result_kind != NULL;
}

/* ---- plans ------------------------------------------------------------- */

void
esplash_flash_session_set_connect (EsplashFlashSession *self,
                                   guint                baud,
                                   EsplashAfter         after,
                                   const char          *stub_dir,
                                   GSettings           *settings)
{
  g_return_if_fail (ESPLASH_IS_FLASH_SESSION (self));

  self->baud = baud;
  self->after = after;
  if (g_strcmp0 (self->stub_dir, stub_dir) != 0)
    {
      g_free (self->stub_dir);
      self->stub_dir = g_strdup (stub_dir);
    }
  g_set_object (&self->settings, settings);
}

EsplashAfter
esplash_flash_session_get_after (EsplashFlashSession *self)
{
  return self->after;
}

void
esplash_flash_session_set_before (EsplashFlashSession *self,
                                  EsplashBefore        before)
{
  self->before = before;
}

EsplashJobPlan *
esplash_flash_session_new_plan (EsplashFlashSession *self,
                                EsplashJobAction     action)
{
  EsplashJobPlan *plan;
  EsplashConnectOptions connect;

  g_return_val_if_fail (ESPLASH_IS_FLASH_SESSION (self), NULL);

  plan = esplash_job_plan_new (action);
  esplash_connect_options_init (&connect);
  g_free (self->baud_key);
  self->baud_key = esplash_baud_memory_choose (self->settings, self->baud, self->port, &connect);
  connect.before = self->before;
  connect.stub_dir = self->stub_dir;
  esplash_job_plan_set_connect_options (plan, &connect);
  esplash_job_plan_set_after (plan, self->after);

  g_clear_object (&self->transport);
  if (self->sim != NULL)
    {
      self->transport = esplash_sim_transport_new (self->sim);
      esplash_job_plan_set_transport (plan, self->transport);
      /* Its family is known: the diagnosis of a failure can name its pins. */
      esplash_job_plan_set_chip (plan, self->family);
    }
  else
    {
      esplash_job_plan_set_url (plan, esplash_port_item_get_id (self->port));
    }
  return plan;
}

/* ---- jobs -------------------------------------------------------------- */

static void
chip_described_cb (EsplashFlashSession *self,
                   GParamSpec          *pspec,
                   EsplashJob          *job)
{
  const EsplashChipDescription *chip = esplash_job_get_chip_description (job);

  if (chip == NULL || chip->chip == NULL)
    return;
  self->chip = *chip;
  self->have_chip = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHIP]);
}

/* The bytes a write covers, for the result line. */
static void
job_progress_cb (EsplashFlashSession *self,
                 guint64              done,
                 guint64              total,
                 EsplashJob          *job)
{
  if (esplash_job_get_stage (job) == ESPLASH_STAGE_WRITING)
    self->job_bytes = MAX (self->job_bytes, total);
}

static void
job_log_cb (EsplashFlashSession *self,
            EsplashLogLevel      level,
            const char          *message)
{
  esplash_flash_session_log (self, level, message);
}

static void
job_failed (EsplashFlashSession *self,
            EsplashJob          *job,
            const GError        *error)
{
  EsplashJobAction action = esplash_job_plan_get_action (esplash_job_get_plan (job));

  self->diagnosis = esplash_job_dup_diagnosis (job);
  esplash_flash_session_log (self, ESPLASH_LOG_ERROR, error->message);
  set_state (self, ESPLASH_SESSION_FAILED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIAGNOSIS]);
  if (self->diagnosis == NULL)
    {
      esplash_flash_session_set_result (self, "error", esplash_error_title (error, action),
                                        esplash_error_hint (error), error->message);
      return;
    }
  /* What happened, then why (translated), then the core's English account. */
  esplash_flash_session_set_result (self, "error", esplash_error_title (error, action),
                                    esplash_diagnosis_title (self->diagnosis),
                                    self->diagnosis->explanation != NULL ? self->diagnosis->explanation
                                                                         : self->diagnosis->title);
  esplash_flash_session_log (self, ESPLASH_LOG_INFO, self->diagnosis->title);
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EsplashFlashSession) self = ESPLASH_FLASH_SESSION (user_data);
  g_autoptr(EsplashJob) job = g_object_ref (ESPLASH_JOB (source));
  EsplashJobAction action = esplash_job_plan_get_action (esplash_job_get_plan (job));
  EsplashFlashSessionDone done = self->done;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = esplash_job_run_finish (job, result, &error);

  g_signal_handlers_disconnect_by_data (job, self);
  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  self->done = NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB]);
  g_free (self->error_message);
  self->error_message = error != NULL ? g_strdup (error->message) : NULL;

  if (ok)
    {
      const EsplashChipDescription *desc = esplash_job_get_chip_description (job);

      if (self->baud_key != NULL && desc != NULL)
        esplash_baud_memory_store (self->settings, self->baud_key, desc->baud);
      /* Only a failed job can be resumed. */
      self->restart = NULL;
      set_state (self, ESPLASH_SESSION_SUCCEEDED);
      if (done != NULL)
        done (self, job, self->user_data);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      const char *detail = NULL;
      const char *title = esplash_job_cancelled_text (action, &detail);

      set_state (self, ESPLASH_SESSION_CANCELLED);
      esplash_flash_session_set_result (self, "info", title, NULL, detail);
      esplash_flash_session_log (self, ESPLASH_LOG_INFO, title);
    }
  else
    job_failed (self, job, error);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, job, ok);
}

gboolean
esplash_flash_session_run (EsplashFlashSession        *self,
                           EsplashJobPlan             *plan,
                           const char                 *busy_message,
                           const char * const         *region_names,
                           EsplashFlashSessionDone     done,
                           EsplashFlashSessionRestart  restart,
                           gpointer                    user_data)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_SESSION (self), FALSE);
  g_return_val_if_fail (plan != NULL, FALSE);

  if (self->job != NULL)
    return FALSE;

  self->job = esplash_job_new (plan);
  self->before = ESPLASH_BEFORE_DEFAULT_RESET;
  self->done = done;
  self->restart = restart;
  self->user_data = user_data;
  self->job_bytes = 0;
  self->cancellable = g_cancellable_new ();
  g_strfreev (self->region_names);
  self->region_names = g_strdupv ((char **) region_names);
  g_clear_pointer (&self->diagnosis, esplash_diagnosis_free);
  g_clear_pointer (&self->result_kind, g_free);   /* no result while it runs */
  self->started_us = g_get_real_time ();

  g_signal_connect_object (self->job, "log", G_CALLBACK (job_log_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "progress", G_CALLBACK (job_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::chip-name", G_CALLBACK (chip_described_cb),
                           self, G_CONNECT_SWAPPED);
  esplash_flash_session_log (self, ESPLASH_LOG_INFO, busy_message);

  set_state (self, ESPLASH_SESSION_RUNNING);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIAGNOSIS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB]);
  esplash_job_run_async (self->job, self->cancellable, job_done_cb, g_object_ref (self));
  return TRUE;
}

void
esplash_flash_session_cancel (EsplashFlashSession *self)
{
  g_return_if_fail (ESPLASH_IS_FLASH_SESSION (self));

  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  esplash_flash_session_log (self, ESPLASH_LOG_INFO, _("Cancelling…"));
  g_cancellable_cancel (self->cancellable);
  /* Cancel is offered no more. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB]);
}

gboolean
esplash_flash_session_is_cancelling (EsplashFlashSession *self)
{
  return self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable);
}

gboolean
esplash_flash_session_resume (EsplashFlashSession *self,
                              EsplashBefore        before)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_SESSION (self), FALSE);

  if (self->job != NULL || self->restart == NULL)
    return FALSE;
  self->before = before;
  self->restart (self, self->user_data);
  return self->job != NULL;
}

/* ---- getters ----------------------------------------------------------- */

EsplashPortItem *
esplash_flash_session_get_port (EsplashFlashSession *self)
{
  return self->port;
}

void
esplash_flash_session_set_port (EsplashFlashSession *self,
                                EsplashPortItem     *port)
{
  g_return_if_fail (ESPLASH_IS_FLASH_SESSION (self));
  g_return_if_fail (self->sim == NULL && self->job == NULL);

  if (!g_set_object (&self->port, port))
    return;
  g_free (self->title);
  self->title = g_strdup (esplash_port_item_get_title (port));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

const char *
esplash_flash_session_get_title (EsplashFlashSession *self)
{
  return self->title;
}

EsplashSim *
esplash_flash_session_get_sim (EsplashFlashSession *self)
{
  return self->sim;
}

EsplashChipFamily
esplash_flash_session_get_family (EsplashFlashSession *self)
{
  return self->sim != NULL ? self->family : ESPLASH_CHIP_UNKNOWN;
}

gboolean
esplash_flash_session_is_native_usb (EsplashFlashSession *self)
{
  if (self->sim != NULL)
    return self->console != ESPLASH_CONSOLE_UART;
  return esplash_port_item_get_kind (self->port) == ESPLASH_PORT_KIND_ESPRESSIF_USB;
}

EsplashJob *
esplash_flash_session_get_job (EsplashFlashSession *self)
{
  return self->job;
}

gboolean
esplash_flash_session_is_busy (EsplashFlashSession *self)
{
  return self->job != NULL;
}

const char * const *
esplash_flash_session_get_region_names (EsplashFlashSession *self)
{
  return (const char * const *) self->region_names;
}

EsplashSessionState
esplash_flash_session_get_state (EsplashFlashSession *self)
{
  return self->state;
}

const EsplashChipDescription *
esplash_flash_session_get_chip (EsplashFlashSession *self)
{
  return self->have_chip ? &self->chip : NULL;
}

const EsplashDiagnosis *
esplash_flash_session_get_diagnosis (EsplashFlashSession *self)
{
  return self->diagnosis;
}

EsplashTransport *
esplash_flash_session_get_last_transport (EsplashFlashSession *self)
{
  return self->transport;
}

const char *
esplash_flash_session_get_error_message (EsplashFlashSession *self)
{
  return self->error_message;
}

gint64
esplash_flash_session_get_started (EsplashFlashSession *self)
{
  return self->started_us;
}

guint64
esplash_flash_session_get_job_bytes (EsplashFlashSession *self)
{
  return self->job_bytes;
}

/* ---- GObject ----------------------------------------------------------- */

static void
esplash_flash_session_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  EsplashFlashSession *self = ESPLASH_FLASH_SESSION (object);

  switch (prop_id)
    {
    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    case PROP_STATE:
      g_value_set_uint (value, self->state);
      break;
    case PROP_CHIP:
      g_value_set_pointer (value, (gpointer) esplash_flash_session_get_chip (self));
      break;
    case PROP_RESULT:
      g_value_set_string (value, self->result_kind);
      break;
    case PROP_DIAGNOSIS:
      g_value_set_pointer (value, self->diagnosis);
      break;
    case PROP_PORT:
      g_value_set_object (value, self->port);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_flash_session_dispose (GObject *object)
{
  EsplashFlashSession *self = ESPLASH_FLASH_SESSION (object);

  /* A running job holds a reference: this only happens once it ended. */
  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->transport);
  g_clear_object (&self->sim);
  g_clear_object (&self->port);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (esplash_flash_session_parent_class)->dispose (object);
}

static void
esplash_flash_session_finalize (GObject *object)
{
  EsplashFlashSession *self = ESPLASH_FLASH_SESSION (object);

  g_free (self->title);
  g_free (self->stub_dir);
  g_free (self->baud_key);
  g_strfreev (self->region_names);
  g_clear_pointer (&self->diagnosis, esplash_diagnosis_free);
  g_free (self->error_message);
  g_free (self->result_kind);
  g_free (self->result_title);
  g_free (self->result_hint);
  g_free (self->result_detail);

  G_OBJECT_CLASS (esplash_flash_session_parent_class)->finalize (object);
}

static void
esplash_flash_session_class_init (EsplashFlashSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = esplash_flash_session_get_property;
  object_class->dispose = esplash_flash_session_dispose;
  object_class->finalize = esplash_flash_session_finalize;

  properties[PROP_JOB] = g_param_spec_object ("job", NULL, NULL, ESPLASH_TYPE_JOB,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] = g_param_spec_uint ("state", NULL, NULL, 0, ESPLASH_SESSION_CANCELLED,
                                              ESPLASH_SESSION_IDLE,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHIP] = g_param_spec_pointer ("chip", NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESULT] = g_param_spec_string ("result", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DIAGNOSIS] = g_param_spec_pointer ("diagnosis", NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] = g_param_spec_object ("port", NULL, NULL, ESPLASH_TYPE_PORT_ITEM,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_LOG] = g_signal_new ("log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                      NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                           ESPLASH_TYPE_JOB, G_TYPE_BOOLEAN);
}

static void
esplash_flash_session_init (EsplashFlashSession *self)
{
  self->after = ESPLASH_AFTER_HARD_RESET;
  self->before = ESPLASH_BEFORE_DEFAULT_RESET;
  self->family = ESPLASH_CHIP_UNKNOWN;
}

EsplashFlashSession *
esplash_flash_session_new (EsplashPortItem *port)
{
  EsplashFlashSession *self;

  g_return_val_if_fail (ESPLASH_IS_PORT_ITEM (port), NULL);

  self = g_object_new (ESPLASH_TYPE_FLASH_SESSION, NULL);
  self->port = g_object_ref (port);
  self->title = g_strdup (esplash_port_item_get_title (port));
  return self;
}

EsplashFlashSession *
esplash_flash_session_new_virtual (EsplashPortItem   *port,
                                   EsplashSim        *sim,
                                   EsplashChipFamily  family,
                                   EsplashConsole     console,
                                   const char        *title)
{
  EsplashFlashSession *self;

  g_return_val_if_fail (ESPLASH_IS_SIM (sim), NULL);

  self = esplash_flash_session_new (port);
  self->sim = g_object_ref (sim);
  self->family = family;
  self->console = console;
  if (title != NULL)
    {
      g_free (self->title);
      self->title = g_strdup (title);
    }
  return self;
}
