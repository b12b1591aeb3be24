# simlib.py: shared helpers for the integration tests — start esplash-sim,
# talk to its stdin control channel, run esplash-cli, print TAP.
#
# Python 3 standard library only. Every simulator started here is killed
# when the test script exits, however it exits.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import atexit
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

IMAGES = os.path.join(os.environ.get("ESPLASH_SHARED_DIR", "/work/shared"),
                      "testdata", "images")

# Every chip the simulator is asked to model (protocol.md §6.1).
ALL_CHIPS = ["esp8266", "esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3",
             "esp32c5", "esp32c6", "esp32c61", "esp32h2", "esp32p4"]

# esptool's CHIP_NAME per --chip id (protocol.md §6.1 table).
CHIP_NAMES = {
    "esp8266": "ESP8266", "esp32": "ESP32", "esp32s2": "ESP32-S2",
    "esp32s3": "ESP32-S3", "esp32c2": "ESP32-C2", "esp32c3": "ESP32-C3",
    "esp32c5": "ESP32-C5", "esp32c6": "ESP32-C6", "esp32c61": "ESP32-C61",
    "esp32h2": "ESP32-H2", "esp32p4": "ESP32-P4",
}

_LISTEN_RE = re.compile(r"esplash-sim: (\S+) listening on 127\.0\.0\.1:(\d+) \((raw|rfc2217)\)")
_live_sims = []


def image(name):
    return os.path.join(IMAGES, name)


def read_image(name):
    with open(image(name), "rb") as f:
        return f.read()


def padded(data):
    """What the chip holds after writing @data: 0xFF up to the next 4 bytes."""
    return data + b"\xff" * ((4 - len(data) % 4) % 4)


def cli_path():
    return os.environ.get("ESPLASH_CLI", "")


def sim_path():
    return os.environ.get("ESPLASH_SIM", "")


class SimError(Exception):
    pass


class Sim:
    """One esplash-sim process; control lines go through its stdin."""

    def __init__(self, chip, *extra, rfc2217=False, start_timeout=10.0):
        self.chip = chip
        self.tmp = tempfile.mkdtemp(prefix="esplash-sim-")
        self.stderr_path = os.path.join(self.tmp, "stderr")
        args = [sim_path(), "--chip", chip, "--port", "0"]
        if rfc2217:
            args.append("--rfc2217")
        args += list(extra)
        self.args = args
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr, bufsize=0)
        _live_sims.append(self)
        self._lines = queue.Queue()
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        line = self._next_line(start_timeout)
        m = _LISTEN_RE.search(line or "")
        if m is None:
            self.close()
            raise SimError("esplash-sim %s did not start: %s" %
                           (" ".join(extra), (line or "").strip() or self.stderr_text().strip()))
        self.port = int(m.group(2))
        self.mode = m.group(3)
        scheme = "rfc2217" if self.mode == "rfc2217" else "socket"
        self.url = "%s://127.0.0.1:%d" % (scheme, self.port)

    def _read_stdout(self):
        for raw in iter(self.proc.stdout.readline, b""):
            self._lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self._lines.put(None)

    def _next_line(self, timeout):
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def stderr_text(self):
        try:
            with open(self.stderr_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def control(self, line, timeout=10.0):
        """Sends one control line, returns the one-line answer."""
        if self.proc.poll() is not None:
            raise SimError("esplash-sim exited (%s): %s" % (self.proc.returncode, self.stderr_text()))
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        answer = self._next_line(timeout)
        if answer is None:
            raise SimError("no answer from esplash-sim to %r" % line)
        return answer

    def state(self):
        answer = self.control("state")
        return answer.split(" ", 1)[1] if answer.startswith("state ") else answer

    def events(self, timeout=10.0):
        """All chip events so far (the sim's log is cumulative)."""
        self.proc.stdin.write(b"events\n")
        self.proc.stdin.flush()
        lines = []
        deadline = time.monotonic() + timeout
        while True:
            line = self._next_line(max(0.1, deadline - time.monotonic()))
            if line is None:
                raise SimError("event list from esplash-sim did not end")
            if line == "end":
                return lines
            lines.append(line)

    def dump_flash(self, address, size):
        path = os.path.join(self.tmp, "dump-%x-%x.bin" % (address, size))
        answer = self.control("dump-flash 0x%x 0x%x %s" % (address, size, path))
        if answer != "ok":
            raise SimError("dump-flash answered %r" % answer)
        with open(path, "rb") as f:
            data = f.read()
        os.unlink(path)
        return data

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=3)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self in _live_sims:
            _live_sims.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _kill_all():
    for sim in list(_live_sims):
        try:
            sim.proc.kill()
            sim.proc.wait(timeout=2)
        except Exception:
            pass
        shutil.rmtree(sim.tmp, ignore_errors=True)
    _live_sims.clear()


def _on_signal(signum, frame):
    _kill_all()
    sys.exit(128 + signum)


atexit.register(_kill_all)
signal.signal(signal.SIGTERM, _on_signal)


class Result:
    def __init__(self, args, rc, out, err, elapsed):
        self.args, self.rc, self.out, self.err, self.elapsed = args, rc, out, err, elapsed

    @property
    def text(self):
        return self.out + self.err

    def describe(self):
        cmd = " ".join(self.args[1:])
        tail = lambda s: "\n".join(s.strip().splitlines()[-12:])
        return "esplash-cli %s\nexit %s after %.1f s\nstdout: %s\nstderr: %s" % (
            cmd, self.rc, self.elapsed, tail(self.out), tail(self.err))


def run_cli(*args, timeout=120):
    """Runs esplash-cli with @args; never hangs longer than @timeout."""
    argv = [cli_path()] + [str(a) for a in args]
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
        rc, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = "timeout", e.stdout or b"", e.stderr or b""
    return Result(argv, rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                  time.monotonic() - start)


class Tap:
    """TAP output: the plan is printed at the end (TAP allows it)."""

    def __init__(self):
        self.n = 0
        self.failures = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, name), flush=True)
        if not cond:
            self.failures += 1
            if diag:
                self.diag(diag)
        return cond

    def skip(self, name, reason):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, reason), flush=True)

    def diag(self, text):
        for line in str(text).splitlines():
            print("# " + line, flush=True)

    def cli_ok(self, result, name, expect_rc=0):
        return self.ok(result.rc == expect_rc, name, result.describe())

    def finish(self):
        print("1..%d" % self.n, flush=True)
        _kill_all()
        sys.exit(0)


def require_programs(tap_plan_skip=True):
    """Skips the whole script when the programs are not built."""
    missing = [name for name, path in (("ESPLASH_CLI", cli_path()), ("ESPLASH_SIM", sim_path()))
               if not path or not os.access(path, os.X_OK)]
    if missing:
        print("1..0 # SKIP %s not set or not executable" % ", ".join(missing))
        sys.exit(0)


# ---------------------------------------------------------------------------
# Firmware files for the bundle tests, built from the format description
# (protocol.md §6.1, §6.3, §8.1, §8.5) — never with the code under test.

import hashlib  # noqa: E402
import struct  # noqa: E402

# Image chip ids (protocol.md §6.1).
IMAGE_CHIP_IDS = {"esp32": 0, "esp32s2": 2, "esp32c3": 5, "esp32s3": 9, "esp32c2": 12,
                  "esp32c6": 13, "esp32h2": 16, "esp32p4": 18}
# Header byte 2 and byte 3 (size nibble high, frequency nibble low) for the
# ESP32 family (protocol.md §6.3).
FLASH_MODES = {"qio": 0, "qout": 1, "dio": 2, "dout": 3}
FLASH_SIZES = {"1MB": 0x0, "2MB": 0x1, "4MB": 0x2, "8MB": 0x3, "16MB": 0x4}
FLASH_FREQS = {"80m": 0xF, "40m": 0x0, "26m": 0x1, "20m": 0x2}
# Load addresses: (flash-mapped data, instruction RAM, data RAM) per chip.
_LOAD = {"esp32": (0x3F400020, 0x40080000, 0x3FFF0000),
         "esp32s3": (0x3C000020, 0x40378000, 0x3FCD0000),
         "esp32c3": (0x3C000020, 0x40380000, 0x3FCD0000)}


def flash_params(mode="dio", freq="40m", size="4MB"):
    """Header bytes 2 and 3 for these settings."""
    return FLASH_MODES[mode], (FLASH_SIZES[size] << 4) | FLASH_FREQS[freq]


def _segment(load, data):
    return struct.pack("<II", load, len(data)) + data


def esp_image(chip, app=True, project="blink", version="1.0.0", mode="dio", freq="40m",
              size="4MB", body=3000, digest=True, min_rev=0, min_rev_full=0,
              max_rev_full=0xFFFF):
    """A valid ESP32-family image: 8-byte header, 16-byte extended header,
    two segments, zero padding to 15 mod 16, the XOR checksum seeded 0xEF,
    then the SHA-256 of everything before it. An app carries the ESP-IDF app
    description (magic 0xABCD5432) in a flash-mapped first segment."""
    drom, iram, dram = _LOAD.get(chip, _LOAD["esp32s3"])
    mode_byte, size_freq = flash_params(mode, freq, size)
    header = struct.pack("<BBBBI", 0xE9, 2, mode_byte, size_freq, iram + 0x100)
    ext = struct.pack("<BBBBHBHHIB", 0xEE, 0, 0, 0, IMAGE_CHIP_IDS[chip], min_rev,
                      min_rev_full, max_rev_full, 0, 1 if digest else 0)
    assert len(ext) == 16
    code = bytes((i * 7 + 3) & 0xFF for i in range(body))
    if app:
        desc = bytearray(256)
        desc[0:4] = struct.pack("<I", 0xABCD5432)
        desc[16:16 + len(version)] = version.encode()
        desc[48:48 + len(project)] = project.encode()
        desc[112:116] = b"v5.3"
        first = _segment(drom, bytes(desc))
    else:
        first = _segment(dram, bytes(64))
    payload = first + _segment(iram, code)
    image = bytearray(header + ext + payload)
    checksum = 0xEF
    for seg_data in (first[8:], code):
        for b in seg_data:
            checksum ^= b
    while len(image) % 16 != 15:
        image.append(0)
    image.append(checksum)
    if digest:
        image += hashlib.sha256(bytes(image)).digest()
    return bytes(image)


def patch_flash_params(image, mode, freq, size):
    """What esptool writes at the bootloader offset (protocol.md §8.4): bytes
    2 and 3 replaced, the appended SHA-256 recomputed."""
    out = bytearray(image)
    out[2], out[3] = flash_params(mode, freq, size)
    if out[23] == 1:
        # data_length: the image up to its checksum (the digest is the last 32)
        n = len(out) - 32
        out[n:] = hashlib.sha256(bytes(out[:n])).digest()
    return bytes(out)


# (label, type, subtype, offset, size): ESP-IDF's single-app table and
# Arduino's default.csv.
IDF_SINGLE_APP = [("nvs", 1, 2, 0x9000, 0x6000), ("phy_init", 1, 1, 0xF000, 0x1000),
                  ("factory", 0, 0, 0x10000, 0x100000)]
ARDUINO_DEFAULT = [("nvs", 1, 2, 0x9000, 0x5000), ("otadata", 1, 0, 0xE000, 0x2000),
                   ("app0", 0, 0x10, 0x10000, 0x140000), ("app1", 0, 0x11, 0x150000, 0x140000),
                   ("spiffs", 1, 0x82, 0x290000, 0x160000),
                   ("coredump", 1, 3, 0x3F0000, 0x10000)]


def partition_table(parts):
    """gen_esp32part.py's binary: 32-byte AA50 entries, the MD5 record (EB EB,
    14 x FF, MD5 of the entries), 0xFF up to 0xC00."""
    entries = b"".join(struct.pack("<2sBBII16sI", b"\xaa\x50", t, st, off, size,
                                   label.encode(), 0)
                       for label, t, st, off, size in parts)
    md5 = b"\xeb\xeb" + b"\xff" * 14 + hashlib.md5(entries).digest()
    table = entries + md5
    return table + b"\xff" * (0xC00 - len(table))


def boot_app0():
    """Arduino's boot_app0.bin: two 4 KiB OTA data sectors, 0xFF after the
    first select entry."""
    data = bytearray(b"\xff" * 0x2000)
    data[0:4] = struct.pack("<I", 1)
    return bytes(data)


def write_file(root, rel, data):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


def firmware_bytes(n, rng, vocab_size=4096, mean_word=300):
    """Deterministic firmware-like bytes from @rng (random.Random):
    instruction-like words from a skewed vocabulary of @vocab_size, stretches
    of random data, strings and zero padding (zlib takes it to about 58 %).
    scripts/bench.py and scripts/fault-campaign.py make their images with it."""
    vocab = [rng.randbytes(4) for _ in range(vocab_size)]
    words = [b"esp_", b"error", b"task", b"wifi", b"init", b"_handler", b"%d ", b"0x%08x",
             b"failed", b"\x00"]
    out = bytearray()
    while len(out) < n:
        kind = rng.random()
        if kind < 0.62:
            out += b"".join(vocab[min(int(rng.expovariate(1 / mean_word)), vocab_size - 1)]
                            for _ in range(rng.randint(8, 64)))
        elif kind < 0.85:
            out += rng.randbytes(rng.randint(16, 128))
        elif kind < 0.95:
            out += b"".join(rng.choice(words) for _ in range(rng.randint(4, 20)))
        else:
            out += b"\x00" * rng.randint(4, 64)
    return bytes(out[:n])
