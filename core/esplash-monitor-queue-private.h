/* esplash-monitor-queue-private.h: what the monitor's reader thread hands
 * to the caller's main context — output, notes, state changes — in order,
 * coalesced and bounded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-monitor.h"

G_BEGIN_DECLS

typedef enum {
  ESPLASH_MONITOR_ITEM_OUTPUT,
  ESPLASH_MONITOR_ITEM_NOTE,
  ESPLASH_MONITOR_ITEM_STATE,
} EsplashMonitorItemKind;

typedef struct {
  EsplashMonitorItemKind kind;
  GByteArray          *bytes;    /* OUTPUT */
  EsplashMonitorNote   note;     /* NOTE */
  EsplashMonitorState  state;    /* STATE */
  char                *text;     /* NOTE, STATE (message, nullable) */
} EsplashMonitorItem;

/* Called on the main context, item by item, in the order queued. */
typedef void (*EsplashMonitorDeliverFunc) (GObject                  *owner,
                                           const EsplashMonitorItem *item);

typedef struct _EsplashMonitorQueue EsplashMonitorQueue;

/* @owner is kept alive by a pending delivery. */
EsplashMonitorQueue *esplash_monitor_queue_new    (GObject                   *owner,
                                                   EsplashMonitorDeliverFunc  deliver);
/* Drops what is queued; no delivery happens after. */
void                 esplash_monitor_queue_free   (EsplashMonitorQueue       *self);
/* Where deliveries run from now on (the caller's thread-default context). */
void                 esplash_monitor_queue_attach (EsplashMonitorQueue       *self,
                                                   GMainContext              *context);

/* From any thread. */
void esplash_monitor_queue_output (EsplashMonitorQueue *self,
                                   const guint8        *data,
                                   gsize                len);
void esplash_monitor_queue_note   (EsplashMonitorQueue *self,
                                   EsplashMonitorNote   note,
                                   char                *text);     /* (transfer full) */
void esplash_monitor_queue_state  (EsplashMonitorQueue *self,
                                   EsplashMonitorState  state,
                                   const char          *message);  /* nullable */

G_END_DECLS
