/* test-monitor-queue.c: the serial monitor's queue to the main context —
 * items arrive in the order queued, adjacent output merged into one
 * delivery, never delivered on the queuing thread; past its bound the
 * oldest output is dropped and a warning says how much, before the rest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-monitor-queue-private.h"

typedef struct {
  GString *log;        /* "O<len> N<kind>:<text> S<state>" */
  guint64  output;
  GThread *thread;
} Seen;

static void
deliver (GObject                  *owner,
         const EsplashMonitorItem *item)
{
  Seen *seen = g_object_get_data (owner, "seen");

  g_assert_true (g_thread_self () == seen->thread);
  switch (item->kind)
    {
    case ESPLASH_MONITOR_ITEM_OUTPUT:
      g_string_append_printf (seen->log, "O%u ", item->bytes->len);
      seen->output += item->bytes->len;
      break;
    case ESPLASH_MONITOR_ITEM_NOTE:
      g_string_append_printf (seen->log, "N%d:%s ", item->note, item->text);
      break;
    case ESPLASH_MONITOR_ITEM_STATE:
      g_string_append_printf (seen->log, "S%d ", item->state);
      break;
    }
}

static void
run_until_delivered (Seen *seen)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_TIME_SPAN_SECOND;
  gsize len = seen->log->len;

  while (seen->log->len == len && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  /* whatever else is due in the same flush */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

typedef struct {
  EsplashMonitorQueue *queue;
  gsize                chunks;
  gsize                chunk_len;
} Producer;

static gpointer
produce (gpointer data)
{
  Producer *p = data;
  g_autofree guint8 *chunk = g_malloc0 (p->chunk_len);

  for (gsize i = 0; i < p->chunks; i++)
    esplash_monitor_queue_output (p->queue, chunk, p->chunk_len);
  esplash_monitor_queue_note (p->queue, ESPLASH_MONITOR_NOTE_DECODED, g_strdup ("frame"));
  esplash_monitor_queue_output (p->queue, chunk, 10);
  esplash_monitor_queue_state (p->queue, ESPLASH_MONITOR_STATE_STOPPED, NULL);
  return NULL;
}

static void
test_order_and_merge (void)
{
  g_autoptr(GObject) owner = g_object_new (G_TYPE_OBJECT, NULL);
  Seen seen = { g_string_new (NULL), 0, g_thread_self () };
  EsplashMonitorQueue *queue = esplash_monitor_queue_new (owner, deliver);
  Producer p = { queue, 100, 64 };
  GThread *thread;

  g_object_set_data (owner, "seen", &seen);
  esplash_monitor_queue_attach (queue, g_main_context_default ());
  thread = g_thread_new ("producer", produce, &p);
  g_thread_join (thread);
  run_until_delivered (&seen);
  /* 100 reads of 64 bytes: one delivery of 6400; then the note, the
   * output after it, the state — in that order. */
  g_assert_cmpstr (seen.log->str, ==, "O6400 N1:frame O10 S0 ");
  esplash_monitor_queue_free (queue);
  g_string_free (seen.log, TRUE);
}

static void
test_bound (void)
{
  g_autoptr(GObject) owner = g_object_new (G_TYPE_OBJECT, NULL);
  Seen seen = { g_string_new (NULL), 0, g_thread_self () };
  EsplashMonitorQueue *queue = esplash_monitor_queue_new (owner, deliver);
  /* 5 MiB while the main loop does not run */
  Producer p = { queue, 5 * 1024, 1024 };
  GThread *thread;

  g_object_set_data (owner, "seen", &seen);
  esplash_monitor_queue_attach (queue, g_main_context_default ());
  thread = g_thread_new ("producer", produce, &p);
  g_thread_join (thread);
  run_until_delivered (&seen);
  g_test_message ("%s", seen.log->str);
  /* The first delivery says what was lost (5 MiB + 10 queued, 4 MiB
   * kept), then the newest 4 MiB come. */
  g_assert_true (g_str_has_prefix (seen.log->str, "N2:1048586 bytes of output were dropped here"));
  g_assert_cmpuint (seen.output, ==, 4 * 1024 * 1024);
  g_assert_nonnull (strstr (seen.log->str, "N1:frame O10 S0 "));
  esplash_monitor_queue_free (queue);
  g_string_free (seen.log, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esplash/monitor/queue/order-and-merge", test_order_and_merge);
  g_test_add_func ("/esplash/monitor/queue/bound", test_bound);
  return g_test_run ();
}
