#!/usr/bin/python3
# test_cli_ports.py: esplash-cli write-flash to several boards at once (-p
# given several times): every board written, each board's lines prefixed
# with its port, one --record line per board, a summary "N of M boards
# flashed"; a board that stalls fails alone (exit 1), the others are still
# written; a single -p prints no prefix.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from simlib import Sim, SimError, Tap, run_cli  # noqa: E402

simlib.require_programs()
tap = Tap()
TMP = tempfile.mkdtemp(prefix="esplash-cli-ports-")
CHIPS = ("esp32s3", "esp32c3", "esp32")


def data_file():
    """Plain data (not an app image), so every chip takes it."""
    rng = random.Random(13)
    data = bytes([0x5A]) + bytes(rng.getrandbits(8) for _ in range(24 * 1024 - 1))
    path = os.path.join(TMP, "data.bin")
    with open(path, "wb") as f:
        f.write(data)
    return path, data


def read_records(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f.read().splitlines()]
    except (OSError, ValueError) as e:
        tap.diag("records: %s" % e)
        return []


def port_args(sims):
    args = []
    for sim in sims:
        args += ["-p", sim.url]
    return args


def prefixed(text, url):
    return any(line.startswith("[%s] " % url) for line in text.splitlines())


def all_flashed_case():
    path, data = data_file()
    jsonl = os.path.join(TMP, "out.jsonl")
    with Sim(CHIPS[0]) as a, Sim(CHIPS[1]) as b, Sim(CHIPS[2]) as c:
        sims = (a, b, c)
        r = run_cli(*port_args(sims), "write-flash", "0x10000", path, "--record", jsonl,
                    timeout=240)
        tap.cli_ok(r, "three -p: write-flash exits 0")
        for sim in sims:
            tap.ok(sim.dump_flash(0x10000, len(data)) == data,
                   "%s holds the file at 0x10000" % sim.chip, r.describe())
            tap.ok(prefixed(r.text, sim.url), "%s: output lines carry its port" % sim.chip,
                   r.describe())
        lines = [line for line in r.text.splitlines()
                 if line and not line.startswith("[") and "boards flashed" not in line]
        tap.ok("3 of 3 boards flashed" in r.err, "summary: 3 of 3 boards flashed", r.describe())
        recs = read_records(jsonl)
        tap.ok(len(recs) == 3 and sorted(rec.get("port") for rec in recs) ==
               sorted(sim.url for sim in sims) and all(rec.get("ok") is True for rec in recs),
               "record: three lines, the three ports, ok true", repr(recs))
        tap.ok(all(rec.get("images", [{}])[0].get("offset") == 0x10000 for rec in recs),
               "record: each names the image", repr(recs))
        tap.diag("unprefixed lines (the plan, printed once): %d" % len(lines))

        # --json: each child's objects gain "port", then one result object
        r = run_cli(*port_args(sims), "--json", "write-flash", "0x10000", path, timeout=240)
        tap.cli_ok(r, "three -p --json: exit 0")
        objs = []
        for line in r.out.splitlines():
            try:
                objs.append(json.loads(line))
            except ValueError:
                tap.ok(False, "--json: every stdout line is JSON", line)
        last = objs[-1] if objs else {}
        tap.ok(last.get("type") == "result" and last.get("boards") == 3 and
               last.get("flashed") == 3 and last.get("success") is True,
               "--json: a final result with 3 of 3 flashed", repr(last))
        child_results = [o for o in objs if o.get("type") == "result" and "port" in o]
        tap.ok(sorted(o["port"] for o in child_results) == sorted(s.url for s in sims),
               "--json: one result per board, with its port", repr(child_results))

        # a single -p: as before, no prefix, no summary
        r = run_cli("-p", a.url, "write-flash", "0x10000", path, timeout=120)
        tap.cli_ok(r, "single -p: exit 0")
        tap.ok(not any(line.startswith("[") for line in r.text.splitlines()) and
               "boards flashed" not in r.text, "single -p: no prefix, no summary", r.describe())


def one_fails_case():
    path, data = data_file()
    jsonl = os.path.join(TMP, "failed.jsonl")
    with Sim(CHIPS[0]) as a, Sim(CHIPS[1], "--fault", "stall", "--fault-after", "5") as b, \
            Sim(CHIPS[2]) as c:
        sims = (a, b, c)
        r = run_cli(*port_args(sims), "write-flash", "0x10000", path, "--record", jsonl,
                    timeout=240)
        tap.ok(r.rc == 1, "one board stalls: exit 1", r.describe())
        for sim in (a, c):
            tap.ok(sim.dump_flash(0x10000, len(data)) == data,
                   "%s still flashed" % sim.chip, r.describe())
        tap.ok("2 of 3 boards flashed" in r.err and b.url in r.err.split("boards flashed")[-1],
               "summary: 2 of 3 boards flashed, the stalled one named", r.describe())
        tap.ok(any(line.startswith("[%s] " % b.url) and "rror" in line
                   for line in r.err.splitlines()),
               "the stalled board's error carries its port", r.describe())
        recs = {rec.get("port"): rec for rec in read_records(jsonl)}
        tap.ok(len(recs) == 3 and recs.get(b.url, {}).get("ok") is False and
               recs.get(a.url, {}).get("ok") is True and recs.get(c.url, {}).get("ok") is True,
               "record: ok false for the stalled board only", repr(recs))


def usage_case():
    path, _ = data_file()
    r = run_cli("-p", "socket://127.0.0.1:1", "--all-ports", "write-flash", "0x10000", path)
    tap.ok(r.rc == 2 and "--all-ports" in r.err, "--all-ports with -p: a usage error",
           r.describe())


for case in (all_flashed_case, one_fails_case, usage_case):
    try:
        case()
    except SimError as e:
        tap.ok(False, "%s: simulator control" % case.__name__, str(e))

tap.finish()
