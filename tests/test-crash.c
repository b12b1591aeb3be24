/* test-crash.c: crash decoding — the scanner over a board's output
 * (esplash-crash) and code addresses → functions and lines
 * (esplash-elf-symbols), and finding the ELF of a dropped build.
 *
 * The panic samples are written after what ESP-IDF's panic handler prints
 * (Xtensa: "Backtrace:" PC:SP pairs; RISC-V: the "Core  0 register dump:"
 * of 37 registers, four to a line, each "NAME    : 0x%08x  "; newlib's
 * "abort() was called at PC 0x… on core N"; the app's "ELF file SHA256:"),
 * with the log colours and "\r\n" line ends a board sends.
 *
 * The ELF is tests/app-elf/panic-app.c built for rv32imc at setup
 * ($ESPLASH_TEST_APP_ELF). The expected addresses are read from its
 * symbol table with libelf, and the expected lines from the C source, so
 * nothing here is copied from the code under test; its SHA-256 is checked
 * against sha256sum.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <gelf.h>
#include <glib/gstdio.h>

#include "esplash.h"

/* ---- helpers ------------------------------------------------------------ */

static const char *
app_elf_path (void)
{
  const char *path = g_getenv ("ESPLASH_TEST_APP_ELF");

  g_assert_nonnull (path);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  return path;
}

/* The source the ELF was built from (tests/app-elf/panic-app.c). */
static char *
app_source_path (void)
{
  const char *data = g_getenv ("ESPLASH_TEST_DATA");
  g_autofree char *tests = NULL;

  g_assert_nonnull (data);
  tests = g_path_get_dirname (data);
  return g_build_filename (tests, "app-elf", "panic-app.c", NULL);
}

/* A function's address and size from the ELF's symbol table (libelf). */
static void
elf_function (const char *path,
              const char *name,
              guint32    *address,
              guint32    *size)
{
  int fd = g_open (path, O_RDONLY, 0);
  Elf *elf;
  Elf_Scn *scn = NULL;
  gboolean found = FALSE;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (elf_version (EV_CURRENT), !=, EV_NONE);
  elf = elf_begin (fd, ELF_C_READ, NULL);
  g_assert_nonnull (elf);
  while (!found && (scn = elf_nextscn (elf, scn)) != NULL)
    {
      GElf_Shdr shdr;
      Elf_Data *data;

      g_assert_nonnull (gelf_getshdr (scn, &shdr));
      if (shdr.sh_type != SHT_SYMTAB)
        continue;
      data = elf_getdata (scn, NULL);
      for (gsize i = 0; data != NULL && i < shdr.sh_size / shdr.sh_entsize; i++)
        {
          GElf_Sym sym;
          const char *n;

          g_assert_nonnull (gelf_getsym (data, (int) i, &sym));
          n = elf_strptr (elf, shdr.sh_link, sym.st_name);
          if (n != NULL && strcmp (n, name) == 0 && GELF_ST_TYPE (sym.st_info) == STT_FUNC)
            {
              *address = (guint32) sym.st_value;
              *size = (guint32) sym.st_size;
              found = TRUE;
              break;
            }
        }
    }
  elf_end (elf);
  close (fd);
  g_assert_true (found);
  g_assert_cmpuint (*size, >, 0);
}

/* GNU addr2line's answer (the cross binutils), an independent reader of
 * the same DWARF: function, file and line; FALSE when it is not installed. */
static gboolean
addr2line (const char *elf,
           guint32     address,
           char      **function,
           char      **file,
           guint      *line)
{
  g_autofree char *tool = g_find_program_in_path ("riscv64-unknown-elf-addr2line");
  g_autofree char *hex = g_strdup_printf ("0x%08x", address);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { tool, "-f", "-e", elf, hex, NULL };
  char *colon, *end;
  int status;

  if (tool == NULL)
    return FALSE;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 2);
  /* "/dir/panic-app.c:24 (discriminator 4)" */
  colon = strrchr (lines[1], ':');
  g_assert_nonnull (colon);
  *colon = '\0';
  *function = g_strdup (lines[0]);
  *file = g_strdup (lines[1]);
  *line = (guint) g_ascii_strtoull (colon + 1, &end, 10);
  return TRUE;
}

/* The lines of a function in the C source: from its name at the start of
 * a line (GNU style) to the closing brace at the start of a line. */
static void
source_span (const char *name,
             guint      *first,
             guint      *last)
{
  g_autofree char *path = app_source_path ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *head = g_strdup_printf ("%s (", name);
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  *first = *last = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (*first == 0 && g_str_has_prefix (lines[i], head))
        *first = i + 1;
      else if (*first != 0 && lines[i][0] == '}')
        {
          *last = i + 1;
          break;
        }
    }
  g_assert_cmpuint (*first, >, 0);
  g_assert_cmpuint (*last, >, *first);
}

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("esplash-crash-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
rm_rf (const char *path)
{
  GDir *d;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_unlink (path);
      return;
    }
  d = g_dir_open (path, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      rm_rf (child);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (path);
}

/* Writes @contents (NULL: a copy of the test ELF) to @dir/@rel. */
static char *
put_file (const char *dir,
          const char *rel,
          const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, rel, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *elf = NULL;
  gsize len = 0;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  if (contents == NULL)
    {
      g_file_get_contents (app_elf_path (), &elf, &len, &error);
      g_assert_no_error (error);
      g_file_set_contents (path, elf, (gssize) len, &error);
    }
  else
    g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* esplash_elf_find_for_build(@path) is @dir/@expected (NULL: nothing). */
static void
assert_finds (const char *path,
              const char *dir,
              const char *expected)
{
  g_autofree char *found = esplash_elf_find_for_build (path);
  g_autofree char *want = NULL;
  g_autofree char *real_want = NULL;

  if (expected == NULL)
    {
      if (found != NULL)
        g_error ("%s: expected no ELF, found %s", path, found);
      return;
    }
  want = g_build_filename (dir, expected, NULL);
  real_want = realpath (want, NULL);
  g_assert_nonnull (real_want);
  if (found == NULL)
    g_error ("%s: expected %s, found nothing", path, real_want);
  g_assert_cmpstr (found, ==, real_want);
}

/* ---- the scanner -------------------------------------------------------- */

typedef struct {
  guint32                 address;
  EsplashCrashAddressRole role;
  const char             *label;
} Expected;

/* Feeds @line (a C string, given without its NUL, in a buffer of exactly
 * its size) and checks what comes out against @want (@n_want entries). */
static void
feed_expect (EsplashCrashScanner *scanner,
             const char          *line,
             const Expected      *want,
             guint                n_want)
{
  gsize len = strlen (line);
  g_autofree char *copy = g_memdup2 (line, len);    /* no NUL after it */
  g_autoptr(GArray) got = esplash_crash_scanner_feed_line (scanner, copy, len);

  if (n_want == 0)
    {
      if (got != NULL)
        g_error ("expected no address from \"%s\", got %u (first 0x%08x)", line, got->len,
                 g_array_index (got, EsplashCrashAddress, 0).address);
      return;
    }
  if (got == NULL)
    g_error ("expected %u addresses from \"%s\", got none", n_want, line);
  g_assert_cmpuint (got->len, ==, n_want);
  for (guint i = 0; i < n_want; i++)
    {
      const EsplashCrashAddress *a = &g_array_index (got, EsplashCrashAddress, i);

      g_assert_cmphex (a->address, ==, want[i].address);
      g_assert_cmpint (a->role, ==, want[i].role);
      g_assert_cmpstr (a->label, ==, want[i].label);
    }
}

static void
feed_none (EsplashCrashScanner *scanner,
           const char          *line)
{
  feed_expect (scanner, line, NULL, 0);
}

#define RED    "\033[0;31m"
#define GREEN  "\033[0;32m"
#define YELLOW "\033[0;33m"
#define RESET  "\033[0m"

static void
test_scanner_xtensa (void)
{
  g_autoptr(EsplashCrashScanner) s = esplash_crash_scanner_new ();
  const Expected bt[] = {
    { 0x400d1a2b, ESPLASH_CRASH_ADDRESS_PC, "backtrace" },
    { 0x400d1a59, ESPLASH_CRASH_ADDRESS_RETURN, "backtrace" },
    { 0x400d1a86, ESPLASH_CRASH_ADDRESS_RETURN, "backtrace" },
    { 0x4008a2e1, ESPLASH_CRASH_ADDRESS_RETURN, "backtrace" },
  };

  g_assert_false (esplash_crash_scanner_in_panic (s));
  g_assert_null (esplash_crash_scanner_get_app_elf_sha256 (s));
  feed_none (s, "ets Jun  8 2016 00:22:57\r");
  feed_none (s, "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r");
  feed_none (s, "entry 0x400805e4\r");
  feed_none (s, GREEN "I (31) boot: ESP-IDF v5.2.1 2nd stage bootloader" RESET "\r");
  feed_none (s, GREEN "I (243) cpu_start: Pro cpu up." RESET "\r");
  feed_none (s, GREEN "I (275) app_init: ELF file SHA256:  8C2F0D5E1B3A4C6F..." RESET "\r");
  g_assert_cmpstr (esplash_crash_scanner_get_app_elf_sha256 (s), ==, "8c2f0d5e1b3a4c6f");
  feed_none (s, GREEN "I (512) main_task: Calling app_main()" RESET "\r");
  g_assert_false (esplash_crash_scanner_in_panic (s));

  feed_none (s, "Guru Meditation Error: Core  0 panic'ed (LoadProhibited). "
                "Exception was unhandled.\r");
  g_assert_true (esplash_crash_scanner_in_panic (s));
  feed_none (s, "\r");
  feed_none (s, "Core  0 register dump:\r");
  /* the Xtensa registers are not decoded: the backtrace has the PC, and
   * A0 holds a windowed return address (0x8…), not a code address */
  feed_none (s, "PC      : 0x400d1a2e  PS      : 0x00060430  A0      : 0x800d1a5c  "
                "A1      : 0x3ffb5630  \r");
  feed_none (s, "A2      : 0x00000000  A3      : 0x00000004  A4      : 0x3ffb5650  "
                "A5      : 0x00000001  \r");
  feed_none (s, "EXCVADDR: 0x00000000  LBEG    : 0x400014fd  LEND    : 0x4000150d  "
                "LCOUNT  : 0xffffffff  \r");
  feed_none (s, "\r");
  feed_none (s, "\r");
  feed_expect (s, "Backtrace: 0x400d1a2b:0x3ffb5630 0x400d1a59:0x3ffb5650 "
                  "0x400d1a86:0x3ffb5670 0x4008a2e1:0x3ffb5690 |<-CORRUPTED\r",
               bt, G_N_ELEMENTS (bt));
  feed_none (s, "\r");
  feed_none (s, "\r");
  feed_none (s, "ELF file SHA256: 8c2f0d5e1b3a4c6f\r");
  g_assert_cmpstr (esplash_crash_scanner_get_app_elf_sha256 (s), ==, "8c2f0d5e1b3a4c6f");
  g_assert_true (esplash_crash_scanner_in_panic (s));
  feed_none (s, "Rebooting...\r");
  g_assert_false (esplash_crash_scanner_in_panic (s));
  feed_none (s, "ets Jun  8 2016 00:22:57\r");
  feed_none (s, "rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r");
  g_assert_false (esplash_crash_scanner_in_panic (s));
}

/* A panic whose first PC is 0 (a call through a NULL pointer): it is left
 * out, so the first address shown is a caller; the bars and markers end
 * the list; a backtrace is decoded outside a panic too
 * (esp_backtrace_print()), in colour, with upper-case digits. */
static void
test_scanner_backtrace_forms (void)
{
  g_autoptr(EsplashCrashScanner) s = esplash_crash_scanner_new ();
  const Expected null_call[] = {
    { 0x400d1a59, ESPLASH_CRASH_ADDRESS_RETURN, "backtrace" },
    { 0x400d2f10, ESPLASH_CRASH_ADDRESS_RETURN, "backtrace" },
  };
  const Expected outside[] = {
    { 0x4200ABCD, ESPLASH_CRASH_ADDRESS_PC, "backtrace" },
    { 0x42001234, ESPLASH_CRASH_ADDRESS_RETURN, "backtrace" },
  };
  const Expected one[] = {
    { 0x40083b69, ESPLASH_CRASH_ADDRESS_PC, "backtrace" },
  };

  feed_expect (s, "Backtrace: 0x00000000:0x3ffb5630 0x400d1a59:0x3ffb5650 "
                  "0x400d2f10:0x3ffb5670 |<-CONTINUES\r", null_call, G_N_ELEMENTS (null_call));
  g_assert_false (esplash_crash_scanner_in_panic (s));
  feed_expect (s, YELLOW "Backtrace: 0x4200ABCD:0x3FC9A0B0 0x42001234:0x3FC9A0D0" RESET "\r",
               outside, G_N_ELEMENTS (outside));
  feed_expect (s, "Backtrace:0x40083b69:0x3ffbeccc |<-CORRUPTED", one, 1);
  /* not pairs, not 8 digits, not code: nothing */
  feed_none (s, "Backtrace: 0x400d1a2b 0x400d1a59");
  feed_none (s, "Backtrace: 0x400d1a2b9:0x3ffb5630");
  feed_none (s, "Backtrace: 0x400d1a2:0x3ffb5630");
  feed_none (s, "Backtrace: 0x3ffb0000:0x3ffb5630 0x00001234:0x3ffb5650");
  feed_none (s, "Backtrace: |<-CORRUPTED");
  feed_none (s, "Backtrace:");
  /* the pairs stop at the first thing that is not one */
  feed_expect (s, "Backtrace: 0x40083b69:0x3ffbeccc junk 0x400d1a59:0x3ffb5650", one, 1);
}

static void
test_scanner_riscv (void)
{
  g_autoptr(EsplashCrashScanner) s = esplash_crash_scanner_new ();
  const Expected dump[] = {
    { 0x42000020, ESPLASH_CRASH_ADDRESS_PC, "MEPC" },
    { 0x4200004a, ESPLASH_CRASH_ADDRESS_RETURN, "RA" },
  };

  feed_none (s, "ESP-ROM:esp32c3-api1-20210207\r");
  feed_none (s, "Build:Feb  7 2021\r");
  feed_none (s, "rst:0x1 (POWERON),boot:0xc (SPI_FAST_FLASH_BOOT)\r");
  feed_none (s, "SPIWP:0xee\r");
  feed_none (s, "entry 0x403cc710\r");
  feed_none (s, GREEN "I (98) app_init: Project name:     sensor" RESET "\r");
  feed_none (s, GREEN "I (102) app_init: ELF file SHA256:  1a2b3c4d5e6f7a8b..." RESET "\r");
  g_assert_cmpstr (esplash_crash_scanner_get_app_elf_sha256 (s), ==, "1a2b3c4d5e6f7a8b");
  /* the same words outside a panic are not a register dump */
  feed_none (s, "MEPC    : 0x42000020  RA      : 0x4200004a  SP      : 0x3fc8f0a0  "
                "GP      : 0x3fc8b400  \r");
  g_assert_false (esplash_crash_scanner_in_panic (s));

  feed_none (s, "Guru Meditation Error: Core  0 panic'ed (Store access fault). "
                "Exception was unhandled.\r");
  g_assert_true (esplash_crash_scanner_in_panic (s));
  feed_none (s, "\r");
  feed_none (s, "Core  0 register dump:\r");
  feed_expect (s, "MEPC    : 0x42000020  RA      : 0x4200004a  SP      : 0x3fc8f0a0  "
                  "GP      : 0x3fc8b400  \r", dump, G_N_ELEMENTS (dump));
  /* every other register stays quiet, code-looking or not */
  feed_none (s, "TP      : 0x3fc8a5e4  T0      : 0x4005890e  T1      : 0x3fc8f01c  "
                "T2      : 0x00000000  \r");
  feed_none (s, "S0/FP   : 0x00000004  S1      : 0x00000000  A0      : 0x00000000  "
                "A1      : 0x00000004  \r");
  feed_none (s, "A2      : 0x00000000  A3      : 0x00000000  A4      : 0x00000000  "
                "A5      : 0x00000000  \r");
  feed_none (s, "A6      : 0x00000000  A7      : 0x0000000a  S2      : 0x00000000  "
                "S3      : 0x00000000  \r");
  feed_none (s, "S4      : 0x00000000  S5      : 0x00000000  S6      : 0x00000000  "
                "S7      : 0x00000000  \r");
  feed_none (s, "S8      : 0x00000000  S9      : 0x00000000  S10     : 0x00000000  "
                "S11     : 0x00000000  \r");
  feed_none (s, "T3      : 0x00000000  T4      : 0x00000000  T5      : 0x00000000  "
                "T6      : 0x00000000  \r");
  feed_none (s, "MSTATUS : 0x00001881  MTVEC   : 0x40380001  MCAUSE  : 0x00000007  "
                "MTVAL   : 0x00000000  \r");
  feed_none (s, "MHARTID : 0x00000000  \r");
  feed_none (s, "\r");
  feed_none (s, "Stack memory:\r");
  feed_none (s, "3fc8f0a0: 0x00000000 0x4200004a 0x3fc8f0c0 0x42000058 0x00000000 "
                "0x00000000 0x00000000 0x4200005e\r");
  feed_none (s, "\r");
  feed_none (s, "ELF file SHA256: 1a2b3c4d5e6f7a8b\r");
  feed_none (s, "\r");
  feed_none (s, "Rebooting...\r");
  g_assert_false (esplash_crash_scanner_in_panic (s));
  feed_none (s, "ESP-ROM:esp32c3-api1-20210207\r");
  /* after the panic, the dump's words mean nothing again */
  feed_none (s, "MEPC    : 0x42000020  RA      : 0x4200004a  \r");

  /* a dump that faulted on a jump to 0: MEPC is left out, RA stays; a
   * boot banner (the chip reset without "Rebooting...") ends the panic */
  {
    const Expected ra_only[] = { { 0x42000058, ESPLASH_CRASH_ADDRESS_RETURN, "RA" } };

    feed_none (s, RED "Guru Meditation Error: Core  0 panic'ed (Instruction access fault). "
                  "Exception was unhandled." RESET "\r");
    feed_expect (s, "MEPC    : 0x00000000  RA      : 0x42000058  SP      : 0x3fc8f0a0  "
                    "GP      : 0x3fc8b400  \r", ra_only, 1);
    g_assert_true (esplash_crash_scanner_in_panic (s));
    feed_none (s, "ESP-ROM:esp32c3-api1-20210207\r");
    g_assert_false (esplash_crash_scanner_in_panic (s));
  }
}

static void
test_scanner_abort (void)
{
  g_autoptr(EsplashCrashScanner) s = esplash_crash_scanner_new ();
  const Expected pc[] = { { 0x42000abc, ESPLASH_CRASH_ADDRESS_PC, "PC" } };
  const Expected dump[] = {
    { 0x40380576, ESPLASH_CRASH_ADDRESS_PC, "MEPC" },
    { 0x40385a0e, ESPLASH_CRASH_ADDRESS_RETURN, "RA" },
  };
  const Expected bt[] = {
    { 0x40081a2e, ESPLASH_CRASH_ADDRESS_PC, "backtrace" },
    { 0x400d3c41, ESPLASH_CRASH_ADDRESS_RETURN, "backtrace" },
  };

  feed_none (s, RED "E (5123) task_wdt: Task watchdog got triggered. The following tasks/users "
                "did not reset the watchdog in time:" RESET "\r");
  feed_none (s, RED "E (5123) task_wdt:  - IDLE0 (CPU 0)" RESET "\r");
  g_assert_false (esplash_crash_scanner_in_panic (s));
  feed_expect (s, "abort() was called at PC 0x42000abc on core 0\r", pc, 1);
  g_assert_true (esplash_crash_scanner_in_panic (s));
  feed_none (s, "\r");
  feed_none (s, "\r");
  feed_none (s, "Core  0 register dump:\r");
  feed_expect (s, "MEPC    : 0x40380576  RA      : 0x40385a0e  SP      : 0x3fc94e70  "
                  "GP      : 0x3fc8c000  \r", dump, G_N_ELEMENTS (dump));
  feed_none (s, "rst:0xc (RTC_SW_CPU_RST),boot:0xc (SPI_FAST_FLASH_BOOT)\r");
  g_assert_false (esplash_crash_scanner_in_panic (s));

  /* ESP32 (Xtensa): the abort line, then a backtrace */
  feed_expect (s, "abort() was called at PC 0x42000abc on core 1", pc, 1);
  feed_expect (s, "Backtrace: 0x40081a2e:0x3ffb0e20 0x400d3c41:0x3ffb0e40 |<-CORRUPTED",
               bt, G_N_ELEMENTS (bt));
  feed_none (s, "Rebooting...");
  g_assert_false (esplash_crash_scanner_in_panic (s));

  /* an abort at a PC that is not code still starts a panic */
  feed_none (s, "abort() was called at PC 0x00000003 on core 0");
  g_assert_true (esplash_crash_scanner_in_panic (s));
  feed_none (s, "ets Jun  8 2016 00:22:57");
  g_assert_false (esplash_crash_scanner_in_panic (s));
}

static void
test_scanner_sha256 (void)
{
  g_autoptr(EsplashCrashScanner) s = esplash_crash_scanner_new ();

  /* older IDF: cpu_start */
  feed_none (s, GREEN "I (317) cpu_start: ELF file SHA256:  0123456789abcdef..." RESET "\r");
  g_assert_cmpstr (esplash_crash_scanner_get_app_elf_sha256 (s), ==, "0123456789abcdef");
  /* too short to be one: the last good one stays */
  feed_none (s, "I (317) cpu_start: ELF file SHA256:  0123...");
  g_assert_cmpstr (esplash_crash_scanner_get_app_elf_sha256 (s), ==, "0123456789abcdef");
  /* a whole digest, then more digits than SHA-256 has */
  feed_none (s, "ELF file SHA256: "
                "AABBCCDDEEFF00112233445566778899aabbccddeeff00112233445566778899");
  g_assert_cmpstr (esplash_crash_scanner_get_app_elf_sha256 (s), ==,
                   "aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899");
  feed_none (s, "ELF file SHA256: "
                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011");
  g_assert_cmpstr (esplash_crash_scanner_get_app_elf_sha256 (s), ==,
                   "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  g_assert_false (esplash_crash_scanner_in_panic (s));
}

/* Odd input: no NUL after the bytes, NULs and escapes inside, a cut-off
 * escape, a huge line, bytes that are not UTF-8. */
static void
test_scanner_hostile (void)
{
  g_autoptr(EsplashCrashScanner) s = esplash_crash_scanner_new ();
  g_autoptr(GString) huge = g_string_new ("Backtrace:");
  g_autoptr(GArray) got = NULL;
  const Expected one[] = { { 0x40083b69, ESPLASH_CRASH_ADDRESS_PC, "backtrace" } };
  static const char with_nul[] = "Backtrace: 0x40083b69:0x3ffbeccc\0 0x400d1a59:0x3ffb5650";
  static const char cut_escape[] = "Backtrace: 0x40083b69:0x3ffbeccc \033[";
  static const char lone_escape[] = "Backtrace: 0x40083b69:0x3ffbeccc \033";
  static const guint8 binary[] = { 0xFF, 0xFE, 0x1B, 0x5B, 0x30, 0x00, 0x80, 0x0D };
  g_autofree char *binary_copy = g_memdup2 (binary, sizeof binary);

  g_assert_null (esplash_crash_scanner_feed_line (s, NULL, 0));
  g_assert_null (esplash_crash_scanner_feed_line (s, "", 0));
  g_assert_null (esplash_crash_scanner_feed_line (s, binary_copy, sizeof binary));

  /* the NUL is dropped like an escape: the line reads on after it */
  got = esplash_crash_scanner_feed_line (s, with_nul, sizeof with_nul - 1);
  g_assert_nonnull (got);
  g_assert_cmpuint (got->len, ==, 2);
  g_clear_pointer (&got, g_array_unref);

  feed_expect (s, cut_escape, one, 1);
  feed_expect (s, lone_escape, one, 1);
  /* escapes go before matching, wherever they are */
  feed_expect (s, "Backtrace: \033[1m0x40083b69\033[0m:0x3ffbeccc", one, 1);
  feed_expect (s, "Backtrace: 0x4008\033[0m3b69:0x3ffbeccc x", one, 1);
  feed_expect (s, "\033[0;31mBack\033[0mtrace: 0x40083b69:0x3ffbeccc\r\r", one, 1);

  /* 10000 pairs: the first 64 only */
  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (huge, " 0x%08x:0x3ffb0000", 0x40080000u + i * 4);
  got = esplash_crash_scanner_feed_line (s, huge->str, huge->len);
  g_assert_nonnull (got);
  g_assert_cmpuint (got->len, ==, 64);
  g_assert_cmphex (g_array_index (got, EsplashCrashAddress, 63).address, ==, 0x40080000 + 63 * 4);
  g_clear_pointer (&got, g_array_unref);

  /* a line of a megabyte with the keyword at its very end */
  g_string_truncate (huge, 0);
  for (guint i = 0; i < 1024 * 1024; i++)
    g_string_append_c (huge, (char) ('A' + i % 26));
  g_string_append (huge, "Guru Meditation Error");
  g_assert_null (esplash_crash_scanner_feed_line (s, huge->str, huge->len));
}

/* ---- ELF symbols -------------------------------------------------------- */

static void
test_symbols_functions (void)
{
  static const char *const functions[] = { "store_reading", "parse_reading", "sensor_task",
                                            "app_main" };
  const char *path = app_elf_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashElfSymbols) elf = esplash_elf_symbols_new (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (elf);
  g_assert_cmpstr (esplash_elf_symbols_get_path (elf), ==, path);

  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    {
      const char *name = functions[i];
      guint32 start, size;
      guint first, last;

      elf_function (path, name, &start, &size);
      source_span (name, &first, &last);
      /* the entry, an address inside, the last instruction's halfword */
      for (guint32 off = 0; off < size; off += MAX (2, size / 3))
        {
          EsplashCodeLocation loc = { 0, };
          g_autofree char *line = NULL;
          g_autofree char *want = NULL;

          g_assert_true (esplash_elf_symbols_lookup (elf, start + off, &loc));
          g_assert_cmphex (loc.address, ==, start + off);
          g_assert_cmpstr (loc.function, ==, name);
          g_assert_nonnull (loc.file);
          g_assert_true (g_str_has_suffix (loc.file, "/panic-app.c"));
          g_assert_true (g_path_is_absolute (loc.file));
          g_assert_true (g_file_test (loc.file, G_FILE_TEST_IS_REGULAR));
          g_assert_cmpuint (loc.line, >=, first);
          g_assert_cmpuint (loc.line, <=, last);

          {
            g_autofree char *gnu_function = NULL;
            g_autofree char *gnu_file = NULL;
            guint gnu_line = 0;

            if (addr2line (path, start + off, &gnu_function, &gnu_file, &gnu_line))
              {
                g_assert_cmpstr (loc.function, ==, gnu_function);
                g_assert_cmpstr (loc.file, ==, gnu_file);
                g_assert_cmpuint (loc.line, ==, gnu_line);
              }
          }

          line = esplash_elf_symbols_describe (elf, start + off);
          want = g_strdup_printf ("0x%08x: %s at %s:%u", start + off, name, loc.file, loc.line);
          g_assert_cmpstr (line, ==, want);
          esplash_code_location_clear (&loc);
          g_assert_null (loc.function);
          g_assert_null (loc.file);
          g_assert_cmpuint (loc.line, ==, 0);
        }
    }
}

/* The fault of the test app: the store through NULL is store_reading's
 * first instruction, on the line that says so. */
static void
test_symbols_fault_line (void)
{
  const char *path = app_elf_path ();
  g_autoptr(EsplashElfSymbols) elf = esplash_elf_symbols_new (path, NULL);
  g_autofree char *src = app_source_path ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  EsplashCodeLocation loc = { 0, };
  guint32 start, size;
  guint fault_line = 0;

  g_assert_nonnull (elf);
  g_assert_true (g_file_get_contents (src, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && fault_line == 0; i++)
    if (strstr (lines[i], "*slot = value;") != NULL)
      fault_line = i + 1;
  g_assert_cmpuint (fault_line, >, 0);

  elf_function (path, "store_reading", &start, &size);
  g_assert_true (esplash_elf_symbols_lookup (elf, start, &loc));
  g_assert_cmpuint (loc.line, ==, fault_line);
  esplash_code_location_clear (&loc);
}

static void
test_symbols_outside (void)
{
  const char *path = app_elf_path ();
  g_autoptr(EsplashElfSymbols) elf = esplash_elf_symbols_new (path, NULL);
  g_autofree char *base = g_path_get_basename (path);
  /* ROM, just before .text (in the load segment, in no section), flash
   * far away, and 0 */
  const guint32 outside[] = { 0x40000000, 0x42000000, 0x42100000, 0x00000000, 0xFFFFFFFE };
  guint32 start, size;

  g_assert_nonnull (elf);
  elf_function (path, "app_main", &start, &size);
  for (guint i = 0; i < G_N_ELEMENTS (outside); i++)
    {
      EsplashCodeLocation loc = { 0, };
      g_autofree char *line = esplash_elf_symbols_describe (elf, outside[i]);
      g_autofree char *want = g_strdup_printf ("0x%08x: ?? (not in %s)", outside[i], base);

      g_assert_false (esplash_elf_symbols_lookup (elf, outside[i], &loc));
      g_assert_null (loc.function);
      g_assert_null (loc.file);
      g_assert_cmpstr (line, ==, want);
    }
  /* just past the last function */
  {
    EsplashCodeLocation loc = { 0, };

    g_assert_false (esplash_elf_symbols_lookup (elf, start + size, &loc));
    g_assert_null (loc.function);
  }
}

static void
test_symbols_sha256 (void)
{
  const char *path = app_elf_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashElfSymbols) elf = esplash_elf_symbols_new (path, &error);
  const char *argv[] = { "sha256sum", path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *wrong = NULL;
  const char *sha;
  int status = -1;

  g_assert_no_error (error);
  sha = esplash_elf_symbols_get_sha256 (elf);
  g_assert_cmpuint (strlen (sha), ==, 64);

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_str_has_prefix (out, sha));
  g_assert_cmpint (out[64], ==, ' ');

  /* what the app prints: 16 digits, any case */
  g_assert_true (esplash_elf_symbols_matches_sha256 (elf, sha));
  upper = g_ascii_strup (sha, 16);
  g_assert_true (esplash_elf_symbols_matches_sha256 (elf, upper));
  upper[8] = '\0';
  g_assert_true (esplash_elf_symbols_matches_sha256 (elf, upper));
  upper[7] = '\0';
  g_assert_false (esplash_elf_symbols_matches_sha256 (elf, upper));      /* too short */
  wrong = g_strndup (sha, 16);
  wrong[15] = wrong[15] == '0' ? '1' : '0';
  g_assert_false (esplash_elf_symbols_matches_sha256 (elf, wrong));
  wrong[15] = 'g';
  g_assert_false (esplash_elf_symbols_matches_sha256 (elf, wrong));
  g_assert_false (esplash_elf_symbols_matches_sha256 (elf, NULL));
}

static void
test_symbols_errors (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *missing = g_build_filename (dir, "build", "nothing.elf", NULL);
  g_autofree char *bin = put_file (dir, "app.bin", "\xE9\x03\x02\x20 not an ELF at all");
  g_autofree char *empty = put_file (dir, "empty.elf", "");
  g_autoptr(GError) error = NULL;
  EsplashElfSymbols *elf;

  elf = esplash_elf_symbols_new (missing, &error);
  g_assert_null (elf);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_nonnull (strstr (error->message, ".elf"));
  g_clear_error (&error);

  elf = esplash_elf_symbols_new (bin, &error);
  g_assert_null (elf);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_assert_nonnull (strstr (error->message, "not an ELF"));
  g_assert_nonnull (strstr (error->message, ".elf"));
  g_clear_error (&error);

  elf = esplash_elf_symbols_new (empty, &error);
  g_assert_null (elf);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_clear_error (&error);

  elf = esplash_elf_symbols_new (dir, &error);
  g_assert_null (elf);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_clear_error (&error);

  rm_rf (dir);
}

/* A stripped copy (no symbol table, no DWARF) is refused; one stripped of
 * its DWARF only still names functions, without lines. */
static void
test_symbols_stripped (void)
{
  g_autofree char *strip = g_find_program_in_path ("riscv64-unknown-elf-strip");
  g_autofree char *dir = NULL;
  g_autofree char *all = NULL;
  g_autofree char *debug = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashElfSymbols) elf = NULL;
  g_autofree char *line = NULL;
  guint32 start, size;
  int status;

  if (strip == NULL)
    {
      g_test_skip ("riscv64-unknown-elf-strip is not installed");
      return;
    }
  dir = make_tmp_dir ();
  all = put_file (dir, "all.elf", NULL);
  debug = put_file (dir, "debug.elf", NULL);
  {
    const char *argv_all[] = { strip, "--strip-all", all, NULL };
    const char *argv_debug[] = { strip, "--strip-debug", debug, NULL };

    g_spawn_sync (NULL, (char **) argv_all, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_spawn_sync (NULL, (char **) argv_debug, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  g_assert_null (esplash_elf_symbols_new (all, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_assert_nonnull (strstr (error->message, "stripped"));
  g_clear_error (&error);

  elf = esplash_elf_symbols_new (debug, &error);
  g_assert_no_error (error);
  elf_function (app_elf_path (), "parse_reading", &start, &size);
  line = esplash_elf_symbols_describe (elf, start + 2);
  {
    g_autofree char *want = g_strdup_printf ("0x%08x: parse_reading", start + 2);

    g_assert_cmpstr (line, ==, want);
  }
  rm_rf (dir);
}

/* An inlined function is named itself, at its own line (built here with
 * the same cross compiler). */
static void
test_symbols_inline (void)
{
  static const char source[] =
    "volatile int sink;\n"
    "\n"
    "static inline __attribute__ ((always_inline)) void\n"
    "poke (int *p, int v)\n"
    "{\n"
    "  *p = v;  /* POKE */\n"
    "  sink = v;\n"
    "}\n"
    "\n"
    "__attribute__ ((noinline)) void\n"
    "outer (int *p)\n"
    "{\n"
    "  sink = 1;\n"
    "  poke (p, 7);\n"
    "  sink = 2;\n"
    "}\n"
    "\n"
    "void\n"
    "app_main (void)\n"
    "{\n"
    "  outer ((int *) 0);\n"
    "  for (;;)\n"
    "    ;\n"
    "}\n";
  g_autofree char *gcc = g_find_program_in_path ("riscv64-unknown-elf-gcc");
  g_autofree char *dir = NULL;
  g_autofree char *src = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashElfSymbols) elf = NULL;
  guint32 start, size;
  gboolean seen_inline = FALSE, seen_outer = FALSE;
  int status;

  if (gcc == NULL)
    {
      g_test_skip ("riscv64-unknown-elf-gcc is not installed");
      return;
    }
  dir = make_tmp_dir ();
  src = put_file (dir, "inline-app.c", source);
  out = g_build_filename (dir, "inline-app.elf", NULL);
  {
    const char *argv[] = { gcc, "-march=rv32imc", "-mabi=ilp32", "-g", "-O2", "-nostdlib",
                           "-ffreestanding", "-Wl,-Ttext=0x42000020", "-e", "app_main",
                           "-o", out, src, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  elf = esplash_elf_symbols_new (out, &error);
  g_assert_no_error (error);
  elf_function (out, "outer", &start, &size);
  for (guint32 a = start; a < start + size; a += 2)
    {
      EsplashCodeLocation loc = { 0, };

      g_assert_true (esplash_elf_symbols_lookup (elf, a, &loc));
      g_assert_nonnull (loc.function);
      g_assert_true (g_str_has_suffix (loc.file, "/inline-app.c"));
      {
        g_autofree char *gnu_function = NULL;
        g_autofree char *gnu_file = NULL;
        guint gnu_line = 0;

        if (addr2line (out, a, &gnu_function, &gnu_file, &gnu_line))
          {
            g_assert_cmpstr (loc.function, ==, gnu_function);
            g_assert_cmpstr (loc.file, ==, gnu_file);
            g_assert_cmpuint (loc.line, ==, gnu_line);
          }
      }
      if (strcmp (loc.function, "poke") == 0)
        {
          /* poke's lines only */
          g_assert_cmpuint (loc.line, >=, 4);
          g_assert_cmpuint (loc.line, <=, 8);
          seen_inline = TRUE;
        }
      else
        {
          g_assert_cmpstr (loc.function, ==, "outer");
          seen_outer = TRUE;
        }
      esplash_code_location_clear (&loc);
    }
  g_assert_true (seen_inline);
  g_assert_true (seen_outer);
  rm_rf (dir);
}

/* ---- finding the ELF of a build ----------------------------------------- */

static void
test_find_esp_idf (void)
{
  g_autofree char *root = make_tmp_dir ();
  char *p = NULL;

  /* a project folder with its build folder */
  g_free (put_file (root, "proj/CMakeLists.txt", "project(hello)\n"));
  g_free (put_file (root, "proj/build/project_description.json",
                    "{\n  \"version\": \"1.2\",\n  \"project_name\": \"hello\",\n"
                    "  \"build_dir\": \"/home/dev/proj/build\",\n"
                    "  \"app_elf\": \"hello.elf\",\n  \"app_bin\": \"hello.bin\"\n}\n"));
  g_free (put_file (root, "proj/build/flasher_args.json",
                    "{ \"app\": { \"offset\": \"0x10000\", \"file\": \"hello.bin\", "
                    "\"encrypted\": \"false\" } }\n"));
  g_free (put_file (root, "proj/build/hello.bin", "\xE9"));
  g_free (put_file (root, "proj/build/hello.elf", NULL));
  /* decoys: the bootloader's own ELF, another NAME.elf beside NAME.bin */
  g_free (put_file (root, "proj/build/bootloader/bootloader.bin", "\xE9"));
  g_free (put_file (root, "proj/build/bootloader/bootloader.elf", NULL));
  g_free (put_file (root, "proj/build/partition_table/partition-table.bin", "\xAA\x50"));
  g_free (put_file (root, "proj/build/aaa.bin", "\xE9"));
  g_free (put_file (root, "proj/build/aaa.elf", NULL));

  assert_finds (p = g_build_filename (root, "proj", NULL), root, "proj/build/hello.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "proj/build", NULL), root, "proj/build/hello.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "proj/build/", NULL), root, "proj/build/hello.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "proj/build/hello.bin", NULL), root,
                "proj/build/hello.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "proj/build/flasher_args.json", NULL), root,
                "proj/build/hello.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "proj/build/bootloader/bootloader.bin", NULL), root,
                "proj/build/hello.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "proj/build/partition_table/partition-table.bin",
                                      NULL), root, "proj/build/hello.elf");
  g_free (p);
  /* the ELF itself */
  assert_finds (p = g_build_filename (root, "proj/build/aaa.elf", NULL), root,
                "proj/build/aaa.elf");
  g_free (p);

  /* flasher_args.json alone (no project_description.json) */
  g_free (put_file (root, "flasher/flasher_args.json",
                    "{ \"flash_files\": { \"0x10000\": \"blink.bin\" },\n"
                    "  \"app\": { \"offset\": \"0x10000\", \"file\": \"blink.bin\" } }\n"));
  g_free (put_file (root, "flasher/aaa.bin", "\xE9"));
  g_free (put_file (root, "flasher/aaa.elf", NULL));
  g_free (put_file (root, "flasher/blink.bin", "\xE9"));
  g_free (put_file (root, "flasher/blink.elf", NULL));
  assert_finds (p = g_build_filename (root, "flasher", NULL), root, "flasher/blink.elf");
  g_free (p);

  /* a description naming a file outside its folder is not followed */
  g_free (put_file (root, "outside.elf", NULL));
  g_free (put_file (root, "escape/build/project_description.json",
                    "{ \"app_elf\": \"../../outside.elf\" }"));
  assert_finds (p = g_build_filename (root, "escape", NULL), root, NULL);
  g_free (p);

  rm_rf (root);
}

static void
test_find_platformio (void)
{
  g_autofree char *root = make_tmp_dir ();
  char *p = NULL;
  g_autofree char *newer = NULL;
  struct timeval times[2] = { { 2000000000, 0 }, { 2000000000, 0 } };

  g_free (put_file (root, "pio/platformio.ini", "[env:esp32dev]\nplatform = espressif32\n"));
  g_free (put_file (root, "pio/src/main.cpp", "void setup() {}\nvoid loop() {}\n"));
  g_free (put_file (root, "pio/.pio/build/esp32dev/firmware.bin", "\xE9"));
  g_free (put_file (root, "pio/.pio/build/esp32dev/firmware.elf", NULL));
  g_free (put_file (root, "pio/.pio/build/esp32dev/bootloader.bin", "\xE9"));
  g_free (put_file (root, "pio/.pio/build/esp32dev/partitions.bin", "\xAA\x50"));

  assert_finds (p = g_build_filename (root, "pio", NULL), root,
                "pio/.pio/build/esp32dev/firmware.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "pio/.pio/build/esp32dev/firmware.bin", NULL), root,
                "pio/.pio/build/esp32dev/firmware.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "pio/.pio/build/esp32dev", NULL), root,
                "pio/.pio/build/esp32dev/firmware.elf");
  g_free (p);

  /* two environments: the one built last */
  g_free (put_file (root, "pio/.pio/build/c3/firmware.bin", "\xE9"));
  newer = put_file (root, "pio/.pio/build/c3/firmware.elf", NULL);
  g_assert_cmpint (utimes (newer, times), ==, 0);
  assert_finds (p = g_build_filename (root, "pio", NULL), root, "pio/.pio/build/c3/firmware.elf");
  g_free (p);

  rm_rf (root);
}

static void
test_find_arduino (void)
{
  g_autofree char *root = make_tmp_dir ();
  char *p = NULL;

  /* Arduino IDE 2's "Export compiled binary": build/FQBN/ in the sketch */
  g_free (put_file (root, "Blink/Blink.ino", "void setup() {}\nvoid loop() {}\n"));
  g_free (put_file (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.bin", "\xE9"));
  g_free (put_file (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.bootloader.bin", "\xE9"));
  g_free (put_file (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.partitions.bin", "\xAA"));
  g_free (put_file (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.merged.bin", "\xE9"));
  g_free (put_file (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.elf", NULL));
  g_free (put_file (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.map", "map\n"));

  assert_finds (p = g_build_filename (root, "Blink", NULL), root,
                "Blink/build/esp32.esp32.esp32c3/Blink.ino.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "Blink/build/esp32.esp32.esp32c3", NULL), root,
                "Blink/build/esp32.esp32.esp32c3/Blink.ino.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.merged.bin",
                                      NULL), root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.elf");
  g_free (p);

  /* arduino-cli's --output-dir: only the merged image beside the ELF */
  g_free (put_file (root, "out/Sensor.ino.merged.bin", "\xE9"));
  g_free (put_file (root, "out/Sensor.ino.elf", NULL));
  assert_finds (p = g_build_filename (root, "out/Sensor.ino.merged.bin", NULL), root,
                "out/Sensor.ino.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "out", NULL), root, "out/Sensor.ino.elf");
  g_free (p);

  rm_rf (root);
}

static void
test_find_plain_and_none (void)
{
  g_autofree char *root = make_tmp_dir ();
  char *p = NULL;

  g_free (put_file (root, "plain/app.bin", "\xE9"));
  g_free (put_file (root, "plain/app.elf", NULL));
  assert_finds (p = g_build_filename (root, "plain/app.bin", NULL), root, "plain/app.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "plain", NULL), root, "plain/app.elf");
  g_free (p);

  /* a lone image, an empty folder, nothing at all: no ELF */
  g_free (put_file (root, "lone/app.bin", "\xE9"));
  assert_finds (p = g_build_filename (root, "lone", NULL), root, NULL);
  g_free (p);
  assert_finds (p = g_build_filename (root, "lone/app.bin", NULL), root, NULL);
  g_free (p);
  g_assert_cmpint (g_mkdir (p = g_build_filename (root, "empty", NULL), 0755), ==, 0);
  assert_finds (p, root, NULL);
  g_free (p);
  assert_finds (p = g_build_filename (root, "no-such-thing", NULL), root, NULL);
  g_free (p);
  /* two unrelated ELFs and no image: which one is meant is not known */
  g_free (put_file (root, "two/a.elf", NULL));
  g_free (put_file (root, "two/b.elf", NULL));
  assert_finds (p = g_build_filename (root, "two", NULL), root, NULL);
  g_free (p);

  /* what is found loads */
  {
    g_autofree char *found = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(EsplashElfSymbols) elf = NULL;

    found = esplash_elf_find_for_build (p = g_build_filename (root, "plain", NULL));
    g_free (p);
    elf = esplash_elf_symbols_new (found, &error);
    g_assert_no_error (error);
  }

  rm_rf (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/crash/scanner/xtensa", test_scanner_xtensa);
  g_test_add_func ("/esplash/crash/scanner/backtrace-forms", test_scanner_backtrace_forms);
  g_test_add_func ("/esplash/crash/scanner/riscv", test_scanner_riscv);
  g_test_add_func ("/esplash/crash/scanner/abort", test_scanner_abort);
  g_test_add_func ("/esplash/crash/scanner/sha256", test_scanner_sha256);
  g_test_add_func ("/esplash/crash/scanner/hostile", test_scanner_hostile);
  g_test_add_func ("/esplash/crash/symbols/functions", test_symbols_functions);
  g_test_add_func ("/esplash/crash/symbols/fault-line", test_symbols_fault_line);
  g_test_add_func ("/esplash/crash/symbols/outside", test_symbols_outside);
  g_test_add_func ("/esplash/crash/symbols/sha256", test_symbols_sha256);
  g_test_add_func ("/esplash/crash/symbols/errors", test_symbols_errors);
  g_test_add_func ("/esplash/crash/symbols/stripped", test_symbols_stripped);
  g_test_add_func ("/esplash/crash/symbols/inline", test_symbols_inline);
  g_test_add_func ("/esplash/crash/find/esp-idf", test_find_esp_idf);
  g_test_add_func ("/esplash/crash/find/platformio", test_find_platformio);
  g_test_add_func ("/esplash/crash/find/arduino", test_find_arduino);
  g_test_add_func ("/esplash/crash/find/plain-and-none", test_find_plain_and_none);

  return g_test_run ();
}
