/* esplash-crash.h: finds, in a board's output, the code addresses of a
 * crash that are worth resolving: ESP-IDF panics on Xtensa ("Backtrace:
 * 0xPC:0xSP …") and RISC-V (MEPC / RA of the register dump), abort()
 * ("abort() was called at PC 0x…"), and the running app's ELF SHA-256 line.
 *
 * Pure: fed one line at a time (ANSI colour escapes allowed), no I/O.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ESPLASH_CRASH_ADDRESS_PC = 0,        /* where the fault happened (MEPC, abort's PC, backtrace's first) */
  ESPLASH_CRASH_ADDRESS_RETURN = 1,    /* a caller (RA, later backtrace entries) */
} EsplashCrashAddressRole;

typedef struct {
  guint32                 address;
  EsplashCrashAddressRole role;
  const char             *label;       /* static: "MEPC", "RA", "PC", "backtrace" */
} EsplashCrashAddress;

typedef struct _EsplashCrashScanner EsplashCrashScanner;

EsplashCrashScanner *esplash_crash_scanner_new  (void);
void                 esplash_crash_scanner_free (EsplashCrashScanner *self);

/* Feeds one line (without its line end; may hold ANSI escapes and a
 * trailing '\r'). Returns the addresses this line asks to resolve, in the
 * order they should be shown (an array of EsplashCrashAddress), or NULL. */
GArray  *esplash_crash_scanner_feed_line (EsplashCrashScanner *self,
                                          const char          *line,
                                          gsize                len);

/* TRUE while inside a panic report (from "Guru Meditation Error" or
 * "abort() was called" to "Rebooting..." or the next boot banner). */
gboolean esplash_crash_scanner_in_panic  (EsplashCrashScanner *self);

/* The hex prefix of "ELF file SHA256:" the app printed at start, or NULL. */
const char *esplash_crash_scanner_get_app_elf_sha256 (EsplashCrashScanner *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashCrashScanner, esplash_crash_scanner_free)

G_END_DECLS
