#!/usr/bin/env bash
# Fetch the flasher stubs (esp-flasher-stub, Apache-2.0 OR MIT) from the
# esptool-js npm package into ./stubs (git-ignored; meson installs it).
# The package version and its integrity hash are pinned: a mismatch stops here.
set -euo pipefail

PKG=esptool-js
VERSION=0.7.0
INTEGRITY='sha512-9wHuW/s9t4Vs6HKcr3pra3gbRVWwaN0eabMWodWH4KEJHEYZxgmWwZ3s0F4xcWVCZOc/L98bGZ4uWoZvR8KBKA=='

top=$(cd "$(dirname "$0")/.." && pwd)
dest="$top/stubs"
stamp="$dest/.source"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$PKG@$VERSION $INTEGRITY" ]; then
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-stubs: npm is needed (apt-get install npm)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent "$PKG@$VERSION" >/dev/null 2>"$work/npm.log" ) || {
  cat "$work/npm.log" >&2
  echo "fetch-stubs: could not download $PKG@$VERSION from the npm registry" >&2
  exit 1
}
tarball="$work/$PKG-$VERSION.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "fetch-stubs: integrity mismatch for $PKG@$VERSION" >&2
  echo "  expected $INTEGRITY" >&2
  echo "  got      $actual" >&2
  exit 1
fi

tar -xzf "$tarball" -C "$work" package/lib/targets/stub_flasher package/LICENSE
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
cp "$work"/package/lib/targets/stub_flasher/*.json "$dest.tmp/"
cat > "$dest.tmp/README" <<TXT
Flasher stubs from espressif/esp-flasher-stub (Apache-2.0 OR MIT), as shipped in
the npm package $PKG@$VERSION (its own licence: package LICENSE, copied as
LICENSE.esptool-js). Fetched by scripts/fetch-stubs.sh; not part of the source tree.
TXT
cp "$work/package/LICENSE" "$dest.tmp/LICENSE.esptool-js"
echo "$PKG@$VERSION $INTEGRITY" > "$dest.tmp/.source"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "fetch-stubs: $(ls "$dest"/*.json | wc -l) stubs from $PKG@$VERSION in $dest"
