#!/bin/sh
# batch_timeout.sh GRADLAB SCRIPT — `gradlab batch --timeout 1` on a long gradlab.train with no
# callback: the job's SIGTERM stops training within a step, so the job ends by SIGTERM (15) well
# before the batch's SIGKILL, and its run folder keeps its metrics (finished = false).
set -u
out=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-btimeout.XXXXXX")
trap 'rm -rf "$out"' EXIT
GRADLAB_PLOT=0 "$1" batch "$2" --timeout 1 --out "$out/b" >"$out/stdout" 2>"$out/stderr"
python3 - "$out/b" <<'PY' || { echo FAIL; cat "$out/stderr"; ls -R "$out/b"; exit 1; }
import csv, glob, json, os, sys
jobs = glob.glob(os.path.join(sys.argv[1], "*", "job.json"))
assert len(jobs) == 1, jobs
job = json.load(open(jobs[0]))
assert job["timed_out"] and job.get("signal") == 15, job
d = os.path.dirname(jobs[0])
s = json.load(open(os.path.join(d, "summary.json")))
assert s["finished"] is False, s
rows = list(csv.DictReader(open(os.path.join(d, "metrics.csv"))))
assert len(rows) > 1, len(rows)
assert not glob.glob(os.path.join(d, "*.part")), "partial files"
PY
echo ok
