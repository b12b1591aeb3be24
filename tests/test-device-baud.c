/* test-device-baud.c: the automatic baud rate (esplash-device-baud.c)
 * against the simulator's line limit (max_baud: above it bytes arrive
 * wrong, as on a real adapter pushed too far).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "esplash-device-private.h"
#include "esplash-sim.h"
#include "esplash-sim-transport.h"
#include "test-device-rig.h"

typedef struct {
  EsplashChipFamily family;
  EsplashConsole    console;
  gboolean          stub;
  guint             max_baud;    /* the line's limit; 0 = none */
  guint             first;       /* remembered rate to try first; 0 = none */
  guint             expected;    /* the rate the session ends at */
} Case;

static const Case cases[] = {
  { ESPLASH_CHIP_ESP32S3, ESPLASH_CONSOLE_UART, TRUE, 921600, 0, 921600 },
  { ESPLASH_CHIP_ESP32S3, ESPLASH_CONSOLE_UART, TRUE, 0, 0, 2000000 },
  { ESPLASH_CHIP_ESP32C3, ESPLASH_CONSOLE_UART, TRUE, 300000, 0, 230400 },
  { ESPLASH_CHIP_ESP32, ESPLASH_CONSOLE_UART, FALSE, 921600, 0, 921600 },      /* ROM, crystal scaling */
  { ESPLASH_CHIP_ESP8266, ESPLASH_CONSOLE_UART, TRUE, 1500000, 0, 1500000 },
  { ESPLASH_CHIP_ESP32S3, ESPLASH_CONSOLE_UART, TRUE, 0, 460800, 460800 },    /* remembered: no search */
  { ESPLASH_CHIP_ESP32S3, ESPLASH_CONSOLE_UART, TRUE, 460800, 921600, 460800 },/* remembered, now too fast */
  { ESPLASH_CHIP_ESP32C3, ESPLASH_CONSOLE_USB_JTAG, TRUE, 0, 0, 115200 },     /* no rate on USB */
};

static void
test_auto_baud (gconstpointer data)
{
  const Case *c = data;
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  EsplashChipDescription desc;
  guint8 *bytes = g_malloc (64 * 1024);

  esplash_sim_options_init (&so, c->family);
  so.console = c->console;
  so.max_baud = c->max_baud;
  f = fixture_new (&so);
  connect_options (&co, c->stub);
  co.auto_baud = TRUE;
  co.baud = c->first;
  if (!esplash_device_connect (f->device, &co, NULL, &error))
    {
      g_auto(GStrv) ev = esplash_sim_dup_events (f->sim);
      for (guint i = 0; ev[i]; i++)
        g_test_message ("sim: %s", ev[i]);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (esplash_transport_get_baud (f->transport), ==, c->expected);
  if (c->console == ESPLASH_CONSOLE_UART)
    g_assert_cmpuint (esplash_sim_get_baud (f->sim), ==, c->expected);
  if (c->first != 0 && c->first == c->expected)
    g_assert_false (logs_contain (f, "Trying 2000000 baud"));

  /* The session works at that rate: a write, verified, and what the sim holds. */
  for (guint i = 0; i < 64 * 1024; i++)
    bytes[i] = (guint8) (i * 13 + (i >> 9));
  image = g_bytes_new_take (bytes, 64 * 1024);
  g_ptr_array_add (regions, esplash_flash_region_new (0x10000, image, "app.bin"));
  g_assert_true (esplash_flash_write (f->device, regions, NULL, NULL, &error));
  g_assert_no_error (error);
  back = esplash_sim_dup_flash (f->sim, 0x10000, 64 * 1024);
  g_assert_true (g_bytes_equal (back, image));
  g_assert_true (esplash_device_describe (f->device, &desc, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (desc.baud, ==, c->expected);
}

/* A fixed rate above the line's limit is not searched, it is used — and
 * when the replies come back damaged there (the stub's upload), the session
 * goes down one rate at a time until they do not, and stays there: the
 * MD5s that follow are right. */
static void
test_fixed_too_fast (void)
{
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 expected[16];
  gsize n = sizeof expected;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32S3);
  f = fixture_new (&so);   /* max_baud 921600 by default */
  connect_options (&co, TRUE);
  co.baud = 2000000;
  g_assert_true (esplash_device_connect (f->device, &co, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (logs_contain (f, "Replies keep arriving damaged at 2000000 baud"));
  g_assert_cmpuint (esplash_transport_get_baud (f->transport), <=, 921600);
  g_assert_cmpuint (esplash_sim_get_baud (f->sim), ==, esplash_transport_get_baud (f->transport));

  flash = esplash_sim_dup_flash (f->sim, 0, 0x1000);
  g_checksum_update (md5, g_bytes_get_data (flash, NULL), g_bytes_get_size (flash));
  g_checksum_get_digest (md5, expected, &n);
  for (guint i = 0; i < 20; i++)
    {
      guint8 digest[16];

      g_assert_true (esplash_flash_md5 (f->device, 0, 0x1000, digest, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (digest, 16, expected, 16);
    }
  g_assert_cmpuint (f->device->command_retries, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/esplash/device/auto-baud/%s-%s-%s/limit-%u/first-%u",
                                               esplash_chip_get (cases[i].family)->id,
                                               cases[i].console == ESPLASH_CONSOLE_UART ? "uart" : "usb",
                                               cases[i].stub ? "stub" : "rom",
                                               cases[i].max_baud, cases[i].first);

      g_test_add_data_func (path, &cases[i], test_auto_baud);
    }
  g_test_add_func ("/esplash/device/auto-baud/fixed-too-fast", test_fixed_too_fast);
  return g_test_run ();
}
