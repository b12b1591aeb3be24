/* esplash-sim-app.c: what the virtual chip prints once the ROM has found a
 * boot loader in flash — the ROM's loading lines, ESP-IDF's second-stage
 * boot loader and application start (coloured log lines), then the
 * application's own lines: one every 200 ms, or numbered lines back to
 * back in flood mode (docs/simulator.md "The application").
 *
 * The crash (panic report and reboot) is in esplash-sim-panic.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "esplash-sim-private.h"

#define APP_HASH_SPAN        0x1000u   /* flash bytes the md5 (and SHA without an ELF) covers */
#define PARTITION_TABLE      0x8000u   /* ESP-IDF's default partition table offset */
#define PARTITION_ENTRY_LEN  32
#define PARTITION_MAX        16
#define IMAGE_MAX_SEGMENTS   16
#define MAX_LINES_PER_TOUCH  5
/* Flood mode: lines are made this far ahead of the wire, and a host that
 * does not read keeps the last FLOOD_BACKLOG bytes (a serial driver's
 * buffer); the lines before them are lost. */
#define FLOOD_LOOKAHEAD_US   (2 * G_TIME_SPAN_MILLISECOND)
#define FLOOD_BACKLOG        (64 * 1024)
#define FLOOD_FILLER         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* ESP-IDF's log colours (esp_log.h LOG_COLOR_I/W/E, LOG_RESET_COLOR). */
#define COLOR_I      "\033[0;32m"
#define COLOR_W      "\033[0;33m"
#define COLOR_E      "\033[0;31m"
#define COLOR_RESET  "\033[0m"

#define IDF_VERSION  "v5.2.1"
#define BUILD_TIME   "Mar 12 2024 10:21:07"
#define PROJECT      "esplash-sim-app"

/* One row per family. Addresses: the chips' memory maps (flash-mapped code,
 * data RAM, IRAM), values seen in public ESP-IDF crash logs where there
 * are any; the rest are design choices (docs/simulator.md). */
static const SimAppLayout layouts[] = {
  { ESPLASH_CHIP_ESP8266, FALSE, FALSE, SIM_ROM_LINES_ESP8266, 2, 40, 80,
    0x40200000, 0x40300000, 0x40212000, 0x3ffffd60, 0, 0, 0x40100400, 0x2, "", 0 },
  { ESPLASH_CHIP_ESP32, FALSE, TRUE, SIM_ROM_LINES_ESP32, 2, 40, 160,
    0x400c2000, 0x40c00000, 0x400d2000, 0x3ffb5670, 0, 0, 0x400810d8, 0xc, "SW_CPU_RESET", 0 },
  { ESPLASH_CHIP_ESP32S2, FALSE, FALSE, SIM_ROM_LINES_SPIWP, 1, 80, 160,
    0x40080000, 0x40800000, 0x40092000, 0x3ffde8a0, 0, 0, 0x40026ab1, 0x3, "RTC_SW_SYS_RST", 0x40026ab1 },
  { ESPLASH_CHIP_ESP32S3, FALSE, TRUE, SIM_ROM_LINES_SPIWP, 1, 80, 160,
    0x42000000, 0x44000000, 0x42002000, 0x3fceb0f0, 0, 0, 0x40375a1c, 0xc, "RTC_SW_CPU_RST", 0x4037613c },
  { ESPLASH_CHIP_ESP32C2, TRUE, FALSE, SIM_ROM_LINES_SPIWP, 1, 60, 120,
    0x42000000, 0x42400000, 0x42002000, 0x3fcad4e0, 0x3fca1a00, 0x40380001, 0x40381a2e, 0xc, "RTC_SW_CPU_RST", 0x40381c52 },
  { ESPLASH_CHIP_ESP32C3, TRUE, FALSE, SIM_ROM_LINES_SPIWP, 1, 80, 160,
    0x42000000, 0x42800000, 0x42002000, 0x3fc99d40, 0x3fc8c000, 0x40380001, 0x40381a2e, 0x3, "RTC_SW_SYS_RST", 0x40381c52 },
  { ESPLASH_CHIP_ESP32C5, TRUE, FALSE, SIM_ROM_LINES_SPI_MODE, 1, 80, 240,
    0x42000000, 0x44000000, 0x42002000, 0x4085e070, 0x4080df64, 0x40800001, 0x40805a2e, 0xc, "SW_CPU", 0x4001975a },
  { ESPLASH_CHIP_ESP32C6, TRUE, FALSE, SIM_ROM_LINES_SPIWP, 2, 80, 160,
    0x42000000, 0x43000000, 0x42002000, 0x4087e070, 0x4080df64, 0x40800001, 0x40805a2e, 0xc, "SW_CPU", 0x4001975a },
  { ESPLASH_CHIP_ESP32C61, TRUE, FALSE, SIM_ROM_LINES_SPI_MODE, 1, 80, 160,
    0x42000000, 0x44000000, 0x42002000, 0x4084e070, 0x4080df64, 0x40800001, 0x40805a2e, 0xc, "SW_CPU", 0x4001975a },
  { ESPLASH_CHIP_ESP32H2, TRUE, FALSE, SIM_ROM_LINES_SPIWP, 1, 64, 96,
    0x42000000, 0x43000000, 0x42002000, 0x4084e070, 0x4080df64, 0x40800001, 0x40805a2e, 0xc, "SW_CPU", 0x4001975a },
  { ESPLASH_CHIP_ESP32P4, TRUE, TRUE, SIM_ROM_LINES_SPI_MODE, 2, 80, 360,
    0x40000000, 0x44000000, 0x40002000, 0x4ff3a0e0, 0x4ff1e000, 0x4ff00003, 0x4ff05a2e, 0xc, "SW_CPU", 0x4fc0975a },
};

const SimAppLayout *
sim_app_layout (EsplashSim *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (layouts); i++)
    if (layouts[i].family == self->chip->family)
      return &layouts[i];
  return &layouts[1];
}

guint32
sim_app_offset (EsplashSim *self)
{
  return self->chip->family == ESPLASH_CHIP_ESP8266 ? 0 : SIM_APP_OFFSET;
}

static guint32
flash_word (EsplashSim *self,
            guint32     address)
{
  if ((guint64) address + 4 > self->flash_size)
    return 0xFFFFFFFFu;
  return self->flash[address] | (self->flash[address + 1] << 8) | (self->flash[address + 2] << 16)
         | ((guint32) self->flash[address + 3] << 24);
}

/* ------------------------------------------------------------- log lines */

/* ESP-IDF's log format: colour, level, (ms since boot), tag, text, reset. */
typedef struct {
  GString *text;
  guint    ms;
} SimLog;

static void G_GNUC_PRINTF (4, 5)
log_line (SimLog     *log,
          char        level,
          const char *tag,
          const char *format,
          ...)
{
  va_list args;

  g_string_append (log->text, level == 'E' ? COLOR_E : level == 'W' ? COLOR_W : COLOR_I);
  g_string_append_printf (log->text, "%c (%u) %s: ", level, log->ms, tag);
  va_start (args, format);
  g_string_append_vprintf (log->text, format, args);
  va_end (args);
  g_string_append (log->text, COLOR_RESET "\r\n");
  log->ms += 4;
}

/* ---------------------------------------------------------------- images */

typedef struct {
  guint32 load;       /* address the segment goes to */
  guint32 len;
  guint32 data;       /* its bytes in flash */
} SimSegment;

/* The segments of the image at @offset (esptool's firmware-image-format:
 * 8-byte header, 16 more for the ESP32 and later, then load address and
 * length before each segment's data); stops at the first one that does
 * not fit in the flash. */
static guint
image_segments (EsplashSim *self,
                guint32     offset,
                SimSegment *segments)
{
  guint32 pos = offset + (self->chip->family == ESPLASH_CHIP_ESP8266 ? 8 : 24);
  guint n_declared, n = 0;

  if ((guint64) offset + 8 > self->flash_size || self->flash[offset] != 0xE9)
    return 0;
  n_declared = MIN (self->flash[offset + 1], IMAGE_MAX_SEGMENTS);
  while (n < n_declared && (guint64) pos + 8 <= self->flash_size)
    {
      guint32 len = flash_word (self, pos + 4);

      if ((guint64) pos + 8 + len > self->flash_size)
        break;
      segments[n].load = flash_word (self, pos);
      segments[n].len = len;
      segments[n].data = pos + 8;
      pos += 8 + len;
      n++;
    }
  return n;
}

static void
append_rom_lines (EsplashSim         *self,
                  const SimAppLayout *layout,
                  GString            *text)
{
  SimSegment segments[IMAGE_MAX_SEGMENTS];
  guint n = image_segments (self, self->chip->bootloader_offset, segments);
  guint32 entry = flash_word (self, self->chip->bootloader_offset + 4);

  switch (layout->rom_lines)
    {
    case SIM_ROM_LINES_ESP32:
      g_string_append (text, "configsip: 0, SPIWP:0xee\r\n"
                             "clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00\r\n");
      G_GNUC_FALLTHROUGH;
    case SIM_ROM_LINES_ESP8266:
      g_string_append_printf (text, "mode:DIO, clock div:%u\r\n", layout->clock_div);
      break;
    case SIM_ROM_LINES_SPIWP:
      g_string_append_printf (text, "SPIWP:0xee\r\nmode:DIO, clock div:%u\r\n", layout->clock_div);
      break;
    case SIM_ROM_LINES_SPI_MODE:
    default:
      g_string_append_printf (text, "SPI mode:DIO, clock div:%u\r\n", layout->clock_div);
      break;
    }
  for (guint i = 0; i < n && layout->rom_lines != SIM_ROM_LINES_ESP8266; i++)
    if (layout->rom_lines == SIM_ROM_LINES_ESP32)
      g_string_append_printf (text, "load:0x%08x,len:%u\r\n", segments[i].load, segments[i].len);
    else
      g_string_append_printf (text, "load:0x%08x,len:0x%x\r\n", segments[i].load, segments[i].len);
  g_string_append_printf (text, "entry 0x%08x\r\n", entry);
}

/* ------------------------------------------------------- partition table */

static const char *
partition_usage (guint8 type,
                 guint8 subtype)
{
  if (type == 0x00)
    return subtype == 0x00 ? "factory app"
         : subtype >= 0x10 && subtype < 0x20 ? "OTA app"
         : subtype == 0x20 ? "test app" : "Unknown app";
  if (type == 0x01)
    switch (subtype)
      {
      case 0x00:
        return "OTA data";
      case 0x01:
        return "RF data";
      case 0x02:
        return "WiFi data";
      case 0x04:
        return "NVS keys";
      case 0x05:
        return "efuse";
      default:
        return "Unknown data";
      }
  return "Unknown";
}

static void
partition_row (SimLog     *log,
               guint       index,
               const char *label,
               guint8      type,
               guint8      subtype,
               guint32     offset,
               guint32     size)
{
  log_line (log, 'I', "boot", "%2u %-16s %-16s %02x %02x %08x %08x", index, label,
            partition_usage (type, subtype), type, subtype, offset, size);
}

/* The table in flash (entries start with 0xAA 0x50), or ESP-IDF's
 * single-app default when there is none. */
static void
log_partition_table (EsplashSim *self,
                     SimLog     *log)
{
  guint n = 0;

  log_line (log, 'I', "boot", "Partition Table:");
  log_line (log, 'I', "boot", "## Label            Usage          Type ST Offset   Length");
  for (guint32 at = PARTITION_TABLE; n < PARTITION_MAX && at + PARTITION_ENTRY_LEN <= self->flash_size;
       at += PARTITION_ENTRY_LEN, n++)
    {
      const guint8 *e = self->flash + at;
      char label[17];

      if (e[0] != 0xAA || e[1] != 0x50)
        break;
      for (guint i = 0; i < 16; i++)
        label[i] = e[12 + i] >= 0x20 && e[12 + i] < 0x7F ? (char) e[12 + i] : '\0';
      label[16] = '\0';
      partition_row (log, n, label, e[2], e[3], flash_word (self, at + 4), flash_word (self, at + 8));
    }
  if (n == 0)
    {
      partition_row (log, 0, "nvs", 0x01, 0x02, 0x9000, 0x6000);
      partition_row (log, 1, "phy_init", 0x01, 0x01, 0xf000, 0x1000);
      partition_row (log, 2, "factory", 0x00, 0x00, SIM_APP_OFFSET, 0x100000);
    }
  log_line (log, 'I', "boot", "End of partition table");
}

/* -------------------------------------------------------------- boot log */

static void
log_second_stage (EsplashSim         *self,
                  const SimAppLayout *layout,
                  SimLog             *log)
{
  SimSegment segments[IMAGE_MAX_SEGMENTS];
  guint n = image_segments (self, SIM_APP_OFFSET, segments);
  g_autofree char *tag = g_strdup_printf ("boot.%s", self->chip->id);

  log_line (log, 'I', "boot", "ESP-IDF %s 2nd stage bootloader", IDF_VERSION);
  log_line (log, 'I', "boot", "compile time %s", BUILD_TIME);
  if (layout->multicore)
    log_line (log, 'I', "boot", "Multicore bootloader");
  log_line (log, 'I', "boot", "chip revision: v%u.%u", self->opt.revision / 100, self->opt.revision % 100);
  log_line (log, 'I', tag, "SPI Speed      : %uMHz", layout->spi_mhz);
  log_line (log, 'I', tag, "SPI Mode       : DIO");
  log_line (log, 'I', tag, "SPI Flash Size : %uMB", self->flash_size / (1024 * 1024));
  log_line (log, 'I', "boot", "Enabling RNG early entropy source...");
  log_partition_table (self, log);
  for (guint i = 0; i < n; i++)
    {
      gboolean mapped = (segments[i].load >= layout->irom_start && segments[i].load < layout->irom_end)
                        || (segments[i].load >= self->chip->drom_start && segments[i].load < self->chip->drom_end);

      log_line (log, 'I', "esp_image", "segment %u: paddr=%08x vaddr=%08x size=%05xh (%6u) %s", i,
                segments[i].data, segments[i].load, segments[i].len, segments[i].len,
                mapped ? "map" : "load");
      log->ms += segments[i].len / 4096;
    }
  log_line (log, 'I', "boot", "Loaded app from partition at offset 0x%x", SIM_APP_OFFSET);
  log_line (log, 'I', "boot", "Disabling RNG early entropy source...");
}

static void
log_app_start (EsplashSim         *self,
               const SimAppLayout *layout,
               SimLog             *log)
{
  log->ms += 10;
  if (layout->multicore)
    {
      log_line (log, 'I', "cpu_start", "Multicore app");
      log_line (log, 'I', "cpu_start", "Pro cpu up.");
      log_line (log, 'I', "cpu_start", "Starting app cpu, entry point is 0x%08x", layout->task_entry);
    }
  else
    log_line (log, 'I', "cpu_start", "Unicore app");
  log_line (log, 'I', "cpu_start", "Pro cpu start user code");
  log_line (log, 'I', "cpu_start", "cpu freq: %u Hz", layout->cpu_mhz * 1000000);
  log_line (log, 'I', "app_init", "Application information:");
  log_line (log, 'I', "app_init", "Project name:     %s", PROJECT);
  log_line (log, 'I', "app_init", "App version:      1.0.0");
  log_line (log, 'I', "app_init", "Compile time:     %s", BUILD_TIME);
  log_line (log, 'I', "app_init", "ELF file SHA256:  %s...", self->app_sha);
  log_line (log, 'I', "app_init", "ESP-IDF:          %s", IDF_VERSION);
  log_line (log, 'I', "spi_flash", "detected chip: generic");
  log_line (log, 'I', "spi_flash", "flash io: dio");
  log_line (log, 'I', "main_task", "Started on CPU0");
  log_line (log, 'I', "main_task", "Calling app_main()");
}

static void
log_app_main (SimLog *log)
{
  log_line (log, 'I', "sensor", "sensor task started, one reading every 200 ms");
  log_line (log, 'W', "sensor", "no calibration in NVS, using the factory one");
  log_line (log, 'E', "sensor", "reading 4 out of range (1023), dropped");
}

/* The md5 the periodic line shows, and the 16 SHA-256 digits app_init
 * prints: of the ELF file when there is one, else of the image's start. */
static void
hash_app (EsplashSim *self)
{
  guint32 app = sim_app_offset (self);
  guint32 span = MIN (APP_HASH_SPAN, self->flash_size - app);
  guint8 digest[16];

  sim_flash_md5 (self, app, span, digest);
  g_free (self->app_md5);
  self->app_md5 = g_malloc (33);
  for (guint i = 0; i < 16; i++)
    g_snprintf (self->app_md5 + 2 * i, 3, "%02x", digest[i]);

  if (self->app_elf_sha256 != NULL)
    g_strlcpy (self->app_sha, self->app_elf_sha256, sizeof self->app_sha);
  else
    {
      g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, self->flash + app, span);

      g_strlcpy (self->app_sha, sha, sizeof self->app_sha);
    }
}

void
sim_app_boot (EsplashSim *self,
              gint64      at)
{
  const SimAppLayout *layout = sim_app_layout (self);
  g_autoptr(GString) rom = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  SimLog log = { text, self->chip->family == ESPLASH_CHIP_ESP32 ? 31 : 27 };

  hash_app (self);
  self->flood_line = 0;

  /* the ROM loads the second stage at its own baud ... */
  append_rom_lines (self, layout, rom);
  sim_emit_text (self, rom->str, at);
  /* ... which sets the console's (CONFIG_ESP_CONSOLE_UART_BAUDRATE) */
  sim_set_chip_baud (self, self->opt.app_baud);

  if (layout->rom_lines == SIM_ROM_LINES_ESP8266)
    {
      log_line (&log, 'I', "boot", "ESP-IDF v3.4 2nd stage bootloader");
      log_line (&log, 'I', "boot", "Loaded app from offset 0x%x", sim_app_offset (self));
      log_line (&log, 'I', "app_init", "ELF file SHA256:  %s...", self->app_sha);
    }
  else
    {
      log_second_stage (self, layout, &log);
      log_app_start (self, layout, &log);
    }
  log_app_main (&log);
  self->app_ms_base = log.ms;
  sim_emit_text (self, text->str, at);
}

/* -------------------------------------------------------------- running */

static guint
app_ms (EsplashSim *self,
        gint64      at)
{
  return self->app_ms_base + (guint) (MAX (at - self->booted_us, 0) / 1000);
}

static void
emit_periodic_line (EsplashSim *self,
                    gint64      at)
{
  g_autofree char *line = NULL;

  if (self->state == ESPLASH_SIM_STATE_APP)
    line = g_strdup_printf (COLOR_I "I (%u) esplash-sim-app: running image at 0x%x, md5 %s" COLOR_RESET "\r\n",
                            app_ms (self, at), sim_app_offset (self), self->app_md5);
  else
    line = g_strdup_printf ("invalid header: 0x%08x\r\n", self->no_app_word);
  sim_emit_text (self, line, at);
}

static gboolean
flooding (EsplashSim *self)
{
  return self->flood && self->state == ESPLASH_SIM_STATE_APP && !self->stalled && !self->unplugged;
}

static char *
flood_text (EsplashSim *self,
            gint64      at,
            guint       number)
{
  return g_strdup_printf (COLOR_I "I (%u) flood: line %u " FLOOD_FILLER COLOR_RESET "\r\n",
                          app_ms (self, at), number);
}

/* Numbered lines back to back on the wire, made only as the wire gets to
 * them: what is queued stays within FLOOD_LOOKAHEAD_US of now, plus at most
 * FLOOD_BACKLOG bytes the host has not read yet. */
static void
flood_touch (EsplashSim *self,
             gint64      now)
{
  gint64 floor_us = now - sim_wire_time_us (FLOOD_BACKLOG, self->chip_baud);
  gint64 start = MAX (MAX (self->tx_free_us, self->booted_us), self->flood_since_us);

  if (start < floor_us)
    {
      g_autofree char *sample = flood_text (self, start, self->flood_line + 1);
      gint64 line_us = MAX (sim_wire_time_us (strlen (sample), self->chip_baud), 1);
      guint lost = (guint) MIN ((floor_us - start) / line_us, (gint64) G_MAXUINT / 2);

      if (lost > 0)
        sim_event (self, "flood: %u lines lost (the host did not read)", lost);
      self->flood_line += lost;
      start = floor_us;
    }

  self->wire_paced = TRUE;
  while (start <= now + FLOOD_LOOKAHEAD_US)
    {
      g_autofree char *line = flood_text (self, start, ++self->flood_line);
      gint64 before = self->tx_free_us;

      sim_emit_text (self, line, start);
      if (self->tx_free_us <= before || self->tx_free_us <= start)
        break;   /* nothing went out (a stall, an endless stream ahead) */
      start = self->tx_free_us;
    }
  self->wire_paced = FALSE;
}

void
sim_app_touch (EsplashSim *self,
               gint64      now)
{
  guint lines = 0;

  if (self->state != ESPLASH_SIM_STATE_APP && self->state != ESPLASH_SIM_STATE_NO_APP)
    return;
  if (flooding (self))
    {
      if (now >= self->booted_us)
        flood_touch (self, now);
      self->next_line_us = MAX (now, self->booted_us) + SIM_APP_LINE_US;
      return;
    }
  /* nobody listened for a while: print only the latest few lines */
  if (now - self->next_line_us > MAX_LINES_PER_TOUCH * SIM_APP_LINE_US)
    self->next_line_us = now - (MAX_LINES_PER_TOUCH - 1) * SIM_APP_LINE_US;
  while (self->next_line_us <= now && lines++ < MAX_LINES_PER_TOUCH)
    {
      emit_periodic_line (self, self->next_line_us);
      self->next_line_us += SIM_APP_LINE_US;
    }
}

gint64
sim_app_next_event (EsplashSim *self)
{
  if (self->state != ESPLASH_SIM_STATE_APP && self->state != ESPLASH_SIM_STATE_NO_APP)
    return 0;
  if (flooding (self))
    return MAX (MAX (self->tx_free_us - FLOOD_LOOKAHEAD_US, self->booted_us), self->flood_since_us);
  return self->next_line_us;
}

/**
 * esplash_sim_set_app_flood:
 * @flood: %TRUE for numbered lines back to back
 *
 * While the application runs, it prints `I (ms) flood: line N …` lines
 * with no gap between them at its baud (EsplashSimOptions.app_baud),
 * instead of one line every 200 ms. They are made as the host reads
 * them: a host that stops reading for longer than 64 KiB of wire time
 * loses the older lines (the numbers say how many). Lines are numbered
 * from 1 after each boot.
 */
void
esplash_sim_set_app_flood (EsplashSim *self,
                           gboolean    flood)
{
  gint64 now;

  g_return_if_fail (ESPLASH_IS_SIM (self));

  g_mutex_lock (&self->lock);
  now = sim_now ();
  sim_board_touch (self, now);
  if (!!flood != self->flood)
    {
      self->flood = !!flood;
      self->flood_since_us = now;
      self->next_line_us = now;
      sim_event (self, "flood %s", flood ? "on" : "off");
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}
