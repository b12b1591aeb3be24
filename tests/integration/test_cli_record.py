#!/usr/bin/python3
# test_cli_record.py: esplash-cli write-flash --record FILE — one line per
# flash (JSON Lines or CSV) for a board that was written, and for one that
# failed; a file that cannot be appended to stops the command before the
# port is opened.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import csv
import hashlib
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from simlib import Sim, SimError, Tap, run_cli  # noqa: E402

simlib.require_programs()
tap = Tap()
TMP = tempfile.mkdtemp(prefix="esplash-cli-record-")


def app_file():
    path = os.path.join(TMP, "app.bin")
    data = simlib.esp_image("esp32s3")
    with open(path, "wb") as f:
        f.write(data)
    return path, hashlib.sha256(data).hexdigest(), len(data)


def read_lines(path):
    try:
        with open(path, "r", newline="") as f:
            return f.read()
    except OSError:
        return ""


def success_cases():
    app, sha, size = app_file()
    with Sim("esp32s3") as sim:
        r = run_cli("-p", sim.url, "info")
        if not tap.cli_ok(r, "info before flashing"):
            return
        m = re.search(r"^MAC: ([0-9a-f:]{17})\s*$", r.text, re.M)
        mac = m.group(1) if m else None
        tap.ok(mac is not None, "info prints the MAC", r.describe())

        # JSON Lines
        jsonl = os.path.join(TMP, "out.jsonl")
        r = run_cli("-p", sim.url, "write-flash", "0x10000", app, "--record", jsonl)
        tap.cli_ok(r, "write-flash --record out.jsonl")
        text = read_lines(jsonl)
        lines = text.splitlines()
        tap.ok(len(lines) == 1 and text.endswith("\n"), "one JSON line", repr(text))
        try:
            rec = json.loads(lines[0]) if lines else {}
        except ValueError as e:
            rec = {}
            tap.diag("not JSON: %s" % e)
        images = rec.get("images") or [{}]
        tap.ok(rec.get("chip") == "ESP32-S3", "record: chip ESP32-S3", repr(rec))
        tap.ok(rec.get("mac") == mac, "record: the MAC info printed (%s)" % mac, repr(rec))
        tap.ok(rec.get("port") == sim.url, "record: the port used", repr(rec))
        tap.ok(rec.get("ok") is True and rec.get("error") is None, "record: ok, no error",
               repr(rec))
        tap.ok(len(rec.get("images") or []) == 1 and images[0].get("offset") == 0x10000 and
               images[0].get("size") == size and images[0].get("sha256") == sha,
               "record: the image's offset, size and SHA-256", repr(rec))
        tap.ok(rec.get("flash_size", 0) > 0 and isinstance(rec.get("duration_s"), float) and
               re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", rec.get("time") or "") is not None,
               "record: flash size, duration, UTC time", repr(rec))

        # CSV: twice to the same file, the header once
        out_csv = os.path.join(TMP, "boards.csv")
        for i in range(2):
            r = run_cli("-p", sim.url, "write-flash", "0x10000", app, "--record", out_csv)
            tap.cli_ok(r, "write-flash --record boards.csv (%d)" % (i + 1))
        with open(out_csv, newline="") as f:
            rows = list(csv.reader(f))
        tap.ok(len(rows) == 3 and rows[0][:4] == ["time", "port", "usb_serial", "chip"],
               "CSV: a header once, then two rows", repr(rows))
        if len(rows) == 3:
            head = rows[0]
            for row in rows[1:]:
                d = dict(zip(head, row))
                tap.ok(d.get("chip") == "ESP32-S3" and d.get("mac") == mac and
                       d.get("ok") == "true" and d.get("images") == "0x10000:%s" % sha,
                       "CSV row: chip, MAC, ok, images", repr(d))


def bad_path_case():
    app, _, _ = app_file()
    with Sim("esp32s3") as sim:
        before = sim.events(timeout=5.0)
        bad = os.path.join(TMP, "no-such-folder", "out.jsonl")
        r = run_cli("-p", sim.url, "write-flash", "0x10000", app, "--record", bad)
        tap.ok(r.rc == 2 and "--record" in r.err and "Cannot append the record" in r.err,
               "unwritable --record: a usage error (exit 2)", r.describe())
        events = sim.events(timeout=5.0)
        tap.ok(events == before, "unwritable --record: the board was not touched", repr(events))


def failure_case():
    app, sha, _ = app_file()
    jsonl = os.path.join(TMP, "failed.jsonl")
    with Sim("esp32s3", "--fault", "stall", "--fault-after", "5") as sim:
        r = run_cli("-p", sim.url, "write-flash", "0x10000", app, "--record", jsonl,
                    timeout=120)
        tap.ok(r.rc == 1, "stalled chip: write-flash fails", r.describe())
        lines = read_lines(jsonl).splitlines()
        rec = json.loads(lines[0]) if len(lines) == 1 else {}
        tap.ok(rec.get("ok") is False and bool(rec.get("error")) and rec.get("port") == sim.url,
               "failed flash recorded: ok false, the error, the port", repr(lines))
        tap.ok(any(img.get("sha256") == sha for img in rec.get("images") or []),
               "failed flash recorded: the planned image's SHA-256", repr(rec))
        tap.ok(rec.get("error", "") in r.err, "the record's error is the one printed", r.err)


for case in (success_cases, bad_path_case, failure_case):
    try:
        case()
    except SimError as e:
        tap.ok(False, "%s: simulator control" % case.__name__, str(e))

tap.finish()
