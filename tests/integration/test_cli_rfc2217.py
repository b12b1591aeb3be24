#!/usr/bin/python3
# test_cli_rfc2217.py: esplash-cli over rfc2217:// — the modem lines reach the
# virtual board, so the resets into the bootloader and back into the
# application are real: the sim's event log shows them.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from simlib import Sim, SimError, Tap, run_cli, read_image  # noqa: E402

simlib.require_programs()
tap = Tap()

RESET_RE = re.compile(r"^reset (\S+) boot:0x([0-9a-f]{2}) (download|flash)$")


def wait_state(sim, want, timeout=3.0):
    """The board boots a little after the lines settle: poll its state."""
    deadline = time.monotonic() + timeout
    state = sim.state()
    while state != want and time.monotonic() < deadline:
        time.sleep(0.05)
        state = sim.state()
    return state


def resets(events):
    out = []
    for line in events:
        m = RESET_RE.match(line)
        if m:
            out.append((m.group(1), m.group(3)))
    return out


def events_after(events, predicate):
    """The events after the first one that satisfies @predicate."""
    for i, line in enumerate(events):
        if predicate(line):
            return events[i + 1:]
    return []


def check_flash(sim, label, regions):
    for address, name in regions:
        data = read_image(name)
        got = sim.dump_flash(address, len(data))
        tap.ok(got == data, "%s: %s at 0x%x in flash" % (label, name, address))


def uart_default_reset():
    label = "esp32 uart rfc2217"
    with Sim("esp32", "--mac", "24:0a:c4:aa:00:01", rfc2217=True) as sim:
        tap.ok(sim.state() != "rom-loader", "%s: boots from flash at power-on (state %s)" %
               (label, sim.state()))
        regions = [(0x1000, "bootloader_esp32.bin"), (0x10000, "one_kb.bin")]
        args = ["-p", sim.url, "write-flash"]
        for address, name in regions:
            args += ["0x%x" % address, simlib.image(name)]
        r = run_cli(*args)
        tap.cli_ok(r, "%s: write-flash with --before default-reset, --after hard-reset" % label)
        state = wait_state(sim, "app")
        events = sim.events()
        lines = [l for l in events if l.startswith("lines ")]
        tap.ok(len(set(lines)) >= 3, "%s: the reset drives DTR and RTS (%d distinct states)" %
               (label, len(set(lines))), "\n".join(lines))
        rs = resets(events)
        tap.ok(("en-pin", "download") in rs, "%s: an EN-pin reset into download mode" % label,
               "resets: %r" % rs)
        after_download = events_after(events, lambda l: RESET_RE.match(l) is not None and
                                      l.endswith("download"))
        tap.ok("host-baud 460800" in after_download,
               "%s: the baud changed to 460800 over RFC 2217" % label, "\n".join(after_download))
        tap.ok("stub running" in after_download, "%s: the stub ran" % label)
        tap.ok(any(RESET_RE.match(l) and l.endswith(" flash") for l in after_download) and
               "app running" in after_download,
               "%s: hard reset boots the application" % label, "\n".join(after_download[-8:]))
        tap.ok(state == "app", "%s: the board ends in state app (%s)" % (label, state))
        tap.ok("Hard resetting via RTS pin" in r.out, "%s: says 'Hard resetting via RTS pin'" %
               label, r.describe())
        check_flash(sim, label, regions)

        # --after no-reset: the stub reboots into the ROM loader (protocol.md §7.4).
        r = run_cli("-p", sim.url, "--after", "no-reset", "flash-id")
        tap.cli_ok(r, "%s: flash-id with --after no-reset" % label)
        state = wait_state(sim, "rom-loader", 1.0)
        tap.ok(state == "rom-loader",
               "%s: --after no-reset leaves the chip in the ROM loader (state %s)" % (label, state),
               "\n".join(sim.events()[-6:]))

        # --after no-reset-stub: the stub keeps running, and is found again.
        r = run_cli("-p", sim.url, "--after", "no-reset-stub", "read-mac")
        tap.ok(r.rc == 0 and "MAC: 24:0a:c4:aa:00:01" in r.out,
               "%s: read-mac with --after no-reset-stub" % label, r.describe())
        tap.ok(wait_state(sim, "stub", 0.5) == "stub", "%s: the stub still runs" % label)
        # It talks at the rate the last session left (esptool: no_reset_no_sync).
        r = run_cli("-p", sim.url, "--before", "no-reset-no-sync", "-b", "460800", "chip-id")
        tap.ok(r.rc == 0 and "Chip is ESP32" in r.out and "Uploading stub" not in r.out,
               "%s: --before no-reset-no-sync talks to the running stub" % label, r.describe())
        tap.ok(wait_state(sim, "app") == "app", "%s: and hard-resets into the app" % label)

        # A chip running its app does not answer with --before no-reset: a
        # clear error in bounded time, not a hang.
        r = run_cli("-p", sim.url, "--before", "no-reset", "chip-id", timeout=60)
        tap.ok(r.rc == 1 and r.elapsed < 30 and "error:" in r.err,
               "%s: --before no-reset on a running app fails cleanly" % label, r.describe())


def s3_usb_otg():
    label = "esp32s3 usb-otg rfc2217"
    # BOOT held at power-on, released since: the ROM waits in download mode.
    with Sim("esp32s3", "--console", "usb-otg", "--boot", "download", rfc2217=True) as sim:
        tap.ok(sim.state() == "rom-loader", "%s: starts in the ROM loader" % label)
        regions = [(0x0, "esp32s3_header.bin"), (0x10000, "fifty_kb.bin")]
        # esp32s3_header.bin asks for chip revision 10 or higher (legacy min_rev):
        # refused on this v0.x chip unless forced, as esptool does.
        args = ["-p", sim.url, "--before", "no-reset", "write-flash", "--force"]
        for address, name in regions:
            args += ["0x%x" % address, simlib.image(name)]
        r = run_cli(*args)
        tap.cli_ok(r, "%s: write-flash --before no-reset" % label)
        tap.ok("watchdog" in r.out.lower(), "%s: leaves through the watchdog (strapped by GPIO0)"
               % label, r.describe())
        state = wait_state(sim, "app")
        events = sim.events()
        tap.ok("watchdog armed" in events, "%s: the watchdog was armed" % label)
        tap.ok(("rtc-wdt", "flash") in resets(events),
               "%s: an RTC watchdog reset boots from flash" % label, "resets: %r" % resets(events))
        tap.ok(state == "app" and "app running" in events,
               "%s: the application runs (state %s)" % (label, state))
        check_flash(sim, label, regions)


def c3_usb_jtag():
    label = "esp32c3 usb-jtag rfc2217"
    with Sim("esp32c3", "--console", "usb-jtag", rfc2217=True) as sim:
        regions = [(0x0, "bootloader_esp32c3.bin"), (0x10000, "one_kb.bin")]
        args = ["-p", sim.url, "--before", "usb-reset", "write-flash"]
        for address, name in regions:
            args += ["0x%x" % address, simlib.image(name)]
        r = run_cli(*args)
        tap.cli_ok(r, "%s: write-flash --before usb-reset" % label)
        state = wait_state(sim, "app")
        events = sim.events()
        rs = resets(events)
        tap.ok(("usb-jtag", "download") in rs, "%s: USB-JTAG reset into download mode" % label,
               "resets: %r" % rs)
        tap.ok(rs and rs[-1] == ("usb-jtag", "flash"),
               "%s: USB-JTAG reset back into the application" % label, "resets: %r" % rs)
        tap.ok("USB-Serial/JTAG" in r.out, "%s: the console was recognised" % label,
               r.describe())
        tap.ok(state == "app", "%s: the application runs (state %s)" % (label, state))
        check_flash(sim, label, regions)

        # The ordinary reset list also reaches the loader (it cycles strategies).
        r = run_cli("-p", sim.url, "--after", "no-reset-stub", "chip-id")
        tap.ok(r.rc == 0 and "Chip is ESP32-C3" in r.out,
               "%s: connects with --before default-reset too" % label, r.describe())


def c3_watchdog_after():
    label = "esp32c3 uart rfc2217"
    with Sim("esp32c3", rfc2217=True) as sim:
        r = run_cli("-p", sim.url, "--after", "watchdog-reset", "write-flash", "0x0",
                    simlib.image("bootloader_esp32c3.bin"))
        tap.cli_ok(r, "%s: write-flash --after watchdog-reset" % label)
        state = wait_state(sim, "app")
        rs = resets(sim.events())
        tap.ok(rs and rs[-1] == ("rtc-wdt", "flash") and state == "app",
               "%s: the watchdog reset runs the application" % label,
               "resets: %r, state %s" % (rs, state))


def auto_baud():
    """-b auto: the fastest rate the line holds (the sim's bridge: 921600),
    found once, then remembered for this adapter (here: the URL)."""
    with Sim("esp32s3", rfc2217=True) as sim:
        common = ["-p", sim.url, "-b", "auto", "--after", "no-reset-stub"]
        r = run_cli(*(common + ["chip-id"]))
        tap.ok(r.rc == 0 and "Trying 2000000 baud" in r.out and
               "Using 921600 baud" in r.out and "resetting the chip to try slower rates" in r.out,
               "auto baud: 2 and 1.5 Mbaud break, 921600 holds", r.describe())
        r = run_cli(*(common + ["chip-id"]))
        tap.ok(r.rc == 0 and "Trying 2000000 baud" not in r.out and
               "Using 921600 baud" in r.out,
               "auto baud: the next run starts at the remembered 921600", r.describe())
        tap.ok("chip-baud 921600" in sim.events(), "auto baud: the chip ran at 921600")


for case in (uart_default_reset, s3_usb_otg, c3_usb_jtag, c3_watchdog_after, auto_baud):
    try:
        case()
    except SimError as e:
        tap.ok(False, "%s: simulator control" % case.__name__, str(e))

tap.finish()
