/* test-chip.c: the chip table and its decoders.
 *
 * Expected values are restated from protocol.md (§3.1, §6, §7.4–7.5), not
 * taken from esplash-chip.c; register values are built from the bit layouts
 * described there. The memory maps are restated from esptool's
 * esptool/targets/<chip>.py MEMORY_MAP.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"

typedef struct {
  EsplashChipFamily family;
  const char *name;
  const char *id;
  const char *dashed;           /* another accepted spelling */
  gint image_id;
  guint32 magic[4];
  guint n_magic;
  gboolean uses_magic;
  guint32 bootloader;
  guint status_len;
  const char *boot_pin;
  guint16 otg_pid;
  gboolean usb_jtag;
  gboolean watchdog_reset;
  guint stub_mb;
  guint32 mac0, mac1;
  guint32 spi_base;
  guint32 clkdiv;               /* 0 = fixed crystal */
  guint fixed_mhz;
} Expected;

static const Expected expected[] = {
  { ESPLASH_CHIP_ESP8266, "ESP8266", "esp8266", "ESP8266", -1, { 0xFFF0C101 }, 1, TRUE,
    0x0, 2, "GPIO0", 0, FALSE, FALSE, 16, 0x3FF00050, 0x3FF00054, 0x60000200, 0x60000014, 0 },
  { ESPLASH_CHIP_ESP32, "ESP32", "esp32", "Esp32", 0, { 0x00F01D83 }, 1, TRUE,
    0x1000, 4, "GPIO0", 0, FALSE, FALSE, 16, 0x3FF5A004, 0x3FF5A008, 0x3FF42000, 0x3FF40014, 0 },
  { ESPLASH_CHIP_ESP32S2, "ESP32-S2", "esp32s2", "esp32-s2", 2, { 0x000007C6 }, 1, TRUE,
    0x1000, 4, "GPIO0", 0x0002, FALSE, TRUE, 16, 0x3F41A044, 0x3F41A048, 0x3F402000, 0, 40 },
  { ESPLASH_CHIP_ESP32S3, "ESP32-S3", "esp32s3", "esp32-s3", 9, { 0x00000009 }, 1, FALSE,
    0x0, 4, "GPIO0", 0x0009, TRUE, TRUE, 64, 0x60007044, 0x60007048, 0x60002000, 0, 40 },
  { ESPLASH_CHIP_ESP32C2, "ESP32-C2", "esp32c2", "ESP32-C2", 12, { 0x6F51306F, 0x7C41A06F, 0x0C21E06F }, 3, FALSE,
    0x0, 4, "GPIO9", 0, FALSE, TRUE, 16, 0x60008840, 0x60008844, 0x60002000, 0x60000014, 0 },
  { ESPLASH_CHIP_ESP32C3, "ESP32-C3", "esp32c3", "esp32-C3", 5, { 0x6921506F, 0x1B31506F, 0x4881606F, 0x4361606F }, 4, FALSE,
    0x0, 4, "GPIO9", 0, TRUE, TRUE, 16, 0x60008844, 0x60008848, 0x60002000, 0, 40 },
  { ESPLASH_CHIP_ESP32C5, "ESP32-C5", "esp32c5", "esp32-c5", 23, { 0x1101406F, 0x63E1406F, 0x5FD1406F }, 3, FALSE,
    0x2000, 4, "GPIO28", 0, TRUE, TRUE, 64, 0x600B4844, 0x600B4848, 0x60003000, 0x60000014, 0 },
  { ESPLASH_CHIP_ESP32C6, "ESP32-C6", "esp32c6", "esp32-c6", 13, { 0x2CE0806F }, 1, FALSE,
    0x0, 4, "GPIO9", 0, TRUE, FALSE, 16, 0x600B0844, 0x600B0848, 0x60003000, 0, 40 },
  { ESPLASH_CHIP_ESP32C61, "ESP32-C61", "esp32c61", "esp32-c61", 20, { 0x33F0206F, 0x2421606F, 0x4F81606F }, 3, FALSE,
    0x0, 4, "GPIO9", 0, TRUE, TRUE, 16, 0x600B4844, 0x600B4848, 0x60003000, 0, 40 },
  { ESPLASH_CHIP_ESP32H2, "ESP32-H2", "esp32h2", "esp32-h2", 16, { 0xD7B73E80, 0x97E30068 }, 2, FALSE,
    0x0, 4, "GPIO9", 0, TRUE, FALSE, 16, 0x600B0844, 0x600B0848, 0x60003000, 0, 32 },
  { ESPLASH_CHIP_ESP32P4, "ESP32-P4", "esp32p4", "ESP32-P4", 18, { 0x00000000, 0x0ADDBAD0, 0x07039AD9 }, 3, FALSE,
    0x2000, 4, "GPIO35", 0x0012, TRUE, TRUE, 64, 0x5012D044, 0x5012D048, 0x5008D000, 0, 40 },
};

/* A fake chip: registers in a table; reading any other address fails, so
 * the tests also check which addresses the decoders read. */
typedef struct {
  GHashTable *regs;
  guint n_reads;
} FakeRegs;

static void
fake_init (FakeRegs *f)
{
  f->regs = g_hash_table_new (g_direct_hash, g_direct_equal);
  f->n_reads = 0;
}

static void
fake_set (FakeRegs *f,
          guint32   address,
          guint32   value)
{
  g_hash_table_insert (f->regs, GUINT_TO_POINTER (address), GUINT_TO_POINTER (value));
}

static void
fake_clear (FakeRegs *f)
{
  g_clear_pointer (&f->regs, g_hash_table_unref);
}

static gboolean
fake_read (gpointer   user_data,
           guint32    address,
           guint32   *value,
           GError   **error)
{
  FakeRegs *f = user_data;
  gpointer v;

  f->n_reads++;
  if (!g_hash_table_lookup_extended (f->regs, GUINT_TO_POINTER (address), NULL, &v))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT,
                   "no register at 0x%08x", address);
      return FALSE;
    }
  *value = GPOINTER_TO_UINT (v);
  return TRUE;
}

static void
test_identity (void)
{
  guint n = 0;
  const EsplashChipInfo *const *list = esplash_chip_list (&n);

  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (n, ==, ESPLASH_CHIP_N_FAMILIES - 1);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const Expected *e = &expected[i];
      const EsplashChipInfo *chip = esplash_chip_get (e->family);
      g_autofree char *upper = g_ascii_strup (e->id, -1);

      g_test_message ("%s", e->name);
      g_assert_nonnull (chip);
      g_assert_true (list[i] == chip);
      g_assert_cmpint (chip->family, ==, e->family);
      g_assert_cmpstr (chip->name, ==, e->name);
      g_assert_cmpstr (chip->id, ==, e->id);
      g_assert_cmpint (chip->image_chip_id, ==, e->image_id);
      g_assert_cmpint (chip->uses_magic, ==, e->uses_magic);
      g_assert_cmphex (chip->bootloader_offset, ==, e->bootloader);
      g_assert_cmpuint (chip->rom_status_len, ==, e->status_len);
      g_assert_cmpstr (chip->boot_pin, ==, e->boot_pin);
      g_assert_cmphex (chip->usb_otg_pid, ==, e->otg_pid);
      g_assert_cmpint (chip->has_usb_jtag, ==, e->usb_jtag);
      g_assert_cmpint (chip->watchdog_reset_supported, ==, e->watchdog_reset);
      g_assert_cmpuint (chip->stub_max_flash_mb, ==, e->stub_mb);
      g_assert_cmphex (chip->mac_reg0, ==, e->mac0);
      g_assert_cmphex (chip->mac_reg1, ==, e->mac1);
      g_assert_cmphex (chip->spi.base, ==, e->spi_base);
      g_assert_cmphex (chip->uart_clkdiv_reg, ==, e->clkdiv);
      g_assert_cmpstr (chip->stub_name, ==, e->id);

      /* names */
      g_assert_true (esplash_chip_from_id (e->id) == chip);
      g_assert_true (esplash_chip_from_id (e->name) == chip);
      g_assert_true (esplash_chip_from_id (e->dashed) == chip);
      g_assert_true (esplash_chip_from_id (upper) == chip);

      /* image id */
      if (e->image_id >= 0)
        g_assert_true (esplash_chip_from_image_id (e->image_id) == chip);

      /* magic values: every listed one */
      g_assert_cmpuint (chip->n_magic_values, ==, e->n_magic);
      for (guint j = 0; j < e->n_magic; j++)
        {
          g_assert_cmphex (chip->magic_values[j], ==, e->magic[j]);
          g_assert_true (esplash_chip_from_magic_any (e->magic[j]) == chip);
          if (e->uses_magic)
            g_assert_true (esplash_chip_from_magic (e->magic[j]) == chip);
          else
            g_assert_null (esplash_chip_from_magic (e->magic[j]));
        }
    }

  g_assert_null (esplash_chip_get (ESPLASH_CHIP_UNKNOWN));
  g_assert_null (esplash_chip_from_id ("esp32s4"));
  g_assert_null (esplash_chip_from_id (""));
  g_assert_null (esplash_chip_from_id ("esp32c"));
  g_assert_null (esplash_chip_from_magic (0x12345678));
  g_assert_null (esplash_chip_from_magic_any (0x12345678));
  /* retired beta ids */
  g_assert_null (esplash_chip_from_image_id (4));
  g_assert_null (esplash_chip_from_image_id (17));
  g_assert_null (esplash_chip_from_image_id (0xFFFF));
}

static void
test_table_complete (void)
{
  const char *shared = g_getenv ("ESPLASH_SHARED_DIR");
  guint n = 0;
  const EsplashChipInfo *const *list = esplash_chip_list (&n);

  for (guint i = 0; i < n; i++)
    {
      const EsplashChipInfo *c = list[i];
      gboolean esp8266 = c->family == ESPLASH_CHIP_ESP8266;
      gboolean esp32 = c->family == ESPLASH_CHIP_ESP32;
      gboolean s2 = c->family == ESPLASH_CHIP_ESP32S2;
      gboolean otg = c->usb_otg_pid != 0;

      g_test_message ("%s", c->name);
      g_assert_nonnull (c->description);
      g_assert_cmpuint (strlen (c->description), >, 10);
      g_assert_cmpuint (c->n_freqs, >=, 3);
      g_assert_cmpint (esplash_chip_flash_freq_code (c, "40m") >= 0 ||
                       esplash_chip_flash_freq_code (c, "24m") >= 0 ||
                       esplash_chip_flash_freq_code (c, "30m") >= 0, ==, TRUE);

      /* §3.1 */
      g_assert_cmphex (c->rom_flash_block, ==, 0x400);
      g_assert_cmphex (c->stub_flash_block, ==, 0x4000);
      g_assert_cmphex (c->ram_block, ==, 0x1800);
      g_assert_cmphex (c->usb_otg_flash_block, ==, otg ? 0x800 : 0);
      g_assert_cmphex (c->usb_otg_ram_block, ==, otg ? 0x800 : 0);

      /* ROM capabilities */
      g_assert_cmpint (c->rom_is_esp8266_like, ==, esp8266);
      g_assert_cmpint (c->rom_begin_has_encrypt_word, ==, !esp8266 && !esp32);
      g_assert_cmpint (c->has_security_info, ==, !esp8266 && !esp32);
      g_assert_cmpuint (c->security_info_len, ==, (esp8266 || esp32) ? 0 : s2 ? 12 : 20);
      g_assert_cmpint (c->has_read_flash_slow, ==, !esp8266);
      g_assert_cmpint (c->baud_needs_xtal_fix, ==, esp32 || c->family == ESPLASH_CHIP_ESP32C2);

      /* crystal */
      if (c->uart_clkdiv_reg != 0)
        g_assert_cmpuint (c->xtal_clk_divider, ==, esp8266 ? 2 : 1);
      else
        g_assert_cmpuint (c->fixed_xtal_mhz, ==, c->family == ESPLASH_CHIP_ESP32H2 ? 32 : 40);

      /* SPI register block (§6.6) */
      g_assert_cmpint (c->spi.addr_left_aligned, ==, esp8266 || esp32);
      if (esp8266)
        {
          g_assert_cmphex (c->spi.usr, ==, 0x1C);
          g_assert_cmphex (c->spi.mosi_dlen, ==, 0);
          g_assert_cmphex (c->spi.w0, ==, 0x40);
        }
      else if (esp32)
        {
          g_assert_cmphex (c->spi.usr, ==, 0x1C);
          g_assert_cmphex (c->spi.usr1, ==, 0x20);
          g_assert_cmphex (c->spi.usr2, ==, 0x24);
          g_assert_cmphex (c->spi.mosi_dlen, ==, 0x28);
          g_assert_cmphex (c->spi.miso_dlen, ==, 0x2C);
          g_assert_cmphex (c->spi.w0, ==, 0x80);
        }
      else
        {
          g_assert_cmphex (c->spi.usr, ==, 0x18);
          g_assert_cmphex (c->spi.usr1, ==, 0x1C);
          g_assert_cmphex (c->spi.usr2, ==, 0x20);
          g_assert_cmphex (c->spi.mosi_dlen, ==, 0x24);
          g_assert_cmphex (c->spi.miso_dlen, ==, 0x28);
          g_assert_cmphex (c->spi.w0, ==, 0x58);
        }

      /* watchdog registers exist on every chip from S2 on (C6, H2 unused) */
      if (esp8266 || esp32)
        g_assert_cmphex (c->wdt.config0, ==, 0);
      else
        {
          g_assert_cmphex (c->wdt.config0, !=, 0);
          g_assert_cmphex (c->wdt.config1, ==, c->wdt.config0 + 4);
        }
      /* super-WDT on the USB-Serial/JTAG chips */
      g_assert_cmpint (c->wdt.swd_conf != 0, ==, c->has_usb_jtag);
      g_assert_cmpint (c->uartdev_usb_jtag != 0, ==, c->has_usb_jtag);
      g_assert_cmpint (c->uartdev_usb_otg != 0, ==, otg);

      /* a stub for every chip, in the shared stub set */
      if (shared != NULL)
        {
          g_autofree char *file = esplash_chip_stub_file_name (c, 300);
          g_autofree char *path = g_build_filename (shared, "testdata", "stubs", file, NULL);

          g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
        }
    }
}

static void
test_wdt_regs (void)
{
  const EsplashChipInfo *s3 = esplash_chip_get (ESPLASH_CHIP_ESP32S3);
  const EsplashChipInfo *c3 = esplash_chip_get (ESPLASH_CHIP_ESP32C3);
  const EsplashChipInfo *c2 = esplash_chip_get (ESPLASH_CHIP_ESP32C2);
  const EsplashChipInfo *h2 = esplash_chip_get (ESPLASH_CHIP_ESP32H2);
  const EsplashChipInfo *p4 = esplash_chip_get (ESPLASH_CHIP_ESP32P4);
  const EsplashChipInfo *s2 = esplash_chip_get (ESPLASH_CHIP_ESP32S2);
  const EsplashChipFamily c6_like[] = { ESPLASH_CHIP_ESP32C6, ESPLASH_CHIP_ESP32C5, ESPLASH_CHIP_ESP32C61 };

  /* §7.5 */
  g_assert_cmphex (s2->wdt.config0, ==, 0x3F408094);
  g_assert_cmphex (s2->wdt.wprotect, ==, 0x3F4080AC);
  g_assert_cmphex (s2->wdt.swd_conf, ==, 0);
  g_assert_cmphex (s3->wdt.config0, ==, 0x60008098);
  g_assert_cmphex (s3->wdt.wprotect, ==, 0x600080B0);
  g_assert_cmphex (s3->wdt.swd_conf, ==, 0x600080B4);
  g_assert_cmphex (s3->wdt.swd_wprotect, ==, 0x600080B8);
  g_assert_cmphex (s3->wdt.swd_key, ==, 0x8F1D312A);
  g_assert_cmpuint (s3->wdt.swd_autofeed_bit, ==, 31);
  g_assert_cmphex (c3->wdt.config0, ==, 0x60008090);
  g_assert_cmphex (c3->wdt.wprotect, ==, 0x600080A8);
  g_assert_cmphex (c3->wdt.swd_conf, ==, 0x600080AC);
  g_assert_cmphex (c3->wdt.swd_wprotect, ==, 0x600080B0);
  g_assert_cmphex (c3->wdt.swd_key, ==, 0x8F1D312A);
  g_assert_cmphex (c2->wdt.config0, ==, 0x60008084);
  g_assert_cmphex (c2->wdt.wprotect, ==, 0x6000809C);
  for (guint i = 0; i < G_N_ELEMENTS (c6_like); i++)
    {
      const EsplashChipInfo *c = esplash_chip_get (c6_like[i]);

      g_assert_cmphex (c->wdt.config0, ==, 0x600B1C00);
      g_assert_cmphex (c->wdt.wprotect, ==, 0x600B1C18);
      g_assert_cmphex (c->wdt.swd_conf, ==, 0x600B1C1C);
      g_assert_cmphex (c->wdt.swd_wprotect, ==, 0x600B1C20);
      g_assert_cmphex (c->wdt.swd_key, ==, 0x50D83AA1);
      g_assert_cmpuint (c->wdt.swd_autofeed_bit, ==, 18);
    }
  g_assert_cmphex (h2->wdt.wprotect, ==, 0x600B1C1C);
  g_assert_cmphex (h2->wdt.swd_conf, ==, 0x600B1C20);
  g_assert_cmphex (h2->wdt.swd_wprotect, ==, 0x600B1C24);
  g_assert_cmphex (p4->wdt.config0, ==, 0x50116000);
  g_assert_cmphex (p4->wdt.wprotect, ==, 0x50116018);
  g_assert_cmphex (p4->wdt.swd_conf, ==, 0x5011601C);
  g_assert_cmphex (p4->wdt.swd_wprotect, ==, 0x50116020);

  /* §7.4 strap / force-download registers */
  g_assert_cmphex (s2->gpio_strap_reg, ==, 0x3F404038);
  g_assert_cmphex (s2->rtc_option1_reg, ==, 0x3F408128);
  g_assert_cmphex (s3->gpio_strap_reg, ==, 0x60004038);
  g_assert_cmphex (s3->rtc_option1_reg, ==, 0x6000812C);
  g_assert_cmphex (c3->gpio_strap_reg, ==, 0);
}

/* DROM and DRAM per chip, ends exclusive (esptool's MEMORY_MAP; the H2
 * inherits the C6's). The ESP8266 has none recorded: its images carry no chip
 * id to look one up by. */
static void
test_memory_map (void)
{
  static const struct {
    EsplashChipFamily family;
    guint32 drom_start, drom_end, dram_start, dram_end;
  } maps[] = {
    { ESPLASH_CHIP_ESP8266,  0, 0, 0, 0 },
    { ESPLASH_CHIP_ESP32,    0x3F400000, 0x3F800000, 0x3FFAE000, 0x40000000 },
    { ESPLASH_CHIP_ESP32S2,  0x3F000000, 0x3FF80000, 0x3FFB0000, 0x40000000 },
    { ESPLASH_CHIP_ESP32S3,  0x3C000000, 0x3D000000, 0x3FC88000, 0x3FD00000 },
    { ESPLASH_CHIP_ESP32C2,  0x3C000000, 0x3C400000, 0x3FCA0000, 0x3FCE0000 },
    { ESPLASH_CHIP_ESP32C3,  0x3C000000, 0x3C800000, 0x3FC80000, 0x3FCE0000 },
    { ESPLASH_CHIP_ESP32C5,  0x42000000, 0x44000000, 0x40800000, 0x40860000 },
    { ESPLASH_CHIP_ESP32C6,  0x42000000, 0x43000000, 0x40800000, 0x40880000 },
    { ESPLASH_CHIP_ESP32C61, 0x42000000, 0x44000000, 0x40800000, 0x40860000 },
    { ESPLASH_CHIP_ESP32H2,  0x42000000, 0x43000000, 0x40800000, 0x40880000 },
    { ESPLASH_CHIP_ESP32P4,  0x40000000, 0x4C000000, 0x4FF00000, 0x4FFA0000 },
  };
  guint n = 0;
  const EsplashChipInfo *const *list = esplash_chip_list (&n);

  g_assert_cmpuint (n, ==, G_N_ELEMENTS (maps));
  for (guint i = 0; i < G_N_ELEMENTS (maps); i++)
    {
      const EsplashChipInfo *c = esplash_chip_get (maps[i].family);

      g_test_message ("%s", c->name);
      g_assert_cmphex (c->drom_start, ==, maps[i].drom_start);
      g_assert_cmphex (c->drom_end, ==, maps[i].drom_end);
      g_assert_cmphex (c->dram_start, ==, maps[i].dram_start);
      g_assert_cmphex (c->dram_end, ==, maps[i].dram_end);
    }

  /* every chip whose images name it has both ranges, non-empty and apart;
   * a chip without them has neither */
  for (guint i = 0; i < n; i++)
    {
      const EsplashChipInfo *c = list[i];

      g_test_message ("%s", c->name);
      if (c->image_chip_id >= 0)
        {
          g_assert_cmphex (c->drom_start, <, c->drom_end);
          g_assert_cmphex (c->dram_start, <, c->dram_end);
          g_assert_true (c->drom_end <= c->dram_start || c->dram_end <= c->drom_start);
        }
      else
        {
          g_assert_cmphex (c->drom_start, ==, 0);
          g_assert_cmphex (c->drom_end, ==, 0);
          g_assert_cmphex (c->dram_start, ==, 0);
          g_assert_cmphex (c->dram_end, ==, 0);
        }
    }
}

static void
test_usb (void)
{
  EsplashConsole console = ESPLASH_CONSOLE_UART;

  g_assert_null (esplash_chip_from_usb (0x303A, 0x1001, &console));
  g_assert_cmpint (console, ==, ESPLASH_CONSOLE_USB_JTAG);
  g_assert_true (esplash_chip_from_usb (0x303A, 0x0002, &console) == esplash_chip_get (ESPLASH_CHIP_ESP32S2));
  g_assert_cmpint (console, ==, ESPLASH_CONSOLE_USB_OTG);
  g_assert_true (esplash_chip_from_usb (0x303A, 0x0009, &console) == esplash_chip_get (ESPLASH_CHIP_ESP32S3));
  g_assert_cmpint (console, ==, ESPLASH_CONSOLE_USB_OTG);
  g_assert_true (esplash_chip_from_usb (0x303A, 0x0012, &console) == esplash_chip_get (ESPLASH_CHIP_ESP32P4));
  g_assert_cmpint (console, ==, ESPLASH_CONSOLE_USB_OTG);
  /* a CP2102 bridge, and an unknown Espressif PID */
  g_assert_null (esplash_chip_from_usb (0x10C4, 0xEA60, &console));
  g_assert_cmpint (console, ==, ESPLASH_CONSOLE_UART);
  g_assert_null (esplash_chip_from_usb (0x303A, 0x0005, &console));
  g_assert_cmpint (console, ==, ESPLASH_CONSOLE_UART);
  /* same PID under another vendor is not ours */
  g_assert_null (esplash_chip_from_usb (0x1234, 0x1001, &console));
  g_assert_cmpint (console, ==, ESPLASH_CONSOLE_UART);
  g_assert_null (esplash_chip_from_usb (0x303A, 0x1001, NULL));
}

static void
test_uartdev (void)
{
  const EsplashChipInfo *c3 = esplash_chip_get (ESPLASH_CHIP_ESP32C3);
  const EsplashChipInfo *c61 = esplash_chip_get (ESPLASH_CHIP_ESP32C61);
  const EsplashChipInfo *p4 = esplash_chip_get (ESPLASH_CHIP_ESP32P4);
  const EsplashChipInfo *s3 = esplash_chip_get (ESPLASH_CHIP_ESP32S3);
  const EsplashChipInfo *s2 = esplash_chip_get (ESPLASH_CHIP_ESP32S2);

  /* §6.4 */
  g_assert_cmphex (esplash_chip_uartdev_address (c3, 100), ==, 0x3FCDF07C);
  g_assert_cmphex (esplash_chip_uartdev_address (c3, 101), ==, 0x3FCDF078);
  g_assert_cmphex (esplash_chip_uartdev_address (c3, 104), ==, 0x3FCDF078);
  g_assert_cmpint (esplash_chip_console_from_uartdev (c3, 104, 3), ==, ESPLASH_CONSOLE_USB_JTAG);
  g_assert_cmpint (esplash_chip_console_from_uartdev (c3, 104, 0x103), ==, ESPLASH_CONSOLE_USB_JTAG);
  g_assert_cmpint (esplash_chip_console_from_uartdev (c3, 104, 1), ==, ESPLASH_CONSOLE_UART);

  g_assert_cmphex (esplash_chip_uartdev_address (c61, 2), ==, 0x4084F5EC);
  g_assert_cmphex (esplash_chip_uartdev_address (c61, 3), ==, 0x4084F5E4);
  g_assert_cmpint (esplash_chip_console_from_uartdev (c61, 2, 3), ==, ESPLASH_CONSOLE_USB_JTAG);
  g_assert_cmpint (esplash_chip_console_from_uartdev (c61, 3, 4), ==, ESPLASH_CONSOLE_USB_JTAG);
  g_assert_cmpint (esplash_chip_console_from_uartdev (c61, 3, 3), ==, ESPLASH_CONSOLE_UART);

  g_assert_cmphex (esplash_chip_uartdev_address (p4, 100), ==, 0x4FF3FEC8);
  g_assert_cmphex (esplash_chip_uartdev_address (p4, 300), ==, 0x4FFBFEC8);
  g_assert_cmpint (esplash_chip_console_from_uartdev (p4, 301, 5), ==, ESPLASH_CONSOLE_USB_OTG);
  g_assert_cmpint (esplash_chip_console_from_uartdev (p4, 301, 6), ==, ESPLASH_CONSOLE_USB_JTAG);

  g_assert_cmphex (esplash_chip_uartdev_address (s3, 0), ==, 0x3FCEF14C);
  g_assert_cmpint (esplash_chip_console_from_uartdev (s3, 2, 3), ==, ESPLASH_CONSOLE_USB_OTG);
  g_assert_cmpint (esplash_chip_console_from_uartdev (s3, 2, 4), ==, ESPLASH_CONSOLE_USB_JTAG);
  g_assert_cmpint (esplash_chip_console_from_uartdev (s3, 2, 0), ==, ESPLASH_CONSOLE_UART);
  g_assert_cmphex (esplash_chip_uartdev_address (s2, 0), ==, 0x3FFFFD14);
  g_assert_cmpint (esplash_chip_console_from_uartdev (s2, 0, 2), ==, ESPLASH_CONSOLE_USB_OTG);

  g_assert_cmphex (esplash_chip_uartdev_address (esplash_chip_get (ESPLASH_CHIP_ESP32C6), 0), ==, 0x4087F580);
  g_assert_cmphex (esplash_chip_uartdev_address (esplash_chip_get (ESPLASH_CHIP_ESP32H2), 0), ==, 0x4084FEFC);
  g_assert_cmphex (esplash_chip_uartdev_address (esplash_chip_get (ESPLASH_CHIP_ESP32C5), 0), ==, 0x4085F514);
  g_assert_cmphex (esplash_chip_uartdev_address (esplash_chip_get (ESPLASH_CHIP_ESP32), 0), ==, 0);
  g_assert_cmpint (esplash_chip_console_from_uartdev (esplash_chip_get (ESPLASH_CHIP_ESP32), 0, 3),
                   ==, ESPLASH_CONSOLE_UART);
}

static guint
revision_of (EsplashChipFamily family,
             FakeRegs         *f)
{
  g_autoptr(GError) error = NULL;
  guint rev = 9999;

  g_assert_true (esplash_chip_read_revision (esplash_chip_get (family), fake_read, f, &rev, &error));
  g_assert_no_error (error);
  return rev;
}

static void
test_revision_esp32 (void)
{
  /* b0 = word3 bit 15, b1 = word5 bit 20, b2 = APB_CTL_DATE bit 31 */
  static const struct { guint b0, b1, b2, major; } combos[] = {
    { 0, 0, 0, 0 }, { 1, 0, 0, 1 }, { 1, 1, 0, 2 }, { 1, 1, 1, 3 },
    { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 1, 0, 1, 0 }, { 0, 1, 1, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (combos); i++)
    for (guint minor = 0; minor < 4; minor += 3)
      {
        FakeRegs f;

        fake_init (&f);
        fake_set (&f, 0x3FF5A00C, combos[i].b0 << 15 | 0x00007FFF);
        fake_set (&f, 0x3FF5A014, combos[i].b1 << 20 | minor << 24 | 0x000FFFFF);
        fake_set (&f, 0x3FF6607C, combos[i].b2 << 31 | 0x16042000);
        g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32, &f), ==, combos[i].major * 100 + minor);
        fake_clear (&f);
      }
}

static void
test_revision_others (void)
{
  FakeRegs f;

  /* ESP32-S3 v0.2: major word 0x60007058 bits 25:24, minor hi bit 23;
   * minor lo 0x60007050 bits 20:18 */
  fake_init (&f);
  fake_set (&f, 0x60007058, 0);
  fake_set (&f, 0x60007050, 2 << 18);
  fake_set (&f, 0x6000706C, 0);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32S3, &f), ==, 2);
  /* v1.9 (hi bit set) */
  fake_set (&f, 0x60007058, 1 << 24 | 1 << 23);
  fake_set (&f, 0x60007050, 1 << 18);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32S3, &f), ==, 109);
  /* v0.0 chips with block version 1.1 reuse the major field: reported as 0.0 */
  fake_set (&f, 0x60007058, 1 << 24);
  fake_set (&f, 0x60007050, 1 << 24);
  fake_set (&f, 0x6000706C, 1);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32S3, &f), ==, 0);
  /* same fields with block version 1.0 → a real v1.0 */
  fake_set (&f, 0x60007050, 0);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32S3, &f), ==, 100);
  fake_clear (&f);

  /* ESP32-S2: major 0x3F41A050 bits 19:18, minor hi bit 20, minor lo 0x3F41A054 bits 6:4 */
  fake_init (&f);
  fake_set (&f, 0x3F41A050, 1 << 18 | 1 << 20);
  fake_set (&f, 0x3F41A054, 1 << 4);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32S2, &f), ==, 109);
  fake_clear (&f);

  /* ESP32-C3 v1.1 */
  fake_init (&f);
  fake_set (&f, 0x60008858, 1 << 24);
  fake_set (&f, 0x60008850, 1 << 18 | 0xFF000000);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32C3, &f), ==, 101);
  fake_set (&f, 0x60008858, 0 << 24 | 1 << 23);
  fake_set (&f, 0x60008850, 4 << 18);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32C3, &f), ==, 12);
  fake_clear (&f);

  /* ESP32-C2 v1.2: 0x60008844 major bits 21:20, minor 19:16 */
  fake_init (&f);
  fake_set (&f, 0x60008844, 1 << 20 | 2 << 16);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32C2, &f), ==, 102);
  fake_clear (&f);

  /* ESP32-C6 v0.1 and v1.15: 0x600B0850 major 23:22, minor 21:18 */
  fake_init (&f);
  fake_set (&f, 0x600B0850, 1 << 18);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32C6, &f), ==, 1);
  fake_set (&f, 0x600B0850, 1 << 22 | 0xF << 18);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32C6, &f), ==, 115);

  /* ESP32-H2 v1.2: same word, major 22:21, minor 20:18 */
  fake_set (&f, 0x600B0850, 1 << 21 | 2 << 18);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32H2, &f), ==, 102);
  fake_clear (&f);

  /* ESP32-C5 v1.0, ESP32-C61 v0.3: 0x600B484C major 5:4, minor 3:0 */
  fake_init (&f);
  fake_set (&f, 0x600B484C, 1 << 4);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32C5, &f), ==, 100);
  fake_set (&f, 0x600B484C, 3);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32C61, &f), ==, 3);
  fake_clear (&f);

  /* ESP32-P4 v3.01 and v5.0 (major bit 2 in bit 23) */
  fake_init (&f);
  fake_set (&f, 0x5012D04C, 3 << 4 | 1);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32P4, &f), ==, 301);
  fake_set (&f, 0x5012D04C, 1 << 23 | 1 << 4);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP32P4, &f), ==, 500);
  fake_clear (&f);

  /* ESP8266: no revision and no reads */
  fake_init (&f);
  g_assert_cmpuint (revision_of (ESPLASH_CHIP_ESP8266, &f), ==, 0);
  g_assert_cmpuint (f.n_reads, ==, 0);
  fake_clear (&f);
}

static void
test_revision_all_zero (void)
{
  /* Every chip reads only registers we know about and gets v0.0 from zeros. */
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const EsplashChipInfo *chip = esplash_chip_get (expected[i].family);
      g_autoptr(GError) error = NULL;
      FakeRegs f;
      guint rev = 1;

      fake_init (&f);
      /* no register at all: every chip but the ESP8266 must fail, naming itself */
      if (chip->family != ESPLASH_CHIP_ESP8266)
        {
          g_assert_false (esplash_chip_read_revision (chip, fake_read, &f, &rev, &error));
          g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT);
          g_assert_nonnull (strstr (error->message, chip->name));
          g_assert_nonnull (strstr (error->message, "no register at 0x"));
        }
      for (guint32 off = 0; off < 0x80; off += 4)
        fake_set (&f, chip->efuse_base + off, 0);
      fake_set (&f, 0x3FF6607C, 0);
      g_assert_cmpuint (revision_of (chip->family, &f), ==, 0);
      fake_clear (&f);
    }
}

static void
test_mac (void)
{
  const guint8 want[6] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const EsplashChipInfo *chip = esplash_chip_get (expected[i].family);
      g_autoptr(GError) error = NULL;
      guint8 mac[6] = { 0 };
      FakeRegs f;

      if (chip->family == ESPLASH_CHIP_ESP8266)
        continue;
      g_test_message ("%s", chip->name);
      fake_init (&f);
      /* word 0 = the low four bytes, word 1 bits 15:0 the high two; 31:16 CRC/other */
      fake_set (&f, expected[i].mac0, 0x33445566);
      fake_set (&f, expected[i].mac1, 0xABCD1122);
      g_assert_true (esplash_chip_read_mac (chip, fake_read, &f, mac, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (mac, 6, want, 6);
      fake_clear (&f);
    }
}

static void
test_mac_esp8266 (void)
{
  const EsplashChipInfo *chip = esplash_chip_get (ESPLASH_CHIP_ESP8266);
  static const struct { guint32 m0, m1, m3; guint8 mac[6]; } cases[] = {
    { 0xAB000000, 0x0000CDEF, 0, { 0x18, 0xFE, 0x34, 0xCD, 0xEF, 0xAB } },
    { 0xAB123456, 0x0001CDEF, 0, { 0xAC, 0xD0, 0x74, 0xCD, 0xEF, 0xAB } },
    { 0x01FFFFFF, 0x00050203, 0x00A1B2C3, { 0xA1, 0xB2, 0xC3, 0x02, 0x03, 0x01 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint8 mac[6] = { 0 };
      FakeRegs f;

      fake_init (&f);
      fake_set (&f, 0x3FF00050, cases[i].m0);
      fake_set (&f, 0x3FF00054, cases[i].m1);
      fake_set (&f, 0x3FF0005C, cases[i].m3);
      g_assert_true (esplash_chip_read_mac (chip, fake_read, &f, mac, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (mac, 6, cases[i].mac, 6);
      fake_clear (&f);
    }

  /* OUI selector 2 without word 3: unknown */
  {
    g_autoptr(GError) error = NULL;
    guint8 mac[6];
    FakeRegs f;

    fake_init (&f);
    fake_set (&f, 0x3FF00050, 0);
    fake_set (&f, 0x3FF00054, 0x00020000);
    fake_set (&f, 0x3FF0005C, 0);
    g_assert_false (esplash_chip_read_mac (chip, fake_read, &f, mac, &error));
    g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE);
    g_assert_nonnull (strstr (error->message, "OUI"));
    fake_clear (&f);
  }
}

static guint
crystal_of (EsplashChipFamily family,
            guint32           clkdiv,
            guint             baud)
{
  const EsplashChipInfo *chip = esplash_chip_get (family);
  g_autoptr(GError) error = NULL;
  guint mhz = 0;
  FakeRegs f;

  fake_init (&f);
  if (chip->uart_clkdiv_reg != 0)
    fake_set (&f, chip->uart_clkdiv_reg, clkdiv);
  g_assert_true (esplash_chip_read_crystal (chip, fake_read, &f, baud, &mhz, &error));
  g_assert_no_error (error);
  if (chip->uart_clkdiv_reg == 0)
    g_assert_cmpuint (f.n_reads, ==, 0);
  fake_clear (&f);
  return mhz;
}

static void
test_crystal (void)
{
  /* ESP8266, divider 2: 26 MHz at 115200 → 0x1C4 (public trace) */
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP8266, 0x1C4, 115200), ==, 26);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP8266, 2 * 347, 115200), ==, 40);
  /* ESP32, divider 1: 40 MHz / 115200 ≈ 347; 26 MHz ≈ 226 */
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32, 347, 115200), ==, 40);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32, 226, 115200), ==, 26);
  /* only the low 20 bits are the divider */
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32, 0xFFF00000 | 347, 115200), ==, 40);
  /* C5 with 48 MHz: 417 */
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32C5, 417, 115200), ==, 48);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32C2, 226, 115200), ==, 26);
  /* thresholds: strictly above 45 → 48, strictly above 33 → 40 (1 Mbaud makes div = MHz) */
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32, 45, 1000000), ==, 40);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32, 46, 1000000), ==, 48);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32, 33, 1000000), ==, 26);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32, 34, 1000000), ==, 40);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP8266, 90, 1000000), ==, 40);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP8266, 91, 1000000), ==, 48);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP8266, 66, 1000000), ==, 26);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP8266, 67, 1000000), ==, 40);
  /* fixed crystals, no reads */
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32S2, 0, 115200), ==, 40);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32S3, 0, 115200), ==, 40);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32C3, 0, 115200), ==, 40);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32C6, 0, 115200), ==, 40);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32C61, 0, 115200), ==, 40);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32P4, 0, 115200), ==, 40);
  g_assert_cmpuint (crystal_of (ESPLASH_CHIP_ESP32H2, 0, 115200), ==, 32);
}

static void
test_flash_size_from_id (void)
{
  /* id = manufacturer | type << 8 | capacity << 16, so the JEDEC id
   * C8 40 16 (GigaDevice, 4 MiB) reads as 0x1640C8 */
  g_assert_cmpuint (esplash_flash_size_from_id (0x1640C8), ==, 4 * 1024 * 1024);
  g_assert_cmpuint (esplash_flash_size_from_id (0x1840EF), ==, 16 * 1024 * 1024);   /* Winbond */
  g_assert_cmpuint (esplash_flash_size_from_id (0x1440EF), ==, 1024 * 1024);
  g_assert_cmpuint (esplash_flash_size_from_id (0x124020), ==, 256 * 1024);
  g_assert_cmpuint (esplash_flash_size_from_id (0x1C40EF), ==, 256 * 1024 * 1024);
  g_assert_cmpuint (esplash_flash_size_from_id (0x2060C2), ==, 64 * 1024 * 1024);
  g_assert_cmpuint (esplash_flash_size_from_id (0x2260C2), ==, 256 * 1024 * 1024);
  g_assert_cmpuint (esplash_flash_size_from_id (0x3670C8), ==, 4 * 1024 * 1024);
  g_assert_cmpuint (esplash_flash_size_from_id (0x3A70C8), ==, 64 * 1024 * 1024);
  g_assert_cmpuint (esplash_flash_size_from_id (0x3B70C8), ==, 0);
  g_assert_cmpuint (esplash_flash_size_from_id (0x1040EF), ==, 0);
  g_assert_cmpuint (esplash_flash_size_from_id (0xFFFFFF), ==, 0);
  g_assert_cmpuint (esplash_flash_size_from_id (0x000000), ==, 0);
  /* Adesto: the size is type & 0x1F, 0x04 = 512 KiB … 0x09 = 16 MiB */
  g_assert_cmpuint (esplash_flash_size_from_id (0x01841F), ==, 512 * 1024);
  g_assert_cmpuint (esplash_flash_size_from_id (0x01861F), ==, 2 * 1024 * 1024);
  g_assert_cmpuint (esplash_flash_size_from_id (0x01891F), ==, 16 * 1024 * 1024);
  g_assert_cmpuint (esplash_flash_size_from_id (0x00481F), ==, 8 * 1024 * 1024);
}

static void
test_codes (void)
{
  const EsplashChipInfo *esp32 = esplash_chip_get (ESPLASH_CHIP_ESP32);
  const EsplashChipInfo *esp8266 = esplash_chip_get (ESPLASH_CHIP_ESP8266);
  const EsplashChipInfo *s3 = esplash_chip_get (ESPLASH_CHIP_ESP32S3);
  const guint32 M = 1024 * 1024;

  /* size nibble, ESP32 family */
  g_assert_cmpint (esplash_chip_flash_size_code (esp32, 1 * M), ==, 0);
  g_assert_cmpint (esplash_chip_flash_size_code (esp32, 2 * M), ==, 1);
  g_assert_cmpint (esplash_chip_flash_size_code (s3, 4 * M), ==, 2);
  g_assert_cmpint (esplash_chip_flash_size_code (s3, 8 * M), ==, 3);
  g_assert_cmpint (esplash_chip_flash_size_code (s3, 16 * M), ==, 4);
  g_assert_cmpint (esplash_chip_flash_size_code (s3, 32 * M), ==, 5);
  g_assert_cmpint (esplash_chip_flash_size_code (s3, 64 * M), ==, 6);
  g_assert_cmpint (esplash_chip_flash_size_code (s3, 128 * M), ==, 7);
  g_assert_cmpint (esplash_chip_flash_size_code (esp32, 512 * 1024), ==, -1);
  g_assert_cmpint (esplash_chip_flash_size_code (esp32, 3 * M), ==, -1);
  /* ESP8266 table */
  g_assert_cmpint (esplash_chip_flash_size_code (esp8266, 512 * 1024), ==, 0x0);
  g_assert_cmpint (esplash_chip_flash_size_code (esp8266, 256 * 1024), ==, 0x1);
  g_assert_cmpint (esplash_chip_flash_size_code (esp8266, 1 * M), ==, 0x2);
  g_assert_cmpint (esplash_chip_flash_size_code (esp8266, 2 * M), ==, 0x3);
  g_assert_cmpint (esplash_chip_flash_size_code (esp8266, 4 * M), ==, 0x4);
  g_assert_cmpint (esplash_chip_flash_size_code (esp8266, 8 * M), ==, 0x8);
  g_assert_cmpint (esplash_chip_flash_size_code (esp8266, 16 * M), ==, 0x9);
  g_assert_cmpint (esplash_chip_flash_size_code (esp8266, 32 * M), ==, -1);

  /* frequency nibble (§6.3) */
  g_assert_cmpint (esplash_chip_flash_freq_code (esp32, "80m"), ==, 0xF);
  g_assert_cmpint (esplash_chip_flash_freq_code (esp32, "40m"), ==, 0x0);
  g_assert_cmpint (esplash_chip_flash_freq_code (esp32, "26m"), ==, 0x1);
  g_assert_cmpint (esplash_chip_flash_freq_code (esp32, "20m"), ==, 0x2);
  g_assert_cmpint (esplash_chip_flash_freq_code (esp32, "40M"), ==, 0x0);
  g_assert_cmpint (esplash_chip_flash_freq_code (esp32, "60m"), ==, -1);
  g_assert_cmpint (esplash_chip_flash_freq_code (esp8266, "26m"), ==, 0x1);
  g_assert_cmpint (esplash_chip_flash_freq_code (esplash_chip_get (ESPLASH_CHIP_ESP32P4), "80m"), ==, 0xF);
  {
    const EsplashChipInfo *c2 = esplash_chip_get (ESPLASH_CHIP_ESP32C2);
    const EsplashChipInfo *c6 = esplash_chip_get (ESPLASH_CHIP_ESP32C6);
    const EsplashChipInfo *h2 = esplash_chip_get (ESPLASH_CHIP_ESP32H2);
    const EsplashChipInfo *c5 = esplash_chip_get (ESPLASH_CHIP_ESP32C5);
    const EsplashChipInfo *c61 = esplash_chip_get (ESPLASH_CHIP_ESP32C61);

    g_assert_cmpint (esplash_chip_flash_freq_code (c2, "60m"), ==, 0xF);
    g_assert_cmpint (esplash_chip_flash_freq_code (c2, "30m"), ==, 0x0);
    g_assert_cmpint (esplash_chip_flash_freq_code (c2, "20m"), ==, 0x1);
    g_assert_cmpint (esplash_chip_flash_freq_code (c2, "15m"), ==, 0x2);
    g_assert_cmpint (esplash_chip_flash_freq_code (c2, "40m"), ==, -1);
    g_assert_cmpint (esplash_chip_flash_freq_code (c6, "80m"), ==, 0x0);
    g_assert_cmpint (esplash_chip_flash_freq_code (c6, "40m"), ==, 0x0);
    g_assert_cmpint (esplash_chip_flash_freq_code (c6, "20m"), ==, 0x2);
    g_assert_cmpint (esplash_chip_flash_freq_code (c6, "26m"), ==, -1);
    g_assert_cmpint (esplash_chip_flash_freq_code (h2, "48m"), ==, 0xF);
    g_assert_cmpint (esplash_chip_flash_freq_code (h2, "24m"), ==, 0x0);
    g_assert_cmpint (esplash_chip_flash_freq_code (h2, "16m"), ==, 0x1);
    g_assert_cmpint (esplash_chip_flash_freq_code (h2, "12m"), ==, 0x2);
    g_assert_cmpint (esplash_chip_flash_freq_code (c5, "80m"), ==, 0xF);
    g_assert_cmpint (esplash_chip_flash_freq_code (c5, "20m"), ==, 0x2);
    g_assert_cmpint (esplash_chip_flash_freq_code (c5, "26m"), ==, -1);
    g_assert_cmpint (esplash_chip_flash_freq_code (c61, "40m"), ==, 0x0);
  }

  /* mode byte */
  g_assert_cmpint (esplash_flash_mode_code ("qio"), ==, 0);
  g_assert_cmpint (esplash_flash_mode_code ("qout"), ==, 1);
  g_assert_cmpint (esplash_flash_mode_code ("dio"), ==, 2);
  g_assert_cmpint (esplash_flash_mode_code ("dout"), ==, 3);
  g_assert_cmpint (esplash_flash_mode_code ("DIO"), ==, 2);
  g_assert_cmpint (esplash_flash_mode_code ("keep"), ==, -1);
  g_assert_cmpint (esplash_flash_mode_code (""), ==, -1);

  /* size names */
  g_assert_cmpuint (esplash_flash_size_parse ("4MB"), ==, 4 * M);
  g_assert_cmpuint (esplash_flash_size_parse ("256KB"), ==, 256 * 1024);
  g_assert_cmpuint (esplash_flash_size_parse ("512KB"), ==, 512 * 1024);
  g_assert_cmpuint (esplash_flash_size_parse ("128MB"), ==, 128 * M);
  g_assert_cmpuint (esplash_flash_size_parse ("16mb"), ==, 16 * M);
  g_assert_cmpuint (esplash_flash_size_parse ("detect"), ==, 0);
  g_assert_cmpuint (esplash_flash_size_parse ("keep"), ==, 0);
  g_assert_cmpuint (esplash_flash_size_parse ("MB"), ==, 0);
  g_assert_cmpuint (esplash_flash_size_parse ("4"), ==, 0);
  g_assert_cmpuint (esplash_flash_size_parse ("4MB "), ==, 0);
  g_assert_cmpuint (esplash_flash_size_parse ("0MB"), ==, 0);
  g_assert_cmpuint (esplash_flash_size_parse ("4096MB"), ==, 0);
  g_assert_cmpuint (esplash_flash_size_parse ("99999999999MB"), ==, 0);
}

static void
test_stub_file_name (void)
{
  g_autofree char *s3 = esplash_chip_stub_file_name (esplash_chip_get (ESPLASH_CHIP_ESP32S3), 2);
  g_autofree char *c61 = esplash_chip_stub_file_name (esplash_chip_get (ESPLASH_CHIP_ESP32C61), 0);
  g_autofree char *p4_old = esplash_chip_stub_file_name (esplash_chip_get (ESPLASH_CHIP_ESP32P4), 100);
  g_autofree char *p4_edge = esplash_chip_stub_file_name (esplash_chip_get (ESPLASH_CHIP_ESP32P4), 299);
  g_autofree char *p4_new = esplash_chip_stub_file_name (esplash_chip_get (ESPLASH_CHIP_ESP32P4), 300);
  g_autofree char *p4_301 = esplash_chip_stub_file_name (esplash_chip_get (ESPLASH_CHIP_ESP32P4), 301);

  g_assert_cmpstr (s3, ==, "esp32s3.json");
  g_assert_cmpstr (c61, ==, "esp32c61.json");
  g_assert_cmpstr (p4_old, ==, "esp32p4-rev1.json");
  g_assert_cmpstr (p4_edge, ==, "esp32p4-rev1.json");
  g_assert_cmpstr (p4_new, ==, "esp32p4.json");
  g_assert_cmpstr (p4_301, ==, "esp32p4.json");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/chip/identity", test_identity);
  g_test_add_func ("/esplash/chip/table-complete", test_table_complete);
  g_test_add_func ("/esplash/chip/wdt-regs", test_wdt_regs);
  g_test_add_func ("/esplash/chip/memory-map", test_memory_map);
  g_test_add_func ("/esplash/chip/usb", test_usb);
  g_test_add_func ("/esplash/chip/uartdev", test_uartdev);
  g_test_add_func ("/esplash/chip/revision/esp32", test_revision_esp32);
  g_test_add_func ("/esplash/chip/revision/others", test_revision_others);
  g_test_add_func ("/esplash/chip/revision/all-zero", test_revision_all_zero);
  g_test_add_func ("/esplash/chip/mac/esp32-family", test_mac);
  g_test_add_func ("/esplash/chip/mac/esp8266", test_mac_esp8266);
  g_test_add_func ("/esplash/chip/crystal", test_crystal);
  g_test_add_func ("/esplash/chip/flash-size-from-id", test_flash_size_from_id);
  g_test_add_func ("/esplash/chip/codes", test_codes);
  g_test_add_func ("/esplash/chip/stub-file-name", test_stub_file_name);

  return g_test_run ();
}
