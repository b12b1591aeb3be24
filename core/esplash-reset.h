/* esplash-reset.h: DTR/RTS sequences into and out of the ROM loader
 * (protocol.md §7.1, §7.4).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-transport.h"

G_BEGIN_DECLS

typedef enum {
  ESPLASH_BEFORE_DEFAULT_RESET = 0,
  ESPLASH_BEFORE_USB_RESET = 1,
  ESPLASH_BEFORE_NO_RESET = 2,
  ESPLASH_BEFORE_NO_RESET_NO_SYNC = 3,
} EsplashBefore;

typedef enum {
  ESPLASH_AFTER_HARD_RESET = 0,
  ESPLASH_AFTER_WATCHDOG_RESET = 1,
  ESPLASH_AFTER_NO_RESET = 2,
  ESPLASH_AFTER_NO_RESET_STUB = 3,
  ESPLASH_AFTER_SOFT_RESET = 4,
} EsplashAfter;

typedef enum {
  ESPLASH_RESET_CLASSIC = 0,      /* separate DTR and RTS changes */
  ESPLASH_RESET_UNIX_TIGHT = 1,   /* both lines at once */
  ESPLASH_RESET_USB_JTAG = 2,     /* USB-Serial/JTAG peripheral sequence */
} EsplashResetStrategy;

typedef struct {
  EsplashResetStrategy strategy;
  guint                delay_ms;   /* 50 or 550 (the EN-capacitor allowance) */
} EsplashResetStep;

/* Parsing of the CLI spellings, both "-" and "_" ("default-reset", "default_reset"). */
gboolean    esplash_before_from_string (const char *s, EsplashBefore *out);
gboolean    esplash_after_from_string  (const char *s, EsplashAfter *out);
const char *esplash_before_to_string   (EsplashBefore before);
const char *esplash_after_to_string    (EsplashAfter after);
const char *esplash_reset_strategy_name (EsplashResetStrategy strategy);

/* The list of reset attempts esptool cycles through (§7.2), for @before on
 * @transport; @usb_jtag is TRUE when the port is known to be USB-Serial/JTAG. */
GArray  *esplash_reset_plan (EsplashBefore     before,
                             EsplashTransport *transport,
                             gboolean          usb_jtag);

/* Runs one reset-into-bootloader step. */
gboolean esplash_reset_run  (EsplashTransport       *transport,
                             const EsplashResetStep *step,
                             GCancellable           *cancellable,
                             GError                **error);

/* RTS pulse out of the bootloader (§7.1 HardReset); @usb selects the longer timing. */
gboolean esplash_reset_hard (EsplashTransport *transport,
                             gboolean          usb,
                             GCancellable     *cancellable,
                             GError          **error);

/* Sleeps @ms milliseconds; returns early with G_IO_ERROR_CANCELLED when
 * @cancellable fires. Independent of any transport. */
gboolean esplash_sleep      (guint             ms,
                             GCancellable     *cancellable,
                             GError          **error);

G_END_DECLS
