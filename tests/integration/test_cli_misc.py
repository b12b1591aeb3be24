#!/usr/bin/python3
# test_cli_misc.py: esplash-cli's image-info, usage errors, input checks made
# before connecting, wrong chip, --json output, Ctrl-C and a stalled chip.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import hashlib
import json
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from simlib import Sim, SimError, Tap, run_cli, read_image  # noqa: E402

simlib.require_programs()
tap = Tap()
TMP = tempfile.mkdtemp(prefix="esplash-cli-misc-")

# ----------------------------------------------------------------------
# image-info

# Fields printed by esptool v4.8.1 `image_info --version 2` for these files
# (detected type, flash size/freq/mode, min/max revision).
ESPTOOL_IMAGE_INFO = {
    "bootloader_esp32.bin": ("ESP32", "2MB", "40m", "DIO", "v0.0", "v0.0"),
    "bootloader_esp32c3.bin": ("ESP32-C3", "2MB", "40m", "DIO", "v0.0", "v0.0"),
    "bootloader_esp8266.bin": ("ESP8266", "512KB", "40m", "QIO", None, None),
    "esp32s3_header.bin": ("ESP32-S3", "2MB", "40m", "DIO", "v0.0", "v0.0"),
    "esp32c3_header_min_rev.bin": ("ESP32-C3", "2MB", "40m", "DIO", "v2.55", "v655.35"),
}


def parse_image(data, esp32_family):
    """The image layout of protocol.md §8.1, decoded here independently."""
    magic, nseg, mode, size_freq, entry = struct.unpack_from("<BBBBI", data, 0)
    off = 24 if esp32_family else 8
    info = {"entry": entry, "nseg": nseg, "segments": [], "chip_id": None}
    if esp32_family:
        info["chip_id"] = struct.unpack_from("<H", data, 12)[0]
        info["hash_appended"] = data[23] == 1
    checksum = 0xEF
    for _ in range(nseg):
        load, length = struct.unpack_from("<II", data, off)
        info["segments"].append((length, load, off))
        for b in data[off + 8:off + 8 + length]:
            checksum ^= b
        off += 8 + length
    pos = off + (15 - off % 16)
    info["checksum_stored"] = data[pos]
    info["checksum_computed"] = checksum
    info["data_length"] = pos + 1
    if esp32_family and info["hash_appended"]:
        stored = data[pos + 1:pos + 33]
        info["hash"] = stored.hex()
        info["hash_valid"] = hashlib.sha256(data[:pos + 1]).digest() == stored
    return info


def field(text, name):
    m = re.search(r"^%s: (.*)$" % re.escape(name), text, re.M)
    return m.group(1).strip() if m else None


def check_image_info(name):
    path = simlib.image(name)
    data = read_image(name)
    family = name != "bootloader_esp8266.bin"
    want = parse_image(data, family)
    chip, fsize, ffreq, fmode, minrev, maxrev = ESPTOOL_IMAGE_INFO[name]
    r = run_cli("image-info", path)
    if not tap.cli_ok(r, "image-info %s" % name):
        return
    t = r.out
    tap.ok(field(t, "Detected image type") == chip, "image-info %s: type %s" % (name, chip), t)
    tap.ok(field(t, "Entry point") == "0x%08x" % want["entry"],
           "image-info %s: entry point 0x%08x" % (name, want["entry"]), t)
    tap.ok(field(t, "Segments") == str(want["nseg"]), "image-info %s: %d segments" %
           (name, want["nseg"]), t)
    tap.ok((field(t, "Flash size"), field(t, "Flash freq"), field(t, "Flash mode")) ==
           (fsize, ffreq, fmode), "image-info %s: flash %s %s %s" % (name, fsize, ffreq, fmode), t)
    rows = re.findall(r"^\s+(\d+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)", t, re.M)
    got_rows = [(int(l, 16), int(a, 16), int(o, 16)) for _, l, a, o in rows]
    tap.ok(got_rows == want["segments"], "image-info %s: segment lengths, load addresses and "
           "offsets" % name, "got %r\nwant %r" % (got_rows, want["segments"]))
    cs = field(t, "Checksum") or ""
    tap.ok(cs.startswith("0x%02x (valid" % want["checksum_stored"]) and
           ("0x%02x" % want["checksum_computed"]) in cs,
           "image-info %s: checksum 0x%02x valid" % (name, want["checksum_stored"]), t)
    if family:
        tap.ok(field(t, "Chip ID").startswith("%d " % want["chip_id"]),
               "image-info %s: chip id %d" % (name, want["chip_id"]), t)
        tap.ok(field(t, "Minimal chip revision").startswith(minrev + ",") and
               field(t, "Maximal chip revision") == maxrev,
               "image-info %s: revisions %s to %s" % (name, minrev, maxrev), t)
        if want["hash_appended"]:
            tap.ok(field(t, "Validation hash") == "%s (%s)" %
                   (want["hash"], "valid" if want["hash_valid"] else "invalid"),
                   "image-info %s: validation hash" % name, t)
        else:
            tap.ok(field(t, "Validation hash") is None, "image-info %s: no hash" % name, t)
    # These bootloaders predate ESP-IDF 5.2: no bootloader description.
    tap.ok(field(t, "Bootloader version") is None and "Bootloader information" not in t,
           "image-info %s: no bootloader description" % name, t)


for name in ESPTOOL_IMAGE_INFO:
    check_image_info(name)

# A damaged copy: a flipped segment byte breaks the checksum and the hash.
data = bytearray(read_image("bootloader_esp32c3.bin"))
want = parse_image(bytes(data), True)
first_data = want["segments"][1][2] + 8
data[first_data] ^= 0x55
damaged = os.path.join(TMP, "damaged.bin")
with open(damaged, "wb") as f:
    f.write(data)
want = parse_image(bytes(data), True)
r = run_cli("image-info", damaged)
cs = field(r.out, "Checksum") or ""
tap.ok(r.rc == 0 and cs.startswith("0x%02x (invalid" % want["checksum_stored"]) and
       ("0x%02x" % want["checksum_computed"]) in cs,
       "image-info damaged image: checksum invalid, both values shown", r.describe())
tap.ok((field(r.out, "Validation hash") or "").endswith("(invalid)"),
       "image-info damaged image: validation hash invalid", r.describe())

r = run_cli("--json", "image-info", simlib.image("bootloader_esp32.bin"))
try:
    obj = json.loads(r.out.strip().splitlines()[-1])
    want = parse_image(read_image("bootloader_esp32.bin"), True)
    ok = (obj["type"] == "result" and obj["entry"] == want["entry"] and
          obj["segments"] == want["nseg"] and obj["checksum_valid"] is True and
          [s["load_address"] for s in obj["segment_list"]] == [s[1] for s in want["segments"]])
except (ValueError, KeyError, IndexError) as e:
    ok = False
tap.ok(r.rc == 0 and ok, "image-info --json: entry, segments, checksum", r.describe())

r = run_cli("image-info", simlib.image("one_kb.bin"))
tap.ok(r.rc == 1 and "error:" in r.err and "0xE9" in r.err,
       "image-info on a non-image: a clear error", r.describe())


def build_image(chip_id, segments):
    """An ESP32-family image (protocol.md §8.1) holding @segments, a list of
    (load address, bytes), with its checksum and an appended SHA-256."""
    out = bytearray(struct.pack("<BBBBI", 0xE9, len(segments), 2, 0x20, 0x40080000))
    out += struct.pack("<B3sHBHH4sB", 0xEE, b"", chip_id, 0, 0, 399, b"", 1)
    checksum = 0xEF
    for load, data in segments:
        out += struct.pack("<II", load, len(data)) + data
        for b in data:
            checksum ^= b
    out += bytes(15 - len(out) % 16) + bytes([checksum])
    return bytes(out + hashlib.sha256(out).digest())


# ESP-IDF >= 5.2 bootloaders start segment 0 (in DRAM) with esp_bootloader_desc_t:
# magic 0x50, 3 reserved bytes, version, idf_ver[32], date_time[24], 16 reserved.
boot_desc = struct.pack("<B3sI32s24s16s", 0x50, b"", 2, b"v5.3.1", b"Nov  4 2024 09:08:07", b"")
dram = (0x3FCEB700, boot_desc + bytes(16))      # ESP32-S3 DRAM
iram = (0x403C8700, bytes(range(64)))
drom = (0x3C000020, bytes(range(1, 65)))        # flash-mapped data: an app
bootloader = os.path.join(TMP, "bootloader-idf5.3.bin")
with open(bootloader, "wb") as f:
    f.write(build_image(9, [dram, iram]))
app = os.path.join(TMP, "app-no-desc.bin")
with open(app, "wb") as f:
    f.write(build_image(9, [dram, iram, drom]))

r = run_cli("image-info", bootloader)
t = r.out
tap.ok(r.rc == 0 and "\nBootloader information\n" in t and
       field(t, "Bootloader version") == "2" and field(t, "ESP-IDF") == "v5.3.1" and
       field(t, "Compile time") == "Nov  4 2024 09:08:07",
       "image-info ESP-IDF 5.3 bootloader: version, ESP-IDF version, compile time", r.describe())
r = run_cli("--json", "image-info", bootloader)
try:
    obj = json.loads(r.out.strip().splitlines()[-1])
    ok = obj["bootloader"] == {"version": 2, "idf_version": "v5.3.1",
                               "date_time": "Nov  4 2024 09:08:07"} and "app" not in obj
except (ValueError, KeyError, IndexError):
    ok = False
tap.ok(r.rc == 0 and ok, "image-info --json: the bootloader object", r.describe())

r = run_cli("image-info", app)
tap.ok(r.rc == 0 and "Bootloader" not in r.out,
       "image-info: an app (DROM segment) is not taken for a bootloader", r.describe())
r = run_cli("--json", "image-info", app)
tap.ok(r.rc == 0 and '"bootloader"' not in r.out, "image-info --json: no bootloader object for "
       "an app", r.describe())

# ----------------------------------------------------------------------
# Usage errors: exit 2 with a hint, before any port is touched.

USAGE_CASES = [
    ([], "no command"),
    (["frobnicate"], "unknown command"),
    (["chip-id", "--no-such-option"], "unknown option"),
    (["write-flash", "0x1000"], "write-flash without a file"),
    (["write-flash", "0x1000", simlib.image("one_kb.bin"), "0x2000"], "odd ADDR FILE list"),
    (["write-flash", "0xZZ", simlib.image("one_kb.bin")], "bad address"),
    (["read-flash", "0", "12Q", os.path.join(TMP, "x")], "bad size"),
    (["erase-region", "0x1001", "0x1000"], "unaligned erase"),
    (["--before", "sometimes", "chip-id"], "bad --before"),
    (["--after", "later", "chip-id"], "bad --after"),
    (["-c", "esp99", "chip-id"], "bad --chip"),
    (["-b", "fast", "chip-id"], "bad --baud"),
    (["write-flash", "--flash-mode", "xio", "0", simlib.image("one_kb.bin")], "bad --flash-mode"),
    (["chip-id", "extra"], "extra argument"),
]
for args, what in USAGE_CASES:
    r = run_cli("-p", "socket://127.0.0.1:9", *args, timeout=20)
    tap.ok(r.rc == 2 and "error:" in r.err and "Run 'esplash-cli" in r.err,
           "usage error exits 2 with a hint: %s" % what, r.describe())

r = run_cli("write-flash", "--help")
tap.ok(r.rc == 0 and "--no-compress" in r.out and "--port" in r.out,
       "write-flash --help lists its and the global options", r.describe())
r = run_cli("--json", "list-ports")
try:
    ok = r.rc == 0 and isinstance(json.loads(r.out.strip().splitlines()[-1])["ports"], list)
except (ValueError, KeyError, IndexError):
    ok = False
tap.ok(ok, "list-ports --json gives a port list", r.describe())


def connection_attempted(sim):
    return any(l.startswith("command ") for l in sim.events())


def device_cases():
    with Sim("esp32c3", "--flash-size", "2MB", "--mac", "24:0a:c4:00:00:c3") as sim:
        url = sim.url
        # Inputs are checked before the port is opened.
        r = run_cli("-p", url, "write-flash", "0x10000", simlib.image("one_kb.bin"),
                    "0x20000", os.path.join(TMP, "does-not-exist.bin"))
        tap.ok(r.rc == 1 and "does-not-exist.bin" in r.err and not connection_attempted(sim),
               "missing file: exit 1 naming it, no connection", r.describe())
        r = run_cli("-p", url, "write-flash", "0x10000", simlib.image("fifty_kb.bin"),
                    "0x18000", simlib.image("one_kb.bin"))
        tap.ok(r.rc == 2 and "overlap" in r.err and not connection_attempted(sim),
               "overlapping regions: exit 2, no connection", r.describe())
        r = run_cli("-p", url, "write-flash", "--flash-size", "1MB", "0xF0000",
                    simlib.image("one_mb.bin"))
        tap.ok(r.rc == 1 and "beyond" in r.err and not connection_attempted(sim),
               "region beyond --flash-size: refused before connecting", r.describe())

        # Beyond the detected 2 MB flash: refused after connecting, nothing written.
        before = sim.dump_flash(0x180000, 0x1000)
        r = run_cli("-p", url, "--after", "no-reset-stub", "write-flash", "0x180000",
                    simlib.image("one_mb.bin"))
        tap.ok(r.rc == 1 and "beyond" in r.err, "region beyond the 2MB flash: exit 1",
               r.describe())
        tap.ok(sim.dump_flash(0x180000, 0x1000) == before, "region beyond the flash: untouched")

        # Wrong chip.
        r = run_cli("-p", url, "-c", "esp32s3", "--after", "no-reset-stub", "chip-id")
        tap.ok(r.rc == 1 and "ESP32-C3" in r.err and "esp32c3" in r.err,
               "-c esp32s3 on an ESP32-C3: a clear message", r.describe())
        r = run_cli("-p", url, "--json", "-c", "esp32s3", "--after", "no-reset-stub", "chip-id")
        last = {}
        try:
            last = json.loads(r.out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            pass
        tap.ok(r.rc == 1 and last.get("type") == "error" and
               last.get("code") == "unsupported-chip",
               "--json wrong chip: an error object with code unsupported-chip", r.describe())

        # Global options after the command; sizes in all spellings; ALL.
        for spelling in ("4096", "0x1000", "4k", "4K"):
            out = os.path.join(TMP, "size-%s.bin" % spelling)
            r = run_cli("read-flash", "0x10000", spelling, out, "-p", url,
                        "--after", "no-reset-stub")
            size = os.path.getsize(out) if r.rc == 0 and os.path.exists(out) else -1
            tap.ok(size == 4096, "read-flash size %s reads 4096 bytes (options after command)" %
                   spelling, r.describe())
        out = os.path.join(TMP, "all.bin")
        r = run_cli("-p", url, "--after", "no-reset-stub", "read-flash", "0x1FF000", "ALL", out)
        size = os.path.getsize(out) if r.rc == 0 and os.path.exists(out) else -1
        tap.ok(size == 0x1000, "read-flash 0x1FF000 ALL reads to the end of the 2MB flash",
               r.describe())

        # --json: one object per line, progress monotonic up to the total.
        r = run_cli("-p", url, "--json", "--after", "no-reset-stub", "write-flash",
                    "0x10000", simlib.image("fifty_kb.bin"), "0x30000", simlib.image("one_kb.bin"))
        objs, bad = [], None
        for line in r.out.splitlines():
            try:
                objs.append(json.loads(line))
            except ValueError:
                bad = line
        tap.ok(r.rc == 0 and bad is None and objs and all("type" in o for o in objs),
               "--json: every stdout line is a JSON object with a type", bad or r.describe())
        progress = [o for o in objs if o.get("type") == "progress" and o.get("stage") == "writing"]
        overall = [o["overall_done"] for o in progress]
        total = 51200 + 1024
        tap.ok(progress and overall == sorted(overall) and overall[-1] == total and
               all(o["overall_total"] == total for o in progress),
               "--json: writing progress rises monotonically to %d" % total, repr(overall))
        tap.ok(objs and objs[-1].get("type") == "result" and objs[-1].get("success") is True and
               [x["verified"] for x in objs[-1].get("regions", [])] == [True, True],
               "--json: the last object is the result, both regions verified",
               repr(objs[-1] if objs else None))
        tap.ok({"stage", "log"} <= {o["type"] for o in objs}, "--json: stage and log events too")

        # info, erase-flash, reset.
        r = run_cli("-p", url, "--after", "no-reset-stub", "info")
        tap.ok(r.rc == 0 and "Chip is ESP32-C3" in r.out and "MAC: 24:0a:c4:00:00:c3" in r.out and
               re.search(r"^Flash: .*size 2MB$", r.out, re.M) is not None,
               "info: chip, MAC and the 2MB flash", r.describe())
        r = run_cli("-p", url, "--after", "no-reset-stub", "erase-flash", timeout=200)
        tap.cli_ok(r, "erase-flash")
        tap.ok(sim.dump_flash(0x10000, 0x10000) == b"\xff" * 0x10000,
               "erase-flash: the written data is gone")
        r = run_cli("-p", url, "--after", "no-reset", "--no-stub", "reset")
        tap.ok(r.rc == 0 and "Chip is ESP32-C3" in r.out, "reset: connects and leaves",
               r.describe())


def skip_case():
    """A reflash writes only what changed (issue 10); --no-skip writes it all."""
    def data_commands(sim):
        return sum(1 for l in sim.events() if l in ("command FLASH_DEFL_DATA", "command FLASH_DATA"))

    with Sim("esp32s3") as sim:
        image = bytearray(read_image("one_mb.bin")[:200 * 1024])
        path = os.path.join(TMP, "skip.bin")
        with open(path, "wb") as fh:
            fh.write(image)
        common = ["-p", sim.url, "--after", "no-reset-stub", "write-flash"]
        r = run_cli(*(common + ["0x40000", path]))
        first = data_commands(sim)
        tap.ok(r.rc == 0 and first > 0 and "0 of 200 KiB unchanged" in r.out,
               "skip: a first write sends the data", r.describe())
        r = run_cli(*(common + ["0x40000", path]))
        tap.ok(r.rc == 0 and "skip.bin: 200 of 200 KiB unchanged, nothing to write" in r.out and
               "Hash of data verified." in r.out and data_commands(sim) == first,
               "skip: the same file again sends no data and says so", r.describe())
        r = run_cli(*(common + ["--json", "0x40000", path]))
        skipped = [json.loads(l).get("overall_skipped") for l in r.out.splitlines()
                   if '"progress"' in l]
        tap.ok(r.rc == 0 and skipped and skipped[-1] == 200 * 1024,
               "skip: --json progress counts the skipped bytes", repr(skipped[-3:]))
        old_path = os.path.join(TMP, "skip-old.bin")
        with open(old_path, "wb") as fh:
            fh.write(image)
        image[150 * 1024] ^= 0xFF
        with open(path, "wb") as fh:
            fh.write(image)
        r = run_cli(*(common + ["0x40000", path]))
        tap.ok(r.rc == 0 and "skip.bin: 196 of 200 KiB unchanged" in r.out and
               data_commands(sim) == first + 1 and
               sim.dump_flash(0x40000, len(image)) == bytes(image),
               "skip: one changed sector is one block, and the flash holds the new file",
               r.describe())

        # --diff-with: back to the old file, compared with the one just written.
        r = run_cli(*(common + ["--diff-with", path, "--diff-with", path, "0x40000", old_path]))
        tap.ok(r.rc != 0 and "--diff-with was given 2 times for 1 ADDRESS FILE pair" in r.err,
               "skip: --diff-with counts must match the pairs", r.describe())
        before = data_commands(sim)
        r = run_cli(*(common + ["--diff-with", path, "0x40000", old_path]))
        image[150 * 1024] ^= 0xFF
        tap.ok(r.rc == 0 and "with the file written there before" in r.out and
               "196 of 200 KiB unchanged" in r.out and "Hash of data verified." in r.out and
               data_commands(sim) == before + 1 and
               sim.dump_flash(0x40000, len(image)) == bytes(image),
               "skip: --diff-with writes the changed sector and verifies", r.describe())
        before = data_commands(sim)
        r = run_cli(*(common + ["--no-skip", "0x40000", path]))
        tap.ok(r.rc == 0 and "unchanged" not in r.out and data_commands(sim) - before == first,
               "skip: --no-skip writes everything again", r.describe())


def cancel_case():
    with Sim("esp32", "--timing") as sim:
        argv = [simlib.cli_path(), "-p", sim.url, "--json", "write-flash", "0x100000",
                simlib.image("one_mb.bin")]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started = False
        deadline = time.monotonic() + 60
        # Wait until data flows (the first acknowledged block).
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if o.get("type") == "progress" and o.get("stage") == "writing" and o.get("done", 0) > 0:
                started = True
                break
        if not tap.ok(started, "cancel: the write got going"):
            proc.kill()
            proc.wait()
            return
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=10)
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            rc = "hang"
        elapsed = time.monotonic() - sent
        tap.ok(rc == 130, "cancel: SIGINT exits 130 (got %s)" % rc, err.decode(errors="replace"))
        tap.ok(elapsed <= 0.5, "cancel: exit within 0.5 s of the signal (%.2f s)" % elapsed)
        last = out.decode(errors="replace").strip().splitlines()[-1:]
        tap.ok(last and "Cancelled" in last[0] and '"cancelled"' in last[0],
               "cancel: the last JSON object says Cancelled", repr(last))
        # The port was closed: the simulator takes a new client.
        r = run_cli("-p", sim.url, "--after", "no-reset-stub", "flash-id", timeout=60)
        tap.cli_ok(r, "cancel: the port was released (a new session connects)")

    # Text mode says "Cancelled" too.
    with Sim("esp32", "--timing") as sim:
        proc = subprocess.Popen([simlib.cli_path(), "-p", sim.url, "write-flash", "0x100000",
                                 simlib.image("one_mb.bin")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(2.0)
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        tap.ok(proc.returncode == 130 and b"Cancelled" in err,
               "cancel (text): exit 130 and 'Cancelled'", err.decode(errors="replace"))


def stall_case():
    # The chip stops answering after some commands, in the middle of the write.
    with Sim("esp32c3", "--fault", "stall", "--fault-after", "40") as sim:
        r = run_cli("-p", sim.url, "write-flash", "0x10000", simlib.image("one_mb.bin"),
                    timeout=120)
        tap.ok(r.rc == 1 and r.elapsed < 60 and re.search(r"time", r.err, re.I) is not None,
               "stalled chip: a timeout error in %.1f s, not a hang" % r.elapsed, r.describe())


for case in (device_cases, skip_case, cancel_case, stall_case):
    try:
        case()
    except SimError as e:
        tap.ok(False, "%s: simulator control" % case.__name__, str(e))

tap.finish()
