/* esplash-monitor.h: a serial monitor — the board's output, live, with the
 * code addresses of a crash resolved from the app's ELF.
 *
 * The port is read on a thread of its own; what it reads reaches the
 * caller's main context (the thread-default one at esplash_monitor_start)
 * coalesced: one "output" signal per ~30 ms at most, whatever the rate. The
 * bytes pass unchanged (ANSI colours, line ends); "note" signals (decoded
 * crash frames among them) come in order with the output, right after the
 * line they are about. When the port goes
 * away (USB re-enumeration on reset) the monitor waits for it, finds it
 * again (same name, or same USB VID:PID and serial number) and goes on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "esplash-transport.h"
#include "esplash-elf-symbols.h"

G_BEGIN_DECLS

/**
 * EsplashMonitorState:
 * @ESPLASH_MONITOR_STATE_STOPPED: not started, or stopped (by the caller or an error)
 * @ESPLASH_MONITOR_STATE_RUNNING: reading the port
 * @ESPLASH_MONITOR_STATE_WAITING_FOR_PORT: the port went away; waiting for it to come back
 */
typedef enum {
  ESPLASH_MONITOR_STATE_STOPPED = 0,
  ESPLASH_MONITOR_STATE_RUNNING = 1,
  ESPLASH_MONITOR_STATE_WAITING_FOR_PORT = 2,
} EsplashMonitorState;

/**
 * EsplashMonitorNote:
 * @ESPLASH_MONITOR_NOTE_INFO: what the monitor did ("Reset", "The port is back")
 * @ESPLASH_MONITOR_NOTE_DECODED: one resolved frame of a crash ("0x42000034: parse_reading at main.c:12")
 * @ESPLASH_MONITOR_NOTE_WARNING: something the user should know (no ELF, ELF of another build, output dropped)
 *
 * The kind of a line of the monitor's own, emitted with the "note" signal.
 */
typedef enum {
  ESPLASH_MONITOR_NOTE_INFO = 0,
  ESPLASH_MONITOR_NOTE_DECODED = 1,
  ESPLASH_MONITOR_NOTE_WARNING = 2,
} EsplashMonitorNote;

#define ESPLASH_MONITOR_DEFAULT_BAUD 115200

#define ESPLASH_TYPE_MONITOR (esplash_monitor_get_type ())
G_DECLARE_FINAL_TYPE (EsplashMonitor, esplash_monitor, ESPLASH, MONITOR, GObject)

EsplashMonitor     *esplash_monitor_new               (const char        *port_url);
EsplashMonitor     *esplash_monitor_new_for_transport (EsplashTransport  *transport);

const char         *esplash_monitor_get_port_url      (EsplashMonitor    *self);
EsplashMonitorState esplash_monitor_get_state         (EsplashMonitor    *self);
guint               esplash_monitor_get_baud          (EsplashMonitor    *self);
void                esplash_monitor_set_baud          (EsplashMonitor    *self,
                                                       guint              baud);
EsplashElfSymbols  *esplash_monitor_get_elf           (EsplashMonitor    *self);
void                esplash_monitor_set_elf           (EsplashMonitor    *self,
                                                       EsplashElfSymbols *elf);

gboolean            esplash_monitor_start             (EsplashMonitor    *self,
                                                       gboolean           reset,
                                                       GError           **error);
void                esplash_monitor_stop              (EsplashMonitor    *self);

void                esplash_monitor_send              (EsplashMonitor    *self,
                                                       const guint8      *data,
                                                       gsize              len);
void                esplash_monitor_reset             (EsplashMonitor    *self);

G_END_DECLS
