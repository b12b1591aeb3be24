/* test-sim-hostile.c: esplash-sim's hostile modes — what each one puts on
 * the wire — and the core against them in-process: a connect and a small
 * write end within a bounded time, fail with an error that names what the
 * chip sent (or, for replies to commands never sent, succeed with the flash
 * exactly right), and the session's buffers stay within their caps however
 * much arrives (docs/reliability.md, "A hostile device").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "esplash.h"
#include "esplash-device-private.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"
#include "test-device-rig.h"

#define MIB (1024 * 1024)
/* A whole case — connect, write, every retry the core makes — must end
 * within this (generous for CI and sanitizer builds; measured times are in
 * docs/reliability.md). */
#define CASE_LIMIT_S 45
/* The caps the session keeps (esplash-slip.c, esplash-device-connect.c). */
#define NOISE_CAP (64 * 1024)
#define LINE_TEXT_CAP (16 * 1024)
#define BOOT_LOG_CAP (64 * 1024)
#define RX_LIMIT (2 * 4096)
/* How far the process's peak RSS may rise above where it was before the
 * first case, over all cases (each makes the chip send up to ~1 GB). */
#define RSS_LIMIT_KIB (32 * 1024)

static glong rss_baseline_kib;

/* ------------------------------------------------------------ the wire */

static EsplashSim *
hostile_sim (EsplashSimHostile kinds,
             guint             after)
{
  EsplashSimOptions so;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32C3);
  so.boot_mode = ESPLASH_SIM_BOOT_DOWNLOAD;
  so.hostile = kinds;
  so.hostile_after = after;
  return esplash_sim_new (&so);
}

static void
send_sync (EsplashSim *sim)
{
  guint8 data[36] = { 0x07, 0x07, 0x12, 0x20 };
  g_autoptr(GBytes) packet = NULL;
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  gsize len;
  const guint8 *p;

  memset (data + 4, 0x55, 32);
  packet = esplash_command_build (ESPLASH_OP_SYNC, data, sizeof data, 0);
  p = g_bytes_get_data (packet, &len);
  esplash_slip_encode (p, len, wire);
  esplash_sim_host_write (sim, wire->data, wire->len);
}

/* What the chip sends until it has been quiet for @quiet_ms, at most @max
 * bytes; *@at_max tells whether it stopped at @max. */
static GByteArray *
read_output (EsplashSim *sim,
             guint       quiet_ms,
             gsize       max,
             gboolean   *at_max)
{
  GByteArray *out = g_byte_array_new ();
  guint8 buf[65536];

  *at_max = FALSE;
  while (out->len < max)
    {
      gssize n = esplash_sim_host_read (sim, buf, MIN (sizeof buf, max - out->len),
                                        (gint64) quiet_ms * G_TIME_SPAN_MILLISECOND);

      g_assert_cmpint (n, >=, 0);
      if (n == 0)
        return out;
      g_byte_array_append (out, buf, (guint) n);
    }
  *at_max = TRUE;
  return out;
}

/* What the chip sends in the next @ms. */
static GByteArray *
read_for (EsplashSim *sim,
          guint       ms)
{
  GByteArray *out = g_byte_array_new ();
  gint64 end = g_get_monotonic_time () + (gint64) ms * G_TIME_SPAN_MILLISECOND;
  guint8 buf[4096];
  gint64 now;

  while ((now = g_get_monotonic_time ()) < end)
    {
      gssize n = esplash_sim_host_read (sim, buf, sizeof buf, end - now);

      g_assert_cmpint (n, >=, 0);
      g_byte_array_append (out, buf, (guint) n);
    }
  return out;
}

typedef struct {
  GPtrArray *frames;      /* GBytes */
  guint64    oversized;
  guint64    bad_escapes;
} Decoded;

static void
decoded_clear (Decoded *d)
{
  g_clear_pointer (&d->frames, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Decoded, decoded_clear)

static void
decode (const GByteArray *bytes,
        Decoded          *d)
{
  g_autoptr(EsplashSlipDecoder) decoder = esplash_slip_decoder_new (ESPLASH_SLIP_DEFAULT_MAX_FRAME);

  d->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < bytes->len; i++)
    if (esplash_slip_decoder_push (decoder, bytes->data[i], NULL) == ESPLASH_SLIP_FRAME)
      g_ptr_array_add (d->frames, esplash_slip_decoder_take_frame (decoder));
  d->oversized = esplash_slip_decoder_get_oversize_count (decoder);
  d->bad_escapes = esplash_slip_decoder_get_bad_escape_count (decoder);
  /* The decoder's own memory: the noise it keeps is capped. */
  g_assert_cmpuint (esplash_slip_decoder_get_noise (decoder)->len, <=, NOISE_CAP);
}

/* A reply to @opcode with its size field right. */
static gboolean
is_reply_to (GBytes *frame,
             guint8  opcode)
{
  gsize len;
  const guint8 *f = g_bytes_get_data (frame, &len);

  return len >= ESPLASH_COMMAND_HEADER_LEN && f[0] == 0x01 && f[1] == opcode &&
         (gsize) (f[2] | f[3] << 8) == len - ESPLASH_COMMAND_HEADER_LEN;
}

static guint
count_replies (const Decoded *d,
               guint8         opcode)
{
  guint n = 0;

  for (guint i = 0; i < d->frames->len; i++)
    n += is_reply_to (g_ptr_array_index (d->frames, i), opcode);
  return n;
}

static gboolean
events_contain (EsplashSim *sim,
                const char *line)
{
  g_auto(GStrv) events = esplash_sim_dup_events (sim);

  return g_strv_contains ((const char *const *) events, line);
}

static void
test_wire_oversized (void)
{
  g_autoptr(EsplashSim) sim = hostile_sim (ESPLASH_SIM_HOSTILE_OVERSIZED, 0);
  g_autoptr(GByteArray) out = NULL;
  g_auto(Decoded) d = { 0 };
  const guint8 *start, *end;
  gboolean at_max;

  send_sync (sim);
  out = read_output (sim, 100, 32 * MIB, &at_max);
  g_assert_false (at_max);
  decode (out, &d);
  /* Eight SYNC replies, each over a mebibyte between its delimiters. */
  g_assert_cmpuint (d.oversized, ==, 8);
  g_assert_cmpuint (d.frames->len, ==, 0);
  start = memchr (out->data, ESPLASH_SLIP_END, out->len);
  g_assert_nonnull (start);
  g_assert_cmpuint (start[1], ==, 0x01);
  g_assert_cmpuint (start[2], ==, ESPLASH_OP_SYNC);
  end = memchr (start + 1, ESPLASH_SLIP_END, out->len - (gsize) (start + 1 - out->data));
  g_assert_nonnull (end);
  g_assert_cmpuint (end - start, >, MIB);
  g_assert_true (events_contain (sim, "hostile oversized"));
}

static void
test_wire_bad_escape (void)
{
  g_autoptr(EsplashSim) sim = hostile_sim (ESPLASH_SIM_HOSTILE_BAD_ESCAPE, 0);
  g_autoptr(GByteArray) out = NULL;
  g_auto(Decoded) d = { 0 };
  guint bad = 0;
  gboolean at_max;

  send_sync (sim);
  out = read_output (sim, 100, MIB, &at_max);
  for (guint i = 0; i + 1 < out->len; i++)
    if (out->data[i] == ESPLASH_SLIP_ESC && out->data[i + 1] != ESPLASH_SLIP_ESC_END &&
        out->data[i + 1] != ESPLASH_SLIP_ESC_ESC)
      bad++;
  g_assert_cmpuint (bad, >=, 8);
  decode (out, &d);
  /* Every one of the eight replies is spoilt, and none gets through. */
  g_assert_cmpuint (d.bad_escapes, ==, 8);
  g_assert_cmpuint (count_replies (&d, ESPLASH_OP_SYNC), ==, 0);
  g_assert_true (events_contain (sim, "hostile bad-escape"));
}

static void
test_wire_unsolicited (void)
{
  g_autoptr(EsplashSim) sim = hostile_sim (ESPLASH_SIM_HOSTILE_UNSOLICITED, 0);
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GByteArray) later = NULL;
  g_auto(Decoded) d = { 0 };
  g_auto(Decoded) dl = { 0 };
  EsplashSimStats stats;
  guint other = 0;

  send_sync (sim);
  out = read_for (sim, 20);
  decode (out, &d);
  /* The real replies, intact, among at least one made-up frame before and
   * after each. */
  g_assert_cmpuint (count_replies (&d, ESPLASH_OP_SYNC), ==, 8);
  for (guint i = 0; i < d.frames->len; i++)
    {
      gsize len;
      const guint8 *f = g_bytes_get_data (g_ptr_array_index (d.frames, i), &len);

      if (is_reply_to (g_ptr_array_index (d.frames, i), ESPLASH_OP_SYNC))
        continue;
      other++;
      /* never a reply to a command a client sends, never a refusal */
      g_assert_true (len < 2 || f[0] != 0x01 || esplash_opcode_name (f[1]) == NULL);
      g_assert_cmpuint (f[1], !=, 0);
      g_assert_false (len >= 10 && f[8] != 0 && f[9] == ESPLASH_ROM_ERROR_INVALID_FORMAT);
    }
  g_assert_cmpuint (other, >=, 16);
  g_assert_cmpuint (d.oversized + d.bad_escapes, ==, 0);

  /* Unasked: about one every 25 ms while nothing is sent. */
  later = read_for (sim, 300);
  decode (later, &dl);
  g_assert_cmpuint (dl.frames->len, >=, 3);
  g_assert_cmpuint (count_replies (&dl, ESPLASH_OP_SYNC), ==, 0);
  esplash_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.hostile_frames, ==, other + dl.frames->len);
}

static void
test_wire_endless (gconstpointer data)
{
  EsplashSimHostile kind = GPOINTER_TO_UINT (data);
  g_autoptr(EsplashSim) sim = hostile_sim (kind, 0);
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GByteArray) more = NULL;
  g_auto(Decoded) d = { 0 };
  EsplashSimStats stats;
  gboolean at_max;
  guint ends = 0;

  send_sync (sim);
  out = read_output (sim, 100, 8 * MIB, &at_max);
  g_assert_true (at_max);
  for (guint i = 0; i < out->len; i++)
    ends += out->data[i] == ESPLASH_SLIP_END;
  decode (out, &d);
  g_assert_cmpuint (count_replies (&d, ESPLASH_OP_SYNC), ==, 0);
  if (kind == ESPLASH_SIM_HOSTILE_ENDLESS)
    {
      g_assert_cmpuint (ends, ==, 0);
      g_assert_cmpuint (d.frames->len, ==, 0);
    }
  else
    {
      /* short junk frames, none of them a reply to anything */
      g_assert_cmpuint (d.frames->len, >, 8 * MIB / 100);
      g_assert_cmpuint (d.oversized + d.bad_escapes, ==, 0);
      for (guint i = 0; i < d.frames->len; i++)
        g_assert_cmpuint (((const guint8 *) g_bytes_get_data (g_ptr_array_index (d.frames, i),
                                                              NULL))[0], !=, 0x01);
    }

  /* Flushing does not end it, nor does a reset; a power cycle does. */
  esplash_sim_host_purge (sim);
  esplash_sim_press_reset (sim);
  more = read_output (sim, 100, MIB, &at_max);
  g_assert_true (at_max);
  esplash_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.hostile_bytes, >=, 9 * MIB - 4096);   /* all but the boot banner */
  esplash_sim_power_cycle (sim);
  g_byte_array_unref (more);
  more = read_output (sim, 100, MIB, &at_max);
  g_assert_false (at_max);
  g_assert_null (memchr (more->data, ESPLASH_SLIP_END, more->len));
  g_assert_true (events_contain (sim, kind == ESPLASH_SIM_HOSTILE_ENDLESS ? "hostile endless"
                                                                          : "hostile endless-frames"));
}

static void
test_wire_after (void)
{
  g_autoptr(EsplashSim) sim = hostile_sim (ESPLASH_SIM_HOSTILE_OVERSIZED, 1);
  g_autoptr(GByteArray) first = NULL;
  g_autoptr(GByteArray) second = NULL;
  g_autoptr(GByteArray) third = NULL;
  g_auto(Decoded) d1 = { 0 };
  g_auto(Decoded) d2 = { 0 };
  g_auto(Decoded) d3 = { 0 };
  gboolean at_max;

  /* The first command is answered normally, the second is not. */
  send_sync (sim);
  first = read_output (sim, 50, 32 * MIB, &at_max);
  decode (first, &d1);
  g_assert_cmpuint (count_replies (&d1, ESPLASH_OP_SYNC), ==, 8);
  g_assert_false (events_contain (sim, "hostile oversized"));
  send_sync (sim);
  second = read_output (sim, 50, 32 * MIB, &at_max);
  decode (second, &d2);
  g_assert_cmpuint (d2.oversized, ==, 8);

  /* Turned off: normal again. */
  esplash_sim_set_hostile (sim, ESPLASH_SIM_HOSTILE_NONE, 0);
  send_sync (sim);
  third = read_output (sim, 50, 32 * MIB, &at_max);
  decode (third, &d3);
  g_assert_cmpuint (count_replies (&d3, ESPLASH_OP_SYNC), ==, 8);
  g_assert_cmpuint (d3.oversized, ==, 0);
}

static void
test_parse (void)
{
  EsplashSimHostile kinds = ESPLASH_SIM_HOSTILE_NONE;

  g_assert_true (esplash_sim_hostile_parse ("oversized, endless-frames", &kinds));
  g_assert_cmpuint (kinds, ==, ESPLASH_SIM_HOSTILE_OVERSIZED | ESPLASH_SIM_HOSTILE_ENDLESS_FRAMES);
  g_assert_true (esplash_sim_hostile_parse ("bad-escape,unsolicited,endless", &kinds));
  g_assert_cmpuint (kinds, ==, ESPLASH_SIM_HOSTILE_OVERSIZED | ESPLASH_SIM_HOSTILE_ENDLESS_FRAMES |
                               ESPLASH_SIM_HOSTILE_BAD_ESCAPE | ESPLASH_SIM_HOSTILE_UNSOLICITED |
                               ESPLASH_SIM_HOSTILE_ENDLESS);
  g_assert_false (esplash_sim_hostile_parse ("oversize", &kinds));
  g_assert_cmpstr (esplash_sim_hostile_name (ESPLASH_SIM_HOSTILE_BAD_ESCAPE), ==, "bad-escape");
}

/* ------------------------------------------------------------ the core */

typedef struct {
  const char        *name;
  EsplashSimHostile  kind;
  gboolean           stub;
  gboolean           during_write; /* hostile only once connected */
  const char        *says;         /* in the error (the logs while connecting), or NULL: success */
  gboolean           reset;        /* connect with a reset (default) rather than none */
  gboolean           memory_bug;   /* the case that found the boot-log flood (fixed) */
} CoreCase;

static const CoreCase core_cases[] = {
  { "oversized/connect", ESPLASH_SIM_HOSTILE_OVERSIZED, TRUE, FALSE, "frame larger than any reply" },
  { "oversized/write", ESPLASH_SIM_HOSTILE_OVERSIZED, TRUE, TRUE, "frame larger than any reply" },
  { "endless/connect", ESPLASH_SIM_HOSTILE_ENDLESS, TRUE, FALSE, "none of them in a packet" },
  { "endless/write", ESPLASH_SIM_HOSTILE_ENDLESS, TRUE, TRUE, "none of them in a packet" },
  { "endless-frames/connect", ESPLASH_SIM_HOSTILE_ENDLESS_FRAMES, TRUE, FALSE, "No reply to SYNC among" },
  { "endless-frames/write", ESPLASH_SIM_HOSTILE_ENDLESS_FRAMES, TRUE, TRUE, "No reply to" },
  { "bad-escape/connect", ESPLASH_SIM_HOSTILE_BAD_ESCAPE, TRUE, FALSE, "invalid escape" },
  { "bad-escape/write", ESPLASH_SIM_HOSTILE_BAD_ESCAPE, TRUE, TRUE, "invalid escape" },
  { "unsolicited/connect", ESPLASH_SIM_HOSTILE_UNSOLICITED, TRUE, FALSE, NULL },
  { "unsolicited/connect-rom", ESPLASH_SIM_HOSTILE_UNSOLICITED, FALSE, FALSE, NULL },
  { "unsolicited/write", ESPLASH_SIM_HOSTILE_UNSOLICITED, TRUE, TRUE, NULL },
  { "unsolicited/write-rom", ESPLASH_SIM_HOSTILE_UNSOLICITED, FALSE, TRUE, NULL },
};

/* Connecting with resets: each attempt reads the boot log for 250 ms
 * (esplash-device-connect.c capture_boot_log) — in-process the flood brings
 * hundreds of megabytes in that time. It keeps at most BOOT_LOG_CAP of it
 * (it kept all of it once: found by this case). */
static const CoreCase reset_case = {
  "endless/connect-reset", ESPLASH_SIM_HOSTILE_ENDLESS, TRUE, FALSE, "none of them in a packet",
  TRUE, TRUE,
};

/* The process's peak RSS: VmHWM where /proc has it — getrusage's maxrss
 * also counts the pages of the process this one was forked from (meson's
 * Python), so it would hide anything below that. */
static glong
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  struct rusage usage;
  const char *hwm;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
      (hwm = strstr (status, "VmHWM:")) != NULL)
    return (glong) g_ascii_strtoll (hwm + strlen ("VmHWM:"), NULL, 10);
  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return usage.ru_maxrss;
}

/* Starts a new peak (Linux: writing 5 to clear_refs resets VmHWM to the
 * current RSS), so that a case is measured alone and not under the peak an
 * earlier test left (the wire tests buffer up to 32 MiB of output each);
 * returns the peak to measure from. */
static glong
reset_peak_rss_kib (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");

  if (f != NULL)
    {
      fputs ("5", f);
      fclose (f);
    }
  return peak_rss_kib ();
}

static GBytes *
test_image (void)
{
  guint8 data[3000];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 7 + 3);
  return g_bytes_new (data, sizeof data);
}

static void
test_core (gconstpointer user_data)
{
  const CoreCase *c = user_data;
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) image = test_image ();
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GBytes) flash = NULL;
  gint64 start = g_get_monotonic_time ();
  glong rss_before = reset_peak_rss_kib ();
  EsplashSimStats stats;
  gboolean ok;
  double seconds;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32C3);
  so.flash_id = 0x1640EF;
  if (!c->during_write)
    so.hostile = c->kind;
  /* Without a reset the board must be in download mode already. */
  so.boot_mode = c->reset ? ESPLASH_SIM_BOOT_FLASH : ESPLASH_SIM_BOOT_DOWNLOAD;
  f = fixture_new (&so);
  connect_options (&co, c->stub);
  if (!c->reset)
    co.before = ESPLASH_BEFORE_NO_RESET;
  ok = esplash_device_connect (f->device, &co, NULL, &error);
  if (ok && c->during_write)
    esplash_sim_set_hostile (f->sim, c->kind, 0);
  if (ok)
    {
      g_ptr_array_add (regions, esplash_flash_region_new (0x10000, image, "hostile.bin"));
      ok = esplash_flash_write (f->device, regions, NULL, NULL, &error);
    }
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  esplash_sim_get_stats (f->sim, &stats);
  g_test_message ("%s: %s in %.1f s, %" G_GUINT64_FORMAT " bytes from the chip, peak RSS "
                  "+%ld KiB in this case, +%ld KiB since the start%s%s",
                  c->name, ok ? "succeeded" : "failed", seconds,
                  stats.chip_to_host + stats.hostile_bytes, peak_rss_kib () - rss_before,
                  peak_rss_kib () - rss_baseline_kib,
                  ok ? "" : ": ", ok ? "" : error->message);

  /* Bounded time, whatever the chip sends. */
  g_assert_cmpfloat (seconds, <, CASE_LIMIT_S);
  /* The hostile mode did act. */
  g_assert_cmpuint (stats.hostile_frames + stats.hostile_bytes, >, 0);

  if (c->says == NULL)
    {
      /* Replies to commands never sent are dropped as stale: the write
       * succeeds and the flash holds exactly the image. */
      g_assert_no_error (error);
      g_assert_true (ok);
      flash = esplash_sim_dup_flash (f->sim, 0x10000, (guint32) g_bytes_get_size (image));
      g_assert_true (g_bytes_equal (flash, image));
      g_assert_cmpuint (stats.hostile_frames, >=, 20);
    }
  else
    {
      g_assert_false (ok);
      g_assert_nonnull (error);
      g_assert_true (error->domain == ESPLASH_ERROR);
      if (c->during_write)
        g_assert_nonnull (strstr (error->message, c->says));
      else
        {
          /* The connect's verdict is that no SYNC was answered; each attempt
           * says what came instead. */
          g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NO_SYNC);
          g_assert_true (logs_contain (f, c->says));
        }
    }

  /* Bounded memory: the session keeps capped buffers only. */
  g_assert_cmpuint (f->device->rx->len, <=, RX_LIMIT);
  g_assert_cmpuint (esplash_slip_decoder_get_noise (f->device->decoder)->len, <=, NOISE_CAP);
  g_assert_cmpuint (f->device->line_text->len, <=, LINE_TEXT_CAP);
  g_assert_cmpuint (f->device->boot_log->len, <=, BOOT_LOG_CAP);
#if !defined(__SANITIZE_ADDRESS__)
  /* … and the process as a whole: its peak stays far below what arrived
   * (ASan keeps freed memory in quarantine: not measured there). */
  g_assert_cmpint (peak_rss_kib () - rss_before, <, RSS_LIMIT_KIB);
#endif
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  rss_baseline_kib = peak_rss_kib ();

  /* The core first, while the peak RSS is low; the case known to raise it
   * last. */
  for (guint i = 0; i < G_N_ELEMENTS (core_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/esplash/sim-hostile/core/%s", core_cases[i].name);

      g_test_add_data_func (path, &core_cases[i], test_core);
    }
  g_test_add_func ("/esplash/sim-hostile/parse", test_parse);
  g_test_add_func ("/esplash/sim-hostile/wire/oversized", test_wire_oversized);
  g_test_add_func ("/esplash/sim-hostile/wire/bad-escape", test_wire_bad_escape);
  g_test_add_func ("/esplash/sim-hostile/wire/unsolicited", test_wire_unsolicited);
  g_test_add_data_func ("/esplash/sim-hostile/wire/endless",
                        GUINT_TO_POINTER (ESPLASH_SIM_HOSTILE_ENDLESS), test_wire_endless);
  g_test_add_data_func ("/esplash/sim-hostile/wire/endless-frames",
                        GUINT_TO_POINTER (ESPLASH_SIM_HOSTILE_ENDLESS_FRAMES), test_wire_endless);
  g_test_add_func ("/esplash/sim-hostile/wire/after", test_wire_after);
  g_test_add_data_func ("/esplash/sim-hostile/reset/endless", &reset_case, test_core);
  return g_test_run ();
}
