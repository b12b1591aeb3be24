/* fuzz-crash.c: the crash scanner (esplash-crash) on arbitrary board
 * output: the input is cut into lines at '\n', each fed in a buffer of
 * exactly its size (a sanitizer sees any read past it), then the whole
 * input is fed again as one line. Checks what comes out: at most 64
 * addresses a line, each a code address with a known label and the role
 * that label implies, register-dump addresses only inside a panic, and an
 * ELF SHA-256 prefix of 8 to 64 lower-case hex digits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "fuzz.h"

static void
check_addresses (EsplashCrashScanner *scanner,
                 GArray              *got)
{
  if (got == NULL)
    return;
  FUZZ_CHECK (got->len >= 1 && got->len <= 64, "1 to 64 addresses, or NULL");
  for (guint i = 0; i < got->len; i++)
    {
      const EsplashCrashAddress *a = &g_array_index (got, EsplashCrashAddress, i);

      FUZZ_CHECK (a->address >= 0x40000000 && a->address < 0x80000000, "a code address");
      FUZZ_CHECK (a->label != NULL, "a label");
      if (strcmp (a->label, "MEPC") == 0 || strcmp (a->label, "PC") == 0)
        FUZZ_CHECK (a->role == ESPLASH_CRASH_ADDRESS_PC, "MEPC and abort's PC are the PC");
      else if (strcmp (a->label, "RA") == 0)
        FUZZ_CHECK (a->role == ESPLASH_CRASH_ADDRESS_RETURN, "RA is a return address");
      else
        FUZZ_CHECK (strcmp (a->label, "backtrace") == 0 &&
                    (a->role == ESPLASH_CRASH_ADDRESS_PC ||
                     a->role == ESPLASH_CRASH_ADDRESS_RETURN), "a known label and role");
      if (strcmp (a->label, "backtrace") != 0)
        FUZZ_CHECK (esplash_crash_scanner_in_panic (scanner),
                    "register and abort addresses only in a panic");
    }
}

static void
check_sha256 (EsplashCrashScanner *scanner)
{
  const char *sha = esplash_crash_scanner_get_app_elf_sha256 (scanner);
  gsize len;

  if (sha == NULL)
    return;
  len = strlen (sha);
  FUZZ_CHECK (len >= 8 && len <= 64, "8 to 64 digits");
  for (gsize i = 0; i < len; i++)
    FUZZ_CHECK (g_ascii_isxdigit (sha[i]) && !g_ascii_isupper (sha[i]), "lower-case hex");
}

static void
feed (EsplashCrashScanner *scanner,
      const uint8_t       *data,
      gsize                len)
{
  g_autofree char *copy = len > 0 ? g_memdup2 (data, len) : NULL;
  g_autoptr(GArray) got = esplash_crash_scanner_feed_line (scanner, copy, len);

  check_addresses (scanner, got);
  check_sha256 (scanner);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(EsplashCrashScanner) scanner = esplash_crash_scanner_new ();
  gsize start = 0;

  for (gsize i = 0; i <= size; i++)
    {
      if (i == size || data[i] == '\n')
        {
          feed (scanner, data + start, i - start);
          start = i + 1;
        }
    }
  feed (scanner, data, size);
  return 0;
}

/* An Xtensa panic, a RISC-V register dump and an abort, as boards print
 * them (colours, "\r\n"). */
void
esplash_fuzz_add_seeds (GPtrArray *seeds)
{
  static const char xtensa[] =
    "\033[0;32mI (275) app_init: ELF file SHA256:  8c2f0d5e1b3a4c6f...\033[0m\r\n"
    "Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.\r\n"
    "\r\nCore  0 register dump:\r\n"
    "PC      : 0x400d1a2e  PS      : 0x00060430  A0      : 0x800d1a5c  A1      : 0x3ffb5630  \r\n"
    "\r\n\r\nBacktrace: 0x400d1a2b:0x3ffb5630 0x400d1a59:0x3ffb5650 0x4008a2e1:0x3ffb5690 "
    "|<-CORRUPTED\r\n\r\nELF file SHA256: 8c2f0d5e1b3a4c6f\r\n\r\nRebooting...\r\n"
    "ets Jun  8 2016 00:22:57\r\n";
  static const char riscv[] =
    "Guru Meditation Error: Core  0 panic'ed (Store access fault). Exception was unhandled.\r\n"
    "\r\nCore  0 register dump:\r\n"
    "MEPC    : 0x42000020  RA      : 0x4200004a  SP      : 0x3fc8f0a0  GP      : 0x3fc8b400  \r\n"
    "MSTATUS : 0x00001881  MTVEC   : 0x40380001  MCAUSE  : 0x00000007  MTVAL   : 0x00000000  \r\n"
    "\r\nStack memory:\r\n3fc8f0a0: 0x00000000 0x4200004a 0x3fc8f0c0 0x42000058\r\n"
    "\r\nRebooting...\r\nESP-ROM:esp32c3-api1-20210207\r\n";
  static const char abort_[] =
    "\033[0;31mE (5123) task_wdt: Task watchdog got triggered.\033[0m\r\n"
    "abort() was called at PC 0x42000abc on core 0\r\n"
    "\r\nCore  0 register dump:\r\n"
    "MEPC    : 0x40380576  RA      : 0x40385a0e  SP      : 0x3fc94e70  GP      : 0x3fc8c000  \r\n"
    "rst:0xc (RTC_SW_CPU_RST),boot:0xc (SPI_FAST_FLASH_BOOT)\r\n";

  g_ptr_array_add (seeds, g_bytes_new_static (xtensa, sizeof xtensa - 1));
  g_ptr_array_add (seeds, g_bytes_new_static (riscv, sizeof riscv - 1));
  g_ptr_array_add (seeds, g_bytes_new_static (abort_, sizeof abort_ - 1));
}
