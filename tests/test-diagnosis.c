/* test-diagnosis.c: the diagnosis engine fed from real causes on the
 * simulated chip and the network transport — application mode, another
 * baud, a banner without replies, Secure Download Mode, a silent flash,
 * unplugged, stalled, reset and write-protected mid-write — and a silent
 * TCP endpoint. Host-side causes (held ports, permissions, missing ports) and
 * the pure rules are in test-diagnosis-host.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"
#include "test-device-rig.h"
#include "test-diagnosis-rig.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static void
rom_connect_options (EsplashConnectOptions *options,
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
  rom_connect_options (&co, 2);
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
  rom_connect_options (&co, 1);
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
  rom_connect_options (&co, 2);
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
  rom_connect_options (&co, 2);
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
  rom_connect_options (&co, 1);
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
  rom_connect_options (&co, 2);
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
  rom_connect_options (&co, 2);
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
  rom_connect_options (&co, 2);
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
  rom_connect_options (&co, 2);
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
  so.boot_mode = ESPLASH_SIM_BOOT_DOWNLOAD;
  f = fixture_new (&so);
  rom_connect_options (&co, 2);
  /* put in download mode by hand: nothing may reset it, so nothing ends
   * the stall (a reset would, and the write would resume) */
  co.before = ESPLASH_BEFORE_NO_RESET;
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
  rom_connect_options (&co, 2);
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

/* Someone presses RESET (BOOT released) on a board without the auto-reset
 * circuit once the first block is acknowledged: the chip boots its flash
 * and nothing can take it back into the loader. */
typedef struct {
  EsplashSim *sim;
  gboolean    done;
} ResetPress;

static void
reset_on_progress_cb (const EsplashEvent *event,
                      gpointer            user_data)
{
  ResetPress *press = user_data;

  if (event->kind != ESPLASH_EVENT_PROGRESS || event->stage != ESPLASH_STAGE_WRITING ||
      event->overall_done == 0 || press->done)
    return;
  press->done = TRUE;
  esplash_sim_set_boot_held (press->sim, FALSE);
  esplash_sim_press_reset (press->sim);
}

static void
test_chip_reset_mid_write (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashAttempt) a = NULL;
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(GPtrArray) regions = one_region (0x10000, 0x8000);
  EsplashWriteOptions wo;
  ResetPress press = { 0 };

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  so.boot_mode = ESPLASH_SIM_BOOT_DOWNLOAD;
  so.auto_reset_circuit = FALSE;
  f = fixture_new (&so);
  press.sim = f->sim;
  rom_connect_options (&co, 2);
  co.before = ESPLASH_BEFORE_NO_RESET;
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  esplash_device_set_event_func (f->device, reset_on_progress_cb, &press, NULL);
  esplash_write_options_init (&wo);
  wo.compress = ESPLASH_COMPRESS_NEVER;
  g_assert_false (esplash_flash_write (f->device, regions, &wo, NULL, &error));
  g_assert_true (press.done);
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);

  a = attempt_from (f->device, error);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_CHIP_RESET_MID_WRITE);
  g_assert_nonnull (strstr (d->title, "ESP32 was reset"));
  /* The boot line the chip printed mid-write is quoted, with its cause.
   * A session that tried to connect again (the CHIP_RESET error) may have
   * started its own log afresh: then the error says what happened. */
  if (evidence_has (d, "Boot message while"))
    {
      g_assert_true (evidence_has (d, "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)"));
      g_assert_true (evidence_has (d, "power-on reset"));
      g_assert_true (evidence_has (d, "came back running from flash"));
    }
  else
    {
      g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_CHIP_RESET);
    }
  g_assert_true (steps_have (d, "do not press EN (RST) or BOOT"));
  g_assert_cmpint (d->retry, ==, ESPLASH_RETRY_NORMAL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

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
  g_test_add_func ("/esplash/diagnosis/chip-reset-mid-write", test_chip_reset_mid_write);

  return g_test_run ();
}
