#!/usr/bin/env python3
# test_python_example.py: examples/flash.py — PyGObject with the Esplash
# typelib and libesplash-1 from the build tree — flashes a virtual ESP32-S3
# that esplash-sim serves over socket://. Its progress bar must only go up
# and end at 100 %, the flash must hold the files (padded with 0xFF to 4
# bytes), and Ctrl-C in the middle of the write must end it cleanly.
# examples/monitor.py shows a board's output and its panic decoded.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from simlib import Sim, Tap  # noqa: E402

PERCENT = re.compile(r"\[[# ]{40}\]\s+(\d+)%")


def example_env():
    env = dict(os.environ)
    for var, value in (("GI_TYPELIB_PATH", os.environ["ESPLASH_TYPELIB_DIR"]),
                       ("LD_LIBRARY_PATH", os.environ["ESPLASH_LIB_DIR"])):
        env[var] = value + (":" + env[var] if env.get(var) else "")
    return env


def example_args(url, *pairs):
    script = os.path.join(os.environ["ESPLASH_EXAMPLES_DIR"], "flash.py")
    return [sys.executable, script, url] + [str(p) for p in pairs]


def percents(text):
    return [int(m.group(1)) for m in PERCENT.finditer(text)]


def test_flash(tap):
    fifty = simlib.read_image("fifty_kb.bin")
    odd = simlib.read_image("not_4_byte_aligned.bin")
    with Sim("esp32s3") as sim:
        args = example_args(sim.url, "0x10000", simlib.image("fifty_kb.bin"),
                            "0x30000", simlib.image("not_4_byte_aligned.bin"))
        proc = subprocess.run(args, env=example_env(), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=120)
        out = proc.stdout.decode("utf-8", "replace")
        err = proc.stderr.decode("utf-8", "replace")
        diag = "exit %s\nstdout: %s\nstderr: %s" % (proc.returncode, out[-2000:], err[-2000:])
        tap.ok(proc.returncode == 0 and "Done: ESP32-S3 written and verified" in out,
               "python example flashes an ESP32-S3 over socket://", diag)
        values = percents(out)
        tap.ok(len(values) >= 3, "progress callback called several times (%d)" % len(values), diag)
        tap.ok(all(b >= a for a, b in zip(values, values[1:])),
               "progress values never go down", "values: %s" % values)
        tap.ok(values[-1:] == [100], "progress ends at 100 %", "values: %s" % values)
        tap.ok(sim.dump_flash(0x10000, len(fifty)) == fifty, "flash holds fifty_kb.bin at 0x10000")
        tap.ok(sim.dump_flash(0x30000, len(simlib.padded(odd))) == simlib.padded(odd),
               "flash holds not_4_byte_aligned.bin at 0x30000, padded with 0xFF to 4 bytes")


def test_cancel(tap):
    with Sim("esp32s3", "--timing") as sim:
        args = example_args(sim.url, "0x10000", simlib.image("one_mb.bin"))
        proc = subprocess.Popen(args, env=example_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        chunks = []
        reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: proc.stdout.read1(4096), b"")),
                                  daemon=True)
        reader.start()
        # Wait until the write is under way: the bar is past connecting (5 %).
        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline and proc.poll() is None:
            seen = percents(b"".join(chunks).decode("utf-8", "replace"))
            if seen and seen[-1] >= 8:
                break
            time.sleep(0.05)
        writing = bool(seen) and 8 <= seen[-1] < 100
        tap.ok(writing, "example is writing before Ctrl-C (at %s %%)" % (seen[-1:] or ["?"]))
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = "timeout"
        latency = time.monotonic() - sent
        reader.join(timeout=5)
        err = proc.stderr.read().decode("utf-8", "replace")
        out = b"".join(chunks).decode("utf-8", "replace")
        diag = "exit %s after %.2f s\nstdout tail: %s\nstderr: %s" % (rc, latency, out[-300:], err)
        tap.ok(rc == 130, "Ctrl-C ends the example with exit code 130", diag)
        tap.ok("cancelled" in err.lower() and "Traceback" not in err,
               "it says the operation was cancelled, without a traceback", diag)
        tap.ok(latency < 5, "it stops within 5 s of Ctrl-C (%.2f s)" % latency, diag)
        final = percents(out)
        tap.ok(final and final[-1] < 100, "progress stopped short of 100 %", "values: %s" % final[-5:])
        state = sim.state() if sim.proc.poll() is None else ""
        tap.ok(bool(state), "the simulated board still answers after the cancel (%s)" % state)


def test_monitor(tap):
    """examples/monitor.py: the board's start, then a panic decoded from the ELF."""
    elf = os.environ.get("ESPLASH_TEST_APP_ELF")
    if not elf:
        tap.skip("monitor.py", "ESPLASH_TEST_APP_ELF not set")
        return
    flash = bytearray(b"\xff" * 0x14000)
    boot = simlib.esp_image("esp32c3", app=False)
    app = simlib.esp_image("esp32c3", body=8000)
    flash[0:len(boot)] = boot
    flash[0x10000:0x10000 + len(app)] = app
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".bin") as image:
        image.write(bytes(flash))
        image.flush()
        with Sim("esp32c3", "--boot", "flash", "--flash-file", image.name, "--app-elf", elf,
                 rfc2217=True) as sim:
            script = os.path.join(os.environ["ESPLASH_EXAMPLES_DIR"], "monitor.py")
            proc = subprocess.Popen([sys.executable, script, sim.url, elf], env=example_env(),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            out = bytearray()
            reader = threading.Thread(target=lambda: [out.extend(c) for c in
                                                      iter(lambda: proc.stdout.read1(4096), b"")],
                                      daemon=True)
            reader.start()

            def wait_for(needle, timeout=20):
                deadline = time.monotonic() + timeout
                while needle not in out and time.monotonic() < deadline:
                    time.sleep(0.05)
                return needle in out

            tap.ok(wait_for(b"esplash-sim-app: running image"),
                   "monitor.py shows the board's start", bytes(out[-500:]).decode("utf-8", "replace"))
            sim.control("panic")
            tap.ok(wait_for(b"--- 0x") and wait_for(b": parse_reading at "),
                   "monitor.py prints the panic's frames, decoded from the ELF",
                   bytes(out[-1500:]).decode("utf-8", "replace"))
            proc.send_signal(signal.SIGINT)
            try:
                rc = proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = "timeout"
            tap.ok(rc == 0, "Ctrl-C ends monitor.py with status 0 (got %s)" % rc,
                   proc.stderr.read().decode("utf-8", "replace"))


def main():
    tap = Tap()
    for var in ("ESPLASH_SIM", "ESPLASH_TYPELIB_DIR", "ESPLASH_LIB_DIR", "ESPLASH_EXAMPLES_DIR"):
        if not os.environ.get(var):
            print("1..0 # SKIP %s not set (built without introspection?)" % var)
            return
    try:
        import gi  # noqa: F401
    except ImportError:
        print("1..0 # SKIP PyGObject (python3-gi) is not installed")
        return
    test_flash(tap)
    test_cancel(tap)
    test_monitor(tap)
    tap.finish()


if __name__ == "__main__":
    main()
