#!/bin/bash
# disk_full.sh GRADLAB SCRIPT — a run folder that cannot take more (here the file size limit,
# ulimit -f, standing in for a full disk): gradlab.train stops with the error at the step that
# could not be recorded (FILE:LINE + traceback), `gradlab run` exits 1 naming the file, the
# summary says "finished": false with the "error", metrics.csv is a whole file (never a cut row)
# holding every whole row that reached the disk — close to the 64 KiB limit, not just the copy of
# the last flush (the header) — and no .part / .tmp file is left.
set -u
gradlab=$1 script=$2
out=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-diskfull.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; echo "--- stderr"; cat "$out/stderr" 2>/dev/null; exit 1; }
export GRADLAB_PLOT=0
# 64 KiB per file. SIGXFSZ at its default (the limit would kill the process at the write that
# passes it): gradlab catches it, so the write fails with EFBIG and is said (it was killed, exit
# 153, without a word, unless the caller ignored the signal)
(ulimit -f 64 && trap - XFSZ && exec "$gradlab" run "$script" --out "$out/run") >/dev/null 2>"$out/stderr"
rc=$?
[ "$rc" -eq 1 ] || fail "exit status $rc, expected 1"
grep -Eq "$(basename "$script"):[0-9]+: gradlab\.train: step [0-9]+: cannot write metrics\.csv in .*: File too large" "$out/stderr" ||
  fail "no FILE:LINE message naming metrics.csv"
grep -q "stack traceback" "$out/stderr" || fail "no traceback"
grep -q "^gradlab: error: run: cannot write metrics.csv" "$out/stderr" || fail "no 'gradlab: error:' line"
python3 - "$out/run" <<'PY' || fail "run folder"
import csv, json, os, sys
d = sys.argv[1]
s = json.load(open(os.path.join(d, "summary.json")))
assert s["finished"] is False, s["finished"]
assert "cannot write metrics.csv" in s.get("error", ""), s.get("error")
text = open(os.path.join(d, "metrics.csv"), newline="").read()
assert text.startswith("step,epoch,layer,tensor,stat,value\n") and text.endswith("\n"), "metrics.csv cut"
rows = list(csv.reader(text.splitlines()))
assert all(len(r) == 6 for r in rows), "a cut row in metrics.csv"
assert len(text) > 60 * 1024, "only %d bytes of metrics.csv kept (the limit is 64 KiB)" % len(text)
steps = [int(r[0]) for r in rows[1:]]
assert steps == sorted(steps), "rows out of order"
left = [f for f in os.listdir(d) if f.endswith(".part") or ".tmp" in f]
assert not left, left
print("ok:", len(rows) - 1, "rows kept")
PY
[ $? -eq 0 ] || exit 1
echo "ok: a full run folder is an error, its files stay whole"
