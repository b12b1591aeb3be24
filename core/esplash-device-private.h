/* esplash-device-private.h: what esplash-flash.c and friends use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-command.h"
#include "esplash-device.h"
#include "esplash-slip.h"

G_BEGIN_DECLS

/* The session state, shared by esplash-device*.c (one object, one thread at
 * a time). esplash-flash.c uses the functions below, not the fields. */
struct _EsplashDevice
{
  GObject                parent_instance;

  EsplashTransport      *transport;
  EsplashSlipDecoder    *decoder;
  GByteArray            *rx;            /* bytes read but not yet fed to the decoder */
  guint64                noise_mark;    /* decoder noise total when the current wait began */
  guint64                rx_bytes;      /* everything received, for "no serial data" */
  guint64                stale_frames;  /* frames dropped as not the reply to the command sent */
  guint64                line_faults;    /* at this rate: damaged replies, lost sessions the chip answered after */
  guint64                command_retries;/* commands sent again after a lost or damaged reply */
  guint8                 failed_status[2];/* the last exchange's status when it failed its check; 00 00 else */
  gboolean               crashed;       /* a panic message ended the last wait */
  guint64                noise_scanned; /* decoder noise total already looked at for markers */
  gboolean               baud_settled;  /* the automatic rate was found in this connect */
  guint                  baud_ceiling;  /* automatic: only rates below this (one failed) */
  guint                  baud_failed_at;/* automatic: the rate that just failed, or 0 */

  EsplashEventFunc       event_func;
  gpointer               event_data;
  GDestroyNotify         event_destroy;

  gboolean               connected;
  const EsplashChipInfo *chip;
  guint                  revision;
  EsplashConsole         console;
  gboolean               stub_running;
  gboolean               stub_reused;   /* found running at SYNC: not uploaded by us */
  gboolean               sync_stub_detected;
  gboolean               secure_download_mode;
  EsplashSecurityInfo    security;

  GByteArray            *boot_log;
  gint                   boot_mode;     /* -1 = none seen */
  gboolean               boot_download;

  gboolean               flash_attached;
  guint32                flash_params_size;  /* size sent with SPI_SET_PARAMS; 0 = not yet */
  gboolean               flash_id_valid;
  guint32                flash_id;

  /* What the last connect observed, for diagnosis (esplash-attempt.c). */
  GByteArray            *line_text;     /* boot logs and other non-SLIP bytes, in order, capped */
  guint64                line_noise_mark;  /* decoder noise total already copied */
  guint64                connect_rx_start; /* rx_bytes when the connect began */
  guint                  resets_run;
  guint                  reset_strategies; /* 1 << EsplashResetStrategy per strategy run */
  guint                  sync_replies;
  EsplashStage           stage;         /* last stage entered */

  /* To take the session up again (esplash-device-recover.c). */
  EsplashConnectOptions  last_connect;  /* stub_dir: see last_stub_dir */
  char                  *last_stub_dir;
  gboolean               has_connected; /* last_connect is set */
  gboolean               mac_valid;     /* read by describe */
  guint8                 mac[6];
  char                  *port_url;
  guint16                port_vid;      /* USB identity of a local port; 0 = none */
  guint16                port_pid;
  char                  *port_serial;
  guint                  recoveries;
  guint                  rate_ceiling;  /* a rate the line did not hold: stay below; 0 = none */
};

/* Cancelled, or the port is gone: nothing more to try on this session. */
gboolean esplash_device_error_is_fatal (const GError *error);

/* esplash-device-recover.c */
/* A lost, late or damaged reply, a chip reset, the port gone: @error, as
 * the last command on @self failed with it. */
gboolean esplash_device_error_is_recoverable (EsplashDevice *self,
                                              const GError  *error);
/* esplash-device-frames.c: whether the chip printed a ROM boot line since
 * the last command was sent (it was reset). */
gboolean esplash_device_noise_shows_reset    (EsplashDevice *self);
/* Takes the session up again after @cause (see the file). */
gboolean esplash_device_recover (EsplashDevice  *self,
                                 const GError   *cause,
                                 GCancellable   *cancellable,
                                 GError        **error);
void     esplash_device_note_port_identity (EsplashDevice *self);
/* Drains the line, then SYNC: which loader answers (TIMED_OUT: none). */
gboolean esplash_device_resync (EsplashDevice  *self,
                                gboolean       *stub,
                                GCancellable   *cancellable,
                                GError        **error);
/* One of the usual rates down (the chip asked at both rates after). */
gboolean esplash_device_lower_rate (EsplashDevice  *self,
                                    GCancellable   *cancellable,
                                    GError        **error);
/* esplash-device-connect.c: one SYNC (sets sync_stub_detected). */
gboolean esplash_device_sync_once (EsplashDevice  *self,
                                   GCancellable   *cancellable,
                                   GError        **error);

/* esplash-device-detect.c: which chip, on which console (sets chip,
 * security info, secure_download_mode, console). */
gboolean esplash_device_detect_chip    (EsplashDevice  *self,
                                        GCancellable   *cancellable,
                                        GError        **error);
gboolean esplash_device_detect_console (EsplashDevice  *self,
                                        GCancellable   *cancellable,
                                        GError        **error);

/* esplash-device-frames.c: frames on the wire. */
/* Remembers how much the chip had printed, so that a panic since then ends
 * the next waits. */
void     esplash_device_mark_noise   (EsplashDevice  *self);
/* One SLIP frame within @timeout_ms; ESPLASH_ERROR_TIMED_OUT unprefixed. */
GBytes  *esplash_device_next_frame   (EsplashDevice  *self,
                                      guint           timeout_ms,
                                      GCancellable   *cancellable,
                                      GError        **error);
/* Reads frames until the line has been quiet for @quiet_ms (at most @max_ms
 * in all) and drops them, unless one answers @opcode (>= 0, size field
 * intact): that one is returned and what follows stays buffered. NULL with
 * @error unset when the line went quiet. */
GBytes  *esplash_device_drain_frames (EsplashDevice  *self,
                                      gint            opcode,
                                      guint           quiet_ms,
                                      guint           max_ms,
                                      GCancellable   *cancellable,
                                      GError        **error);

/* esplash-device-regs.c: the value CHANGE_BAUDRATE must carry for the
 * chip to run at @baud (the ESP32 and ESP32-C2 ROMs' crystal scaling, §2.9). */
gboolean esplash_device_rom_baud_value (EsplashDevice  *self,
                                        guint           baud,
                                        guint          *rom_baud,
                                        GCancellable   *cancellable,
                                        GError        **error);

/* esplash-device-baud.c: the fastest rate below baud_ceiling the line holds,
 * tried from @first (0: from the top) downwards; the session is left at it.
 * A rate that fails sets baud_failed_at: the chip must be reset. */
gboolean esplash_device_find_baud (EsplashDevice  *self,
                                   guint           first,
                                   GCancellable   *cancellable,
                                   GError        **error);

/* Seconds per megabyte with esptool's 3 s floor (§3.4), in milliseconds. */
guint    esplash_timeout_per_mb (guint seconds_per_mb, guint64 bytes);

#define ESPLASH_DEFAULT_TIMEOUT_MS 3000

/* Send one command and wait for its response (matching opcode), at most
 * @timeout_ms. Checks the status (ESPLASH_ERROR_DEVICE) unless @out is
 * non-NULL and @check is FALSE. */
gboolean esplash_device_command (EsplashDevice   *self,
                                 guint8           opcode,
                                 GBytes          *data,       /* nullable */
                                 guint32          checksum,
                                 gsize            expected_payload,
                                 guint            timeout_ms,
                                 gboolean         check,
                                 EsplashResponse *out,        /* nullable */
                                 GCancellable    *cancellable,
                                 GError         **error);

/* As esplash_device_command(), for a packet already built (e.g. by
 * esplash_command_build_data()); the opcode is taken from it. */
gboolean esplash_device_command_packet (EsplashDevice   *self,
                                        GBytes          *packet,
                                        gsize            expected_payload,
                                        guint            timeout_ms,
                                        gboolean         check,
                                        EsplashResponse *out,
                                        GCancellable    *cancellable,
                                        GError         **error);
/* As esplash_device_command(), with data made of little-endian words. */
gboolean esplash_device_command_words (EsplashDevice   *self,
                                       guint8           opcode,
                                       const guint32   *words,
                                       guint            n_words,
                                       gsize            expected_payload,
                                       guint            timeout_ms,
                                       gboolean         check,
                                       EsplashResponse *out,
                                       GCancellable    *cancellable,
                                       GError         **error);
/* GET_SECURITY_INFO, 20-byte form first, then the 12-byte one (§2.11). */
gboolean esplash_device_read_security_info (EsplashDevice       *self,
                                            EsplashSecurityInfo *info,
                                            GCancellable        *cancellable,
                                            GError             **error);

/* Send raw SLIP frame (no header), e.g. READ_FLASH acks. */
gboolean esplash_device_send_frame (EsplashDevice *self, const guint8 *data, gsize len,
                                    GError **error);
/* Read one raw SLIP frame, at most @timeout_ms. */
GBytes  *esplash_device_read_frame (EsplashDevice *self, guint timeout_ms,
                                    GCancellable *cancellable, GError **error);

void     esplash_device_emit       (EsplashDevice *self, const EsplashEvent *event);
void     esplash_device_log        (EsplashDevice *self, EsplashLogLevel level,
                                    const char *format, ...) G_GNUC_PRINTF (3, 4);
void     esplash_device_stage      (EsplashDevice *self, EsplashStage stage);

guint    esplash_device_flash_block_size (EsplashDevice *self);  /* per ROM/stub/USB-OTG */
guint    esplash_device_ram_block_size   (EsplashDevice *self);
/* Detected (or set) flash size in bytes; 0 if unknown. */
guint32  esplash_device_get_flash_size   (EsplashDevice *self);
/* Reads the flash id once per session (not in SDM: there it stays unknown). */
gboolean esplash_device_ensure_flash_id  (EsplashDevice *self, GCancellable *cancellable,
                                          GError **error);
gboolean esplash_device_ensure_flash_attached (EsplashDevice *self, GCancellable *cancellable,
                                               GError **error);
gboolean esplash_device_set_flash_params (EsplashDevice *self, guint32 size,
                                          GCancellable *cancellable, GError **error);

/* The security info read while connecting (valid = FALSE if none). */
const EsplashSecurityInfo *esplash_device_get_security_info (EsplashDevice *self);

/* Discards unread input (transport and decoder). */
gboolean esplash_device_flush_input (EsplashDevice *self, GError **error);
/* Emits a STAGE event carrying region details (index, count, address). */
void     esplash_device_stage_region (EsplashDevice *self, EsplashStage stage,
                                      guint region_index, guint region_count,
                                      guint32 region_address);
/* Forgets the session after leaving the loader (a later connect starts over). */
void     esplash_device_mark_disconnected (EsplashDevice *self);
/* Reader for esplash_chip_read_*(); @user_data is an EsplashDeviceRegReader. */
typedef struct {
  EsplashDevice *device;
  GCancellable  *cancellable;
} EsplashDeviceRegReader;
gboolean esplash_device_reg_reader (gpointer user_data, guint32 address, guint32 *value,
                                    GError **error);

G_END_DECLS
