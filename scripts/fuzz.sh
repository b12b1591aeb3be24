#!/usr/bin/env bash
# libFuzzer on every parser that sees outside bytes (issue 11):
#   scripts/fuzz.sh [--runs N] [SECONDS_PER_TARGET] [TARGET...]
# SECONDS_PER_TARGET defaults to 60 (0: no time limit, with --runs); --runs N
# stops each target after N executions. TARGET is e.g. image or fuzz-image
# (default: all of tests/fuzz/corpus/). Targets run one after another.
#
# Installs clang and its fuzzer runtime when missing, builds build-fuzz/
# (clang, -Dfuzzing=true, ASan + UBSan), runs each target on a copy of its
# corpus (tests/fuzz/corpus/<target>/, with tests/fuzz/dict/<target>.dict
# when there is one), and prints per target: executions, exec/s, coverage
# (libFuzzer's cov and ft at the end) and crashes. Crashing inputs are saved
# in build-fuzz/fuzz-out/<target>/ (crash-*, leak-*, timeout-*, oom-*); any
# crash makes the script exit 1. Logs: build-fuzz/fuzz-out/<target>.log.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${ESPLASH_FUZZ_BUILD_DIR:-$top/build-fuzz}

runs=-1
seconds=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --runs=*) runs=${1#--runs=}; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
  seconds=$1; shift
fi
if [ -z "$seconds" ]; then
  if [ "$runs" -ge 0 ]; then seconds=0; else seconds=60; fi
fi

targets=()
if [ $# -eq 0 ]; then
  for d in tests/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
else
  for t in "$@"; do
    t=${t#fuzz-}
    [ -d "tests/fuzz/corpus/fuzz-$t" ] || { echo "unknown target: $t" >&2; exit 2; }
    targets+=("fuzz-$t")
  done
fi

# ---- clang with the libFuzzer runtime --------------------------------------
apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "Installing: $*"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@"
}
if ! clang --version >/dev/null 2>&1; then
  apt_install clang
fi
clang_major=$(clang -dumpversion | cut -d. -f1)
fuzzer_rt=libclang_rt.fuzzer-$(uname -m).a
if [ ! -f "$(clang --print-runtime-dir)/$fuzzer_rt" ] &&
   [ ! -f "$(clang -print-file-name="$fuzzer_rt")" ]; then
  apt_install "libclang-rt-$clang_major-dev"
fi

# ---- build -------------------------------------------------------------------
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized -Dgui=disabled -Dintrospection=disabled \
    -Ddocs=false >/dev/null
fi
if ! meson compile -C "$build" "${targets[@]/#/tests/fuzz/}" >"$build/fuzz-compile.log" 2>&1; then
  cat "$build/fuzz-compile.log" >&2
  exit 1
fi

# ---- run -----------------------------------------------------------------------
out=$build/fuzz-out
mkdir -p "$out"
# Every GLib allocation a real malloc, so that LeakSanitizer sees each one.
export G_SLICE=always-malloc
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/fuzz/lsan-fuzz.supp:print_suppressions=0}

status=0
summary=()
for t in "${targets[@]}"; do
  work=$build/fuzz-work/$t
  rm -rf "$work" "$out/$t" "$out/$t.log"
  mkdir -p "$work" "$out/$t"
  cp tests/fuzz/corpus/"$t"/* "$work"/
  args=(-print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -max_total_time="$seconds"
        -runs="$runs" -artifact_prefix="$out/$t/")
  [ -f "tests/fuzz/dict/$t.dict" ] && args+=(-dict="tests/fuzz/dict/$t.dict")
  echo "== $t (${seconds}s, runs $runs)" >&2
  rc=0
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    nice "$build/tests/fuzz/$t" "${args[@]}" "$work" >"$out/$t.log" 2>&1 || rc=$?

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$t.log" | tail -1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$out/$t.log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
  crashes=$(find "$out/$t" -maxdepth 1 -type f \
              \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    status=1
    [ "$crashes" -eq 0 ] && crashes="exit $rc"
  fi
  summary+=("$(printf '%-18s %12s %9s %7s %8s %7s  %s' "$t" "${execs:-?}" "${speed:-?}" \
                "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes")")
done

printf '%-18s %12s %9s %7s %8s %7s  %s\n' target execs exec/s cov ft corpus crashes
printf '%s\n' "${summary[@]}"
if [ $status -ne 0 ]; then
  echo "Crashes: see $out/<target>/ and $out/<target>.log" >&2
fi
exit $status
