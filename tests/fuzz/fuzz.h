/* fuzz.h: shared declarations of the fuzz targets and their driver.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* The libFuzzer entry point each target defines. */
int  LLVMFuzzerTestOneInput (const uint8_t *data,
                             size_t         size);

/* Each target adds seeds built in code (GBytes) to those read from files. */
void esplash_fuzz_add_seeds (GPtrArray *seeds);

/* Aborts with @what when @cond is false; unlike g_assert it is never
 * compiled out, and a crash is what a fuzzer reports. */
#define FUZZ_CHECK(cond, what) \
  G_STMT_START { if (!(cond)) g_error ("fuzz invariant broken: %s", what); } G_STMT_END
