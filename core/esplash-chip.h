/* esplash-chip.h: the one table of Espressif chip facts (pure).
 *
 * Every per-chip constant (magic values, image chip ids, register addresses,
 * block sizes, reset quirks, memory maps) lives in the table in esplash-chip.c
 * and nowhere else. Sources for each value: ../shared/docs/protocol.md §3, §6,
 * §7; the memory maps: esptool's targets/<chip>.py MEMORY_MAP.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ESPLASH_CHIP_UNKNOWN = 0,
  ESPLASH_CHIP_ESP8266,
  ESPLASH_CHIP_ESP32,
  ESPLASH_CHIP_ESP32S2,
  ESPLASH_CHIP_ESP32S3,
  ESPLASH_CHIP_ESP32C2,
  ESPLASH_CHIP_ESP32C3,
  ESPLASH_CHIP_ESP32C5,
  ESPLASH_CHIP_ESP32C6,
  ESPLASH_CHIP_ESP32C61,
  ESPLASH_CHIP_ESP32H2,
  ESPLASH_CHIP_ESP32P4,
  ESPLASH_CHIP_N_FAMILIES,
} EsplashChipFamily;

#define ESPLASH_CHIP_DETECT_MAGIC_REG 0x40001000u
#define ESPLASH_ESPRESSIF_USB_VID     0x303Au
#define ESPLASH_USB_JTAG_SERIAL_PID   0x1001u
#define ESPLASH_WDT_WKEY              0x50D83AA1u

/* How the host reaches the chip's ROM console. */
typedef enum {
  ESPLASH_CONSOLE_UART = 0,       /* through a USB-UART bridge (or a plain UART) */
  ESPLASH_CONSOLE_USB_OTG = 1,    /* the chip's own USB-OTG CDC (S2, S3, P4) */
  ESPLASH_CONSOLE_USB_JTAG = 2,   /* the chip's USB-Serial/JTAG (S3, C3, C5, C6, C61, H2, P4) */
} EsplashConsole;

/* SPI "user command" register block used to send RDID etc. */
typedef struct {
  guint32 base;           /* CMD register = base + 0, ADDR = base + 4 */
  guint8  usr, usr1, usr2;
  guint8  mosi_dlen, miso_dlen;   /* 0 = no such register (ESP8266) */
  guint8  w0;
  gboolean addr_left_aligned;     /* ESP8266, ESP32 */
} EsplashSpiRegs;

/* RTC watchdog registers (protocol.md §7.5); config0 == 0 when absent. */
typedef struct {
  guint32 config0, config1, wprotect;
  guint32 swd_conf, swd_wprotect, swd_key;  /* 0 when absent */
  guint8  swd_autofeed_bit;
} EsplashWdtRegs;

typedef struct {
  EsplashChipFamily family;
  const char  *name;               /* "ESP32-S3" (esptool's CHIP_NAME) */
  const char  *id;                 /* "esp32s3" (esptool's --chip) */
  gint         image_chip_id;      /* extended header / security-info id; -1 = none (ESP8266) */
  const guint32 *magic_values;     /* values at ESPLASH_CHIP_DETECT_MAGIC_REG */
  guint        n_magic_values;
  gboolean     uses_magic;         /* detected by magic (ESP8266, ESP32, S2), else by chip id */
  guint32      bootloader_offset;
  guint        rom_status_len;     /* 2 (ESP8266) or 4 */
  gboolean     rom_is_esp8266_like;/* no compression, no MD5, no SPI_ATTACH/SET_PARAMS/baud in ROM */
  gboolean     rom_begin_has_encrypt_word; /* ROM FLASH_BEGIN takes a 5th word */
  gboolean     has_security_info;  /* GET_SECURITY_INFO in ROM */
  guint        security_info_len;  /* 12 (S2) or 20 */
  gboolean     has_read_flash_slow;

  /* crystal */
  guint32      uart_clkdiv_reg;    /* 0 = fixed crystal */
  guint        xtal_clk_divider;
  guint        fixed_xtal_mhz;

  /* eFuse / MAC */
  guint32      efuse_base;
  guint32      mac_reg0, mac_reg1, mac_reg3;   /* mac_reg3 only ESP8266 */

  EsplashSpiRegs spi;

  /* USB */
  gboolean     has_usb_jtag;
  guint16      usb_otg_pid;        /* 0 = no USB-OTG console */
  guint32      uartdev_buf_no;     /* console-in-use ROM variable; 0 = none */
  guint32      uartdev_buf_no_alt; /* alternative address for later revisions; 0 = none */
  guint        uartdev_alt_min_rev;/* revision (major*100+minor) from which the alt address holds */
  guint8       uartdev_usb_otg;    /* value meaning USB-OTG, 0 = n/a */
  guint8       uartdev_usb_jtag;   /* value meaning USB-Serial/JTAG, 0 = n/a */

  EsplashWdtRegs wdt;
  gboolean     watchdog_reset_supported;  /* esptool uses it for --after watchdog-reset */
  guint32      gpio_strap_reg;     /* for the S2/S3 hard-reset rule; 0 = n/a */
  guint32      rtc_option1_reg;    /* force-download-boot bit 0; 0 = n/a */

  /* block sizes */
  guint        rom_flash_block;    /* 0x400 */
  guint        stub_flash_block;   /* 0x4000 */
  guint        usb_otg_flash_block;/* stub block on USB-OTG (0x800), 0 = same */
  guint        ram_block;          /* 0x1800 */
  guint        usb_otg_ram_block;  /* 0x800 on USB-OTG */

  guint        stub_max_flash_mb;  /* 16, or 64 for S3, P4, C5 */
  const char  *stub_name;          /* base name of the JSON: "esp32s3" */
  const char  *boot_pin;           /* strap pin the BOOT button drives: "GPIO0", "GPIO9" … */
  const char  *description;        /* marketing line: "Wi-Fi, BLE, dual core, 240 MHz" */

  /* Flash frequency nibble codes for "80m", "40m", "26m", "20m" style names;
   * see esplash_chip_flash_freq_code(). */
  const char  *const *freq_names;
  const guint8 *freq_codes;
  guint        n_freqs;

  /* crystal ROM baud quirks (§2.9) */
  gboolean     baud_needs_xtal_fix;  /* ESP32 (RTC cali), C2 (26 MHz) */

  /* Added after the first contract (append-only): */
  guint8       uartdev_usb_jtag_alt;   /* USB-Serial/JTAG value from uartdev_alt_min_rev on; 0 = same */
  const char  *stub_name_legacy;       /* stub base name below stub_legacy_below_rev; NULL = none */
  guint        stub_legacy_below_rev;  /* "esp32p4-rev1" below 300 */

  /* memory map (esptool's targets/<chip>.py MEMORY_MAP), ends exclusive; 0, 0 = not
   * recorded (ESP8266: its images carry no chip id). Image inspection uses them: a
   * segment in DROM makes an image an app, a bootloader's first segment is in DRAM. */
  guint32      drom_start, drom_end;   /* flash data mapped through the cache (DROM) */
  guint32      dram_start, dram_end;   /* internal data RAM (DRAM) */
} EsplashChipInfo;

const EsplashChipInfo *esplash_chip_get             (EsplashChipFamily family);
const EsplashChipInfo *esplash_chip_from_id         (const char *id);          /* "esp32s3", "ESP32-S3", "esp32-s3" */
const EsplashChipInfo *esplash_chip_from_magic      (guint32 magic);           /* only uses_magic chips */
/* Any chip whose magic list holds @magic (esptool v4's fallback; 0 matches ESP32-P4). */
const EsplashChipInfo *esplash_chip_from_magic_any  (guint32 magic);
const EsplashChipInfo *esplash_chip_from_image_id   (guint image_chip_id);
const EsplashChipInfo *esplash_chip_from_usb        (guint16 vid, guint16 pid, EsplashConsole *console);
const EsplashChipInfo *const *esplash_chip_list     (guint *n_chips);

typedef gboolean (*EsplashRegReader) (gpointer   user_data,
                                      guint32    address,
                                      guint32   *value,
                                      GError   **error);

/* major*100 + minor, decoded per chip from eFuse words read through @reader. */
gboolean esplash_chip_read_revision (const EsplashChipInfo *chip,
                                     EsplashRegReader       reader,
                                     gpointer               user_data,
                                     guint                 *revision,
                                     GError               **error);
gboolean esplash_chip_read_mac      (const EsplashChipInfo *chip,
                                     EsplashRegReader       reader,
                                     gpointer               user_data,
                                     guint8                 mac[6],
                                     GError               **error);
/* MHz from UART_CLKDIV and the host baud (or the fixed value). */
gboolean esplash_chip_read_crystal  (const EsplashChipInfo *chip,
                                     EsplashRegReader       reader,
                                     gpointer               user_data,
                                     guint                  host_baud,
                                     guint                 *mhz,
                                     GError               **error);

/* Flash size in bytes from the RDID capacity byte (and manufacturer), 0 if unknown. */
guint32  esplash_flash_size_from_id (guint32 flash_id);
/* Image header byte-3 size nibble for @size_bytes on @chip; -1 if not representable. */
gint     esplash_chip_flash_size_code (const EsplashChipInfo *chip, guint32 size_bytes);
/* Image header byte-3 frequency nibble for "40m" etc.; -1 if unknown for @chip. */
gint     esplash_chip_flash_freq_code (const EsplashChipInfo *chip, const char *freq);
/* "qio" 0, "qout" 1, "dio" 2, "dout" 3; -1 otherwise. */
gint     esplash_flash_mode_code      (const char *mode);
/* "4MB" → 4 MiB etc.; 0 if not a size name. */
guint32  esplash_flash_size_parse     (const char *name);

/* UARTDEV_BUF_NO address for @chip at @revision; 0 if the chip has none. */
guint32  esplash_chip_uartdev_address (const EsplashChipInfo *chip, guint revision);
/* Console in use, from the low byte of the UARTDEV_BUF_NO value read at @revision. */
EsplashConsole esplash_chip_console_from_uartdev (const EsplashChipInfo *chip,
                                                  guint                  revision,
                                                  guint32                value);

/* Name of the stub JSON for @chip at @revision ("esp32p4-rev1.json" below 3.00), newly allocated. */
char    *esplash_chip_stub_file_name  (const EsplashChipInfo *chip, guint revision);

G_END_DECLS
