#!/bin/sh
# cli_usage.sh GRADLAB SCRIPT ARGS_SCRIPT — command-line edge cases of gradlab run and friends:
#   a --plugin that does not exist is bad usage naming it (run, plugins, gradcheck), no folder;
#   `gradlab version extra` is bad usage; `run --overwrite` without --out warns and runs;
#   `run --out FILE` is bad usage; arguments after the script reach it as arg, "--" or not.
set -u
gradlab=$1 script=$2 args_script=$3
out=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-cli-usage.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; echo "--- stderr"; cat "$out/stderr" 2>/dev/null; exit 1; }
export GRADLAB_PLOT=0
# expect RC REGEX COMMAND...: the exit status and a line of stderr
expect() {
  want=$1 regex=$2
  shift 2
  "$@" >"$out/stdout" 2>"$out/stderr"
  rc=$?
  [ "$rc" -eq "$want" ] || fail "'$*': exit status $rc, expected $want"
  grep -Eq -- "$regex" "$out/stderr" || fail "'$*': stderr does not match /$regex/"
}
expect 2 "^gradlab: error: run: --plugin '/nonexistent\\.so': no such file or folder$" \
  "$gradlab" run "$script" --out "$out/run" --plugin /nonexistent.so
[ ! -e "$out/run" ] || fail "a run folder was made for a missing plugin"
expect 2 "^gradlab: error: plugins: --plugin '/nonexistent\\.so': no such file" \
  "$gradlab" plugins --plugin /nonexistent.so
expect 2 "^gradlab: error: gradcheck: --plugin '/nonexistent\\.so': no such file" \
  "$gradlab" gradcheck --plugin /nonexistent.so dense
expect 2 "^gradlab: error: version takes no arguments \\(got 'extra'\\)$" "$gradlab" version extra
"$gradlab" version >"$out/stdout" 2>"$out/stderr" || fail "version: exit $?"
grep -Eq '^gradlab [0-9.]+ \((float|double)\)$' "$out/stdout" || fail "version: $(cat "$out/stdout")"
echo data >"$out/afile"
expect 2 "^gradlab: error: run: --out '.*afile' exists and is not a folder$" \
  "$gradlab" run "$script" --out "$out/afile"
[ "$(cat "$out/afile")" = data ] || fail "--out FILE changed the file"
# --overwrite without --out: a warning, and the run goes on in a new folder under runs/
mkdir "$out/cwd"
(cd "$out/cwd" && "$gradlab" run "$script" --overwrite) >/dev/null 2>"$out/stderr" ||
  fail "--overwrite without --out: exit $?"
grep -q "^gradlab: warning: run: --overwrite does nothing without --out" "$out/stderr" ||
  fail "--overwrite without --out: no warning"
[ "$(ls "$out/cwd/runs" | wc -l)" -eq 1 ] || fail "--overwrite without --out: no run folder"
# arguments after the script, with and without "--"
"$gradlab" run "$args_script" --out "$out/a1" one two >"$out/stdout" 2>"$out/stderr" ||
  fail "args without --: exit $?"
grep -qx 'arg 2: one two' "$out/stdout" || fail "args without --: $(cat "$out/stdout")"
"$gradlab" run "$args_script" --out "$out/a2" -- --seed 5 >"$out/stdout" 2>"$out/stderr" ||
  fail "args after --: exit $?"
grep -qx 'arg 2: --seed 5' "$out/stdout" || fail "args after --: $(cat "$out/stdout")"
echo ok
