#!/bin/sh
# sigpipe.sh GRADLAB SCRIPT — `gradlab run SCRIPT | head -n 2`: once head has gone, print's
# writes to stdout fail (EPIPE) and SIGPIPE is raised; the run must go on to its end (exit 0,
# finished = true), keep every printed line in log.txt and leave no .part file. And a SIGHUP
# that was ignored when gradlab started (nohup) stays ignored: the run goes on to its end.
set -u
gradlab=$1 script=$2
out=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-sigpipe.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; cat "$out/stderr" 2>/dev/null; exit 1; }
export GRADLAB_PLOT=0
# The reader: head takes two lines and exits; then its shell closes the pipe too (exec 0<&-)
# before it lets the script print on.
{ "$gradlab" run "$script" --out "$out/run" -- "$out/marker" 2>"$out/stderr"; echo $? >"$out/rc"; } |
  { head -n 2 >"$out/head"; exec 0<&-; touch "$out/marker"; }
rc=$(cat "$out/rc")
[ "$rc" -eq 0 ] || fail "exit status $rc with stdout closed, expected 0"
[ "$(wc -l <"$out/head")" -eq 2 ] || fail "head saw: $(cat "$out/head")"
[ "$(grep -c '^epoch' "$out/run/log.txt")" -eq 5 ] || fail "log.txt: $(cat "$out/run/log.txt")"
python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["finished"] is True' \
  "$out/run/summary.json" || fail "summary.json not finished"
part=$(find "$out/run" -name '*.part' -o -name '*.tmp*' | head -n 1)
[ -z "$part" ] || fail "partial file left: $part"
# nohup: SIGHUP ignored by the parent, sent while the script waits; the run ends normally.
rm -rf "$out/run" "$out/marker"
sh -c 'trap "" HUP; exec "$0" run "$1" --out "$2" -- "$3"' "$gradlab" "$script" "$out/run" \
  "$out/marker" >"$out/stdout" 2>"$out/stderr" &
pid=$!
n=0
until [ "$(grep -c '^epoch' "$out/stdout")" -ge 2 ] || [ $n -ge 200 ]; do sleep 0.05; n=$((n + 1)); done
kill -HUP $pid
sleep 0.2
touch "$out/marker"
wait $pid
rc=$?
[ "$rc" -eq 0 ] || fail "exit status $rc after a SIGHUP under nohup, expected 0"
[ "$(grep -c '^epoch' "$out/run/log.txt")" -eq 5 ] || fail "nohup log.txt: $(cat "$out/run/log.txt")"
echo ok
