/* esplash-diagnosis-rules.c: the verdicts — which cause fits what an
 * attempt observed, and the steps for that chip family and adapter: the
 * port here, and the order of all verdicts (esplash_diagnose); after the
 * chip answered in esplash-diagnosis-session.c, a connect without a SYNC
 * reply in esplash-diagnosis-connect.c. Facts, causes and fixes:
 * ../shared/docs/troubleshooting.md (§ and S numbers below refer to it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-diagnosis.h"
#include "esplash-diagnosis-private.h"
#include "esplash-error.h"

#include <errno.h>
#include <string.h>

/* "while …" wording for a stage. */
const char *
esplash_diag_stage_activity (EsplashStage stage)
{
  switch (stage)
    {
    case ESPLASH_STAGE_UPLOADING_STUB:
      return "the flasher stub was uploaded";
    case ESPLASH_STAGE_CHANGING_BAUD:
      return "the baud rate was changed";
    case ESPLASH_STAGE_ERASING:
      return "erasing";
    case ESPLASH_STAGE_WRITING:
      return "writing";
    case ESPLASH_STAGE_VERIFYING:
      return "verifying";
    case ESPLASH_STAGE_READING:
      return "reading";
    case ESPLASH_STAGE_DETECTING:
      return "the chip was identified";
    case ESPLASH_STAGE_OPENING:
      return "the port was opened";
    case ESPLASH_STAGE_RESETTING:
    case ESPLASH_STAGE_SYNCING:
      return "connecting";
    case ESPLASH_STAGE_LEAVING:
      return "the chip was reset";
    case ESPLASH_STAGE_RECONNECTING:
      return "reconnecting after the session was lost";
    case ESPLASH_STAGE_IDLE:
    case ESPLASH_STAGE_DONE:
    default:
      return "talking to the loader";
    }
}

static gboolean
error_is (const EsplashAttempt *a,
          EsplashError          code)
{
  return g_error_matches (a->error, ESPLASH_ERROR, code);
}

static const char *
boot_pin (const EsplashDiagContext *c)
{
  return c->info != NULL && c->info->boot_pin != NULL ? c->info->boot_pin : NULL;
}

/* "BOOT (GPIO0)", or a generic name when the family is unknown. */
char *
esplash_diag_boot_button (const EsplashDiagContext *c)
{
  if (boot_pin (c) != NULL)
    return g_strdup_printf ("BOOT (%s)", boot_pin (c));
  return g_strdup ("BOOT (GPIO0 on ESP32, ESP8266, S2 and S3; GPIO9 on C2, C3, C6 and H2)");
}

const char *
esplash_diag_chip_name (const EsplashDiagContext *c)
{
  return c->info != NULL ? c->info->name : "the chip";
}

void
esplash_diag_add_error_evidence (EsplashDiagnosis         *d,
                                 const EsplashDiagContext *c)
{
  if (c->a->error != NULL)
    esplash_diagnosis_add_evidence (d, "Error reported: %s", c->a->error->message);
}

/* §4: manual entry into download mode, per board style. */
void
esplash_diag_add_manual_boot_steps (EsplashDiagnosis         *d,
                                    const EsplashDiagContext *c)
{
  g_autofree char *boot = esplash_diag_boot_button (c);
  const char *pin = boot_pin (c) != NULL ? boot_pin (c) : "the BOOT pin";

  if (c->native_usb)
    {
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                  "Press and hold %s.", boot);
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                  "While holding it, tap RESET — or unplug the USB cable and "
                                  "plug it in again.");
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_PRESENT, NULL,
                                  "Release %s: the chip's ROM port (USB 303a:1001, or the "
                                  "USB-OTG port on S2/S3/P4) appears.", boot);
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_SYNC_REPLY, NULL,
                                  "Esplash connects by itself as soon as the chip answers. After "
                                  "flashing, press RESET to start the new firmware.");
      return;
    }

  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL, "Press and hold %s.", boot);
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "While holding it, press and release EN (also labelled RST or "
                              "RESET).");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_BANNER_SEEN, NULL,
                              "Release %s: the chip now waits in download mode.", boot);
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_SYNC_REPLY, NULL,
                              "Esplash keeps listening without resetting the chip and continues "
                              "as soon as it answers.");
  if (c->chip == ESPLASH_CHIP_ESP8266)
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                "No buttons (module, smart plug)? Connect GPIO0 to GND and power "
                                "the board; GPIO15 must be low and GPIO2 high, EN/CH_PD high. "
                                "Remove the wire after flashing and power-cycle.");
  else
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                "No buttons? Connect %s to GND, then power the board (or briefly "
                                "connect EN to GND). Remove the wire after flashing.", pin);
}

/* ------------------------------------------------------------------ */
/* Opening the port                                                    */

static EsplashDiagnosis *
diagnose_permission (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_PERMISSION_DENIED, c->chip);
  const char *group = a->node_group;
  gboolean group_can_use = a->node_probed && (a->node_mode & 0060) == 0060 && a->node_gid != 0;
  g_autofree char *usermod = NULL;

  if (group == NULL || !group_can_use)
    group = "dialout";
  usermod = g_strdup_printf ("sudo usermod -aG %s $USER", group);

  esplash_diagnosis_set_title (d, "No permission to open %s", c->path);
  esplash_diagnosis_add_evidence (d, "Opening %s failed: %s (%s)", c->path,
                                  g_strerror (a->os_errno != 0 ? a->os_errno : EACCES),
                                  a->os_errno == EPERM ? "EPERM" : "EACCES");
  if (a->node_probed && a->node_exists)
    esplash_diagnosis_add_evidence (d, "%s belongs to user %u and group %s (%u), mode %03o",
                                    c->path, a->node_uid,
                                    a->node_group != NULL ? a->node_group : "?", a->node_gid,
                                    a->node_mode);

  if (a->os == ESPLASH_HOST_OS_MACOS)
    {
      esplash_diagnosis_set_explanation (d, "macOS refused access to the port.");
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_OPENS, NULL,
                                  "Use the /dev/cu.* name of the port (not /dev/tty.*), and "
                                  "allow the USB driver's extension in System Settings → "
                                  "Privacy & Security if macOS asked for it.");
      esplash_diag_add_error_evidence (d, c);
      return d;
    }

  if (a->node_probed && a->node_exists && !group_can_use)
    {
      g_autofree char *rule = NULL;

      esplash_diagnosis_set_explanation (d, "Only root may open %s (no group has read and "
                                         "write access): the port has to be given to the “%s” "
                                         "group first, and you have to be in that group.",
                                         c->path, group);
      if (a->usb_vid != 0)
        rule = g_strdup_printf ("echo 'SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"%04x\", "
                                "ATTRS{idProduct}==\"%04x\", GROUP=\"%s\", MODE=\"0660\"' | "
                                "sudo tee /etc/udev/rules.d/99-esplash.rules && "
                                "sudo udevadm control --reload && sudo udevadm trigger",
                                a->usb_vid, a->usb_pid, group);
      else
        rule = g_strdup_printf ("sudo chgrp %s %s && sudo chmod 0660 %s", group, c->path, c->path);
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, rule,
                                  a->usb_vid != 0 ? "Give the port to the “%s” group with a "
                                                    "udev rule:"
                                                  : "Give the port to the “%s” group (until "
                                                    "the next reboot):", group);
    }
  else
    esplash_diagnosis_set_explanation (d, "The port belongs to the “%s” group and this "
                                       "program does not run with that group.", group);

  if (a->node_probed && a->user_listed_in_group && !a->process_in_group && group_can_use)
    {
      esplash_diagnosis_add_evidence (d, "The group database already lists %s in “%s”, but "
                                      "this session started before that", 
                                      a->user_name != NULL ? a->user_name : "you", group);
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_OPENS, "su - $USER",
                                  "Log out and in again (or start a new login shell) so the "
                                  "new group applies.");
      esplash_diag_add_error_evidence (d, c);
      return d;
    }
  if (a->node_probed && group_can_use)
    esplash_diagnosis_add_evidence (d, "This process is not in group “%s”", group);
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, usermod,
                              "Add your user to the “%s” group%s:", group,
                              g_strcmp0 (group, "dialout") == 0
                                ? " (on Arch Linux the group is “uucp”)" : "");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_OPENS, NULL,
                              "Log out and in again (or reboot) so the new group applies.");
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static void
add_holder_steps (EsplashDiagnosis        *d,
                  const EsplashDiagContext               *c,
                  const EsplashPortHolder *h)
{
  g_autofree char *kill = g_strdup_printf ("kill %d", h->pid);

  if (g_strcmp0 (h->name, "ModemManager") == 0)
    {
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, "sudo systemctl stop ModemManager",
                                  "ModemManager probes new serial devices as modems. Stop it:");
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE,
                                  "echo 'ATTRS{idVendor}==\"303a\", ENV{ID_MM_DEVICE_IGNORE}=\"1\"' "
                                  "| sudo tee /etc/udev/rules.d/99-esplash-mm.rules",
                                  "To keep it away from ESP boards for good, add a udev rule "
                                  "(repeat with your adapter's USB vendor id):");
    }
  else if (g_strcmp0 (h->name, "brltty") == 0)
    {
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE,
                                  "sudo systemctl mask brltty-udev.service && sudo systemctl stop brltty",
                                  "brltty (a Braille display driver) grabs USB serial adapters. "
                                  "Mask its udev service (or remove the brltty package):");
    }
  else
    {
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, kill,
                                  "Close %s (pid %d)%s, or stop it:", h->name, h->pid,
                                  g_strcmp0 (h->name, "esplash") == 0 ||
                                  g_str_has_prefix (h->name, "esplash-")
                                    ? " — another Esplash window or command"
                                    : " — for example quit the serial monitor");
    }
  (void) c;
}

static EsplashDiagnosis *
diagnose_busy (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_PORT_BUSY, c->chip);
  g_autofree char *fuser = g_strdup_printf ("sudo fuser -v %s", c->path);

  esplash_diagnosis_set_title (d, "%s is in use by another program", c->path);
  esplash_diagnosis_set_explanation (d, "Only one program at a time can use a serial port. A "
                                     "serial monitor, an IDE, another flasher or a system "
                                     "service has it open.");
  if (a->holders != NULL)
    for (guint i = 0; i < a->holders->len; i++)
      {
        const EsplashPortHolder *h = g_ptr_array_index (a->holders, i);

        esplash_diagnosis_add_evidence (d, "%s (pid %d) has %s open%s%s", h->name, h->pid,
                                        c->path, h->cmdline != NULL ? ": " : "",
                                        h->cmdline != NULL ? h->cmdline : "");
        add_holder_steps (d, c, h);
      }
  if (a->holders == NULL || a->holders->len == 0)
    {
      if (a->modem_manager_pid != 0)
        {
          EsplashPortHolder mm = { a->modem_manager_pid, (char *) "ModemManager", NULL };

          esplash_diagnosis_add_evidence (d, "ModemManager is running (pid %d); it often holds "
                                          "new USB serial ports for a few seconds",
                                          a->modem_manager_pid);
          add_holder_steps (d, c, &mm);
        }
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE,
                                  a->os == ESPLASH_HOST_OS_LINUX ? fuser : NULL,
                                  "Close any serial monitor, IDE or other flasher using the "
                                  "port.%s", a->os == ESPLASH_HOST_OS_LINUX
                                    ? " Programs of other users are only visible to root:"
                                    : "");
    }
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_OPENS, NULL,
                              "Esplash tries again when the port is free.");
  esplash_diag_add_error_evidence (d, c);
  return d;
}

/* §5: which driver a bridge needs, by VID. */
static const char *
bridge_driver (guint16 vid,
               guint16 pid)
{
  switch (vid)
    {
    case 0x10C4: return "cp210x";
    case 0x1A86: return pid == 0x55D4 || pid == 0x55D3 ? "ch341 (or WCH's ch343)" : "ch341";
    case 0x0403: return "ftdi_sio";
    case 0x067B: return "pl2303";
    default: return NULL;
    }
}

static const char *
bridge_vendor_driver (guint16 vid)
{
  switch (vid)
    {
    case 0x10C4: return "the Silicon Labs CP210x VCP driver";
    case 0x1A86: return "the WCH CH34x/CH9102 driver";
    case 0x0403: return "the FTDI VCP driver";
    case 0x067B: return "the Prolific PL2303 driver";
    default: return "the adapter maker's driver";
    }
}

static gboolean
port_listed (const EsplashAttempt *a,
             guint16               vid)
{
  if (a->ports == NULL)
    return FALSE;
  for (guint i = 0; i < a->ports->len; i++)
    if (((const EsplashPortInfo *) g_ptr_array_index (a->ports, i))->usb_vid == vid)
      return TRUE;
  return FALSE;
}

static EsplashDiagnosis *
diagnose_no_port (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_NO_PORT, c->chip);
  guint32 orphan = 0;   /* a known bridge on the bus without a port */
  gboolean espressif_on_bus = FALSE;

  esplash_diagnosis_set_title (d, "No port %s", c->path);
  esplash_diagnosis_add_evidence (d, "%s does not exist", c->path);
  if (a->ports != NULL)
    {
      for (guint i = 0; i < a->ports->len; i++)
        {
          const EsplashPortInfo *p = g_ptr_array_index (a->ports, i);

          if (p->looks_like_esp)
            esplash_diagnosis_add_evidence (d, "Another port looks like an ESP board: %s (%s)",
                                            p->path, p->friendly_name != NULL ? p->friendly_name : "");
        }
    }
  if (a->usb_ids != NULL)
    for (guint i = 0; i < a->usb_ids->len; i++)
      {
        guint32 id = g_array_index (a->usb_ids, guint32, i);
        guint16 vid = id >> 16, pid = id & 0xFFFF;

        if (vid == ESPLASH_ESPRESSIF_USB_VID)
          espressif_on_bus = TRUE;
        if (bridge_driver (vid, pid) != NULL && !port_listed (a, vid) && orphan == 0)
          orphan = id;
      }

  if (orphan != 0 && a->brltty_pid != 0 && a->os == ESPLASH_HOST_OS_LINUX)
    {
      esplash_diagnosis_set_explanation (d, "The USB serial adapter is connected, but brltty "
                                         "(a Braille display driver, installed by default on "
                                         "Ubuntu) took it over, so the port vanished.");
      esplash_diagnosis_add_evidence (d, "USB device %04x:%04x is connected but has no serial port; "
                                      "brltty is running (pid %d)", orphan >> 16, orphan & 0xFFFF,
                                      a->brltty_pid);
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE,
                                  "sudo systemctl mask brltty-udev.service && sudo systemctl stop brltty",
                                  "Mask brltty's udev service (or remove the brltty package):");
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_PRESENT, NULL,
                                  "Unplug the board and plug it in again.");
    }
  else if (orphan != 0)
    {
      guint16 vid = orphan >> 16, pid = orphan & 0xFFFF;
      g_autofree char *modprobe = g_strdup_printf ("sudo modprobe %s", bridge_driver (vid, 0));

      esplash_diagnosis_set_explanation (d, "The board's USB serial adapter (%04x:%04x) is "
                                         "connected, but no driver made a serial port for it.",
                                         vid, pid);
      esplash_diagnosis_add_evidence (d, "USB device %04x:%04x is connected but has no serial port",
                                      vid, pid);
      if (a->os == ESPLASH_HOST_OS_LINUX)
        esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_PRESENT, modprobe,
                                    "Load the %s driver:", bridge_driver (vid, pid));
      else
        esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_PRESENT, NULL,
                                    "Install %s, then plug the board in again.",
                                    bridge_vendor_driver (vid));
    }
  else
    {
      esplash_diagnosis_set_explanation (d, "The computer sees no serial port for the board. "
                                         "Most often the USB cable only carries power, or the "
                                         "adapter's driver is missing.");
      if (a->usb_ids != NULL && !espressif_on_bus)
        esplash_diagnosis_add_evidence (d, "No USB serial adapter or Espressif USB device is "
                                        "connected");
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_PRESENT, NULL,
                                  "Use a USB cable known to carry data (many cables only charge), "
                                  "plugged straight into the computer, not a hub.");
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                  "Check that the board's power LED is on.");
      if (a->os == ESPLASH_HOST_OS_WINDOWS)
        esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                    "Open Device Manager → Ports: a board with a CP210x, CH340/"
                                    "CH9102 or FTDI chip needs that maker's driver if it shows "
                                    "with a warning sign. The chip's own USB (ESP32-S2/S3/C3/C6…) "
                                    "needs no driver.");
      else if (a->os == ESPLASH_HOST_OS_MACOS)
        esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                    "CH340/CH9102 boards may need the WCH driver, CP210x boards "
                                    "the Silicon Labs driver; ports show as /dev/cu.*. The chip's "
                                    "own USB needs no driver.");
      else
        esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                    "Linux has the drivers built in (cp210x, ch341, ftdi_sio, "
                                    "cdc_acm for the chip's own USB); adapters appear as "
                                    "/dev/ttyUSB*, the chip's own USB as /dev/ttyACM*.");
      if (c->native_usb || c->chip == ESPLASH_CHIP_UNKNOWN || (c->info != NULL && c->info->has_usb_jtag))
        {
          g_autofree char *boot = esplash_diag_boot_button (c);

          esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_PRESENT, NULL,
                                      "A board on the chip's own USB port may run firmware that "
                                      "turned USB off: hold %s while plugging the cable in, then "
                                      "release it.", boot);
        }
    }
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static EsplashDiagnosis *
diagnose_reenumerating (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_USB_REENUMERATING, c->chip);

  esplash_diagnosis_set_title (d, "The board's USB port restarted");
  esplash_diagnosis_set_explanation (d, "%s talks over its own USB port, which disconnects and "
                                     "comes back at every chip reset, sometimes under another "
                                     "name. This is expected.", esplash_diag_chip_name (c));
  esplash_diagnosis_add_evidence (d, "%s (USB %04x:%04x) went away%s", c->path, a->usb_vid,
                                  a->usb_pid,
                                  a->stage > ESPLASH_STAGE_IDLE ? " while in use" : "");
  if (a->reappeared_as != NULL)
    esplash_diagnosis_add_evidence (d, "The same device is back as %s", a->reappeared_as);
  else if (a->port_reappeared)
    esplash_diagnosis_add_evidence (d, "The same device is back");
  if (a->port_reappeared)
    {
      d->retry = ESPLASH_RETRY_REOPEN;
      d->port_path = g_strdup (a->reappeared_as != NULL ? a->reappeared_as : a->url);
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_OPENS, NULL,
                                  "Nothing to do: Esplash reopens %s and continues.",
                                  d->port_path);
    }
  else
    {
      d->retry = ESPLASH_RETRY_REOPEN;
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_PRESENT, NULL,
                                  "Wait a few seconds for the port to come back.");
      esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                                  "If it does not, or keeps vanishing, the firmware on the chip "
                                  "disables or reuses its USB pins: put the chip in download "
                                  "mode by hand.");
      esplash_diag_add_manual_boot_steps (d, c);
    }
  esplash_diag_add_error_evidence (d, c);
  return d;
}

static EsplashDiagnosis *
diagnose_port_gone (const EsplashDiagContext *c)
{
  const EsplashAttempt *a = c->a;
  EsplashDiagnosis *d = esplash_diagnosis_new (ESPLASH_DIAGNOSIS_PORT_GONE, c->chip);

  esplash_diagnosis_set_title (d, "%s disappeared during %s", c->path,
                               esplash_stage_nick (a->stage));
  esplash_diagnosis_set_explanation (d, "The serial port vanished while Esplash was using it: "
                                     "the cable was pulled or moved, the USB hub reset, or the "
                                     "board lost power.");
  esplash_diagnosis_add_evidence (d, "The port stopped working while %s",
                                  esplash_diag_stage_activity (a->stage));
  if (a->port_reappeared)
    esplash_diagnosis_add_evidence (d, "It is back%s%s", a->reappeared_as != NULL ? " as " : "",
                                    a->reappeared_as != NULL ? a->reappeared_as : "");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_PRESENT, NULL,
                              "Check the cable at both ends and plug the board straight into "
                              "the computer rather than through a hub.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, NULL,
                              "If it happens under load, the supply may be too weak (the chip "
                              "draws up to 300 mA in bursts): use another USB port or a powered "
                              "hub.");
  if (a->modem_manager_pid != 0)
    esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_NONE, "sudo systemctl stop ModemManager",
                                "ModemManager is running and may grab the port: stop it.");
  esplash_diagnosis_add_step (d, ESPLASH_STEP_CHECK_PORT_OPENS, NULL,
                              "Start the operation again once the port is back.");
  d->retry = ESPLASH_RETRY_REOPEN;
  if (a->port_reappeared)
    d->port_path = g_strdup (a->reappeared_as != NULL ? a->reappeared_as : a->url);
  esplash_diag_add_error_evidence (d, c);
  return d;
}

/* ------------------------------------------------------------------ */
/* The order                                                           */

static gboolean
errno_is (const EsplashAttempt *a,
          int                   e)
{
  return a->os_errno == e;
}

/**
 * esplash_diagnose:
 * @attempt: what the failed attempt observed
 * @chip_hint: the family the user chose, or %ESPLASH_CHIP_UNKNOWN
 *
 * Returns: (transfer full) (nullable): the diagnosis, or %NULL when
 *   nothing went wrong or the user cancelled
 */
EsplashDiagnosis *
esplash_diagnose (const EsplashAttempt *attempt,
                  EsplashChipFamily     chip_hint)
{
  const EsplashAttempt *a = attempt;
  EsplashDiagnosis *d = NULL;
  EsplashDiagContext c = { 0 };
  gboolean bad_flash_id;

  g_return_val_if_fail (attempt != NULL, NULL);

  if (g_error_matches (a->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return NULL;
  bad_flash_id = a->flash_id_known && (a->flash_id == 0 || (a->flash_id & 0xFFFFFF) == 0xFFFFFF);
  if (a->error == NULL && !bad_flash_id)
    return NULL;

  c.a = a;
  c.hint = chip_hint;
  c.bad_flash_id = bad_flash_id;
  c.path = a->url != NULL ? a->url : "the port";
  if (a->line_text != NULL)
    c.text = g_bytes_get_data (a->line_text, &c.text_len);
  c.have_boot = c.text_len > 0 && esplash_boot_message_parse (c.text, c.text_len, &c.boot);
  if (!c.have_boot)
    c.boot.value = -1;
  c.native_usb = a->usb_vid == ESPLASH_ESPRESSIF_USB_VID || a->port_kind == ESPLASH_PORT_KIND_ESPRESSIF_USB;

  c.chip = chip_hint;
  if (c.chip == ESPLASH_CHIP_UNKNOWN)
    c.chip = a->chip;
  if (c.chip == ESPLASH_CHIP_UNKNOWN && c.have_boot)
    c.chip = c.boot.chip;
  if (c.chip == ESPLASH_CHIP_UNKNOWN && c.native_usb)
    {
      const EsplashChipInfo *usb = esplash_chip_from_usb (a->usb_vid, a->usb_pid, NULL);

      if (usb != NULL)
        c.chip = usb->family;
    }
  c.info = esplash_chip_get (c.chip);

  if ((error_is (a, ESPLASH_ERROR_PERMISSION_DENIED) || errno_is (a, EACCES)) &&
      a->os == ESPLASH_HOST_OS_WINDOWS)
    d = diagnose_busy (&c);   /* Windows says "Access is denied" for a port in use (S3) */
  else if (error_is (a, ESPLASH_ERROR_PERMISSION_DENIED) || errno_is (a, EACCES) ||
           errno_is (a, EPERM))
    d = diagnose_permission (&c);
  else if (error_is (a, ESPLASH_ERROR_BUSY) || errno_is (a, EBUSY) || errno_is (a, EWOULDBLOCK))
    d = diagnose_busy (&c);
  else if ((error_is (a, ESPLASH_ERROR_NOT_FOUND) || error_is (a, ESPLASH_ERROR_PORT_GONE)) &&
           c.native_usb)
    d = diagnose_reenumerating (&c);
  else if (error_is (a, ESPLASH_ERROR_NOT_FOUND) && a->reappeared_as != NULL)
    d = diagnose_reenumerating (&c);
  else if (error_is (a, ESPLASH_ERROR_NOT_FOUND) && a->stage <= ESPLASH_STAGE_OPENING)
    d = diagnose_no_port (&c);
  else if (error_is (a, ESPLASH_ERROR_PORT_GONE) || a->port_vanished)
    d = diagnose_port_gone (&c);
  else if ((d = esplash_diag_session (&c)) == NULL)
    d = esplash_diag_connect (&c);

  esplash_boot_message_clear (&c.boot);
  return d;
}
