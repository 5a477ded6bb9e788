#!/bin/sh
# doc_examples.sh GRADLAB DOC.md — run every ```lua block of DOC.md whose first line is
# `local gradlab = require "gradlab"` through `gradlab run`; each must exit 0.
set -u
gradlab=$1 doc=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-doc.XXXXXX")
trap 'rm -rf "$dir"' EXIT
awk -v dir="$dir" '
  /^```lua$/ { inblock = 1; first = 1; next }
  /^```$/ { if (inblock && keep) close(file); inblock = 0; keep = 0; next }
  inblock {
    if (first) { first = 0; keep = ($0 == "local gradlab = require \"gradlab\""); if (keep) { n++; file = sprintf("%s/example%02d.lua", dir, n) } }
    if (keep) print > file
  }' "$doc"
count=0
for f in "$dir"/example*.lua; do
  [ -f "$f" ] || continue
  count=$((count + 1))
  if ! GRADLAB_PLOT=0 "$gradlab" run --out "$dir/run-$(basename "$f" .lua)" "$f" >"$dir/out" 2>&1; then
    echo "FAIL: example $(basename "$f")"; cat "$f"; echo "---"; cat "$dir/out"; exit 1
  fi
done
[ "$count" -gt 0 ] || { echo "FAIL: no examples found in $doc"; exit 1; }
echo "ok: $count examples"
