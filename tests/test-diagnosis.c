/* test-diagnosis.c: the diagnosis engine, fed from real causes — the
 * simulated chip in application mode, at another baud, stalled, unplugged,
 * in Secure Download Mode; a silent TCP endpoint; a port held by another
 * process; a port opened by an unprivileged user — and from the boot
 * messages quoted in troubleshooting.md §3 and protocol.md §7.3.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/* posix_openpt() and friends */
#define _XOPEN_SOURCE 600
#define _DEFAULT_SOURCE 1

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "esplash.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

typedef struct {
  EsplashSim       *sim;
  EsplashTransport *transport;
  EsplashDevice    *device;
  gboolean          unplug_on_progress;
} Fixture;

static void
event_cb (const EsplashEvent *event,
          gpointer            user_data)
{
  Fixture *f = user_data;

  /* The cable is pulled once the first block is acknowledged. */
  if (f->unplug_on_progress && event->kind == ESPLASH_EVENT_PROGRESS && event->overall_done > 0)
    {
      f->unplug_on_progress = FALSE;
      esplash_sim_unplug (f->sim);
    }
}

static Fixture *
fixture_new (const EsplashSimOptions *options)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->sim = esplash_sim_new (options);
  f->transport = esplash_sim_transport_new (f->sim);
  f->device = esplash_device_new (f->transport);
  esplash_device_set_event_func (f->device, event_cb, f, NULL);
  return f;
}

static void
fixture_free (Fixture *f)
{
  esplash_device_close (f->device);
  g_object_unref (f->device);
  g_object_unref (f->transport);
  g_object_unref (f->sim);
  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

static void
connect_options (EsplashConnectOptions *options,
                 guint                  attempts)
{
  esplash_connect_options_init (options);
  options->no_stub = TRUE;
  options->connect_attempts = attempts;
}

/* The record of a failed step on @device, as the app and CLI build it. */
static EsplashAttempt *
attempt_from (EsplashDevice *device,
              const GError  *error)
{
  EsplashAttempt *a = esplash_attempt_new (NULL);

  esplash_attempt_set_device (a, device);
  esplash_attempt_set_error (a, error);
  return a;
}

static gboolean
evidence_has (const EsplashDiagnosis *d,
              const char             *needle)
{
  for (guint i = 0; i < d->evidence->len; i++)
    if (strstr (g_ptr_array_index (d->evidence, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
steps_have (const EsplashDiagnosis *d,
            const char             *needle)
{
  for (guint i = 0; i < d->steps->len; i++)
    {
      const EsplashDiagnosisStep *s = g_ptr_array_index (d->steps, i);

      if (strstr (s->text, needle) != NULL || (s->command != NULL && strstr (s->command, needle) != NULL))
        return TRUE;
    }
  return FALSE;
}

static void
print_diagnosis (const EsplashDiagnosis *d)
{
  g_autofree char *text = esplash_diagnosis_to_string (d);

  g_test_message ("%s", text);
}

/* ------------------------------------------------------------------ */
/* Boot messages (samples quoted in troubleshooting.md §3, protocol.md §7.3) */

static EsplashBootKind
parse_kind (const char          *text,
            EsplashBootMessage  *msg)
{
  g_assert_true (esplash_boot_message_parse ((const guint8 *) text, strlen (text), msg));
  return msg->kind;
}

static gboolean
strv_has (GStrv       lines,
          const char *needle)
{
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_boot_messages (void)
{
  EsplashBootMessage m;
  g_auto(GStrv) esp32 = NULL;
  g_auto(GStrv) c3 = NULL;
  g_auto(GStrv) c3_bad = NULL;
  g_auto(GStrv) s3 = NULL;
  g_auto(GStrv) mtdi = NULL;
  g_auto(GStrv) e8266 = NULL;

  /* ESP32 normal boot, 0x13: GPIO0 (0x10) high, GPIO2 (0x08) low. */
  g_assert_cmpint (parse_kind ("ets Jun  8 2016 00:22:57\r\n\r\n"
                               "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n", &m),
                   ==, ESPLASH_BOOT_KIND_FLASH);
  g_assert_cmpint (m.chip, ==, ESPLASH_CHIP_ESP32);
  g_assert_cmpint (m.value, ==, 0x13);
  g_assert_cmpstr (m.line, ==, "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)");
  esp32 = esplash_boot_strap_explain (ESPLASH_CHIP_UNKNOWN, &m);
  g_assert_true (strv_has (esp32, "GPIO0 (BOOT) was high"));
  g_assert_false (strv_has (esp32, "GPIO2"));
  g_assert_false (strv_has (esp32, "MTDI"));
  esplash_boot_message_clear (&m);

  g_assert_cmpint (parse_kind ("rst:0x1 (POWERON_RESET),boot:0x3 "
                               "(DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\n"
                               "waiting for download\r\n", &m), ==, ESPLASH_BOOT_KIND_DOWNLOAD);
  g_assert_cmpstr (m.mode_name, ==, "DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2)");
  esplash_boot_message_clear (&m);

  /* ESP32 0x33: MTDI (0x20) high selects the 1.8 V flash supply. */
  parse_kind ("rst:0x1 (POWERON_RESET),boot:0x33 (SPI_FAST_FLASH_BOOT)", &m);
  mtdi = esplash_boot_strap_explain (ESPLASH_CHIP_ESP32, &m);
  g_assert_true (strv_has (mtdi, "1.8 V"));
  esplash_boot_message_clear (&m);

  /* ESP32-S3 download, 0x22: bit 0x08 (GPIO0) clear; family from the banner. */
  g_assert_cmpint (parse_kind ("ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\n"
                               "rst:0x1 (POWERON),boot:0x22 (DOWNLOAD(USB/UART0))\r\n"
                               "waiting for download\r\n", &m), ==, ESPLASH_BOOT_KIND_DOWNLOAD);
  g_assert_cmpint (m.chip, ==, ESPLASH_CHIP_ESP32S3);
  s3 = esplash_boot_strap_explain (ESPLASH_CHIP_UNKNOWN, &m);
  g_assert_true (strv_has (s3, "GPIO0 (BOOT) was low"));
  esplash_boot_message_clear (&m);

  /* ESP32-C3 normal boot 0x8: GPIO9 high, GPIO8 low (only 0x08 set) — and
   * GPIO8 must be high for download. */
  g_assert_cmpint (parse_kind ("ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\n"
                               "rst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n"
                               "SPIWP:0xee\r\nmode:DIO, clock div:2\r\n", &m),
                   ==, ESPLASH_BOOT_KIND_FLASH);
  g_assert_cmpint (m.chip, ==, ESPLASH_CHIP_ESP32C3);
  c3 = esplash_boot_strap_explain (ESPLASH_CHIP_UNKNOWN, &m);
  g_assert_true (strv_has (c3, "GPIO9 (BOOT) was high"));
  g_assert_true (strv_has (c3, "GPIO8 was low"));
  esplash_boot_message_clear (&m);

  /* C3 0x1 SPI_DOWNLOAD_BOOT: both straps low, an invalid combination (S9). */
  g_assert_cmpint (parse_kind ("rst:0x1 (POWERON),boot:0x1 (SPI_DOWNLOAD_BOOT)\r\n"
                               "wait spi download\r\n", &m), ==, ESPLASH_BOOT_KIND_OTHER);
  c3_bad = esplash_boot_strap_explain (ESPLASH_CHIP_ESP32C3, &m);
  g_assert_true (strv_has (c3_bad, "GPIO9 (BOOT) was low"));
  g_assert_true (strv_has (c3_bad, "GPIO8 was low: download mode needs it high"));
  esplash_boot_message_clear (&m);

  /* ESP8266 at 74880: (3,6) flash, (1,7) download; the last message wins. */
  g_assert_cmpint (parse_kind (" ets Jan  8 2013,rst cause:2, boot mode:(1,7)\r\n\r\n"
                               " ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n", &m),
                   ==, ESPLASH_BOOT_KIND_FLASH);
  g_assert_cmpint (m.chip, ==, ESPLASH_CHIP_ESP8266);
  g_assert_true (m.esp8266_format);
  e8266 = esplash_boot_strap_explain (ESPLASH_CHIP_UNKNOWN, &m);
  g_assert_true (strv_has (e8266, "GPIO0 was high"));
  esplash_boot_message_clear (&m);
  g_assert_cmpint (parse_kind ("ets Jan  8 2013,rst cause:1, boot mode:(1,7)", &m),
                   ==, ESPLASH_BOOT_KIND_DOWNLOAD);
  esplash_boot_message_clear (&m);

  g_assert_false (esplash_boot_message_parse ((const guint8 *) "hello\r\n", 7, &m));
  esplash_boot_message_clear (&m);
}

static void
test_printable_ratio (void)
{
  const guint8 noise[] = { 0x00, 0x8F, 0xFE, 0x13, 'a', 0x99, 0x80, 'b' };

  g_assert_cmpfloat (esplash_printable_ratio ((const guint8 *) "ets Jun\r\n", 9), ==, 1.0);
  g_assert_cmpfloat (esplash_printable_ratio (noise, sizeof noise), ==, 0.25);
  g_assert_cmpfloat (esplash_printable_ratio (NULL, 0), ==, 1.0);
}

/* ------------------------------------------------------------------ */
/* The chip left in application mode                                   */

typedef struct {
  EsplashSim *sim;
  gint        stop;
} Tapper;

/* The user taps RESET (without BOOT) now and then while Esplash connects. */
static gpointer
tap_reset_thread (gpointer data)
{
  Tapper *t = data;

  while (!g_atomic_int_get (&t->stop))
    {
      g_usleep (130 * 1000);
      esplash_sim_press_reset (t->sim);
    }
  return NULL;
}

static void
load_app (EsplashSim        *sim,
          EsplashChipFamily  family)
{
  /* The ROM only looks for the image magic at the boot-loader offset. */
  static const guint8 header[16] = { 0xE9, 0x03, 0x02, 0x20, 0x00, 0x00, 0x08, 0x40 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (header, sizeof header);

  esplash_sim_load_flash (sim, esplash_chip_get (family)->bootloader_offset, bytes);
}

static void
test_normal_boot (gconstpointer data)
{
  EsplashChipFamily family = GPOINTER_TO_INT (data);
  const EsplashChipInfo *chip = esplash_chip_get (family);
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashAttempt) a = NULL;
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autofree char *pin_high = g_strdup_printf ("%s (BOOT) was high", chip->boot_pin);
  g_autofree char *hold = g_strdup_printf ("hold BOOT (%s)", chip->boot_pin);
  Tapper tapper = { 0 };
  GThread *thread;

  /* A board without the DTR/RTS circuit, running its application. */
  esplash_sim_options_init (&so, family);
  so.boot_mode = ESPLASH_SIM_BOOT_FLASH;
  so.auto_reset_circuit = FALSE;
  f = fixture_new (&so);
  load_app (f->sim, family);
  esplash_sim_power_cycle (f->sim);
  g_assert_cmpint (esplash_sim_get_state (f->sim), ==, ESPLASH_SIM_STATE_APP);

  tapper.sim = f->sim;
  thread = g_thread_new ("tap-reset", tap_reset_thread, &tapper);
  connect_options (&co, 2);
  g_assert_false (esplash_device_connect (f->device, &co, NULL, &error));
  g_atomic_int_set (&tapper.stop, TRUE);
  g_thread_join (thread);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NO_SYNC);

  a = attempt_from (f->device, error);
  g_assert_cmpuint (a->resets_run, ==, 2);
  g_assert_cmpuint (a->sync_replies, ==, 0);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_nonnull (d);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_NORMAL_BOOT);
  /* The family came from the banner; the strap evidence from the boot line. */
  g_assert_cmpint (d->chip, ==, family);
  g_assert_true (evidence_has (d, family == ESPLASH_CHIP_ESP32 ? "boot:0x13 (SPI_FAST_FLASH_BOOT)"
                                                              : "boot:0x8 (SPI_FAST_FLASH_BOOT)"));
  g_assert_true (evidence_has (d, pin_high));
  g_assert_true (evidence_has (d, "reset the chip 2 times"));
  g_assert_true (steps_have (d, "Press and hold BOOT"));
  g_assert_true (steps_have (d, chip->boot_pin));
  g_assert_true (steps_have (d, "EN"));
  g_assert_cmpint (d->retry, ==, ESPLASH_RETRY_NO_RESET);
  (void) hold;
}

/* Without a tap there is no boot line, only the application's output. */
static void
test_normal_boot_app_output (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashAttempt) a = NULL;
  g_autoptr(EsplashDiagnosis) d = NULL;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  so.boot_mode = ESPLASH_SIM_BOOT_FLASH;
  so.auto_reset_circuit = FALSE;
  f = fixture_new (&so);
  load_app (f->sim, ESPLASH_CHIP_ESP32);
  esplash_sim_power_cycle (f->sim);
  connect_options (&co, 1);
  g_assert_false (esplash_device_connect (f->device, &co, NULL, &error));

  a = attempt_from (f->device, error);
  d = esplash_diagnose (a, ESPLASH_CHIP_ESP32);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_NORMAL_BOOT);
  g_assert_true (evidence_has (d, "esplash-sim-app: running image"));
  g_assert_true (steps_have (d, "BOOT (GPIO0)"));
}

/* ------------------------------------------------------------------ */
/* A TCP endpoint that says nothing (or only a download banner)        */

typedef struct {
  GSocketListener *listener;
  GCancellable    *cancel;
  guint16          port;
  const char      *say;     /* repeated every 100 ms; NULL = silent */
  GThread         *thread;
} Server;

static gpointer
server_thread (gpointer data)
{
  Server *s = data;
  g_autoptr(GSocketConnection) conn = g_socket_listener_accept (s->listener, NULL, s->cancel, NULL);
  GOutputStream *out;

  if (conn == NULL)
    return NULL;
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  while (!g_cancellable_is_cancelled (s->cancel))
    {
      if (s->say != NULL &&
          !g_output_stream_write_all (out, s->say, strlen (s->say), NULL, s->cancel, NULL))
        break;
      g_usleep (100 * 1000);
    }
  return NULL;
}

static Server *
server_start (const char *say)
{
  Server *s = g_new0 (Server, 1);
  g_autoptr(GError) error = NULL;

  s->listener = g_socket_listener_new ();
  s->cancel = g_cancellable_new ();
  s->say = say;
  s->port = g_socket_listener_add_any_inet_port (s->listener, NULL, &error);
  g_assert_no_error (error);
  s->thread = g_thread_new ("server", server_thread, s);
  return s;
}

static void
server_stop (Server *s)
{
  g_cancellable_cancel (s->cancel);
  g_socket_listener_close (s->listener);
  g_thread_join (s->thread);
  g_object_unref (s->listener);
  g_object_unref (s->cancel);
  g_free (s);
}

static EsplashDiagnosis *
diagnose_tcp (Server          *server,
              EsplashAttempt **out_attempt)
{
  g_autofree char *url = g_strdup_printf ("socket://127.0.0.1:%u", server->port);
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) transport = esplash_transport_open (url, &error);
  g_autoptr(EsplashDevice) device = NULL;
  EsplashConnectOptions co;
  EsplashAttempt *a;

  g_assert_no_error (error);
  device = esplash_device_new (transport);
  connect_options (&co, 2);
  g_assert_false (esplash_device_connect (device, &co, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NO_SYNC);
  a = esplash_attempt_new (url);
  esplash_attempt_set_device (a, device);
  esplash_attempt_set_error (a, error);
  esplash_device_close (device);
  *out_attempt = a;
  return esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
}

static void
test_silent_line (void)
{
  Server *server = server_start (NULL);
  g_autoptr(EsplashAttempt) a = NULL;
  g_autoptr(EsplashDiagnosis) d = diagnose_tcp (server, &a);

  server_stop (server);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_SILENT_LINE);
  g_assert_cmpuint (a->rx_bytes, ==, 0);
  g_assert_false (a->has_lines);
  g_assert_true (a->network);
  /* A raw TCP port cannot reset the chip: manual entry, then no reset. */
  g_assert_nonnull (strstr (d->explanation, "no DTR/RTS"));
  g_assert_true (evidence_has (d, "0 bytes received"));
  g_assert_true (steps_have (d, "Press and hold BOOT"));
  g_assert_cmpint (d->retry, ==, ESPLASH_RETRY_NO_RESET);
}

static void
test_banner_without_replies_tcp (void)
{
  Server *server = server_start ("ets Jun  8 2016 00:22:57\r\n\r\n"
                                 "rst:0x1 (POWERON_RESET),boot:0x3 "
                                 "(DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\n"
                                 "waiting for download\r\n");
  g_autoptr(EsplashAttempt) a = NULL;
  g_autoptr(EsplashDiagnosis) d = diagnose_tcp (server, &a);

  server_stop (server);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_NO_SYNC_REPLY);
  g_assert_cmpint (d->chip, ==, ESPLASH_CHIP_ESP32);
  g_assert_true (evidence_has (d, "boot:0x3 (DOWNLOAD_BOOT"));
  g_assert_true (evidence_has (d, "GPIO0 (BOOT) was low"));
  g_assert_true (steps_have (d, "TX"));
}

/* ------------------------------------------------------------------ */
/* The simulator: no sync reply, wrong baud, SDM, flash id             */

static void
test_no_sync_reply (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashAttempt) a = NULL;
  g_autoptr(EsplashDiagnosis) d = NULL;

  /* The chip reaches download mode and prints its banner, but nothing the
   * host sends gets through: it never answers. */
  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  so.faults = ESPLASH_SIM_FAULT_STALL;
  so.fault_after = 0;
  f = fixture_new (&so);
  connect_options (&co, 2);
  g_assert_false (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NO_SYNC);

  a = attempt_from (f->device, error);
  g_assert_true (a->download_banner);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_NO_SYNC_REPLY);
  g_assert_true (evidence_has (d, "waiting for download"));
  g_assert_true (evidence_has (d, "0 SYNC replies"));
  g_assert_true (steps_have (d, "adapter's TX to the chip's RX"));
}

static void
test_wrong_baud (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) probe_error = NULL;
  g_autoptr(EsplashAttempt) a = NULL;
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(EsplashDiagnosis) d2 = NULL;

  /* An ESP8266 with a 26 MHz crystal and nothing valid in flash keeps
   * printing at 74880 baud; the host listens at 115200. */
  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP8266);
  so.boot_mode = ESPLASH_SIM_BOOT_FLASH;
  so.auto_reset_circuit = FALSE;
  f = fixture_new (&so);
  g_assert_cmpuint (esplash_sim_get_baud (f->sim), ==, 74880);
  connect_options (&co, 1);
  g_assert_false (esplash_device_connect (f->device, &co, NULL, &error));

  a = attempt_from (f->device, error);
  g_assert_cmpuint (a->rx_bytes, >, 0);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_WRONG_BAUD);
  g_assert_cmpuint (d->suggested_baud, ==, 74880);
  g_assert_true (evidence_has (d, "printable"));

  /* A second look at the suggested rate reads the text. */
  g_assert_true (esplash_attempt_probe_baud (a, f->transport, d->suggested_baud, 600, NULL,
                                             &probe_error));
  g_assert_no_error (probe_error);
  g_assert_cmpuint (esplash_transport_get_baud (f->transport), ==, 115200);
  d2 = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d2);
  g_assert_cmpstr (d2->id, ==, ESPLASH_DIAGNOSIS_WRONG_BAUD);
  g_assert_true (evidence_has (d2, "At 74880 baud the chip printed: invalid header: 0xffffffff"));
}

static void
test_secure_download_mode (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashAttempt) a = NULL;
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(GBytes) data = NULL;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32S3);
  so.secure_download_mode = TRUE;
  f = fixture_new (&so);
  connect_options (&co, 2);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  data = esplash_flash_read (f->device, 0, 0x1000, NULL, &error);
  g_assert_null (data);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED);

  a = attempt_from (f->device, error);
  g_assert_true (a->secure_download_mode);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_SECURE_DOWNLOAD_MODE);
  g_assert_cmpint (d->chip, ==, ESPLASH_CHIP_ESP32S3);
  g_assert_nonnull (strstr (d->explanation, "Not possible: the flasher stub, reading flash"));
  g_assert_nonnull (strstr (d->explanation, "Still possible: writing flash"));
  g_assert_true (evidence_has (d, "Security flags"));
  g_assert_cmpint (d->retry, ==, ESPLASH_RETRY_NONE);
}

static GPtrArray *
one_region (guint32 address,
            gsize   size)
{
  GPtrArray *regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  guint8 *data = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + 3);
  bytes = g_bytes_new_take (data, size);
  g_ptr_array_add (regions, esplash_flash_region_new (address, bytes, "app.bin"));
  return regions;
}

static void
test_flash_not_connected (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashAttempt) a = NULL;
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(GPtrArray) regions = one_region (0x10000, 0x1000);
  EsplashWriteOptions wo;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  so.flash_id = 0xFFFFFF;
  f = fixture_new (&so);
  connect_options (&co, 2);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  esplash_write_options_init (&wo);
  /* Whether or not the write itself fails, the flash id gives it away. */
  esplash_flash_write (f->device, regions, &wo, NULL, &error);

  a = attempt_from (f->device, error);
  g_assert_true (a->flash_id_known);
  g_assert_cmphex (a->flash_id, ==, 0xFFFFFF);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_FLASH_NOT_CONNECTED);
  g_assert_true (evidence_has (d, "Flash ID 0xFFFFFF (all ones)"));
  g_assert_true (steps_have (d, "GPIO12"));
}

/* ------------------------------------------------------------------ */
/* Mid-write: unplugged, stalled, verify mismatch                      */

static void
test_port_gone_mid_write (gconstpointer data)
{
  EsplashConsole console = GPOINTER_TO_INT (data);
  EsplashChipFamily family = console == ESPLASH_CONSOLE_USB_JTAG ? ESPLASH_CHIP_ESP32C3
                                                                 : ESPLASH_CHIP_ESP32;
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashAttempt) a = NULL;
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(EsplashDiagnosis) back = NULL;
  g_autoptr(GPtrArray) regions = one_region (0x10000, 0x4000);
  EsplashWriteOptions wo;

  esplash_sim_options_init (&so, family);
  so.console = console;
  f = fixture_new (&so);
  connect_options (&co, 2);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  esplash_write_options_init (&wo);
  wo.compress = ESPLASH_COMPRESS_NEVER;
  f->unplug_on_progress = TRUE;
  g_assert_false (esplash_flash_write (f->device, regions, &wo, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE);

  a = attempt_from (f->device, error);
  g_assert_cmpint (a->stage, ==, ESPLASH_STAGE_WRITING);
  g_assert_true (a->port_vanished);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d);
  if (console == ESPLASH_CONSOLE_UART)
    {
      g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_PORT_GONE);
      g_assert_nonnull (strstr (d->title, "during writing"));
      g_assert_true (steps_have (d, "cable"));
      return;
    }

  /* The chip's own USB: a vanishing port is expected; once a watcher sees
   * it back under another name, the job reopens it. */
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_USB_REENUMERATING);
  g_assert_true (evidence_has (d, "303a:1001"));
  g_assert_true (steps_have (d, "BOOT (GPIO9)"));
  a->port_reappeared = TRUE;
  a->reappeared_as = g_strdup ("/dev/ttyACM1");
  back = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpint (back->retry, ==, ESPLASH_RETRY_REOPEN);
  g_assert_cmpstr (back->port_path, ==, "/dev/ttyACM1");
}

/* Commands a fault-free chip sees for a ROM connect and the write of
 * @regions, up to and including the first FLASH_DATA. */
static guint
commands_until_first_block (GPtrArray *regions)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  EsplashWriteOptions wo;
  g_autoptr(Fixture) f = NULL;
  g_auto(GStrv) events = NULL;
  guint n = 0;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  f = fixture_new (&so);
  connect_options (&co, 2);
  esplash_write_options_init (&wo);
  wo.compress = ESPLASH_COMPRESS_NEVER;
  g_assert_true (esplash_device_connect (f->device, &co, NULL, NULL));
  g_assert_true (esplash_flash_write (f->device, regions, &wo, NULL, NULL));
  events = esplash_sim_dup_events (f->sim);
  for (guint i = 0; events[i] != NULL; i++)
    if (g_str_has_prefix (events[i], "command "))
      {
        n++;
        if (strcmp (events[i], "command FLASH_DATA") == 0)
          return n;
      }
  g_assert_not_reached ();
}

static void
test_stall_mid_write (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashAttempt) a = NULL;
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(GPtrArray) regions = one_region (0x10000, 0xC00);
  EsplashWriteOptions wo;

  /* The first data block is answered, then the chip goes quiet. */
  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  so.faults = ESPLASH_SIM_FAULT_STALL;
  so.fault_after = commands_until_first_block (regions);
  f = fixture_new (&so);
  connect_options (&co, 2);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  esplash_write_options_init (&wo);
  wo.compress = ESPLASH_COMPRESS_NEVER;
  g_assert_false (esplash_flash_write (f->device, regions, &wo, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "Writing block 1"));

  a = attempt_from (f->device, error);
  g_assert_cmpint (a->stage, ==, ESPLASH_STAGE_WRITING);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_STALL_MID_WRITE);
  g_assert_nonnull (strstr (d->title, "writing"));
  g_assert_cmpint (d->retry, ==, ESPLASH_RETRY_LOWER_BAUD);
  g_assert_cmpuint (d->suggested_baud, ==, 115200);
  g_assert_true (steps_have (d, "lower baud rate"));
}

static void
test_verify_mismatch (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashAttempt) a = NULL;
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(GPtrArray) regions = one_region (0x10000, 0x2000);
  g_autoptr(GBytes) erased = NULL;
  EsplashWriteOptions wo;
  guint8 *ff = g_malloc (0x2000);

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  f = fixture_new (&so);
  connect_options (&co, 2);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  esplash_write_options_init (&wo);
  wo.verify = FALSE;
  g_assert_true (esplash_flash_write (f->device, regions, &wo, NULL, &error));
  /* A write-protected flash keeps its old (erased) content. */
  memset (ff, 0xFF, 0x2000);
  erased = g_bytes_new_take (ff, 0x2000);
  esplash_sim_load_flash (f->sim, 0x10000, erased);
  g_assert_false (esplash_flash_verify (f->device, regions, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_VERIFY_FAILED);

  a = attempt_from (f->device, error);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_VERIFY_MISMATCH);
  g_assert_true (steps_have (d, "write protection"));
  g_assert_true (steps_have (d, "Write the firmware again"));
}

/* ------------------------------------------------------------------ */
/* Ports held by other processes                                       */

/* A child that opens @path (and locks it if asked), then becomes sleep. */
static GPid
spawn_holder (const char *path,
              gboolean    lock)
{
  g_autofree char *sleep_path = g_find_program_in_path ("sleep");
  pid_t pid;

  g_assert_nonnull (sleep_path);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int fd = open (path, O_RDWR | O_NOCTTY | O_NONBLOCK);

      if (fd < 0 || (lock && flock (fd, LOCK_EX | LOCK_NB) != 0))
        _exit (127);
      execl (sleep_path, "sleep", "30", (char *) NULL);
      _exit (127);
    }
  return pid;
}

static void
reap (GPid pid)
{
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
}

/* Waits until the child has exec'd sleep with the file open. */
static GPtrArray *
wait_for_holder (const char *path,
                 GPid        pid)
{
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GPtrArray) holders = esplash_port_find_holders (path);

      for (guint j = 0; j < holders->len; j++)
        {
          EsplashPortHolder *h = g_ptr_array_index (holders, j);

          /* comm changes a moment before the new arguments are in place. */
          if (h->pid == pid && g_strcmp0 (h->name, "sleep") == 0 && h->cmdline != NULL)
            return g_steal_pointer (&holders);
        }
      g_usleep (10 * 1000);
    }
  g_assert_not_reached ();
}

static void
check_busy_diagnosis (const char *path,
                      GPid        pid,
                      GError     *error)
{
  g_autoptr(EsplashAttempt) a = esplash_attempt_new (path);
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autofree char *kill_cmd = g_strdup_printf ("kill %d", pid);
  g_autofree char *held = g_strdup_printf ("sleep (pid %d) has %s open", pid, path);

  a->stage = ESPLASH_STAGE_OPENING;
  esplash_attempt_set_error (a, error);
  esplash_attempt_probe_host (a);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_PORT_BUSY);
  g_assert_true (evidence_has (d, held));
  g_assert_true (steps_have (d, kill_cmd));
  g_assert_cmpint (((EsplashDiagnosisStep *) g_ptr_array_index (d->steps, d->steps->len - 1))->check,
                   ==, ESPLASH_STEP_CHECK_PORT_OPENS);
}

static void
test_port_busy_file_and_pty (void)
{
  g_autofree char *dir = g_dir_make_tmp ("esplash-diag-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "ttyFAKE0", NULL);
  g_autofree char *link = g_build_filename (dir, "by-id-link", NULL);
  g_autoptr(GPtrArray) holders = NULL;
  g_autoptr(GPtrArray) via_link = NULL;
  g_autoptr(GPtrArray) pty_holders = NULL;
  g_autoptr(GError) error = NULL;
  int master;
  const char *pts;
  GPid pid, pty_pid;

  g_assert_true (g_file_set_contents (file, "", 0, NULL));
  g_assert_cmpint (symlink (file, link), ==, 0);
  pid = spawn_holder (file, FALSE);
  holders = wait_for_holder (file, pid);
  g_assert_cmpuint (holders->len, ==, 1);
  /* The udev-style symlink names the same file. */
  via_link = esplash_port_find_holders (link);
  g_assert_cmpuint (via_link->len, ==, 1);
  g_assert_cmpint (((EsplashPortHolder *) g_ptr_array_index (via_link, 0))->pid, ==, pid);
  g_assert_nonnull (strstr (((EsplashPortHolder *) g_ptr_array_index (via_link, 0))->cmdline,
                            "sleep 30"));

  /* libserialport refuses files: the error is the one the serial
   * transport raises for a held port. */
  g_set_error (&error, ESPLASH_ERROR, ESPLASH_ERROR_BUSY,
               "Cannot open %s: another program holds the port", file);
  check_busy_diagnosis (file, pid, error);
  reap (pid);
  g_clear_pointer (&holders, g_ptr_array_unref);
  holders = esplash_port_find_holders (file);
  g_assert_cmpuint (holders->len, ==, 0);

  /* A pseudo-terminal, as a serial monitor would hold it. */
  master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  pts = ptsname (master);
  g_assert_nonnull (pts);
  pty_pid = spawn_holder (pts, FALSE);
  pty_holders = wait_for_holder (pts, pty_pid);
  g_assert_cmpuint (pty_holders->len, ==, 1);
  g_clear_error (&error);
  g_set_error (&error, ESPLASH_ERROR, ESPLASH_ERROR_BUSY,
               "Cannot open %s: another program holds the port", pts);
  check_busy_diagnosis (pts, pty_pid, error);
  reap (pty_pid);
  close (master);

  g_unlink (link);
  g_unlink (file);
  g_rmdir (dir);
}

/* The real chain on a real serial node: another process holds the lock. */
static void
test_port_busy_serial (void)
{
  const char *node = "/dev/ttyS0";
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) probe = NULL;
  g_autoptr(EsplashTransport) transport = NULL;
  g_autoptr(GPtrArray) holders = NULL;
  GPid pid;

  probe = esplash_transport_open (node, &error);
  if (probe == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("%s cannot be opened here: %s", node, error->message);

      g_test_skip (msg);
      return;
    }
  esplash_transport_close (probe);

  pid = spawn_holder (node, TRUE);
  holders = wait_for_holder (node, pid);
  transport = esplash_transport_open (node, &error);
  g_assert_null (transport);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_BUSY);
  check_busy_diagnosis (node, pid, error);
  reap (pid);
}

/* ------------------------------------------------------------------ */
/* Permission denied, as an unprivileged user                          */

/* Runs in the child started through setpriv: open @path the way Esplash
 * does, diagnose the failure there (group membership is this process's),
 * print "errno=N" and the diagnosis as JSON. */
static int
open_helper (const char *path)
{
  g_autoptr(EsplashAttempt) a = esplash_attempt_new (path);
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  a->stage = ESPLASH_STAGE_OPENING;
  if (g_str_has_prefix (path, "/dev/"))
    {
      g_autoptr(EsplashTransport) t = esplash_transport_open (path, &error);

      if (t != NULL)
        {
          g_print ("opened\n");
          return 0;
        }
    }
  else
    {
      int fd = open (path, O_RDWR | O_NOCTTY | O_NONBLOCK);

      if (fd >= 0)
        {
          close (fd);
          g_print ("opened\n");
          return 0;
        }
      a->os_errno = errno;
      g_set_error (&error, ESPLASH_ERROR, ESPLASH_ERROR_PERMISSION_DENIED,
                   "Cannot open %s: %s", path, g_strerror (a->os_errno));
    }
  esplash_attempt_set_error (a, error);
  esplash_attempt_probe_host (a);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  if (d == NULL)
    return 1;
  node = esplash_diagnosis_to_json (d);
  json_generator_set_root (gen, node);
  json = json_generator_to_data (gen, NULL);
  g_print ("errno=%d\n%s\n", a->os_errno, json);
  return 0;
}

static JsonObject *
run_unprivileged (const char *path,
                  int        *child_errno,
                  JsonParser *parser)
{
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                         self, "--open-helper", path, NULL };
  const char *json;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("helper: %s%s", out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_str_has_prefix (out, "errno="));
  *child_errno = (int) g_ascii_strtoll (out + 6, NULL, 10);
  json = strchr (out, '\n');
  g_assert_nonnull (json);
  g_assert_true (json_parser_load_from_data (parser, json + 1, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static gboolean
json_steps_have (JsonObject *o,
                 const char *member,
                 const char *needle)
{
  JsonArray *steps = json_object_get_array_member (o, "steps");

  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonObject *s = json_array_get_object_element (steps, i);

      if (json_object_has_member (s, member) &&
          strstr (json_object_get_string_member (s, member), needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_permission_denied (void)
{
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  struct group *dialout = getgrnam ("dialout");
  JsonObject *o;
  int child_errno = 0;

  if (setpriv == NULL)
    {
      g_test_skip ("setpriv (util-linux) is not installed: cannot open as another user");
      return;
    }
  if (getuid () != 0 || dialout == NULL)
    {
      g_test_skip ("needs root (to switch users) and a “dialout” group");
      return;
    }

  /* A node of group dialout, mode 0660, like /dev/ttyUSB0 on Debian. */
  dir = g_dir_make_tmp ("esplash-perm-XXXXXX", NULL);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  file = g_build_filename (dir, "ttyUSB9", NULL);
  g_assert_true (g_file_set_contents (file, "", 0, NULL));
  g_assert_cmpint (chown (file, 0, dialout->gr_gid), ==, 0);
  g_assert_cmpint (g_chmod (file, 0660), ==, 0);

  o = run_unprivileged (file, &child_errno, parser);
  g_assert_cmpint (child_errno, ==, EACCES);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, ESPLASH_DIAGNOSIS_PERMISSION_DENIED);
  g_assert_true (json_steps_have (o, "command", "sudo usermod -aG dialout $USER"));
  g_assert_true (json_steps_have (o, "text", "Log out and in"));
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (o, "steps"), 1),
                     "check"), ==, "port-opens");

  g_unlink (file);
  g_rmdir (dir);
}

/* The whole chain on a real root-only serial node (mode 0600). */
static void
test_permission_denied_serial (void)
{
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(EsplashTransport) probe = NULL;
  g_autoptr(GError) error = NULL;
  const char *node = "/dev/ttyS0";
  GStatBuf st;
  JsonObject *o;
  int child_errno = 0;

  if (setpriv == NULL || getuid () != 0 || g_stat (node, &st) != 0 || (st.st_mode & 0006) != 0)
    {
      g_test_skip ("needs setpriv, root and a serial node that others may not open");
      return;
    }
  probe = esplash_transport_open (node, &error);
  if (probe == NULL)
    {
      g_test_skip ("libserialport does not accept /dev/ttyS0 here");
      return;
    }
  esplash_transport_close (probe);

  o = run_unprivileged (node, &child_errno, parser);
  g_assert_cmpint (child_errno, ==, EACCES);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, ESPLASH_DIAGNOSIS_PERMISSION_DENIED);
  if (st.st_gid == 0 || (st.st_mode & 0060) != 0060)
    g_assert_true (json_steps_have (o, "command", "sudo chgrp dialout /dev/ttyS0"));
  g_assert_true (json_steps_have (o, "command", "sudo usermod -aG dialout $USER"));
}

/* ------------------------------------------------------------------ */
/* No port; pure rules on hand-made observations                       */

static void
test_no_port (void)
{
  const char *path = "/dev/ttyUSB-esplash-missing";
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = esplash_transport_open (path, &error);
  g_autoptr(EsplashAttempt) a = esplash_attempt_new (path);
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(EsplashDiagnosis) brltty = NULL;
  g_autoptr(EsplashDiagnosis) driver = NULL;
  guint32 ch340 = 0x1A867523;

  g_assert_null (t);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND);
  a->stage = ESPLASH_STAGE_OPENING;
  esplash_attempt_set_error (a, error);
  esplash_attempt_probe_host (a);
  g_assert_cmpint (a->os_errno, ==, ENOENT);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_NO_PORT);
  g_assert_true (evidence_has (d, "/dev/ttyUSB-esplash-missing does not exist"));
  g_assert_cmpint (((EsplashDiagnosisStep *) g_ptr_array_index (d->steps, 0))->check,
                   ==, ESPLASH_STEP_CHECK_PORT_PRESENT);

  /* A CH340 on the bus without a tty while brltty runs (S2), then without brltty. */
  g_clear_pointer (&a->ports, g_ptr_array_unref);
  a->ports = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_port_info_free);
  g_clear_pointer (&a->usb_ids, g_array_unref);
  a->usb_ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_array_append_val (a->usb_ids, ch340);
  a->os = ESPLASH_HOST_OS_LINUX;
  a->brltty_pid = 4242;
  brltty = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (brltty->id, ==, ESPLASH_DIAGNOSIS_NO_PORT);
  g_assert_true (steps_have (brltty, "systemctl mask brltty-udev.service"));
  g_assert_true (evidence_has (brltty, "1a86:7523"));
  a->brltty_pid = 0;
  driver = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_true (steps_have (driver, "sudo modprobe ch341"));
}

static void
test_pure_rules (void)
{
  g_autoptr(EsplashAttempt) a = esplash_attempt_new ("/dev/ttyUSB0");
  g_autoptr(EsplashAttempt) copy = NULL;
  g_autoptr(EsplashDiagnosis) none = NULL;
  g_autoptr(EsplashDiagnosis) win = NULL;
  g_autoptr(EsplashDiagnosis) listed = NULL;
  g_autoptr(EsplashDiagnosis) crash = NULL;
  g_autoptr(EsplashDiagnosis) copied = NULL;
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  g_autoptr(GError) denied = g_error_new_literal (ESPLASH_ERROR, ESPLASH_ERROR_PERMISSION_DENIED,
                                                  "Cannot open /dev/ttyUSB0: permission denied");
  g_autoptr(GError) nosync = g_error_new_literal (ESPLASH_ERROR, ESPLASH_ERROR_NO_SYNC,
                                                  "Failed to connect");
  static const char panic[] = "Guru Meditation Error: Core  1 panic'ed (LoadProhibited).\r\n";

  /* Nothing failed, or the user cancelled: nothing to say. */
  none = esplash_diagnose (a, ESPLASH_CHIP_ESP32);
  g_assert_null (none);
  esplash_attempt_set_error (a, cancelled);
  g_assert_null (esplash_diagnose (a, ESPLASH_CHIP_ESP32));

  /* Windows says "Access is denied" for a port another program holds (S3). */
  esplash_attempt_set_error (a, denied);
  a->os = ESPLASH_HOST_OS_WINDOWS;
  win = esplash_diagnose (a, ESPLASH_CHIP_ESP32);
  g_assert_cmpstr (win->id, ==, ESPLASH_DIAGNOSIS_PORT_BUSY);

  /* Linux, the group already lists the user but the session predates it. */
  a->os = ESPLASH_HOST_OS_LINUX;
  a->node_probed = a->node_exists = TRUE;
  a->node_mode = 0660;
  a->node_gid = 987;
  a->node_group = g_strdup ("uucp");
  a->user_name = g_strdup ("ada");
  a->user_listed_in_group = TRUE;
  listed = esplash_diagnose (a, ESPLASH_CHIP_ESP32);
  g_assert_cmpstr (listed->id, ==, ESPLASH_DIAGNOSIS_PERMISSION_DENIED);
  g_assert_false (steps_have (listed, "usermod"));
  g_assert_true (steps_have (listed, "Log out and in"));
  g_assert_true (evidence_has (listed, "already lists ada in “uucp”"));

  /* An application panicking instead of entering the loader. */
  a->os_errno = 0;
  esplash_attempt_set_error (a, nosync);
  a->line_text = g_bytes_new_static (panic, sizeof panic - 1);
  a->rx_bytes = sizeof panic - 1;
  crash = esplash_diagnose (a, ESPLASH_CHIP_ESP32);
  g_assert_cmpstr (crash->id, ==, ESPLASH_DIAGNOSIS_APP_CRASH);
  g_assert_true (evidence_has (crash, "Guru Meditation Error: Core  1 panic'ed"));

  copy = esplash_attempt_copy (a);
  copied = esplash_diagnose (copy, ESPLASH_CHIP_ESP32);
  g_assert_cmpstr (copied->id, ==, crash->id);
}

static void
test_step_check (void)
{
  g_autoptr(EsplashAttempt) a = esplash_attempt_new ("socket://127.0.0.1:1");
  g_autoptr(GError) nosync = g_error_new_literal (ESPLASH_ERROR, ESPLASH_ERROR_NO_SYNC, "x");
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(EsplashDiagnosis) copy = NULL;
  g_autoptr(JsonNode) json = NULL;
  EsplashObservation obs = { 0 };
  EsplashDiagnosisStep port_step = { (char *) "p", NULL, ESPLASH_STEP_CHECK_PORT_PRESENT };
  EsplashDiagnosisStep none_step = { (char *) "n", NULL, ESPLASH_STEP_CHECK_NONE };
  guint n;

  esplash_attempt_set_error (a, nosync);
  a->chip = ESPLASH_CHIP_ESP32;
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_SILENT_LINE);
  n = d->steps->len;
  g_assert_cmpuint (n, >=, 4);

  g_assert_false (esplash_diagnosis_step_check (&port_step, &obs));
  obs.port_opens = TRUE;   /* an open port is a present port */
  g_assert_true (esplash_diagnosis_step_check (&port_step, &obs));
  g_assert_false (esplash_diagnosis_step_check (&none_step, &obs));

  memset (&obs, 0, sizeof obs);
  g_assert_cmpuint (esplash_diagnosis_first_open_step (d, &obs), ==, 0);
  /* The banner means BOOT was held and EN tapped: the steps before it are done. */
  obs.banner_seen = TRUE;
  g_assert_cmpuint (esplash_diagnosis_first_open_step (d, &obs), ==, 3);
  obs.sync_reply = TRUE;
  g_assert_cmpuint (esplash_diagnosis_first_open_step (d, &obs), ==, 4);

  copy = esplash_diagnosis_copy (d);
  g_assert_cmpuint (copy->steps->len, ==, n);
  json = esplash_diagnosis_to_json (copy);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "id"), ==,
                   ESPLASH_DIAGNOSIS_SILENT_LINE);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "retry"), ==,
                   "no-reset");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "chip"), ==,
                   "esp32");
}

int
main (int    argc,
      char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--open-helper") == 0)
    return open_helper (argv[2]);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/diagnosis/boot-message/decode", test_boot_messages);
  g_test_add_func ("/esplash/diagnosis/printable-ratio", test_printable_ratio);
  g_test_add_func ("/esplash/diagnosis/rules/pure", test_pure_rules);
  g_test_add_func ("/esplash/diagnosis/step-check", test_step_check);
  g_test_add_data_func ("/esplash/diagnosis/normal-boot/esp32", GINT_TO_POINTER (ESPLASH_CHIP_ESP32),
                        test_normal_boot);
  g_test_add_data_func ("/esplash/diagnosis/normal-boot/esp32c3",
                        GINT_TO_POINTER (ESPLASH_CHIP_ESP32C3), test_normal_boot);
  g_test_add_func ("/esplash/diagnosis/normal-boot/app-output", test_normal_boot_app_output);
  g_test_add_func ("/esplash/diagnosis/silent-line/tcp", test_silent_line);
  g_test_add_func ("/esplash/diagnosis/no-sync-reply/sim", test_no_sync_reply);
  g_test_add_func ("/esplash/diagnosis/no-sync-reply/tcp-banner", test_banner_without_replies_tcp);
  g_test_add_func ("/esplash/diagnosis/wrong-baud/esp8266", test_wrong_baud);
  g_test_add_func ("/esplash/diagnosis/secure-download-mode", test_secure_download_mode);
  g_test_add_func ("/esplash/diagnosis/flash-not-connected", test_flash_not_connected);
  g_test_add_data_func ("/esplash/diagnosis/port-gone/uart", GINT_TO_POINTER (ESPLASH_CONSOLE_UART),
                        test_port_gone_mid_write);
  g_test_add_data_func ("/esplash/diagnosis/port-gone/usb-jtag",
                        GINT_TO_POINTER (ESPLASH_CONSOLE_USB_JTAG), test_port_gone_mid_write);
  g_test_add_func ("/esplash/diagnosis/stall-mid-write", test_stall_mid_write);
  g_test_add_func ("/esplash/diagnosis/verify-mismatch", test_verify_mismatch);
  g_test_add_func ("/esplash/diagnosis/port-busy/file-and-pty", test_port_busy_file_and_pty);
  g_test_add_func ("/esplash/diagnosis/port-busy/serial", test_port_busy_serial);
  g_test_add_func ("/esplash/diagnosis/permission-denied/file", test_permission_denied);
  g_test_add_func ("/esplash/diagnosis/permission-denied/serial", test_permission_denied_serial);
  g_test_add_func ("/esplash/diagnosis/no-port", test_no_port);

  return g_test_run ();
}
