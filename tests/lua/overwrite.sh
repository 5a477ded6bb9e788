#!/bin/sh
# overwrite.sh GRADLAB SCRIPT OTHER_SCRIPT — `gradlab run --out DIR` refuses a folder that holds a
# previous run (exit 2, naming --overwrite) and leaves it untouched; with --overwrite the old
# run's files (metrics, summary, log, script copy, figures) go and the user's other files stay.
# A symbolic link at figures/ is not followed: --overwrite leaves the folder it names alone, and
# drawing the figures through it is refused. A folder holding no run but a file a run would
# write (log.txt, script.lua) is refused (exit 2) and the file kept.
# Also: a directory given as the script is bad usage (exit 2, "gradlab: error: ...").
set -u
gradlab=$1 script=$2 other=$3
out=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-overwrite.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; cat "$out/stderr" 2>/dev/null; exit 1; }
export GRADLAB_PLOT=0
"$gradlab" run "$script" --out "$out/run" >/dev/null 2>"$out/stderr" || fail "first run"
# What plot leaves, and a file of the user's own.
mkdir -p "$out/run/figures"
for f in old.gp old.png old.svg old.dat; do echo old >"$out/run/figures/$f"; done
echo mine >"$out/run/notes.txt"
echo mine >"$out/run/figures/keep.txt"
cp "$out/run/summary.json" "$out/summary.before"
"$gradlab" run "$other" --out "$out/run" >/dev/null 2>"$out/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "reusing a run folder: exit $rc, expected 2"
grep -q "^gradlab: error: .*already holds a run.*--overwrite" "$out/stderr" || fail "message"
cmp -s "$out/summary.before" "$out/run/summary.json" || fail "the refused run touched summary.json"
[ -f "$out/run/figures/old.png" ] || fail "the refused run touched figures"
"$gradlab" run "$other" --out "$out/run" --overwrite >/dev/null 2>"$out/stderr" || fail "--overwrite run"
grep -q "$(basename "$other")" "$out/run/summary.json" || fail "summary.json is not the new run's"
for f in old.gp old.png old.svg old.dat; do
  [ ! -e "$out/run/figures/$f" ] || fail "--overwrite left figures/$f"
done
[ -f "$out/run/notes.txt" ] && [ -f "$out/run/figures/keep.txt" ] || fail "--overwrite removed a user file"
# A folder holding only a killed run's metrics.csv.part is a run too, and the message names that
# file (it named summary.json and metrics.csv, which were not there)
mkdir -p "$out/killed" && printf 'step,epoch,layer,tensor,stat,value\n' >"$out/killed/metrics.csv.part"
"$gradlab" run "$other" --out "$out/killed" >/dev/null 2>"$out/stderr"
[ $? -eq 2 ] && grep -q "already holds a run (its metrics.csv.part)" "$out/stderr" ||
  fail "a .part-only folder: $(cat "$out/stderr")"
"$gradlab" plot "" 2>"$out/stderr"
[ $? -eq 2 ] && grep -q "plot: the run folder's name is empty" "$out/stderr" ||
  fail "plot '': $(cat "$out/stderr")"
# A folder without a run (only user files) is used as it is.
mkdir -p "$out/fresh" && echo mine >"$out/fresh/notes.txt"
"$gradlab" run "$other" --out "$out/fresh" >/dev/null 2>"$out/stderr" || fail "a folder without a run"
# figures/ a symbolic link to someone else's folder: nothing there is removed or written
"$gradlab" run "$other" --out "$out/linked" >/dev/null 2>"$out/stderr" || fail "run for the link case"
mkdir -p "$out/victim" && echo theirs >"$out/victim/thesis.png" && echo theirs >"$out/victim/notes.dat"
rm -rf "$out/linked/figures" && ln -s "$out/victim" "$out/linked/figures"
GRADLAB_PLOT=1 "$gradlab" run "$other" --out "$out/linked" --overwrite >/dev/null 2>"$out/stderr" ||
  fail "--overwrite with a figures link"
[ -f "$out/victim/thesis.png" ] && [ -f "$out/victim/notes.dat" ] ||
  fail "--overwrite removed files through the figures/ link"
[ "$(ls "$out/victim" | wc -l)" -eq 2 ] || fail "figures were written through the link: $(ls "$out/victim")"
[ -L "$out/linked/figures" ] || fail "the link was replaced"
"$gradlab" plot "$out/linked" >/dev/null 2>"$out/stderr"
rc=$?
[ "$rc" -eq 1 ] || fail "plot with a figures/ link: exit $rc, expected 1"
grep -q "^gradlab: error: plot: $out/linked/figures is a symbolic link" "$out/stderr" || fail "link message"
# somebody's log.txt in a folder without a run: refused, kept
mkdir -p "$out/project" && echo mine >"$out/project/log.txt"
"$gradlab" run "$other" --out "$out/project" >/dev/null 2>"$out/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "a folder with a foreign log.txt: exit $rc, expected 2"
grep -q "^gradlab: error: run: '$out/project' holds a log.txt but no gradlab run" "$out/stderr" ||
  fail "foreign log.txt message"
[ "$(cat "$out/project/log.txt")" = mine ] || fail "the foreign log.txt was replaced"
[ ! -e "$out/project/summary.json" ] || fail "the refused run wrote summary.json"
# A directory as the script: bad usage.
"$gradlab" run "$out" >/dev/null 2>"$out/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "a directory as the script: exit $rc, expected 2"
grep -q "^gradlab: error: run: .*is a directory" "$out/stderr" || fail "directory message"
echo ok
