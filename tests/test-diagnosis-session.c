/* test-diagnosis-session.c: the verdicts for a failure after the chip
 * answered (esplash-diagnosis-session.c), on attempts built by hand — a
 * line that damages replies, a chip reset mid-operation, a flash ID read
 * through a damaged line, an unknown chip ID with and without a chip
 * chosen, the stage of taking a lost session up again. The same causes on
 * the simulated chip are in test-diagnosis.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "test-diagnosis-rig.h"

/* ESP32 boot lines as the ROM prints them at 115200 baud (§3). */
#define ESP32_BANNER "ets Jun  8 2016 00:22:57\r\n\r\n"
#define BROWNOUT_LINE "rst:0xf (RTCWDT_BROWN_OUT_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)"
#define C3_DOWNLOAD "ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\n" \
                    "rst:0x1 (POWERON),boot:0x4 (DOWNLOAD(USB/UART0/1))\r\nwaiting for download\r\n"

/* A session that had connected to @chip and failed with @code in @stage. */
static EsplashAttempt *
session_attempt (EsplashChipFamily  chip,
                 EsplashStage       stage,
                 EsplashError       code,
                 const char        *message)
{
  EsplashAttempt *a = esplash_attempt_new ("/dev/ttyUSB0");
  g_autoptr(GError) error = g_error_new_literal (ESPLASH_ERROR, code, message);

  a->os = ESPLASH_HOST_OS_LINUX;
  a->port_kind = ESPLASH_PORT_KIND_USB_BRIDGE;
  a->usb_vid = 0x10C4;
  a->usb_pid = 0xEA60;
  a->stage = stage;
  a->synced = TRUE;
  a->sync_replies = 1;
  a->chip = chip;
  a->baud = 921600;
  esplash_attempt_set_error (a, error);
  return a;
}

static void
set_operation_text (EsplashAttempt *a,
                    const char     *text)
{
  g_clear_pointer (&a->operation_text, g_bytes_unref);
  a->operation_text = g_bytes_new (text, strlen (text));
}

static EsplashDiagnosis *
diagnose (const EsplashAttempt *a,
          EsplashChipFamily     hint)
{
  EsplashDiagnosis *d = esplash_diagnose (a, hint);
  g_autoptr(JsonNode) json = NULL;

  g_assert_nonnull (d);
  print_diagnosis (d);
  /* every verdict carries the error it is about, and survives JSON */
  if (a->error != NULL)
    g_assert_true (evidence_has (d, a->error->message));
  json = esplash_diagnosis_to_json (d);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "id"), ==, d->id);
  return d;
}

/* ------------------------------------------------------------------ */
/* line-damaged                                                        */

static void
test_line_damaged (void)
{
  g_autoptr(EsplashAttempt) a =
    session_attempt (ESPLASH_CHIP_ESP32, ESPLASH_STAGE_WRITING, ESPLASH_ERROR_LINE_DAMAGED,
                     "Writing block 7/64 at 0x10000: the replies stayed damaged after 3 attempts");
  g_autoptr(EsplashDiagnosis) d = diagnose (a, ESPLASH_CHIP_UNKNOWN);

  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_LINE_DAMAGED);
  g_assert_cmpint (d->chip, ==, ESPLASH_CHIP_ESP32);
  g_assert_cmpstr (d->title, ==, "The chip's replies arrive damaged");
  /* it says that it retried, where, and at what rate */
  g_assert_true (evidence_has (d, "sent the commands again"));
  g_assert_true (evidence_has (d, "still damaged while writing"));
  g_assert_true (evidence_has (d, "921600 baud"));
  g_assert_false (evidence_has (d, "flash ID read"));
  /* lower baud (CLI and app), cable and hub, a second program */
  g_assert_true (steps_have (d, "lower baud rate: 115200"));
  g_assert_true (steps_have (d, "-b 115200"));
  g_assert_true (steps_have (d, "Baud rate setting"));
  g_assert_true (steps_have (d, "USB hub"));
  g_assert_true (steps_have (d, "other program"));
  g_assert_true (steps_have (d, "sudo fuser -v /dev/ttyUSB0"));
  g_assert_cmpint (d->retry, ==, ESPLASH_RETRY_LOWER_BAUD);
  g_assert_cmpuint (d->suggested_baud, ==, 115200);
}

/* At 115200 already: the speed is not the cause; a second reader named. */
static void
test_line_damaged_slow (void)
{
  g_autoptr(EsplashAttempt) a =
    session_attempt (ESPLASH_CHIP_ESP32C3, ESPLASH_STAGE_VERIFYING, ESPLASH_ERROR_LINE_DAMAGED,
                     "Verifying 0x10000: the replies stayed damaged after 3 attempts");
  g_autoptr(EsplashDiagnosis) d = NULL;
  EsplashPortHolder *h = g_new0 (EsplashPortHolder, 1);

  a->baud = 115200;
  h->pid = 4242;
  h->name = g_strdup ("minicom");
  a->holders = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_port_holder_free);
  g_ptr_array_add (a->holders, h);
  a->modem_manager_pid = 777;
  d = diagnose (a, ESPLASH_CHIP_UNKNOWN);

  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_LINE_DAMAGED);
  g_assert_true (evidence_has (d, "still damaged while verifying"));
  g_assert_true (evidence_has (d, "minicom (pid 4242) has /dev/ttyUSB0 open too"));
  g_assert_true (evidence_has (d, "ModemManager is running (pid 777)"));
  g_assert_true (steps_have (d, "fails at 115200 baud already"));
  g_assert_false (steps_have (d, "lower baud rate"));
  g_assert_true (steps_have (d, "sudo systemctl stop ModemManager"));
  g_assert_cmpint (d->retry, ==, ESPLASH_RETRY_NORMAL);
  g_assert_cmpuint (d->suggested_baud, ==, 0);
}

/* ------------------------------------------------------------------ */
/* chip-reset-mid-write                                                */

/* The session could not be taken up again; the boot log says brown-out. */
static void
test_chip_reset_brownout (void)
{
  g_autoptr(EsplashAttempt) a =
    session_attempt (ESPLASH_CHIP_ESP32, ESPLASH_STAGE_WRITING, ESPLASH_ERROR_CHIP_RESET,
                     "The chip was reset during the operation and could not be taken back "
                     "into its loader: no SYNC reply");
  g_autoptr(EsplashDiagnosis) d = NULL;

  set_operation_text (a, "\xc0\x01garbled\r\n" ESP32_BANNER BROWNOUT_LINE "\r\n"
                         "configsip: 0, SPIWP:0xee\r\n");
  d = diagnose (a, ESPLASH_CHIP_UNKNOWN);

  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_CHIP_RESET_MID_WRITE);
  g_assert_cmpstr (d->title, ==, "ESP32 was reset while writing");
  g_assert_nonnull (strstr (d->explanation, "could not be taken up again"));
  /* the boot line quoted as other rules quote it, and what it means */
  g_assert_true (evidence_has (d, "Boot message while writing: " BROWNOUT_LINE));
  g_assert_true (evidence_has (d, "The reset cause is a brown-out"));
  g_assert_true (evidence_has (d, "came back running from flash"));
  /* power first, then hands off, then other programs */
  g_assert_cmpuint (d->steps->len, >=, 4);
  g_assert_nonnull (strstr (((EsplashDiagnosisStep *) g_ptr_array_index (d->steps, 0))->text,
                            "Power the board well"));
  g_assert_true (steps_have (d, "do not press EN (RST) or BOOT"));
  g_assert_true (steps_have (d, "opening the port resets the board"));
  g_assert_true (steps_have (d, "Try again"));
  g_assert_cmpint (d->retry, ==, ESPLASH_RETRY_NORMAL);
}

/* No CHIP_RESET error (a timeout, as before recovery existed), but the
 * chip printed its download banner mid-write: it was reset, BOOT held. */
static void
test_chip_reset_seen (void)
{
  g_autoptr(EsplashAttempt) a =
    session_attempt (ESPLASH_CHIP_ESP32C3, ESPLASH_STAGE_WRITING, ESPLASH_ERROR_TIMED_OUT,
                     "Writing block 3/40 at 0x10000: timed out waiting for the reply");
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(EsplashDiagnosis) refused = NULL;
  g_autoptr(GError) rom06 = g_error_new_literal (ESPLASH_ERROR, ESPLASH_ERROR_DEVICE,
                                                 "FLASH_DATA failed: ROM error 0x06 (data "
                                                 "without begin)");

  set_operation_text (a, C3_DOWNLOAD);
  d = diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_CHIP_RESET_MID_WRITE);
  g_assert_cmpstr (d->title, ==, "ESP32-C3 was reset while writing");
  g_assert_null (strstr (d->explanation, "could not be taken up again"));
  g_assert_true (evidence_has (d, "Boot message while writing: rst:0x1 (POWERON),boot:0x4 "
                                  "(DOWNLOAD(USB/UART0/1))"));
  g_assert_true (evidence_has (d, "power-on reset: EN (RST) was pulled low"));
  g_assert_true (evidence_has (d, "came back in download mode"));
  g_assert_true (steps_have (d, "Power the board well"));

  /* The ROM refusing a block after the reset says the same. */
  esplash_attempt_set_error (a, rom06);
  refused = diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (refused->id, ==, ESPLASH_DIAGNOSIS_CHIP_RESET_MID_WRITE);
}

/* ESP8266: "rst cause:2" is the EN pin; a program on the port is named. */
static void
test_chip_reset_esp8266 (void)
{
  g_autoptr(EsplashAttempt) a =
    session_attempt (ESPLASH_CHIP_ESP8266, ESPLASH_STAGE_ERASING, ESPLASH_ERROR_CHIP_RESET,
                     "The chip was reset during the operation (its boot log came instead of "
                     "the reply) and did not come back into its loader");
  g_autoptr(EsplashDiagnosis) d = NULL;
  EsplashPortHolder *h = g_new0 (EsplashPortHolder, 1);

  set_operation_text (a, "\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\r\n");
  h->pid = 99;
  h->name = g_strdup ("arduino-ide");
  a->holders = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_port_holder_free);
  g_ptr_array_add (a->holders, h);
  d = diagnose (a, ESPLASH_CHIP_UNKNOWN);

  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_CHIP_RESET_MID_WRITE);
  g_assert_cmpstr (d->title, ==, "ESP8266 was reset while erasing");
  g_assert_true (evidence_has (d, "rst cause:2, boot mode:(3,6)"));
  g_assert_true (evidence_has (d, "an external reset"));
  g_assert_true (evidence_has (d, "arduino-ide (pid 99) has /dev/ttyUSB0 open too"));
  g_assert_true (steps_have (d, "one of them reset the board"));
  /* not a power problem by the log: power comes last, as a suspicion */
  g_assert_null (strstr (((EsplashDiagnosisStep *) g_ptr_array_index (d->steps, 0))->text,
                         "Power the board well"));
  g_assert_true (steps_have (d, "suspect the supply"));
}

/* The error alone, nothing readable from the chip, while reconnecting. */
static void
test_chip_reset_no_log (void)
{
  g_autoptr(EsplashAttempt) a =
    session_attempt (ESPLASH_CHIP_ESP32S3, ESPLASH_STAGE_RECONNECTING, ESPLASH_ERROR_CHIP_RESET,
                     "The chip was reset during the operation and could not be taken back "
                     "into its loader: wrong boot mode");
  g_autoptr(EsplashDiagnosis) d = NULL;

  set_operation_text (a, "\x8f\x13\xfe\x01\x9a");
  d = diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_CHIP_RESET_MID_WRITE);
  g_assert_cmpstr (d->title, ==, "ESP32-S3 was reset mid-operation and could not be taken up again");
  g_assert_true (evidence_has (d, "5 bytes arrived outside the replies while reconnecting"));
  g_assert_true (evidence_has (d, "unreadable at this rate"));
  g_assert_false (evidence_has (d, "Boot message"));
}

/* A boot message is no reset of someone else's when Esplash resets the
 * chip itself (leaving), nor does a timeout without one blame a reset. */
static void
test_chip_reset_not (void)
{
  g_autoptr(EsplashAttempt) leaving =
    session_attempt (ESPLASH_CHIP_ESP32, ESPLASH_STAGE_LEAVING, ESPLASH_ERROR_TIMED_OUT,
                     "Leaving the loader: timed out");
  g_autoptr(EsplashAttempt) stall =
    session_attempt (ESPLASH_CHIP_ESP32, ESPLASH_STAGE_WRITING, ESPLASH_ERROR_TIMED_OUT,
                     "Writing block 1/3 at 0x10000: timed out waiting for the reply");
  g_autoptr(EsplashDiagnosis) d1 = NULL;
  g_autoptr(EsplashDiagnosis) d2 = NULL;

  set_operation_text (leaving, ESP32_BANNER BROWNOUT_LINE "\r\n");
  d1 = diagnose (leaving, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (d1->id, !=, ESPLASH_DIAGNOSIS_CHIP_RESET_MID_WRITE);

  set_operation_text (stall, "I (312) app: hello\r\n");
  d2 = diagnose (stall, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (d2->id, ==, ESPLASH_DIAGNOSIS_STALL_MID_WRITE);
}

/* ------------------------------------------------------------------ */
/* flash-not-connected only where the flash ID can explain the failure  */

static void
test_flash_id_through_damage (void)
{
  /* ROM over a line that changes bytes: the ID came back 0, the MD5
   * answer was no hex text (reliability.md, "What the figures say"). */
  g_autoptr(EsplashAttempt) a =
    session_attempt (ESPLASH_CHIP_ESP32, ESPLASH_STAGE_VERIFYING, ESPLASH_ERROR_PROTOCOL,
                     "SPI_FLASH_MD5 reply is not 32 hex characters");
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(EsplashDiagnosis) damaged = NULL;
  g_autoptr(EsplashDiagnosis) timeout = NULL;
  g_autoptr(GError) line = g_error_new_literal (ESPLASH_ERROR, ESPLASH_ERROR_LINE_DAMAGED,
                                                "Verifying: the replies stayed damaged");
  g_autoptr(GError) timed_out = g_error_new_literal (ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT,
                                                     "Erasing: timed out");

  a->flash_id_known = TRUE;
  a->flash_id = 0;
  d = diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (d->id, !=, ESPLASH_DIAGNOSIS_FLASH_NOT_CONNECTED);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_STALL_MID_WRITE);
  /* the ID is mentioned, not believed */
  g_assert_true (evidence_has (d, "The flash ID read as 0x000000 (all zeros)"));
  g_assert_true (evidence_has (d, "says nothing about the flash"));

  esplash_attempt_set_error (a, line);
  a->flash_id = 0xFFFFFF;
  damaged = diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (damaged->id, ==, ESPLASH_DIAGNOSIS_LINE_DAMAGED);
  g_assert_true (evidence_has (damaged, "The flash ID read as 0xFFFFFF (all ones)"));

  esplash_attempt_set_error (a, timed_out);
  a->stage = ESPLASH_STAGE_ERASING;
  timeout = diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (timeout->id, ==, ESPLASH_DIAGNOSIS_STALL_MID_WRITE);
}

static void
test_flash_id_explains (void)
{
  g_autoptr(EsplashAttempt) a =
    session_attempt (ESPLASH_CHIP_ESP32, ESPLASH_STAGE_WRITING, ESPLASH_ERROR_DEVICE,
                     "FLASH_DATA failed: ROM error 0x08 (flash write failed)");
  g_autoptr(EsplashDiagnosis) device = NULL;
  g_autoptr(EsplashDiagnosis) verify = NULL;
  g_autoptr(EsplashDiagnosis) none = NULL;
  g_autoptr(GError) empty = g_error_new_literal (ESPLASH_ERROR, ESPLASH_ERROR_VERIFY_FAILED,
                                                 "Write failed, the written flash region is empty");

  a->flash_id_known = TRUE;
  a->flash_id = 0xFFFFFF;
  device = diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (device->id, ==, ESPLASH_DIAGNOSIS_FLASH_NOT_CONNECTED);
  g_assert_true (evidence_has (device, "Flash ID 0xFFFFFF (all ones)"));

  esplash_attempt_set_error (a, empty);
  verify = diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (verify->id, ==, ESPLASH_DIAGNOSIS_FLASH_NOT_CONNECTED);

  /* a run that worked, but the flash answered its ID with zeros */
  esplash_attempt_set_error (a, NULL);
  a->flash_id = 0;
  none = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_nonnull (none);
  g_assert_cmpstr (none->id, ==, ESPLASH_DIAGNOSIS_FLASH_NOT_CONNECTED);
  g_assert_true (evidence_has (none, "Flash ID 0x000000 (all zeros)"));
}

/* ------------------------------------------------------------------ */
/* wrong-chip only against a chip the user chose                       */

static void
test_unknown_chip_id (void)
{
  g_autoptr(EsplashAttempt) a =
    session_attempt (ESPLASH_CHIP_UNKNOWN, ESPLASH_STAGE_DETECTING, ESPLASH_ERROR_UNSUPPORTED_CHIP,
                     "Unknown chip: magic value 0x5A5A1D83 at 0x40001000 and no chip id");
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(EsplashDiagnosis) chosen = NULL;
  static const char banner[] = C3_DOWNLOAD;

  /* No chip chosen: a damaged chip ID is no "wrong chip". */
  d = diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_LINE_DAMAGED);
  g_assert_cmpstr (d->title, ==, "Esplash could not tell which chip this is");
  g_assert_true (evidence_has (d, "chip ID read as no known chip"));
  g_assert_true (evidence_has (d, "0x5A5A1D83"));
  g_assert_true (steps_have (d, "lower baud rate"));
  g_assert_true (steps_have (d, "newer than this Esplash"));

  /* Chosen, but nothing detected: still nothing to be wrong against; the
   * banner names a chip Esplash knows, so the ID was damaged. */
  a->line_text = g_bytes_new_static (banner, sizeof banner - 1);
  chosen = diagnose (a, ESPLASH_CHIP_ESP32C3);
  g_assert_cmpstr (chosen->id, ==, ESPLASH_DIAGNOSIS_LINE_DAMAGED);
  g_assert_true (evidence_has (chosen, "banner names ESP32-C3, which Esplash supports"));
}

static void
test_wrong_chip_needs_choice (void)
{
  g_autoptr(EsplashAttempt) a =
    session_attempt (ESPLASH_CHIP_ESP32C3, ESPLASH_STAGE_DETECTING, ESPLASH_ERROR_UNSUPPORTED_CHIP,
                     "This chip is ESP32-C3, not ESP32. Use --chip esp32c3 (or auto)");
  g_autoptr(EsplashDiagnosis) wrong = NULL;
  g_autoptr(EsplashDiagnosis) auto_chip = NULL;

  wrong = diagnose (a, ESPLASH_CHIP_ESP32);
  g_assert_cmpstr (wrong->id, ==, ESPLASH_DIAGNOSIS_WRONG_CHIP);
  g_assert_cmpint (wrong->chip, ==, ESPLASH_CHIP_ESP32C3);
  g_assert_true (evidence_has (wrong, "This chip is ESP32-C3, not ESP32"));

  /* Nothing chosen: never "not the chip that was selected". */
  auto_chip = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_nonnull (auto_chip);
  g_assert_cmpstr (auto_chip->id, !=, ESPLASH_DIAGNOSIS_WRONG_CHIP);
}

/* ------------------------------------------------------------------ */
/* The reconnecting stage                                              */

static void
test_reconnecting_stage (void)
{
  g_autoptr(EsplashAttempt) a =
    session_attempt (ESPLASH_CHIP_ESP32, ESPLASH_STAGE_RECONNECTING, ESPLASH_ERROR_TIMED_OUT,
                     "Connecting again: timed out");
  g_autoptr(EsplashAttempt) gone =
    session_attempt (ESPLASH_CHIP_ESP32, ESPLASH_STAGE_RECONNECTING, ESPLASH_ERROR_PORT_GONE,
                     "The port /dev/ttyUSB0 went away during the operation and did not come "
                     "back within 20 s");
  g_autoptr(EsplashDiagnosis) stall = NULL;
  g_autoptr(EsplashDiagnosis) port = NULL;

  stall = diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (stall->id, ==, ESPLASH_DIAGNOSIS_STALL_MID_WRITE);
  g_assert_nonnull (strstr (stall->title, "while reconnecting after the session was lost"));
  g_assert_true (evidence_has (stall, "the failure came while reconnecting"));

  port = diagnose (gone, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (port->id, ==, ESPLASH_DIAGNOSIS_PORT_GONE);
  g_assert_nonnull (strstr (port->title, "during reconnecting"));
  g_assert_true (evidence_has (port, "stopped working while reconnecting"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/diagnosis/line-damaged/retried", test_line_damaged);
  g_test_add_func ("/esplash/diagnosis/line-damaged/slow-already", test_line_damaged_slow);
  g_test_add_func ("/esplash/diagnosis/chip-reset/brownout", test_chip_reset_brownout);
  g_test_add_func ("/esplash/diagnosis/chip-reset/seen-in-log", test_chip_reset_seen);
  g_test_add_func ("/esplash/diagnosis/chip-reset/esp8266", test_chip_reset_esp8266);
  g_test_add_func ("/esplash/diagnosis/chip-reset/no-log", test_chip_reset_no_log);
  g_test_add_func ("/esplash/diagnosis/chip-reset/not", test_chip_reset_not);
  g_test_add_func ("/esplash/diagnosis/flash-id/through-damage", test_flash_id_through_damage);
  g_test_add_func ("/esplash/diagnosis/flash-id/explains", test_flash_id_explains);
  g_test_add_func ("/esplash/diagnosis/wrong-chip/unknown-id", test_unknown_chip_id);
  g_test_add_func ("/esplash/diagnosis/wrong-chip/needs-choice", test_wrong_chip_needs_choice);
  g_test_add_func ("/esplash/diagnosis/reconnecting", test_reconnecting_stage);

  return g_test_run ();
}
