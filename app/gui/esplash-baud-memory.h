/* esplash-baud-memory.h: the rate the automatic setting found, per adapter.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* 0 when nothing is remembered for @adapter_key (or @settings is NULL). */
guint esplash_baud_memory_lookup (GSettings  *settings,
                                  const char *adapter_key);
void  esplash_baud_memory_store  (GSettings  *settings,
                                  const char *adapter_key,
                                  guint       baud);

G_END_DECLS
