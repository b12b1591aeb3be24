/* esplash-sim.h: the virtual chip — ROM loader and flasher-stub
 * personalities of each chip family, a NOR flash, the board's reset
 * circuit, and timing and fault models (protocol.md §10).
 *
 * Thread-safe: the host side (write/read/lines/baud) may be driven from one
 * thread while tests inspect the state from another.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "esplash-chip.h"

G_BEGIN_DECLS

typedef enum {
  ESPLASH_SIM_BOOT_FLASH = 0,     /* power-on: strap high, runs the flash contents */
  ESPLASH_SIM_BOOT_DOWNLOAD = 1,  /* power-on as if BOOT were held: ROM loader */
} EsplashSimBootMode;

typedef enum {
  ESPLASH_SIM_STATE_RESET = 0,        /* EN held low */
  ESPLASH_SIM_STATE_ROM_LOADER = 1,   /* ROM download mode */
  ESPLASH_SIM_STATE_STUB = 2,         /* the flasher stub runs */
  ESPLASH_SIM_STATE_APP = 3,          /* booted from flash; an application runs */
  ESPLASH_SIM_STATE_NO_APP = 4,       /* booted from flash; nothing valid there */
} EsplashSimState;

typedef enum {
  ESPLASH_SIM_FAULT_NONE = 0,
  ESPLASH_SIM_FAULT_DROP_BYTES = 1 << 0,     /* drop a byte every fault_every bytes sent to the host */
  ESPLASH_SIM_FAULT_CORRUPT_BYTES = 1 << 1,  /* flip a byte every fault_every bytes */
  ESPLASH_SIM_FAULT_STALL = 1 << 2,          /* stop answering after fault_after commands, until a reset */
  ESPLASH_SIM_FAULT_DISCONNECT = 1 << 3,     /* close the line after fault_after commands */
  ESPLASH_SIM_FAULT_WRONG_STATUS_LEN = 1 << 4, /* ROM sends 2 status bytes, stub 4 */
} EsplashSimFaults;

/* A device that does not follow the protocol, for robustness tests
 * (docs/simulator.md): every reply after EsplashSimOptions.hostile_after
 * commands is sent the hostile way. */
typedef enum {
  ESPLASH_SIM_HOSTILE_NONE = 0,
  ESPLASH_SIM_HOSTILE_OVERSIZED = 1 << 0,      /* each reply runs on for over 1 MiB before its end 0xC0 */
  ESPLASH_SIM_HOSTILE_ENDLESS = 1 << 1,        /* a never-ending stream without 0xC0 instead of answers */
  ESPLASH_SIM_HOSTILE_ENDLESS_FRAMES = 1 << 2, /* never-ending short junk frames instead of answers */
  ESPLASH_SIM_HOSTILE_BAD_ESCAPE = 1 << 3,     /* 0xDB followed by another byte than 0xDC/0xDD in each reply */
  ESPLASH_SIM_HOSTILE_UNSOLICITED = 1 << 4,    /* replies to commands never sent, around each reply and unasked */
} EsplashSimHostile;

typedef struct {
  EsplashChipFamily  family;
  EsplashConsole     console;          /* which interface the host is on */
  EsplashSimBootMode boot_mode;        /* what power-on does */
  guint32            flash_size;       /* bytes; 0 = 4 MiB */
  guint32            flash_id;         /* RDID answer; 0 = derived from flash_size (0xC84016 style) */
  guint              revision;         /* major*100+minor */
  guint8             mac[6];           /* all zero = a fixed per-family default */
  guint              crystal_mhz;      /* 0 = family default (40, 26 for ESP8266) */
  gboolean           secure_download_mode;
  /* A command the ROM does not know or may not run: FALSE (default) = the real
   * ROMs' answer, an invalid-message frame with command byte 0 sent 8 times;
   * TRUE = one reply that echoes the opcode (the sim's old, kinder model). */
  gboolean           single_unsupported_reply;
  gboolean           auto_reset_circuit;/* DTR/RTS wired to EN/strap (default TRUE) */
  guint              en_delay_ms;      /* EN capacitor: strap sampled this long after EN rises (default 5) */
  /* The fastest rate the UART bridge and the board's wiring hold; above it
   * one byte in 64 arrives wrong each way. 0 = no limit. Default 921600,
   * a CP2102's top rate; the USB consoles have none. */
  guint              max_baud;
  gboolean           timing;           /* model wire time, erase and program costs */
  EsplashSimFaults   faults;
  guint              fault_every;      /* for DROP/CORRUPT (default 1000) */
  guint              fault_after;      /* for STALL/DISCONNECT: number of commands first */
  EsplashSimHostile  hostile;
  guint              hostile_after;    /* commands answered normally first */
  /* The application (docs/simulator.md "The application"): its ELF, whose
   * functions a panic's addresses point into (NULL: made-up addresses;
   * the string is copied), and its console baud (0 = 115200). */
  const char        *app_elf;
  guint              app_baud;
} EsplashSimOptions;

void esplash_sim_options_init (EsplashSimOptions *options, EsplashChipFamily family);

#define ESPLASH_TYPE_SIM (esplash_sim_get_type ())
G_DECLARE_FINAL_TYPE (EsplashSim, esplash_sim, ESPLASH, SIM, GObject)

EsplashSim *esplash_sim_new (const EsplashSimOptions *options);

/* Host side of the wire. */
void   esplash_sim_host_write     (EsplashSim *self, const guint8 *data, gsize len);
/* Waits up to @timeout_us for bytes; returns how many were copied (0 on
 * timeout); -1 once the line is disconnected (fault or esplash_sim_unplug). */
gssize esplash_sim_host_read      (EsplashSim *self, guint8 *buf, gsize len, gint64 timeout_us);
void   esplash_sim_host_set_lines (EsplashSim *self, gboolean dtr, gboolean rts);
void   esplash_sim_host_set_baud  (EsplashSim *self, guint baud);
void   esplash_sim_host_purge     (EsplashSim *self);   /* drop what the chip sent, unread */
/* Bytes readable right now without waiting (like pyserial's in_waiting);
 * -1 once the line is disconnected. */
gssize esplash_sim_host_pending   (EsplashSim *self);

/* Board: buttons and power. */
void   esplash_sim_set_boot_held  (EsplashSim *self, gboolean held);   /* BOOT button / strap jumper */
void   esplash_sim_press_reset    (EsplashSim *self);                  /* tap EN/RESET */
void   esplash_sim_power_cycle    (EsplashSim *self);
void   esplash_sim_unplug         (EsplashSim *self);                  /* the port vanishes */
/* Turns the hostile modes on (or off with NONE) for the replies to commands
 * after the next @after ones. */
void   esplash_sim_set_hostile    (EsplashSim *self, EsplashSimHostile kinds, guint after);
/* The application, while it runs (state APP): crash with an ESP-IDF panic
 * report and reboot (nothing when no application runs), or print numbered
 * log lines back to back at its baud, as fast as the host reads them. */
void   esplash_sim_panic          (EsplashSim *self);
void   esplash_sim_set_app_flood  (EsplashSim *self, gboolean flood);
/* "oversized,endless" → kinds; FALSE for an unknown name. */
gboolean    esplash_sim_hostile_parse (const char *names, EsplashSimHostile *kinds);
const char *esplash_sim_hostile_name  (EsplashSimHostile kind);   /* one kind */

/* Inspection, for tests and benchmarks. */
typedef struct {
  guint64 host_to_chip;   /* bytes the host sent */
  guint64 chip_to_host;   /* bytes the chip sent (boot log included) */
  gint64  busy_us;        /* modelled erase, program and MD5 time (--timing) */
  guint64 hostile_frames; /* frames the hostile modes sent damaged or made up */
  guint64 hostile_bytes;  /* bytes of made-up output (filler, endless streams) read so far */
} EsplashSimStats;
void            esplash_sim_get_stats   (EsplashSim *self, EsplashSimStats *stats);
EsplashSimState esplash_sim_get_state   (EsplashSim *self);
const char     *esplash_sim_state_name  (EsplashSimState state);
guint           esplash_sim_get_baud    (EsplashSim *self);            /* the chip's UART baud */
gboolean        esplash_sim_is_autobauding (EsplashSim *self);         /* ROM waits for SYNC to learn the baud */
GBytes         *esplash_sim_dup_flash   (EsplashSim *self, guint32 address, guint32 size);
void            esplash_sim_load_flash  (EsplashSim *self, guint32 address, GBytes *data);
guint32         esplash_sim_get_flash_size (EsplashSim *self);
/* What was loaded into RAM with MEM_* at @address (e.g. the stub text). */
GBytes         *esplash_sim_dup_ram     (EsplashSim *self, guint32 address, guint32 size);
guint           esplash_sim_get_reset_count (EsplashSim *self);        /* chip resets so far */
/* Human-readable event log ("lines DTR=1 RTS=0", "reset: boot:0x3 download",
 * "command FLASH_BEGIN", "watchdog reset"), newest last. Transfer full. */
GStrv           esplash_sim_dup_events  (EsplashSim *self);
guint           esplash_sim_count_commands (EsplashSim *self, guint8 opcode);

G_END_DECLS
