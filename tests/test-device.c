/* test-device.c: the device session against the in-process simulator:
 * connect, detect, describe, stub upload, status layouts, leave.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"
#include "esplash-transport-private.h"
#include "test-device-rig.h"

#include <glib/gstdio.h>

/* Families the simulator models, with the crystal esptool reports for them
 * (protocol.md §6.5: ESP8266 26 MHz by default, H2 fixed 32, others 40). */
typedef struct {
  EsplashChipFamily family;
  guint             crystal_mhz;
} ChipCase;

static const ChipCase chips[] = {
  { ESPLASH_CHIP_ESP8266, 26 },
  { ESPLASH_CHIP_ESP32, 40 },
  { ESPLASH_CHIP_ESP32S2, 40 },
  { ESPLASH_CHIP_ESP32S3, 40 },
  { ESPLASH_CHIP_ESP32C3, 40 },
  { ESPLASH_CHIP_ESP32C6, 40 },
  { ESPLASH_CHIP_ESP32H2, 32 },
};

static void
sim_options (EsplashSimOptions *options,
             EsplashChipFamily  family)
{
  esplash_sim_options_init (options, family);
  /* Explicit identity, so the test compares against its own values. */
  options->mac[0] = 0x24;
  options->mac[1] = 0x6F;
  options->mac[2] = 0x28;
  options->mac[3] = 0xA1;
  options->mac[4] = 0xB2;
  options->mac[5] = (guint8) family;
  options->flash_id = 0x1640EF;      /* Winbond, 4 MB (capacity 0x16) */
}

static void
test_connect_describe (gconstpointer data)
{
  const ChipCase *c = data;
  gboolean stub = strstr (g_test_get_path (), "/stub") != NULL;
  EsplashSimOptions so;
  EsplashConnectOptions co;
  EsplashChipDescription d;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  sim_options (&so, c->family);
  f = fixture_new (&so);
  connect_options (&co, stub);

  ok = esplash_device_connect (f->device, &co, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (esplash_device_is_connected (f->device));
  g_assert_cmpint (esplash_device_get_chip (f->device)->family, ==, c->family);
  g_assert_cmpuint (esplash_device_get_revision (f->device), ==, so.revision);
  g_assert_cmpint (esplash_device_is_stub (f->device), ==, stub);
  g_assert_cmpint (esplash_sim_get_state (f->sim), ==,
                   stub ? ESPLASH_SIM_STATE_STUB : ESPLASH_SIM_STATE_ROM_LOADER);

  ok = esplash_device_describe (f->device, &d, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (d.chip->family, ==, c->family);
  g_assert_cmpuint (d.revision, ==, so.revision);
  g_assert_cmpmem (d.mac, 6, so.mac, 6);
  g_assert_cmphex (d.flash_id, ==, so.flash_id);
  g_assert_cmpuint (d.flash_size, ==, 4 * 1024 * 1024);
  g_assert_cmpuint (d.crystal_mhz, ==, c->crystal_mhz);
  g_assert_cmpint (d.stub_running, ==, stub);
  g_assert_false (d.secure_download_mode);
  g_assert_cmpint (d.console, ==, ESPLASH_CONSOLE_UART);
  /* Security info exists from the S2 on; only S3 and later carry the chip id. */
  g_assert_cmpint (d.security.valid, ==, d.chip->has_security_info);
  if (d.security.valid && d.chip->security_info_len == 20)
    g_assert_cmpuint (d.security.chip_id, ==, (guint) d.chip->image_chip_id);

  /* The ROM printed its banner while we reset it into download mode. */
  if (c->family != ESPLASH_CHIP_ESP8266)
    {
      gboolean download = FALSE;

      g_assert_cmpint (esplash_device_get_boot_mode (f->device, &download), >=, 0);
      g_assert_true (download);
    }
  g_assert_true (logs_contain (f, "Chip is "));
  if (stub)
    g_assert_true (logs_contain (f, "Stub running..."));
}

/* The "Only got 2 byte status response" trap: one session reads 4-byte ROM
 * statuses, uploads the stub, then reads 2-byte stub statuses. */
static void
test_status_layouts (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  EsplashChipDescription d;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  guint32 magic = 0;
  guint rom4, stub_at = G_MAXUINT;

  sim_options (&so, ESPLASH_CHIP_ESP32S3);
  f = fixture_new (&so);
  connect_options (&co, TRUE);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (esplash_device_is_stub (f->device));

  /* Every reply before the greeting had the ROM's 4 status bytes. */
  for (guint i = 0; i < f->logs->len; i++)
    if (g_str_equal (g_ptr_array_index (f->logs, i), "Stub running..."))
      stub_at = i;
  g_assert_cmpuint (stub_at, <, f->logs->len);
  for (guint i = 0; i < stub_at; i++)
    g_assert_false (g_str_has_suffix (g_ptr_array_index (f->logs, i), ", 2 status bytes"));
  g_assert_cmpuint (f->status4, >, 0);
  rom4 = f->status4;

  g_assert_true (esplash_device_describe (f->device, &d, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (esplash_device_read_reg (f->device, ESPLASH_CHIP_DETECT_MAGIC_REG, &magic,
                                          NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->status2, >, 3);
  g_assert_cmpuint (f->status4, ==, rom4);
  g_assert_cmphex (d.flash_id, ==, so.flash_id);
  g_assert_cmpint (esplash_sim_get_state (f->sim), ==, ESPLASH_SIM_STATE_STUB);
}

/* A second connect() on a connected session must not sync again. */
static void
test_connect_twice (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  guint syncs, resets;

  sim_options (&so, ESPLASH_CHIP_ESP32);
  f = fixture_new (&so);
  connect_options (&co, TRUE);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  syncs = esplash_sim_count_commands (f->sim, ESPLASH_OP_SYNC);
  resets = esplash_sim_get_reset_count (f->sim);
  g_assert_cmpuint (syncs, >, 0);

  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_SYNC), ==, syncs);
  g_assert_cmpuint (esplash_sim_get_reset_count (f->sim), ==, resets);
  g_assert_true (esplash_device_is_stub (f->device));
}

static void
test_wrong_chip (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;

  sim_options (&so, ESPLASH_CHIP_ESP32C3);
  f = fixture_new (&so);
  connect_options (&co, TRUE);
  co.chip = ESPLASH_CHIP_ESP32S3;
  g_assert_false (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED_CHIP);
  g_assert_nonnull (strstr (error->message, "This chip is ESP32-C3, not ESP32-S3"));
  g_assert_nonnull (strstr (error->message, "--chip esp32c3"));
  g_assert_false (esplash_device_is_connected (f->device));
  /* No stub was uploaded to the wrong chip. */
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_MEM_BEGIN), ==, 0);
}

static void
test_no_stub_found (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *empty = g_dir_make_tmp ("esplash-nostub-XXXXXX", NULL);
      EsplashSimOptions so;
      EsplashConnectOptions co;
      g_autoptr(Fixture) f = NULL;
      g_autoptr(GError) error = NULL;

      /* Nowhere to find a stub: not the env, not the user dir. */
      g_unsetenv ("ESPLASH_STUB_DIR");
      g_setenv ("XDG_DATA_HOME", empty, TRUE);
      sim_options (&so, ESPLASH_CHIP_ESP32);
      f = fixture_new (&so);
      esplash_connect_options_init (&co);
      co.stub_dir = empty;
      g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
      g_assert_no_error (error);
      g_assert_false (esplash_device_is_stub (f->device));
      g_assert_true (logs_contain (f, "No flasher stub found"));
      g_assert_true (logs_contain (f, "using the ROM loader"));
      g_assert_cmpint (esplash_sim_get_state (f->sim), ==, ESPLASH_SIM_STATE_ROM_LOADER);
      g_rmdir (empty);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Count the commands the sim saw in a normal ROM connect, so a stall can be
 * set right after it. */
static guint
commands_for_rom_connect (EsplashChipFamily family)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_auto(GStrv) events = NULL;
  guint n = 0;

  sim_options (&so, family);
  f = fixture_new (&so);
  connect_options (&co, FALSE);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, NULL));
  events = esplash_sim_dup_events (f->sim);
  for (guint i = 0; events[i] != NULL; i++)
    if (g_str_has_prefix (events[i], "command "))
      n++;
  return n;
}

static void
test_stalled_chip (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  guint32 value;
  gint64 start;
  guint reads;

  sim_options (&so, ESPLASH_CHIP_ESP32);
  so.faults = ESPLASH_SIM_FAULT_STALL;
  so.fault_after = commands_for_rom_connect (ESPLASH_CHIP_ESP32);
  f = fixture_new (&so);
  connect_options (&co, FALSE);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);

  reads = esplash_sim_count_commands (f->sim, ESPLASH_OP_READ_REG);
  start = g_get_monotonic_time ();
  g_assert_false (esplash_device_read_reg (f->device, ESPLASH_CHIP_DETECT_MAGIC_REG, &value,
                                           NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "READ_REG"));
  /* READ_REG may be asked again: three times the default 3 s command
   * timeout (§3.4), with a short quiet wait before each repeat. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 3 * 2900 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * 3000 * 1000 + 2 * 1600 * 1000);
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_READ_REG), ==, reads + 3);
}

static void
test_no_sync (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;

  /* No auto-reset circuit and nothing in flash: the chip never enters the
   * loader, whatever the lines do. */
  sim_options (&so, ESPLASH_CHIP_ESP32);
  so.auto_reset_circuit = FALSE;
  f = fixture_new (&so);
  connect_options (&co, FALSE);
  co.connect_attempts = 1;
  g_assert_false (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NO_SYNC);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Failed to connect"));
  g_assert_false (esplash_device_is_connected (f->device));
}

/* Secure Download Mode: detection by security info (S3) or by the refused
 * READ_REG (S2), no stub, nothing but the allowed commands. */
static void
test_secure_download_mode (gconstpointer data)
{
  EsplashChipFamily family = GPOINTER_TO_INT (data);
  EsplashSimOptions so;
  EsplashConnectOptions co;
  EsplashChipDescription d;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GBytes) block = NULL;
  g_autoptr(GBytes) flash = NULL;
  guint8 pattern[256];

  sim_options (&so, family);
  so.secure_download_mode = TRUE;
  f = fixture_new (&so);
  connect_options (&co, TRUE);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (esplash_device_get_chip (f->device)->family, ==, family);
  g_assert_true (esplash_device_is_secure_download_mode (f->device));
  g_assert_false (esplash_device_is_stub (f->device));
  g_assert_true (logs_contain (f, "Secure Download Mode"));
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_MEM_BEGIN), ==, 0);

  g_assert_true (esplash_device_describe (f->device, &d, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (d.secure_download_mode);
  g_assert_true (d.security.valid);
  g_assert_cmphex (d.security.flags & ESPLASH_SECURITY_SECURE_DOWNLOAD_ENABLE, !=, 0);
  g_assert_cmphex (d.flash_id, ==, 0);

  /* Writing works with plain FLASH_* commands only; no MD5 to verify with. */
  for (guint i = 0; i < sizeof pattern; i++)
    pattern[i] = (guint8) i;
  block = g_bytes_new (pattern, sizeof pattern);
  g_ptr_array_add (regions, esplash_flash_region_new (0x10000, block, "pattern"));
  g_assert_true (esplash_flash_write (f->device, regions, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_DEFL_BEGIN), ==, 0);
  g_assert_true (logs_contain (f, "verification skipped"));
  flash = esplash_sim_dup_flash (f->sim, 0x10000, sizeof pattern);
  g_assert_cmpmem (g_bytes_get_data (flash, NULL), g_bytes_get_size (flash),
                   pattern, sizeof pattern);
}

static void
load_boot_image (EsplashSim *sim,
                 guint32     offset)
{
  /* A 0xE9 header at the boot-loader offset is what makes the ROM boot. */
  g_autofree char *path = g_build_filename (g_getenv ("ESPLASH_SHARED_DIR"), "testdata",
                                            "images", "esp32s3_header.bin", NULL);
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  bytes = g_bytes_new (contents, len);
  esplash_sim_load_flash (sim, offset, bytes);
}

static gboolean
events_contain (EsplashSim *sim,
                const char *needle)
{
  g_auto(GStrv) events = esplash_sim_dup_events (sim);

  for (guint i = 0; events[i] != NULL; i++)
    if (strstr (events[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
wait_for_state (EsplashSim      *sim,
                EsplashSimState  state)
{
  gint64 end = g_get_monotonic_time () + G_TIME_SPAN_SECOND;

  while (esplash_sim_get_state (sim) != state && g_get_monotonic_time () < end)
    g_usleep (5000);
  g_assert_cmpstr (esplash_sim_state_name (esplash_sim_get_state (sim)), ==,
                   esplash_sim_state_name (state));
}

/* S3 on its own USB-OTG, put in download mode with BOOT held: an RTS pulse
 * would land it in the loader again, so leave() uses the watchdog. */
static void
test_leave_s3_usb_otg_strapped (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;

  sim_options (&so, ESPLASH_CHIP_ESP32S3);
  so.console = ESPLASH_CONSOLE_USB_OTG;
  so.boot_mode = ESPLASH_SIM_BOOT_DOWNLOAD;
  f = fixture_new (&so);
  load_boot_image (f->sim, esplash_chip_get (ESPLASH_CHIP_ESP32S3)->bootloader_offset);
  connect_options (&co, TRUE);
  co.before = ESPLASH_BEFORE_NO_RESET;
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (esplash_device_get_console (f->device), ==, ESPLASH_CONSOLE_USB_OTG);
  /* The button is released before the reset, as a user would. */
  esplash_sim_set_boot_held (f->sim, FALSE);

  g_assert_true (esplash_device_leave (f->device, ESPLASH_AFTER_HARD_RESET, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (logs_contain (f, "using the watchdog"));
  g_assert_true (events_contain (f->sim, "watchdog"));
  wait_for_state (f->sim, ESPLASH_SIM_STATE_APP);
  g_assert_false (esplash_device_is_connected (f->device));
}

static void
test_leave_rts (gconstpointer data)
{
  EsplashChipFamily family = GPOINTER_TO_INT (data);
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  gboolean usb_jtag = family == ESPLASH_CHIP_ESP32C3;
  gint64 start;
  gint64 elapsed;

  sim_options (&so, family);
  if (usb_jtag)
    so.console = ESPLASH_CONSOLE_USB_JTAG;
  f = fixture_new (&so);
  load_boot_image (f->sim, esplash_chip_get (family)->bootloader_offset);
  connect_options (&co, TRUE);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (esplash_device_get_console (f->device), ==,
                   usb_jtag ? ESPLASH_CONSOLE_USB_JTAG : ESPLASH_CONSOLE_UART);

  start = g_get_monotonic_time ();
  g_assert_true (esplash_device_leave (f->device, ESPLASH_AFTER_HARD_RESET, NULL, &error));
  g_assert_no_error (error);
  elapsed = g_get_monotonic_time () - start;
  g_assert_true (logs_contain (f, "Hard resetting via RTS pin"));
  /* USB timing: 0.2 s low + 0.2 s after; UART: 0.1 s low (§7.1). */
  if (usb_jtag)
    g_assert_cmpint (elapsed, >=, 400 * 1000);
  else
    g_assert_cmpint (elapsed, <, 400 * 1000);
  wait_for_state (f->sim, ESPLASH_SIM_STATE_APP);
  g_assert_false (esplash_device_is_connected (f->device));
}

static void
test_leave_no_reset_stub (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;

  sim_options (&so, ESPLASH_CHIP_ESP32C3);
  f = fixture_new (&so);
  connect_options (&co, TRUE);
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  /* no-reset from the stub: FLASH_BEGIN(0) + FLASH_END(reboot); the chip
   * restarts in the ROM loader when the strap still selects it (§2.4). */
  esplash_sim_set_boot_held (f->sim, TRUE);
  g_assert_true (esplash_device_leave (f->device, ESPLASH_AFTER_NO_RESET, NULL, &error));
  g_assert_no_error (error);
  wait_for_state (f->sim, ESPLASH_SIM_STATE_ROM_LOADER);
  g_assert_cmpuint (esplash_sim_count_commands (f->sim, ESPLASH_OP_FLASH_END), ==, 1);
  esplash_sim_set_boot_held (f->sim, FALSE);

  /* soft-reset from a stub other than ESP8266's is refused. */
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (esplash_device_leave (f->device, ESPLASH_AFTER_SOFT_RESET, NULL, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED);
}

static void
test_baud_change (gconstpointer data)
{
  EsplashChipFamily family = GPOINTER_TO_INT (data);
  gboolean stub = strstr (g_test_get_path (), "/stub") != NULL;
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  guint32 magic;

  sim_options (&so, family);
  f = fixture_new (&so);
  connect_options (&co, stub);
  co.baud = 921600;
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  if (family == ESPLASH_CHIP_ESP8266 && !stub)
    {
      /* The ESP8266 ROM cannot: logged, and the session stays at 115200. */
      g_assert_cmpuint (esplash_transport_get_baud (f->transport), ==, 115200);
      g_assert_true (logs_contain (f, "cannot change the baud rate"));
    }
  else
    {
      g_auto(GStrv) events = esplash_sim_dup_events (f->sim);
      gint changed = -1, stub_at = -1;

      g_assert_cmpuint (esplash_transport_get_baud (f->transport), ==, 921600);
      g_assert_cmpuint (esplash_sim_get_baud (f->sim), ==, 921600);
      g_assert_true (logs_contain (f, "Changing baud rate to 921600"));
      /* Where the ROM can, the rate changes before the stub goes up: the
       * upload runs fast too. The ESP8266 ROM cannot: after the stub. */
      for (gint i = 0; events[i] != NULL; i++)
        {
          if (changed < 0 && g_str_equal (events[i], "chip-baud 921600"))
            changed = i;
          if (stub_at < 0 && g_str_equal (events[i], "command MEM_BEGIN"))
            stub_at = i;
        }
      g_assert_cmpint (changed, >=, 0);
      if (stub && family != ESPLASH_CHIP_ESP8266)
        g_assert_cmpint (changed, <, stub_at);
      else if (stub)
        g_assert_cmpint (changed, >, stub_at);
    }
  /* Still talking. */
  g_assert_true (esplash_device_read_reg (f->device, ESPLASH_CHIP_DETECT_MAGIC_REG, &magic,
                                          NULL, &error));
  g_assert_no_error (error);
}

/* A transport that answers every write with a scripted byte string. */
#define TEST_TYPE_SCRIPT (test_script_get_type ())
G_DECLARE_FINAL_TYPE (TestScript, test_script, TEST, SCRIPT, EsplashTransport)

struct _TestScript
{
  EsplashTransport parent_instance;
  GByteArray      *reply;     /* sent after each write */
  GByteArray      *pending;   /* not read yet */
};

G_DEFINE_FINAL_TYPE (TestScript, test_script, ESPLASH_TYPE_TRANSPORT)

static gssize
script_read (EsplashTransport *transport, guint8 *buf, gsize len, guint timeout_ms,
             GError **error)
{
  TestScript *self = TEST_SCRIPT (transport);
  gsize n = MIN (len, self->pending->len);

  if (n == 0)
    {
      g_usleep ((gulong) timeout_ms * 1000);
      return 0;
    }
  memcpy (buf, self->pending->data, n);
  g_byte_array_remove_range (self->pending, 0, (guint) n);
  return (gssize) n;
}

static gboolean
script_write (EsplashTransport *transport, const guint8 *buf, gsize len, GError **error)
{
  TestScript *self = TEST_SCRIPT (transport);

  g_byte_array_append (self->pending, self->reply->data, self->reply->len);
  return TRUE;
}

static void
test_script_finalize (GObject *object)
{
  TestScript *self = TEST_SCRIPT (object);

  g_byte_array_unref (self->reply);
  g_byte_array_unref (self->pending);
  G_OBJECT_CLASS (test_script_parent_class)->finalize (object);
}

static void
test_script_class_init (TestScriptClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_script_finalize;
  ESPLASH_TRANSPORT_CLASS (klass)->read = script_read;
  ESPLASH_TRANSPORT_CLASS (klass)->write = script_write;
}

static void
test_script_init (TestScript *self)
{
  self->reply = g_byte_array_new ();
  self->pending = g_byte_array_new ();
}

static EsplashDevice *
scripted_device (const guint8 *reply,
                 gsize         len)
{
  TestScript *script = g_object_new (TEST_TYPE_SCRIPT, NULL);
  EsplashDevice *device;

  esplash_transport_set_info (ESPLASH_TRANSPORT (script), ESPLASH_TRANSPORT_KIND_SOCKET,
                              "test://script", FALSE, 115200, 0, 0);
  g_byte_array_append (script->reply, reply, (guint) len);
  device = esplash_device_new (ESPLASH_TRANSPORT (script));
  g_object_unref (script);
  return device;
}

/* Boot-log noise before a reply is kept apart; the reply still parses. */
static void
test_reply_after_noise (void)
{
  static const guint8 reply[] = "rst:0x1 (POWERON),boot:0x8\r\n"
    "\xC0\x01\x0A\x04\x00\x09\x00\x00\x00\x00\x00\x00\x00\xC0";
  g_autoptr(EsplashDevice) device = scripted_device (reply, sizeof reply - 1);
  g_autoptr(GError) error = NULL;
  guint32 value = 0;

  g_assert_true (esplash_device_read_reg (device, ESPLASH_CHIP_DETECT_MAGIC_REG, &value, NULL,
                                          &error));
  g_assert_no_error (error);
  g_assert_cmphex (value, ==, 9);
}

/* A panic in the chip's output ends the wait at once, naming it. */
static void
test_crash_reported (void)
{
  static const guint8 reply[] = "Guru Meditation Error: Core  0 panic'ed (LoadProhibited)\r\n";
  g_autoptr(EsplashDevice) device = scripted_device (reply, sizeof reply - 1);
  g_autoptr(GError) error = NULL;
  guint32 value = 0;
  gint64 start = g_get_monotonic_time ();

  g_assert_false (esplash_device_read_reg (device, ESPLASH_CHIP_DETECT_MAGIC_REG, &value, NULL,
                                           &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE);
  g_assert_nonnull (strstr (error->message, "Guru Meditation Error: Core  0 panic'ed"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_TIME_SPAN_SECOND);
}

/* The ROM's "invalid message" answer under another opcode is this command's
 * failure (§1.3), not a reply to skip until the timeout. */
static void
test_unsupported_other_opcode (void)
{
  static const guint8 reply[] =
    "\xC0\x01\x00\x04\x00\x00\x00\x00\x00\x01\x05\x00\x00\xC0";
  g_autoptr(EsplashDevice) device = scripted_device (reply, sizeof reply - 1);
  g_autoptr(GError) error = NULL;
  guint32 value = 0;

  g_assert_false (esplash_device_read_reg (device, ESPLASH_CHIP_DETECT_MAGIC_REG, &value, NULL,
                                           &error));
  /* READ_REG is a command every ROM knows: refused, it arrived damaged, and
   * is asked again; refused every time, the line is to blame. */
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_LINE_DAMAGED);
  g_assert_nonnull (strstr (error->message, "ROM error 0x05"));
  g_assert_nonnull (strstr (error->message, "sent 3 times"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      const EsplashChipInfo *chip = esplash_chip_get (chips[i].family);
      g_autofree char *rom = g_strdup_printf ("/esplash/device/connect/%s/rom", chip->id);
      g_autofree char *stub = g_strdup_printf ("/esplash/device/connect/%s/stub", chip->id);

      g_test_add_data_func (rom, &chips[i], test_connect_describe);
      g_test_add_data_func (stub, &chips[i], test_connect_describe);
    }
  g_test_add_func ("/esplash/device/status-layouts/rom-then-stub", test_status_layouts);
  g_test_add_func ("/esplash/device/connect/twice-no-sync", test_connect_twice);
  g_test_add_func ("/esplash/device/connect/wrong-chip", test_wrong_chip);
  g_test_add_func ("/esplash/device/connect/no-stub-found", test_no_stub_found);
  g_test_add_func ("/esplash/device/connect/no-sync", test_no_sync);
  g_test_add_func ("/esplash/device/command/stalled", test_stalled_chip);
  g_test_add_func ("/esplash/device/command/reply-after-noise", test_reply_after_noise);
  g_test_add_func ("/esplash/device/command/crash-reported", test_crash_reported);
  g_test_add_func ("/esplash/device/command/unsupported-other-opcode",
                   test_unsupported_other_opcode);
  g_test_add_data_func ("/esplash/device/connect/sdm/esp32s3",
                        GINT_TO_POINTER (ESPLASH_CHIP_ESP32S3), test_secure_download_mode);
  g_test_add_data_func ("/esplash/device/connect/sdm/esp32s2",
                        GINT_TO_POINTER (ESPLASH_CHIP_ESP32S2), test_secure_download_mode);
  g_test_add_func ("/esplash/device/leave/s3-usb-otg-strapped", test_leave_s3_usb_otg_strapped);
  g_test_add_data_func ("/esplash/device/leave/c3-usb-jtag",
                        GINT_TO_POINTER (ESPLASH_CHIP_ESP32C3), test_leave_rts);
  g_test_add_data_func ("/esplash/device/leave/esp32-uart",
                        GINT_TO_POINTER (ESPLASH_CHIP_ESP32), test_leave_rts);
  g_test_add_func ("/esplash/device/leave/no-reset-stub", test_leave_no_reset_stub);
  g_test_add_data_func ("/esplash/device/baud/esp32/rom", GINT_TO_POINTER (ESPLASH_CHIP_ESP32),
                        test_baud_change);
  g_test_add_data_func ("/esplash/device/baud/esp32s3/stub",
                        GINT_TO_POINTER (ESPLASH_CHIP_ESP32S3), test_baud_change);
  g_test_add_data_func ("/esplash/device/baud/esp8266/rom",
                        GINT_TO_POINTER (ESPLASH_CHIP_ESP8266), test_baud_change);
  g_test_add_data_func ("/esplash/device/baud/esp8266/stub",
                        GINT_TO_POINTER (ESPLASH_CHIP_ESP8266), test_baud_change);

  return g_test_run ();
}
