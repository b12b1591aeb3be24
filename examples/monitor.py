#!/usr/bin/env python3
"""Watch a board: monitor.py PORT-URL [APP.elf]  (Ctrl-C quits)

The board's output goes to stdout as it comes; with the app's ELF, a
crash's addresses are printed as function and file:line under it."""
import signal
import sys
import gi
gi.require_version("Esplash", "1.0")
from gi.repository import Esplash, GLib

if len(sys.argv) not in (2, 3):
    sys.exit(__doc__)
monitor, loop = Esplash.Monitor.new(sys.argv[1]), GLib.MainLoop()
if len(sys.argv) == 3:
    monitor.set_elf(Esplash.ElfSymbols.new(sys.argv[2]))   # raises GLib.Error if unusable


def on_output(monitor, data):  # the board's bytes, unchanged; ~30 ms apart at most
    sys.stdout.buffer.write(data.get_data())
    sys.stdout.flush()


def on_note(monitor, kind, text):  # decoded crash frames, resets, the port going away
    print("---", text, flush=True)


monitor.connect("output", on_output)
monitor.connect("note", on_note)
monitor.connect("state-changed", lambda m, state, why: why and print("---", why, flush=True))
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, lambda: loop.quit() or True)
monitor.start(True)           # True: reset the board first, to watch it start
loop.run()
monitor.stop()
