#!/usr/bin/python3
# test_esptool_js.py: esptool-js — a real client nobody here wrote — against
# esplash-sim. Its own Transport and ESPLoader (SLIP reader, command matching,
# chip detection, stub upload, writeFlash, MD5 check) run under node on a TCP
# stand-in for the Web Serial port (esptool-js/tcp-serial.mjs); this script
# checks what esptool-js reports against what the sim was told to model, and
# the sim's flash against the written files, byte for byte. Over raw TCP with
# --before no_reset for seven chips, ROM and stub; over RFC 2217 once with
# esptool-js's classic DTR/RTS reset and once with its USB-Serial/JTAG reset.
#
# esptool-js is installed by scripts/dev.sh (npm ci in tests/integration/esptool-js,
# pinned by its package-lock.json). Missing, it fails: it is never skipped.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from simlib import CHIP_NAMES, Sim, SimError, Tap, padded, read_image  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
EJS_DIR = os.environ.get("ESPTOOL_JS_DIR") or os.path.join(HERE, "esptool-js")
DRIVER = os.path.join(EJS_DIR, "esptool-js-check.mjs")
EJS_VERSION = "0.7.0"

CHIPS = ["esp32", "esp32s2", "esp32s3", "esp32c3", "esp32c6", "esp32h2", "esp8266"]
# What the sim's flash answers to RDID (--flash-id, W0 order): a different
# maker per chip, capacity byte 0x16 (4 MB) to match --flash-size.
FLASH_IDS = {"esp32": 0x1640EF, "esp32s2": 0x1640C8, "esp32s3": 0x164020, "esp32c3": 0x16605E,
             "esp32c6": 0x1640A1, "esp32h2": 0x164068, "esp8266": 0x16401C}
# Real bootloaders at each chip's bootloader offset (protocol.md §6.1).
BOOTLOADERS = {"esp32": (0x1000, "bootloader_esp32.bin"),
               "esp32c3": (0x0, "bootloader_esp32c3.bin"),
               "esp8266": (0x0, "bootloader_esp8266.bin")}
STUB_BAUD = 460800

tap = Tap()
TMP = tempfile.mkdtemp(prefix="esplash-esptool-js-")
atexit.register(shutil.rmtree, TMP, True)


def fail_all(name, why):
    tap.ok(False, name, why)
    tap.finish()


node = os.environ.get("NODE") or shutil.which("node")
if not simlib.sim_path() or not os.access(simlib.sim_path(), os.X_OK):
    fail_all("esplash-sim is built", "ESPLASH_SIM not set or not executable")
if node is None:
    fail_all("node is installed", "no node on PATH: scripts/dev.sh installs npm (and node)")
try:
    with open(os.path.join(EJS_DIR, "node_modules", "esptool-js", "package.json")) as f:
        installed = json.load(f).get("version")
except (OSError, ValueError) as e:
    fail_all("esptool-js is installed", "%s\nrun scripts/dev.sh, or npm ci in %s" % (e, EJS_DIR))
if not tap.ok(installed == EJS_VERSION,
              "esptool-js %s is installed (%s)" % (EJS_VERSION, installed),
              "npm ci in %s installs the pinned version" % EJS_DIR):
    tap.finish()

# Files: real images, and random ones so that nothing can pass by accident.
files = {}
for name in ("one_kb.bin", "not_4_byte_aligned.bin", "fifty_kb.bin", "sector.bin",
             "bootloader_esp32.bin", "bootloader_esp32c3.bin", "bootloader_esp8266.bin"):
    files[name] = simlib.image(name)
for name, size in (("random-a.bin", 100 * 1024 + 1), ("random-b.bin", 100 * 1024 + 3)):
    files[name] = os.path.join(TMP, name)
    with open(files[name], "wb") as f:
        f.write(os.urandom(size))
# Old contents: 0x00, so that a write which was not preceded by the right
# erase shows in the dump (on NOR flash a write only clears bits).
OLD = os.path.join(TMP, "old-flash.bin")
with open(OLD, "wb") as f:
    f.write(bytes(0x100000))

COMPRESSED = [(0x10000, "one_kb.bin"), (0x20000, "not_4_byte_aligned.bin"),
              (0x30000, "fifty_kb.bin"), (0x40000, "random-a.bin")]
UNCOMPRESSED = [(0x60000, "sector.bin"), (0x70000, "not_4_byte_aligned.bin"),
                (0x80000, "random-b.bin")]


def data_of(name):
    with open(files[name], "rb") as f:
        return f.read()


def md5_of(name):
    return hashlib.md5(padded(data_of(name))).hexdigest()


def entries(layout):
    return [{"address": a, "path": files[n]} for a, n in layout]


def run_driver(plan, timeout=120):
    path = os.path.join(TMP, "plan.json")
    with open(path, "w") as f:
        json.dump(plan, f)
    start = time.monotonic()
    try:
        proc = subprocess.run([node, DRIVER, path], capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, cwd=EJS_DIR)
        rc, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = "timeout", e.stdout or b"", e.stderr or b""
    out, err = out.decode(errors="replace"), err.decode(errors="replace")
    result = None
    for line in out.splitlines():
        if line.startswith("ESPTOOL_JS_RESULT "):
            result = json.loads(line[len("ESPTOOL_JS_RESULT "):])
    describe = "node esptool-js-check.mjs: exit %s after %.1f s\n%s" % (
        rc, time.monotonic() - start, "\n".join(err.strip().splitlines()[-25:]))
    return result, describe


def rom_refused(error):
    """The ROM's answer to a command it does not have: status 1, error 0x05
    (received message has invalid format). esptool-js reports it as
    UnsupportedCommandError when the reply's opcode is not the request's,
    as ESPError "... status 1,5" when it is."""
    return error is not None and (error.get("type") == "UnsupportedCommandError" or
                                  "status 1,5" in error.get("message", ""))


def check(chip, index, stub):
    label = "%s %s" % (chip, "stub" if stub else "rom")
    mac = "24:0a:c4:e5:71:%02x" % index
    esp8266_rom = chip == "esp8266" and not stub
    compressed = list(COMPRESSED)
    uncompressed = list(UNCOMPRESSED)
    if chip in BOOTLOADERS:
        compressed.insert(0, BOOTLOADERS[chip])
    if esp8266_rom:
        # The ESP8266 ROM has no FLASH_DEFL_* (esptool: @stub_and_esp32_function_only),
        # but esptool-js's writeFlash sends them whenever compress is true: try
        # once, expect the refusal, write everything plainly.
        refused_try = [(0x10000, "one_kb.bin")]
        uncompressed = compressed + uncompressed
        compressed = []
    # esptool-js 0.7.0 turns the ROM's MD5 reply (32 hex characters) into 64
    # hex digits (flashMd5sum: toHex of the reply), so its own verification can
    # only pass with the stub; for a ROM this script checks the reply itself.
    def write(compress, layout, verify=stub, md5=not stub):
        return {"compress": compress, "verify": verify, "md5": md5, "files": entries(layout)}

    if esp8266_rom:
        writes = [write(True, refused_try, verify=False, md5=False), write(False, uncompressed)]
    else:
        writes = [write(True, compressed), write(False, uncompressed)]
    random_a = len(data_of("random-a.bin"))
    plan = {"stub": stub, "baudrate": STUB_BAUD if stub else 115200, "writes": writes,
            "read_back": [{"address": 0x40000, "size": random_a}] if stub else []}

    with Sim(chip, "--mac", mac, "--flash-size", "4MB", "--flash-id", "%06x" % FLASH_IDS[chip],
             "--flash-file", OLD) as sim:
        plan["port"] = sim.port
        r, describe = run_driver(plan)
        if not tap.ok(r is not None and "connect" in r["steps"],
                      "%s: esptool-js connects (no_reset)" % label,
                      describe + ("\n" + json.dumps(r.get("error")) if r else "")):
            return
        tap.ok(r["chip"] == CHIP_NAMES[chip], "%s: esptool-js detects %s (%s)" %
               (label, CHIP_NAMES[chip], r.get("description")), describe)
        commands = [e for e in sim.events() if e.startswith("command ")]
        tap.ok(not r["detect_retried"],
               "%s: detected at the first try (no reconnect after GET_SECURITY_INFO)" % label,
               "esptool-js: %s\nsim: %s" % (" | ".join(l.strip() for l in r.get("log_head", [])
                                                        if l.strip()), ", ".join(commands[:6])))
        tap.ok(r["is_stub"] == stub, "%s: esptool-js %s" %
               (label, "uploaded and runs the stub" if stub else "stays with the ROM"), describe)
        tap.ok(r.get("mac") == mac, "%s: MAC %s (read %s)" % (label, mac, r.get("mac")), describe)
        tap.ok(r.get("flash_id") == FLASH_IDS[chip] and r.get("flash_size") == "4MB",
               "%s: flash id 0x%06x, 4MB (read %s, %s)" %
               (label, FLASH_IDS[chip], "0x%06x" % r["flash_id"] if "flash_id" in r else None,
                r.get("flash_size")), describe)
        if r.get("error"):
            tap.diag("%s: esptool-js stopped at %s" % (label, json.dumps(r["error"])))

        done = r.get("writes", [])
        for i, w in enumerate(writes):
            got = done[i] if i < len(done) else {"error": {"message": "not reached"}}
            kind = "compressed" if w["compress"] else "uncompressed"
            layout = compressed if w["compress"] else uncompressed
            n = len(w["files"])
            if esp8266_rom and w["compress"]:
                tap.ok(rom_refused(got.get("error")),
                       "%s: the ROM refuses esptool-js's compressed write (no FLASH_DEFL_BEGIN "
                       "on ESP8266)" % label, json.dumps(got))
                continue
            tap.ok("error" not in got, "%s: esptool-js writeFlash (%s) of %d files" %
                   (label, kind, n), describe + "\n" + json.dumps(got.get("error")))
            if w["verify"]:
                tap.ok(got.get("verified") == n, "%s: esptool-js verified the MD5 of all %d "
                       "(%s)" % (label, n, kind), json.dumps(got))
            if w["md5"]:
                sums = got.get("md5", [])
                bad = []
                for j, (address, name) in enumerate(layout):
                    s = sums[j] if j < len(sums) else {}
                    if esp8266_rom:
                        ok = rom_refused(s.get("error"))
                    else:
                        # toHex of 32 ASCII hex characters: decode back to the text.
                        try:
                            ok = bytes.fromhex(s.get("value", "")).decode("ascii") == md5_of(name)
                        except ValueError:
                            ok = False
                    if not ok:
                        bad.append("%s at 0x%x: %s (want %s)" % (name, address, json.dumps(s),
                                                                 md5_of(name)))
                if esp8266_rom:
                    what = "the ROM refuses SPI_FLASH_MD5 for all %d (not on ESP8266)" % n
                else:
                    what = "the ROM's MD5 of all %d is its 32-character hex text" % n
                tap.ok(not bad, "%s: %s (%s)" % (label, what, kind), "\n".join(bad))

        bad = []
        for address, name in compressed + uncompressed:
            want = padded(data_of(name))
            got = sim.dump_flash(address, len(want))
            if got != want:
                first = next((k for k in range(len(want)) if got[k:k + 1] != want[k:k + 1]), None)
                bad.append("%s at 0x%x: first difference at +0x%x" % (name, address, first))
        tap.ok(not bad, "%s: all %d files in the sim's flash, byte for byte" %
               (label, len(compressed + uncompressed)), "\n".join(bad))

        if stub:
            back = r.get("read_back") or [{}]
            tap.ok(back[0].get("md5") == hashlib.md5(data_of("random-a.bin")).hexdigest(),
                   "%s: esptool-js readFlash returns random-a.bin" % label, json.dumps(back))
            tap.ok("chip-baud %d" % STUB_BAUD in sim.events(),
                   "%s: esptool-js changed the baud rate to %d" % (label, STUB_BAUD), describe)
        tap.ok("after" in r["steps"], "%s: esptool-js leaves (%s)" %
               (label, "no_reset_stub" if stub else "no_reset"), describe)
        state = sim.state()
        tap.ok(state == ("stub" if stub else "rom-loader"),
               "%s: the sim is in the %s (state %s)" %
               (label, "stub" if stub else "ROM loader", state))


def check_reset(chip, console, cause, index):
    """RFC 2217: the board booted from flash at power-on; esptool-js's own
    reset sequence (classic DTR/RTS for a UART bridge, its USB-Serial/JTAG
    one when the port has Espressif's VID/PID) must bring up the ROM loader."""
    label = "%s %s rfc2217" % (chip, console)
    usb_jtag = console == "usb-jtag"
    layout = [(0x10000, "one_kb.bin"), (0x40000, "random-a.bin")]
    plan = {"stub": True, "baudrate": STUB_BAUD, "rfc2217": True, "usb_jtag": usb_jtag,
            "before": "default_reset",
            "writes": [{"compress": True, "verify": True, "md5": False, "files": entries(layout)}]}
    with Sim(chip, "--console", console, "--mac", "24:0a:c4:e5:72:%02x" % index,
             "--flash-file", OLD, rfc2217=True) as sim:
        state = sim.state()
        tap.ok(state != "rom-loader", "%s: booted from flash at power-on (state %s)" %
               (label, state))
        plan["port"] = sim.port
        r, describe = run_driver(plan)
        events = sim.events()
        tap.ok(r is not None and r.get("chip") == CHIP_NAMES[chip] and r.get("is_stub"),
               "%s: esptool-js resets (default_reset), detects %s, runs the stub" %
               (label, CHIP_NAMES[chip]), describe + "\n" + "\n".join(events[-12:]))
        resets = [e for e in events if e.startswith("reset ") and "power-on" not in e]
        tap.ok(bool(resets) and resets[0].startswith("reset %s " % cause) and
               resets[0].endswith(" download"),
               "%s: its reset sequence is the %s reset into download mode (%s)" %
               (label, cause, resets[0] if resets else "no reset"), "\n".join(events[:20]))
        w = (r or {}).get("writes") or [{}]
        tap.ok(w[0].get("verified") == len(layout), "%s: esptool-js writeFlash, MD5 verified" %
               label, json.dumps(w[0]))
        bad = [n for a, n in layout if sim.dump_flash(a, len(padded(data_of(n)))) !=
               padded(data_of(n))]
        tap.ok(not bad, "%s: the files in the sim's flash, byte for byte" % label, ", ".join(bad))
        tap.ok("host-baud %d" % STUB_BAUD in events and "chip-baud %d" % STUB_BAUD in events,
               "%s: the baud change reached both ends (SET-BAUDRATE and CHANGE_BAUDRATE)" % label,
               "\n".join(e for e in events if "baud" in e))


for index, chip in enumerate(CHIPS):
    for stub in (False, True):
        try:
            check(chip, index * 2 + int(stub), stub)
        except SimError as e:
            tap.ok(False, "%s: simulator control" % chip, str(e))
for index, (chip, console, cause) in enumerate((("esp32", "uart", "en-pin"),
                                               ("esp32c3", "usb-jtag", "usb-jtag"))):
    try:
        check_reset(chip, console, cause, index)
    except SimError as e:
        tap.ok(False, "%s %s rfc2217: simulator control" % (chip, console), str(e))

tap.finish()
