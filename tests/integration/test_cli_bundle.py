#!/usr/bin/python3
# test_cli_bundle.py: whatever a build produced, dropped on esplash-cli
# write-flash (issue 3): an ESP-IDF build folder for the ESP32-S3, its
# flasher_args.json, an ESP Web Tools manifest.json and an Arduino build folder
# for the ESP32 each end up in esplash-sim's flash at the offsets esptool /
# idf.py / arduino-cli would use (bootloader 0x0 on the S3 and 0x1000 on the
# ESP32, partition table 0x8000, boot_app0.bin 0xe000, app 0x10000); the plan
# is printed before anything is written; --dry-run writes nothing; refusals
# (another chip's build, overlapping pairs, a path out of the folder, an image
# beyond the flash) stop the command before the first FLASH_BEGIN.
#
# The firmware files are generated from the format description in simlib.py
# (esptool's image_info accepts them); the real ESP32 bootloader comes from
# $ESPLASH_SHARED_DIR/testdata/images.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from simlib import Sim, SimError, Tap, run_cli, padded, write_file  # noqa: E402

simlib.require_programs()
tap = Tap()
TMP = tempfile.mkdtemp(prefix="esplash-cli-bundle-")
KEEP_STUB = ["--after", "no-reset-stub"]

# ESP-IDF build for the ESP32-S3. The bootloader's header already holds the
# build's settings (as idf.py makes it), so it is written unchanged.
S3_SETTINGS = ("dio", "80m", "4MB")
S3_BOOTLOADER = simlib.esp_image("esp32s3", app=False, mode="dio", freq="80m", size="4MB")
S3_APP = simlib.esp_image("esp32s3", project="blink", body=40000)
IDF_TABLE = simlib.partition_table(simlib.IDF_SINGLE_APP)
S3_WANT = [(0x0, S3_BOOTLOADER), (0x8000, IDF_TABLE), (0x10000, S3_APP)]


def flasher_args_json(chip, bootloader_offset, files, settings=S3_SETTINGS):
    """flasher_args.json as idf.py writes it (protocol.md §9.1)."""
    mode, freq, size = settings
    parts = {"bootloader": (bootloader_offset, files[0]), "partition-table": (0x8000, files[1]),
             "app": (0x10000, files[2])}
    doc = {
        "write_flash_args": ["--flash_mode", mode, "--flash_size", size, "--flash_freq", freq],
        "flash_settings": {"flash_mode": mode, "flash_size": size, "flash_freq": freq},
        "flash_files": {"0x%x" % off: path for off, path in parts.values()},
        "extra_esptool_args": {"after": "hard_reset", "before": "default_reset", "stub": True,
                               "chip": chip},
    }
    for name, (off, path) in parts.items():
        doc[name] = {"offset": "0x%x" % off, "file": path, "encrypted": "false"}
    return json.dumps(doc, indent=4)


def make_idf_build(root, settings=S3_SETTINGS):
    build = os.path.join(root, "build")
    write_file(build, "bootloader/bootloader.bin", S3_BOOTLOADER)
    write_file(build, "partition_table/partition-table.bin", IDF_TABLE)
    write_file(build, "blink.bin", S3_APP)
    write_file(build, "flasher_args.json",
               flasher_args_json("esp32s3", 0x0, ["bootloader/bootloader.bin",
                                                  "partition_table/partition-table.bin",
                                                  "blink.bin"], settings))
    return build


# Arduino build output for the ESP32 (arduino-cli compile --export-binaries).
ESP32_BOOTLOADER = simlib.read_image("bootloader_esp32.bin")
ESP32_APP = simlib.esp_image("esp32", project="Blink", body=30000)
ARDUINO_TABLE = simlib.partition_table(simlib.ARDUINO_DEFAULT)
BOOT_APP0 = simlib.boot_app0()


def make_arduino_build(root):
    out = os.path.join(root, "build", "esp32.esp32.esp32")
    write_file(out, "Blink.ino.bootloader.bin", ESP32_BOOTLOADER)
    write_file(out, "Blink.ino.partitions.bin", ARDUINO_TABLE)
    write_file(out, "boot_app0.bin", BOOT_APP0)
    write_file(out, "Blink.ino.bin", ESP32_APP)
    # the merged image is in the folder too, but the parts are written instead
    merged = bytearray(b"\xff" * (0x10000 + len(ESP32_APP)))
    for off, data in ((0x1000, ESP32_BOOTLOADER), (0x8000, ARDUINO_TABLE), (0xE000, BOOT_APP0),
                      (0x10000, ESP32_APP)):
        merged[off:off + len(data)] = data
    write_file(out, "Blink.ino.merged.bin", bytes(merged))
    return out


def first_diff(a, b):
    for i in range(min(len(a), len(b))):
        if a[i] != b[i]:
            return "first difference at +0x%x: got %02x, expected %02x" % (i, a[i], b[i])
    return "lengths %d and %d" % (len(a), len(b))


def check_flash(sim, label, want):
    for off, data in want:
        got = sim.dump_flash(off, len(padded(data)))
        tap.ok(got == padded(data), "%s: the flash holds the %d-byte image at 0x%x" %
               (label, len(data), off), first_diff(got, padded(data)))


def flash_begins(sim):
    return [l for l in sim.events() if l in ("command FLASH_BEGIN", "command FLASH_DEFL_BEGIN")]


def commands(sim):
    return [l for l in sim.events() if l.startswith("command ")]


def plan_lines(text):
    return [l for l in text.splitlines() if l.startswith("0x") and "  " in l]


def check_plan_text(r, label, want):
    """One plan line per entry (offset, kind, file, size, reason), printed
    before the first write."""
    lines = plan_lines(r.out)
    got = [(int(l.split()[0], 16), l.split()[1]) for l in lines]
    tap.ok(got == want, "%s: the plan lists %s" %
           (label, ", ".join("%s at 0x%x" % (k, o) for o, k in want)), r.describe())
    tap.ok(all(" — " in l and "(" in l for l in lines),
           "%s: every plan line gives the size and the reason" % label, "\n".join(lines))
    write_at = r.out.find("Writing at")
    tap.ok(lines and write_at > 0 and r.out.find(lines[-1]) < write_at,
           "%s: the plan is printed before writing" % label, r.describe())


# ---------------------------------------------------------------------------

def idf_cases():
    root = os.path.join(TMP, "idf")
    build = make_idf_build(root)
    want_kinds = [(0x0, "bootloader"), (0x8000, "partition-table"), (0x10000, "app")]

    for label, path in (("ESP-IDF build folder", build),
                        ("flasher_args.json", os.path.join(build, "flasher_args.json"))):
        with Sim("esp32s3") as sim:
            r = run_cli("-p", sim.url, *KEEP_STUB, "write-flash", path)
            if not tap.cli_ok(r, "%s: write-flash exits 0" % label):
                continue
            check_plan_text(r, label, want_kinds)
            tap.ok("from flasher_args.json" in r.out, "%s: the reason names flasher_args.json" %
                   label, r.describe())
            check_flash(sim, label, S3_WANT)
            r = run_cli("-p", sim.url, *KEEP_STUB, "verify-flash", path)
            tap.ok(r.rc == 0 and r.out.count("Verifying") == 3,
                   "%s: verify-flash compares the three images" % label, r.describe())

    # The build asks for other settings than the bootloader header holds: the
    # header is patched (and its digest recomputed) as esptool does, unless
    # the command line keeps them.
    other = ("qio", "40m", "2MB")
    root2 = os.path.join(TMP, "idf-qio")
    build2 = make_idf_build(root2, settings=other)
    with Sim("esp32s3") as sim:
        r = run_cli("-p", sim.url, *KEEP_STUB, "write-flash", build2)
        if tap.cli_ok(r, "flash settings from flasher_args.json: write-flash"):
            want = simlib.patch_flash_params(S3_BOOTLOADER, *other)
            got = sim.dump_flash(0x0, len(want))
            tap.ok(got == want and got != S3_BOOTLOADER,
                   "flasher_args.json qio/40m/2MB: patched into the bootloader at 0x0",
                   first_diff(got, want))
            r = run_cli("-p", sim.url, *KEEP_STUB, "verify-flash", build2)
            tap.cli_ok(r, "verify-flash of the same build compares the patched bootloader")
        r = run_cli("-p", sim.url, *KEEP_STUB, "write-flash", "--flash-mode", "keep",
                    "--flash-freq", "keep", "--flash-size", "keep", build2)
        if tap.cli_ok(r, "--flash-mode/--flash-freq/--flash-size keep over the build's"):
            got = sim.dump_flash(0x0, len(S3_BOOTLOADER))
            tap.ok(got == S3_BOOTLOADER, "the command line wins: the bootloader is unchanged",
                   first_diff(got, S3_BOOTLOADER))

    # --dry-run: the plan only; the port is never opened.
    with Sim("esp32s3") as sim:
        r = run_cli("-p", sim.url, "write-flash", "--dry-run", root)
        tap.cli_ok(r, "--dry-run on the project folder exits 0")
        check_kinds = [(int(l.split()[0], 16), l.split()[1]) for l in plan_lines(r.out)]
        tap.ok(check_kinds == want_kinds and "nothing was written" in r.out,
               "--dry-run prints the plan and says nothing was written", r.describe())
        tap.ok(commands(sim) == [], "--dry-run: the simulator saw no command at all",
               repr(commands(sim)))
        tap.ok(sim.dump_flash(0x0, 0x20000) == b"\xff" * 0x20000, "--dry-run: the flash is blank")
    r = run_cli("write-flash", "--dry-run", build)
    tap.cli_ok(r, "--dry-run needs no port (the chip comes from flasher_args.json)")

    r = run_cli("--json", "write-flash", "--dry-run", build)
    objs = [json.loads(l) for l in r.out.splitlines() if l.startswith("{")]
    plans = [o for o in objs if o.get("type") == "plan"]
    ok = (r.rc == 0 and len(plans) == 1 and plans[0]["chip"] == "esp32s3" and
          [(e["offset"], e["kind"]) for e in plans[0]["entries"]] == want_kinds and
          plans[0]["writable"] is True and plans[0]["flash_mode"] == "dio" and
          all(e["reason"] for e in plans[0]["entries"]) and objs[-1].get("dry_run") is True)
    tap.ok(ok, "--json --dry-run: a plan object with the entries, reasons and settings",
           r.describe())

    # --json while writing: the plan object comes before any write progress.
    with Sim("esp32s3") as sim:
        r = run_cli("-p", sim.url, "--json", *KEEP_STUB, "write-flash", build)
        objs = [json.loads(l) for l in r.out.splitlines() if l.startswith("{")]
        kinds = [o["type"] for o in objs]
        first_progress = kinds.index("progress") if "progress" in kinds else -1
        ok = (r.rc == 0 and "plan" in kinds and 0 < first_progress and
              kinds.index("plan") < first_progress and
              all(o["findings"] == [] or all(f["severity"] == "warning" for f in o["findings"])
                  for o in objs if o["type"] == "plan"))
        tap.ok(ok, "--json write-flash: a plan object (no refusals) before the progress",
               r.describe())

    # Folder and ADDR FILE pairs mixed: the pair is written too.
    extra = write_file(TMP, "extra.bin", bytes(range(256)) * 16)
    with Sim("esp32s3") as sim:
        r = run_cli("-p", sim.url, *KEEP_STUB, "write-flash", build, "0x200000", extra)
        if tap.cli_ok(r, "build folder plus an ADDR FILE pair"):
            check_flash(sim, "folder plus pair", S3_WANT + [(0x200000, bytes(range(256)) * 16)])

    # image-info on the table prints it as gen_esp32part.py does.
    r = run_cli("image-info", os.path.join(build, "partition_table", "partition-table.bin"))
    want = ["# ESP-IDF Partition Table", "# Name, Type, SubType, Offset, Size, Flags",
            "nvs,data,nvs,0x9000,24K,", "phy_init,data,phy,0xf000,4K,",
            "factory,app,factory,0x10000,1M,"]
    lines = r.out.splitlines()
    tap.ok(r.rc == 0 and all(w in lines for w in want),
           "image-info on partition-table.bin prints the CSV", r.describe())


def manifest_case():
    # ESP Web Tools: one manifest, builds for the ESP32 and the ESP32-S3; the
    # connected chip picks its build (decimal offsets, paths beside the file).
    root = os.path.join(TMP, "web")
    write_file(root, "s3/bootloader.bin", S3_BOOTLOADER)
    write_file(root, "s3/partitions.bin", ARDUINO_TABLE)
    write_file(root, "s3/firmware.bin", S3_APP)
    write_file(root, "esp32/bootloader.bin", ESP32_BOOTLOADER)
    write_file(root, "esp32/partitions.bin", ARDUINO_TABLE)
    write_file(root, "esp32/firmware.bin", ESP32_APP)
    write_file(root, "boot_app0.bin", BOOT_APP0)
    builds = []
    for family, folder, bl in (("ESP32", "esp32", 4096), ("ESP32-S3", "s3", 0)):
        builds.append({"chipFamily": family, "parts": [
            {"path": folder + "/bootloader.bin", "offset": bl},
            {"path": folder + "/partitions.bin", "offset": 32768},
            {"path": "boot_app0.bin", "offset": 57344},
            {"path": folder + "/firmware.bin", "offset": 65536}]})
    manifest = write_file(root, "manifest.json", json.dumps(
        {"name": "Blink", "version": "1.0", "new_install_prompt_erase": True, "builds": builds}))
    with Sim("esp32s3") as sim:
        r = run_cli("-p", sim.url, *KEEP_STUB, "write-flash", manifest)
        if tap.cli_ok(r, "manifest.json: write-flash picks the ESP32-S3 build"):
            check_plan_text(r, "manifest.json", [(0x0, "bootloader"), (0x8000, "partition-table"),
                                                 (0xE000, "otadata"), (0x10000, "app")])
            check_flash(sim, "manifest.json", [(0x0, S3_BOOTLOADER), (0x8000, ARDUINO_TABLE),
                                               (0xE000, BOOT_APP0), (0x10000, S3_APP)])
    r = run_cli("write-flash", "--dry-run", manifest)
    tap.ok(r.rc == 2 and "ESP32, ESP32-S3" in r.err,
           "manifest.json --dry-run without -c: names the builds, asks for the chip", r.describe())
    r = run_cli("-c", "esp32", "write-flash", "--dry-run", manifest)
    tap.ok(r.rc == 0 and "0x00001000  bootloader" in r.out,
           "manifest.json --dry-run -c esp32: the ESP32 build", r.describe())


def arduino_cases():
    folder = make_arduino_build(os.path.join(TMP, "arduino"))
    want = [(0x1000, ESP32_BOOTLOADER), (0x8000, ARDUINO_TABLE), (0xE000, BOOT_APP0),
            (0x10000, ESP32_APP)]
    with Sim("esp32") as sim:
        r = run_cli("-p", sim.url, *KEEP_STUB, "write-flash", folder)
        if tap.cli_ok(r, "Arduino build folder (ESP32): write-flash"):
            check_plan_text(r, "Arduino folder", [(0x1000, "bootloader"), (0x8000, "partition-table"),
                                                  (0xE000, "otadata"), (0x10000, "app")])
            tap.ok("[skipped] 0x00000000  merged" in r.out,
                   "Arduino folder: the merged image is listed but skipped", r.describe())
            check_flash(sim, "Arduino folder", want)
            tap.ok(sim.dump_flash(0x0, 0x1000) == b"\xff" * 0x1000,
                   "Arduino folder: nothing at 0x0 (the merged image was not written)")

    # Another chip's build: refused once the chip is known, before any
    # FLASH_BEGIN; --force writes it (at the S3's offsets) and says so.
    with Sim("esp32s3") as sim:
        r = run_cli("-p", sim.url, *KEEP_STUB, "write-flash", folder)
        tap.ok(r.rc == 1 and "ESP32-S3" in r.err and "image for ESP32 " in r.err and
               "--force" in r.err, "ESP32 build on an ESP32-S3: exit 1 naming both chips",
               r.describe())
        tap.ok(commands(sim) != [] and flash_begins(sim) == [],
               "ESP32 build on an ESP32-S3: connected, but no FLASH_BEGIN", repr(commands(sim)))
        r = run_cli("-p", sim.url, *KEEP_STUB, "write-flash", "--force", folder)
        if tap.cli_ok(r, "ESP32 build on an ESP32-S3 with --force: written"):
            tap.ok("warning: --force" in r.err, "--force: a warning says what was overridden",
                   r.describe())
            check_flash(sim, "--force", [(0x0, ESP32_BOOTLOADER), (0x10000, ESP32_APP)])
    # Named on the command line, the chip refuses it before connecting.
    r = run_cli("-c", "esp32s3", "write-flash", "--dry-run", folder)
    tap.ok(r.rc == 1 and "not for this ESP32-S3" in r.err,
           "-c esp32s3 --dry-run on the ESP32 build: refused (exit 1)", r.describe())


def refusal_cases():
    build = make_idf_build(os.path.join(TMP, "idf-refusals"))
    app = os.path.join(build, "blink.bin")
    table = os.path.join(build, "partition_table", "partition-table.bin")
    with Sim("esp32s3", "--flash-size", "2MB") as sim:
        # Overlapping pairs: the offsets on the command line are wrong (exit 2).
        r = run_cli("-p", sim.url, "write-flash", "0x10000", app, "0x10800", table)
        tap.ok(r.rc == 2 and "overlap" in r.err and commands(sim) == [],
               "overlapping ADDR FILE pairs: exit 2, port not opened", r.describe())

        # A flasher_args.json that names a file outside its folder.
        root = os.path.join(TMP, "escape")
        write_file(root, "secret.bin", S3_APP)
        write_file(root, "build/bootloader/bootloader.bin", S3_BOOTLOADER)
        write_file(root, "build/partition_table/partition-table.bin", IDF_TABLE)
        write_file(root, "build/flasher_args.json",
                   flasher_args_json("esp32s3", 0x0, ["bootloader/bootloader.bin",
                                                      "partition_table/partition-table.bin",
                                                      "../secret.bin"]))
        r = run_cli("-p", sim.url, "write-flash", os.path.join(root, "build"))
        tap.ok(r.rc == 1 and "leaves its folder" in r.err and "../secret.bin" in r.err and
               commands(sim) == [], "flasher_args.json path out of the folder: refused, exit 1",
               r.describe())

        # An image beyond the 2 MB the chip reports: refused after connecting.
        root = os.path.join(TMP, "oversize")
        write_file(root, "build/bootloader/bootloader.bin", S3_BOOTLOADER)
        write_file(root, "build/partition_table/partition-table.bin", IDF_TABLE)
        write_file(root, "build/blink.bin", S3_APP)
        doc = json.loads(flasher_args_json("esp32s3", 0x0, ["bootloader/bootloader.bin",
                                                            "partition_table/partition-table.bin",
                                                            "blink.bin"],
                                           settings=("dio", "80m", "detect")))
        doc["flash_files"] = {"0x0": "bootloader/bootloader.bin",
                              "0x8000": "partition_table/partition-table.bin",
                              "0x1f8000": "blink.bin"}
        doc["app"]["offset"] = "0x1f8000"
        write_file(root, "build/flasher_args.json", json.dumps(doc))
        r = run_cli("-p", sim.url, *KEEP_STUB, "write-flash", os.path.join(root, "build"))
        tap.ok(r.rc == 1 and "beyond the 2 MiB flash" in r.err and commands(sim) != [] and
               flash_begins(sim) == [],
               "app beyond the detected 2 MB flash: refused after connecting, no FLASH_BEGIN",
               r.describe())
        tap.ok(sim.dump_flash(0x0, 0x10000) == b"\xff" * 0x10000,
               "refusals: nothing was written")


for case in (idf_cases, refusal_cases, manifest_case, arduino_cases):
    try:
        case()
    except SimError as e:
        tap.ok(False, "%s: simulator control" % case.__name__, str(e))

shutil.rmtree(TMP, ignore_errors=True)
tap.finish()
