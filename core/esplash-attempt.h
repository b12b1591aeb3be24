/* esplash-attempt.h: what a failed connect or flash observed — the input of
 * the diagnosis engine (esplash-diagnosis.h).
 *
 * Fill it from the failed step (esplash_attempt_set_error,
 * esplash_attempt_set_device), optionally add what only the host can tell
 * (esplash_attempt_probe_host: the device node's owner group, the processes
 * holding the port, the ports and USB devices present), then call
 * esplash_diagnose(). Fields are public so that tests and the app can set
 * them directly (e.g. a port watcher's "came back" observation).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include "esplash-chip.h"
#include "esplash-device.h"
#include "esplash-event.h"
#include "esplash-port.h"
#include "esplash-port-owner.h"
#include "esplash-transport.h"

G_BEGIN_DECLS

typedef enum {
  ESPLASH_HOST_OS_LINUX = 0,
  ESPLASH_HOST_OS_MACOS = 1,
  ESPLASH_HOST_OS_WINDOWS = 2,
  ESPLASH_HOST_OS_OTHER = 3,
} EsplashHostOs;

/* The OS this library was built for. */
EsplashHostOs esplash_host_os (void);

typedef struct {
  /* The port */
  char            *url;            /* "/dev/ttyUSB0", "socket://host:port"; nullable */
  EsplashPortKind  port_kind;
  guint16          usb_vid;        /* 0 = unknown / not USB */
  guint16          usb_pid;
  char            *usb_serial;     /* nullable */
  char            *port_name;      /* friendly name; nullable */
  gboolean         network;        /* socket:// or rfc2217:// */
  gboolean         has_lines;      /* DTR/RTS can reset the chip (TRUE until known otherwise) */

  /* The failed step */
  GError          *error;          /* nullable: nothing failed */
  gint             os_errno;       /* errno of an open/IO failure where known, else 0 */
  EsplashStage     stage;          /* stage reached when it failed */

  /* The line */
  guint            baud;           /* the port's baud rate when it failed; 0 = unknown */
  guint64          rx_bytes;       /* bytes received during the connect */
  GBytes          *line_text;      /* boot log and other non-SLIP output, in order; nullable */
  GBytes          *operation_text; /* non-SLIP output after the chip answered SYNC (a boot
                                      message here: it was reset mid-operation); nullable */
  gint             boot_mode;      /* "boot:0xNN" value, -1 if none */
  gboolean         download_banner;/* "waiting for download" (or ESP8266 boot mode:(1,x)) */
  guint            resets_run;     /* DTR/RTS reset steps run */
  guint            reset_strategies;/* 1 << EsplashResetStrategy for each strategy run */
  guint            sync_replies;   /* SYNC replies received */

  /* The chip, once it answered */
  gboolean         synced;
  EsplashChipFamily chip;          /* detected; UNKNOWN if not known */
  gboolean         stub_running;
  gboolean         secure_download_mode;
  EsplashSecurityInfo security;    /* valid = FALSE if not read */
  gboolean         flash_id_known;
  guint32          flash_id;

  /* Port presence (from a port watcher or esplash_attempt_probe_host) */
  gboolean         port_vanished;  /* the port went away while in use */
  gboolean         port_reappeared;/* the same VID:PID (+serial) came back */
  char            *reappeared_as;  /* its path now, if different; nullable */

  /* Host facts (esplash_attempt_probe_host; tests may set them) */
  EsplashHostOs    os;
  gboolean         node_probed;    /* the fields below are filled */
  gboolean         node_exists;
  guint            node_mode;      /* st_mode & 0777 */
  guint            node_uid;
  guint            node_gid;
  char            *node_group;     /* group name of node_gid; nullable */
  gboolean         process_in_group;  /* this process has node_gid */
  gboolean         user_listed_in_group; /* the group database lists this user */
  char            *user_name;      /* nullable */
  GPtrArray       *holders;        /* EsplashPortHolder; nullable = not scanned */
  gint             brltty_pid;     /* 0 = not running / unknown */
  gint             modem_manager_pid;
  GPtrArray       *ports;          /* EsplashPortInfo present now; nullable = not listed */
  GArray          *usb_ids;        /* guint32 (vid << 16 | pid) on the USB bus; nullable */

  /* A second look at another baud (esplash_attempt_probe_baud) */
  guint            probe_baud;     /* 0 = not probed */
  GBytes          *probe_text;     /* what arrived at probe_baud; nullable */
} EsplashAttempt;

#define ESPLASH_TYPE_ATTEMPT (esplash_attempt_get_type ())
GType           esplash_attempt_get_type (void) G_GNUC_CONST;

/* @url: the port as given by the user; nullable. */
EsplashAttempt *esplash_attempt_new   (const char *url);
EsplashAttempt *esplash_attempt_copy  (const EsplashAttempt *attempt);
void            esplash_attempt_free  (EsplashAttempt *attempt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashAttempt, esplash_attempt_free)

/* Keeps a copy of @error (nullable: clears); derives os_errno from the code
 * where the OS call is implied (PERMISSION_DENIED → EACCES, BUSY → EBUSY,
 * NOT_FOUND at opening → ENOENT) unless already set, and port_vanished
 * from PORT_GONE. */
void  esplash_attempt_set_error     (EsplashAttempt *attempt, const GError *error);
/* USB identity and names from a listed port. */
void  esplash_attempt_set_port_info (EsplashAttempt *attempt, const EsplashPortInfo *info);
/* Everything @device (and its transport) observed: USB identity, line
 * lines, boot log and line text, what the chip printed after it answered,
 * reset/SYNC counts, stage, chip, security, flash id. Call after the
 * failure, before closing the device. */
void  esplash_attempt_set_device    (EsplashAttempt *attempt, EsplashDevice *device);

/* Host facts for the url: owner and mode of the device node, group
 * membership, processes holding it, brltty and ModemManager, the serial
 * ports and USB devices present. Blocking, quick (reads /proc and /sys). */
void  esplash_attempt_probe_host    (EsplashAttempt *attempt);

/* Listens on @transport at @baud for @listen_ms without resetting, keeps
 * what arrived (probe_baud, probe_text), and restores the previous baud.
 * For "garbage at this baud": ESP8266 and 26 MHz ESP32-C2 print at 74880. */
gboolean esplash_attempt_probe_baud (EsplashAttempt   *attempt,
                                     EsplashTransport *transport,
                                     guint             baud,
                                     guint             listen_ms,
                                     GCancellable     *cancellable,
                                     GError          **error);

/* Share of bytes that are printable ASCII or CR/LF/TAB, 0..1 (1 for no bytes). */
gdouble esplash_printable_ratio (const guint8 *data, gsize len);

G_END_DECLS
