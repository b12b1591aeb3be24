/* esplash-chip.c: the one table of Espressif chip facts.
 *
 * Every value comes from ../shared/docs/protocol.md: identity §6.1, status
 * lengths and frequency codes §6.3, console register §6.4, crystal/MAC/revision
 * §6.5, SPI registers and flash ids §6.6, block sizes §3.1, stubs §5,
 * resets and watchdogs §7; the memory maps (DROM, DRAM) from esptool's
 * esptool/targets/<chip>.py MEMORY_MAP (the ESP32-H2 inherits the C6's).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-chip.h"
#include "esplash-error.h"

#define KiB 1024u
#define MiB (1024u * 1024u)

/* Magic values at ESPLASH_CHIP_DETECT_MAGIC_REG, incl. the esptool-js extras. */
static const guint32 magic_esp8266[] = { 0xFFF0C101 };
static const guint32 magic_esp32[] = { 0x00F01D83 };
static const guint32 magic_esp32s2[] = { 0x000007C6 };
static const guint32 magic_esp32s3[] = { 0x00000009 };
static const guint32 magic_esp32c2[] = { 0x6F51306F, 0x7C41A06F, 0x0C21E06F };
static const guint32 magic_esp32c3[] = { 0x6921506F, 0x1B31506F, 0x4881606F, 0x4361606F };
static const guint32 magic_esp32c5[] = { 0x1101406F, 0x63E1406F, 0x5FD1406F };
static const guint32 magic_esp32c6[] = { 0x2CE0806F };
static const guint32 magic_esp32c61[] = { 0x33F0206F, 0x2421606F, 0x4F81606F };
static const guint32 magic_esp32h2[] = { 0xD7B73E80, 0x97E30068 };
static const guint32 magic_esp32p4[] = { 0x00000000, 0x0ADDBAD0, 0x07039AD9 };

/* Image header frequency nibbles (§6.3). */
static const char *const freq_names_std[] = { "80m", "40m", "26m", "20m" };
static const guint8 freq_codes_std[] = { 0xF, 0x0, 0x1, 0x2 };
static const char *const freq_names_c2[] = { "60m", "30m", "20m", "15m" };
static const guint8 freq_codes_c2[] = { 0xF, 0x0, 0x1, 0x2 };
/* C6: 80m shares 40m's code, the ROM's divider workaround */
static const char *const freq_names_c6[] = { "80m", "40m", "20m" };
static const guint8 freq_codes_c6[] = { 0x0, 0x0, 0x2 };
static const char *const freq_names_c5[] = { "80m", "40m", "20m" };
static const guint8 freq_codes_c5[] = { 0xF, 0x0, 0x2 };
static const char *const freq_names_h2[] = { "48m", "24m", "16m", "12m" };
static const guint8 freq_codes_h2[] = { 0xF, 0x0, 0x1, 0x2 };

#define MAGIC(a) .magic_values = (a), .n_magic_values = G_N_ELEMENTS (a)
#define FREQS(n, c) .freq_names = (n), .freq_codes = (c), .n_freqs = G_N_ELEMENTS (n)
/* memory map ranges, ends exclusive */
#define DROM(start, end) .drom_start = (start), .drom_end = (end)
#define DRAM(start, end) .dram_start = (start), .dram_end = (end)

/* SPI user-command blocks (§6.6) */
#define SPI_ESP8266 { 0x60000200, 0x1C, 0x20, 0x24, 0, 0, 0x40, TRUE }
#define SPI_ESP32   { 0x3FF42000, 0x1C, 0x20, 0x24, 0x28, 0x2C, 0x80, TRUE }
#define SPI_NEW(b)  { (b), 0x18, 0x1C, 0x20, 0x24, 0x28, 0x58, FALSE }

/* Fields every ESP32-family ROM shares; rows override what differs. */
#define ESP32_FAMILY_ROM \
  .rom_status_len = 4, \
  .rom_flash_block = 0x400, \
  .stub_flash_block = 0x4000, \
  .ram_block = 0x1800, \
  .has_read_flash_slow = TRUE

static const EsplashChipInfo chips[] = {
  {
    .family = ESPLASH_CHIP_ESP8266, .name = "ESP8266", .id = "esp8266",
    .image_chip_id = -1, MAGIC (magic_esp8266), .uses_magic = TRUE,
    .bootloader_offset = 0x0, .rom_status_len = 2, .rom_is_esp8266_like = TRUE,
    .uart_clkdiv_reg = 0x60000014, .xtal_clk_divider = 2,
    .efuse_base = 0x3FF00050, .mac_reg0 = 0x3FF00050, .mac_reg1 = 0x3FF00054, .mac_reg3 = 0x3FF0005C,
    .spi = SPI_ESP8266,
    .rom_flash_block = 0x400, .stub_flash_block = 0x4000, .ram_block = 0x1800,
    .stub_max_flash_mb = 16, .stub_name = "esp8266", .boot_pin = "GPIO0",
    .description = "Wi-Fi, single core Xtensa L106, 80/160 MHz",
    FREQS (freq_names_std, freq_codes_std),
  },
  {
    .family = ESPLASH_CHIP_ESP32, .name = "ESP32", .id = "esp32",
    .image_chip_id = 0, MAGIC (magic_esp32), .uses_magic = TRUE,
    .bootloader_offset = 0x1000, ESP32_FAMILY_ROM,
    .uart_clkdiv_reg = 0x3FF40014, .xtal_clk_divider = 1,
    .efuse_base = 0x3FF5A000, .mac_reg0 = 0x3FF5A004, .mac_reg1 = 0x3FF5A008,
    .spi = SPI_ESP32,
    .stub_max_flash_mb = 16, .stub_name = "esp32", .boot_pin = "GPIO0",
    .description = "Wi-Fi, Bluetooth Classic and LE, dual core Xtensa LX6, 240 MHz",
    FREQS (freq_names_std, freq_codes_std),
    .baud_needs_xtal_fix = TRUE,
    DROM (0x3F400000, 0x3F800000), DRAM (0x3FFAE000, 0x40000000),
  },
  {
    .family = ESPLASH_CHIP_ESP32S2, .name = "ESP32-S2", .id = "esp32s2",
    .image_chip_id = 2, MAGIC (magic_esp32s2), .uses_magic = TRUE,
    .bootloader_offset = 0x1000, ESP32_FAMILY_ROM,
    .rom_begin_has_encrypt_word = TRUE, .has_security_info = TRUE, .security_info_len = 12,
    .fixed_xtal_mhz = 40,
    .efuse_base = 0x3F41A000, .mac_reg0 = 0x3F41A044, .mac_reg1 = 0x3F41A048,
    .spi = SPI_NEW (0x3F402000),
    .usb_otg_pid = 0x0002, .uartdev_buf_no = 0x3FFFFD14, .uartdev_usb_otg = 2,
    .wdt = { 0x3F408094, 0x3F408098, 0x3F4080AC, 0, 0, 0, 0 },
    .watchdog_reset_supported = TRUE,
    .gpio_strap_reg = 0x3F404038, .rtc_option1_reg = 0x3F408128,
    .usb_otg_flash_block = 0x800, .usb_otg_ram_block = 0x800,
    .stub_max_flash_mb = 16, .stub_name = "esp32s2", .boot_pin = "GPIO0",
    .description = "Wi-Fi, single core Xtensa LX7, 240 MHz, USB-OTG",
    FREQS (freq_names_std, freq_codes_std),
    DROM (0x3F000000, 0x3FF80000), DRAM (0x3FFB0000, 0x40000000),
  },
  {
    .family = ESPLASH_CHIP_ESP32S3, .name = "ESP32-S3", .id = "esp32s3",
    .image_chip_id = 9, MAGIC (magic_esp32s3),
    .bootloader_offset = 0x0, ESP32_FAMILY_ROM,
    .rom_begin_has_encrypt_word = TRUE, .has_security_info = TRUE, .security_info_len = 20,
    .fixed_xtal_mhz = 40,
    .efuse_base = 0x60007000, .mac_reg0 = 0x60007044, .mac_reg1 = 0x60007048,
    .spi = SPI_NEW (0x60002000),
    .has_usb_jtag = TRUE, .usb_otg_pid = 0x0009,
    .uartdev_buf_no = 0x3FCEF14C, .uartdev_usb_otg = 3, .uartdev_usb_jtag = 4,
    .wdt = { 0x60008098, 0x6000809C, 0x600080B0, 0x600080B4, 0x600080B8, 0x8F1D312A, 31 },
    .watchdog_reset_supported = TRUE,
    .gpio_strap_reg = 0x60004038, .rtc_option1_reg = 0x6000812C,
    .usb_otg_flash_block = 0x800, .usb_otg_ram_block = 0x800,
    .stub_max_flash_mb = 64, .stub_name = "esp32s3", .boot_pin = "GPIO0",
    .description = "Wi-Fi, Bluetooth LE 5, dual core Xtensa LX7, 240 MHz, USB-OTG and USB-Serial/JTAG",
    FREQS (freq_names_std, freq_codes_std),
    DROM (0x3C000000, 0x3D000000), DRAM (0x3FC88000, 0x3FD00000),
  },
  {
    .family = ESPLASH_CHIP_ESP32C2, .name = "ESP32-C2", .id = "esp32c2",
    .image_chip_id = 12, MAGIC (magic_esp32c2),
    .bootloader_offset = 0x0, ESP32_FAMILY_ROM,
    .rom_begin_has_encrypt_word = TRUE, .has_security_info = TRUE, .security_info_len = 20,
    .uart_clkdiv_reg = 0x60000014, .xtal_clk_divider = 1,
    .efuse_base = 0x60008800, .mac_reg0 = 0x60008840, .mac_reg1 = 0x60008844,
    .spi = SPI_NEW (0x60002000),
    .wdt = { 0x60008084, 0x60008088, 0x6000809C, 0, 0, 0, 0 },
    .watchdog_reset_supported = TRUE,
    .stub_max_flash_mb = 16, .stub_name = "esp32c2", .boot_pin = "GPIO9",
    .description = "Wi-Fi, Bluetooth LE 5, single core RISC-V, 120 MHz",
    FREQS (freq_names_c2, freq_codes_c2),
    .baud_needs_xtal_fix = TRUE,
    DROM (0x3C000000, 0x3C400000), DRAM (0x3FCA0000, 0x3FCE0000),
  },
  {
    .family = ESPLASH_CHIP_ESP32C3, .name = "ESP32-C3", .id = "esp32c3",
    .image_chip_id = 5, MAGIC (magic_esp32c3),
    .bootloader_offset = 0x0, ESP32_FAMILY_ROM,
    .rom_begin_has_encrypt_word = TRUE, .has_security_info = TRUE, .security_info_len = 20,
    .fixed_xtal_mhz = 40,
    .efuse_base = 0x60008800, .mac_reg0 = 0x60008844, .mac_reg1 = 0x60008848,
    .spi = SPI_NEW (0x60002000),
    .has_usb_jtag = TRUE,
    .uartdev_buf_no = 0x3FCDF07C, .uartdev_buf_no_alt = 0x3FCDF078, .uartdev_alt_min_rev = 101,
    .uartdev_usb_jtag = 3,
    .wdt = { 0x60008090, 0x60008094, 0x600080A8, 0x600080AC, 0x600080B0, 0x8F1D312A, 31 },
    .watchdog_reset_supported = TRUE,
    .stub_max_flash_mb = 16, .stub_name = "esp32c3", .boot_pin = "GPIO9",
    .description = "Wi-Fi, Bluetooth LE 5, single core RISC-V, 160 MHz, USB-Serial/JTAG",
    FREQS (freq_names_std, freq_codes_std),
    DROM (0x3C000000, 0x3C800000), DRAM (0x3FC80000, 0x3FCE0000),
  },
  {
    .family = ESPLASH_CHIP_ESP32C5, .name = "ESP32-C5", .id = "esp32c5",
    .image_chip_id = 23, MAGIC (magic_esp32c5),
    .bootloader_offset = 0x2000, ESP32_FAMILY_ROM,
    .rom_begin_has_encrypt_word = TRUE, .has_security_info = TRUE, .security_info_len = 20,
    .uart_clkdiv_reg = 0x60000014, .xtal_clk_divider = 1,
    .efuse_base = 0x600B4800, .mac_reg0 = 0x600B4844, .mac_reg1 = 0x600B4848,
    .spi = SPI_NEW (0x60003000),
    .has_usb_jtag = TRUE, .uartdev_buf_no = 0x4085F514, .uartdev_usb_jtag = 3,
    .wdt = { 0x600B1C00, 0x600B1C04, 0x600B1C18, 0x600B1C1C, 0x600B1C20, ESPLASH_WDT_WKEY, 18 },
    .watchdog_reset_supported = TRUE,
    .stub_max_flash_mb = 64, .stub_name = "esp32c5", .boot_pin = "GPIO28",
    .description = "dual-band Wi-Fi 6, Bluetooth LE 5, 802.15.4, RISC-V, 240 MHz, USB-Serial/JTAG",
    FREQS (freq_names_c5, freq_codes_c5),
    DROM (0x42000000, 0x44000000), DRAM (0x40800000, 0x40860000),
    /* Its 40/48 MHz ROM baud rule (PCR_SYSCLK_CONF, §2.9) is not modelled by
     * the engine or the simulator yet, so it does not claim the C2 rule. */
  },
  {
    .family = ESPLASH_CHIP_ESP32C6, .name = "ESP32-C6", .id = "esp32c6",
    .image_chip_id = 13, MAGIC (magic_esp32c6),
    .bootloader_offset = 0x0, ESP32_FAMILY_ROM,
    .rom_begin_has_encrypt_word = TRUE, .has_security_info = TRUE, .security_info_len = 20,
    .fixed_xtal_mhz = 40,
    .efuse_base = 0x600B0800, .mac_reg0 = 0x600B0844, .mac_reg1 = 0x600B0848,
    .spi = SPI_NEW (0x60003000),
    .has_usb_jtag = TRUE, .uartdev_buf_no = 0x4087F580, .uartdev_usb_jtag = 3,
    .wdt = { 0x600B1C00, 0x600B1C04, 0x600B1C18, 0x600B1C1C, 0x600B1C20, ESPLASH_WDT_WKEY, 18 },
    .stub_max_flash_mb = 16, .stub_name = "esp32c6", .boot_pin = "GPIO9",
    .description = "Wi-Fi 6, Bluetooth LE 5, 802.15.4, RISC-V, 160 MHz, USB-Serial/JTAG",
    FREQS (freq_names_c6, freq_codes_c6),
    DROM (0x42000000, 0x43000000), DRAM (0x40800000, 0x40880000),
  },
  {
    .family = ESPLASH_CHIP_ESP32C61, .name = "ESP32-C61", .id = "esp32c61",
    .image_chip_id = 20, MAGIC (magic_esp32c61),
    .bootloader_offset = 0x0, ESP32_FAMILY_ROM,
    .rom_begin_has_encrypt_word = TRUE, .has_security_info = TRUE, .security_info_len = 20,
    .fixed_xtal_mhz = 40,
    .efuse_base = 0x600B4800, .mac_reg0 = 0x600B4844, .mac_reg1 = 0x600B4848,
    .spi = SPI_NEW (0x60003000),
    .has_usb_jtag = TRUE,
    .uartdev_buf_no = 0x4084F5EC, .uartdev_buf_no_alt = 0x4084F5E4, .uartdev_alt_min_rev = 3,
    .uartdev_usb_jtag = 3, .uartdev_usb_jtag_alt = 4,
    .wdt = { 0x600B1C00, 0x600B1C04, 0x600B1C18, 0x600B1C1C, 0x600B1C20, ESPLASH_WDT_WKEY, 18 },
    .watchdog_reset_supported = TRUE,
    .stub_max_flash_mb = 16, .stub_name = "esp32c61", .boot_pin = "GPIO9",
    .description = "Wi-Fi 6, Bluetooth LE 5, RISC-V, 160 MHz, USB-Serial/JTAG",
    FREQS (freq_names_c5, freq_codes_c5),
    DROM (0x42000000, 0x44000000), DRAM (0x40800000, 0x40860000),
  },
  {
    .family = ESPLASH_CHIP_ESP32H2, .name = "ESP32-H2", .id = "esp32h2",
    .image_chip_id = 16, MAGIC (magic_esp32h2),
    .bootloader_offset = 0x0, ESP32_FAMILY_ROM,
    .rom_begin_has_encrypt_word = TRUE, .has_security_info = TRUE, .security_info_len = 20,
    .fixed_xtal_mhz = 32,
    .efuse_base = 0x600B0800, .mac_reg0 = 0x600B0844, .mac_reg1 = 0x600B0848,
    .spi = SPI_NEW (0x60003000),
    .has_usb_jtag = TRUE, .uartdev_buf_no = 0x4084FEFC, .uartdev_usb_jtag = 3,
    .wdt = { 0x600B1C00, 0x600B1C04, 0x600B1C1C, 0x600B1C20, 0x600B1C24, ESPLASH_WDT_WKEY, 18 },
    .stub_max_flash_mb = 16, .stub_name = "esp32h2", .boot_pin = "GPIO9",
    .description = "Bluetooth LE 5, 802.15.4 (Thread, Zigbee), RISC-V, 96 MHz, USB-Serial/JTAG",
    FREQS (freq_names_h2, freq_codes_h2),
    DROM (0x42000000, 0x43000000), DRAM (0x40800000, 0x40880000),
  },
  {
    .family = ESPLASH_CHIP_ESP32P4, .name = "ESP32-P4", .id = "esp32p4",
    .image_chip_id = 18, MAGIC (magic_esp32p4),
    .bootloader_offset = 0x2000, ESP32_FAMILY_ROM,
    .rom_begin_has_encrypt_word = TRUE, .has_security_info = TRUE, .security_info_len = 20,
    .fixed_xtal_mhz = 40,
    .efuse_base = 0x5012D000, .mac_reg0 = 0x5012D044, .mac_reg1 = 0x5012D048,
    .spi = SPI_NEW (0x5008D000),
    .has_usb_jtag = TRUE, .usb_otg_pid = 0x0012,
    .uartdev_buf_no = 0x4FF3FEC8, .uartdev_buf_no_alt = 0x4FFBFEC8, .uartdev_alt_min_rev = 300,
    .uartdev_usb_otg = 5, .uartdev_usb_jtag = 6,
    .wdt = { 0x50116000, 0x50116004, 0x50116018, 0x5011601C, 0x50116020, ESPLASH_WDT_WKEY, 18 },
    .watchdog_reset_supported = TRUE,
    .usb_otg_flash_block = 0x800, .usb_otg_ram_block = 0x800,
    .stub_max_flash_mb = 64, .stub_name = "esp32p4", .boot_pin = "GPIO35",
    .description = "dual core RISC-V, 400 MHz, no radio, USB-OTG and USB-Serial/JTAG",
    FREQS (freq_names_std, freq_codes_std),
    .stub_name_legacy = "esp32p4-rev1", .stub_legacy_below_rev = 300,
    DROM (0x40000000, 0x4C000000), DRAM (0x4FF00000, 0x4FFA0000),
  },
};

static const EsplashChipInfo *const chip_ptrs[] = {
  &chips[0], &chips[1], &chips[2], &chips[3], &chips[4], &chips[5],
  &chips[6], &chips[7], &chips[8], &chips[9], &chips[10],
};

G_STATIC_ASSERT (G_N_ELEMENTS (chips) == ESPLASH_CHIP_N_FAMILIES - 1);
G_STATIC_ASSERT (G_N_ELEMENTS (chip_ptrs) == G_N_ELEMENTS (chips));

/**
 * esplash_chip_get:
 *
 * Returns: (nullable): the row for @family, %NULL for %ESPLASH_CHIP_UNKNOWN
 */
const EsplashChipInfo *
esplash_chip_get (EsplashChipFamily family)
{
  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    if (chips[i].family == family)
      return &chips[i];
  return NULL;
}

/**
 * esplash_chip_list:
 * @n_chips: (out) (optional): the number of rows
 *
 * Returns: (array length=n_chips): every known chip
 */
const EsplashChipInfo *const *
esplash_chip_list (guint *n_chips)
{
  if (n_chips != NULL)
    *n_chips = G_N_ELEMENTS (chip_ptrs);
  return chip_ptrs;
}

/* Lower-case, without '-' and '_': "ESP32-S3" → "esp32s3". */
static char *
normalize_id (const char *id)
{
  GString *s = g_string_new (NULL);

  for (const char *p = id; *p != '\0'; p++)
    if (*p != '-' && *p != '_')
      g_string_append_c (s, g_ascii_tolower (*p));
  return g_string_free (s, FALSE);
}

/**
 * esplash_chip_from_id:
 * @id: "esp32s3", "ESP32-S3", "esp32-s3", … (case and '-' ignored)
 *
 * Returns: (nullable): the chip, or %NULL if unknown
 */
const EsplashChipInfo *
esplash_chip_from_id (const char *id)
{
  g_autofree char *norm = NULL;

  g_return_val_if_fail (id != NULL, NULL);

  norm = normalize_id (id);
  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    if (g_str_equal (norm, chips[i].id))
      return &chips[i];
  return NULL;
}

static gboolean
has_magic (const EsplashChipInfo *chip,
           guint32                magic)
{
  for (guint j = 0; j < chip->n_magic_values; j++)
    if (chip->magic_values[j] == magic)
      return TRUE;
  return FALSE;
}

/**
 * esplash_chip_from_magic:
 *
 * Returns: (nullable): the chip identified by @magic among those detected by
 *   magic value (ESP8266, ESP32, ESP32-S2), or %NULL
 */
const EsplashChipInfo *
esplash_chip_from_magic (guint32 magic)
{
  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    if (chips[i].uses_magic && has_magic (&chips[i], magic))
      return &chips[i];
  return NULL;
}

/**
 * esplash_chip_from_magic_any:
 *
 * Fallback for ROMs whose chip id cannot be read: matches every chip's list.
 * Note that ESP32-P4 lists 0.
 *
 * Returns: (nullable): the chip whose magic list holds @magic, or %NULL
 */
const EsplashChipInfo *
esplash_chip_from_magic_any (guint32 magic)
{
  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    if (has_magic (&chips[i], magic))
      return &chips[i];
  return NULL;
}

/**
 * esplash_chip_from_image_id:
 *
 * Returns: (nullable): the chip with image / security-info chip id
 *   @image_chip_id, or %NULL
 */
const EsplashChipInfo *
esplash_chip_from_image_id (guint image_chip_id)
{
  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    if (chips[i].image_chip_id >= 0 && (guint) chips[i].image_chip_id == image_chip_id)
      return &chips[i];
  return NULL;
}

/**
 * esplash_chip_from_usb:
 * @console: (out) (optional): how the port reaches the ROM
 *
 * Judges a port by its USB ids only. A USB-Serial/JTAG port does not tell the
 * chip, so that case returns %NULL with @console set to
 * %ESPLASH_CONSOLE_USB_JTAG.
 *
 * Returns: (nullable): the chip if the ids name one (USB-OTG), else %NULL
 */
const EsplashChipInfo *
esplash_chip_from_usb (guint16         vid,
                       guint16         pid,
                       EsplashConsole *console)
{
  EsplashConsole found = ESPLASH_CONSOLE_UART;
  const EsplashChipInfo *chip = NULL;

  if (vid == ESPLASH_ESPRESSIF_USB_VID)
    {
      if (pid == ESPLASH_USB_JTAG_SERIAL_PID)
        found = ESPLASH_CONSOLE_USB_JTAG;
      for (guint i = 0; i < G_N_ELEMENTS (chips) && found == ESPLASH_CONSOLE_UART; i++)
        if (chips[i].usb_otg_pid != 0 && chips[i].usb_otg_pid == pid)
          {
            chip = &chips[i];
            found = ESPLASH_CONSOLE_USB_OTG;
          }
    }
  if (console != NULL)
    *console = found;
  return chip;
}

/**
 * esplash_chip_uartdev_address:
 *
 * Returns: the UARTDEV_BUF_NO address for @chip at @revision, 0 if none
 */
guint32
esplash_chip_uartdev_address (const EsplashChipInfo *chip,
                              guint                  revision)
{
  g_return_val_if_fail (chip != NULL, 0);

  if (chip->uartdev_buf_no_alt != 0 && revision >= chip->uartdev_alt_min_rev)
    return chip->uartdev_buf_no_alt;
  return chip->uartdev_buf_no;
}

/**
 * esplash_chip_console_from_uartdev:
 * @value: what READ_REG returned for esplash_chip_uartdev_address()
 *
 * Returns: the console the ROM is using
 */
EsplashConsole
esplash_chip_console_from_uartdev (const EsplashChipInfo *chip,
                                   guint                  revision,
                                   guint32                value)
{
  guint8 jtag;

  g_return_val_if_fail (chip != NULL, ESPLASH_CONSOLE_UART);

  if (chip->uartdev_buf_no == 0)
    return ESPLASH_CONSOLE_UART;
  jtag = chip->uartdev_usb_jtag;
  if (chip->uartdev_usb_jtag_alt != 0 && revision >= chip->uartdev_alt_min_rev)
    jtag = chip->uartdev_usb_jtag_alt;
  if (chip->uartdev_usb_otg != 0 && (value & 0xFF) == chip->uartdev_usb_otg)
    return ESPLASH_CONSOLE_USB_OTG;
  if (jtag != 0 && (value & 0xFF) == jtag)
    return ESPLASH_CONSOLE_USB_JTAG;
  return ESPLASH_CONSOLE_UART;
}

/* RDID capacity byte → size (§6.6). */
static const struct { guint8 id; guint32 size; } capacity_ids[] = {
  { 0x12, 256 * KiB }, { 0x13, 512 * KiB }, { 0x14, 1 * MiB }, { 0x15, 2 * MiB },
  { 0x16, 4 * MiB }, { 0x17, 8 * MiB }, { 0x18, 16 * MiB }, { 0x19, 32 * MiB },
  { 0x1A, 64 * MiB }, { 0x1B, 128 * MiB }, { 0x1C, 256 * MiB },
  { 0x20, 64 * MiB }, { 0x21, 128 * MiB }, { 0x22, 256 * MiB },
  { 0x32, 256 * KiB }, { 0x33, 512 * KiB }, { 0x34, 1 * MiB }, { 0x35, 2 * MiB },
  { 0x36, 4 * MiB }, { 0x37, 8 * MiB }, { 0x38, 16 * MiB }, { 0x39, 32 * MiB },
  { 0x3A, 64 * MiB },
};

#define ADESTO_MANUFACTURER 0x1F

/**
 * esplash_flash_size_from_id:
 * @flash_id: manufacturer | memory type << 8 | capacity << 16, as RDID returns it
 *
 * Returns: the flash size in bytes, 0 if the id does not say
 */
guint32
esplash_flash_size_from_id (guint32 flash_id)
{
  guint8 manufacturer = flash_id & 0xFF;
  guint8 capacity = (flash_id >> 16) & 0xFF;

  /* Adesto encodes the size in the low bits of the type byte: 0x04 = 512 KiB, doubling. */
  if (manufacturer == ADESTO_MANUFACTURER)
    {
      guint8 size_id = (flash_id >> 8) & 0x1F;

      if (size_id >= 0x04 && size_id <= 0x09)
        return (512 * KiB) << (size_id - 0x04);
    }

  for (guint i = 0; i < G_N_ELEMENTS (capacity_ids); i++)
    if (capacity_ids[i].id == capacity)
      return capacity_ids[i].size;
  return 0;
}

/* Image header size nibbles (§6.3). */
static const struct { guint32 size; guint8 code; } size_codes_esp32[] = {
  { 1 * MiB, 0x0 }, { 2 * MiB, 0x1 }, { 4 * MiB, 0x2 }, { 8 * MiB, 0x3 },
  { 16 * MiB, 0x4 }, { 32 * MiB, 0x5 }, { 64 * MiB, 0x6 }, { 128 * MiB, 0x7 },
};
/* ESP8266; the "-c1" layouts (0x5, 0x6) have no plain size of their own. */
static const struct { guint32 size; guint8 code; } size_codes_esp8266[] = {
  { 512 * KiB, 0x0 }, { 256 * KiB, 0x1 }, { 1 * MiB, 0x2 }, { 2 * MiB, 0x3 },
  { 4 * MiB, 0x4 }, { 8 * MiB, 0x8 }, { 16 * MiB, 0x9 },
};

/**
 * esplash_chip_flash_size_code:
 *
 * Returns: the image header size nibble for @size_bytes, or -1
 */
gint
esplash_chip_flash_size_code (const EsplashChipInfo *chip,
                              guint32                size_bytes)
{
  g_return_val_if_fail (chip != NULL, -1);

  if (chip->family == ESPLASH_CHIP_ESP8266)
    {
      for (guint i = 0; i < G_N_ELEMENTS (size_codes_esp8266); i++)
        if (size_codes_esp8266[i].size == size_bytes)
          return size_codes_esp8266[i].code;
      return -1;
    }
  for (guint i = 0; i < G_N_ELEMENTS (size_codes_esp32); i++)
    if (size_codes_esp32[i].size == size_bytes)
      return size_codes_esp32[i].code;
  return -1;
}

/**
 * esplash_chip_flash_freq_code:
 * @freq: "40m" etc. (case-insensitive)
 *
 * Returns: the image header frequency nibble, or -1 if @chip has no such frequency
 */
gint
esplash_chip_flash_freq_code (const EsplashChipInfo *chip,
                              const char            *freq)
{
  g_return_val_if_fail (chip != NULL, -1);
  g_return_val_if_fail (freq != NULL, -1);

  for (guint i = 0; i < chip->n_freqs; i++)
    if (g_ascii_strcasecmp (chip->freq_names[i], freq) == 0)
      return chip->freq_codes[i];
  return -1;
}

/**
 * esplash_flash_mode_code:
 *
 * Returns: 0 qio, 1 qout, 2 dio, 3 dout (case-insensitive), else -1
 */
gint
esplash_flash_mode_code (const char *mode)
{
  static const char *const modes[] = { "qio", "qout", "dio", "dout" };

  g_return_val_if_fail (mode != NULL, -1);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    if (g_ascii_strcasecmp (modes[i], mode) == 0)
      return i;
  return -1;
}

/**
 * esplash_flash_size_parse:
 * @name: "256KB", "4MB", … (the unit is case-insensitive)
 *
 * Returns: the size in bytes, 0 if @name is not a size ("keep", "detect", junk)
 */
guint32
esplash_flash_size_parse (const char *name)
{
  guint64 n = 0;
  const char *p;

  g_return_val_if_fail (name != NULL, 0);

  for (p = name; g_ascii_isdigit (*p); p++)
    {
      n = n * 10 + (guint) (*p - '0');
      if (n > G_MAXUINT32)
        return 0;
    }
  if (p == name || n == 0)
    return 0;
  if (g_ascii_strcasecmp (p, "KB") == 0)
    n *= KiB;
  else if (g_ascii_strcasecmp (p, "MB") == 0)
    n *= MiB;
  else
    return 0;
  return n <= G_MAXUINT32 ? (guint32) n : 0;
}

/**
 * esplash_chip_stub_file_name:
 * @revision: major × 100 + minor
 *
 * Returns: (transfer full): "esp32s3.json", or "esp32p4-rev1.json" for an
 *   ESP32-P4 below v3.0
 */
char *
esplash_chip_stub_file_name (const EsplashChipInfo *chip,
                             guint                  revision)
{
  g_return_val_if_fail (chip != NULL, NULL);

  if (chip->stub_name_legacy != NULL && revision < chip->stub_legacy_below_rev)
    return g_strconcat (chip->stub_name_legacy, ".json", NULL);
  return g_strconcat (chip->stub_name, ".json", NULL);
}
