#!/bin/sh
# sweep_out_stock.sh LUA54 SCRIPT — from stock lua5.4 with GRADLAB_SWEEP_OUT set, gradlab.sweep
# writes the grid and stops the script with an error naming the file: the module never ends its
# host process (it called os.exit), and the script's code after the sweep does not run.
set -u
out=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-sweep-stock.XXXXXX")
trap 'rm -rf "$out"' EXIT
GRADLAB_SWEEP_OUT="$out/grid.json" SWEEP_SCRIPT=$2 "$1" \
  -e 'local ok, e = pcall(dofile, os.getenv("SWEEP_SCRIPT")); print(ok, e); print("host goes on")' \
  >"$out/stdout" 2>"$out/stderr"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: exit $rc (the host was ended)"; cat "$out/stdout" "$out/stderr"; exit 1; }
grep -q "^false	.*sweep.lua:3: gradlab.sweep: grid written to $out/grid.json (GRADLAB_SWEEP_OUT); the script stops here" \
  "$out/stdout" || { echo "FAIL: message"; cat "$out/stdout" "$out/stderr"; exit 1; }
grep -q "^host goes on$" "$out/stdout" || { echo "FAIL: the host did not go on"; exit 1; }
python3 - "$out/grid.json" <<'PY' || { echo "FAIL: grid"; cat "$out/grid.json"; exit 1; }
import json, sys
g = json.load(open(sys.argv[1]))
assert g == {"act": ["sigmoid", "relu"], "depth": [2, 3, 4]}, g
PY
echo ok
