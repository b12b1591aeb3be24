/* esplash-diagnosis-private.h: shared by esplash-diagnosis.c (record,
 * boot-message decoding, output) and the verdicts: esplash-diagnosis-rules.c
 * (the port, and their order), -session.c (after the chip answered) and
 * -connect.c (no SYNC reply).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-diagnosis.h"

G_BEGIN_DECLS

EsplashDiagnosis *esplash_diagnosis_new (const char        *id,
                                         EsplashChipFamily  chip);
void esplash_diagnosis_set_title       (EsplashDiagnosis *d, const char *format, ...) G_GNUC_PRINTF (2, 3);
void esplash_diagnosis_set_explanation (EsplashDiagnosis *d, const char *format, ...) G_GNUC_PRINTF (2, 3);
void esplash_diagnosis_add_step        (EsplashDiagnosis *d, EsplashStepCheck check,
                                        const char *command, const char *format, ...) G_GNUC_PRINTF (4, 5);
void esplash_diagnosis_add_evidence    (EsplashDiagnosis *d, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* The text as one printable ASCII string, at most @max characters (CR/LF
 * kept as " | " separators). */
char *esplash_diagnosis_quote_text (const guint8 *data, gsize len, gsize max);

/* What the rules share while judging one attempt. */
typedef struct {
  const EsplashAttempt  *a;
  EsplashChipFamily      hint;       /* the family the user chose, UNKNOWN if none */
  EsplashChipFamily      chip;       /* best guess, UNKNOWN if none */
  const EsplashChipInfo *info;       /* nullable */
  gboolean               native_usb; /* the chip's own USB (VID 0x303A) */
  EsplashBootMessage     boot;
  gboolean               have_boot;
  const guint8          *text;       /* the attempt's line text */
  gsize                  text_len;
  const char            *path;       /* the url, or "the port" */
  gboolean               bad_flash_id; /* the flash answered its ID with all zeros or all ones */
} EsplashDiagContext;

/* "BOOT (GPIO0)", or a generic name when the family is unknown. */
char       *esplash_diag_boot_button (const EsplashDiagContext *c);
/* "writing", "the flasher stub was uploaded": for "while …". */
const char *esplash_diag_stage_activity (EsplashStage stage);
const char *esplash_diag_chip_name   (const EsplashDiagContext *c);
void        esplash_diag_add_error_evidence    (EsplashDiagnosis *d, const EsplashDiagContext *c);
/* troubleshooting.md §4: manual entry into download mode for the board style. */
void        esplash_diag_add_manual_boot_steps (EsplashDiagnosis *d, const EsplashDiagContext *c);
/* Verdicts for a failure after the chip answered — reset or stalled
 * mid-operation, a damaged line, the flash, Secure Download Mode, another
 * chip (esplash-diagnosis-session.c); NULL when none fits. */
EsplashDiagnosis *esplash_diag_session (const EsplashDiagContext *c);
/* Verdicts for a connect that never got a SYNC reply (esplash-diagnosis-connect.c). */
EsplashDiagnosis *esplash_diag_connect (const EsplashDiagContext *c);

G_END_DECLS
