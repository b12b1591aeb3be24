#!/usr/bin/python3
# esptool-compat.py: the real esptool v4.8.1 against esplash-sim over
# socket:// — a manual cross-check that the simulator behaves like the chips
# esptool was written for (not in the test suite: CI has no esptool; the
# suite's independent client is esptool-js, tests/integration/test_esptool_js.py).
#
#   ESPTOOL=/path/to/esptool-4.8.1/esptool.py scripts/esptool-compat.py
#
# Prints TAP. ESPLASH_SIM defaults to build/core/sim/esplash-sim, the images to
# ../shared/testdata/images. Skips when esptool cannot be run.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("ESPLASH_SIM", os.path.join(TOP, "build", "core", "sim", "esplash-sim"))
os.environ.setdefault("ESPLASH_SHARED_DIR", os.path.join(os.path.dirname(TOP), "shared"))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import simlib  # noqa: E402
from simlib import Sim, SimError, Tap, read_image, padded  # noqa: E402

PYTHON = "/usr/bin/python3"
WANT_VERSION = "v4.8.1"


def find_esptool():
    for path in (os.environ.get("ESPTOOL"), "/opt/esptool-4.8.1/esptool.py"):
        if not path or not os.path.isfile(path):
            continue
        try:
            proc = subprocess.run([PYTHON, path, "version"], capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if proc.returncode == 0 and WANT_VERSION in proc.stdout.decode(errors="replace"):
            return path
    return None


if not simlib.sim_path() or not os.access(simlib.sim_path(), os.X_OK):
    print("1..0 # SKIP ESPLASH_SIM not set or not executable")
    sys.exit(0)
ESPTOOL = find_esptool()
if ESPTOOL is None:
    print("1..0 # SKIP esptool not found")
    sys.exit(0)

tap = Tap()
TMP = tempfile.mkdtemp(prefix="esplash-esptool-")

COMPRESSED = [(0x10000, "one_kb.bin"), (0x11000, "not_4_byte_aligned.bin"),
              (0x12000, "sector.bin"), (0x14000, "fifty_kb.bin")]
UNCOMPRESSED = [(0x30000, "one_kb.bin"), (0x31000, "not_4_byte_aligned.bin"),
                (0x32000, "fifty_kb.bin")]
# Bootloader offsets from protocol.md §6.1.
BOOTLOADERS = {"esp32": (0x1000, "bootloader_esp32.bin"),
               "esp32c3": (0x0, "bootloader_esp32c3.bin")}


class Run:
    def __init__(self, args, rc, out, elapsed):
        self.args, self.rc, self.out, self.elapsed = args, rc, out, elapsed

    def describe(self):
        return "esptool.py %s\nexit %s after %.1f s\n%s" % (
            " ".join(self.args), self.rc, self.elapsed,
            "\n".join(self.out.strip().splitlines()[-15:]))


def esptool(sim, chip, stub, *args, after=None, timeout=300):
    # A socket has no reset lines: the chip already waits in download mode.
    if after is None:
        after = "no_reset_stub" if stub else "no_reset"
    argv = ["--chip", chip, "--port", sim.url, "--before", "no_reset", "--after", after]
    if not stub:
        argv.append("--no-stub")
    argv += list(args)
    start = time.monotonic()
    try:
        proc = subprocess.run([PYTHON, ESPTOOL] + argv, capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        rc, out = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as e:
        rc, out = "timeout", (e.stdout or b"") + (e.stderr or b"")
    return Run(argv, rc, out.decode(errors="replace"), time.monotonic() - start)


def pairs(layout):
    out = []
    for address, name in layout:
        out += ["0x%x" % address, simlib.image(name)]
    return out


def span_of(layout):
    start = min(a for a, _ in layout)
    end = max(a + len(padded(read_image(n))) for a, n in layout)
    buf = bytearray(b"\xff" * (end - start))
    for a, n in layout:
        data = padded(read_image(n))
        buf[a - start:a - start + len(data)] = data
    return start, bytes(buf)


def check(chip, index, stub):
    label = "%s %s" % (chip, "stub" if stub else "rom")
    mac = "24:0a:c4:e5:70:%02x" % index
    with Sim(chip, "--mac", mac, "--flash-size", "4MB") as sim:
        r = esptool(sim, chip, stub, "flash_id")
        tap.ok(r.rc == 0 and "Detected flash size: 4MB" in r.out and
               re.search(r"Manufacturer: [0-9a-f]{2}", r.out) is not None,
               "%s: esptool flash_id" % label, r.describe())
        tap.ok(("MAC: %s" % mac) in r.out, "%s: esptool reads MAC %s" % (label, mac),
               r.describe())
        if stub:
            tap.ok("Stub running" in r.out, "%s: esptool's stub runs on the sim" % label,
                   r.describe())

        layout = list(COMPRESSED)
        if chip in BOOTLOADERS:
            layout.insert(0, BOOTLOADERS[chip])
        # -z: esptool 4.8.1 sends plain data to a ROM unless told to compress.
        r = esptool(sim, chip, stub, "write_flash", "-z", *pairs(layout))
        tap.ok(r.rc == 0 and r.out.count("Hash of data verified.") == len(layout) and
               "compressed" in r.out,
               "%s: esptool write_flash (compressed) of %d files, all verified" %
               (label, len(layout)), r.describe())
        for a, n in layout:
            data = padded(read_image(n))
            tap.ok(sim.dump_flash(a, len(data)) == data, "%s: %s at 0x%x in flash" % (label, n, a))

        r = esptool(sim, chip, stub, "write_flash", "-u", *pairs(UNCOMPRESSED))
        tap.ok(r.rc == 0 and r.out.count("Hash of data verified.") == len(UNCOMPRESSED),
               "%s: esptool write_flash -u (uncompressed), all verified" % label, r.describe())
        start, want = span_of(UNCOMPRESSED)
        got = sim.dump_flash(start, len(want))
        tap.ok(got == want, "%s: the uncompressed files in flash" % label)

        r = esptool(sim, chip, stub, "verify_flash", *pairs(layout + UNCOMPRESSED))
        tap.ok(r.rc == 0 and r.out.count("verify OK") == len(layout) + len(UNCOMPRESSED),
               "%s: esptool verify_flash" % label, r.describe())

        start, want = span_of(COMPRESSED)
        out = os.path.join(TMP, "%s-%d.bin" % (chip, stub))
        r = esptool(sim, chip, stub, "read_flash", "0x%x" % start, "0x%x" % len(want), out)
        got = b""
        if r.rc == 0 and os.path.exists(out):
            with open(out, "rb") as f:
                got = f.read()
        tap.ok(r.rc == 0 and got == want, "%s: esptool read_flash returns the files" % label,
               r.describe())

        # esptool's --after no_reset: the stub goes back to the ROM loader (§7.4).
        if stub:
            r = esptool(sim, chip, stub, "chip_id", after="no_reset")
            tap.ok(r.rc == 0, "%s: esptool chip_id --after no_reset" % label, r.describe())
            deadline = time.monotonic() + 1.0
            state = sim.state()
            while state != "rom-loader" and time.monotonic() < deadline:
                time.sleep(0.05)
                state = sim.state()
            tap.ok(state == "rom-loader",
                   "%s: after esptool's --after no_reset the ROM loader waits (state %s)" %
                   (label, state), "\n".join(sim.events()[-5:]))


for index, chip in enumerate(("esp32", "esp32s3", "esp32c3")):
    for stub in (True, False):
        try:
            check(chip, index * 2 + int(stub), stub)
        except SimError as e:
            tap.ok(False, "%s: simulator control" % chip, str(e))

tap.finish()
