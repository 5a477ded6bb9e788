#!/bin/sh
# sweep_out.sh GRADLAB SCRIPT — with GRADLAB_SWEEP_OUT set, `gradlab run` writes the script's
# grid as JSON and ends the script at gradlab.sweep with exit 0 (the script's asserts after the
# sweep never run).
set -u
out=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-sweep.XXXXXX")
trap 'rm -rf "$out"' EXIT
GRADLAB_SWEEP_OUT="$out/grid.json" GRADLAB_PLOT=0 "$1" run "$2" --out "$out/run" 2>"$out/stderr"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: exit $rc"; cat "$out/stderr"; exit 1; }
python3 - "$out/grid.json" <<'PY' || { echo "FAIL: grid"; cat "$out/grid.json"; exit 1; }
import json, sys
g = json.load(open(sys.argv[1]))
assert g == {"act": ["sigmoid", "relu"], "depth": [2, 3, 4]}, g
PY
echo ok
