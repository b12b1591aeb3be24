/* esplash-error.h: the one error domain of the Esplash core.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ESPLASH_ERROR (esplash_error_quark ())

/**
 * EsplashError:
 * @ESPLASH_ERROR_FAILED: anything not covered below
 * @ESPLASH_ERROR_NOT_FOUND: a port, file or stub does not exist
 * @ESPLASH_ERROR_PERMISSION_DENIED: the port exists but may not be opened
 * @ESPLASH_ERROR_BUSY: another program holds the port
 * @ESPLASH_ERROR_TIMED_OUT: the chip did not answer in time
 * @ESPLASH_ERROR_NO_SYNC: no SYNC reply after every reset attempt
 * @ESPLASH_ERROR_PROTOCOL: malformed or unexpected data on the line
 * @ESPLASH_ERROR_DEVICE: the ROM or stub reported a failure status (the message names it)
 * @ESPLASH_ERROR_UNSUPPORTED_CHIP: the chip is not the one asked for, or unknown
 * @ESPLASH_ERROR_UNSUPPORTED: the loader cannot do this (e.g. ROM without stub)
 * @ESPLASH_ERROR_INVALID_IMAGE: a firmware file is malformed
 * @ESPLASH_ERROR_IMAGE_TOO_LARGE: a region does not fit the flash
 * @ESPLASH_ERROR_VERIFY_FAILED: the flash MD5 differs from the image
 * @ESPLASH_ERROR_PORT_GONE: the port vanished while in use
 * @ESPLASH_ERROR_INVALID_ARGUMENT: bad input from the caller (URL, option, address)
 * @ESPLASH_ERROR_LINE_DAMAGED: replies kept arriving damaged (bytes lost or
 *   changed on the line) after every retry
 * @ESPLASH_ERROR_CHIP_RESET: the chip was reset (or restarted its loader)
 *   while an operation ran, and the session could not be taken up again
 *
 * Values are stable and never renumbered. Cancellation is always
 * %G_IO_ERROR_CANCELLED, never one of these.
 */
typedef enum {
  ESPLASH_ERROR_FAILED = 0,
  ESPLASH_ERROR_NOT_FOUND = 1,
  ESPLASH_ERROR_PERMISSION_DENIED = 2,
  ESPLASH_ERROR_BUSY = 3,
  ESPLASH_ERROR_TIMED_OUT = 4,
  ESPLASH_ERROR_NO_SYNC = 5,
  ESPLASH_ERROR_PROTOCOL = 6,
  ESPLASH_ERROR_DEVICE = 7,
  ESPLASH_ERROR_UNSUPPORTED_CHIP = 8,
  ESPLASH_ERROR_UNSUPPORTED = 9,
  ESPLASH_ERROR_INVALID_IMAGE = 10,
  ESPLASH_ERROR_IMAGE_TOO_LARGE = 11,
  ESPLASH_ERROR_VERIFY_FAILED = 12,
  ESPLASH_ERROR_PORT_GONE = 13,
  ESPLASH_ERROR_INVALID_ARGUMENT = 14,
  ESPLASH_ERROR_LINE_DAMAGED = 15,
  ESPLASH_ERROR_CHIP_RESET = 16,
} EsplashError;

GQuark       esplash_error_quark   (void);
const char  *esplash_error_code_nick (EsplashError code);

G_END_DECLS
