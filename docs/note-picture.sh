#!/usr/bin/env bash
# Makes docs/note.png, README's picture of the analytical note: the demo workspace (fixed seed and
# time), `mcu report note` in HTML, and the same headless chromium the tests print it with.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
now=2026-12-02T10:00:00+03:00
target/debug/mcu demo --workspace "$ws/demo" --now "$now" --summary >/dev/null
html=$(target/debug/mcu --workspace "$ws/demo" report note --now "$now")
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$ws/profile" \
  --window-size=900,1800 --screenshot="$PWD/docs/note.png" "file://$html" 2>/dev/null
echo "docs/note.png from $html"
