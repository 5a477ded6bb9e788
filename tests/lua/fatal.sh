#!/bin/sh
# fatal.sh GRADLAB SEGV_PLUGIN EXIT_PLUGIN CRASH_PLUGIN SCRIPT CRASH_SCRIPT — plugins are loaded
# before the run folder is made, and a process that dies says what it was doing:
#   a --plugin whose init segfaults, or one on GRADLAB_PLUGIN_PATH: "gradlab: fatal: signal 11
#     (SIGSEGV) while loading plugin FILE", the process ends by SIGSEGV (exit status 139; in a
#     sanitizer build the sanitizer's report follows and ends it), no run folder;
#   a plugin whose init calls exit(3): exit status 3, "gradlab: fatal: exit() called while
#     loading plugin FILE", no run folder;
#   a plugin that is not a shared object: exit 1 naming the file, no run folder;
#   a layer that segfaults while the script runs: "... while running SCRIPT";
#   gradlab plugins / gradcheck with a plugin whose init segfaults or exits: the same kind of line
#     ("while loading plugins from ..."), and gradcheck of a layer type that segfaults: the lines
#     printed before it reach a pipe, then "while checking layer type NAME (FILE)".
set -u
gradlab=$1 segv=$2 exitp=$3 crash=$4 script=$5 crash_script=$6
out=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-fatal.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; echo "--- stderr"; cat "$out/stderr" 2>/dev/null; exit 1; }
export GRADLAB_PLOT=0
# died_of_segv RC: the signal's status, or a sanitizer that took the fault over
died_of_segv() {
  [ "$1" -eq 139 ] || { [ "$1" -ne 0 ] && grep -q "Sanitizer.*SEGV" "$out/stderr"; }
}
no_folder() { [ ! -e "$out/run" ] || fail "$1: a run folder was made: $(ls -A "$out/run")"; }

"$gradlab" run "$script" --out "$out/run" --plugin "$segv" >/dev/null 2>"$out/stderr"
rc=$?
died_of_segv $rc || fail "--plugin segv: exit status $rc, expected 139 (SIGSEGV)"
grep -q "^gradlab: fatal: signal 11 (SIGSEGV) while loading plugin $segv\$" "$out/stderr" ||
  fail "--plugin segv: no line naming the plugin"
[ "$(grep -c '^gradlab: fatal:' "$out/stderr")" -eq 1 ] || fail "--plugin segv: not one line"
no_folder "--plugin segv"

mkdir "$out/path" && cp "$segv" "$out/path/"
GRADLAB_PLUGIN_PATH=$out/path "$gradlab" run "$script" --out "$out/run" >/dev/null 2>"$out/stderr"
rc=$?
died_of_segv $rc || fail "search path segv: exit status $rc, expected 139"
grep -q "^gradlab: fatal: signal 11 (SIGSEGV) while loading plugin $out/path/$(basename "$segv")\$" \
  "$out/stderr" || fail "search path segv: no line naming the plugin"
no_folder "search path segv"

"$gradlab" run "$script" --out "$out/run" --plugin "$exitp" >/dev/null 2>"$out/stderr"
rc=$?
[ "$rc" -eq 3 ] || fail "--plugin exit: exit status $rc, expected the plugin's 3"
grep -q "^gradlab: fatal: exit() called while loading plugin $exitp " "$out/stderr" ||
  fail "--plugin exit: no line naming the plugin"
no_folder "--plugin exit"

echo "not a shared object" >"$out/broken.so"
"$gradlab" run "$script" --out "$out/run" --plugin "$out/broken.so" >/dev/null 2>"$out/stderr"
rc=$?
[ "$rc" -eq 1 ] || fail "--plugin broken.so: exit status $rc, expected 1"
grep -q "^gradlab: error: run: plugin $out/broken.so: not a loadable shared object" "$out/stderr" ||
  fail "--plugin broken.so: message"
no_folder "--plugin broken.so"

GRADLAB_TEST_CRASH_PLUGIN=$crash "$gradlab" run "$crash_script" --out "$out/run" >/dev/null \
  2>"$out/stderr"
rc=$?
died_of_segv $rc || fail "crash while running: exit status $rc, expected 139"
grep -q "^gradlab: fatal: signal 11 (SIGSEGV) while running $crash_script\$" "$out/stderr" ||
  fail "crash while running: no line naming the script"
# the run that died still has its seed and parameters in summary.json (written at the start)
python3 - "$out/run/summary.json" <<'PY' || fail "crashed run's summary.json: $(cat "$out/run/summary.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["seed"] == 42 and s["finished"] is False, s
PY
rm -rf "$out/run"
# a run killed outright (SIGKILL: nothing of gradlab runs) keeps summary.json and its rows in
# metrics.csv.part — no header-only metrics.csv beside them — and gradlab plot draws from those
cat >"$out/killed.lua" <<'LUA'
local gradlab = require "gradlab"
local p = gradlab.sweep{act = {"tanh", "relu"}}
gradlab.load_plugin(os.getenv("GRADLAB_TEST_CRASH_PLUGIN"))
gradlab.seed(5)
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 8}, gradlab.layer.tanh{},
  gradlab.layer.dense{inputs = 8, outputs = 1}}
gradlab.train{model = net, data = gradlab.data.xor(), loss = "mse", epochs = 400, batch = 4,
  optimizer = gradlab.optim.sgd{lr = 0.1},
  on_epoch = function(e)
    if e == 299 then os.execute("sleep 0.3") end -- the rows are handed to the file every 0.1 s
    if e == 300 then os.execute("kill -KILL $PPID; sleep 5") end
  end}
LUA
GRADLAB_TEST_CRASH_PLUGIN=$crash "$gradlab" run "$out/killed.lua" --out "$out/run" --seed 3 \
  >/dev/null 2>"$out/stderr"
rc=$?
[ "$rc" -eq 137 ] || fail "SIGKILL: exit status $rc, expected 137"
# what the script did before the kill is in summary.json: the sweep's value, the plugin it
# loaded (absolute path), its own seed beside the run's
python3 - "$out/run/summary.json" "$(cd "$(dirname "$crash")" && pwd -P)/$(basename "$crash")" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))
assert s["seed"] == 3 and s.get("last_seed") == 5, (s["seed"], s.get("last_seed"))
assert s["params"].get("act") == "tanh", s["params"]
assert any(p["name"] == "batch_crash" and p["file"] == sys.argv[2] for p in s["plugins"]), s["plugins"]
PY
  fail "SIGKILL: summary.json lacks what the script set: $(cat "$out/run/summary.json")"
[ ! -e "$out/run/metrics.csv" ] || fail "SIGKILL: a metrics.csv with $(wc -l <"$out/run/metrics.csv") line(s)"
[ "$(wc -l <"$out/run/metrics.csv.part")" -gt 1000 ] || fail "SIGKILL: the rows are not in metrics.csv.part"
# every row up to the kill reached the file (up to 16 KiB of them stayed in the buffer): the
# last epoch's rows are there, and the last line is whole
python3 - "$out/run/metrics.csv.part" <<'PY' || fail "SIGKILL: rows lost: $(tail -c 300 "$out/run/metrics.csv.part")"
import sys
text = open(sys.argv[1]).read()
assert text.endswith("\n"), "cut last line"
epochs = {int(l.split(",")[1]) for l in text.splitlines()[1:]}
assert max(epochs) >= 299, max(epochs)
PY
grep -q '"finished":	false' "$out/run/summary.json" || fail "SIGKILL: summary.json"
"$gradlab" plot "$out/run" --no-draw >/dev/null 2>"$out/stderr" || fail "plot of the killed run: exit $?"
grep -q "the run has not ended" "$out/stderr" || fail "plot of the killed run: no note"
[ -s "$out/run/figures/loss.dat" ] || fail "plot of the killed run: no loss figure: $(ls "$out/run/figures")"
rm -rf "$out/run"
# a plugin the script loads itself is listed in summary.json, with its absolute path
printf 'local g = require "gradlab"\ng.load_plugin(os.getenv("GRADLAB_TEST_CRASH_PLUGIN"))\n' >"$out/load.lua"
(cd "$(dirname "$crash")" && GRADLAB_TEST_CRASH_PLUGIN=./$(basename "$crash") "$gradlab" run "$out/load.lua" \
  --out "$out/run" >/dev/null 2>"$out/stderr") || fail "load.lua: exit $?"
python3 - "$out/run/summary.json" "$(cd "$(dirname "$crash")" && pwd -P)/$(basename "$crash")" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))
found = [p for p in s["plugins"] if p["name"] == "batch_crash"]
assert found and found[0]["file"] == sys.argv[2], (found, sys.argv[2])
assert len([p for p in s["plugins"] if p["name"] == "dense"]) == 1, "dense listed twice"
PY
  fail "summary.json plugins: $(cat "$out/run/summary.json")"
for cmd in plugins gradcheck; do
  "$gradlab" $cmd --plugin "$segv" 2>"$out/stderr" | cat >/dev/null
  grep -q "^gradlab: fatal: signal 11 (SIGSEGV) while loading plugins from $segv" "$out/stderr" ||
    fail "$cmd --plugin segv: no fatal line naming it"
  "$gradlab" $cmd --plugin "$exitp" >/dev/null 2>"$out/stderr"
  rc=$?
  [ "$rc" -eq 3 ] || fail "$cmd --plugin exit: exit status $rc, expected 3"
  grep -q "^gradlab: fatal: exit() called while loading plugins from $exitp" "$out/stderr" ||
    fail "$cmd --plugin exit: no line"
done
"$gradlab" gradcheck --plugin "$crash" dense batch_crash 2>"$out/stderr" >"$out/stdout"
rc=$?
died_of_segv $rc || fail "gradcheck of a crashing type: exit status $rc, expected 139"
grep -q "^gradcheck (" "$out/stdout" && grep -q "^dense  *ok" "$out/stdout" ||
  fail "gradcheck's lines before the crash were lost: $(cat "$out/stdout")"
grep -q "^gradlab: fatal: signal 11 (SIGSEGV) while checking layer type batch_crash ($crash)\$" \
  "$out/stderr" || fail "gradcheck crash: no line naming the type and file"
echo ok
