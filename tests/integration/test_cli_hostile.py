#!/usr/bin/python3
# test_cli_hostile.py: esplash-cli against a hostile device (esplash-sim
# --hostile: oversized frames, endless data, bad escapes, replies to commands
# never sent), over socket:// and rfc2217://, hostile from the first command
# (connect) or from the first command after connecting (write). Each run must
# end within a bounded time, fail with an error that says what the chip sent
# (unsolicited: succeed, the flash exactly right), and keep the client's peak
# memory bounded. The figures go to the TAP diagnostics (docs/reliability.md,
# "A hostile device").
#
# SPDX-License-Identifier: GPL-3.0-or-later

import concurrent.futures
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from simlib import Sim, SimError, Tap, read_image  # noqa: E402

simlib.require_programs()
tap = Tap()

CHIP = "esp32c3"
IMAGE = "fifty_kb.bin"
ADDRESS = 0x10000
# Upper bounds, generous for CI and sanitizer builds (measured: docs/reliability.md).
CASE_LIMIT_S = 60.0
ALL_LIMIT_S = 180.0
RSS_LIMIT_KIB = 32 * 1024
JOBS = 2
# GNU time measures the client alone; a process forked from this script
# starts with the script's own pages counted in its peak (wait4's maxrss is
# then an upper bound only).
GNU_TIME = "/usr/bin/time"
PRECISE_RSS = os.access(GNU_TIME, os.X_OK)
# Sanitizer builds keep freed memory in quarantine: no memory figures there.
with open(simlib.cli_path(), "rb") as f:
    SANITIZED = b"__asan_init" in f.read()

# What the client must say (in its error, or while connecting in a debug
# line of the attempt), per kind; None: the write must succeed.
SAYS = {
    "oversized": "frame larger than any reply",
    "endless": "none of them in a packet",
    "endless-frames": "No reply to",
    "bad-escape": "invalid escape",
    "unsolicited": None,
}
# The commands that start a write (after the connect and the description).
WRITE_COMMANDS = ("SPI_SET_PARAMS", "SPI_ATTACH", "SPI_FLASH_MD5", "FLASH_BEGIN",
                  "FLASH_DEFL_BEGIN")


def cli_argv(url, extra):
    return [simlib.cli_path(), "-v", "-p", url] + extra + \
        ["write-flash", "0x%x" % ADDRESS, simlib.image(IMAGE)]


def run_measured(argv, timeout):
    """Runs @argv; returns (rc, text, seconds, peak RSS in KiB of that process)."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as rss_file:
        if PRECISE_RSS:
            argv = [GNU_TIME, "-q", "-f", "%M", "-o", rss_file.name] + argv
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        elapsed = time.monotonic() - start
        proc.returncode = rc = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        rss = usage.ru_maxrss
        if PRECISE_RSS:
            lines = rss_file.read().split()
            rss = int(lines[-1]) if lines and lines[-1].isdigit() else rss
    return rc, text, elapsed, rss


def stats(sim):
    answer = sim.control("stats")
    return {k: int(v) for k, v in (w.split("=", 1) for w in answer.split()[1:])}


def commands_before_write(rfc2217, extra):
    """How many commands a clean run sends before the write's first one."""
    with Sim(CHIP, rfc2217=rfc2217) as sim:
        rc, text, _, _ = run_measured(cli_argv(sim.url, extra), 120)
        if rc != 0:
            raise SimError("clean write failed:\n" + text[-2000:])
        commands = [e.split(" ", 1)[1] for e in sim.events() if e.startswith("command ")]
    for i, name in enumerate(commands):
        if name in WRITE_COMMANDS:
            return i
    raise SimError("no write command in %r" % commands)


class Case:
    def __init__(self, kind, phase, rfc2217, stub=True):
        self.kind, self.phase, self.rfc2217, self.stub = kind, phase, rfc2217, stub
        self.name = "%s, %s, %s%s" % (kind, phase, "rfc2217" if rfc2217 else "socket",
                                      "" if stub else ", ROM")
        self.extra = [] if stub else ["--no-stub"]

    def run(self, after):
        args = ["--hostile", self.kind]
        if self.phase == "write":
            args += ["--hostile-after", str(after)]
        with Sim(CHIP, *args, rfc2217=self.rfc2217) as sim:
            self.rc, self.text, self.seconds, self.rss = run_measured(
                cli_argv(sim.url, self.extra), CASE_LIMIT_S * 2)
            self.stats = stats(sim)
            self.flash = sim.dump_flash(ADDRESS, len(image)) if self.rc == 0 else None
        return self


image = read_image(IMAGE)
cases = []
for rfc2217 in (False, True):
    for kind in SAYS:
        for phase in ("connect", "write"):
            cases.append(Case(kind, phase, rfc2217))
cases.append(Case("unsolicited", "connect", False, stub=False))
cases.append(Case("unsolicited", "write", False, stub=False))

try:
    after = {}
    for rfc2217 in (False, True):
        for stub in (True, False):
            extra = [] if stub else ["--no-stub"]
            after[(rfc2217, stub)] = commands_before_write(rfc2217, extra)
except SimError as e:
    tap.ok(False, "a clean write to count the connect's commands", str(e))
    tap.finish()

start = time.monotonic()
with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as pool:
    futures = [pool.submit(c.run, after[(c.rfc2217, c.stub)]) for c in cases]
    errors = []
    for f in futures:
        try:
            f.result()
        except SimError as e:
            errors.append(str(e))
all_seconds = time.monotonic() - start
for e in errors:
    tap.ok(False, "simulator control", e)

tap.diag("peak RSS measured with %s" % ("GNU time" if PRECISE_RSS else
                                      "wait4 (an upper bound: includes this script's pages)"))
tap.diag("%-40s %-8s %7s %9s %14s" % ("case", "result", "wall s", "peak MiB", "bytes from chip"))
for c in cases:
    if not hasattr(c, "rc"):
        continue
    received = c.stats.get("chip-to-host", 0) + c.stats.get("hostile-bytes", 0)
    tap.diag("%-40s %-8s %7.1f %9.1f %14d" % (c.name, "ok" if c.rc == 0 else "exit %s" % c.rc,
                                             c.seconds, c.rss / 1024, received))

for c in cases:
    if not hasattr(c, "rc"):
        continue
    error_lines = [line for line in c.text.splitlines() if line.startswith("error:")]
    telling = [line for line in c.text.splitlines()
               if line.startswith("error:") or line.startswith("warning:") or " attempt " in line]
    detail = "exit %s after %.1f s\n%s" % (c.rc, c.seconds, "\n".join(telling[-30:]))
    tap.ok(c.seconds < CASE_LIMIT_S, "%s: ends in %.1f s (< %d s)" % (c.name, c.seconds, CASE_LIMIT_S),
           detail)
    tap.ok(c.stats.get("hostile-frames", 0) + c.stats.get("hostile-bytes", 0) > 0,
           "%s: the simulator was hostile" % c.name, str(c.stats))
    says = SAYS[c.kind]
    if says is None:
        # Replies to commands never sent are dropped as stale: success, and
        # the flash holds exactly the image.
        tap.ok(c.rc == 0 and c.flash == simlib.padded(image),
               "%s: succeeds, the flash holds the image" % c.name, detail)
    elif c.phase == "write":
        tap.ok(c.rc == 1 and any(says in line for line in error_lines),
               "%s: fails, the error says '%s'" % (c.name, says), detail)
    else:
        # The connect's verdict is "no SYNC reply"; each attempt's debug line
        # says what came instead.
        tap.ok(c.rc == 1 and any("Failed to connect" in line for line in error_lines) and
               says in c.text, "%s: fails to connect, the attempts say '%s'" % (c.name, says),
               detail)
    # Peak memory stays far below what arrived (connecting with resets reads
    # the boot log for 250 ms: it kept a whole flood once, now at most 64 KiB).
    name = "%s: peak RSS %.1f MiB (< %d MiB)" % (c.name, c.rss / 1024, RSS_LIMIT_KIB // 1024)
    if SANITIZED:
        tap.skip(name, "sanitizer build")
    else:
        tap.ok(c.rss < RSS_LIMIT_KIB, name, detail)

tap.ok(all_seconds < ALL_LIMIT_S, "all %d cases in %.1f s (< %d s, %d at a time)" %
       (len(cases), all_seconds, ALL_LIMIT_S, JOBS))
tap.finish()
