/* test-sim-app.c: the virtual chip's application — the ESP-IDF boot log
 * after a flash boot, the panic report and reboot (addresses checked
 * against the test ELF's symbol table with libelf, independently of the
 * simulator), and flood mode's rate, numbering and bounded memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gelf.h>
#include <libelf.h>

#include "esplash-chip.h"
#include "esplash-sim.h"

#define SECOND G_USEC_PER_SEC
#define GREEN  "\033[0;32m"
#define RESET  "\033[0m"
/* the same in a regular expression */
#define RE_GREEN "\\x1b\\[0;32m"
#define RE_RESET "\\x1b\\[0m"

/* ------------------------------------------------------------- helpers */

typedef struct {
  guint32  value;
  guint32  size;
  char    *name;
} Func;

static void
func_clear (gpointer data)
{
  g_free (((Func *) data)->name);
}

/* FUNC symbols of non-zero size, read here with libelf (not with the
 * simulator's code), so the checks below compare against the ELF itself. */
static GArray *
elf_functions (const char *path)
{
  g_autofree char *contents = NULL;
  GArray *funcs = g_array_new (FALSE, FALSE, sizeof (Func));
  Elf_Scn *scn = NULL;
  gsize len;
  Elf *elf;

  g_array_set_clear_func (funcs, func_clear);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpint (elf_version (EV_CURRENT), !=, EV_NONE);
  elf = elf_memory (contents, len);
  g_assert_nonnull (elf);
  while ((scn = elf_nextscn (elf, scn)) != NULL)
    {
      GElf_Shdr shdr;
      Elf_Data *data;

      g_assert_nonnull (gelf_getshdr (scn, &shdr));
      if (shdr.sh_type != SHT_SYMTAB)
        continue;
      data = elf_getdata (scn, NULL);
      for (gsize i = 0; i < shdr.sh_size / shdr.sh_entsize; i++)
        {
          GElf_Sym sym;
          Func f;

          g_assert_nonnull (gelf_getsym (data, (int) i, &sym));
          if (GELF_ST_TYPE (sym.st_info) != STT_FUNC || sym.st_size == 0 || sym.st_shndx == SHN_UNDEF)
            continue;
          f.value = (guint32) sym.st_value;
          f.size = (guint32) sym.st_size;
          f.name = g_strdup (elf_strptr (elf, shdr.sh_link, sym.st_name));
          g_array_append_val (funcs, f);
        }
    }
  elf_end (elf);
  return funcs;
}

/* The function whose [value, value + size) holds @address, or NULL. */
static const char *
function_at (GArray  *funcs,
             guint32  address)
{
  for (guint i = 0; i < funcs->len; i++)
    {
      const Func *f = &g_array_index (funcs, Func, i);

      if (address >= f->value && address - f->value < f->size)
        return f->name;
    }
  return NULL;
}

static char *
sha256_prefix_of_file (const char *path)
{
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) contents, len);
  return g_strndup (sha, 16);
}

static const char *
test_elf (void)
{
  const char *path = g_getenv ("ESPLASH_TEST_APP_ELF");

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("ESPLASH_TEST_APP_ELF is not set or not built (run through meson test)");
      return NULL;
    }
  return path;
}

/* A minimal second-stage image at the boot-loader offset: header (with
 * the extended part), one 16-byte segment at 0x403cc710, entry there. */
static void
load_boot_loader (EsplashSim        *sim,
                  EsplashChipFamily  family)
{
  guint8 image[24 + 8 + 16] = { 0xE9, 1, 2, 0x20, 0x10, 0xc7, 0x3c, 0x40 };
  g_autoptr(GBytes) bytes = NULL;

  image[24] = 0x10, image[25] = 0xc7, image[26] = 0x3c, image[27] = 0x40;   /* load address */
  image[28] = 16;                                                           /* length */
  bytes = g_bytes_new (image, sizeof image);
  esplash_sim_load_flash (sim, esplash_chip_get (family)->bootloader_offset, bytes);
}

/* A chip that booted from a flash holding a boot loader; @elf may be NULL. */
static EsplashSim *
booted_sim (EsplashChipFamily  family,
            const char        *elf,
            guint              app_baud)
{
  EsplashSimOptions options;
  EsplashSim *sim;

  esplash_sim_options_init (&options, family);
  options.boot_mode = ESPLASH_SIM_BOOT_FLASH;
  options.app_elf = elf;
  options.app_baud = app_baud;
  options.max_baud = 0;
  sim = esplash_sim_new (&options);
  load_boot_loader (sim, family);
  if (app_baud != 0)
    esplash_sim_host_set_baud (sim, app_baud);
  esplash_sim_power_cycle (sim);
  return sim;
}

/* Appends what was read; a NUL (noise at a wrong baud) becomes '.' so
 * that the text stays one string. */
static void
append_read (GString      *text,
             const guint8 *buf,
             gssize        n)
{
  for (gssize i = 0; i < n; i++)
    g_string_append_c (text, buf[i] != 0 ? (char) buf[i] : '.');
}

/* Reads until @text holds @needle (after @from) or @timeout_us passes. */
static gboolean
read_until (EsplashSim *sim,
            GString    *text,
            gsize       from,
            const char *needle,
            gint64      timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (strstr (text->str + MIN (from, text->len), needle) == NULL)
    {
      guint8 buf[4096];
      gint64 left = deadline - g_get_monotonic_time ();
      gssize n;

      if (left <= 0)
        return FALSE;
      n = esplash_sim_host_read (sim, buf, sizeof buf, MIN (left, 50 * G_TIME_SPAN_MILLISECOND));
      if (n < 0)
        return FALSE;
      append_read (text, buf, n);
    }
  return TRUE;
}

static gboolean
has_event (EsplashSim *sim,
           const char *prefix)
{
  g_auto(GStrv) events = esplash_sim_dup_events (sim);

  for (guint i = 0; events[i] != NULL; i++)
    if (g_str_has_prefix (events[i], prefix))
      return TRUE;
  return FALSE;
}

/* Every log line (one that starts with a colour) ends with the reset
 * before its line end; returns how many there were of each level. */
static void
check_colours (const char *text,
               guint      *n_i,
               guint      *n_w,
               guint      *n_e)
{
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

  *n_i = *n_w = *n_e = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (line[0] != '\033')
        continue;
      if (g_str_has_prefix (line, GREEN "I ("))
        (*n_i)++;
      else if (g_str_has_prefix (line, "\033[0;33mW ("))
        (*n_w)++;
      else if (g_str_has_prefix (line, "\033[0;31mE ("))
        (*n_e)++;
      else
        g_error ("a coloured line of no ESP-IDF level: %s", line);
      if (lines[i + 1] != NULL)   /* the last piece may be a line still arriving */
        g_assert_true (g_str_has_suffix (line, RESET));
    }
}

/* ------------------------------------------------------------ boot log */

static void
test_boot_log_esp32c3 (void)
{
  const char *elf = test_elf ();
  g_autoptr(EsplashSim) sim = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *sha = NULL;
  g_autofree char *sha_line = NULL;
  guint n_i, n_w, n_e;

  if (elf == NULL)
    return;
  sha = sha256_prefix_of_file (elf);
  sim = booted_sim (ESPLASH_CHIP_ESP32C3, elf, 0);
  g_assert_true (read_until (sim, text, 0, "esplash-sim-app: running image at 0x10000, md5 ", 2 * SECOND));
  g_assert_true (read_until (sim, text, 0, RESET "\r\n", SECOND));
  g_test_message ("%s", text->str);

  /* the ROM: banner, loading lines from the image's header */
  g_assert_nonnull (strstr (text->str, "ESP-ROM:esp32c3-api1-20210207\r\n"));
  g_assert_nonnull (strstr (text->str, "rst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n"));
  g_assert_nonnull (strstr (text->str, "SPIWP:0xee\r\nmode:DIO, clock div:1\r\nload:0x403cc710,len:0x10\r\n"
                                       "entry 0x403cc710\r\n"));
  /* the second stage and the application's start, coloured */
  g_assert_nonnull (strstr (text->str, GREEN "I (27) boot: ESP-IDF v"));
  g_assert_nonnull (strstr (text->str, " 2nd stage bootloader" RESET "\r\n"));
  g_assert_nonnull (strstr (text->str, "boot.esp32c3: SPI Flash Size : 4MB" RESET));
  g_assert_nonnull (strstr (text->str, "boot:  2 factory          factory app      00 00 00010000 00100000" RESET));
  g_assert_nonnull (strstr (text->str, "cpu_start: Unicore app" RESET));
  g_assert_nonnull (strstr (text->str, "main_task: Calling app_main()" RESET));
  sha_line = g_strdup_printf (") app_init: ELF file SHA256:  %s..." RESET "\r\n", sha);
  g_assert_nonnull (strstr (text->str, sha_line));
  g_assert_nonnull (strstr (text->str, "\033[0;33mW ("));
  g_assert_nonnull (strstr (text->str, "\033[0;31mE ("));
  /* the periodic line is an I line */
  g_assert_nonnull (strstr (text->str, GREEN "I ("));
  g_assert_true (g_regex_match_simple (RE_GREEN "I \\(\\d+\\) esplash-sim-app: running image at 0x10000, "
                                       "md5 [0-9a-f]{32}" RE_RESET "\r\n", text->str, 0, 0));
  check_colours (text->str, &n_i, &n_w, &n_e);
  g_assert_cmpuint (n_i, >=, 20);
  g_assert_cmpuint (n_w, ==, 1);
  g_assert_cmpuint (n_e, ==, 1);
}

static void
test_boot_log_esp32_no_elf (void)
{
  g_autoptr(EsplashSim) sim = booted_sim (ESPLASH_CHIP_ESP32, NULL, 0);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GBytes) app = esplash_sim_dup_flash (sim, 0x10000, 0x1000);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, app);
  g_autofree char *sha_line = NULL;

  g_assert_true (read_until (sim, text, 0, "esplash-sim-app: running image", 2 * SECOND));
  g_assert_nonnull (strstr (text->str, "ets Jun  8 2016 00:22:57\r\n"));
  g_assert_nonnull (strstr (text->str, "configsip: 0, SPIWP:0xee\r\n"));
  g_assert_nonnull (strstr (text->str, "load:0x403cc710,len:16\r\n"));   /* decimal on the ESP32 */
  g_assert_nonnull (strstr (text->str, GREEN "I (31) boot: ESP-IDF v"));
  g_assert_nonnull (strstr (text->str, "boot: Multicore bootloader" RESET));
  g_assert_nonnull (strstr (text->str, "cpu_start: Multicore app" RESET));
  g_assert_nonnull (strstr (text->str, "cpu_start: Starting app cpu, entry point is 0x4008"));
  /* without an ELF: the SHA-256 of the image's first 4 KiB */
  sha_line = g_strdup_printf ("app_init: ELF file SHA256:  %.16s..." RESET, sha);
  g_assert_nonnull (strstr (text->str, sha_line));
}

/* ---------------------------------------------------------------- panic */

static guint32
hex_after (const char *text,
           const char *label)
{
  const char *at = strstr (text, label);

  g_assert_nonnull (at);
  return (guint32) g_ascii_strtoull (at + strlen (label), NULL, 16);
}

static void
test_panic_esp32c3 (void)
{
  const char *elf = test_elf ();
  g_autoptr(EsplashSim) sim = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GArray) funcs = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *sha_line = NULL;
  g_auto(GStrv) lines = NULL;
  const char *report, *dump;
  gboolean seen_sensor_task = FALSE, seen_app_main = FALSE;
  guint resets, row = 0;
  gsize before;

  if (elf == NULL)
    return;
  funcs = elf_functions (elf);
  sha = sha256_prefix_of_file (elf);
  sim = booted_sim (ESPLASH_CHIP_ESP32C3, elf, 0);
  g_assert_true (read_until (sim, text, 0, "esplash-sim-app: running image", 2 * SECOND));
  resets = esplash_sim_get_reset_count (sim);
  before = text->len;

  esplash_sim_panic (sim);
  /* the report, the restart, and the application's log once more */
  g_assert_true (read_until (sim, text, before, "Rebooting...\r\n", 2 * SECOND));
  g_assert_true (read_until (sim, text, before, "esplash-sim-app: running image", 2 * SECOND));
  report = text->str + before;
  g_test_message ("%s", report);

  g_assert_true (g_str_has_prefix (report, "Guru Meditation Error: Core  0 panic'ed (Store access fault). "
                                           "Exception was unhandled.\r\n\r\nCore  0 register dump:\r\n"));
  dump = strstr (report, "MEPC    : 0x");
  g_assert_nonnull (dump);
  g_assert_cmpstr (function_at (funcs, hex_after (report, "MEPC    : 0x")), ==, "store_reading");
  g_assert_cmpstr (function_at (funcs, hex_after (report, "RA      : 0x")), ==, "parse_reading");
  g_assert_cmphex (hex_after (report, "MCAUSE  : 0x"), ==, 7);

  /* ten lines of four registers (the last: MHARTID alone), then the stack */
  lines = g_strsplit (dump, "\r\n", -1);
  for (row = 0; row < 9; row++)
    g_assert_true (g_regex_match_simple ("^([A-Z0-9/]+ *: 0x[0-9a-f]{8}  ){4}$", lines[row], 0, 0));
  g_assert_cmpstr (lines[9], ==, "MHARTID : 0x00000000  ");
  g_assert_cmpstr (lines[10], ==, "");
  g_assert_cmpstr (lines[11], ==, "Stack memory:");
  for (row = 12; row < 12 + 32; row++)
    {
      g_auto(GStrv) words = g_strsplit (lines[row], " ", -1);

      g_assert_true (g_regex_match_simple ("^[0-9a-f]{8}:( 0x[0-9a-f]{8}){8}$", lines[row], 0, 0));
      for (guint w = 1; words[w] != NULL; w++)
        {
          const char *name = function_at (funcs, (guint32) g_ascii_strtoull (words[w] + 2, NULL, 16));

          seen_sensor_task |= g_strcmp0 (name, "sensor_task") == 0;
          seen_app_main |= g_strcmp0 (name, "app_main") == 0;
        }
    }
  /* the callers further up are where their frames saved them */
  g_assert_true (seen_sensor_task);
  g_assert_true (seen_app_main);

  sha_line = g_strdup_printf ("\r\n\r\nELF file SHA256: %s\r\n\r\nRebooting...\r\n", sha);
  g_assert_nonnull (strstr (report, sha_line));
  g_assert_nonnull (strstr (report, "Rebooting...\r\nESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\n"
                                    "rst:0x3 (RTC_SW_SYS_RST),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\nSaved PC:0x"));
  g_assert_nonnull (strstr (strstr (report, "Rebooting..."), "app_init: ELF file SHA256:  "));
  g_assert_cmpuint (esplash_sim_get_reset_count (sim), ==, resets + 1);
  g_assert_true (has_event (sim, "panic Store access fault at 0x"));
  g_assert_true (has_event (sim, "reset panic boot:0x08 flash"));
  g_assert_cmpint (esplash_sim_get_state (sim), ==, ESPLASH_SIM_STATE_APP);
}

static void
test_panic_esp32 (void)
{
  static const char *const chain[] = { "store_reading", "parse_reading", "sensor_task", "app_main" };
  const char *elf = test_elf ();
  g_autoptr(EsplashSim) sim = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GArray) funcs = NULL;
  g_autoptr(GRegex) backtrace = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *pairs = NULL;
  g_auto(GStrv) entries = NULL;
  const char *report;
  gsize before;

  if (elf == NULL)
    return;
  funcs = elf_functions (elf);
  sim = booted_sim (ESPLASH_CHIP_ESP32, elf, 0);
  g_assert_true (read_until (sim, text, 0, "esplash-sim-app: running image", 2 * SECOND));
  before = text->len;
  esplash_sim_panic (sim);
  g_assert_true (read_until (sim, text, before, "Rebooting...\r\n", 2 * SECOND));
  g_assert_true (read_until (sim, text, before, "esplash-sim-app: running image", 2 * SECOND));
  report = text->str + before;
  g_test_message ("%s", report);

  g_assert_true (g_str_has_prefix (report, "Guru Meditation Error: Core  0 panic'ed (LoadProhibited). "
                                           "Exception was unhandled.\r\n\r\nCore  0 register dump:\r\n"
                                           "PC      : 0x"));
  g_assert_cmphex (hex_after (report, "EXCCAUSE: 0x"), ==, 0x1c);
  backtrace = g_regex_new ("\r\n\r\n\r\nBacktrace:((?: 0x[0-9a-f]{8}:0x[0-9a-f]{8})+)\r\n", 0, 0, NULL);
  g_assert_true (g_regex_match (backtrace, report, 0, &match));
  pairs = g_match_info_fetch (match, 1);
  entries = g_strsplit (pairs + 1, " ", -1);
  g_assert_cmpuint (g_strv_length (entries), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      guint32 pc = (guint32) g_ascii_strtoull (entries[i] + 2, NULL, 16);

      g_assert_cmpstr (function_at (funcs, pc), ==, chain[i]);
      g_assert_cmpuint (pc % 2, ==, 0);
    }
  /* the PC register is the first backtrace address + 3 (ESP-IDF prints PC - 3) */
  g_assert_cmphex (hex_after (report, "PC      : 0x"), ==, g_ascii_strtoull (entries[0] + 2, NULL, 16) + 3);
  g_assert_nonnull (strstr (report, "\r\n\r\nELF file SHA256: "));
  g_assert_nonnull (strstr (report, "Rebooting...\r\nets Jun  8 2016 00:22:57\r\n\r\n"
                                    "rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n"));
  g_assert_nonnull (strstr (strstr (report, "Rebooting..."), "cpu_start: Multicore app"));
}

/* Without an ELF the addresses are in the family's flash-mapped code. */
static void
test_panic_no_elf (void)
{
  g_autoptr(EsplashSim) esp32 = booted_sim (ESPLASH_CHIP_ESP32, NULL, 0);
  g_autoptr(EsplashSim) c6 = booted_sim (ESPLASH_CHIP_ESP32C6, NULL, 0);
  g_autoptr(GString) a = g_string_new (NULL);
  g_autoptr(GString) b = g_string_new (NULL);

  g_assert_true (read_until (esp32, a, 0, "esplash-sim-app: running image", 2 * SECOND));
  esplash_sim_panic (esp32);
  g_assert_true (read_until (esp32, a, 0, "Rebooting...", 2 * SECOND));
  g_assert_true (g_regex_match_simple ("Backtrace:( 0x400d[0-9a-f]{4}:0x3ffb[0-9a-f]{4}){4}\r\n", a->str, 0, 0));

  g_assert_true (read_until (c6, b, 0, "esplash-sim-app: running image", 2 * SECOND));
  esplash_sim_panic (c6);
  g_assert_true (read_until (c6, b, 0, "rst:0xc (SW_CPU),boot:0x8 (SPI_FAST_FLASH_BOOT)", 2 * SECOND));
  g_assert_true (g_regex_match_simple ("MEPC    : 0x4200[0-9a-f]{4}  RA      : 0x4200[0-9a-f]{4}  ", b->str, 0, 0));
}

/* Without store_reading & co: the four highest functions, highest first,
 * each at value + (size / 2 rounded down to even) — the documented rule,
 * checked on this test program's own (host) ELF. */
static void
test_panic_other_elf (void)
{
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(EsplashSim) sim = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GArray) funcs = NULL;
  g_autoptr(GString) expected = g_string_new ("Backtrace:");

  if (self_path == NULL)
    {
      g_test_skip ("no /proc/self/exe");
      return;
    }
  funcs = elf_functions (self_path);
  for (guint k = 0; k < 4 && funcs->len > 0; k++)
    {
      guint best = 0;
      guint32 value;

      for (guint i = 1; i < funcs->len; i++)
        if (g_array_index (funcs, Func, i).value > g_array_index (funcs, Func, best).value)
          best = i;
      value = g_array_index (funcs, Func, best).value;
      g_string_append_printf (expected, " 0x%08x:0x%08x",
                              value + ((g_array_index (funcs, Func, best).size / 2) & ~1u),
                              0x3ffb5670u + k * 0x20);
      /* it and its aliases are done */
      for (guint i = funcs->len; i-- > 0;)
        if (g_array_index (funcs, Func, i).value == value)
          g_array_remove_index (funcs, i);
    }
  g_string_append (expected, "\r\n");
  sim = booted_sim (ESPLASH_CHIP_ESP32, self_path, 0);
  g_assert_true (read_until (sim, text, 0, "esplash-sim-app: running image", 2 * SECOND));
  esplash_sim_panic (sim);
  g_assert_true (read_until (sim, text, 0, "Rebooting...", 2 * SECOND));
  g_assert_nonnull (strstr (text->str, expected->str));
}

static void
test_panic_no_app (void)
{
  EsplashSimOptions options;
  g_autoptr(EsplashSim) sim = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  esplash_sim_options_init (&options, ESPLASH_CHIP_ESP32C3);
  options.boot_mode = ESPLASH_SIM_BOOT_DOWNLOAD;
  sim = esplash_sim_new (&options);
  g_assert_true (read_until (sim, text, 0, "waiting for download", SECOND));
  esplash_sim_panic (sim);
  g_assert_false (read_until (sim, text, 0, "Guru", 200 * G_TIME_SPAN_MILLISECOND));
  g_assert_true (has_event (sim, "panic ignored: no application running"));
  g_assert_cmpint (esplash_sim_get_state (sim), ==, ESPLASH_SIM_STATE_ROM_LOADER);
  g_assert_cmpuint (esplash_sim_get_reset_count (sim), ==, 1);
}

/* ---------------------------------------------------------------- flood */

#define FLOOD_BAUD 2000000

/* Numbers of the "flood: line N" lines in @text, in order. */
static GArray *
flood_numbers (const char *text)
{
  g_autoptr(GRegex) line = g_regex_new (RE_GREEN "I \\(\\d+\\) flood: line (\\d+) [0-9A-Za-z]+" RE_RESET "\r\n",
                                        0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  GArray *numbers = g_array_new (FALSE, FALSE, sizeof (guint));

  g_regex_match (line, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *digits = g_match_info_fetch (match, 1);
      guint number = (guint) g_ascii_strtoull (digits, NULL, 10);

      g_array_append_val (numbers, number);
      g_match_info_next (match, NULL);
    }
  return numbers;
}

static void
test_flood_rate (void)
{
  g_autoptr(EsplashSim) sim = booted_sim (ESPLASH_CHIP_ESP32C3, NULL, FLOOD_BAUD);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GArray) numbers = NULL;
  gssize max_pending = 0;
  gint64 start, elapsed;
  gsize before;
  double rate;

  g_assert_true (read_until (sim, text, 0, "esplash-sim-app: running image", 2 * SECOND));
  g_assert_cmpuint (esplash_sim_get_baud (sim), ==, FLOOD_BAUD);
  esplash_sim_set_app_flood (sim, TRUE);
  g_assert_true (has_event (sim, "flood on"));
  before = text->len;

  start = g_get_monotonic_time ();
  while ((elapsed = g_get_monotonic_time () - start) < SECOND)
    {
      guint8 buf[8192];
      gssize pending = esplash_sim_host_pending (sim);
      gssize n;

      max_pending = MAX (max_pending, pending);
      n = esplash_sim_host_read (sim, buf, sizeof buf, 20 * G_TIME_SPAN_MILLISECOND);
      g_assert_cmpint (n, >=, 0);
      append_read (text, buf, n);
    }
  rate = (double) (text->len - before) * SECOND / (double) elapsed;
  g_test_message ("flood: %zu bytes in %" G_GINT64_FORMAT " µs = %.0f B/s, most pending %zd",
                  text->len - before, elapsed, rate, max_pending);
  /* 2 Mbaud 8N1 is 200 000 bytes/s: the host reads at most that */
  g_assert_cmpfloat (rate, >=, 100000);
  g_assert_cmpfloat (rate, <=, 260000);
  /* made as they are read: never more waiting than the 64 KiB a host's
   * buffer keeps (a reader that keeps up sees a few hundred bytes) */
  g_assert_cmpint (max_pending, <=, 64 * 1024 + 1024);

  numbers = flood_numbers (text->str + before);
  g_assert_cmpuint (numbers->len, >, 1000);
  g_assert_cmpuint (g_array_index (numbers, guint, 0), ==, 1);
  for (guint i = 1; i < numbers->len; i++)
    g_assert_cmpuint (g_array_index (numbers, guint, i), ==, g_array_index (numbers, guint, i - 1) + 1);

  /* back to one line every 200 ms */
  esplash_sim_set_app_flood (sim, FALSE);
  before = text->len;
  g_assert_true (read_until (sim, text, before, "esplash-sim-app: running image", SECOND));
}

/* The count in "flood: N lines lost (…)", 0 without such an event. */
static guint
lines_lost (EsplashSim *sim)
{
  g_auto(GStrv) events = esplash_sim_dup_events (sim);
  guint lost = 0;

  for (guint i = 0; events[i] != NULL; i++)
    if (g_str_has_prefix (events[i], "flood: ") && strstr (events[i], " lines lost") != NULL)
      lost += (guint) g_ascii_strtoull (events[i] + strlen ("flood: "), NULL, 10);
  return lost;
}

/* A host that does not read: what waits for it stays bounded (64 KiB of
 * arrived, unread output); the lines that did not fit are lost, and the
 * numbers and the event log say how many. */
static void
test_flood_not_read (void)
{
  g_autoptr(EsplashSim) sim = booted_sim (ESPLASH_CHIP_ESP32C3, NULL, FLOOD_BAUD);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GArray) numbers = NULL;
  guint gaps = 0, skipped = 0;
  gssize pending;
  gint64 until;

  g_assert_true (read_until (sim, text, 0, "esplash-sim-app: running image", 2 * SECOND));
  g_assert_true (read_until (sim, text, 0, RESET "\r\n", SECOND));
  esplash_sim_set_app_flood (sim, TRUE);
  /* half a second is 100 KB at 2 Mbaud */
  g_usleep (500 * G_TIME_SPAN_MILLISECOND);
  pending = esplash_sim_host_pending (sim);
  g_test_message ("pending after 0.5 s unread: %zd, %u lines lost", pending, lines_lost (sim));
  g_assert_cmpint (pending, >, 32 * 1024);
  g_assert_cmpint (pending, <=, 64 * 1024 + 1024);
  g_assert_cmpuint (lines_lost (sim), >, 100);

  g_string_truncate (text, 0);
  until = g_get_monotonic_time () + 200 * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < until)
    {
      guint8 buf[8192];
      gssize n = esplash_sim_host_read (sim, buf, sizeof buf, 20 * G_TIME_SPAN_MILLISECOND);

      g_assert_cmpint (n, >=, 0);
      append_read (text, buf, n);
    }
  numbers = flood_numbers (text->str);
  g_assert_cmpuint (numbers->len, >, 500);
  skipped = g_array_index (numbers, guint, 0) - 1;
  gaps = skipped > 0 ? 1 : 0;
  for (guint i = 1; i < numbers->len; i++)
    {
      guint step = g_array_index (numbers, guint, i) - g_array_index (numbers, guint, i - 1);

      g_assert_cmpuint (step, >=, 1);
      if (step > 1)
        {
          gaps++;
          skipped += step - 1;
        }
    }
  /* one hole (before the lines kept), exactly as large as the event log says */
  g_assert_cmpuint (gaps, ==, 1);
  g_assert_cmpuint (skipped, ==, lines_lost (sim));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/sim/app/boot-log/esp32c3", test_boot_log_esp32c3);
  g_test_add_func ("/esplash/sim/app/boot-log/esp32-no-elf", test_boot_log_esp32_no_elf);
  g_test_add_func ("/esplash/sim/app/panic/esp32c3", test_panic_esp32c3);
  g_test_add_func ("/esplash/sim/app/panic/esp32", test_panic_esp32);
  g_test_add_func ("/esplash/sim/app/panic/no-elf", test_panic_no_elf);
  g_test_add_func ("/esplash/sim/app/panic/other-elf", test_panic_other_elf);
  g_test_add_func ("/esplash/sim/app/panic/no-app", test_panic_no_app);
  g_test_add_func ("/esplash/sim/app/flood/rate", test_flood_rate);
  g_test_add_func ("/esplash/sim/app/flood/not-read", test_flood_not_read);

  return g_test_run ();
}
