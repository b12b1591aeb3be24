#!/bin/sh
# The reflash benchmark (issue 10): esplash-cli against esplash-sim --timing.
#   scripts/bench.sh [--repeat N] [--json] [--build-dir DIR]
# Builds what is missing in the build folder (build/ unless ESPLASH_BUILD_DIR
# or ESPLASH_CLI/ESPLASH_SIM say otherwise), then runs scripts/bench.py.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${ESPLASH_BUILD_DIR:-$top/build}
if [ -z "${ESPLASH_CLI:-}" ] && [ -f "$build/build.ninja" ]; then
  ninja -C "$build" app/cli/esplash-cli core/sim/esplash-sim >/dev/null
fi
export ESPLASH_STUB_DIR="${ESPLASH_STUB_DIR:-$top/stubs}"
exec python3 "$top/scripts/bench.py" --build-dir "$build" "$@"
