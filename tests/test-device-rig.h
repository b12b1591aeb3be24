/* test-device-rig.h: a device session on the in-process simulator for
 * tests — the simulator, its transport, the device, and what the device
 * reported through its event callback (logs, status-byte layouts, write
 * progress). Included by test-device.c, test-flash.c and test-diagnosis.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include "esplash.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"

typedef struct {
  EsplashSim       *sim;
  EsplashTransport *transport;
  EsplashDevice    *device;
  GPtrArray        *logs;               /* every log message */
  guint             status2;            /* replies seen with 2 status bytes */
  guint             status4;            /* … and with 4 */
  /* write progress checks */
  guint64           last_overall;
  guint64           overall_total;
  gboolean          progress_went_back;
  guint             progress_events;
  guint64           last_skipped;       /* overall_skipped of the last write progress */
  gboolean          unplug_on_progress; /* pull the cable once a block is acknowledged */
} Fixture;

static inline void
fixture_event_cb (const EsplashEvent *event,
                  gpointer            user_data)
{
  Fixture *f = user_data;

  if (event->kind == ESPLASH_EVENT_LOG)
    {
      g_ptr_array_add (f->logs, g_strdup (event->message));
      if (g_str_has_suffix (event->message, ", 2 status bytes"))
        f->status2++;
      else if (g_str_has_suffix (event->message, ", 4 status bytes"))
        f->status4++;
      return;
    }
  if (event->kind != ESPLASH_EVENT_PROGRESS)
    return;
  if (event->stage == ESPLASH_STAGE_WRITING)
    {
      if (event->overall_done < f->last_overall || event->region_done > event->region_total ||
          event->overall_done > event->overall_total)
        f->progress_went_back = TRUE;
      f->last_overall = event->overall_done;
      f->overall_total = event->overall_total;
      f->last_skipped = event->overall_skipped;
      f->progress_events++;
    }
  if (f->unplug_on_progress && event->overall_done > 0)
    {
      f->unplug_on_progress = FALSE;
      esplash_sim_unplug (f->sim);
    }
}

static inline Fixture *
fixture_new (const EsplashSimOptions *options)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->sim = esplash_sim_new (options);
  f->transport = esplash_sim_transport_new (f->sim);
  f->device = esplash_device_new (f->transport);
  f->logs = g_ptr_array_new_with_free_func (g_free);
  esplash_device_set_event_func (f->device, fixture_event_cb, f, NULL);
  return f;
}

static inline void
fixture_free (Fixture *f)
{
  esplash_device_close (f->device);
  g_object_unref (f->device);
  g_object_unref (f->transport);
  g_object_unref (f->sim);
  g_ptr_array_unref (f->logs);
  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

static inline gboolean
logs_contain (Fixture    *f,
              const char *needle)
{
  for (guint i = 0; i < f->logs->len; i++)
    if (strstr (g_ptr_array_index (f->logs, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

/* Connect with the flasher stub from ESPLASH_STUB_DIR, or the ROM loader. */
static inline void
connect_options (EsplashConnectOptions *options,
                 gboolean               stub)
{
  esplash_connect_options_init (options);
  options->no_stub = !stub;
  options->stub_dir = g_getenv ("ESPLASH_STUB_DIR");
}
