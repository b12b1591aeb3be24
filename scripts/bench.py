#!/usr/bin/python3
# bench.py: the reflash benchmark (issue 10) — esplash-cli against esplash-sim
# --timing, end to end, for a bootloader + partition table + 1 MiB app.
#
# Per scenario it prints the wall time of the esplash-cli command, the bytes
# on the wire both ways (the delta of the simulator's `stats` line), the wire
# limit (bytes x 10 / baud + the modelled erase/program/MD5 time, the delta of
# busy-us) and wall / limit. After every command the simulator's flash is
# dumped and compared with the images: a wrong result is a FAIL row and a
# non-zero exit. It is a benchmark, not a test: the goals are printed, and
# missing one does not fail the run.
#
#   scripts/bench.sh [--repeat N] [--json]
#
# Python 3 standard library only; reuses tests/integration/simlib.py.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import hashlib
import json
import os
import random
import statistics
import struct
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import simlib  # noqa: E402
from simlib import Sim, SimError  # noqa: E402

SECTOR = 0x1000
APP_OFFSET = 0x10000
TABLE_OFFSET = 0x8000
APP_SIZE = 0x100000            # 1 MiB, exactly the factory partition
BOOTLOADER_SIZE = 20 * 1024    # about; the image format rounds it to 16 bytes
FLASH_SIZE = 4 * 1024 * 1024
SEED = 0xE5F1A5

# Where each chip's second-stage bootloader lives (esptool's BOOTLOADER_FLASH_OFFSET).
BOOTLOADER_OFFSET = {"esp32s3": 0x0, "esp32": 0x1000}
# (image chip id, DROM, IROM, IRAM load addresses) for the generated images.
CHIP_IMAGE = {"esp32s3": (9, 0x3C000020, 0x42000020, 0x40378000),
              "esp32": (0, 0x3F400020, 0x400D0020, 0x40080000)}

# The goals of issue 10.
GOAL_UNCHANGED_S = 1.0
GOAL_ONE_SECTOR_S = 1.5
GOAL_FRESH_RATIO = 1.10


# ---------------------------------------------------------------------------
# Images: deterministic, firmware-like (compresses to about 58 % with zlib).

def firmware_bytes(n, rng):
    return simlib.firmware_bytes(n, rng)


def esp_image(chip, segments, digest):
    """An ESP32-family image (header, extended header, segments, padding to 15
    mod 16, XOR checksum seeded 0xEF, optional SHA-256), as esptool's
    elf2image writes it."""
    chip_id, _, _, iram = CHIP_IMAGE[chip]
    header = struct.pack("<BBBBI", 0xE9, len(segments), 2, 0x20, iram + 0x100)  # DIO, 4MB, 40m
    ext = struct.pack("<BBBBHBHHIB", 0xEE, 0, 0, 0, chip_id, 0, 0, 0xFFFF, 0, 1 if digest else 0)
    image = bytearray(header + ext)
    checksum = 0xEF
    for load, data in segments:
        image += struct.pack("<II", load, len(data)) + data
        for b in data:
            checksum ^= b
    while len(image) % 16 != 15:
        image.append(0)
    image.append(checksum)
    if digest:
        image += hashlib.sha256(bytes(image)).digest()
    return bytes(image)


def app_description(project="bench", version="1.0.0"):
    desc = bytearray(256)
    desc[0:4] = struct.pack("<I", 0xABCD5432)
    desc[16:16 + len(version)] = version.encode()
    desc[48:48 + len(project)] = project.encode()
    desc[112:116] = b"v5.3"
    return bytes(desc)


def make_images(chip):
    """(bootloader, table, app) for @chip, the same bytes on every run."""
    rng = random.Random(SEED)
    chip_id, drom, irom, iram = CHIP_IMAGE[chip]
    boot_code = firmware_bytes(BOOTLOADER_SIZE - 64, rng)
    bootloader = esp_image(chip, [(iram + 0x20000, boot_code[:4096]),
                                  (iram, boot_code[4096:])], digest=True)
    table = simlib.partition_table(simlib.IDF_SINGLE_APP)
    rodata = app_description() + firmware_bytes(256 * 1024 - 256, rng)
    # The app carries no appended SHA-256 (hash_appended = 0, a valid ESP-IDF
    # choice) so that a change inside one sector stays inside that sector.
    # Segment lengths are multiples of 4; the padding to 15 mod 16 and the
    # checksum byte bring the image to exactly APP_SIZE.
    code_len = (APP_SIZE - 1 - (24 + 8 + len(rodata) + 8)) & ~3
    code = firmware_bytes(code_len, rng)
    app = esp_image(chip, [(drom, rodata), (irom, code)], digest=False)
    assert len(app) == APP_SIZE, len(app)
    return bootloader, table, app


def change_sectors(app, sectors, salt):
    """@app with bytes changed in each of @sectors (app-relative indices). The
    changes come in pairs with the same XOR so that the image checksum (in
    the last sector) stays right: exactly those sectors differ."""
    rng = random.Random(SEED ^ salt)
    out = bytearray(app)
    last = len(app) // SECTOR - 1
    for s in sectors:
        assert 0 < s < last, s
        for _ in range(8):
            delta = rng.randrange(1, 256)
            a = s * SECTOR + rng.randrange(0, SECTOR // 2)
            b = s * SECTOR + SECTOR // 2 + rng.randrange(0, SECTOR // 2)
            out[a] ^= delta
            out[b] ^= delta
    return bytes(out)


def write_file(directory, name, data):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


# ---------------------------------------------------------------------------
# One benchmark run.

def parse_stats(line):
    if not line.startswith("stats "):
        raise SimError("stats answered %r" % line)
    fields = dict(word.split("=", 1) for word in line.split()[1:])
    return {k: int(v) for k, v in fields.items()}


def expected_flash(layout):
    buf = bytearray(b"\xff" * FLASH_SIZE)
    for offset, data in layout:
        data = simlib.padded(data)
        buf[offset:offset + len(data)] = data
    return bytes(buf)


def first_diff(got, want):
    for i in range(min(len(got), len(want))):
        if got[i] != want[i]:
            return "flash differs at 0x%x: %02x, expected %02x" % (i, got[i], want[i])
    return "flash is %d bytes, expected %d" % (len(got), len(want))


class Session:
    """One simulator (fresh, erased flash) and a sequence of write-flash calls."""

    def __init__(self, chip, baud, stub, verbose, rfc2217=False):
        self.chip, self.baud, self.stub, self.verbose = chip, baud, stub, verbose
        # RFC 2217 carries DTR/RTS: the chip can be reset, which the automatic
        # rate needs (a rate that fails strands the chip until a reset).
        self.sim = Sim(chip, "--timing", "--flash-size", "4MB", rfc2217=rfc2217)
        self.common = ["-p", self.sim.url]
        if baud is not None:
            self.common += ["-b", str(baud)]
        self.common += ["--after", "no-reset-stub"] if stub else ["--after", "no-reset", "--no-stub"]
        if verbose:
            self.common.append("--verbose")

    def close(self):
        self.sim.close()

    def reset_to_rom(self):
        """BOOT held, RESET pressed: the chip waits in the ROM loader at
        115200, as after an auto-reset, so the next command syncs with the
        ROM and uploads the stub again."""
        self.sim.control("boot-held 1")
        self.sim.control("press-reset")
        deadline = time.monotonic() + 5
        while self.sim.state() != "rom-loader":
            if time.monotonic() > deadline:
                raise SimError("the simulator did not reach the ROM loader after a reset")
            time.sleep(0.02)
        self.sim.control("boot-held 0")

    def write(self, name, layout, extra=()):
        """Runs write-flash for @layout [(offset, path, data)], returns the row."""
        args = list(self.common) + ["write-flash"] + list(extra)
        for offset, path, _ in layout:
            args += ["0x%x" % offset, path]
        before = parse_stats(self.sim.control("stats"))
        r = simlib.run_cli(*args, timeout=900)
        after = parse_stats(self.sim.control("stats"))
        # The rate the data went at: where the chip ended (the stub stays at
        # it; -b auto may have tried faster rates that failed on the way).
        baud = after["baud"]
        wire = (after["host-to-chip"] - before["host-to-chip"]) + \
               (after["chip-to-host"] - before["chip-to-host"])
        busy_s = (after["busy-us"] - before["busy-us"]) / 1e6
        limit = wire * 10 / baud + busy_s
        problems = []
        if r.rc != 0:
            problems.append("esplash-cli exited %s: %s" % (r.rc, (r.err.strip().splitlines() or
                                                                   [""])[-1]))
        got = self.sim.dump_flash(0, FLASH_SIZE)
        want = expected_flash([(o, d) for o, _, d in layout])
        if got != want:
            problems.append(first_diff(got, want))
        row = {
            "scenario": name, "chip": self.chip, "loader": "stub" if self.stub else "rom",
            "baud_option": self.baud, "baud": baud, "wall_s": r.elapsed,
            "host_to_chip": after["host-to-chip"] - before["host-to-chip"],
            "chip_to_host": after["chip-to-host"] - before["chip-to-host"],
            "wire_bytes": wire, "busy_s": busy_s, "wire_s": wire * 10 / baud,
            "limit_s": limit, "ratio": r.elapsed / limit if limit > 0 else None,
            # The stub overlaps receiving with erasing/programming: neither the
            # wire nor the flash can go faster than this.
            "floor_s": max(wire * 10 / baud, busy_s),
            "ok": not problems, "problems": problems,
        }
        row["floor_ratio"] = r.elapsed / row["floor_s"] if row["floor_s"] > 0 else None
        if self.verbose:
            sys.stderr.write("== %s\n%s\n%s\n" % (name, r.out, r.err))
        return row


def run_once(workdir, verbose, only):
    """Every scenario once; returns the rows in order."""
    rows = []

    def wanted(group):
        return not only or group in only

    # ESP32-S3, stub, 921600 and the automatic rate.
    boot, table, app = make_images("esp32s3")
    last = APP_SIZE // SECTOR - 1
    one_sector = [100]
    # 10 % of the app's 256 sectors (26), spread evenly, none of them the one
    # above, not the first (header) nor the last (checksum).
    n10 = round(0.1 * (APP_SIZE // SECTOR))
    ten_percent = [3 + i * (last - 6) // (n10 - 1) for i in range(n10)]
    ten_percent = [s + 1 if s in one_sector else s for s in ten_percent]
    assert len(set(ten_percent)) == n10 and not set(ten_percent) & set(one_sector)
    app1 = change_sectors(app, one_sector, 1)
    app10 = change_sectors(app1, ten_percent, 2)
    d = os.path.join(workdir, "esp32s3")
    os.makedirs(d, exist_ok=True)
    p_boot = write_file(d, "bootloader.bin", boot)
    p_table = write_file(d, "partition-table.bin", table)
    p_app = write_file(d, "app.bin", app)
    p_app1 = write_file(d, "app-1-sector.bin", app1)
    p_app10 = write_file(d, "app-10-percent.bin", app10)
    bo = BOOTLOADER_OFFSET["esp32s3"]

    def layout(path, data):
        return [(bo, p_boot, boot), (TABLE_OFFSET, p_table, table), (APP_OFFSET, path, data)]

    if wanted("s3"):
        s = Session("esp32s3", 921600, True, verbose)
        try:
            rows.append(s.write("fresh", layout(p_app, app)))
            rows.append(s.write("unchanged", layout(p_app, app)))
            s.reset_to_rom()
            rows.append(s.write("unchanged, ROM start", layout(p_app, app)))
            rows.append(s.write("1 sector changed", layout(p_app1, app1)))
            rows.append(s.write("10 % sectors changed", layout(p_app10, app10)))
            rows.append(s.write("rewrite --no-skip", layout(p_app10, app10), ["--no-skip"]))
        finally:
            s.close()

    if wanted("auto"):
        # -b auto over RFC 2217 (a reset each time, the search each time: the
        # CLI does not remember rates; the window does, per adapter).
        s = Session("esp32s3", "auto", True, verbose, rfc2217=True)
        try:
            rows.append(s.write("fresh", layout(p_app, app)))
            rows.append(s.write("unchanged", layout(p_app, app)))
        finally:
            s.close()

    # ESP32, ROM loader only, 115200.
    if wanted("rom"):
        boot, table, app = make_images("esp32")
        d = os.path.join(workdir, "esp32")
        os.makedirs(d, exist_ok=True)
        p_boot = write_file(d, "bootloader.bin", boot)
        p_table = write_file(d, "partition-table.bin", table)
        p_app = write_file(d, "app.bin", app)
        lay = [(BOOTLOADER_OFFSET["esp32"], p_boot, boot), (TABLE_OFFSET, p_table, table),
               (APP_OFFSET, p_app, app)]
        s = Session("esp32", 115200, False, verbose)
        try:
            rows.append(s.write("fresh", lay))
            rows.append(s.write("unchanged", lay))
        finally:
            s.close()
    return rows


def median_rows(runs):
    """Per scenario: the median of each measured figure over the runs; a
    scenario fails if it failed in any run."""
    out = []
    for i, first in enumerate(runs[0]):
        all_i = [run[i] for run in runs]
        row = dict(first)
        for key in ("wall_s", "busy_s", "wire_s", "limit_s", "floor_s"):
            row[key] = statistics.median(r[key] for r in all_i)
        for key in ("wire_bytes", "host_to_chip", "chip_to_host"):
            row[key] = int(round(statistics.median(r[key] for r in all_i)))
        row["ratio"] = row["wall_s"] / row["limit_s"] if row["limit_s"] > 0 else None
        row["floor_ratio"] = row["wall_s"] / row["floor_s"] if row["floor_s"] > 0 else None
        row["ok"] = all(r["ok"] for r in all_i)
        row["problems"] = [p for r in all_i for p in r["problems"]]
        row["walls_s"] = [r["wall_s"] for r in all_i]
        out.append(row)
    return out


def label(row):
    loader = "stub" if row["loader"] == "stub" else "ROM"
    rate = str(row["baud_option"]) if row["baud_option"] else "auto"
    return "%s %s %s" % ({"esp32s3": "ESP32-S3", "esp32": "ESP32"}[row["chip"]], loader, rate)


def find(rows, chip, baud_option, scenario):
    for r in rows:
        if r["chip"] == chip and r["baud_option"] == baud_option and r["scenario"] == scenario:
            return r
    return None


def goals(rows):
    """[(text, met or None when not measured, measured text)]"""
    out = []
    r = find(rows, "esp32s3", 921600, "unchanged")
    out.append(("unchanged reflash <= %.1f s end to end (ESP32-S3, 921600)" % GOAL_UNCHANGED_S,
                None if r is None else (r["ok"] and r["wall_s"] <= GOAL_UNCHANGED_S),
                "" if r is None else "%.2f s" % r["wall_s"]))
    r = find(rows, "esp32s3", 921600, "1 sector changed")
    out.append(("one changed sector <= %.1f s end to end (ESP32-S3, 921600)" % GOAL_ONE_SECTOR_S,
                None if r is None else (r["ok"] and r["wall_s"] <= GOAL_ONE_SECTOR_S),
                "" if r is None else "%.2f s" % r["wall_s"]))
    r = find(rows, "esp32s3", 921600, "fresh")
    out.append(("fresh write <= %.2fx the wire limit (ESP32-S3, 921600)" % GOAL_FRESH_RATIO,
                None if r is None else (r["ok"] and r["ratio"] <= GOAL_FRESH_RATIO),
                "" if r is None else "%.2fx" % r["ratio"]))
    return out


def print_table(rows, repeat):
    head = ("setup", "scenario", "baud", "wall s", "bytes h>c", "bytes c>h", "wire s",
            "busy s", "limit s", "wall/limit", "wall/floor", "result")
    lines = []
    for r in rows:
        lines.append((label(r), r["scenario"], str(r["baud"]), "%.2f" % r["wall_s"],
                      str(int(r["host_to_chip"])), str(int(r["chip_to_host"])),
                      "%.2f" % r["wire_s"], "%.2f" % r["busy_s"], "%.2f" % r["limit_s"],
                      "%.2f" % r["ratio"] if r["ratio"] is not None else "-",
                      "%.2f" % r["floor_ratio"] if r["floor_ratio"] is not None else "-",
                      "ok" if r["ok"] else "FAIL"))
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
    left = {0, 1}

    def fmt(cells):
        return "  ".join(c.ljust(w) if i in left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    print("Reflash benchmark: bootloader + partition table (3 KiB) + 1 MiB app, "
          "esplash-sim --timing, %s" % ("1 run" if repeat == 1 else "median of %d runs" % repeat))
    print(fmt(head))
    print(fmt(["-" * w for w in widths]))
    for l in lines:
        print(fmt(l))
    print()
    print("limit = (bytes h>c + c>h) x 10 / baud + busy (the modelled erase/program/MD5 time);")
    print("floor = max(wire, busy): the bound when the flash works while the next block arrives,"
          " as with the stub")
    print("        (the ROM erases before it takes data: its bound is the limit);")
    print("baud = the chip's rate when the command ended (the data's); wall = the esplash-cli process,"
          " start to exit")
    print()
    print("Goals (issue 10):")
    for text, met, measured in goals(rows):
        state = "not measured" if met is None else ("met" if met else "NOT met")
        print("  %-60s %8s  %s" % (text, measured, state))
    r = find(rows, "esp32s3", 921600, "unchanged, ROM start")
    if r is not None:
        print("  (unchanged with the chip in the ROM loader, stub upload included: %.2f s)"
              % r["wall_s"])
    for r in rows:
        for p in r["problems"]:
            print("FAIL %s / %s: %s" % (label(r), r["scenario"], p))


def main():
    ap = argparse.ArgumentParser(description="Reflash benchmark: esplash-cli against esplash-sim --timing")
    ap.add_argument("--repeat", type=int, default=1, help="runs per scenario; the median is shown")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--build-dir", default=os.path.join(TOP, "build"),
                    help="the meson build folder (default: build/)")
    ap.add_argument("--only", action="append", choices=["s3", "auto", "rom"],
                    help="run only these groups (repeatable)")
    ap.add_argument("--verbose", action="store_true",
                    help="pass --verbose to esplash-cli and copy its output to stderr")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    os.environ.setdefault("ESPLASH_CLI", os.path.join(args.build_dir, "app", "cli", "esplash-cli"))
    os.environ.setdefault("ESPLASH_SIM", os.path.join(args.build_dir, "core", "sim", "esplash-sim"))
    os.environ.setdefault("ESPLASH_STUB_DIR", os.path.join(TOP, "stubs"))
    for var in ("ESPLASH_CLI", "ESPLASH_SIM"):
        if not os.access(os.environ[var], os.X_OK):
            sys.exit("bench: %s (%s) is not built" % (var, os.environ[var]))

    runs = []
    with tempfile.TemporaryDirectory(prefix="esplash-bench-") as workdir:
        # -b auto remembers rates in the user's cache: start from none.
        os.environ["XDG_CACHE_HOME"] = os.path.join(workdir, "cache")
        for i in range(args.repeat):
            if not args.json:
                sys.stderr.write("bench: run %d of %d …\n" % (i + 1, args.repeat))
            try:
                runs.append(run_once(workdir, args.verbose, args.only))
            except SimError as e:
                sys.exit("bench: simulator: %s" % e)
    rows = median_rows(runs) if len(runs) > 1 else runs[0]
    ok = all(r["ok"] for r in rows)
    if args.json:
        json.dump({"repeat": args.repeat, "ok": ok, "rows": rows,
                   "goals": [{"goal": t, "met": m, "measured": v} for t, m, v in goals(rows)]},
                  sys.stdout, indent=1)
        print()
    else:
        print_table(rows, args.repeat)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
