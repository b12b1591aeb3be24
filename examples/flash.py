#!/usr/bin/env python3
"""Flash a board: flash.py PORT-URL ADDRESS FILE [ADDRESS FILE ...]  (Ctrl-C cancels)"""
import signal
import sys
import gi
gi.require_version("Esplash", "1.0")
from gi.repository import Esplash, Gio, GLib

if len(sys.argv) < 4 or len(sys.argv) % 2:
    sys.exit(__doc__)
plan = Esplash.JobPlan.new(Esplash.JobAction.WRITE)
plan.set_url(sys.argv[1])
for address, path in zip(sys.argv[2::2], sys.argv[3::2]):
    plan.add_file(int(address, 0), Gio.File.new_for_path(path))
job, cancellable, loop, status = Esplash.Job.new(plan), Gio.Cancellable(), GLib.MainLoop(), [1]


def on_fraction(job, _pspec):  # overall progress 0…1; it never goes down
    fraction = job.props.fraction
    print("\r[%-40s] %3d%%" % ("#" * int(fraction * 40), fraction * 100), end="", flush=True)


def on_done(job, result):
    try:
        job.run_finish(result)
        print("\nDone: %s written and verified" % job.props.chip_name)
        status[0] = 0
    except GLib.Error as e:
        cancelled = e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
        print("\nCancelled" if cancelled else "\nFailed: " + e.message, file=sys.stderr)
        status[0] = 130 if cancelled else 1
    loop.quit()


job.connect("notify::fraction", on_fraction)
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, lambda: cancellable.cancel() or True)
job.run_async(cancellable, on_done)
loop.run()
sys.exit(status[0])
