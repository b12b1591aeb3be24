#!/usr/bin/python3
# test_cli_diagnosis.py: esplash-cli explains a failure from its real cause —
# a chip left in application mode, a silent endpoint, a download banner
# without SYNC replies, unreadable bytes at 115200, Secure Download Mode, a
# stall mid-write, a port that does not exist — in text (after the error
# line, on stderr) and as a --json diagnosis object before the error object.
# Cancelled runs print none; exit codes stay as they were.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import glob
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from simlib import Sim, SimError, Tap, run_cli  # noqa: E402

simlib.require_programs()
tap = Tap()

# The ESP32 ROM's boot output (troubleshooting.md §3): a power-on reset with
# GPIO0 low selects DOWNLOAD_BOOT, boot:0x3 in the ROM's strap encoding.
ESP32_DOWNLOAD_BANNER = (b"ets Jun  8 2016 00:22:57\r\n\r\n"
                         b"rst:0x1 (POWERON_RESET),boot:0x3 "
                         b"(DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\n"
                         b"waiting for download\r\n")


class FakeEndpoint:
    """A TCP server that accepts every client, says @banner (again every
    half second, as a chip reset now and then would), and reads and ignores
    whatever arrives — a line whose path to the chip is dead."""

    def __init__(self, banner=b""):
        self.banner = banner
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.url = "socket://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.received = 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(t)
            t.start()

    def _serve(self, conn):
        with conn:
            conn.settimeout(0.1)
            said = 0.0
            while not self.stop.is_set():
                if self.banner and time.monotonic() - said >= 0.5:
                    try:
                        conn.sendall(self.banner)
                    except OSError:
                        return
                    said = time.monotonic()
                try:
                    data = conn.recv(4096)
                except socket.timeout:
                    continue
                except OSError:
                    return
                if not data:
                    return
                self.received += len(data)

    def close(self):
        self.stop.set()
        self.sock.close()
        for t in self.threads:
            t.join(timeout=2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ----------------------------------------------------------------------
# What the output must look like


def text_diagnosis(err):
    """The diagnosis block of stderr: {title, id, explanation, steps:
    [(number, text, command)], seen: [...], after_error}, or None."""
    lines = err.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("Diagnosis: ")), None)
    if start is None:
        return None
    error_at = next((i for i, l in enumerate(lines) if l.startswith("error: ")), None)
    block = lines[start:]
    # The title may wrap: it ends with "[id]".
    title_lines = [block[0][len("Diagnosis: "):]]
    k = 1
    while not title_lines[-1].rstrip().endswith("]") and k < len(block):
        title_lines.append(block[k].strip())
        k += 1
    title = " ".join(title_lines)
    m = re.match(r"^(.*) \[([a-z0-9-]+)\]$", title)
    if m is None:
        return None
    explanation, steps, seen, section, indent = [], [], [], "explanation", 0
    for line in block[k:]:
        if line == "What to do:":
            section = "steps"
        elif line == "Seen:":
            section = "seen"
        elif line == "":
            continue
        elif section == "explanation":
            explanation.append(line)
        elif section == "steps":
            # "  N. text", wrapped lines under the text, a command on its
            # own line four columns further in
            sm = re.match(r"^(\s+(\d+)\. )(.*)$", line)
            if sm:
                steps.append([int(sm.group(2)), sm.group(3), None])
                indent = len(sm.group(1))
            elif steps and line.startswith(" " * (indent + 4)) and steps[-1][2] is None:
                steps[-1][2] = line.strip()
            elif steps:
                steps[-1][1] += " " + line.strip()
        elif section == "seen":
            if line.startswith("  - "):
                seen.append(line[4:])
            elif seen:
                seen[-1] += " " + line.strip()
    return {"title": m.group(1), "id": m.group(2), "explanation": " ".join(explanation),
            "steps": steps, "seen": seen,
            "after_error": error_at is not None and error_at < start}


def check_text(r, what, want_id, seen_needles=(), step_needles=(), rc=1):
    """esplash-cli's stderr carries the diagnosis right after the error."""
    d = text_diagnosis(r.err)
    tap.ok(r.rc == rc, "%s (text): exit %d as before" % (what, rc), r.describe())
    if not tap.ok(d is not None and d["id"] == want_id,
                  "%s (text): diagnosis %s" % (what, want_id), r.describe()):
        return None
    tap.ok(d["after_error"] and d["title"] and d["explanation"],
           "%s (text): title and explanation below the error line" % what, r.err)
    numbers = [s[0] for s in d["steps"]]
    tap.ok(numbers and numbers == list(range(1, len(numbers) + 1)),
           "%s (text): steps numbered 1..%d" % (what, len(numbers)), r.err)
    tap.ok(d["seen"], "%s (text): Seen: evidence lines" % what, r.err)
    for needle in seen_needles:
        tap.ok(any(needle in s for s in d["seen"]),
               "%s (text): Seen: %s" % (what, needle), "\n".join(d["seen"]))
    for needle in step_needles:
        tap.ok(any(needle in s[1] or (s[2] is not None and needle in s[2]) for s in d["steps"]),
               "%s (text): a step says %s" % (what, needle), r.err)
    tap.ok("Diagnosis" not in r.out and "{" not in r.err,
           "%s (text): the diagnosis is on stderr only" % what, r.describe())
    return d


def json_objects(out):
    objs = []
    for line in out.splitlines():
        try:
            objs.append(json.loads(line))
        except ValueError:
            return None
    return objs


def check_json(r, what, want_id, evidence_needles=(), step_needles=()):
    """--json: a diagnosis object, then the error object last."""
    objs = json_objects(r.out)
    tap.ok(r.rc == 1, "%s (--json): exit 1 as before" % what, r.describe())
    if not tap.ok(objs is not None and len(objs) >= 2,
                  "%s (--json): every line is a JSON object" % what, r.describe()):
        return None
    diags = [o for o in objs if o.get("type") == "diagnosis"]
    if not tap.ok(len(diags) == 1 and objs[-2] is diags[0] and objs[-1].get("type") == "error",
                  "%s (--json): one diagnosis object right before the error object" % what,
                  r.describe()):
        return None
    d = diags[0]
    tap.ok(d.get("id") == want_id, "%s (--json): id %s" % (what, want_id), repr(d.get("id")))
    tap.ok(isinstance(d.get("title"), str) and d["title"] and
           isinstance(d.get("explanation"), str) and d["explanation"] and
           isinstance(d.get("steps"), list) and d["steps"] and
           all(isinstance(s, dict) and isinstance(s.get("text"), str) for s in d["steps"]) and
           isinstance(d.get("evidence"), list) and d["evidence"] and
           all(isinstance(e, str) for e in d["evidence"]),
           "%s (--json): title, explanation, steps and evidence" % what, json.dumps(d))
    for needle in evidence_needles:
        tap.ok(any(needle in e for e in d.get("evidence", [])),
               "%s (--json): evidence %s" % (what, needle), json.dumps(d.get("evidence")))
    for needle in step_needles:
        tap.ok(any(needle in s.get("text", "") or needle in (s.get("command") or "")
                   for s in d.get("steps", [])),
               "%s (--json): a step says %s" % (what, needle), json.dumps(d.get("steps")))
    tap.ok(objs[-1].get("message", "") and r.err.strip() == "",
           "%s (--json): nothing on stderr" % what, r.err)
    return d


def both(what, want_id, cli_args, seen=(), steps=(), timeout=120, around=None):
    """Runs @cli_args in text and --json mode. @around(run) wraps each run
    (a fresh simulator, a helper thread); @cli_args may be a function of
    what @around passes to run."""
    results = []
    for mode in ("text", "json"):
        def run(*ctx):
            args = cli_args(*ctx) if callable(cli_args) else list(cli_args)
            if mode == "json":
                args = ["--json"] + args
            return run_cli(*args, timeout=timeout)
        results.append(around(run) if around is not None else run())
    t = check_text(results[0], what, want_id, seen, steps)
    j = check_json(results[1], what, want_id, seen, steps)
    if t is not None and j is not None:
        tap.ok(t["title"] == j["title"] and len(t["steps"]) == len(j["steps"]),
               "%s: text and --json carry the same title and steps" % what,
               "text %r\njson %r" % (t["title"], j["title"]))
    return results


# ----------------------------------------------------------------------
# The cases


def normal_boot_case():
    """A board without the DTR/RTS circuit running its application; the user
    taps RESET (without BOOT) while esplash-cli connects: the ROM prints a
    flash boot, boot:0x13 (SPI_FAST_FLASH_BOOT, esptool's "Wrong boot mode
    detected (0x13)")."""
    with Sim("esp32", "--no-auto-reset", "--boot", "flash", rfc2217=True) as sim:
        def tapping(run):
            stop = threading.Event()

            def tapper():
                while not stop.wait(0.4):
                    sim.control("press-reset")
            t = threading.Thread(target=tapper, daemon=True)
            t.start()
            try:
                return run()
            finally:
                stop.set()
                t.join()

        results = both("chip left in application mode", "normal-boot",
                       ["-p", sim.url, "chip-id"],
                       seen=("boot:0x13", "GPIO0"), steps=("BOOT (GPIO0)", "EN"),
                       around=tapping)
        d = text_diagnosis(results[0].err)
        if d is not None:
            again = [s for s in d["steps"] if s[2] is not None and "--before no-reset" in s[2]]
            tap.ok(again and sim.url in again[0][2] and again[0][2].endswith("chip-id"),
                   "application mode: the step to run again without a reset gives the command",
                   results[0].err)


def silent_case():
    with FakeEndpoint() as ep:
        both("silent endpoint", "silent-line", ["-p", ep.url, "chip-id"],
             seen=("0 bytes received",), steps=("BOOT",), timeout=60)
        tap.ok(ep.received > 0, "silent endpoint: esplash-cli did send (SYNC) to it")


def banner_case():
    with FakeEndpoint(ESP32_DOWNLOAD_BANNER) as ep:
        both("download banner without SYNC replies", "no-sync-reply", ["-p", ep.url, "chip-id"],
             seen=("boot:0x3", "waiting for download", "0 SYNC replies"), steps=("TX",),
             timeout=60)


def wrong_baud_case():
    """An ESP8266 (26 MHz crystal) without valid firmware keeps printing at
    74880 baud (protocol.md §7.3); esplash-cli reads it at 115200, then
    listens at 74880 once and quotes what the ROM says there."""
    with Sim("esp8266", "--no-auto-reset", "--boot", "flash", rfc2217=True) as sim:
        both("bytes at the wrong baud", "wrong-baud", ["-p", sim.url, "chip-id"],
             seen=("printable", "At 74880 baud the chip printed"), steps=("BOOT",))


def sdm_case():
    with Sim("esp32s3", "--secure-download") as sim:
        results = both("Secure Download Mode", "secure-download-mode",
                       ["-p", sim.url, "read-flash", "0", "4096",
                        os.path.join(sim.tmp, "out.bin")],
                       seen=("Secure Download Mode",), steps=("erase regions",))
        tap.ok(all("ESP32-S3" in r.text for r in results),
               "Secure Download Mode: the title names the ESP32-S3",
               "\n".join(r.describe() for r in results))


def stall_case():
    """The chip stops answering after 40 commands, in the middle of the
    write (a fresh simulator for each run: the fault is counted per chip)."""
    def fresh_sim(run):
        with Sim("esp32c3", "--fault", "stall", "--fault-after", "40") as sim:
            return run(sim)

    results = both("stall mid-write", "stall-mid-write",
                   lambda sim: ["-p", sim.url, "-b", "921600", "write-flash", "0x10000",
                                simlib.image("one_mb.bin")],
                   seen=("writing",), steps=("--baud 115200",), timeout=120, around=fresh_sim)
    tap.ok(all(r.elapsed < 60 for r in results), "stall mid-write: bounded (%s s)" %
           ", ".join("%.1f" % r.elapsed for r in results))
    d = text_diagnosis(results[0].err)
    if d is not None:
        cmd = [s[2] for s in d["steps"] if s[2] is not None and "--baud 115200" in s[2]]
        tap.ok(cmd and "921600" not in cmd[0] and "write-flash 0x10000" in cmd[0],
               "stall mid-write: the command to run again replaces -b 921600", repr(cmd))


def serial_ports():
    """What the kernel shows as serial devices: a /sys/class/tty entry with
    a device behind it and a node in /dev."""
    ports = []
    for entry in glob.glob("/sys/class/tty/*/device"):
        name = os.path.basename(os.path.dirname(entry))
        if os.path.exists("/dev/" + name):
            ports.append("/dev/" + name)
    return ports


def no_port_case():
    missing = "/dev/ttyNOPE"
    if os.path.exists(missing):
        tap.skip("missing port", "%s exists here" % missing)
        return
    results = both("missing port", "no-port", ["-p", missing, "chip-id"],
                   seen=(missing,), steps=("USB cable",), timeout=30)
    # The ports that do exist are named: every one esplash-cli lists, each
    # a real serial device; or it says there are none.
    listed = run_cli("--json", "list-ports", timeout=30)
    try:
        paths = [p["path"] for p in json.loads(listed.out.strip().splitlines()[-1])["ports"]]
    except (ValueError, KeyError, IndexError):
        paths = None
    d = text_diagnosis(results[0].err)
    present = [s for s in (d or {}).get("seen", []) if s.startswith("Serial ports present: ") or
               s == "No serial ports exist on this computer"]
    if paths is None or d is None:
        tap.ok(False, "missing port: the ports that exist are named", listed.describe())
    elif not paths:
        tap.ok(present == ["No serial ports exist on this computer"],
               "missing port: says no serial port exists", repr(d["seen"]))
    else:
        named = re.findall(r"(/dev/\S+?)(?:,|\s|$)", present[0]) if present else []
        kernel = serial_ports()
        tap.ok(set(paths) <= set(named) and all(p in kernel for p in named),
               "missing port: names the ports present (%s)" % ", ".join(named),
               "evidence %r\nlisted %r\nkernel %r" % (present, paths, kernel))

    # No -p, and no port looks like an ESP board: the same verdict. Only
    # where no real board is attached (the CLI would use it).
    try:
        esp_like = [p for p in json.loads(listed.out.strip().splitlines()[-1])["ports"]
                    if p.get("looks_like_esp")]
    except (ValueError, KeyError, IndexError):
        esp_like = [None]
    if esp_like:
        tap.skip("no port found at all", "a port here looks like an ESP board")
        return
    both("no port found at all", "no-port", ["chip-id"], steps=("USB cable",), timeout=30)


def cancel_case():
    """Ctrl-C while connecting to a silent endpoint: exit 130, no diagnosis."""
    with FakeEndpoint() as ep:
        for json_mode in (False, True):
            argv = [simlib.cli_path()] + (["--json"] if json_mode else []) + \
                   ["-p", ep.url, "chip-id"]
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(1.5)
            proc.send_signal(signal.SIGINT)
            try:
                out, err = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
            out, err = out.decode(errors="replace"), err.decode(errors="replace")
            mode = "--json" if json_mode else "text"
            tap.ok(proc.returncode == 130 and "Diagnosis" not in err and
                   '"diagnosis"' not in out and "Cancelled" in out + err,
                   "cancelled connect (%s): exit 130, no diagnosis" % mode,
                   "exit %s\nstdout %s\nstderr %s" % (proc.returncode, out, err))


for case in (normal_boot_case, silent_case, banner_case, wrong_baud_case, sdm_case,
             stall_case, no_port_case, cancel_case):
    try:
        case()
    except SimError as e:
        tap.ok(False, "%s: simulator control" % case.__name__, str(e))

def flash_id_case():
    """A flash that does not answer reads as ID 0xFFFFFF (protocol.md §4):
    the write is attempted, but the user is told why it will not stick."""
    with Sim("esp32s3", "--flash-id", "ffffff") as sim:
        r = run_cli("-p", sim.url, "write-flash", "0x10000",
                    os.path.join(simlib.IMAGES, "one_kb.bin"))
        tap.ok("flash chip does not answer (ID 0xFFFFFF)" in r.err,
               "flash ID 0xFFFFFF: esplash-cli warns that the flash does not answer", r.err)


try:
    flash_id_case()
except SimError as e:
    tap.ok(False, "flash_id_case: simulator control", str(e))

tap.finish()
