#!/usr/bin/env python3
# test_library_install.py: libesplash-1 as a user gets it — `meson install`
# into a temporary folder, then: pkg-config finds esplash-1 there, only the
# public headers are installed, examples/flash.c builds out of tree against
# them and flashes a virtual chip served by esplash-sim, Python imports
# Esplash from the installed typelib, and the library exports nothing but
# esplash_* functions declared in the installed headers.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from simlib import Sim, Tap  # noqa: E402

# Functions the library must keep to itself (they are in *-private.h).
PRIVATE = ["esplash_device_command", "esplash_job_push_entry", "esplash_flash_pad_image",
           "esplash_transport_set_info", "esplash_job_work"]


def run(args, env=None, timeout=300):
    proc = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=timeout)
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


def find(root, name):
    for folder, _dirs, files in os.walk(root):
        if name in files:
            return os.path.join(folder, name)
    return None


def relocated_pc(pc_path, destdir, tmp):
    """esplash-1.pc as if installed with --prefix=DESTDIR/PREFIX (pkg-config's
    sysroot option would also move GLib's own paths)."""
    folder = os.path.join(tmp, "pkgconfig")
    os.makedirs(folder, exist_ok=True)
    with open(pc_path) as f:
        text = f.read()
    prefix = re.search(r"^prefix=(.*)$", text, re.M).group(1)
    text = re.sub(r"^prefix=.*$", "prefix=" + destdir + prefix, text, count=1, flags=re.M)
    with open(os.path.join(folder, "esplash-1.pc"), "w") as f:
        f.write(text)
    return folder


def declared(name, headers_text):
    if re.search(r"\b%s\s*\(" % re.escape(name), headers_text):
        return True
    if name.endswith("_get_type"):
        prefix = name[:-len("_get_type")]
        return re.search(r"G_DECLARE_\w+_TYPE\s*\(\s*\w+\s*,\s*%s\s*," % re.escape(prefix),
                         headers_text) is not None
    return False


def check_symbols(tap, library, include_dir):
    rc, out, err = run(["nm", "-D", "--defined-only", library])
    if not tap.ok(rc == 0, "nm -D lists the exported symbols", err):
        return
    names = [line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()]
    text = ""
    for header in sorted(os.listdir(include_dir)):
        with open(os.path.join(include_dir, header)) as f:
            text += f.read()
    foreign = [n for n in names if not n.startswith("esplash_")]
    undeclared = [n for n in names if n.startswith("esplash_") and not declared(n, text)]
    tap.ok(len(names) > 100, "the library exports its API (%d symbols)" % len(names))
    tap.ok(not foreign, "every exported symbol starts with esplash_", "others: %s" % foreign[:20])
    tap.ok(not undeclared, "every exported symbol is declared in an installed header",
           "undeclared: %s" % undeclared[:20])
    leaked = [n for n in PRIVATE if n in names]
    tap.ok(not leaked, "private functions are not exported", "exported: %s" % leaked)
    tap.ok("esplash_job_run" in names and "esplash_job_get_type" in names,
           "esplash_job_run and esplash_job_get_type are exported")


def main():
    tap = Tap()
    build_root = os.environ.get("ESPLASH_BUILD_ROOT")
    source_root = os.environ.get("ESPLASH_SOURCE_ROOT")
    if not build_root or not source_root or not simlib.sim_path():
        print("1..0 # SKIP ESPLASH_BUILD_ROOT, ESPLASH_SOURCE_ROOT or ESPLASH_SIM not set")
        return
    cc = shutil.which("cc") or shutil.which("gcc")
    tmp = tempfile.mkdtemp(prefix="esplash-install-")
    destdir = os.path.join(tmp, "root")
    try:
        rc, out, err = run(["meson", "install", "-C", build_root, "--no-rebuild", "--quiet",
                            "--destdir", destdir])
        if not tap.ok(rc == 0, "meson install --destdir", out[-2000:] + err[-2000:]):
            tap.finish()
        pc = find(destdir, "esplash-1.pc")
        header = find(destdir, "esplash.h")
        library = find(destdir, "libesplash-1.so")
        typelib = find(destdir, "Esplash-1.0.typelib")
        gir = find(destdir, "Esplash-1.0.gir")
        tap.ok(None not in (pc, header, library, typelib, gir),
               "installed: esplash-1.pc, esplash.h, libesplash-1.so, Esplash-1.0.gir and typelib",
               "%s" % [pc, header, library, typelib, gir])
        if None in (pc, header, library, typelib):
            tap.finish()
        include_dir = os.path.dirname(header)
        libdir = os.path.dirname(library)
        tap.ok(os.path.basename(include_dir) == "esplash-1", "headers are under include/esplash-1/")
        private = [h for h in os.listdir(include_dir) if h.endswith("-private.h")]
        tap.ok(not private, "no *-private.h header is installed", "%s" % private)
        tap.ok(os.path.realpath(library).endswith("libesplash-1.so.0.1.0") and
               os.path.exists(os.path.join(libdir, "libesplash-1.so.0")),
               "libesplash-1.so.0.1.0 with the soname link libesplash-1.so.0")

        env = dict(os.environ)
        env["PKG_CONFIG_PATH"] = relocated_pc(pc, destdir, tmp)
        rc, flags, err = run(["pkg-config", "--cflags", "--libs", "esplash-1"], env=env)
        tap.ok(rc == 0 and "-lesplash-1" in flags and "-I" + include_dir in flags,
               "pkg-config --cflags --libs esplash-1: " + flags.strip(), err)

        example = os.path.join(tmp, "flash")
        rc, out, err = run([cc, "-Wall", "-Werror", "-o", example,
                            os.path.join(source_root, "examples", "flash.c")] + flags.split())
        tap.ok(rc == 0, "examples/flash.c builds out of tree against the installed library", err)

        run_env = dict(os.environ)
        run_env["LD_LIBRARY_PATH"] = libdir
        if rc == 0:
            rc, out, err = run(["ldd", example], env=run_env)
            tap.ok(os.path.join(libdir, "libesplash-1.so.0") in out,
                   "the example loads the installed libesplash-1.so.0", out)
            data = simlib.read_image("fifty_kb.bin")
            with Sim("esp32c3") as sim:
                rc, out, err = run([example, sim.url, "0x10000", simlib.image("fifty_kb.bin")],
                                   env=run_env, timeout=120)
                tap.ok(rc == 0 and "Done" in out and out.rstrip().count("%") >= 2,
                       "the installed example flashes an ESP32-C3 over socket:// with progress",
                       "exit %s\nstdout: %s\nstderr: %s" % (rc, out[-1000:], err))
                tap.ok(sim.dump_flash(0x10000, len(data)) == data, "the flash holds the file")

        run_env["GI_TYPELIB_PATH"] = os.path.dirname(typelib)
        code = ("import gi\n"
                "gi.require_version('GIRepository', '2.0')\n"
                "gi.require_version('Esplash', '1.0')\n"
                "from gi.repository import Esplash, GIRepository, GLib\n"
                "plan = Esplash.JobPlan.new(Esplash.JobAction.WRITE)\n"
                "plan.add_region(0x10000, GLib.Bytes.new(b'abcd'), None)\n"
                "job = Esplash.Job.new(plan)\n"
                "print(GIRepository.Repository.get_default().get_typelib_path('Esplash'))\n"
                "print(plan.get_n_regions(), job.props.fraction, Esplash.Stage.WRITING.value_nick)\n")
        rc, out, err = run([sys.executable, "-c", code], env=run_env)
        tap.ok(rc == 0 and out.startswith(os.path.dirname(typelib)) and "1 0.0 writing" in out,
               "Python imports Esplash from the installed typelib",
               "exit %s\nstdout: %s\nstderr: %s" % (rc, out, err))

        check_symbols(tap, library, include_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tap.finish()


if __name__ == "__main__":
    main()
