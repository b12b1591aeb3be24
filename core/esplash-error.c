/* esplash-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-error.h"

G_DEFINE_QUARK (esplash-error-quark, esplash_error)

/**
 * esplash_error_code_nick:
 * @code: an #EsplashError
 *
 * Returns: (transfer none): a short stable name for @code, as used in JSON output
 */
const char *
esplash_error_code_nick (EsplashError code)
{
  static const char *const nicks[] = {
    [ESPLASH_ERROR_FAILED] = "failed",
    [ESPLASH_ERROR_NOT_FOUND] = "not-found",
    [ESPLASH_ERROR_PERMISSION_DENIED] = "permission-denied",
    [ESPLASH_ERROR_BUSY] = "busy",
    [ESPLASH_ERROR_TIMED_OUT] = "timed-out",
    [ESPLASH_ERROR_NO_SYNC] = "no-sync",
    [ESPLASH_ERROR_PROTOCOL] = "protocol",
    [ESPLASH_ERROR_DEVICE] = "device",
    [ESPLASH_ERROR_UNSUPPORTED_CHIP] = "unsupported-chip",
    [ESPLASH_ERROR_UNSUPPORTED] = "unsupported",
    [ESPLASH_ERROR_INVALID_IMAGE] = "invalid-image",
    [ESPLASH_ERROR_IMAGE_TOO_LARGE] = "image-too-large",
    [ESPLASH_ERROR_VERIFY_FAILED] = "verify-failed",
    [ESPLASH_ERROR_PORT_GONE] = "port-gone",
    [ESPLASH_ERROR_INVALID_ARGUMENT] = "invalid-argument",
    [ESPLASH_ERROR_LINE_DAMAGED] = "line-damaged",
    [ESPLASH_ERROR_CHIP_RESET] = "chip-reset",
  };

  if ((guint) code < G_N_ELEMENTS (nicks) && nicks[code] != NULL)
    return nicks[code];
  return "unknown";
}
