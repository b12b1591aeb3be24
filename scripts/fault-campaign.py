#!/usr/bin/python3
# fault-campaign.py: the fault campaign (issue 11) — N flashes with esplash-cli
# against esplash-sim, each with one random fault, and a check of the chip's
# flash after every one.
#
# Per run, from a seeded RNG (run I of seed S is the same on every machine):
# a chip (esp32, esp32s3, esp32c3, esp8266), the ROM loader or the flasher
# stub, compressed or plain (the ESP8266 ROM: plain), an image set (a
# firmware-like app of 64-200 KiB at 0x10000, sometimes a second region), what
# the flash holds before (erased, an older version of the images, garbage)
# and one fault:
#
#   drop, corrupt      esplash-sim --fault drop|corrupt --fault-every N: every
#                      N-th byte to the host lost or XORed; N from the bytes the
#                      same run sends without the fault, so it sees 1-5 faults
#   stall, disconnect  --fault-after K: no answer / the port goes after command
#                      K, K anywhere in the run's command sequence
#   wrong-status-len   --fault wrong-status-len: every reply's status field has
#                      the other length (ROM 2 <-> 4, stub 4)
#   overspeed          --max-baud below the rate esplash-cli asks for: one byte
#                      in 64 wrong, both ways (the only fault on the way to the chip)
#   reset              `press-reset` on the simulator's stdin when command K
#                      arrives (mostly a write command), BOOT held or not
#   usb-reenum         `unplug` at command K, `power-cycle` 50-1000 ms later:
#                      the port vanishes and comes back with the chip reset
#                      (ESP32-S3/C3 on their USB-Serial/JTAG console; over raw
#                      TCP the same socket:// address comes back, see
#                      docs/reliability.md)
#   late               a proxy between esplash-cli and the simulator holds the
#                      chip's output for 0.3-6 s from command K on, then
#                      delivers it (esplash-sim has no such fault)
#
# The fault kinds that act at a moment (reset, usb-reenum, late) run the
# simulator with --timing, so that the write takes seconds and command K is a
# moment in it. Every run is preceded by the same flash without the fault
# (the calibration: its command list and byte count choose K and N; it is
# checked like any run and counted in the table's "no fault" row).
#
# Verdicts: exit 0 is a success, and the flash must then hold exactly the
# images (0xFF-padded to 4 bytes), with nothing outside the sectors they
# touch changed — else a FALSE SUCCESS. A success whose --verbose log shows
# more retries, dropped/stale frames or resets than the calibration's is
# "recovered". Exit != 0 must come with a --json diagnosis object whose id is
# not "unknown" — else an UNDIAGNOSED failure (so is a hang). A diagnosis
# that blames a cause the fault does not have is listed as doubtful (it
# still counts as a diagnosis). The program exits 1 on any false success
# (with or without a fault) or undiagnosed failure, or a failed flash
# without a fault; 0 otherwise.
#
#   scripts/fault-campaign.py [--runs N] [--seed S] [--jobs J] [--json]
#   scripts/fault-campaign.py --seed S --only I --verbose     # one run again, with its logs
#
# --client esptool: the very same runs (seed, plans, images, flash before,
# simulator options, faults, trigger moments) with esptool.py v4.8.1 instead
# of esplash-cli, for a like-for-like comparison. esptool is not part of this
# project: --esptool PATH (or ESPTOOL; default /opt/esptool-4.8.1/esptool.py),
# run by ESPTOOL_PYTHON or the first of this interpreter and /usr/bin/python3
# that can run it (it needs pyserial, bitstring, cryptography, ecdsa, PyYAML,
# intelhex). The arguments: --chip C -p URL -b BAUD --before default_reset
# (rfc2217://) or no_reset (socket://) --after no_reset [--no-stub]
# write_flash --flash_mode keep --flash_freq keep --flash_size keep -z|-u
# OFFSET FILE... Its own clean run is the calibration (K and N come from
# esptool's command sequence, which differs from esplash-cli's). Over
# rfc2217:// BOOT is held down all run long (see holds_boot(): esptool's
# DTR/RTS reset cannot reach the loader through pyserial's RFC 2217 client;
# the reset and usb-reenum faults still restart the chip as planned). esptool
# logs a retried block only with --trace (a hex dump of every packet, which
# slows it down), so it runs under a small wrapper that prints just that
# trace line ("Block write failed, retrying with N attempts left") and
# changes nothing else. Verdicts: success, recovered (exit 0, and more
# block retries, "Lost connection, retrying" or failed SYNC attempts (the
# dots of "Connecting...") than its calibration), FALSE SUCCESS (exit 0,
# flash wrong), failed (exit != 0 or a hang: esptool gives no diagnosis, so
# there is nothing to grade). With esptool the program exits 1 only on a
# false success (or --min-ok).
#
# Python 3 standard library only; reuses tests/integration/simlib.py.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import concurrent.futures
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import simlib  # noqa: E402
from simlib import Sim, SimError  # noqa: E402

SECTOR = 0x1000
FLASH_SIZE = 4 * 1024 * 1024
APP_OFFSET = 0x10000
CHIPS = ["esp32", "esp32s3", "esp32c3", "esp8266"]
KINDS = ["drop", "corrupt", "stall", "disconnect", "wrong-status-len", "overspeed",
         "reset", "usb-reenum", "late"]
TIMED_KINDS = {"reset", "usb-reenum", "late"}
WRITE_COMMANDS = {"FLASH_DATA", "FLASH_DEFL_DATA", "FLASH_ENCRYPT_DATA"}
CLI_TIMEOUT_S = 180
# Diagnoses that fit what each fault does to the line; another one still
# counts as a diagnosis, but is listed as doubtful (it sends the user after
# the wrong cause).
# verify-mismatch fits wherever the flash really is wrong afterwards (a
# retried block the stub had taken already, a reset mid-write), and is
# doubtful when the flash is right.
_GARBLED = {"stall-mid-write", "no-sync-reply", "wrong-baud", "verify-mismatch", "silent-line",
            "line-damaged"}
PLAUSIBLE = {
    "drop": _GARBLED, "corrupt": _GARBLED, "overspeed": _GARBLED,
    "stall": {"stall-mid-write", "no-sync-reply", "silent-line"},
    "disconnect": {"port-gone", "usb-reenumerating"},
    "wrong-status-len": {"stall-mid-write", "no-sync-reply"},
    "reset": {"stall-mid-write", "normal-boot", "app-crash", "no-sync-reply", "silent-line",
              "verify-mismatch", "chip-reset-mid-write"},
    "usb-reenum": {"port-gone", "usb-reenumerating", "chip-reset-mid-write"},
    "late": {"stall-mid-write", "silent-line", "no-sync-reply", "verify-mismatch",
             "line-damaged"},
}
# esplash-cli's log lines that show it had to work around something; a
# success with more of them than the same flash without the fault is a
# recovery.
RECOVERY_RE = re.compile(r"retrying|retry|dropped|stale|came after|timed out|resetting|"
                         r"again|attempt|resuming|going down", re.IGNORECASE)

CLIENTS = ["esplash", "esptool"]
ESPTOOL_DEFAULT = "/opt/esptool-4.8.1/esptool.py"
ESPTOOL_VERSION = "4.8.1"
# esptool's lines that show it worked around something (with the wrapper's
# "[retry]" line for a retried block, logged by esptool only with --trace)
ESPTOOL_RECOVERY_RE = re.compile(r"retrying|Retrying")
# "Connecting..." and then one "." per failed SYNC attempt, on that line or
# (after the "Device PID identification ..." note) on a line of their own
ESPTOOL_CONNECT_RE = re.compile(r"^(?:Connecting\.\.\.)?([._]*)$")
# Runs esptool.py exactly as `python3 esptool.py ARGS` would, but prints the
# one trace message of a retried block write (flash_block,
# flash_defl_block: "Block write failed, retrying with N attempts left")
# without turning on --trace. No other change.
ESPTOOL_WRAPPER = r'''
import os, sys
script = os.path.abspath(sys.argv[1])
sys.argv = [script] + sys.argv[2:]
sys.path.insert(0, os.path.dirname(script))
import esptool.loader
_trace = esptool.loader.ESPLoader.trace
def trace(self, message, *args):
    if "retrying" in message:
        print("[retry] " + ((message % args) if args else message), flush=True)
    return _trace(self, message, *args)
esptool.loader.ESPLoader.trace = trace
import esptool
esptool._main()
'''


class ClientResult(simlib.Result):
    def describe(self):
        tail = lambda s: "\n".join(s.strip().splitlines()[-12:])
        return "%s\nexit %s after %.1f s\nstdout: %s\nstderr: %s" % (
            " ".join(self.args), self.rc, self.elapsed, tail(self.out), tail(self.err))


class Client:
    """What runs the flash: esplash-cli (the default) or esptool."""

    def __init__(self, name, esptool=None, python=None, version=None):
        self.name, self.esptool, self.python, self.version = name, esptool, python, version
        self.label = "esplash-cli" if name == "esplash" else "esptool v%s" % version

    def args(self, plan, url, paths):
        if self.name == "esplash":
            return cli_args(plan, url, paths)
        return esptool_args(plan, url, paths)

    def run(self, args, timeout=CLI_TIMEOUT_S):
        if self.name == "esplash":
            return simlib.run_cli(*args, timeout=timeout)
        argv = [self.python, "-c", ESPTOOL_WRAPPER, self.esptool] + [str(a) for a in args]
        start = time.monotonic()
        try:
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=timeout)
            rc, out, err = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = "timeout", e.stdout or b"", e.stderr or b""
        shown = [self.python, self.esptool] + [str(a) for a in args]
        return ClientResult(shown, rc, out.decode("utf-8", "replace"),
                            err.decode("utf-8", "replace"), time.monotonic() - start)

    def signal_lines(self, r):
        """The lines that show a workaround (compared with the calibration's)."""
        if self.name == "esplash":
            return [m for m in log_messages(parse_json_lines(r.out)) if RECOVERY_RE.search(m)]
        lines = []
        for line in (r.out + "\n" + r.err).splitlines():
            line = line.strip()
            m = ESPTOOL_CONNECT_RE.match(line)
            if m and line:
                lines += ["failed SYNC attempt while connecting"] * len(m.group(1))
            elif ESPTOOL_RECOVERY_RE.search(line):
                lines.append(line)
        return lines

    def error(self, r):
        """esptool's last error line (or the last line it printed)."""
        text = r.out + "\n" + r.err
        m = re.findall(r"A (fatal|serial exception) error occurred: (.*)", text)
        if m:
            kind, message = m[-1]
            return ("pySerial: " if kind != "fatal" else "") + message.strip()
        lines = [l.strip() for l in text.splitlines() if l.strip()]
        return lines[-1] if lines else "(no output)"

    def context(self, r):
        """Where esptool was when it failed: its last line of progress before
        the error, the calls of a Python traceback (StopIteration: a read
        from a SLIP reader an earlier error had ended), the block retries."""
        text = r.out + "\n" + r.err
        lines = text.splitlines()
        end = max([i for i, l in enumerate(lines)
                   if l.startswith(("A fatal error", "A serial exception error"))] or
                  [len(lines)])
        step = ""
        for l in reversed(lines[:end]):
            t = l.strip()
            if (not t or l.startswith(" ") or t.startswith(("Traceback", "^", "[retry]")) or
                    re.match(r"^\w+(Error|Exception|Iteration)\b", t)):
                continue
            step = t
            break
        frames = [f for f in re.findall(r"line \d+, in (\w+)", text)
                  if f not in ("_main", "main", "<module>")]
        parts = ["after: " + step] if step else []
        if frames:
            tb = re.findall(r"^(\w+(?:Error|Exception|Iteration)\b.*)$", text, re.MULTILINE)
            parts.append("%s in %s" % (tb[-1] if tb else "traceback", " > ".join(frames)))
        retries = sum(1 for l in lines if l.startswith("[retry]"))
        if retries:
            parts.append("%d block retr%s" % (retries, "y" if retries == 1 else "ies"))
        if "Lost connection, retrying" in text:
            parts.append("reconnected %d time(s)" % text.count("Lost connection, retrying"))
        return "; ".join(parts)


def esptool_args(plan, url, paths):
    args = ["--chip", plan["chip"], "-p", url, "-b", str(plan["baud"]),
            "--before", "default_reset" if url.startswith("rfc2217:") else "no_reset",
            "--after", "no_reset"]
    if plan["loader"] == "rom":
        args.append("--no-stub")
    args += ["write_flash", "--flash_mode", "keep", "--flash_freq", "keep",
             "--flash_size", "keep", "-z" if plan["compress"] else "-u"]
    for (off, _), path in zip(plan["images"], paths):
        args += ["0x%x" % off, path]
    return args


def find_esptool(path):
    """(python, version) that run esptool.py at @path, or exits."""
    if not os.path.isfile(path):
        sys.exit("fault-campaign: no esptool.py at %s (--esptool PATH or ESPTOOL)" % path)
    pythons = ([os.environ["ESPTOOL_PYTHON"]] if os.environ.get("ESPTOOL_PYTHON") else
               [sys.executable, "/usr/bin/python3"])
    tried = []
    for py in pythons:
        try:
            p = subprocess.run([py, path, "version"], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            tried.append("%s: %s" % (py, e))
            continue
        text = p.stdout.decode("utf-8", "replace")
        m = re.search(r"esptool\.py v(\S+)", text)
        if p.returncode == 0 and m:
            if m.group(1) != ESPTOOL_VERSION:
                sys.stderr.write("fault-campaign: warning: %s is esptool v%s, not v%s\n"
                                 % (path, m.group(1), ESPTOOL_VERSION))
            return py, m.group(1)
        err = (p.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
        tried.append("%s: %s" % (py, err))
    sys.exit("fault-campaign: cannot run %s (%s); it needs python3-serial python3-bitstring "
             "python3-cryptography python3-ecdsa python3-yaml python3-intelhex, or set "
             "ESPTOOL_PYTHON" % (path, "; ".join(tried)))


# ---------------------------------------------------------------------------
# Images: deterministic, firmware-like (bench.py's generator, ~58 % with zlib)

def firmware_bytes(n, rng):
    return simlib.firmware_bytes(n, rng, vocab_size=1024, mean_word=100)


def sectors_of(offset, length):
    return range(offset // SECTOR, (offset + length + SECTOR - 1) // SECTOR)


# ---------------------------------------------------------------------------
# The plan of one run: everything drawn from its own RNG before anything runs

def plan_run(seed, index, kinds):
    rng = random.Random("esplash-fault-campaign/%d/%d" % (seed, index))
    chip = rng.choice(CHIPS)
    stub = rng.random() < 0.5
    compress = rng.random() < 0.5 and (stub or chip != "esp8266")
    kind = rng.choice(kinds)
    app_size = rng.randint(64 * 1024, 200 * 1024)
    if kind in TIMED_KINDS and chip == "esp8266" and not stub:
        # the ESP8266 ROM stays at 115200: under --timing 200 KiB take 20 s
        app_size = 64 * 1024 + (app_size - 64 * 1024) // 8
    if rng.random() < 0.5:
        app_size &= ~3
    regions = [(APP_OFFSET, app_size)]
    if rng.random() < 0.35:
        # a second region: a data partition somewhere above the app
        offset = rng.randrange(0x40000, 0x180000, SECTOR)
        regions.append((offset, rng.randint(1024, 48 * 1024)))
    before = rng.choices(["erased", "older", "garbage"], weights=[5, 3, 2])[0]
    plan = {
        "index": index, "seed": seed, "chip": chip, "loader": "stub" if stub else "rom",
        "compress": compress, "regions": regions, "flash_before": before, "kind": kind,
        "image_seed": rng.getrandbits(32),
        # fractions mapped onto the calibration's counts later
        "u1": rng.random(), "u2": rng.random(), "u3": rng.random(),
        "boot_held": rng.random() < 0.5,
    }
    plan["timing"] = kind in TIMED_KINDS
    plan["baud"] = 921600 if plan["timing"] else 460800
    return plan


def build_images(plan):
    """[(offset, data)] and the flash contents before the run (bytes up to
    the last touched sector; the rest of the flash is erased)."""
    rng = random.Random(plan["image_seed"])
    images = [(off, firmware_bytes(size, rng)) for off, size in plan["regions"]]
    # Not a firmware image, partition table, Intel HEX or JSON by its first
    # byte: write-flash would check (and refuse) what such a file claims.
    images = [(off, (b"\x00" + d[1:]) if d[0] in b"\xe9\xea\xaa:{" else d)
              for off, d in images]
    end = max(off + len(d) for off, d in images)
    end = (end + SECTOR - 1) // SECTOR * SECTOR + SECTOR
    # the sectors right before and after each image: data of a neighbouring
    # partition (older, garbage), so that erasing one too many shows
    used = set()
    for off, d in images:
        used.update(sectors_of(off, len(d)))
    neighbours = set()
    for off, d in images:
        s = sectors_of(off, len(d))
        neighbours.update(x for x in (s.start - 1, s.stop) if x >= 0 and x not in used)
    before = plan["flash_before"]
    if before == "erased":
        initial = b""
    elif before == "garbage":
        initial = bytearray(rng.randbytes(end))
        # some sectors erased, as on a used chip
        for s in range(end // SECTOR):
            if rng.random() < 0.3 and s not in neighbours:
                initial[s * SECTOR:(s + 1) * SECTOR] = b"\xff" * SECTOR
        initial = bytes(initial)
    else:
        # an older version: the same images with some sectors changed, the
        # rest identical (what a reflash meets; write-flash skips those)
        initial = bytearray(b"\xff" * end)
        for off, data in images:
            initial[off:off + len(data)] = data
        for off, data in images:
            for s in sectors_of(off, len(data)):
                if rng.random() < 0.3:
                    a = s * SECTOR + rng.randrange(SECTOR)
                    initial[a] ^= rng.randrange(1, 256)
        for s in neighbours:
            initial[s * SECTOR:(s + 1) * SECTOR] = rng.randbytes(SECTOR)
        initial = bytes(initial)
    return images, initial


def check_flash(got, images, initial):
    """None when the flash is right, else what is wrong: each image exactly
    (0xFF-padded to 4 bytes); outside them, in the sectors they touch, the
    old bytes or 0xFF (erased); everywhere else the old bytes."""
    if len(got) != FLASH_SIZE:
        return "dump is %d bytes, expected %d" % (len(got), FLASH_SIZE)
    for off, data in images:
        want = simlib.padded(data)
        have = got[off:off + len(want)]
        if have != want:
            i = next(i for i in range(len(want)) if have[i] != want[i])
            bad = sum(1 for s in range(0, len(want), SECTOR)
                      if have[s:s + SECTOR] != want[s:s + SECTOR])
            return ("image at 0x%x: byte 0x%x is %02x, expected %02x (%d of %d sectors differ)"
                    % (off, off + i, have[i], want[i], bad, (len(want) + SECTOR - 1) // SECTOR))
    touched = set()
    covered = bytearray(FLASH_SIZE)   # 1 where an image lies
    for off, data in images:
        touched.update(sectors_of(off, len(simlib.padded(data))))
        covered[off:off + len(simlib.padded(data))] = b"\x01" * len(simlib.padded(data))
    old = initial + b"\xff" * (FLASH_SIZE - len(initial))
    for s in range(FLASH_SIZE // SECTOR):
        a, b = s * SECTOR, (s + 1) * SECTOR
        if got[a:b] == old[a:b]:
            continue
        for i in range(a, b):
            if covered[i] or got[i] == old[i]:
                continue
            if s in touched and got[i] == 0xFF:
                continue
            return ("byte 0x%x outside the images changed: %02x, was %02x%s"
                    % (i, got[i], old[i], "" if s in touched else " (a sector no image touches)"))
    return None


# ---------------------------------------------------------------------------
# Running

def write_file(directory, name, data):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def parse_json_lines(out):
    objs = []
    for line in out.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            objs.append(json.loads(line))
        except ValueError:
            objs.append({"type": "text", "message": line})
    return objs


def log_messages(objs):
    return [o.get("message", "") for o in objs if o.get("type") in ("log", "text")]


class EventTail:
    """Follows the simulator's --events file; fires @action once command
    number @k (1-based) has arrived."""

    def __init__(self, path, k, action):
        self.path, self.k, self.action = path, k, action
        self.stop = threading.Event()
        self.fired_at = None
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        seen = 0
        pos = 0
        buf = b""
        while not self.stop.is_set():
            try:
                with open(self.path, "rb") as f:
                    f.seek(pos)
                    chunk = f.read()
            except OSError:
                chunk = b""
            pos += len(chunk)
            buf += chunk
            *lines, buf = buf.split(b"\n")
            seen += sum(1 for l in lines if l.startswith(b"command "))
            if seen >= self.k:
                self.fired_at = time.monotonic()
                try:
                    self.action()
                except Exception as e:  # the simulator gone: recorded
                    self.error = str(e)
                return
            time.sleep(0.002)

    def close(self):
        self.stop.set()
        self.thread.join(timeout=15)


class LateProxy:
    """A TCP relay in front of the simulator (raw socket://). Once armed,
    the chip's output is held for @hold_s seconds and then delivered: a chip
    that answers late. The host's bytes always pass at once."""

    def __init__(self, port):
        self.target = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.url = "socket://127.0.0.1:%d" % self.port
        self.hold_until = None
        self.held_bytes = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = []
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)

    def arm(self, hold_s):
        with self.lock:
            self.hold_until = time.monotonic() + hold_s

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                client, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                client.close()
                continue
            for src, dst, hold in ((client, upstream, False), (upstream, client, True)):
                t = threading.Thread(target=self._pump, args=(src, dst, hold), daemon=True)
                t.start()
                self.threads.append(t)

    def _pump(self, src, dst, hold):
        src.settimeout(0.05)
        pending = b""
        try:
            while not self.stop.is_set():
                try:
                    data = src.recv(65536)
                    if not data:
                        break
                except socket.timeout:
                    data = b""
                pending += data
                if hold:
                    with self.lock:
                        until = self.hold_until
                    if until is not None and time.monotonic() < until:
                        self.held_bytes += len(data)
                        continue
                if pending:
                    dst.sendall(pending)
                    pending = b""
            if pending:
                if hold:
                    with self.lock:
                        until = self.hold_until
                    if until is not None:
                        time.sleep(max(0.0, until - time.monotonic()))
                dst.sendall(pending)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        self.sock.close()
        for t in self.threads:
            t.join(timeout=5)


def cli_args(plan, url, paths):
    args = ["--json", "--verbose", "-p", url, "-b", str(plan["baud"])]
    if plan["loader"] == "rom":
        args.append("--no-stub")
    args.append("write-flash")
    if not plan["compress"]:
        args.append("--no-compress")
    for (off, _), path in zip(plan["images"], paths):
        args += ["0x%x" % off, path]
    return args


def uses_rfc2217(plan):
    """A serial port as boards have it, with DTR/RTS to reset the chip
    (rfc2217://). Not behind the relay of a late answer: it would hold the
    RFC 2217 acknowledgements the client waits for too, which is no fault of
    the chip's (socket://, no reset lines, for those runs)."""
    return plan["kind"] != "late"


def holds_boot(plan, client):
    """Whether BOOT is held down all run long (esptool over rfc2217:// on the
    UART console). esptool's classic reset (DTR/RTS: EN low; then IO0 low and
    EN high together) cannot work over an RFC 2217 port: pyserial waits for
    the server's acknowledgement of each line change, polling every 50 ms,
    so the chip sees EN rise with IO0 still high and samples its strap (the
    simulator's EN capacitor: 5 ms) before IO0 goes low; it boots its flash
    and esptool never connects (esp_rfc2217_server.py, which resets the
    chip itself, exists for this). With BOOT held, every reset by the lines
    lands in the loader, as esptool's reset does on a local port. The
    `reset` and `usb-reenum` faults still set BOOT as their plan says while
    the chip restarts. The USB-Serial/JTAG console (usb-reenum, ESP32-S3/C3)
    latches the download request instead: esptool resets it itself."""
    return (client.name == "esptool" and uses_rfc2217(plan) and
            not (plan["kind"] == "usb-reenum" and plan["chip"] in ("esp32s3", "esp32c3")))


def sim_options(plan, workdir, events_path, fault=()):
    opts = ["--flash-size", "4MB", "--events", events_path]
    if plan["initial"]:
        opts += ["--flash-file", plan["initial_path"]]
    if plan["timing"]:
        opts.append("--timing")
    if plan["kind"] == "usb-reenum" and plan["chip"] in ("esp32s3", "esp32c3"):
        # the chip's own USB-Serial/JTAG port: the one that re-enumerates
        opts += ["--console", "usb-jtag"]
    return opts + list(fault)


def read_events(path):
    try:
        with open(path, "r", errors="replace") as f:
            return [l.rstrip("\n") for l in f]
    except OSError:
        return []


def calibrate(plan, workdir, paths, client):
    """The same flash without the fault (no --timing), by the same client:
    the commands it sends, the bytes the chip sends, and whether it works at
    all."""
    events_path = os.path.join(workdir, "calibration.events")
    p = dict(plan, timing=False)
    with Sim(plan["chip"], *sim_options(p, workdir, events_path),
             rfc2217=uses_rfc2217(plan)) as sim:
        if holds_boot(plan, client):
            sim.control("boot-held 1")
        r = client.run(client.args(p, sim.url, paths))
        stats = sim.control("stats")
        got = sim.dump_flash(0, FLASH_SIZE)
    c2h = int(re.search(r"chip-to-host=(\d+)", stats).group(1))
    commands = [l.split(" ", 1)[1] for l in read_events(events_path) if l.startswith("command ")]
    objs = parse_json_lines(r.out)
    if r.rc != 0:
        verdict = "failed"
        if client.name == "esplash":
            err = last_error(objs) or (r.err.strip().splitlines() or [""])[-1]
        else:
            err = client.error(r)
        problem = "exit %s: %s" % (r.rc, err)
    else:
        problem = check_flash(got, plan["images"], plan["initial"])
        verdict = "success" if problem is None else "false-success"
    signal_lines = client.signal_lines(r)
    return {"commands": commands, "c2h": c2h, "signals": len(signal_lines),
            "verdict": verdict, "signal_lines": signal_lines,
            "problem": problem, "elapsed": r.elapsed, "result": r}


def last_error(objs):
    errs = [o for o in objs if o.get("type") == "error"]
    return errs[-1].get("message", "") if errs else ""


def choose_fault(plan, cal):
    """The simulator options and trigger of @plan's fault, from the
    calibration's counts and the plan's fractions."""
    kind, u1, u2 = plan["kind"], plan["u1"], plan["u2"]
    n = max(1, len(cal["commands"]))
    writes = [i + 1 for i, c in enumerate(cal["commands"]) if c in WRITE_COMMANDS]

    def moment():
        # command K: a write command 4 times in 5, else any command
        if writes and u2 < 0.8:
            return writes[min(len(writes) - 1, int(u1 * len(writes)))]
        return 1 + min(n - 1, int(u1 * n))

    if kind in ("drop", "corrupt"):
        faults = 1 + int(u1 * 5)                     # 1..5 faults in the run
        every = max(4, cal["c2h"] // faults)
        # not the first bytes only: a random phase would need another option,
        # so vary N a little instead
        every = max(4, int(every * (0.7 + 0.3 * u2)))
        return {"sim": ["--fault", kind, "--fault-every", str(every)],
                "param": "every %d (~%d in %d bytes)" % (every, cal["c2h"] // every, cal["c2h"])}
    if kind in ("stall", "disconnect"):
        k = 1 + min(n - 1, int(u1 * n))
        return {"sim": ["--fault", kind, "--fault-after", str(k)],
                "param": "after command %d of %d (%s)" % (k, n, cal["commands"][k - 1]
                                                          if k <= len(cal["commands"]) else "?")}
    if kind == "wrong-status-len":
        return {"sim": ["--fault", "wrong-status-len"], "param": ""}
    if kind == "overspeed":
        limit = 230400 if plan["baud"] == 460800 else 460800
        if plan["chip"] == "esp8266" and plan["loader"] == "rom":
            # no CHANGE_BAUDRATE: a line that does not hold the 115200 of SYNC
            limit = 76800
        return {"sim": ["--max-baud", str(limit)],
                "param": "bridge holds %d, asked %d" % (limit, plan["baud"])}
    k = moment()
    what = cal["commands"][k - 1] if k <= len(cal["commands"]) else "?"
    if kind == "reset":
        return {"sim": [], "k": k, "boot_held": plan["boot_held"],
                "param": "RESET at command %d of %d (%s), BOOT %s" %
                         (k, n, what, "held" if plan["boot_held"] else "released")}
    if kind == "usb-reenum":
        gap = 0.05 + 0.95 * plan["u3"]
        return {"sim": [], "k": k, "gap": gap,
                "param": "unplugged at command %d of %d (%s), back after %d ms" %
                         (k, n, what, gap * 1000)}
    if kind == "late":
        hold = 0.3 + 5.7 * plan["u3"]
        return {"sim": [], "k": k, "hold": hold,
                "param": "output held %.1f s from command %d of %d (%s)" % (hold, k, n, what)}
    raise ValueError(kind)


def fault_hit(plan, fault, events, c2h, trigger):
    kind = plan["kind"]
    commands = [l for l in events if l.startswith("command ")]
    if kind in ("drop", "corrupt"):
        every = int(fault["sim"][3])
        return c2h // every
    if kind in ("stall", "disconnect"):
        k = int(fault["sim"][3])
        return 1 if len(commands) > k else 0
    if kind == "wrong-status-len":
        return 1
    if kind == "overspeed":
        limit = int(fault["sim"][1])
        return 1 if any(l.startswith("chip-baud ") and int(l.split()[1]) > limit
                        for l in events) or (limit < 115200 and commands) else 0
    return 1 if trigger is not None and trigger.fired_at is not None else 0


def run_one(plan, workdir, keep_logs, client):
    """Calibration, then the run with the fault; returns the run's record."""
    os.makedirs(workdir, exist_ok=True)
    images, initial = build_images(plan)
    plan["images"], plan["initial"] = images, initial
    paths = [write_file(workdir, "region-%x.bin" % off, data) for off, data in images]
    if initial:
        plan["initial_path"] = write_file(workdir, "flash-before.bin", initial)
    record = {k: plan[k] for k in ("index", "seed", "chip", "loader", "compress", "kind",
                                   "flash_before", "timing", "baud")}
    record["regions"] = ["0x%x+%d" % (off, len(d)) for off, d in images]

    cal = calibrate(plan, workdir, paths, client)
    record["calibration"] = {"verdict": cal["verdict"], "detail": cal["problem"] or ""}
    if cal["verdict"] == "failed":
        record.update(verdict="calibration-failed", detail=cal["problem"], param="",
                      elapsed=cal["elapsed"])
        if keep_logs:
            record["log"] = cal["result"].describe()
        return strip_workdir(record, workdir)
    # a clean run with the flash wrong is counted (its own row), and the run
    # with the fault goes on: it is checked the same way

    fault = choose_fault(plan, cal)
    record["param"] = fault["param"]
    events_path = os.path.join(workdir, "run.events")
    trigger = proxy = None
    with Sim(plan["chip"], *sim_options(plan, workdir, events_path, fault["sim"]),
             rfc2217=uses_rfc2217(plan)) as sim:
        url = sim.url
        hold = holds_boot(plan, client)
        if hold:
            sim.control("boot-held 1")
        if plan["kind"] == "late":
            proxy = LateProxy(sim.port)
            url = proxy.url
            trigger = EventTail(events_path, fault["k"], lambda: proxy.arm(fault["hold"]))
        elif plan["kind"] == "reset":
            def reset():
                # BOOT as the plan says while the strap is sampled (5 ms
                # after the press), then as it was
                if fault["boot_held"] != hold:
                    sim.control("boot-held %d" % fault["boot_held"])
                sim.control("press-reset")
                if fault["boot_held"] != hold:
                    time.sleep(0.05)
                    sim.control("boot-held %d" % hold)
            trigger = EventTail(events_path, fault["k"], reset)
        elif plan["kind"] == "usb-reenum":
            def reenumerate():
                sim.control("unplug")
                time.sleep(fault["gap"])
                if hold:
                    # the chip comes back booting its flash, as in every run
                    sim.control("boot-held 0")
                sim.control("power-cycle")
                if hold:
                    time.sleep(0.05)
                    sim.control("boot-held 1")
            trigger = EventTail(events_path, fault["k"], reenumerate)
        try:
            r = client.run(client.args(plan, url, paths))
        finally:
            if trigger is not None:
                trigger.close()
            if proxy is not None:
                proxy.close()
        stats = sim.control("stats")
        got = sim.dump_flash(0, FLASH_SIZE)
    c2h = int(re.search(r"chip-to-host=(\d+)", stats).group(1))
    events = read_events(events_path)
    objs = parse_json_lines(r.out)
    record["hits"] = fault_hit(plan, fault, events, c2h, trigger)
    if trigger is not None and trigger.error:
        record["trigger_error"] = trigger.error
    record["elapsed"] = r.elapsed
    record["exit"] = r.rc

    if r.rc == 0:
        problem = check_flash(got, images, initial)
        signal_lines = client.signal_lines(r)
        if problem is not None:
            record.update(verdict="false-success", detail=problem)
        elif len(signal_lines) > cal["signals"]:
            extra = list(signal_lines)
            for m in cal["signal_lines"]:
                if m in extra:
                    extra.remove(m)
            record.update(verdict="recovered", detail="; ".join(extra)[:600])
        else:
            record.update(verdict="success", detail="")
        if client.name == "esplash":
            res = [o for o in objs if o.get("type") == "result"]
            if res and any(not reg.get("verified", True)
                           for reg in res[-1].get("regions", [])):
                record["unverified"] = True
        elif r.out.count("Hash of data verified.") < len(images):
            # esptool checks the MD5 of each image, but not with the ESP8266 ROM
            record["unverified"] = True
    elif client.name == "esptool":
        # esptool gives no diagnosis: a failure is a failure
        record["flash_right"] = check_flash(got, images, initial) is None
        err = client.error(r)
        record["error"] = err
        if r.rc == "timeout":
            err = "esptool still running after %d s (killed); last line: %s" % (
                CLI_TIMEOUT_S, err)
        where = client.context(r)
        record.update(verdict="failed", detail=err + (" [%s]" % where if where else ""))
    else:
        # what the failed run left: worth knowing for a verify-mismatch verdict
        record["flash_right"] = check_flash(got, images, initial) is None
        diags = [o for o in objs if o.get("type") == "diagnosis"]
        d = diags[-1] if diags else None
        err = last_error(objs) or (r.err.strip().splitlines() or ["(no error line)"])[-1]
        record["error"] = err
        if r.rc == "timeout":
            record.update(verdict="undiagnosed",
                          detail="esplash-cli still running after %d s (killed)" % CLI_TIMEOUT_S)
        elif d is None:
            record.update(verdict="undiagnosed", detail="no diagnosis object; error: " + err)
        elif not d.get("id") or d.get("id") == "unknown" or not d.get("title"):
            record.update(verdict="undiagnosed",
                          detail="diagnosis %r (%s); error: %s" % (d.get("id"), d.get("title"), err))
        else:
            record.update(verdict="diagnosed", diagnosis=d["id"], title=d["title"], detail=err,
                          doubtful=d["id"] not in PLAUSIBLE[plan["kind"]] or
                          (d["id"] == "verify-mismatch" and record["flash_right"]))
    if keep_logs:
        record["log"] = "%s\nexit %s after %.1f s\n--- stdout\n%s\n--- stderr\n%s\n--- sim events\n%s" % (
            " ".join(r.args), r.rc, r.elapsed, r.out, r.err, "\n".join(events))
    elif record["verdict"] in ("false-success", "undiagnosed", "failed"):
        record["log"] = r.describe()
    return strip_workdir(record, workdir)


def strip_workdir(record, workdir):
    """Messages name the image files without the temporary folder."""
    for d, key in ((record, "detail"), (record, "error"), (record, "log"),
                   (record.get("calibration", {}), "detail")):
        if isinstance(d.get(key), str):
            d[key] = d[key].replace(workdir + os.sep, "")
    return record


# ---------------------------------------------------------------------------
# Report

COLUMNS = [("runs", "runs"), ("hit", "fault hit"), ("success", "success"),
           ("recovered", "recovered"), ("diagnosed", "failed+diag"),
           ("doubtful", "(doubtful diag)"),
           ("undiagnosed", "failed, no diag"), ("false-success", "FALSE SUCCESS"),
           ("calibration-failed", "calib. failed")]
# esptool gives no diagnosis: a failure is just "failed"
ESPTOOL_COLUMNS = [("runs", "runs"), ("hit", "fault hit"), ("success", "success"),
                   ("recovered", "recovered"), ("failed", "failed"),
                   ("false-success", "FALSE SUCCESS"), ("calibration-failed", "calib. failed")]


def columns_of(client):
    return COLUMNS if client.name == "esplash" else ESPTOOL_COLUMNS


def summarize(records, key, columns=COLUMNS):
    rows = {}
    for r in records:
        row = rows.setdefault(key(r), {c: 0 for c, _ in columns})
        row["runs"] += 1
        row["hit"] += 1 if r.get("hits") else 0
        row[r["verdict"]] += 1
        if "doubtful" in row:
            row["doubtful"] += 1 if r.get("doubtful") else 0
    return rows


def summarize_clean(records, columns=COLUMNS):
    """The calibrations: the same flashes without a fault."""
    row = {c: 0 for c, _ in columns}
    for r in records:
        v = r.get("calibration", {}).get("verdict")
        if v is None:
            continue
        row["runs"] += 1
        row[{"success": "success", "false-success": "false-success",
             "failed": "calibration-failed"}[v]] += 1
    return row


def is_bad(r, client):
    if client.name == "esptool":
        # a failure of esptool's is what is measured, not a fault of the campaign's
        return (r["verdict"] == "false-success" or
                r.get("calibration", {}).get("verdict") == "false-success")
    return (r["verdict"] in ("false-success", "undiagnosed", "calibration-failed") or
            r.get("calibration", {}).get("verdict") == "false-success")


def error_kind(message):
    """An error message with its numbers and files taken out, to count alike ones."""
    m = re.sub(r"b'.*'|b\".*\"", "b'...'", message)
    m = re.sub(r"0x[0-9a-fA-F]+|\b[0-9a-fA-F]*\d[0-9a-fA-F]*\b", "N", m)
    return re.sub(r"\S+\.bin", "FILE", m)[:160]


def rate(n, d):
    return "%3.0f %%" % (100.0 * n / d) if d else "-"


def print_table(records, seed, runs, elapsed, client):
    cols = columns_of(client)

    def table(title, rows, order, after=None):
        head = [title] + [h for _, h in cols] + ["ok+rec %"]
        lines = []
        for name in order:
            if name not in rows:
                continue
            row = rows[name]
            lines.append([name] + [str(row[c]) for c, _ in cols] +
                         [rate(row["success"] + row["recovered"], row["runs"])])
        total = {c: sum(r[c] for r in rows.values()) for c, _ in cols}
        lines.append(["total"] + [str(total[c]) for c, _ in cols] +
                     [rate(total["success"] + total["recovered"], total["runs"])])
        if after is not None:
            name, row = after
            lines.append([name] + [str(row[c]) if c not in ("hit", "doubtful") else "-"
                                   for c, _ in cols] +
                         [rate(row["success"] + row["recovered"], row["runs"])])
        widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]

        def fmt(cells):
            return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
        print(fmt(head))
        print(fmt(["-" * w for w in widths]))
        for l in lines:
            print(fmt(l))

    print("Fault campaign: %d runs, seed %d, %.0f s, client %s" % (runs, seed, elapsed,
                                                                  client.label))
    print()
    table("fault kind", summarize(records, lambda r: r["kind"], cols), KINDS,
          after=("no fault", summarize_clean(records, cols)))
    print()
    table("chip / loader", summarize(records, lambda r: "%s %s" % (r["chip"], r["loader"]), cols),
          ["%s %s" % (c, l) for c in CHIPS for l in ("rom", "stub")])
    print()
    print("fault hit: the fault happened while %s ran (drop/corrupt: at least one byte;"
          " stall/disconnect: command K reached; reset/usb-reenum/late: the trigger fired)"
          % client.label)
    print("no fault: the same flash without the fault, before each run (not in the total);"
          " calib. failed: it failed, so the run with the fault did not happen")
    if client.name == "esptool":
        print_esptool_notes(records, seed)
        return
    print()
    print("Diagnoses per fault kind:")
    for kind in KINDS:
        ids = {}
        for r in records:
            if r["kind"] == kind and r["verdict"] == "diagnosed":
                key = r["diagnosis"] + (" (doubtful)" if r.get("doubtful") else "")
                ids[key] = ids.get(key, 0) + 1
        if ids:
            print("  %-17s %s" % (kind, ", ".join(
                "%s %d" % kv for kv in sorted(ids.items(), key=lambda kv: -kv[1]))))
    doubtful = [r for r in records if r.get("doubtful")]
    if doubtful:
        print()
        print("Doubtful diagnoses (a cause the fault does not have, or verify-mismatch with the"
              " flash right):")
        for r in doubtful:
            print("  run %d: %s %s%s, %s (%s): [%s] %s" % (
                r["index"], r["chip"], r["loader"], "" if r["compress"] else " plain",
                r["kind"], r["param"], r["diagnosis"], r["title"]))
            print("      error: %s" % r["detail"])
    unverified = [r for r in records if r.get("unverified") and
                  r["verdict"] in ("success", "recovered")]
    if unverified:
        print()
        print("Successes without a verification by the chip (ESP8266 ROM: no MD5): %d" %
              len(unverified))
    bad = [r for r in records if is_bad(r, client)]
    if bad:
        print()
        print("Problems (reproduce: scripts/fault-campaign.py --seed %d --only I --verbose):" % seed)
        for r in bad:
            if r.get("calibration", {}).get("verdict") == "false-success":
                print("  run %d: FALSE SUCCESS WITHOUT A FAULT — %s %s%s; flash before: %s;"
                      " regions %s" % (r["index"], r["chip"], r["loader"],
                                       "" if r["compress"] else " plain", r["flash_before"],
                                       ", ".join(r["regions"])))
                print("      %s" % r["calibration"]["detail"])
                if r["verdict"] not in ("false-success", "undiagnosed", "calibration-failed"):
                    continue
            print("  run %d: %s — %s %s%s, %s; flash before: %s; %s" % (
                r["index"], r["verdict"].upper(), r["chip"], r["loader"],
                "" if r["compress"] else " plain", r["kind"], r["flash_before"], r["param"]))
            print("      %s" % r["detail"])


def print_esptool_notes(records, seed):
    print("recovered: exit 0 after more block retries, reconnections or failed SYNC attempts"
          " than the same flash without the fault; failed: exit != 0 or killed after %d s"
          % CLI_TIMEOUT_S)
    print()
    print("esptool's errors per fault kind (numbers as N):")
    for kind in KINDS:
        errs = {}
        for r in records:
            if r["kind"] == kind and r["verdict"] == "failed":
                key = error_kind(r.get("error", r.get("detail", "")))
                errs[key] = errs.get(key, 0) + 1
        if errs:
            print("  %s:" % kind)
            for e, n in sorted(errs.items(), key=lambda kv: -kv[1]):
                print("    %3d  %s" % (n, e))
    print()
    print("What it recovered from (retries beyond the calibration's):")
    for kind in KINDS:
        rec = [r for r in records if r["kind"] == kind and r["verdict"] == "recovered"]
        if rec:
            whats = {}
            for r in rec:
                for w in r["detail"].split("; "):
                    w = error_kind(w)
                    whats[w] = whats.get(w, 0) + 1
            print("  %-17s %d runs: %s" % (kind, len(rec), ", ".join(
                "%s x%d" % kv for kv in sorted(whats.items(), key=lambda kv: -kv[1]))))
    right = [r for r in records if r["verdict"] == "failed" and r.get("flash_right")]
    if right:
        print()
        print("Failed although the flash holds the images: %d (runs %s)" % (
            len(right), ", ".join(str(r["index"]) for r in right)))
    unverified = [r for r in records if r.get("unverified") and
                  r["verdict"] in ("success", "recovered")]
    if unverified:
        print()
        print("Successes without an MD5 check by esptool (ESP8266 ROM): %d" % len(unverified))
    bad = [r for r in records if r["verdict"] in ("false-success", "calibration-failed") or
           r.get("calibration", {}).get("verdict") == "false-success"]
    if bad:
        print()
        print("False successes and failed calibrations (reproduce: scripts/fault-campaign.py"
              " --client esptool --seed %d --only I --verbose):" % seed)
        for r in bad:
            cal = r.get("calibration", {})
            if cal.get("verdict") == "false-success":
                print("  run %d: FALSE SUCCESS WITHOUT A FAULT — %s %s%s; flash before: %s;"
                      " regions %s" % (r["index"], r["chip"], r["loader"],
                                       "" if r["compress"] else " plain", r["flash_before"],
                                       ", ".join(r.get("regions", []))))
                print("      %s" % cal["detail"])
                if r["verdict"] not in ("false-success", "calibration-failed"):
                    continue
            print("  run %d: %s — %s %s%s, %s; flash before: %s; %s" % (
                r["index"], r["verdict"].upper(), r["chip"], r["loader"],
                "" if r["compress"] else " plain", r["kind"], r["flash_before"],
                r.get("param", "")))
            print("      %s" % r["detail"])


def main():
    ap = argparse.ArgumentParser(description="Fault campaign: esplash-cli write-flash (or "
                                 "esptool.py write_flash) against esplash-sim with one random "
                                 "fault per run")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=4,
                    help="runs at the same time (default 4: most of a run is waiting)")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--json-out", metavar="PATH", help="also write the JSON to PATH")
    ap.add_argument("--only", type=int, action="append", metavar="I",
                    help="run only run I of the seed (repeatable)")
    ap.add_argument("--kinds", help="comma-separated fault kinds to draw from (default: all: %s)"
                    % ",".join(KINDS))
    ap.add_argument("--verbose", action="store_true",
                    help="keep the output of every run (esplash-cli's or esptool's; printed / "
                         "in the JSON)")
    ap.add_argument("--build-dir", default=os.path.join(TOP, "build"))
    ap.add_argument("--client", choices=CLIENTS, default="esplash",
                    help="what flashes: esplash-cli (default) or esptool.py v%s, for the same "
                         "runs" % ESPTOOL_VERSION)
    ap.add_argument("--esptool", metavar="PATH",
                    default=os.environ.get("ESPTOOL", ESPTOOL_DEFAULT),
                    help="esptool.py for --client esptool (default: ESPTOOL or %s)"
                         % ESPTOOL_DEFAULT)
    ap.add_argument("--min-ok", type=float, default=0, metavar="PCT",
                    help="also fail when successes + recoveries are below PCT %% of the runs "
                         "(the suite's quick run: 70, the issue's goal)")
    args = ap.parse_args()

    kinds = KINDS
    if args.kinds:
        kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            ap.error("unknown fault kind(s): %s" % ", ".join(unknown))

    os.environ.setdefault("ESPLASH_CLI", os.path.join(args.build_dir, "app", "cli", "esplash-cli"))
    os.environ.setdefault("ESPLASH_SIM", os.path.join(args.build_dir, "core", "sim", "esplash-sim"))
    os.environ.setdefault("ESPLASH_STUB_DIR", os.path.join(TOP, "stubs"))
    for var in ("ESPLASH_CLI", "ESPLASH_SIM") if args.client == "esplash" else ("ESPLASH_SIM",):
        if not os.access(os.environ[var], os.X_OK):
            sys.exit("fault-campaign: %s (%s) is not built" % (var, os.environ[var]))
    if args.client == "esplash":
        client = Client("esplash")
    else:
        python, version = find_esptool(args.esptool)
        client = Client("esptool", esptool=os.path.abspath(args.esptool), python=python,
                        version=version)

    indices = args.only if args.only else list(range(args.runs))
    plans = [plan_run(args.seed, i, kinds) for i in indices]
    records = []
    start = time.monotonic()
    workroot = tempfile.mkdtemp(prefix="esplash-faults-")
    os.environ["XDG_CACHE_HOME"] = os.path.join(workroot, "cache")
    try:
        def job(plan):
            wd = os.path.join(workroot, "run-%d" % plan["index"])
            try:
                rec = run_one(plan, wd, args.verbose, client)
            except SimError as e:
                rec = {k: plan[k] for k in ("index", "seed", "chip", "loader", "compress", "kind",
                                            "flash_before", "timing", "baud")}
                rec.update(verdict="calibration-failed", detail="simulator: %s" % e, param="")
            shutil.rmtree(wd, ignore_errors=True)
            return rec

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for n, rec in enumerate(pool.map(job, plans), 1):
                records.append(rec)
                if not args.json:
                    sys.stderr.write("run %d (%d/%d): %s %s%s %s — %s%s\n" % (
                        rec["index"], n, len(plans), rec["chip"], rec["loader"],
                        "" if rec["compress"] else " plain", rec["kind"], rec["verdict"],
                        (" [%s]" % rec["diagnosis"]) if rec.get("diagnosis") else ""))
                    if args.verbose and rec.get("log"):
                        sys.stderr.write(rec["log"] + "\n")
    finally:
        shutil.rmtree(workroot, ignore_errors=True)
    elapsed = time.monotonic() - start

    bad = [r for r in records if is_bad(r, client)]
    cols = columns_of(client)
    report = {"seed": args.seed, "runs": len(records), "elapsed_s": elapsed, "ok": not bad,
              "client": client.label,
              "per_kind": summarize(records, lambda r: r["kind"], cols),
              "no_fault": summarize_clean(records, cols),
              "per_chip": summarize(records, lambda r: "%s %s" % (r["chip"], r["loader"]), cols),
              "records": records}
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(report, f, indent=1, default=str)
    if args.json:
        json.dump(report, sys.stdout, indent=1, default=str)
        print()
    else:
        print_table(records, args.seed, len(records), elapsed, client)
    ok_runs = sum(1 for r in records if r["verdict"] in ("success", "recovered"))
    ok_pct = 100.0 * ok_runs / max(1, len(records))
    low = ok_pct < args.min_ok
    # the summary line for logs and CI
    if client.name == "esptool":
        print("fault campaign (%s): %d runs, %d ok (%.0f %%), %d false successes, %d failed%s"
              % (client.label, len(records), ok_runs, ok_pct,
                 sum(1 for r in records if r["verdict"] == "false-success" or
                     r.get("calibration", {}).get("verdict") == "false-success"),
                 sum(1 for r in records if r["verdict"] == "failed"),
                 "; below the %.0f %% required" % args.min_ok if low else ""),
              file=sys.stderr if args.json else sys.stdout)
        return 1 if bad or low else 0
    print("fault campaign: %d runs, %d ok (%.0f %%), %d false successes, %d failed without "
          "a diagnosis%s" % (len(records), ok_runs, ok_pct,
                             sum(1 for r in records if r["verdict"] == "false-success" or
                                 r.get("calibration", {}).get("verdict") == "false-success"),
                             sum(1 for r in records if r["verdict"] == "undiagnosed"),
                             "; below the %.0f %% required" % args.min_ok if low else ""),
          file=sys.stderr if args.json else sys.stdout)
    return 1 if bad or low else 0


if __name__ == "__main__":
    sys.exit(main())
