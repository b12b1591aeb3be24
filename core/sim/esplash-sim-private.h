/* esplash-sim-private.h: the inside of the virtual chip, shared by its
 * units (wire, board, ROM, stub, registers/flash).
 *
 * Everything here runs with EsplashSim.lock held; no function takes it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <zlib.h>

#include "esplash-sim.h"
#include "esplash-chip.h"
#include "esplash-command.h"
#include "esplash-slip.h"

G_BEGIN_DECLS

#define SIM_SECTOR_SIZE       0x1000u
#define SIM_STUB_MAX_BLOCK    0x4000u
#define SIM_APP_LINE_US       (200 * G_TIME_SPAN_MILLISECOND)
#define SIM_WDT_CAP_MS        100
#define SIM_STUB_REBOOT_US    (10 * G_TIME_SPAN_MILLISECOND)

/* Timing model (options->timing); all costs are in microseconds. */
#define SIM_ROM_ERASE_US_PER_SECTOR   30000
#define SIM_STUB_ERASE_US_PER_SECTOR  30000
#define SIM_CHIP_ERASE_US_PER_SECTOR  1200
#define SIM_PROGRAM_US_PER_KIB        1000
#define SIM_MD5_US_PER_KIB            20

typedef enum {
  SIM_RESET_POWER_ON,
  SIM_RESET_EN_PIN,
  SIM_RESET_USB_CORE,
  SIM_RESET_USB_JTAG,
  SIM_RESET_RTC_WDT,
  SIM_RESET_SOFTWARE,
  SIM_RESET_STUB_REBOOT,
} SimResetCause;

/* One piece of output on the chip's TX line; byte i is on the host side
 * at start_us + (i + 1) × 10 bits / baud (instantly when baud == 0). */
typedef struct {
  GByteArray *data;
  gsize       pos;
  gint64      start_us;
  guint       baud;
} SimChunk;

/* A FLASH_BEGIN / FLASH_DEFL_BEGIN in progress (ROM or stub). */
typedef struct {
  gboolean  active;
  gboolean  compressed;
  guint32   offset;
  guint32   total;          /* ROM: erase size; stub: bytes that will be written */
  guint32   n_blocks;
  guint32   block_size;
  guint32   next_seq;
  guint32   write_pos;      /* next flash address to write */
  guint32   remaining;      /* stub: bytes still expected */
  guint32   next_erase;     /* stub: first address not yet erased (sector aligned) */
  guint8    deferred_error; /* stub: error found after the ACK, reported next time */
  gboolean  z_ready;
  gboolean  z_done;
  z_stream  z;
} SimFlashOp;

/* A loaded RAM segment (MEM_BEGIN … MEM_DATA). */
typedef struct {
  guint32     start;
  guint32     size;         /* declared by MEM_BEGIN */
  GByteArray *data;         /* what arrived so far */
} SimRamSegment;

/* The stub's READ_FLASH stream. */
typedef struct {
  gboolean  active;
  guint32   offset;
  guint32   length;
  guint32   packet_size;
  guint32   max_in_flight;
  guint32   sent;
  guint32   acked;
  GChecksum *md5;
} SimReadOp;

struct _EsplashSim {
  GObject parent_instance;

  GMutex lock;
  GCond  cond;

  EsplashSimOptions       opt;
  const EsplashChipInfo  *chip;
  guint                   crystal_mhz;

  /* flash and memory */
  guint8     *flash;
  guint32     flash_size;
  guint32     believed_flash_size;   /* SPI_SET_PARAMS */
  GHashTable *regs;                  /* address → value (GUINT_TO_POINTER) */
  GPtrArray  *ram;                   /* SimRamSegment */
  SimRamSegment *mem_current;        /* MEM_* in progress */
  guint32     mem_next_seq;

  /* wire */
  guint               host_baud;
  guint               chip_baud;
  gboolean            autobaud_pending;  /* ROM has not locked onto SYNC yet */
  gboolean            dtr, rts;
  GQueue              out;               /* SimChunk */
  gint64              tx_free_us;        /* when the chip's TX line is idle again */
  gint64              rx_free_us;        /* when the host's bytes so far have arrived */
  gint64              busy_until_us;     /* chip busy (erase/program) until then */
  gint64              cmd_time_us;       /* earliest time for the reply being built */
  EsplashSlipDecoder *decoder;
  guint32             garble_state;
  guint64             tx_count;          /* bytes sent to the host (faults, stats) */
  guint64             rx_count;          /* bytes from the host (stats) */
  guint64             overspeed_count;   /* bytes over the line's limit (max_baud) */
  gint64              busy_total_us;     /* modelled erase/program/MD5 time (stats) */
  gboolean            unplugged;
  gboolean            wire_paced;        /* output takes wire time even without --timing */
  gboolean            stalled;
  guint               n_commands;

  /* board */
  EsplashSimState state;
  gboolean        boot_held;
  gboolean        boot_pending;
  gint64          boot_at_us;
  SimResetCause   boot_cause;
  gboolean        latched_strap_low;     /* GPIO_STRAP boot pin, latched at system resets */
  gboolean        usb_jtag_latch;
  gboolean        usb_otg_held;          /* the ROM CDC's reset line, as last decoded */
  gboolean        boot_download;         /* the mode of the last hardware boot: a CPU reset repeats it */
  gint64          wdt_at_us;             /* 0 = not armed */
  gint64          booted_us;             /* when the current boot happened */
  gint64          next_line_us;          /* APP / NO_APP: next periodic line */
  char           *app_md5;
  guint32         no_app_word;
  guint           reset_count;

  /* personalities */
  guint32     rom_last_value;
  SimFlashOp  fop;
  SimReadOp   rop;

  /* inspection */
  GQueue      events;                    /* char * */
  guint       command_counts[256];
};

/* esplash-sim.c: wire and event log */
void     sim_event          (EsplashSim *self, const char *format, ...) G_GNUC_PRINTF (2, 3);
void     sim_emit           (EsplashSim *self, const guint8 *data, gsize len, gint64 not_before);
void     sim_emit_text      (EsplashSim *self, const char *text, gint64 not_before);
void     sim_send_frame     (EsplashSim *self, const guint8 *payload, gsize len);
void     sim_reply          (EsplashSim *self, guint8 opcode, guint32 value,
                             const guint8 *payload, gsize payload_len,
                             const guint8 *status, gsize status_len);
/* A reply whose status is @code: ROM [code != 0, code, 0, 0] (chip's status
 * length), stub [code, 0]; lengths swapped by the WRONG_STATUS_LEN fault. */
void     sim_reply_result   (EsplashSim *self, guint8 opcode, guint32 value,
                             const guint8 *payload, gsize payload_len, guint8 code);
void     sim_set_chip_baud  (EsplashSim *self, guint baud);
void     sim_set_unplugged  (EsplashSim *self);
void     sim_chunk_free     (gpointer chunk);
void     sim_add_busy       (EsplashSim *self, gint64 cost_us);
gint64   sim_now            (void);

/* esplash-sim-board.c: reset circuit, boot, console output */
void     sim_board_power_on        (EsplashSim *self, gboolean strap_low, gint64 now);
void     sim_board_touch           (EsplashSim *self, gint64 now);
gint64   sim_board_next_event      (EsplashSim *self);
void     sim_board_set_lines       (EsplashSim *self, gboolean dtr, gboolean rts, gint64 now);
void     sim_board_press_reset     (EsplashSim *self, gint64 now);
void     sim_board_software_reset  (EsplashSim *self, SimResetCause cause, gint64 at);
void     sim_board_run_user_code   (EsplashSim *self, gint64 at);
void     sim_board_arm_watchdog    (EsplashSim *self, guint32 timeout_ms, gint64 now);
void     sim_board_disarm_watchdog (EsplashSim *self);
guint    sim_board_boot_baud       (EsplashSim *self);
gboolean sim_board_strap_reg       (EsplashSim *self, guint32 *value);

/* esplash-sim-rom.c / esplash-sim-stub.c: one decoded command frame */
void     sim_rom_command   (EsplashSim *self, guint8 opcode, const guint8 *data, gsize len, guint32 checksum);
void     sim_stub_command  (EsplashSim *self, guint8 opcode, const guint8 *data, gsize len, guint32 checksum);
void     sim_stub_frame    (EsplashSim *self, const guint8 *frame, gsize len);   /* raw frames (READ_FLASH acks) */
void     sim_stub_start    (EsplashSim *self);

/* esplash-sim-spi.c: registers, flash, RAM */
void     sim_regs_init        (EsplashSim *self);
guint32  sim_reg_read         (EsplashSim *self, guint32 address);
void     sim_reg_write        (EsplashSim *self, guint32 address, guint32 value, guint32 mask);
guint32  sim_rdid             (EsplashSim *self);
gboolean sim_flash_range_ok   (EsplashSim *self, guint32 address, guint32 size);
guint    sim_flash_erase      (EsplashSim *self, guint32 address, guint32 size);  /* sectors erased */
void     sim_flash_program    (EsplashSim *self, guint32 address, const guint8 *data, gsize len);
void     sim_flash_md5        (EsplashSim *self, guint32 address, guint32 size, guint8 digest[16]);
void     sim_flash_op_clear   (SimFlashOp *op);
gboolean sim_flash_op_inflate (EsplashSim *self, const guint8 *data, gsize len,
                               guint32 limit, GByteArray *out, gboolean *overflow);
void     sim_ram_begin        (EsplashSim *self, guint32 start, guint32 size);
gboolean sim_ram_append       (EsplashSim *self, const guint8 *data, gsize len);
gboolean sim_ram_contains     (EsplashSim *self, guint32 address);
void     sim_ram_segment_free (gpointer segment);
void     sim_read_op_clear    (SimReadOp *op);

G_END_DECLS
