#!/bin/sh
# run_lock.sh GRADLAB WAITING_SCRIPT OTHER_SCRIPT — a run folder is locked while its run writes:
# a second `gradlab run --out` into it, with or without --overwrite, is refused (exit 1, the
# message names the first run's pid) and changes nothing, so the first run's files stay its own
# (summary.json, log.txt, script.lua all of WAITING_SCRIPT). Once it has ended the folder can be
# reused with --overwrite. A symbolic link at DIR/.lock is refused, its target left alone.
set -u
gradlab=$1 waiting=$2 other=$3
out=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-lock.XXXXXX")
trap 'rm -rf "$out"' EXIT
pid=
fail() { echo "FAIL: $*"; cat "$out/stderr" 2>/dev/null; [ -z "$pid" ] || kill $pid 2>/dev/null; exit 1; }
export GRADLAB_PLOT=0
# the first run prints two lines, then waits for the marker
"$gradlab" run "$waiting" --out "$out/oc" -- "$out/marker" >"$out/first.out" 2>"$out/first.err" &
pid=$!
n=0
until [ "$(grep -c '^epoch' "$out/first.out")" -ge 2 ] || [ $n -ge 200 ]; do sleep 0.05; n=$((n + 1)); done
[ $n -lt 200 ] || fail "the first run did not start"
for flags in --overwrite ""; do
  # shellcheck disable=SC2086
  "$gradlab" run "$other" --out "$out/oc" $flags >/dev/null 2>"$out/stderr"
  rc=$?
  [ "$rc" -eq 1 ] || fail "a second run ($flags) into a folder in use: exit $rc, expected 1"
  grep -q "^gradlab: error: run: '$out/oc' is in use by another gradlab run (pid $pid)" \
    "$out/stderr" || fail "message ($flags)"
done
touch "$out/marker"
wait $pid || fail "the first run failed: $(cat "$out/first.err")"
python3 - "$out/oc" "$(basename "$waiting")" <<'PY' || fail "the first run's files are mixed"
import json, os, sys
d, name = sys.argv[1], sys.argv[2]
s = json.load(open(os.path.join(d, "summary.json")))
assert s["finished"] is True and s["script"].endswith(name), s["script"]
log = open(os.path.join(d, "log.txt")).read()
assert log.count("epoch") == 5 and name in log, log
assert open(os.path.join(d, "script.lua")).read().startswith("-- " + name.replace(".lua", "")), "script.lua"
PY
"$gradlab" run "$other" --out "$out/oc" --overwrite >/dev/null 2>"$out/stderr" ||
  fail "--overwrite once the folder is free"
grep -q "$(basename "$other")" "$out/oc/summary.json" || fail "summary.json is not the new run's"
# a symbolic link at DIR/.lock is refused (exit 1), never followed: its target keeps its text
mkdir "$out/ln" && echo precious >"$out/precious" && ln -s ../precious "$out/ln/.lock"
"$gradlab" run "$other" --out "$out/ln" >/dev/null 2>"$out/stderr"
rc=$?
[ "$rc" -eq 1 ] || fail "a link at .lock: exit $rc, expected 1"
grep -q "^gradlab: error: run: cannot create $out/ln/.lock: .*symbolic link" "$out/stderr" ||
  fail "message for a link at .lock"
[ "$(cat "$out/precious")" = precious ] || fail "the .lock link's target was written"
echo ok
