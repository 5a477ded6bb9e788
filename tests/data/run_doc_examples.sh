#!/bin/sh
# run_doc_examples.sh LUA DOC.md — runs every ```lua block of DOC.md as its own script (each
# block must be self-contained); fails on the first block that fails.
set -eu
lua=$1
doc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
  /^```lua[ \t]*$/ { n++; file = sprintf("%s/example%02d.lua", dir, n); inblock = 1; next }
  /^```/ && inblock { inblock = 0; close(file); next }
  inblock { print > file }
' "$doc"
count=0
for f in "$tmp"/example*.lua; do
  [ -e "$f" ] || { echo "no lua examples in $doc"; exit 1; }
  count=$((count + 1))
  if grep -q fashion_mnist "$f" && [ ! -d /usr/share/datasets/fashion-mnist ] && [ -z "${GRADLAB_DATA:-}" ]; then
    echo "example $count: SKIPPED (Fashion-MNIST is not installed)"; continue
  fi
  if ! (cd "$tmp" && "$lua" "$f" >"$f.out" 2>&1); then
    echo "example $count of $doc failed:"; cat "$f"; echo "--- output:"; cat "$f.out"; exit 1
  fi
done
echo "$count examples of $doc ran"
