/* esplash-diagnosis.h: from what a failed attempt observed to what is
 * wrong and how to fix it (../shared/docs/troubleshooting.md).
 *
 * esplash_diagnose() is pure: it reads an EsplashAttempt and returns an
 * EsplashDiagnosis with a stable id, an English title and explanation,
 * ordered steps for the chip family and adapter, and the evidence lines it
 * based the verdict on. The app translates by id and shows the English
 * detail under it; the CLI prints it (esplash_diagnosis_to_string, or
 * esplash_diagnosis_to_json for --json).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include "esplash-attempt.h"

G_BEGIN_DECLS

/* Stable ids (never renamed; new ones may be added). */
#define ESPLASH_DIAGNOSIS_PERMISSION_DENIED    "permission-denied"
#define ESPLASH_DIAGNOSIS_PORT_BUSY            "port-busy"
#define ESPLASH_DIAGNOSIS_PORT_GONE            "port-gone"
#define ESPLASH_DIAGNOSIS_NO_PORT              "no-port"
#define ESPLASH_DIAGNOSIS_SILENT_LINE          "silent-line"
#define ESPLASH_DIAGNOSIS_NORMAL_BOOT          "normal-boot"
#define ESPLASH_DIAGNOSIS_INVALID_STRAPS       "invalid-straps"
#define ESPLASH_DIAGNOSIS_NO_SYNC_REPLY        "no-sync-reply"
#define ESPLASH_DIAGNOSIS_WRONG_BAUD           "wrong-baud"
#define ESPLASH_DIAGNOSIS_USB_REENUMERATING    "usb-reenumerating"
#define ESPLASH_DIAGNOSIS_SECURE_DOWNLOAD_MODE "secure-download-mode"
#define ESPLASH_DIAGNOSIS_FLASH_NOT_CONNECTED  "flash-not-connected"
#define ESPLASH_DIAGNOSIS_STALL_MID_WRITE      "stall-mid-write"
#define ESPLASH_DIAGNOSIS_VERIFY_MISMATCH      "verify-mismatch"
#define ESPLASH_DIAGNOSIS_APP_CRASH            "app-crash"
#define ESPLASH_DIAGNOSIS_WRONG_CHIP           "wrong-chip"
#define ESPLASH_DIAGNOSIS_LINE_DAMAGED         "line-damaged"
#define ESPLASH_DIAGNOSIS_CHIP_RESET_MID_WRITE "chip-reset-mid-write"
#define ESPLASH_DIAGNOSIS_UNKNOWN              "unknown"

/* What would show that a step has worked (for the guided page's ticks). */
typedef enum {
  ESPLASH_STEP_CHECK_NONE = 0,      /* the user confirms, or nothing to watch */
  ESPLASH_STEP_CHECK_PORT_PRESENT,  /* a matching port exists */
  ESPLASH_STEP_CHECK_PORT_OPENS,    /* the port opens */
  ESPLASH_STEP_CHECK_BANNER_SEEN,   /* the ROM's download banner arrived */
  ESPLASH_STEP_CHECK_SYNC_REPLY,    /* the chip answered SYNC */
} EsplashStepCheck;

typedef struct {
  char             *text;     /* "Press and hold BOOT (GPIO0)." */
  char             *command;  /* a shell command to run, nullable */
  EsplashStepCheck  check;
} EsplashDiagnosisStep;

/* How the caller should try again once the user has acted. */
typedef enum {
  ESPLASH_RETRY_NORMAL = 0,       /* as before */
  ESPLASH_RETRY_NO_RESET = 1,     /* the user puts the chip in download mode: do not toggle DTR/RTS */
  ESPLASH_RETRY_REOPEN = 2,       /* reopen the port (it came back or changed name), then continue */
  ESPLASH_RETRY_LOWER_BAUD = 3,   /* reconnect at suggested_baud */
  ESPLASH_RETRY_NONE = 4,         /* retrying the same thing cannot help */
} EsplashRetry;

typedef struct {
  char             *id;            /* ESPLASH_DIAGNOSIS_* */
  char             *title;         /* one line */
  char             *explanation;   /* a few sentences */
  GPtrArray        *steps;         /* EsplashDiagnosisStep, in order */
  GPtrArray        *evidence;      /* char*: what was seen and what it means */
  EsplashChipFamily chip;          /* the family the steps were written for; UNKNOWN = generic */
  EsplashRetry      retry;
  guint             suggested_baud;/* for WRONG_BAUD (listen) and LOWER_BAUD (write); 0 = none */
  char             *port_path;     /* REOPEN: the port's path now; nullable */
} EsplashDiagnosis;

/* What a watcher sees while the guided page is open. */
typedef struct {
  gboolean port_present;
  gboolean port_opens;
  gboolean banner_seen;   /* "waiting for download" */
  gboolean sync_reply;
} EsplashObservation;

#define ESPLASH_TYPE_DIAGNOSIS (esplash_diagnosis_get_type ())
GType             esplash_diagnosis_get_type (void) G_GNUC_CONST;
EsplashDiagnosis *esplash_diagnosis_copy (const EsplashDiagnosis *diagnosis);
void              esplash_diagnosis_free (EsplashDiagnosis *diagnosis);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashDiagnosis, esplash_diagnosis_free)

/* @chip_hint: the family the user chose, UNKNOWN if none (the attempt's
 * detected chip, the boot banner or the USB id are used then).
 * Returns NULL when there is nothing to diagnose: no error and nothing
 * wrong observed, or the operation was cancelled. */
EsplashDiagnosis *esplash_diagnose (const EsplashAttempt *attempt,
                                    EsplashChipFamily     chip_hint);

/* Pure: is @step satisfied by @observation? Steps without a check never are. */
gboolean esplash_diagnosis_step_check (const EsplashDiagnosisStep *step,
                                       const EsplashObservation   *observation);
/* Index of the first step not yet satisfied (steps->len when all are). */
guint    esplash_diagnosis_first_open_step (const EsplashDiagnosis  *diagnosis,
                                            const EsplashObservation *observation);

/* Plain text for a terminal: title, explanation, numbered steps, evidence. */
char     *esplash_diagnosis_to_string (const EsplashDiagnosis *diagnosis);
/* {"id", "title", "explanation", "steps": [{"text", "command"?, "check"}],
 *  "evidence": [...], "chip"?, "retry", "suggested_baud"?, "port"?} */
JsonNode *esplash_diagnosis_to_json   (const EsplashDiagnosis *diagnosis);
const char *esplash_step_check_nick   (EsplashStepCheck check);   /* "port-present" */
const char *esplash_retry_nick        (EsplashRetry retry);       /* "no-reset" */

/* Decoding of ROM boot messages (troubleshooting.md §3), also used by the
 * watcher. */
typedef enum {
  ESPLASH_BOOT_KIND_NONE = 0,       /* no boot message found */
  ESPLASH_BOOT_KIND_DOWNLOAD,       /* ROM download mode */
  ESPLASH_BOOT_KIND_FLASH,          /* normal boot from SPI flash */
  ESPLASH_BOOT_KIND_OTHER,          /* another strap combination (SDIO, UART0_BOOT, ATE…) */
} EsplashBootKind;

typedef struct {
  EsplashBootKind   kind;
  EsplashChipFamily chip;        /* from the banner ("ESP-ROM:esp32c3-…", "ets Jun  8 2016"); UNKNOWN */
  gint              value;       /* boot:0xNN, or ESP8266's first boot mode number; -1 if none */
  gboolean          esp8266_format; /* "boot mode:(x,y)" */
  char             *line;        /* the rst:/boot line as printed (printable ASCII); nullable */
  char             *mode_name;   /* "SPI_FAST_FLASH_BOOT" (other bytes quoted as \xNN); nullable */
} EsplashBootMessage;

void     esplash_boot_message_clear (EsplashBootMessage *message);
/* Finds the last boot message in @data (the newest reset wins). */
gboolean esplash_boot_message_parse (const guint8 *data, gsize len, EsplashBootMessage *out);
/* One line per strap pin for @chip: "GPIO0 was high: the chip booted from
 * flash" (transfer full, NULL-terminated; empty when the bits are unknown). */
GStrv    esplash_boot_strap_explain (EsplashChipFamily chip, const EsplashBootMessage *message);

G_END_DECLS
