/* esplash-diagnosis-session.c: verdicts for a failure after the chip
 * answered — a reset or a stall in the middle of an operation, a line that
 * damages replies, a flash that does not answer, Secure Download Mode,
 * another chip than the one selected (troubleshooting.md S13–S17).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-diagnosis.h"
#include "esplash-diagnosis-private.h"
#include "esplash-error.h"

#include <string.h>

/* The rate every loader and adapter holds (and the ROM's own). */
#define SAFE_BAUD 115200

static gboolean
error_is (const EsplashAttempt *a,
          EsplashError          code)
{
  return g_error_matches (a->error, ESPLASH_ERROR, code);
}

/* Stages in which the chip printing a boot message means that something
 * else reset it. Not while connecting (a late banner of Esplash's own
 * reset, the reset after a baud rate that failed) nor while leaving. */
static gboolean
stage_resets_unexpected (EsplashStage stage)
{
  switch (stage)
    {
    case ESPLASH_STAGE_UPLOADING_STUB:
    case ESPLASH_STAGE_ERASING:
    case ESPLASH_STAGE_WRITING:
    case ESPLASH_STAGE_VERIFYING:
    case ESPLASH_STAGE_READING:
    case ESPLASH_STAGE_RECONNECTING:
      return TRUE;
    case ESPLASH_STAGE_IDLE:
    case ESPLASH_STAGE_OPENING:
    case ESPLASH_STAGE_RESETTING:
    case ESPLASH_STAGE_SYNCING:
    case ESPLASH_STAGE_DETECTING:
    case ESPLASH_STAGE_CHANGING_BAUD:
    case ESPLASH_STAGE_LEAVING:
    case ESPLASH_STAGE_DONE:
    default:
      return FALSE;
    }
}

static const char *
flash_id_pattern (guint32 id)
{
  return id == 0 ? "all zeros" : "all ones";
}

/* A flash ID of all zeros or all ones is the verdict only where it can
 * explain the failure: nothing else failed (the run worked and only the ID
 * was wrong), or a flash operation failed as a silent flash makes it fail
 * (the loader reported an error, or the flash does not hold the data). A
 * timeout or a reply that made no sense says the line broke down, and a
 * damaged line damages the ID reply too (reliability.md: 0 or 0xFFFFFF
 * read through a line that changes bytes). */
static gboolean
flash_id_explains (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;

  if (!c->bad_flash_id)
    return FALSE;
  return a->error == NULL || error_is (a, ESPLASH_ERROR_DEVICE) ||
         error_is (a, ESPLASH_ERROR_VERIFY_FAILED);
}

/* For the verdicts that blame the line: the bad flash ID is mentioned, not
 * believed. */
static void
add_flash_id_note (EsplashDiagnosis         *d,
                   const EsplashDiagContext *c)
{
  if (!c->bad_flash_id)
    return;
  esplash_diagnosis_add_evidence (d, "The flash ID read as 0x%06X (%s): on a line that damages "
                                  "replies this says nothing about the flash. If it stays so "
                                  "at %u baud on a good cable, the flash chip does not answer",
                                  c->a->flash_id, flash_id_pattern (c->a->flash_id), SAFE_BAUD);
}

/* Other programs with the port open: opening a port toggles DTR/RTS
 * (resetting the board), and a second reader takes bytes away. */
static gboolean
add_other_program_evidence (EsplashDiagnosis         *d,
                            const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  gboolean found = FALSE;

  if (a->holders != NULL)
    for (guint i = 0; i < a->holders->len; i++)
      {
        const EsplashPortHolder *h = g_ptr_array_index (a->holders, i);

        esplash_diagnosis_add_evidence (d, "%s (pid %d) has %s open too", h->name, h->pid,
                                        c->path);
        found = TRUE;
      }
  if (a->modem_manager_pid != 0)
    esplash_diagnosis_add_evidence (d, "ModemManager is running (pid %d): it opens new serial "
                                    "ports to probe them", a->modem_manager_pid);
  return found || a->modem_manager_pid != 0;
}

static void
add_other_program_step (EsplashDiagnosis         *d,
                        const EsplashDiagContext *c,
                        const char               *why)
{
  g_autofree char *fuser = g_strdup_printf ("sudo fuser -v %s", c->path);
  gboolean device_node = c->a->url != NULL && c->a->url[0] == '/';

  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE,
                              c->a->os == ESPLASH_HOST_OS_LINUX && device_node ? fuser : NULL,
                              "Close every other program that uses the port — serial monitors, "
                              "IDEs, another flasher: %s.", why);
  if (c->a->modem_manager_pid != 0)
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, "sudo systemctl stop ModemManager",
                                "Stop ModemManager while flashing:");
}

/* ------------------------------------------------------------------ */
/* A chip reset in the middle of an operation                          */

/* What the reset cause of a ROM boot line means (troubleshooting.md §3);
 * NULL when it names none Esplash can explain. */
static const char *
reset_cause_meaning (const char *line,
                     gboolean   *power)
{
  const char *esp8266 = line != NULL ? strstr (line, "rst cause:") : NULL;

  *power = FALSE;
  if (line == NULL)
    return NULL;
  if (esp8266 != NULL)
    {
      switch (g_ascii_strtoull (esp8266 + strlen ("rst cause:"), NULL, 10))
        {
        case 1:
          *power = TRUE;
          return "a power-on reset: the supply dropped out (or the board was plugged in again)";
        case 2:
          return "an external reset: EN (RST) was pulled low — by the button, or by the "
                 "auto-reset circuit when a program toggled DTR/RTS";
        case 4:
          return "the hardware watchdog";
        default:
          return NULL;
        }
    }
  if (strstr (line, "BROWN") != NULL)
    {
      *power = TRUE;
      return "a brown-out: the supply voltage sagged below what the chip needs";
    }
  if (strstr (line, "WDT") != NULL)
    return "a watchdog: the code on the chip stopped feeding it";
  if (strstr (line, "POWERON") != NULL)
    {
      *power = TRUE;
      return "a power-on reset: EN (RST) was pulled low — by the button, or by the auto-reset "
             "circuit when a program toggled DTR/RTS — or the supply dropped out";
    }
  if (strstr (line, "USB_UART_CHIP_RESET") != NULL)
    return "a reset through the chip's USB port (a program toggled DTR/RTS on it)";
  if (strstr (line, "SW_CPU") != NULL || strstr (line, "SW_RESET") != NULL ||
      strstr (line, "SW_SYS") != NULL)
    return "a software reset: code on the chip restarted it";
  return NULL;
}

/* The boot message the chip printed after it had answered, if any. */
static gboolean
operation_boot_message (const EsplashAttempt *a,
                        EsplashBootMessage   *out)
{
  gsize len = 0;
  const guint8 *data = a->operation_text != NULL ? g_bytes_get_data (a->operation_text, &len)
                                                 : NULL;

  if (len > 0 && esplash_boot_message_parse (data, len, out))
    return TRUE;
  esplash_boot_message_clear (out);
  return FALSE;
}

/* A chip that printed a boot message mid-operation was reset, whatever
 * the failure looked like afterwards (no answer, ROM error 0x06 "data
 * without begin", a reply from another loader). */
static gboolean
reset_seen_mid_operation (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  EsplashBootMessage boot = { 0 };
  gboolean seen;

  if (!a->synced || !stage_resets_unexpected (a->stage))
    return FALSE;
  if (!error_is (a, ESPLASH_ERROR_TIMED_OUT) && !error_is (a, ESPLASH_ERROR_PROTOCOL) &&
      !error_is (a, ESPLASH_ERROR_DEVICE) && !error_is (a, ESPLASH_ERROR_NO_SYNC) &&
      !error_is (a, ESPLASH_ERROR_LINE_DAMAGED))
    return FALSE;
  seen = operation_boot_message (a, &boot);
  esplash_boot_message_clear (&boot);
  return seen;
}

static EsplashDiagnosis *
diagnose_chip_reset (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_CHIP_RESET_MID_WRITE, c->chip);
  EsplashBootMessage boot = { 0 };
  gboolean have_boot = operation_boot_message (a, &boot);
  gboolean power = FALSE;
  const char *cause = have_boot ? reset_cause_meaning (boot.line, &power) : NULL;
  const char *activity = esplash_diag_stage_activity (a->stage);
  gboolean others;

  if (a->stage == ESPLASH_STAGE_RECONNECTING)
    esplash_diagnosis_set_title (d, "%s was reset mid-operation and could not be taken up again",
                                 c->info != NULL ? c->info->name : "The chip");
  else
    esplash_diagnosis_set_title (d, "%s was reset while %s",
                                 c->info != NULL ? c->info->name : "The chip", activity);
  esplash_diagnosis_set_explanation (d, "Something restarted the chip while Esplash was using "
                                     "it%s. Esplash does not reset the chip in the middle of an "
                                     "operation: the EN (RST) button was pressed, the supply "
                                     "sagged (a brown-out: a weak USB port, a long or thin "
                                     "cable, the flash drawing current while it is written), a "
                                     "watchdog fired, or another program opened the port and "
                                     "toggled DTR/RTS, which drive the board's auto-reset "
                                     "circuit.%s",
                                     error_is (a, ESPLASH_ERROR_CHIP_RESET)
                                       ? ", and the session could not be taken up again" : "",
                                     a->stage == ESPLASH_STAGE_ERASING ||
                                     a->stage == ESPLASH_STAGE_WRITING
                                       ? " Until a write completes, the flash holds part of the "
                                         "new firmware." : "");
  if (have_boot && boot.line != NULL)
    esplash_diagnosis_add_evidence (d, "Boot message while %s: %s", activity,
                                    g_strchug (boot.line));
  else if (have_boot)
    esplash_diagnosis_add_evidence (d, "The chip printed its download-mode banner while %s",
                                    activity);
  else if (a->operation_text != NULL && g_bytes_get_size (a->operation_text) > 0)
    esplash_diagnosis_add_evidence (d, "%" G_GSIZE_FORMAT " bytes arrived outside the replies "
                                    "while %s%s", g_bytes_get_size (a->operation_text), activity,
                                    a->baud > SAFE_BAUD
                                      ? " (a ROM boot message, sent at 115200 baud, is "
                                        "unreadable at this rate)" : "");
  if (cause != NULL)
    esplash_diagnosis_add_evidence (d, "The reset cause is %s", cause);
  if (have_boot && boot.kind == ESPLASH_BOOT_KIND_DOWNLOAD)
    esplash_diagnosis_add_evidence (d, "It came back in download mode: BOOT was held (or the "
                                    "auto-reset circuit pulled it low) at the reset");
  else if (have_boot && boot.kind == ESPLASH_BOOT_KIND_FLASH)
    esplash_diagnosis_add_evidence (d, "It came back running from flash: the firmware there "
                                    "(or what is left of it) started");
  others = add_other_program_evidence (d, c);

  if (power)
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                "Power the board well: plug it straight into the computer or a "
                                "powered hub with a short cable; writing the flash draws current "
                                "in bursts.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Leave the board alone while it is flashed: do not press EN (RST) "
                              "or BOOT, and do not move the cable.");
  add_other_program_step (d, c, others ? "one of them reset the board"
                                       : "opening the port resets the board");
  if (!power)
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                "If it happens again, suspect the supply: a brown-out also "
                                "resets the chip; use a direct USB port or a powered hub.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL, "Try again.");
  d->retry = ESPLASH_RETRY_NORMAL;
  esplash_diag_add_error_evidence (d, c);
  esplash_boot_message_clear (&boot);
  return d;
}

/* ------------------------------------------------------------------ */
/* A line that damages replies                                         */

static EsplashDiagnosis *
diagnose_line_damaged (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_LINE_DAMAGED, c->chip);
  /* An answer to SYNC, then a chip ID no chip has: a damaged reply, or a
   * chip newer than this table. */
  gboolean unknown_chip = error_is (a, ESPLASH_ERROR_UNSUPPORTED_CHIP);
  gboolean slow_already = a->baud != 0 && a->baud <= SAFE_BAUD;
  const char *activity = esplash_diag_stage_activity (a->stage);

  if (unknown_chip)
    {
      esplash_diagnosis_set_title (d, "Esplash could not tell which chip this is");
      esplash_diagnosis_set_explanation (d, "The chip answered, but the chip ID it returned "
                                         "belongs to no chip Esplash knows. Mostly the reply was "
                                         "damaged on the way: bytes are lost or changed on the "
                                         "line when the baud rate is too high for the adapter, "
                                         "the cable is long or poor, a USB hub is in between, or "
                                         "a second program reads the same port. A chip newer "
                                         "than this version of Esplash reads the same way every "
                                         "time.");
      esplash_diagnosis_add_evidence (d, "The chip answered SYNC, then its chip ID read as no "
                                      "known chip");
      if (c->have_boot && c->boot.chip != ESPLASH_CHIP_UNKNOWN && esplash_chip_get (c->boot.chip))
        esplash_diagnosis_add_evidence (d, "The ROM's banner names %s, which Esplash supports: "
                                        "the ID was damaged on the way",
                                        esplash_chip_get (c->boot.chip)->name);
    }
  else
    {
      esplash_diagnosis_set_title (d, "The chip's replies arrive damaged");
      esplash_diagnosis_set_explanation (d, "%s answered, but its replies kept arriving with "
                                         "bytes lost or changed, and sending the commands again "
                                         "did not help. The serial line is not reliable at this "
                                         "speed: the baud rate is too high for the adapter or "
                                         "cable, the cable is long or poor, a USB hub or a noisy "
                                         "supply disturbs it, or a second program reads the same "
                                         "port.", esplash_diag_chip_name (c));
      esplash_diagnosis_add_evidence (d, "Esplash sent the commands again, and the replies were "
                                      "still damaged while %s", activity);
    }
  if (a->baud != 0)
    esplash_diagnosis_add_evidence (d, "The line ran at %u baud", a->baud);
  add_other_program_evidence (d, c);
  add_flash_id_note (d, c);

  if (slow_already)
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                "The line fails at %u baud already, so the speed is not the "
                                "cause: look at the cable, the hub and the wiring below.", a->baud);
  else
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                "Try again at a lower baud rate: %u (-b %u on the command "
                                "line, the Baud rate setting in the app).", SAFE_BAUD, SAFE_BAUD);
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Use a short, good USB cable plugged straight into the computer, "
                              "not through a USB hub or an extension.");
  add_other_program_step (d, c, "a second reader takes bytes away");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "With a separate USB-serial adapter, keep the TX, RX and GND wires "
                              "short, connect GND, and power the board from a steady supply.");
  if (unknown_chip)
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                "If the same unknown chip ID comes back at a low baud rate "
                                "every time, the chip is newer than this Esplash: update it.");
  if (slow_already)
    d->retry = ESPLASH_RETRY_NORMAL;
  else
    {
      d->retry = ESPLASH_RETRY_LOWER_BAUD;
      d->suggested_baud = SAFE_BAUD;
    }
  esplash_diag_add_error_evidence (d, c);
  return d;
}

/* ------------------------------------------------------------------ */
/* The flash, the chip's limits, a stall                               */

static EsplashDiagnosis *
diagnose_flash_id (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_FLASH_NOT_CONNECTED, c->chip);

  esplash_diagnosis_set_title (d, "The flash chip does not answer");
  esplash_diagnosis_set_explanation (d, "%s answered, but its SPI flash returned ID 0x%06X: "
                                     "nothing drives the flash data line. The flash is not "
                                     "connected, not powered, or runs at the wrong voltage; "
                                     "reads and writes will fail.", esplash_diag_chip_name (c), a->flash_id);
  esplash_diagnosis_add_evidence (d, "Flash ID 0x%06X (%s)", a->flash_id,
                                  flash_id_pattern (a->flash_id));
  if (c->chip == ESPLASH_CHIP_ESP32)
    {
      if (c->have_boot && c->boot.value >= 0 && !c->boot.esp8266_format && (c->boot.value & 0x20) != 0)
        esplash_diagnosis_add_evidence (d, "The boot log shows MTDI (GPIO12) high at reset: "
                                        "1.8 V flash supply selected");
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                  "Disconnect anything on GPIO12 (MTDI): pulled high at reset it "
                                  "switches the flash supply to 1.8 V, and a 3.3 V flash stops "
                                  "answering.");
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                  "GPIO6–GPIO11 connect the flash: nothing else may be wired to "
                                  "them.");
    }
  else if (c->chip == ESPLASH_CHIP_ESP8266)
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                "GPIO6–GPIO11 connect the flash: nothing else may be wired to "
                                "them.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Take the board off the breadboard (stray contacts on the flash "
                              "pins) and use a stronger 3.3 V supply.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "On a bare chip or custom board, check the flash wiring and its "
                              "supply voltage.");
  d->retry = ESPLASH_RETRY_NONE;
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static EsplashDiagnosis *
diagnose_sdm (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_SECURE_DOWNLOAD_MODE, c->chip);
  gboolean no_baud = c->chip == ESPLASH_CHIP_ESP32C2 || c->chip == ESPLASH_CHIP_ESP32C5;

  esplash_diagnosis_set_title (d, "%s is in Secure Download Mode", esplash_diag_chip_name (c));
  esplash_diagnosis_set_explanation (d, "An eFuse limits this chip's ROM loader to a few "
                                     "commands. This is permanent: it cannot be switched off. "
                                     "Not possible: the flasher stub, reading flash or "
                                     "registers, MD5 verification, erasing the whole chip%s. "
                                     "Still possible: writing flash (in 4 KB-aligned regions, "
                                     "flash size assumed 2 MB unless given)%s.",
                                     no_baud ? ", changing the baud rate" : "",
                                     no_baud ? "" : ", changing the baud rate");
  if (a->security.valid)
    esplash_diagnosis_add_evidence (d, "Security flags 0x%08X (bit 2: Secure Download Mode%s)",
                                    a->security.flags,
                                    (a->security.flags & ESPLASH_SECURITY_SECURE_BOOT_EN) != 0
                                      ? "; bit 0: Secure Boot" : "");
  else
    esplash_diagnosis_add_evidence (d, "The ROM refused to read the chip's registers");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Write the firmware with verification turned off (the ROM cannot "
                              "compute the MD5).");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Give the flash size explicitly (for example 4MB) when writing "
                              "above 2 MB.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Reading back or erasing the whole flash is impossible on this "
                              "chip; erase regions instead.");
  d->retry = ESPLASH_RETRY_NONE;
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static EsplashDiagnosis *
diagnose_verify (const EsplashDiagContext *c)
{
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_VERIFY_MISMATCH, c->chip);
  gboolean empty = strstr (c->a->error->message, "empty") != NULL;

  esplash_diagnosis_set_title (d, "The flash does not hold what was written");
  esplash_diagnosis_set_explanation (d, "%s", empty
                                     ? "The written region reads back as erased (all 0xFF): "
                                       "the flash ignored the writes. It is probably "
                                       "write-protected, or its supply sags while programming."
                                     : "The flash's MD5 differs from the file's: the data was "
                                       "not stored as sent. A weak 3.3 V supply, loaded flash "
                                       "pins or a faulty (or smaller than declared) flash chip "
                                       "cause this.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL, "Write the firmware again once.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Power the board from a stronger supply (a direct USB port or a "
                              "powered hub).");
  if (empty)
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                "Clear the flash's write protection (status register), e.g. "
                                "with esptool's write-flash-status --non-volatile 0.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "If it keeps failing, suspect the flash chip itself.");
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static EsplashDiagnosis *
diagnose_stall (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_STALL_MID_WRITE, c->chip);

  esplash_diagnosis_set_title (d, "The chip stopped answering while %s", esplash_diag_stage_activity (a->stage));
  esplash_diagnosis_set_explanation (d, "The connection worked, then broke down under load. "
                                     "Usually the baud rate is too high for the adapter, cable "
                                     "or hub, or the supply sags while the flash is written.");
  esplash_diagnosis_add_evidence (d, "Connected to %s; the failure came while %s",
                                  esplash_diag_chip_name (c), esplash_diag_stage_activity (a->stage));
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Try again at a lower baud rate (%u or 230400).", SAFE_BAUD);
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Use a short cable straight into the computer, not a hub.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Power the board well: a sagging supply resets the chip mid-write.");
  d->retry = ESPLASH_RETRY_LOWER_BAUD;
  d->suggested_baud = SAFE_BAUD;
  add_flash_id_note (d, c);
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static EsplashDiagnosis *
diagnose_wrong_chip (const EsplashDiagContext *c)
{
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_WRONG_CHIP, c->a->chip);

  esplash_diagnosis_set_title (d, "This is not the chip that was selected");
  esplash_diagnosis_set_explanation (d, "The board carries a different chip family than the "
                                     "one chosen. Firmware built for one family does not run "
                                     "on another.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "Choose “auto” (or the detected chip) and use firmware built for "
                              "it.");
  d->retry = ESPLASH_RETRY_NONE;
  esplash_diag_add_error_evidence (d, c);
  return d;
}


/* ------------------------------------------------------------------ */

/* The stall rule's stages: after SYNC, up to the end of the operation, or
 * while taking a lost session up again. */
static gboolean
stage_after_sync (EsplashStage stage)
{
  return (stage > ESPLASH_STAGE_SYNCING && stage <= ESPLASH_STAGE_READING) ||
         stage == ESPLASH_STAGE_RECONNECTING;
}

/**
 * esplash_diag_session:
 *
 * The verdicts for a chip that answered, most specific first. A chip reset
 * comes before everything it causes (no answer, a refused block); the flash
 * ID only where nothing else explains the failure better.
 *
 * Returns: (transfer full) (nullable): the verdict, or %NULL when none fits
 */
EsplashDiagnosis *
esplash_diag_session (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;

  if (error_is (a, ESPLASH_ERROR_CHIP_RESET) || reset_seen_mid_operation (c))
    return diagnose_chip_reset (c);
  if (error_is (a, ESPLASH_ERROR_LINE_DAMAGED))
    return diagnose_line_damaged (c);
  if (flash_id_explains (c))
    return diagnose_flash_id (c);
  if (a->secure_download_mode)
    return diagnose_sdm (c);
  if (error_is (a, ESPLASH_ERROR_VERIFY_FAILED))
    return diagnose_verify (c);
  if (error_is (a, ESPLASH_ERROR_UNSUPPORTED_CHIP) && a->synced)
    {
      /* Another chip than the one chosen; with none chosen, or none
       * detected, there is nothing it could be wrong against. */
      if (c->hint != ESPLASH_CHIP_UNKNOWN && a->chip != ESPLASH_CHIP_UNKNOWN && a->chip != c->hint)
        return diagnose_wrong_chip (c);
      if (a->chip == ESPLASH_CHIP_UNKNOWN)
        return diagnose_line_damaged (c);   /* a chip ID no chip has */
    }
  if (a->synced && stage_after_sync (a->stage) &&
      (error_is (a, ESPLASH_ERROR_TIMED_OUT) || error_is (a, ESPLASH_ERROR_PROTOCOL)))
    return diagnose_stall (c);
  return NULL;
}
