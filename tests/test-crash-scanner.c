/* test-crash-scanner.c: the crash scanner over a board's output
 * (esplash-crash): the code addresses of backtraces, RISC-V register
 * dumps and abort() lines, when a panic starts and ends, and the app's
 * "ELF file SHA256:".
 *
 * The panic samples are written after what ESP-IDF's panic handler prints
 * (Xtensa: "Backtrace:" PC:SP pairs; RISC-V: the "Core  0 register dump:"
 * of 37 registers, four to a line, each "NAME    : 0x%08x  "; newlib's
 * "abort() was called at PC 0x… on core N"; the app's "ELF file SHA256:"),
 * with the log colours and "\r\n" line ends a board sends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"

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

  return g_test_run ();
}
