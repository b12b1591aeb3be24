/* test-reset.c: DTR/RTS sequences, reset plans, mode names, cancellable
 * sleeps (protocol.md §7.1, §7.2, §7.4).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "esplash-transport-private.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"

/* A transport that records every line change with its time. */
typedef struct {
  gboolean dtr, rts;
  gint64   at_us;
} LineChange;

#define TEST_TYPE_LINE_RECORDER (test_line_recorder_get_type ())
G_DECLARE_FINAL_TYPE (TestLineRecorder, test_line_recorder, TEST, LINE_RECORDER, EsplashTransport)

struct _TestLineRecorder
{
  EsplashTransport parent_instance;
  GArray          *changes;
};

G_DEFINE_FINAL_TYPE (TestLineRecorder, test_line_recorder, ESPLASH_TYPE_TRANSPORT)

static gssize
recorder_read (EsplashTransport *self, guint8 *buf, gsize len, guint timeout_ms, GError **error)
{
  g_usleep ((gulong) timeout_ms * 1000);
  return 0;
}

static gboolean
recorder_write (EsplashTransport *self, const guint8 *buf, gsize len, GError **error)
{
  return TRUE;
}

static gboolean
recorder_set_lines (EsplashTransport *transport, gboolean dtr, gboolean rts, GError **error)
{
  TestLineRecorder *self = TEST_LINE_RECORDER (transport);
  LineChange change = { dtr, rts, g_get_monotonic_time () };

  g_array_append_val (self->changes, change);
  return TRUE;
}

static void
test_line_recorder_finalize (GObject *object)
{
  g_array_unref (TEST_LINE_RECORDER (object)->changes);
  G_OBJECT_CLASS (test_line_recorder_parent_class)->finalize (object);
}

static void
test_line_recorder_class_init (TestLineRecorderClass *klass)
{
  EsplashTransportClass *transport_class = ESPLASH_TRANSPORT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_line_recorder_finalize;
  transport_class->read = recorder_read;
  transport_class->write = recorder_write;
  transport_class->set_lines = recorder_set_lines;
}

static void
test_line_recorder_init (TestLineRecorder *self)
{
  self->changes = g_array_new (FALSE, FALSE, sizeof (LineChange));
}

static TestLineRecorder *
recorder_new (EsplashTransportKind kind,
              gboolean             has_lines,
              guint16              vid,
              guint16              pid)
{
  TestLineRecorder *self = g_object_new (TEST_TYPE_LINE_RECORDER, NULL);

  esplash_transport_set_info (ESPLASH_TRANSPORT (self), kind, "test://lines", has_lines,
                              115200, vid, pid);
  return self;
}

/* Expected (DTR, RTS) after each change, and the sleep (ms) before it. */
typedef struct {
  gboolean dtr, rts;
  guint    wait_ms;
} Expect;

static void
assert_sequence (TestLineRecorder *rec,
                 gint64            start_us,
                 const Expect     *expect,
                 guint             n)
{
  gint64 prev = start_us;

  g_assert_cmpuint (rec->changes->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      const LineChange *c = &g_array_index (rec->changes, LineChange, i);
      gint64 gap = c->at_us - prev;

      if (c->dtr != expect[i].dtr || c->rts != expect[i].rts)
        g_error ("change %u: got DTR=%d RTS=%d, expected DTR=%d RTS=%d", i, c->dtr, c->rts,
                 expect[i].dtr, expect[i].rts);
      /* The sleep is at least what the sequence asks, and not much more. */
      g_assert_cmpint (gap, >=, (gint64) expect[i].wait_ms * 1000);
      g_assert_cmpint (gap, <, (gint64) expect[i].wait_ms * 1000 + 40000);
      prev = c->at_us;
    }
}

static void
test_classic (void)
{
  g_autoptr(TestLineRecorder) rec = recorder_new (ESPLASH_TRANSPORT_KIND_SERIAL, TRUE, 0, 0);
  EsplashResetStep step = { ESPLASH_RESET_CLASSIC, 50 };
  g_autoptr(GError) error = NULL;
  /* DTR=0, RTS=1, 0.1 s, DTR=1, RTS=0, 0.05 s, DTR=0 (§7.1); each call sets
   * both lines, so an RTS change re-sends the current DTR. */
  static const Expect expect[] = {
    { FALSE, FALSE, 0 }, { FALSE, TRUE, 0 }, { TRUE, TRUE, 100 }, { TRUE, FALSE, 0 },
    { FALSE, FALSE, 50 },
  };
  gint64 start = g_get_monotonic_time ();

  g_assert_true (esplash_reset_run (ESPLASH_TRANSPORT (rec), &step, NULL, &error));
  g_assert_no_error (error);
  assert_sequence (rec, start, expect, G_N_ELEMENTS (expect));
}

static void
test_unix_tight (void)
{
  g_autoptr(TestLineRecorder) rec = recorder_new (ESPLASH_TRANSPORT_KIND_SERIAL, TRUE, 0, 0);
  EsplashResetStep step = { ESPLASH_RESET_UNIX_TIGHT, 550 };
  g_autoptr(GError) error = NULL;
  static const Expect expect[] = {
    { FALSE, FALSE, 0 }, { TRUE, TRUE, 0 }, { FALSE, TRUE, 0 }, { TRUE, FALSE, 100 },
    { FALSE, FALSE, 550 }, { FALSE, FALSE, 0 },
  };
  gint64 start = g_get_monotonic_time ();

  g_assert_true (esplash_reset_run (ESPLASH_TRANSPORT (rec), &step, NULL, &error));
  g_assert_no_error (error);
  assert_sequence (rec, start, expect, G_N_ELEMENTS (expect));
}

static void
test_usb_jtag (void)
{
  g_autoptr(TestLineRecorder) rec = recorder_new (ESPLASH_TRANSPORT_KIND_SERIAL, TRUE, 0, 0);
  EsplashResetStep step = { ESPLASH_RESET_USB_JTAG, 0 };
  g_autoptr(GError) error = NULL;
  /* RTS=0, DTR=0, 0.1, DTR=1, RTS=0, 0.1, RTS=1, DTR=0, RTS=1, 0.1, DTR=0, RTS=0:
   * the reset goes through (1,1), never (0,0). */
  static const Expect expect[] = {
    { FALSE, FALSE, 0 }, { FALSE, FALSE, 0 }, { TRUE, FALSE, 100 }, { TRUE, FALSE, 0 },
    { TRUE, TRUE, 100 }, { FALSE, TRUE, 0 }, { FALSE, TRUE, 0 }, { FALSE, TRUE, 100 },
    { FALSE, FALSE, 0 },
  };
  gint64 start = g_get_monotonic_time ();

  g_assert_true (esplash_reset_run (ESPLASH_TRANSPORT (rec), &step, NULL, &error));
  g_assert_no_error (error);
  assert_sequence (rec, start, expect, G_N_ELEMENTS (expect));
}

static void
test_hard (gconstpointer data)
{
  gboolean usb = GPOINTER_TO_INT (data);
  g_autoptr(TestLineRecorder) rec = recorder_new (ESPLASH_TRANSPORT_KIND_SERIAL, TRUE, 0, 0);
  g_autoptr(GError) error = NULL;
  static const Expect expect_uart[] = { { FALSE, TRUE, 0 }, { FALSE, FALSE, 100 } };
  static const Expect expect_usb[] = { { FALSE, TRUE, 0 }, { FALSE, FALSE, 200 } };
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  g_assert_true (esplash_reset_hard (ESPLASH_TRANSPORT (rec), usb, NULL, &error));
  g_assert_no_error (error);
  elapsed = g_get_monotonic_time () - start;
  assert_sequence (rec, start, usb ? expect_usb : expect_uart, 2);
  /* Over USB it also waits 0.2 s after releasing EN. */
  if (usb)
    g_assert_cmpint (elapsed, >=, 400 * 1000);
  else
    g_assert_cmpint (elapsed, <, 150 * 1000);
}

static void
assert_plan (GArray                     *plan,
             const EsplashResetStep     *expect,
             guint                       n)
{
  g_assert_cmpuint (plan->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      EsplashResetStep *s = &g_array_index (plan, EsplashResetStep, i);

      g_assert_cmpint (s->strategy, ==, expect[i].strategy);
      if (s->strategy != ESPLASH_RESET_USB_JTAG)
        g_assert_cmpuint (s->delay_ms, ==, expect[i].delay_ms);
    }
}

static void
test_plan (void)
{
  static const EsplashResetStep bridge[] = {
    { ESPLASH_RESET_UNIX_TIGHT, 50 }, { ESPLASH_RESET_UNIX_TIGHT, 550 },
    { ESPLASH_RESET_CLASSIC, 50 }, { ESPLASH_RESET_CLASSIC, 550 },
  };
  static const EsplashResetStep rfc2217[] = {
    { ESPLASH_RESET_CLASSIC, 50 }, { ESPLASH_RESET_CLASSIC, 550 },
  };
  static const EsplashResetStep jtag[] = { { ESPLASH_RESET_USB_JTAG, 0 } };
  g_autoptr(TestLineRecorder) serial = recorder_new (ESPLASH_TRANSPORT_KIND_SERIAL, TRUE,
                                                     0x10C4, 0xEA60);
  g_autoptr(TestLineRecorder) usb_jtag = recorder_new (ESPLASH_TRANSPORT_KIND_SERIAL, TRUE,
                                                       ESPLASH_ESPRESSIF_USB_VID,
                                                       ESPLASH_USB_JTAG_SERIAL_PID);
  g_autoptr(TestLineRecorder) rfc = recorder_new (ESPLASH_TRANSPORT_KIND_RFC2217, TRUE, 0, 0);
  g_autoptr(TestLineRecorder) sock = recorder_new (ESPLASH_TRANSPORT_KIND_SOCKET, FALSE, 0, 0);
  GArray *plan;

  plan = esplash_reset_plan (ESPLASH_BEFORE_DEFAULT_RESET, ESPLASH_TRANSPORT (serial), FALSE);
  assert_plan (plan, bridge, G_N_ELEMENTS (bridge));
  g_array_unref (plan);

  plan = esplash_reset_plan (ESPLASH_BEFORE_DEFAULT_RESET, ESPLASH_TRANSPORT (serial), TRUE);
  assert_plan (plan, jtag, 1);
  g_array_unref (plan);

  plan = esplash_reset_plan (ESPLASH_BEFORE_USB_RESET, ESPLASH_TRANSPORT (serial), FALSE);
  assert_plan (plan, jtag, 1);
  g_array_unref (plan);

  /* The port's own PID 0x1001 says USB-Serial/JTAG. */
  plan = esplash_reset_plan (ESPLASH_BEFORE_DEFAULT_RESET, ESPLASH_TRANSPORT (usb_jtag), FALSE);
  assert_plan (plan, jtag, 1);
  g_array_unref (plan);

  plan = esplash_reset_plan (ESPLASH_BEFORE_DEFAULT_RESET, ESPLASH_TRANSPORT (rfc), FALSE);
  assert_plan (plan, rfc2217, G_N_ELEMENTS (rfc2217));
  g_array_unref (plan);

  plan = esplash_reset_plan (ESPLASH_BEFORE_DEFAULT_RESET, ESPLASH_TRANSPORT (sock), FALSE);
  g_assert_cmpuint (plan->len, ==, 0);
  g_array_unref (plan);

  plan = esplash_reset_plan (ESPLASH_BEFORE_NO_RESET, ESPLASH_TRANSPORT (serial), FALSE);
  g_assert_cmpuint (plan->len, ==, 0);
  g_array_unref (plan);
  plan = esplash_reset_plan (ESPLASH_BEFORE_NO_RESET_NO_SYNC, ESPLASH_TRANSPORT (serial), FALSE);
  g_assert_cmpuint (plan->len, ==, 0);
  g_array_unref (plan);
}

static void
test_names (void)
{
  EsplashBefore before = ESPLASH_BEFORE_DEFAULT_RESET;
  EsplashAfter after = ESPLASH_AFTER_HARD_RESET;

  g_assert_true (esplash_before_from_string ("no_reset_no_sync", &before));
  g_assert_cmpint (before, ==, ESPLASH_BEFORE_NO_RESET_NO_SYNC);
  g_assert_true (esplash_before_from_string ("usb-reset", &before));
  g_assert_cmpint (before, ==, ESPLASH_BEFORE_USB_RESET);
  g_assert_true (esplash_before_from_string ("default_reset", &before));
  g_assert_cmpint (before, ==, ESPLASH_BEFORE_DEFAULT_RESET);
  g_assert_true (esplash_before_from_string ("no-reset", &before));
  g_assert_cmpint (before, ==, ESPLASH_BEFORE_NO_RESET);
  g_assert_false (esplash_before_from_string ("no-reset-", &before));
  g_assert_false (esplash_before_from_string ("hard_reset", &before));
  g_assert_false (esplash_before_from_string (NULL, &before));

  g_assert_true (esplash_after_from_string ("hard_reset", &after));
  g_assert_cmpint (after, ==, ESPLASH_AFTER_HARD_RESET);
  g_assert_true (esplash_after_from_string ("watchdog-reset", &after));
  g_assert_cmpint (after, ==, ESPLASH_AFTER_WATCHDOG_RESET);
  g_assert_true (esplash_after_from_string ("no_reset_stub", &after));
  g_assert_cmpint (after, ==, ESPLASH_AFTER_NO_RESET_STUB);
  g_assert_true (esplash_after_from_string ("soft-reset", &after));
  g_assert_cmpint (after, ==, ESPLASH_AFTER_SOFT_RESET);
  g_assert_true (esplash_after_from_string ("no_reset", &after));
  g_assert_cmpint (after, ==, ESPLASH_AFTER_NO_RESET);
  g_assert_false (esplash_after_from_string ("default-reset", &after));

  g_assert_cmpstr (esplash_before_to_string (ESPLASH_BEFORE_NO_RESET_NO_SYNC), ==,
                   "no-reset-no-sync");
  g_assert_cmpstr (esplash_after_to_string (ESPLASH_AFTER_WATCHDOG_RESET), ==, "watchdog-reset");
}

typedef struct {
  GCancellable *cancellable;
  gint64        cancelled_at;
} CancelData;

static gpointer
cancel_later (gpointer data)
{
  CancelData *cd = data;

  g_usleep (80 * 1000);
  cd->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cd->cancellable);
  return NULL;
}

static void
test_cancel (void)
{
  g_autoptr(TestLineRecorder) rec = recorder_new (ESPLASH_TRANSPORT_KIND_SERIAL, TRUE, 0, 0);
  EsplashResetStep step = { ESPLASH_RESET_CLASSIC, 550 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CancelData cd = { cancellable, 0 };
  GThread *thread = g_thread_new ("cancel", cancel_later, &cd);
  gint64 returned_at;

  /* In the first 0.1 s sleep of a 0.65 s sequence. */
  g_assert_false (esplash_reset_run (ESPLASH_TRANSPORT (rec), &step, cancellable, &error));
  returned_at = g_get_monotonic_time ();
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (returned_at - cd.cancelled_at, <, 20 * 1000);
  g_clear_error (&error);

  /* Already cancelled: at once. */
  g_assert_false (esplash_sleep (1000, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (esplash_sleep (5, NULL, &error));
  g_assert_no_error (error);
}

/* The sequences do what they are for on the simulated board. */
static void
test_on_board (gconstpointer data)
{
  EsplashResetStrategy strategy = GPOINTER_TO_INT (data);
  EsplashSimOptions so;
  EsplashResetStep step = { strategy, 50 };
  g_autoptr(EsplashSim) sim = NULL;
  g_autoptr(EsplashTransport) transport = NULL;
  g_autoptr(GError) error = NULL;
  gint64 end;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32C3);
  if (strategy == ESPLASH_RESET_USB_JTAG)
    so.console = ESPLASH_CONSOLE_USB_JTAG;
  sim = esplash_sim_new (&so);
  transport = esplash_sim_transport_new (sim);

  g_assert_true (esplash_reset_run (transport, &step, NULL, &error));
  g_assert_no_error (error);
  end = g_get_monotonic_time () + G_TIME_SPAN_SECOND;
  while (esplash_sim_get_state (sim) != ESPLASH_SIM_STATE_ROM_LOADER &&
         g_get_monotonic_time () < end)
    g_usleep (2000);
  g_assert_cmpstr (esplash_sim_state_name (esplash_sim_get_state (sim)), ==,
                   esplash_sim_state_name (ESPLASH_SIM_STATE_ROM_LOADER));

  /* And the hard reset leaves the loader (nothing valid in flash: NO_APP). */
  g_assert_true (esplash_reset_hard (transport, strategy == ESPLASH_RESET_USB_JTAG, NULL,
                                     &error));
  g_assert_no_error (error);
  end = g_get_monotonic_time () + G_TIME_SPAN_SECOND;
  while (esplash_sim_get_state (sim) == ESPLASH_SIM_STATE_ROM_LOADER &&
         g_get_monotonic_time () < end)
    g_usleep (2000);
  g_assert_cmpint (esplash_sim_get_state (sim), !=, ESPLASH_SIM_STATE_ROM_LOADER);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/reset/sequence/classic", test_classic);
  g_test_add_func ("/esplash/reset/sequence/unix-tight", test_unix_tight);
  g_test_add_func ("/esplash/reset/sequence/usb-jtag", test_usb_jtag);
  g_test_add_data_func ("/esplash/reset/hard/uart", GINT_TO_POINTER (FALSE), test_hard);
  g_test_add_data_func ("/esplash/reset/hard/usb", GINT_TO_POINTER (TRUE), test_hard);
  g_test_add_func ("/esplash/reset/plan", test_plan);
  g_test_add_func ("/esplash/reset/names", test_names);
  g_test_add_func ("/esplash/reset/cancel", test_cancel);
  g_test_add_data_func ("/esplash/reset/board/classic",
                        GINT_TO_POINTER (ESPLASH_RESET_CLASSIC), test_on_board);
  g_test_add_data_func ("/esplash/reset/board/unix-tight",
                        GINT_TO_POINTER (ESPLASH_RESET_UNIX_TIGHT), test_on_board);
  g_test_add_data_func ("/esplash/reset/board/usb-jtag",
                        GINT_TO_POINTER (ESPLASH_RESET_USB_JTAG), test_on_board);

  return g_test_run ();
}
