/* esplash-baud-memory.h: the rate the automatic setting found, per adapter.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "esplash.h"
#include "esplash-port-item.h"

G_BEGIN_DECLS

/* 0 when nothing is remembered for @adapter_key (or @settings is NULL). */
guint esplash_baud_memory_lookup (GSettings  *settings,
                                  const char *adapter_key);
void  esplash_baud_memory_store  (GSettings  *settings,
                                  const char *adapter_key,
                                  guint       baud);

/* Sets @connect's rate for @port: @chosen when the user picked one;
 * Automatic (0) on a bridge searches, starting at the rate remembered for
 * the adapter. Returns the key to remember the result under, or NULL. */
char *esplash_baud_memory_choose (GSettings             *settings,
                                  guint                  chosen,
                                  EsplashPortItem       *port,
                                  EsplashConnectOptions *connect);

G_END_DECLS
