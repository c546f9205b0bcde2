#!/usr/bin/env bash
# Copies new material from a shared folder (models/, fixtures/, data/) into the repository's
# assets/, byte for byte, then rewrites assets/SHA256SUMS, which test/assets/manifest.test.ts
# checks on every run. Files are never edited or regenerated on the way: the golden fixtures come
# from an independent implementation, and that independence is their point.
#
#   npm run assets:sync                 # from ../shared beside the checkout
#   npm run assets:sync -- /path/to/shared
#
# Files that exist only in assets/ are kept; a file whose bytes changed upstream is replaced and
# listed, so the commit that takes it says so.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

from=${1:-../shared}
if [ ! -d "$from" ]; then
  echo "sync-assets: $from is not a folder; pass the shared folder's path (it holds models/, fixtures/, data/)" >&2
  exit 2
fi
found=0
for part in models fixtures data; do [ -d "$from/$part" ] && found=1; done
if [ "$found" -eq 0 ]; then
  echo "sync-assets: $from has none of models/, fixtures/, data/; is it the shared folder?" >&2
  exit 2
fi

before=$(mktemp)
trap 'rm -f "$before"' EXIT
[ -f assets/SHA256SUMS ] && cp assets/SHA256SUMS "$before"

for part in models fixtures data; do
  [ -d "$from/$part" ] || continue
  mkdir -p "assets/$part"
  cp -R "$from/$part/." "assets/$part/"
done
# The shared folder is read-only; the repository's copy is ordinary files.
find assets -type d -exec chmod 755 {} +
find assets -type f -exec chmod 644 {} +

parts=()
for part in models fixtures data; do [ -d "assets/$part" ] && parts+=("$part"); done
(cd assets && find "${parts[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) > assets/SHA256SUMS

changes=$(diff "$before" assets/SHA256SUMS | grep '^>' | sed 's/^> [0-9a-f]*  /  /' || true)
if [ -z "$changes" ]; then
  echo "sync-assets: assets/ already holds everything in $from"
else
  echo "sync-assets: new or changed in assets/ (commit them, and say what arrived):"
  echo "$changes"
fi
