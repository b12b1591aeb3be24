/* test-device-exchange.c: command/reply matching with a ROM that behaves
 * like the real ones (protocol.md §1.3): repeated invalid-message replies
 * with command byte 0, stale frames arriving ahead of a reply, and the same
 * board connected to again and again.
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

/* ------------------------------------------------------------------ */
/* A transport that slips stale frames in ahead of a reply              */

/* Wraps a simulator transport. When the host sends the @trigger command
 * (the @nth time), @frames are queued to be read before anything the chip
 * sends back: a late copy of an earlier reply, arriving just before this
 * command's own reply. */
#define TEST_TYPE_STALE (test_stale_get_type ())
G_DECLARE_FINAL_TYPE (TestStale, test_stale, TEST, STALE, EsplashTransport)

struct _TestStale
{
  EsplashTransport  parent_instance;
  EsplashTransport *inner;
  guint8            trigger;
  guint             nth;
  guint             seen;
  GByteArray       *frames;   /* SLIP-framed, ready for the wire */
  GByteArray       *pending;  /* injected and not yet read */
  guint             injected;
};

G_DEFINE_FINAL_TYPE (TestStale, test_stale, ESPLASH_TYPE_TRANSPORT)

static gssize
stale_read (EsplashTransport *transport,
            guint8           *buf,
            gsize             len,
            guint             timeout_ms,
            GError          **error)
{
  TestStale *self = TEST_STALE (transport);

  if (self->pending->len > 0)
    {
      gsize n = MIN (len, self->pending->len);

      memcpy (buf, self->pending->data, n);
      g_byte_array_remove_range (self->pending, 0, (guint) n);
      return (gssize) n;
    }
  return ESPLASH_TRANSPORT_GET_CLASS (self->inner)->read (self->inner, buf, len, timeout_ms,
                                                           error);
}

static gboolean
stale_write (EsplashTransport *transport,
             const guint8     *buf,
             gsize             len,
             GError          **error)
{
  TestStale *self = TEST_STALE (transport);

  /* A request frame starts C0 00 <opcode> (no escaping in those bytes). */
  if (len >= 3 && buf[0] == 0xC0 && buf[1] == 0x00 && buf[2] == self->trigger &&
      ++self->seen == self->nth)
    {
      g_byte_array_append (self->pending, self->frames->data, self->frames->len);
      self->injected++;
    }
  return esplash_transport_write (self->inner, buf, len, error);
}

static gboolean
stale_set_baud (EsplashTransport *transport,
                guint             baud,
                GError          **error)
{
  return esplash_transport_set_baud (TEST_STALE (transport)->inner, baud, error);
}

static gboolean
stale_set_lines (EsplashTransport *transport,
                 gboolean          dtr,
                 gboolean          rts,
                 GError          **error)
{
  return esplash_transport_set_lines (TEST_STALE (transport)->inner, dtr, rts, error);
}

static gboolean
stale_flush_input (EsplashTransport *transport,
                   GError          **error)
{
  TestStale *self = TEST_STALE (transport);

  g_byte_array_set_size (self->pending, 0);
  return esplash_transport_flush_input (self->inner, error);
}

static gboolean
stale_drain (EsplashTransport *transport,
             GError          **error)
{
  return esplash_transport_drain (TEST_STALE (transport)->inner, error);
}

static void
stale_close (EsplashTransport *transport)
{
  esplash_transport_close (TEST_STALE (transport)->inner);
}

static void
test_stale_finalize (GObject *object)
{
  TestStale *self = TEST_STALE (object);

  g_clear_object (&self->inner);
  g_byte_array_unref (self->frames);
  g_byte_array_unref (self->pending);
  G_OBJECT_CLASS (test_stale_parent_class)->finalize (object);
}

static void
test_stale_class_init (TestStaleClass *klass)
{
  EsplashTransportClass *transport_class = ESPLASH_TRANSPORT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_stale_finalize;
  transport_class->read = stale_read;
  transport_class->write = stale_write;
  transport_class->set_baud = stale_set_baud;
  transport_class->set_lines = stale_set_lines;
  transport_class->flush_input = stale_flush_input;
  transport_class->drain = stale_drain;
  transport_class->close = stale_close;
}

static void
test_stale_init (TestStale *self)
{
  self->frames = g_byte_array_new ();
  self->pending = g_byte_array_new ();
}

static TestStale *
test_stale_new (EsplashTransport *inner,
                guint8            trigger,
                guint             nth)
{
  TestStale *self = g_object_new (TEST_TYPE_STALE, NULL);

  self->inner = g_object_ref (inner);
  self->trigger = trigger;
  self->nth = nth;
  esplash_transport_set_info (ESPLASH_TRANSPORT (self), ESPLASH_TRANSPORT_KIND_SIMULATOR,
                              "test://stale", TRUE, esplash_transport_get_baud (inner),
                              esplash_transport_get_usb_vid (inner),
                              esplash_transport_get_usb_pid (inner));
  return self;
}

/* Queues one reply frame: direction 1, @opcode, @value, @status. */
static void
test_stale_add_frame (TestStale    *self,
                      guint8        opcode,
                      guint32       value,
                      const guint8 *status,
                      gsize         status_len)
{
  g_autoptr(GByteArray) packet = g_byte_array_new ();
  guint8 header[8] = {
    0x01, opcode, (guint8) status_len, 0,
    value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF, (value >> 24) & 0xFF,
  };

  g_byte_array_append (packet, header, sizeof header);
  g_byte_array_append (packet, status, (guint) status_len);
  esplash_slip_encode (packet->data, packet->len, self->frames);
}

/* The ROM's refusal of an earlier command: 3 late copies of it. */
static void
test_stale_add_refusals (TestStale             *self,
                         const EsplashChipInfo *chip)
{
  static const guint8 refused[4] = { 0x01, ESPLASH_ROM_ERROR_INVALID_FORMAT, 0, 0 };

  for (guint i = 0; i < 3; i++)
    test_stale_add_frame (self, 0x00, 0, refused, chip->rom_status_len);
}

/* ------------------------------------------------------------------ */
/* No misdetection                                                     */

typedef struct {
  EsplashChipFamily family;
  guint8            trigger;   /* the command whose reply the stale frames precede */
} StaleCase;

static GPtrArray *stale_cases;

/* Every family, ROM loader: stale refusals ahead of the reply to the first
 * GET_SECURITY_INFO or READ_REG leave the chip's name and mode right. */
static void
test_stale_refusals_detect (gconstpointer data)
{
  const StaleCase *c = data;
  const EsplashChipInfo *chip = esplash_chip_get (c->family);
  EsplashSimOptions so;
  EsplashConnectOptions co;
  g_autoptr(EsplashSim) sim = NULL;
  g_autoptr(EsplashTransport) inner = NULL;
  g_autoptr(TestStale) stale = NULL;
  g_autoptr(EsplashDevice) device = NULL;
  g_autoptr(GError) error = NULL;

  esplash_sim_options_init (&so, c->family);
  so.boot_mode = ESPLASH_SIM_BOOT_DOWNLOAD;
  sim = esplash_sim_new (&so);
  inner = esplash_sim_transport_new (sim);
  stale = test_stale_new (inner, c->trigger, 1);
  test_stale_add_refusals (stale, chip);
  device = esplash_device_new (ESPLASH_TRANSPORT (stale));

  connect_options (&co, FALSE);
  co.before = ESPLASH_BEFORE_NO_RESET;
  g_assert_true (esplash_device_connect (device, &co, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stale->injected, ==, 1);
  g_assert_cmpstr (esplash_device_get_chip (device)->name, ==, chip->name);
  g_assert_false (esplash_device_is_secure_download_mode (device));

  /* and the session goes on: the revision eFuse read worked, a register reads */
  {
    guint32 value = 0;

    g_assert_true (esplash_device_read_reg (device, ESPLASH_CHIP_DETECT_MAGIC_REG, &value,
                                            NULL, &error));
    g_assert_no_error (error);
    g_assert_cmphex (value, ==, chip->magic_values[0]);
  }
  esplash_device_close (device);
}

/* Frames that are not the reply (a late SYNC reply, a READ_REG answer, a
 * broken frame with the right opcode, a frame with the host's direction
 * byte) ahead of a FLASH_DATA reply are dropped, not taken as answers. */
static void
test_stale_frames_during_write (void)
{
  static const guint8 ok4[4] = { 0, 0, 0, 0 };
  EsplashSimOptions so;
  EsplashConnectOptions co;
  EsplashWriteOptions wo;
  g_autoptr(EsplashSim) sim = NULL;
  g_autoptr(EsplashTransport) inner = NULL;
  g_autoptr(TestStale) stale = NULL;
  g_autoptr(EsplashDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) back = NULL;
  guint8 *bytes = g_malloc (0x3000);

  for (guint i = 0; i < 0x3000; i++)
    bytes[i] = (guint8) (i * 7 + (i >> 8));
  data = g_bytes_new_take (bytes, 0x3000);

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  so.boot_mode = ESPLASH_SIM_BOOT_DOWNLOAD;
  sim = esplash_sim_new (&so);
  inner = esplash_sim_transport_new (sim);
  stale = test_stale_new (inner, ESPLASH_OP_FLASH_DATA, 2);
  test_stale_add_frame (stale, ESPLASH_OP_SYNC, 0x20120707, ok4, 4);
  test_stale_add_frame (stale, ESPLASH_OP_READ_REG, 0xDEADBEEF, ok4, 4);
  {
    /* a broken FLASH_DATA "failure": its size field says 4, 2 bytes follow */
    static const guint8 broken[] = { 0xC0, 0x01, ESPLASH_OP_FLASH_DATA, 4, 0, 0, 0, 0, 0,
                                     0x01, 0x07, 0xC0 };

    g_byte_array_append (stale->frames, broken, sizeof broken);
  }
  {
    /* a request echoed back by a loopback adapter */
    static const guint8 echo[] = { 0xC0, 0x00, ESPLASH_OP_FLASH_DATA, 0, 0, 0, 0, 0, 0, 0xC0 };

    g_byte_array_append (stale->frames, echo, sizeof echo);
  }
  device = esplash_device_new (ESPLASH_TRANSPORT (stale));

  connect_options (&co, FALSE);
  co.before = ESPLASH_BEFORE_NO_RESET;
  g_assert_true (esplash_device_connect (device, &co, NULL, &error));
  g_assert_no_error (error);

  esplash_write_options_init (&wo);
  wo.compress = ESPLASH_COMPRESS_NEVER;
  g_ptr_array_add (regions, esplash_flash_region_new (0x20000, data, "pattern"));
  g_assert_true (esplash_flash_write (device, regions, &wo, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stale->injected, ==, 1);
  /* no block was sent twice: none of the stale frames was taken for a reply */
  g_assert_cmpuint (esplash_sim_count_commands (sim, ESPLASH_OP_FLASH_DATA), ==,
                    0x3000 / esplash_chip_get (ESPLASH_CHIP_ESP32)->rom_flash_block);

  back = esplash_sim_dup_flash (sim, 0x20000, 0x3000);
  g_assert_true (g_bytes_equal (back, data));
  esplash_device_close (device);
}

/* ------------------------------------------------------------------ */
/* The same board, again and again                                     */

static GBytes *
pattern (gsize   len,
         guint   seed)
{
  guint8 *p = g_malloc (len);
  guint32 x = 0x9E3779B9u * (seed + 1);

  for (gsize i = 0; i < len; i++)
    {
      x = x * 1664525u + 1013904223u;
      p[i] = (guint8) (x >> 24);
    }
  return g_bytes_new_take (p, len);
}

/* One session: connect, write (plain or compressed), read back where the
 * loader can, erase a region where it can, then connect once more. */
static void
one_session (EsplashSim        *sim,
             EsplashChipFamily  family,
             gboolean           stub,
             guint              run)
{
  const EsplashChipInfo *chip = NULL;
  EsplashConnectOptions co;
  EsplashWriteOptions wo;
  g_autoptr(EsplashTransport) transport = esplash_sim_transport_new (sim);
  g_autoptr(EsplashDevice) device = esplash_device_new (transport);
  g_autoptr(EsplashTransport) transport2 = NULL;
  g_autoptr(EsplashDevice) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_autoptr(GBytes) data = pattern (0x1800 + run * 100, run);
  g_autoptr(GBytes) flash = NULL;
  gboolean esp8266_rom;

  connect_options (&co, stub);
  g_assert_true (esplash_device_connect (device, &co, NULL, &error));
  g_assert_no_error (error);
  chip = esplash_device_get_chip (device);
  g_assert_cmpint (chip->family, ==, family);
  g_assert_false (esplash_device_is_secure_download_mode (device));
  g_assert_true (esplash_device_is_stub (device) == stub);
  esp8266_rom = chip->rom_is_esp8266_like && !stub;

  esplash_write_options_init (&wo);
  wo.compress = run % 2 == 0 ? ESPLASH_COMPRESS_NEVER : ESPLASH_COMPRESS_ALWAYS;
  wo.verify = !esp8266_rom;   /* that ROM has no MD5 */
  g_ptr_array_add (regions, esplash_flash_region_new (0x10000, data, "app"));
  g_assert_true (esplash_flash_write (device, regions, &wo, NULL, &error));
  g_assert_no_error (error);
  flash = esplash_sim_dup_flash (sim, 0x10000, (guint32) g_bytes_get_size (data));
  g_assert_true (g_bytes_equal (flash, data));

  if (!esp8266_rom)
    {
      g_autoptr(GBytes) back = esplash_flash_read (device, 0x10000, 0x400, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (back, NULL), 0x400, g_bytes_get_data (data, NULL), 0x400);
      g_assert_true (esplash_flash_erase_region (device, 0x11000, 0x1000, NULL, &error));
      g_assert_no_error (error);
      g_clear_pointer (&flash, g_bytes_unref);
      flash = esplash_sim_dup_flash (sim, 0x11000, 0x1000);
      for (gsize i = 0; i < 0x1000; i++)
        g_assert_cmphex (((const guint8 *) g_bytes_get_data (flash, NULL))[i], ==, 0xFF);
    }

  /* A second connect on the open session does nothing; a second session
   * on the same board finds the ROM (reset) or, without a reset, the stub. */
  g_assert_true (esplash_device_connect (device, &co, NULL, &error));
  g_assert_no_error (error);
  esplash_device_close (device);

  transport2 = esplash_sim_transport_new (sim);
  again = esplash_device_new (transport2);
  if (run % 2 == 1)
    co.before = ESPLASH_BEFORE_NO_RESET;
  g_assert_true (esplash_device_connect (again, &co, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (esplash_device_get_chip (again)->family, ==, chip->family);
  esplash_device_close (again);
}

/* 20 sessions in a row on one board, ROM loader or stub: the issue's
 * "ESP32 and ESP8266 ROM, 20 runs without a failure", in-process. */
static void
test_twenty_sessions (gconstpointer data)
{
  const StaleCase *c = data;
  EsplashSimOptions so;
  g_autoptr(EsplashSim) sim = NULL;

  esplash_sim_options_init (&so, c->family);
  sim = esplash_sim_new (&so);
  for (guint run = 0; run < 20; run++)
    one_session (sim, c->family, c->trigger != 0, run);
}

int
main (int    argc,
      char **argv)
{
  guint n;
  const EsplashChipInfo *const *chips = esplash_chip_list (&n);
  static const StaleCase twenty[] = {
    { ESPLASH_CHIP_ESP32, 0 }, { ESPLASH_CHIP_ESP32, 1 },
    { ESPLASH_CHIP_ESP8266, 0 }, { ESPLASH_CHIP_ESP8266, 1 },
    { ESPLASH_CHIP_ESP32S3, 0 }, { ESPLASH_CHIP_ESP32C3, 1 },
  };

  g_test_init (&argc, &argv, NULL);
  stale_cases = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      static const guint8 triggers[] = { ESPLASH_OP_GET_SECURITY_INFO, ESPLASH_OP_READ_REG };

      for (guint t = 0; t < G_N_ELEMENTS (triggers); t++)
        {
          StaleCase *c = g_new0 (StaleCase, 1);
          g_autofree char *path = NULL;

          c->family = chips[i]->family;
          c->trigger = triggers[t];
          g_ptr_array_add (stale_cases, c);
          path = g_strdup_printf ("/esplash/device/exchange/stale-refusals/%s/before-%s",
                                  chips[i]->id, t == 0 ? "security-info" : "read-reg");
          g_test_add_data_func (path, c, test_stale_refusals_detect);
        }
    }
  g_test_add_func ("/esplash/device/exchange/stale-frames-during-write",
                   test_stale_frames_during_write);
  for (guint i = 0; i < G_N_ELEMENTS (twenty); i++)
    {
      g_autofree char *path = g_strdup_printf ("/esplash/device/exchange/twenty-sessions/%s/%s",
                                               esplash_chip_get (twenty[i].family)->id,
                                               twenty[i].trigger != 0 ? "stub" : "rom");

      g_test_add_data_func (path, &twenty[i], test_twenty_sessions);
    }

  {
    int status = g_test_run ();

    g_ptr_array_unref (stale_cases);
    return status;
  }
}
