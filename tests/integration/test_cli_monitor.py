#!/usr/bin/python3
# test_cli_monitor.py: esplash-cli monitor and write-flash --monitor against
# esplash-sim over RFC 2217: the app's log reaches stdout unchanged, a panic
# on command is decoded from the app's ELF (found beside the build, or
# --elf), Ctrl-T Ctrl-R-style resets and a USB re-enumeration (unplug,
# replug) are followed, and bad input is refused with a clear message.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from simlib import Sim, Tap, run_cli, write_file  # noqa: E402

simlib.require_programs()
tap = Tap()
TMP = tempfile.mkdtemp(prefix="esplash-cli-monitor-")
APP_ELF = os.environ["ESPLASH_TEST_APP_ELF"]
# The call chain esplash-sim builds from panic-app.elf (docs/simulator.md):
# an Xtensa panic's backtrace holds all of it; a RISC-V register dump only
# the faulting function (MEPC) and its caller (RA).
XTENSA_CHAIN = ["store_reading", "parse_reading", "sensor_task", "app_main"]
RISCV_CHAIN = ["store_reading", "parse_reading"]

C3_BOOTLOADER = simlib.esp_image("esp32c3", app=False)
C3_APP = simlib.esp_image("esp32c3", project="sensor", body=20000)
C3_TABLE = simlib.partition_table(simlib.IDF_SINGLE_APP)


def make_idf_build(root):
    """An ESP-IDF build folder for the ESP32-C3 with its app's ELF beside
    the app (build/sensor.bin, build/sensor.elf), as idf.py leaves it."""
    build = os.path.join(root, "build")
    write_file(build, "bootloader/bootloader.bin", C3_BOOTLOADER)
    write_file(build, "partition_table/partition-table.bin", C3_TABLE)
    write_file(build, "sensor.bin", C3_APP)
    shutil.copy(APP_ELF, os.path.join(build, "sensor.elf"))
    files = {"0x0": "bootloader/bootloader.bin", "0x8000": "partition_table/partition-table.bin",
             "0x10000": "sensor.bin"}
    doc = {
        "write_flash_args": ["--flash_mode", "dio", "--flash_size", "4MB", "--flash_freq", "80m"],
        "flash_settings": {"flash_mode": "dio", "flash_size": "4MB", "flash_freq": "80m"},
        "flash_files": files,
        "bootloader": {"offset": "0x0", "file": files["0x0"], "encrypted": "false"},
        "partition-table": {"offset": "0x8000", "file": files["0x8000"], "encrypted": "false"},
        "app": {"offset": "0x10000", "file": "sensor.bin", "encrypted": "false"},
        "extra_esptool_args": {"after": "hard_reset", "before": "default_reset", "stub": True,
                               "chip": "esp32c3"},
    }
    write_file(build, "flasher_args.json", json.dumps(doc, indent=4))
    return build


class Cli:
    """esplash-cli running in the background; its stdout collected as it comes."""

    def __init__(self, *args, stdin=subprocess.DEVNULL):
        self.args = [simlib.cli_path()] + [str(a) for a in args]
        self.proc = subprocess.Popen(self.args, stdin=stdin, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.out = bytearray()
        self.err = bytearray()
        self.lock = threading.Lock()
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.out), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.err), daemon=True).start()

    def _pump(self, stream, into):
        for chunk in iter(lambda: stream.read1(4096), b""):
            with self.lock:
                into += chunk

    def text(self):
        with self.lock:
            return bytes(self.out).decode("utf-8", "replace")

    def wait_for(self, needle, timeout=20.0, start=0):
        """Waits until @needle (str) is in stdout after offset @start; returns
        its position or -1."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pos = self.text().find(needle, start)
            if pos >= 0:
                return pos
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        return self.text().find(needle, start)

    def stop(self, sig=signal.SIGINT):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = "timeout"
        time.sleep(0.1)
        return rc

    def describe(self):
        with self.lock:
            out = bytes(self.out).decode("utf-8", "replace")
            err = bytes(self.err).decode("utf-8", "replace")
        tail = lambda s: "\n".join(s.strip().splitlines()[-25:])
        return "%s\nstdout:\n%s\nstderr:\n%s" % (" ".join(self.args[1:]), tail(out), tail(err))


def decoded_lines(text, after=0):
    return [l for l in text[after:].splitlines() if l.startswith("--- 0x")]


def check_decoded(label, cli, start, chain):
    """The panic's frames, one "--- 0xADDR: FUNC at FILE:LINE" line each."""
    found = cli.wait_for("%s at" % chain[-1], start=start)
    lines = decoded_lines(cli.text(), start)
    tap.ok(found >= 0, "%s: the panic's addresses are decoded" % label, cli.describe())
    tap.ok(len(lines) == len(chain), "%s: one decoded line per frame (%d)" % (label, len(lines)),
           "\n".join(lines))
    for name in chain:
        hit = [l for l in lines if (": %s at " % name) in l]
        tap.ok(hit and "panic-app.c:" in hit[0],
               "%s: %s resolved to its function and panic-app.c:LINE" % (label, name),
               "\n".join(lines))
    text = cli.text()
    guru = text.find("Guru Meditation Error", start)
    first = text.find("--- 0x", start)
    last = text.find("%s at" % chain[-1], start)
    reboot = text.find("Rebooting...", start)
    tap.ok(0 <= guru < first and (reboot < 0 or last < reboot),
           "%s: the decoded frames come under the panic, before the reboot" % label,
           text[guru:guru + 3000] if guru >= 0 else text[-2000:])


def write_flash_monitor():
    label = "write-flash --monitor"
    build = make_idf_build(os.path.join(TMP, "idf"))
    with Sim("esp32c3", "--app-elf", APP_ELF, rfc2217=True) as sim:
        cli = Cli("-p", sim.url, "write-flash", build, "--monitor")
        try:
            boot = cli.wait_for("ELF file SHA256", timeout=60)
            tap.ok(boot >= 0, "%s: the app's boot log reaches stdout after the flash" % label,
                   cli.describe())
            raw = bytes(cli.out)
            tap.ok(b"\x1b[0;32mI (" in raw,
                   "%s: the board's colours pass unchanged through a pipe" % label)
            tap.ok(cli.wait_for("esplash-sim-app: running image", timeout=10) >= 0,
                   "%s: the app's periodic log follows" % label)
            start = len(cli.text())
            sim.control("panic")
            check_decoded(label + " (ELF found beside the build)", cli, start, RISCV_CHAIN)
            tap.ok(cli.wait_for("Rebooting...", start=start) >= 0 and
                   cli.wait_for("esplash-sim-app: running image",
                                start=cli.wait_for("Rebooting...", start=start)) >= 0,
                   "%s: the app starts again after the panic, still monitored" % label)
        finally:
            rc = cli.stop()
        tap.ok(rc == 0, "%s: Ctrl-C ends the monitor with status 0 (got %s)" % (label, rc),
               cli.describe())
        tap.ok("--- Monitoring %s at 115200 baud; crashes decoded with " % sim.url in cli.text()
               and "sensor.elf" in cli.text(),
               "%s: says which port, rate and ELF (found beside the build)" % label,
               cli.describe())


def monitor_command():
    label = "monitor"
    with Sim("esp32", "--app-elf", APP_ELF, "--boot", "flash", rfc2217=True) as sim:
        # an app in flash to boot
        boot = simlib.read_image("bootloader_esp32.bin")
        app = simlib.esp_image("esp32", body=8000)
        run = run_cli("-p", sim.url, "write-flash", "0x1000",
                      write_file(TMP, "e32-boot.bin", boot), "0x10000",
                      write_file(TMP, "e32-app.bin", app))
        tap.cli_ok(run, "%s: an app flashed first" % label)
        resets_before = sum(1 for e in sim.events() if e.startswith("reset "))
        cli = Cli("-p", sim.url, "monitor", "--elf", APP_ELF)
        try:
            tap.ok(cli.wait_for("2nd stage bootloader", timeout=20) >= 0,
                   "%s: resets the board at start and shows it booting" % label, cli.describe())
            resets = sum(1 for e in sim.events() if e.startswith("reset "))
            tap.ok(resets > resets_before, "%s: the sim saw the reset (%d → %d)" %
                   (label, resets_before, resets))
            start = len(cli.text())
            sim.control("panic")
            check_decoded(label + " --elf (Xtensa backtrace)", cli, start, XTENSA_CHAIN)

            # USB re-enumeration: the port goes away and comes back.
            cli.wait_for("esplash-sim-app: running image", start=len(cli.text()))
            sim.control("unplug")
            gone = cli.wait_for("--- The port went away", timeout=10)
            tap.ok(gone >= 0, "%s: says when the port goes away" % label, cli.describe())
            time.sleep(0.5)
            sim.control("power-cycle")
            back = cli.wait_for("--- The port is back", timeout=15, start=max(gone, 0))
            tap.ok(back >= 0, "%s: finds the port again without user action" % label,
                   cli.describe())
            tap.ok(cli.wait_for("esplash-sim-app: running image", timeout=15,
                                start=max(back, 0)) >= 0,
                   "%s: the board's output goes on after the re-enumeration" % label)
            start = len(cli.text())
            sim.control("panic")
            check_decoded(label + " after re-enumeration", cli, start, XTENSA_CHAIN)
        finally:
            rc = cli.stop(signal.SIGTERM)
        tap.ok(rc == 0, "%s: SIGTERM ends it with status 0 (got %s)" % (label, rc), cli.describe())


def monitor_without_elf():
    label = "monitor without ELF"
    with Sim("esp32c3", "--boot", "flash", rfc2217=True) as sim:
        run = run_cli("-p", sim.url, "write-flash", "0x0",
                      write_file(TMP, "c3-boot.bin", C3_BOOTLOADER), "0x10000",
                      write_file(TMP, "c3-app.bin", C3_APP))
        tap.cli_ok(run, "%s: an app flashed first" % label)
        cli = Cli("-p", sim.url, "monitor", "--no-reset")
        try:
            tap.ok(cli.wait_for("esplash-sim-app: running image", timeout=20) >= 0,
                   "%s: --no-reset still shows the running app" % label, cli.describe())
            start = len(cli.text())
            sim.control("panic")
            bt = cli.wait_for("MEPC    : 0x", start=start)
            tap.ok(bt >= 0, "%s: the ESP32-C3 (RISC-V) panic prints its registers" % label,
                   cli.describe())
            tap.ok(cli.wait_for("--- The board crashed, but there is no ELF", start=start) >= 0,
                   "%s: says the crash cannot be decoded and how to fix it" % label,
                   cli.describe())
            tap.ok(not decoded_lines(cli.text(), start), "%s: decodes nothing" % label)
            tap.ok("--- No ELF given" in cli.text(), "%s: says so at start" % label)
        finally:
            cli.stop()


def terminal_keys():
    """On a terminal (a pty here): Ctrl-T Ctrl-R resets the board, typed
    keys reach it, Ctrl-] quits with status 0 and the terminal is restored."""
    import pty
    import termios
    label = "monitor on a terminal"
    with Sim("esp32c3", "--boot", "flash", rfc2217=True) as sim:
        run = run_cli("-p", sim.url, "write-flash", "0x0",
                      write_file(TMP, "c3-boot2.bin", C3_BOOTLOADER), "0x10000",
                      write_file(TMP, "c3-app2.bin", C3_APP))
        tap.cli_ok(run, "%s: an app flashed first" % label)
        master, slave = pty.openpty()
        before = termios.tcgetattr(slave)
        cli = Cli("-p", sim.url, "monitor", "--no-reset", stdin=slave)
        try:
            tap.ok(cli.wait_for("Quit: Ctrl-]", timeout=10) >= 0,
                   "%s: names the keys" % label, cli.describe())
            cli.wait_for("esplash-sim-app: running image", timeout=10)
            resets = sum(1 for e in sim.events() if e.startswith("reset "))
            os.write(master, b"\x14\x12")
            tap.ok(cli.wait_for("--- Resetting the board", timeout=10) >= 0,
                   "%s: Ctrl-T Ctrl-R resets the board" % label, cli.describe())
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and \
                    sum(1 for e in sim.events() if e.startswith("reset ")) <= resets:
                time.sleep(0.1)
            tap.ok(sum(1 for e in sim.events() if e.startswith("reset ")) > resets,
                   "%s: the board saw the reset" % label)
            rx = sim.control("stats")
            os.write(master, b"hi\r")
            time.sleep(0.5)
            rx2 = sim.control("stats")
            tap.ok(rx != rx2, "%s: typed keys reach the board (%s → %s)" % (label, rx, rx2))
            os.write(master, b"\x1d")
            rc = cli.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            rc = "timeout"
        finally:
            cli.stop()
        tap.ok(rc == 0, "%s: Ctrl-] quits with status 0 (got %s)" % (label, rc), cli.describe())
        tap.ok(termios.tcgetattr(slave) == before, "%s: the terminal's settings are restored" %
               label)
        os.close(master)
        os.close(slave)


def bad_input():
    r = run_cli("-p", "socket://127.0.0.1:1", "monitor", "--elf", os.path.join(TMP, "nope.elf"))
    tap.ok(r.rc != 0 and "nope.elf" in r.err, "monitor --elf of a missing file is refused, "
           "named, before any port is opened", r.describe())
    notelf = write_file(TMP, "not-an.elf", b"hello, not an ELF")
    r = run_cli("-p", "socket://127.0.0.1:1", "monitor", "--elf", notelf)
    tap.ok(r.rc != 0 and ".elf" in r.err, "monitor --elf of a non-ELF file is refused",
           r.describe())
    r = run_cli("-p", "socket://127.0.0.1:1", "monitor", "-b", "auto")
    tap.ok(r.rc == 2 and "115200" in r.err, "monitor -b auto is a usage error naming a rate",
           r.describe())
    r = run_cli("-p", "socket://127.0.0.1:1", "monitor")
    tap.ok(r.rc == 1 and "127.0.0.1:1" in r.err, "monitor on a port that does not answer fails "
           "with its name", r.describe())


try:
    write_flash_monitor()
    monitor_command()
    monitor_without_elf()
    terminal_keys()
    bad_input()
finally:
    shutil.rmtree(TMP, ignore_errors=True)
tap.finish()
