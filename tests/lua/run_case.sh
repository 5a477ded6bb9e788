#!/bin/sh
# run_case.sh — run one script through `gradlab run` and check its exit status, its stderr and
# its run folder. Usage:
#   run_case.sh GRADLAB RC STDERR_REGEX SCRIPT [gradlab run options...]
# GRADLAB_WRAP (env, optional): a command to run gradlab under (valgrind in the valgrind build).
# RC: the expected exit status. STDERR_REGEX: an extended regex stderr must match (ANY = any).
# When the run started (RC other than 2), the folder must hold metrics.csv (with the tidy header),
# summary.json (parsed; finished = (RC == 0)), log.txt and script.lua, and no .part/.tmp file.
set -u
gradlab=$1 rc_want=$2 regex=$3 script=$4
shift 4
out=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-lua-test.XXXXXX")
trap 'rm -rf "$out"' EXIT
GRADLAB_PLOT=0 ${GRADLAB_WRAP:-} "$gradlab" run --out "$out/run" "$script" "$@" >"$out/stdout" 2>"$out/stderr"
rc=$?
fail() {
  echo "FAIL: $*"
  echo "--- stdout"; cat "$out/stdout"
  echo "--- stderr"; cat "$out/stderr"
  exit 1
}
[ "$rc" -eq "$rc_want" ] || fail "exit status $rc, expected $rc_want"
if [ "$regex" != ANY ]; then
  grep -Eq -- "$regex" "$out/stderr" || fail "stderr does not match /$regex/"
fi
# A C-level crash (ASan report, abort) must never happen, whatever the script did.
grep -q "AddressSanitizer\|LeakSanitizer\|runtime error:" "$out/stderr" && fail "sanitizer report"
if [ "$rc_want" -ne 2 ]; then
  for f in metrics.csv summary.json log.txt script.lua; do
    [ -f "$out/run/$f" ] || fail "run folder lacks $f"
  done
  head -n 1 "$out/run/metrics.csv" | grep -q '^step,epoch,layer,tensor,stat,value' ||
    fail "metrics.csv header"
  # Whatever ended the run (error, os.exit, signal), no half-written file stays behind.
  part=$(find "$out/run" -name '*.part' -o -name '*.tmp*' | head -n 1)
  [ -z "$part" ] || fail "partial file left: $part"
  want=true
  [ "$rc_want" -eq 0 ] || want=false # 1: a script error; 3..: os.exit(3); >= 128: a signal
  python3 - "$out/run/summary.json" "$want" <<'PY' || fail "summary.json"
import json, sys
s = json.load(open(sys.argv[1]))
for k in ("script", "params", "seed", "plugins", "finished", "result"):
    assert k in s, "summary.json lacks " + k
assert s["finished"] == (sys.argv[2] == "true"), "finished is %r" % s["finished"]
PY
  # An optional expectations file beside the script: lines "PATH OP VALUE" where PATH goes into
  # summary.json (result.mse; "events#" is a list's length) or is metrics.rows / metrics.layers
  # (counted in metrics.csv); OP is <, >, == or "is" (the JSON type as Python names it: bool,
  # int, float, str).
  if [ -f "${script%.lua}.expect" ]; then
    python3 - "$out/run/summary.json" "${script%.lua}.expect" "$out/run/metrics.csv" <<'PY' || fail "expectations"
import csv, json, sys
s = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[3])))
s["metrics"] = {"rows": len(rows), "layers": len({r["layer"] for r in rows})}
for line in open(sys.argv[2]):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    path, op, want = line.split(None, 2)
    v = s
    count = path.endswith("#")  # "events#": the length of a list
    for p in path.rstrip("#").split("."):
        v = v[p]
    if count:
        v = len(v)
    ok = {"<": lambda a, b: float(a) < float(b), ">": lambda a, b: float(a) > float(b),
          "==": lambda a, b: (str(a).lower() if isinstance(a, bool) else str(a)) == b,
          "is": lambda a, b: type(a).__name__ == b}[op](v, want)
    assert ok, "%s = %r, expected %s %s" % (path, v, op, want)
PY
  fi
fi
echo "ok: $(basename "$script") exit $rc"
