#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   scripts/dev.sh run    install what is missing, build, run the app
#   scripts/dev.sh test   install what is missing, build, run every test
#   scripts/dev.sh asan   the same tests in an ASan/UBSan build
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

DEBIAN_PACKAGES=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libgtk-4-dev libserialport-dev libjson-glib-dev zlib1g-dev
  libdw-dev gcc-riscv64-unknown-elf
  desktop-file-utils appstream xvfb xauth openssl python3
  gobject-introspection libgirepository1.0-dev python3-gi gir1.2-glib-2.0 gi-docgen
)

install_packages() {
  local missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  command -v npm >/dev/null || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  local dir=$1; shift
  scripts/fetch-stubs.sh
  # esptool-js for the integration suite: pinned with integrity hashes by its
  # package-lock.json, installed (never committed) again only when that changes.
  local ejs=tests/integration/esptool-js
  if ! cmp -s "$ejs/package-lock.json" "$ejs/node_modules/.esplash-lock"; then
    (cd "$ejs" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    cp "$ejs/package-lock.json" "$ejs/node_modules/.esplash-lock"
  fi
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" --werror "$@"
  else
    meson setup --reconfigure "$dir" >/dev/null
  fi
  meson compile -C "$dir"
}

run_tests() {
  local dir=$1
  local log="$dir/meson-logs/testlog.txt"
  local status=0
  # GUI tests need a display: give them a virtual one when there is none.
  if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then
    xvfb-run -a -s "-screen 0 1280x800x24" meson test -C "$dir" --print-errorlogs --num-processes 2 || status=$?
  else
    meson test -C "$dir" --print-errorlogs --num-processes 2 || status=$?
  fi
  # Meson prints "Ok: N / Fail: N …"; add the plain closing line CI reads.
  local ok fail timeout unexpected
  ok=$(grep -E '^Ok:' "$log" | tail -1 | awk '{print $2}')
  fail=$(grep -E '^Fail:' "$log" | tail -1 | awk '{print $2}')
  timeout=$(grep -E '^Timeout:' "$log" | tail -1 | awk '{print $2}')
  unexpected=$(grep -E '^Unexpected Pass:' "$log" | tail -1 | awk '{print $3}')
  echo "${ok:-0} passed, $(( ${fail:-0} + ${timeout:-0} + ${unexpected:-0} )) failed"
  return $status
}

case "${1:-}" in
  run)
    install_packages
    build build
    exec meson devenv -C build app/gui/esplash
    ;;
  test)
    install_packages
    build build
    run_tests build
    ;;
  asan)
    install_packages
    build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
    ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 \
    LSAN_OPTIONS=suppressions="$top/tests/lsan.supp":print_suppressions=0 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      run_tests build-asan
    ;;
  *)
    echo "usage: scripts/dev.sh run|test|asan" >&2
    exit 2
    ;;
esac
