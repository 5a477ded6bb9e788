#!/bin/bash
# batch_test.sh — reliability tests of 'gradlab batch' and 'gradlab merge' (registered by
# tests.cmake). Usage: batch_test.sh GRADLAB CASE
#   many       200 tiny jobs with -j 2 complete; summary.csv has 200 rows
#   failures   a segfaulting plugin, a Lua error, a --timeout and a SIGKILL (as the OOM killer):
#              each failed with its reason, the other jobs succeed, exit status 1
#   kill       SIGKILL the batch half-way (10 jobs done, 2 running), rerun the same DIR: every
#              job completed exactly once, completed jobs not rerun, no temporary file anywhere
#   shard      shards 1..N cover the unsharded job list once; merge reproduces its summary
#   determinism  the same job twice, and -j 1 vs -j 2: bit-identical metrics.csv
#   usage      bad usage exits 2 with 'gradlab: error:' (an empty --out or --status folder name
#              too); --status; sweep grids; resume by DIR
#   sigterm    SIGTERM stops the running jobs; the rerun completes them
#   bigseed    seeds up to 2^53-1 run, and batch.json, job.json, summary.csv, --status, merge and
#              resume hold them exactly
#   env        -j defaults to the cores the batch may use (taskset): how many jobs ran at once;
#              OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=1 in a job's environment when -j > 1, the
#              user's own values (or none) with -j 1
#   layout     summary.csv column names on collisions (result.<key>, param.<key>); a script
#              given twice runs once; a changed grid keeps the completed jobs and lists the
#              current ones only; a second batch on a DIR in use is refused; merge of an
#              incomplete set of shards lists the missing jobs as pending, with a warning
#   merge_out  merge --out refuses what batch --out refuses (a folder holding other things, a
#              run folder, a file) with exit 2 and writes nothing there; a new or empty folder
#              and its own earlier output are fine
#   os_exit    jobs ending with os.exit(N): 0 ok; 3 failed with reason "exit status 3
#              (os.exit(3))" and the error naming os.exit(3) (not "gradlab: run folder ...");
#              256 failed, "exit status 1 (os.exit(256))"
#   options    -j, --timeout, --shards out of range: the message states the accepted range;
#              --shards without --emit is bad usage; --emit slurm --shards N with fewer jobs
#              makes one task per job (a note); slurm.sh and the printed submit/merge lines
#              are shell-quoted: with spaces in the paths and a quote in a grid value, the
#              array run task by task and the printed merge line give the unsharded summary
#   targets    the files batch and merge write go through the core's atomic writer: a FIFO at
#              summary.csv, batch.json or slurm.sh is refused (exit 1, message naming it) and
#              stays a FIFO; a symbolic link there is followed (its file gets the content, the
#              link stays); a link at .lock is refused, its target untouched; merge leaves a
#              file at OUT/<id> alone (a warning) and links the other jobs
#   merge_again  merging again into a merge output removes the links of the jobs it no longer
#              merges (not listed any more, or ended in none of the folders now given) — its own
#              links only: a file, a folder, other links are kept; the links match summary.csv,
#              batch.json and --status; merge, 'batch --out MERGED' (its pending jobs), merge
#              again works, the jobs run there kept as folders and counted done
#   keep_part  a job killed (SIGKILL) or crashed (SIGSEGV) half-way keeps its metrics.csv.part
#              and log.txt.part (temporary files go): 'gradlab plot DIR/<id>' draws them;
#              --status and merge count it failed, nothing more; --retry-failed and the rerun
#              of a job that was running start from an empty folder
#   merge_bad  a batch.json that does not parse is said so (the file, line and column), not "no
#              readable batch.json"; a damaged job.json is named and nothing is merged (exit 1),
#              rather than its job counted as not run — not JSON, or not what 'gradlab batch'
#              writes for its job (another job's, linked; {"status":"ok"} alone; a status not
#              ok/failed; another seed); a batch.json job with a seed out of 0..2^53-1 or an id
#              that is not 16 hex digits ("../victim") is refused saying so; an empty job.json (a machine crash) is
#              still "not run"; a FIFO at job.json does not hang the merge
#   progress   on a terminal (a pty from script(1)) one progress line kept up to date with \r;
#              not on a terminal: one plain "[k/N] ok ..." line per job, no \r
# GRADLAB_BATCH_RUNNER=.../fake_run.sh runs the cases against a stand-in for 'gradlab run'.
# GRADLAB_WRAP=valgrind... runs each foreground batch/merge process under valgrind.
set -u
G=$1
CASE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
S=$HERE/scripts
export GRADLAB_PLOT=0 # figures (gnuplot) are not the subject here
W=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-batch-$CASE.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1

# GRADLAB_WRAP (e.g. "valgrind --error-exitcode=99 ..."): run the batch process under it
gl() { ${GRADLAB_WRAP:-} "$G" "$@"; }
fail() { echo "FAIL ($CASE): $*" >&2; exit 1; }
# csv FILE EXPR: evaluate a Python expression over rows (list of dicts) of a summary.csv
csv() {
  python3 - "$1" "$2" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
res = eval(sys.argv[2])
print(res)
sys.exit(0 if res not in (False, None) else 1)
PY
}
no_temp_files() {
  local t p
  t=$(find "$1" -name '*.tmp' -o -name '*.tmp[.-]*' -o -name '.sweep-*' | head -5)
  [ -z "$t" ] || fail "temporary files left: $t"
  # a failed job keeps what its run recorded (metrics.csv.part, log.txt.part); no other may
  while IFS= read -r -d '' p; do
    grep -q '"status":[[:space:]]*"failed"' "$(dirname "$p")/job.json" 2> /dev/null ||
      fail "a partial file of a job that did not fail: $p"
  done < <(find "$1" -name '*.part' -print0)
}

case $CASE in
many)
  gl batch "$S/empty.lua" --grid x=$(seq -s, 1 100) --seeds 1..2 -j 2 --out d -q || fail "batch exit $?"
  csv d/summary.csv 'len(rows) == 200 and all(r["status"] == "ok" for r in rows)' || fail "summary"
  csv d/summary.csv 'len(set(r["id"] for r in rows)) == 200' || fail "ids not unique"
  [ "$(ls d | grep -c '^[0-9a-f]\{16\}$')" = 200 ] || fail "200 job folders expected"
  no_temp_files d
  ;;
failures)
  gl batch "$S/empty.lua" "$S/crash.lua" "$S/error.lua" "$S/sleep.lua" "$S/oom.lua" --seeds 1..2 \
    -j 2 --timeout 1 --out d -q
  rc=$?
  [ $rc = 1 ] || fail "exit status $rc, expected 1"
  csv d/summary.csv 'len(rows) == 10' || fail "10 rows expected"
  csv d/summary.csv 'all(r["status"] == "ok" for r in rows if r["script"].endswith("empty.lua"))' || fail "empty jobs"
  # the crash: a signal 11, or (sanitizer builds) the sanitizer's SEGV report
  python3 - d <<'PY' || fail "reasons"
import csv, json, os, sys
d = sys.argv[1]
for r in csv.DictReader(open(os.path.join(d, "summary.csv"), newline="")):
    s = r["script"]
    st = json.load(open(os.path.join(d, r["id"], "job.json")))
    assert os.path.exists(os.path.join(d, r["id"], "stderr.txt")), "stderr.txt kept"
    if s.endswith("empty.lua"):
        continue
    assert r["status"] == "failed", (s, r["status"])
    if s.endswith("crash.lua"):
        assert "signal 11" in r["reason"] or "SEGV" in st["stderr_tail"], (s, r["reason"], st["stderr_tail"])
    elif s.endswith("error.lua"):
        assert r["reason"] == "exit status 1" and "boom (on purpose)" in r["error"], (s, r["reason"], r["error"])
    elif s.endswith("oom.lua"):
        assert r["reason"] == "killed by signal 9 (Killed), maybe out of memory", (s, r["reason"])
    elif s.endswith("sleep.lua"):
        assert r["reason"].startswith("timeout after 1 s"), (s, r["reason"])
        assert st["duration"] < 10, st["duration"]
print("reasons ok")
PY
  no_temp_files d
  # --status agrees, and exits 1 (failed jobs)
  gl batch --status d > status.txt
  [ $? = 1 ] || fail "--status exit"
  grep -q 'done 2  failed 8' status.txt || fail "status: $(cat status.txt)"
  # resume skips everything (failed ones are kept without --retry-failed)
  before=$(stat -c '%i %y' d/*/job.json | sort | md5sum)
  gl batch "$S/empty.lua" "$S/crash.lua" "$S/error.lua" "$S/sleep.lua" "$S/oom.lua" --seeds 1..2 \
    -j 2 --timeout 1 --out d -q
  after=$(stat -c '%i %y' d/*/job.json | sort | md5sum)
  [ "$before" = "$after" ] || fail "a job ran again on resume"
  ;;
kill)
  export BATCH_TEST_LOG=$W/runs.log BATCH_TEST_GATE=$W/gate
  args=("$S/short.lua" --grid i=$(seq -s, 1 30) -j 2 --out d -q)
  "$G" batch "${args[@]}" &
  pid=$!
  # jobs 1..10 complete; 11 and 12 then wait at the gate: kill while they run
  for _ in $(seq 1 600); do
    [ "$(ls d/*/job.json 2>/dev/null | wc -l)" -ge 10 ] && [ -f d/.progress.json ] &&
      grep -q '"running":.*,' <(tr -d '\n\t ' < d/.progress.json) && break
    kill -0 $pid 2> /dev/null || fail "the batch ended early"
    sleep 0.1
  done
  kill -KILL $pid
  wait $pid 2>/dev/null
  done_before=$(ls d/*/job.json | wc -l)
  [ "$done_before" = 10 ] || fail "$done_before jobs done at the kill, expected 10"
  touch "$BATCH_TEST_GATE"
  stat -c '%n %i %y' d/*/job.json | sort > before.txt
  sleep 0.2 # the killed batch's jobs die with it (PDEATHSIG): nothing may still write into d
  gl batch "${args[@]}" || fail "rerun exit $?"
  csv d/summary.csv 'len(rows) == 30 and all(r["status"] == "ok" for r in rows)' || fail "rerun summary"
  csv d/summary.csv 'sorted(int(r["i"]) for r in rows) == list(range(1, 31))' || fail "each job once"
  # jobs completed before the kill were not rerun: their job.json is the same file
  stat -c '%n %i %y' $(cut -d' ' -f1 before.txt) | sort | cmp -s - before.txt || fail "completed job rerun"
  [ "$(ls d/*/job.json | wc -l)" = 30 ] || fail "30 job.json expected"
  for j in d/*/; do
    [ -f "$j/summary.json" ] && [ -f "$j/job.json" ] && [ -f "$j/stdout.txt" ] || fail "incomplete $j"
  done
  # every job ran to its end exactly once (short.lua / fake_run.sh log each completion)
  ends=$(grep -c '^end ' "$BATCH_TEST_LOG")
  uniq_ends=$(grep '^end ' "$BATCH_TEST_LOG" | sort -u | wc -l)
  [ "$uniq_ends" = 30 ] || fail "$uniq_ends distinct completions"
  [ "$ends" = 30 ] || fail "$ends completions for 30 jobs (each exactly once)"
  no_temp_files d
  ;;
shard)
  args=("$S/sweep.lua" "$S/empty.lua" --seeds 1..3 -j 2 -q)
  gl batch "${args[@]}" --out full || fail "unsharded exit $?"
  csv full/summary.csv 'len(rows) == 6 * 3 + 3' || fail "unsharded rows"
  for k in 1 2 3 4; do gl batch "${args[@]}" --shard $k/4 --out s$k || fail "shard $k exit $?"; done
  python3 - <<'PY' || fail "shards do not partition the job list"
import csv
full = [r["id"] for r in csv.DictReader(open("full/summary.csv", newline=""))]
parts = [[r["id"] for r in csv.DictReader(open(f"s{k}/summary.csv", newline=""))] for k in (1, 2, 3, 4)]
flat = [i for p in parts for i in p]
assert sorted(flat) == sorted(full) and len(flat) == len(set(flat)), (len(flat), len(full))
assert all(parts), "a shard is empty"
print("partition ok")
PY
  gl merge s1 s2 s3 s4 --out merged > /dev/null || fail "merge exit $?"
  # identical except the measured durations
  strip() { python3 -c '
import csv, sys
r = csv.reader(open(sys.argv[1], newline="")); h = next(r); k = h.index("duration_s")
print(h); [print(row[:k] + row[k+1:]) for row in r]' "$1"; }
  diff <(strip full/summary.csv) <(strip merged/summary.csv) || fail "merged summary differs"
  gl batch --status merged > /dev/null || fail "status of the merged folder"
  # the emitted Slurm array, run task by task as Slurm would, merges to the same summary
  gl batch "${args[@]}" --out em --emit slurm --shards 3 > /dev/null || fail "emit"
  grep -q '^#SBATCH --array=0-2$' em/slurm.sh || fail "array line"
  for t in 0 1 2; do SLURM_ARRAY_TASK_ID=$t bash em/slurm.sh > task$t.log 2>&1 || fail "array task $t: $(tail -3 task$t.log)"; done
  gl merge em/shards/* --out em/merged > /dev/null || fail "merge of the array"
  diff <(strip full/summary.csv) <(strip em/merged/summary.csv) || fail "array summary differs"
  # the script's own sweep reached the jobs as parameters
  csv full/summary.csv 'sorted(set((r["act"], r["depth"]) for r in rows if r["script"].endswith("sweep.lua"))) == [(a, d) for a in ("relu", "tanh") for d in ("1", "2", "3")]' || fail "sweep grid"
  # --grid overrides the script's sweep for that key
  gl batch "$S/sweep.lua" --grid depth=7 --out ov -q || fail "override exit"
  csv ov/summary.csv 'sorted(r["depth"] for r in rows) == ["7", "7"]' || fail "override"
  ;;
bigseed)
  # the largest seeds 'gradlab run' takes run, and every file holds them exactly (cJSON alone
  # would print 9007199254740991 as 9.00719925474099e+15)
  args=("$S/empty.lua" --seeds 9007199254740990..9007199254740991 --grid x=1,2 -q)
  gl batch "${args[@]}" --out d || fail "batch exit $?"
  gl batch "${args[@]}" --shard 1/2 --out s1 || fail "shard 1 exit $?"
  gl batch "${args[@]}" --shard 2/2 --out s2 || fail "shard 2 exit $?"
  gl merge s1 s2 --out m > /dev/null || fail "merge exit $?"
  for dir in d m; do
    csv $dir/summary.csv 'sorted((r["seed"], r["status"]) for r in rows) == [("9007199254740990", "ok")] * 2 + [("9007199254740991", "ok")] * 2' || fail "$dir/summary.csv seeds"
    python3 - $dir <<'PY' || fail "$dir: seeds not exact in the JSON files"
import json, os, sys
d = sys.argv[1]
want = {9007199254740990, 9007199254740991}
bj = json.load(open(os.path.join(d, "batch.json")))
assert bj["args"]["seeds"] == [9007199254740990, 9007199254740991], bj["args"]["seeds"]
assert all(type(j["seed"]) is int for j in bj["jobs"]), [j["seed"] for j in bj["jobs"]]
assert sorted(j["seed"] for j in bj["jobs"]) == sorted(list(want) * 2), bj["jobs"]
for j in bj["jobs"]:
    jj = json.load(open(os.path.join(d, j["id"], "job.json")))
    assert jj["seed"] == j["seed"] and type(jj["seed"]) is int and jj["status"] == "ok", jj
print("exact")
PY
    gl batch --status $dir > status.txt || fail "--status $dir exit $?"
    grep -q "done 4  failed 0" status.txt || fail "--status $dir: $(cat status.txt)"
    # resuming reads the seeds back: the same jobs (ids), nothing left to run
    cut -d, -f1-4 $dir/summary.csv > before.csv
    gl batch --out $dir -q || fail "resume $dir exit $?"
    diff before.csv <(cut -d, -f1-4 $dir/summary.csv) || fail "resume of $dir changed the job list"
    [ "$(ls -d $dir/*/ | wc -l)" = 4 ] || fail "resume of $dir added jobs"
  done
  diff <(cut -d, -f1-4 d/summary.csv) <(cut -d, -f1-4 m/summary.csv) || fail "merged summary differs"
  ;;
determinism)
  # the same job (same id) run twice, and a grid under -j 1 and -j 2
  T=$HERE/scripts/train.lua
  gl batch "$T" --seeds 1..2 --grid width=2,4 -j 1 --out a -q || fail "a"
  gl batch "$T" --seeds 1..2 --grid width=2,4 -j 2 --out b -q || fail "b"
  gl batch "$T" --seeds 1..2 --grid width=2,4 -j 2 --out c -q || fail "c"
  for j in a/*/metrics.csv; do
    id=$(basename "$(dirname "$j")")
    [ -s "$j" ] || fail "empty $j"
    cmp -s "$j" "b/$id/metrics.csv" || fail "metrics differ between -j 1 and -j 2 ($id)"
    cmp -s "$j" "c/$id/metrics.csv" || fail "metrics differ between two runs ($id)"
  done
  [ "$(ls a/*/metrics.csv | wc -l)" = 4 ] || fail "4 runs expected"
  ;;
usage)
  expect2() {
    gl "$@" > out.txt 2> err.txt
    rc=$?
    [ $rc = 2 ] || fail "'$*' exit $rc, expected 2"
    grep -q '^gradlab: error: ' err.txt || fail "'$*' message: $(cat err.txt)"
  }
  expect2 batch "$S/empty.lua"
  expect2 batch --out x
  expect2 batch "$S/empty.lua" --seeds 3..1 --out x
  grep -q "needs A <= B (got '3..1')" err.txt || fail "--seeds 3..1 message: $(cat err.txt)"
  # the cap on --seeds is named, not hidden behind "A <= B"
  expect2 batch "$S/empty.lua" --seeds 1..1000001 --out x
  grep -q "1000001 seeds; at most 1000000 per batch" err.txt || fail "--seeds cap message: $(cat err.txt)"
  expect2 batch "$S/empty.lua" --seeds 0..1000000 --out x
  grep -q "1000001 seeds; at most 1000000 per batch" err.txt || fail "--seeds cap from 0: $(cat err.txt)"
  # seeds are what 'gradlab run --seed' takes: 0..2^53-1
  expect2 batch "$S/empty.lua" --seeds -9223372036854775807..9223372036854775807 --out x
  grep -q "seed -9223372036854775807 is out of range; seeds are integers 0..9007199254740991" err.txt || fail "--seeds huge range: $(cat err.txt)"
  expect2 batch "$S/empty.lua" --seeds -1 --out x
  grep -q "seed -1 is out of range" err.txt || fail "--seeds -1: $(cat err.txt)"
  expect2 batch "$S/empty.lua" --seeds 9007199254740991..9007199254740992 --out x
  grep -q "seed 9007199254740992 is out of range" err.txt || fail "--seeds 2^53: $(cat err.txt)"
  [ ! -e x ] || fail "a refused batch created its folder"
  expect2 batch "$S/empty.lua" --seeds 1..x --out x
  grep -q "expects A..B (integers" err.txt || fail "--seeds format message: $(cat err.txt)"
  expect2 batch "$S/empty.lua" --shard 0/2 --out x
  expect2 batch "$S/empty.lua" --shard 3/2 --out x
  expect2 batch "$S/empty.lua" --grid novalue --out x
  expect2 batch "$S/empty.lua" -j 0 --out x
  expect2 batch "$S/empty.lua" --timeout -1 --out x
  expect2 batch "$S/empty.lua" --bogus --out x
  expect2 batch "$S/empty.lua" --emit pbs --out x
  expect2 batch --status nothing-here
  expect2 merge --out x
  expect2 merge nothing-here --out x
  # an empty folder name is bad usage naming the option, as 'gradlab run/batch --out ""'
  expect2 merge nothing-here --out ""
  grep -qx 'gradlab: error: --out wants a folder name, got an empty one' err.txt || fail "merge --out '': $(cat err.txt)"
  expect2 batch --status ""
  grep -qx 'gradlab: error: --status wants a batch folder name, got an empty one' err.txt || fail "--status '': $(cat err.txt)"
  mkdir notabatch && touch notabatch/file
  expect2 batch "$S/empty.lua" --out notabatch
  gl batch --help | grep -q -- '--retry-failed' || fail "batch --help"
  # what the command line names must exist: bad usage, as for 'gradlab run', and no DIR made
  expect2 batch "$S/no-such-script.lua" --out y -q
  grep -q "^gradlab: error: cannot read script '$S/no-such-script.lua'" err.txt || fail "missing script: $(cat err.txt)"
  expect2 batch "$S" --out y -q
  grep -q "^gradlab: error: '$S' is a directory, not a script" err.txt || fail "a folder as the script: $(cat err.txt)"
  expect2 batch "$S/empty.lua" --plugin /nonexistent/x.so --out y -q
  grep -q "^gradlab: error: batch: --plugin '/nonexistent/x.so': no such file or folder" err.txt ||
    fail "missing plugin: $(cat err.txt)"
  [ ! -e y ] || fail "a refused batch created its folder"
  # resume with DIR alone reruns nothing and rewrites the same summary
  gl batch "$S/empty.lua" --grid x=1,2 --seeds 1..2 --out r -q || fail "r"
  cp r/summary.csv r1.csv
  gl batch --out r -q || fail "resume by DIR"
  cmp -s r1.csv r/summary.csv || fail "resume by DIR changed the summary"
  # job ids are FNV-1a 64 of: script content, NUL, sorted "key=value\n" lines, "seed=S"
  python3 - "$S/empty.lua" <<'PY' || fail "job id scheme"
import csv, sys
def fnv1a(data, h=0xcbf29ce484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h
assert fnv1a(b"a") == 0xaf63dc4c8601ec8c  # the published test vector
content = open(sys.argv[1], "rb").read()
rows = list(csv.DictReader(open("r/summary.csv", newline="")))
for r in rows:
    want = "%016x" % fnv1a(content + b"\0" + ("x=%s\n" % r["x"]).encode() + ("seed=%s" % r["seed"]).encode())
    assert r["id"] == want, (r["id"], want)
print("ids ok", len(rows))
PY
  # --emit slurm: one array task per shard, each running its shard
  gl batch "$S/empty.lua" --grid x=1,2,3 --out em --emit slurm --shards 2 > /dev/null || fail "emit"
  grep -q '^#SBATCH --array=0-1$' em/slurm.sh || fail "array line"
  grep -q -- '--shard "$K/2"' em/slurm.sh || fail "shard line"
  bash -n em/slurm.sh || fail "slurm.sh syntax"
  gl batch "$S/empty.lua" --grid x=1,2,3 --out em2 --emit slurm --shards 2 > /dev/null 2> err.txt || fail "emit 2"
  ! grep -q "MaxArraySize" err.txt || fail "a small array warned: $(cat err.txt)"
  # an array larger than Slurm's default MaxArraySize (1001) is written with a warning
  gl batch "$S/empty.lua" --seeds 1..1002 --out em3 --emit slurm > /dev/null 2> err.txt || fail "emit 1002"
  grep -q '^#SBATCH --array=0-1001$' em3/slurm.sh || fail "array line 1002"
  grep -q "^gradlab: warning: .*job array of 1002 tasks; Slurm's default MaxArraySize is 1001.*--shards N with N <= 1001" err.txt \
    || fail "no MaxArraySize warning: $(cat err.txt)"
  gl batch "$S/empty.lua" --seeds 1..1002 --out em4 --emit slurm --shards 1000 > /dev/null 2> err.txt || fail "emit 1002/1000"
  gl batch "$S/empty.lua" --out em5 --emit slurm > out.txt 2> err.txt || fail "emit 1"
  grep -q "(1 job, 1 array task)" out.txt || fail "'1 job' grammar: $(cat out.txt)"
  ! grep -q "MaxArraySize" err.txt || fail "--shards 1000 warned: $(cat err.txt)"
  # --retry-failed reruns failed jobs only
  gl batch "$S/error.lua" "$S/empty.lua" --out f -q
  [ $? = 1 ] || fail "failed batch exit"
  failed_json=$(grep -l '"status":[[:space:]]*"failed"' f/*/job.json)
  ok_json=$(grep -l '"status":[[:space:]]*"ok"' f/*/job.json)
  [ -n "$failed_json" ] && [ -n "$ok_json" ] || fail "one failed and one ok job expected"
  ok_before=$(stat -c '%i %y' "$ok_json")
  failed_before=$(stat -c '%i %y' "$failed_json")
  gl batch "$S/error.lua" "$S/empty.lua" --out f -q --retry-failed
  [ $? = 1 ] || fail "retry exit"
  [ "$(stat -c '%i %y' "$ok_json")" = "$ok_before" ] || fail "--retry-failed reran a job that succeeded"
  [ "$(stat -c '%i %y' "$failed_json")" != "$failed_before" ] || fail "--retry-failed did not rerun the failed job"
  ;;
sigterm)
  args=("$S/sleep.lua" "$S/empty.lua" --grid x=1,2 -j 2 --out d -q)
  "$G" batch "${args[@]}" &
  pid=$!
  for _ in $(seq 1 300); do # until both sleep jobs run
    [ -f d/.progress.json ] && [ "$(ls -d d/*/ 2>/dev/null | wc -l)" -ge 2 ] && break
    kill -0 $pid 2> /dev/null || fail "the batch ended early"
    sleep 0.1
  done
  sleep 0.3
  kill -TERM $pid
  wait $pid
  rc=$?
  [ $rc = 1 ] || fail "stopped batch exit $rc"
  csv d/summary.csv 'sum(r["status"] == "pending" for r in rows) >= 2' || fail "stopped jobs not pending"
  csv d/summary.csv 'not any(r["status"] == "failed" for r in rows)' || fail "a stopped job counted as failed"
  no_temp_files d
  ;;
env)
  export BATCH_TEST_LOG=$W/env.log
  unset OPENBLAS_NUM_THREADS OMP_NUM_THREADS
  # max_running LOG: the largest number of jobs running at the same time, from their start/end
  max_running() {
    python3 - "$1" <<'PY'
import sys
ev = []
for line in open(sys.argv[1]):
    what, _, t = line.split()
    ev.append((int(t), 1 if what == "end" else 0, what))  # an end before a start at a tie
n = best = 0
for _, _, what in sorted(ev):
    n += 1 if what == "start" else -1
    best = max(best, n)
print(best)
PY
  }
  # one core: -j defaults to 1, and the jobs keep the (absent) BLAS settings
  command -v taskset > /dev/null || fail "taskset (util-linux) is needed"
  taskset -c 0 "$G" batch "$S/env.lua" --grid x=1,2,3 --out one -q || fail "one core: exit $?"
  [ "$(max_running env.log)" = 1 ] || fail "one core: $(max_running env.log) jobs at once, expected 1 (-j default)"
  csv one/summary.csv 'len(rows) == 3 and all(r["openblas"] == "unset" and r["omp"] == "unset" for r in rows)' ||
    fail "-j 1 changed the BLAS threads"
  csv one/summary.csv 'all(r["job"] == r["id"] for r in rows)' || fail "GRADLAB_BATCH_JOB is not the job id"
  # -j 1 keeps the user's own settings
  OPENBLAS_NUM_THREADS=3 OMP_NUM_THREADS=3 BATCH_TEST_SLEEP=0 "$G" batch "$S/env.lua" --grid x=1,2 -j 1 --out keep -q ||
    fail "keep: exit $?"
  csv keep/summary.csv 'all(r["openblas"] == "3" and r["omp"] == "3" for r in rows)' || fail "-j 1 overrode the user's BLAS threads"
  # -j 2: one BLAS thread per job, whatever the user had
  OPENBLAS_NUM_THREADS=3 BATCH_TEST_SLEEP=0 "$G" batch "$S/env.lua" --grid x=1,2 -j 2 --out two -q || fail "-j 2: exit $?"
  csv two/summary.csv 'all(r["openblas"] == "1" and r["omp"] == "1" for r in rows)' || fail "-j 2: BLAS threads not 1"
  if [ "$(nproc)" -ge 2 ]; then
    # two cores: -j defaults to 2 (jobs overlap), so BLAS gets one thread per job
    rm -f env.log
    taskset -c 0,1 "$G" batch "$S/env.lua" --grid x=1,2,3,4 --out cores -q || fail "two cores: exit $?"
    [ "$(max_running env.log)" = 2 ] || fail "two cores: $(max_running env.log) jobs at once, expected 2 (-j default)"
    csv cores/summary.csv 'all(r["openblas"] == "1" and r["omp"] == "1" for r in rows)' ||
      fail "-j default on 2 cores: BLAS threads not 1"
  else
    echo "(one core only: the 2-core default not checked)"
  fi
  ;;
layout)
  C=$S/collide.lua
  gl batch "$C" "$C" --grid x=1,2 --grid status=a --out d -q 2> err.txt || fail "collide: exit $?"
  grep -q "listed twice; it runs once" err.txt || fail "no warning for a script given twice: $(cat err.txt)"
  head -1 d/summary.csv | grep -qx 'id,script,param.status,x,seed,status,duration_s,loss,accuracy,extra,result.loss,result.seed,result.status,result.x,reason,error' ||
    fail "columns: $(head -1 d/summary.csv)"
  csv d/summary.csv 'len(rows) == 2 and all(r["param.status"] == "a" and r["status"] == "ok" and r["result.status"] == "mine" and r["result.x"] == "7" and r["extra"] == r["x"] for r in rows)' ||
    fail "collided values"
  # a grid grown by one value: the two completed jobs are kept, one job runs
  stat -c '%n %i %Y' d/*/job.json | sort > before.txt
  gl batch "$C" --grid x=1,2,3 --grid status=a --out d -q || fail "grown grid: exit $?"
  csv d/summary.csv 'sorted(r["x"] for r in rows) == ["1", "2", "3"]' || fail "grown grid rows"
  stat -c '%n %i %Y' $(cut -d' ' -f1 before.txt) | sort | cmp -s - before.txt || fail "a completed job ran again"
  # shrunk: summary.csv lists the current list only (the other job's folder stays)
  gl batch "$C" --grid x=2 --grid status=a --out d -q || fail "shrunk grid: exit $?"
  csv d/summary.csv '[r["x"] for r in rows] == ["2"]' || fail "shrunk grid rows"
  [ "$(ls -d d/*/ | wc -l)" = 3 ] || fail "job folders removed"
  # a DIR in use
  export BATCH_TEST_SLEEP=2
  "$G" batch "$S/env.lua" --grid x=1,2 --out busy -q &
  pid=$!
  for _ in $(seq 1 100); do [ -f busy/.lock ] && break; sleep 0.05; done
  gl batch "$S/env.lua" --grid x=1,2 --out busy -q 2> err.txt
  rc=$?
  [ $rc != 0 ] || fail "a second batch on a DIR in use ran"
  grep -q "^gradlab: error: busy is in use by another gradlab batch (pid $pid)" err.txt || fail "in use: $(cat err.txt)"
  wait $pid || fail "the first batch failed"
  unset BATCH_TEST_SLEEP
  csv busy/summary.csv 'len(rows) == 2 and all(r["status"] == "ok" for r in rows)' || fail "the first batch's jobs"
  # merge of shard 1 of 2 only: the other shard's jobs are pending, with a warning, exit 1
  gl batch "$C" --grid x=1,2,3,4 --shard 1/2 --out s1 -q || fail "shard 1: exit $?"
  gl merge s1 --out m > out.txt 2> err.txt
  rc=$?
  [ $rc = 1 ] || fail "merge of an incomplete set: exit $rc"
  grep -q "^gradlab: warning: " err.txt || fail "merge: no warning: $(cat err.txt)"
  csv m/summary.csv 'len(rows) == 2 and sorted(r["status"] for r in rows) == ["ok", "ok"]' && fail "merge: rows of the missing shard absent"
  csv m/summary.csv 'sorted(r["status"] for r in rows) == ["ok", "ok", "pending", "pending"]' || fail "merge: pending rows"
  no_temp_files d
  ;;
merge_out)
  expect2() {
    gl "$@" > out.txt 2> err.txt
    rc=$?
    [ $rc = 2 ] || fail "'$*' exit $rc, expected 2"
    grep -q '^gradlab: error: ' err.txt || fail "'$*' message: $(cat err.txt)"
    ! grep -q 'warning' err.txt || fail "'$*' went on after the error: $(cat err.txt)"
  }
  gl batch "$S/empty.lua" --grid x=1,2 --out r -q || fail "batch r: exit $?"
  mkdir other && echo mine > other/file
  expect2 merge r --out other
  grep -q "^gradlab: error: other exists and is not a gradlab batch folder; choose another --out" err.txt ||
    fail "other: $(cat err.txt)"
  [ "$(ls -A other)" = file ] || fail "merge wrote into other: $(ls -A other)"
  GRADLAB_PLOT=0 "$G" run "$S/empty.lua" --out runf > /dev/null 2>&1 || fail "run into runf"
  ls -lA runf > before.txt
  expect2 merge r --out runf
  ls -lA runf | cmp -s - before.txt || fail "merge wrote into the run folder: $(ls -A runf)"
  echo data > afile
  expect2 merge r --out afile
  grep -q "^gradlab: error: afile exists and is not a folder" err.txt || fail "afile: $(cat err.txt)"
  [ "$(cat afile)" = data ] || fail "afile changed"
  expect2 batch "$S/empty.lua" --out afile
  grep -q "^gradlab: error: afile exists and is not a folder" err.txt || fail "batch afile: $(cat err.txt)"
  expect2 merge r --out r
  grep -q "r is a batch folder, not a merge output" err.txt || fail "merge into a batch: $(cat err.txt)"
  # a new folder, an empty one and the merge's own earlier output are written
  gl merge r --out m1 > /dev/null || fail "merge into a new folder: exit $?"
  mkdir empty
  gl merge r --out empty > /dev/null || fail "merge into an empty folder: exit $?"
  gl merge r --out empty > /dev/null || fail "merge again into its output: exit $?"
  csv empty/summary.csv 'len(rows) == 2 and all(r["status"] == "ok" for r in rows)' || fail "merged summary"
  ;;
os_exit)
  gl batch "$S/exit.lua" --grid code=0,3,256 --out d -q
  rc=$?
  [ $rc = 1 ] || fail "exit status $rc, expected 1"
  csv d/summary.csv '[(r["code"], r["status"]) for r in rows] == [("0", "ok"), ("3", "failed"), ("256", "failed")]' ||
    fail "statuses"
  csv d/summary.csv 'all(r["reason"] == "exit status %s (os.exit(%s))" % ({"3": 3, "256": 1}[r["code"]], r["code"]) and r["error"].endswith("exit.lua ended by os.exit(%s)" % r["code"]) for r in rows if r["code"] != "0")' ||
    fail "reasons/errors: $(cat d/summary.csv)"
  no_temp_files d
  ;;
options)
  expect2() {
    gl "$@" > out.txt 2> err.txt
    rc=$?
    [ $rc = 2 ] || fail "'$*' exit $rc, expected 2"
    grep -q '^gradlab: error: ' err.txt || fail "'$*' message: $(cat err.txt)"
  }
  expect2 batch "$S/empty.lua" --timeout 1e30 --out x
  grep -q "above 0 and at most 1e+09 " err.txt || fail "--timeout 1e30: $(cat err.txt)"
  expect2 batch "$S/empty.lua" --timeout 0 --out x
  grep -q "above 0 and at most 1e+09 " err.txt || fail "--timeout 0: $(cat err.txt)"
  expect2 batch "$S/empty.lua" -j 100000 --out x
  grep -q "from 1 to 4096 (got '100000')" err.txt || fail "-j 100000: $(cat err.txt)"
  expect2 batch "$S/empty.lua" -j 99999999999999999999 --out x
  grep -q "from 1 to 4096" err.txt || fail "-j huge: $(cat err.txt)"
  expect2 batch "$S/empty.lua" --shards 0 --emit slurm --out x
  grep -q "from 1 to 1000000 (got '0')" err.txt || fail "--shards 0: $(cat err.txt)"
  expect2 batch "$S/empty.lua" --shards 3 --out x
  grep -q "^gradlab: error: --shards N sets the tasks of --emit slurm" err.txt || fail "--shards alone: $(cat err.txt)"
  expect2 batch "$S/empty.lua" --shard 1/2000000 --out x
  grep -q "N <= 1000000" err.txt || fail "--shard range: $(cat err.txt)"
  [ ! -e x ] || fail "a refused batch created its folder"
  # more shards than jobs: one task per job
  gl batch "$S/empty.lua" --grid x=1,2 --out em --emit slurm --shards 5 > out.txt 2> err.txt || fail "emit 5/2"
  grep -q '^#SBATCH --array=0-1$' em/slurm.sh || fail "5 shards of 2 jobs: $(grep array em/slurm.sh)"
  grep -q "^gradlab: note: --shards 5 is more than the 2 jobs: the array gets 2 tasks" err.txt ||
    fail "no note: $(cat err.txt)"
  grep -q "(2 jobs, 2 array tasks)" out.txt || fail "printed count: $(cat out.txt)"
  # spaces in the paths, a quote in a grid value
  mkdir "my scripts" && cp "$S/collide.lua" "my scripts/job one.lua"
  gl batch "my scripts/job one.lua" --grid "status=it's,b" --grid x=1 -q --out "full out" ||
    fail "unsharded with spaces: exit $?"
  gl batch "my scripts/job one.lua" --grid "status=it's,b" --grid x=1 --out "em out" --emit slurm \
    > out.txt 2> err.txt || fail "emit with spaces: $(cat err.txt)"
  bash -n "em out/slurm.sh" || fail "slurm.sh syntax"
  grep -qxF "#SBATCH --output=\"$(pwd -P)/em out\"/slurm-%A_%a.out" "em out/slurm.sh" ||
    fail "the log line: $(grep output "em out/slurm.sh")"
  # as sbatch reads a directive: in double quotes, \ and " escaped, % doubled (--output patterns)
  gl batch "my scripts/job one.lua" --out 'em 50%"\x' --emit slurm > /dev/null 2> err.txt ||
    fail "emit into 'em 50%\"\\x': $(cat err.txt)"
  grep -qxF "#SBATCH --output=\"$(pwd -P)/em 50%%\\\"\\\\x\"/slurm-%A_%a.out" 'em 50%"\x/slurm.sh' ||
    fail "the quoted log line: $(grep output 'em 50%"\x/slurm.sh')"
  # a line break would end an #SBATCH or comment line and start a line of shell: refused
  gl batch "my scripts/job one.lua" --out "$(printf 'em\nrm -rf x')" --emit slurm > /dev/null 2> err.txt
  rc=$?
  [ $rc -eq 2 ] || fail "a line break in --out with --emit: exit $rc, expected 2"
  grep -q "the --out folder has a line break in its name" err.txt || fail "message: $(cat err.txt)"
  [ ! -e "$(printf 'em\nrm -rf x')" ] || fail "the folder was created"
  grep -qx "submit: sbatch 'em out/slurm.sh'" out.txt || fail "submit line: $(cat out.txt)"
  grep -qx "merge:  gradlab merge 'em out'/shards/\* --out 'em out'/merged" out.txt ||
    fail "merge line: $(cat out.txt)"
  grep -q "^#   submit: sbatch 'em out/slurm.sh'$" "em out/slurm.sh" || fail "the script's own submit line"
  for t in 0 1; do
    SLURM_ARRAY_TASK_ID=$t bash "em out/slurm.sh" > task$t.log 2>&1 || fail "array task $t: $(tail -3 task$t.log)"
  done
  merge_line=$(sed -n 's/^merge:  gradlab //p' out.txt)
  eval "gl $merge_line" > /dev/null || fail "the printed merge line: $merge_line"
  csv "em out/merged/summary.csv" 'sorted(r["param.status"] for r in rows) == ["b", "it'"'"'s"] and all(r["status"] == "ok" for r in rows)' ||
    fail "merged summary: $(cat "em out/merged/summary.csv")"
  strip() { cut -d, -f1-4 "$1"; }
  diff <(strip "full out/summary.csv") <(strip "em out/merged/summary.csv") || fail "merged summary differs"
  ;;
targets)
  gl batch "$S/empty.lua" --grid x=1,2 --out d -q || fail "batch d: exit $?"
  cp d/summary.csv good.csv
  # a FIFO at summary.csv: refused, left a FIFO (a rename would have replaced it)
  rm d/summary.csv && mkfifo d/summary.csv
  gl batch "$S/empty.lua" --grid x=1,2 --out d -q 2> err.txt
  rc=$?
  [ $rc = 1 ] || fail "FIFO at summary.csv: exit $rc, expected 1"
  grep -q "^gradlab: error: cannot write d/summary.csv: not a regular file but a FIFO" err.txt ||
    fail "FIFO message: $(cat err.txt)"
  [ -p d/summary.csv ] || fail "the FIFO at summary.csv was replaced"
  # a symbolic link at summary.csv: followed, the link stays
  rm d/summary.csv && echo old > elsewhere.csv && ln -s ../elsewhere.csv d/summary.csv
  gl batch "$S/empty.lua" --grid x=1,2 --out d -q || fail "link at summary.csv: exit $?"
  [ -L d/summary.csv ] || fail "the link at summary.csv was replaced"
  cmp -s <(cut -d, -f1-4 good.csv) <(cut -d, -f1-4 elsewhere.csv) || fail "the link's file: $(cat elsewhere.csv)"
  # a FIFO at a job's job.json: --status reads past it (it blocked for ever on the open)
  j=$(ls d/*/job.json | head -n 1)
  mv "$j" job.json.kept && mkfifo "$j"
  timeout 20 "$G" batch --status d > out.txt 2> err.txt
  rc=$?
  [ $rc != 124 ] || fail "--status hung on a FIFO at $j"
  grep -q "pending 1" out.txt || fail "--status with a FIFO at $j: $(cat out.txt err.txt)"
  rm "$j" && mv job.json.kept "$j"
  # a damaged job.json — garbage, or JSON but no state gradlab wrote for this job (a status it
  # never writes, another job's file linked there): the batch says so and runs the job again (it
  # reran garbage without a word, and took "weird" or the other job's end as this job's)
  other=$(ls d/*/job.json | grep -v "^$j$" | head -n 1)
  for bad in garbage weird link; do
    rm "$j"
    case $bad in
    garbage) echo 'garbage {' > "$j" ;;
    weird) echo '{"status":"weird"}' > "$j" ;;
    link) ln -s "$PWD/$other" "$j" ;;
    esac
    gl batch "$S/empty.lua" --grid x=1,2 --out d -q 2> err.txt || fail "job.json $bad: exit $?: $(cat err.txt)"
    grep -q "warning: $j is damaged (not a job state gradlab wrote): the job runs again" err.txt ||
      fail "job.json $bad: no warning: $(cat err.txt)"
    [ ! -L "$j" ] && grep -q "\"id\":[[:space:]]*\"$(basename "$(dirname "$j")")\"" "$j" || fail "job.json $bad: not rerun: $(cat "$j")"
    csv d/summary.csv 'sorted(r["status"] for r in rows) == ["ok", "ok"]' || fail "job.json $bad: summary"
  done
  # a FIFO at batch.json: refused before any job runs
  gl batch "$S/empty.lua" --grid x=1 --out b1 -q || fail "batch b1: exit $?"
  rm b1/batch.json && mkfifo b1/batch.json
  gl batch "$S/empty.lua" --grid x=1,2 --out b1 -q 2> err.txt
  rc=$?
  [ $rc = 1 ] || fail "FIFO at batch.json: exit $rc, expected 1"
  grep -q "cannot write b1/batch.json: not a regular file but a FIFO" err.txt ||
    fail "batch.json message: $(cat err.txt)"
  [ -p b1/batch.json ] || fail "the FIFO at batch.json was replaced"
  # a link at .lock: refused (the pid would have been written over its target)
  mkdir l && echo precious > precious.txt && ln -s ../precious.txt l/.lock
  gl batch "$S/empty.lua" --out l -q 2> err.txt
  rc=$?
  [ $rc = 1 ] || fail "link at .lock: exit $rc, expected 1"
  grep -q "cannot create l/.lock: .*symbolic link" err.txt || fail ".lock message: $(cat err.txt)"
  [ "$(cat precious.txt)" = precious ] || fail "the .lock link's target was written"
  # slurm.sh: a FIFO refused, a link followed (and the file it names made executable)
  mkdir e && mkfifo e/slurm.sh
  gl batch "$S/empty.lua" --out e --emit slurm > out.txt 2> err.txt
  rc=$?
  [ $rc = 1 ] || fail "FIFO at slurm.sh: exit $rc, expected 1"
  grep -q "cannot write e/slurm.sh: not a regular file but a FIFO" err.txt || fail "slurm.sh message: $(cat err.txt)"
  [ -p e/slurm.sh ] || fail "the FIFO at slurm.sh was replaced"
  rm e/slurm.sh && : > real.sh && ln -s ../real.sh e/slurm.sh
  gl batch "$S/empty.lua" --out e --emit slurm > out.txt 2> err.txt || fail "link at slurm.sh: exit $?"
  [ -L e/slurm.sh ] && [ -x real.sh ] && grep -q '^#SBATCH --array=0-0' real.sh || fail "slurm.sh through its link"
  # merge: a file at OUT/<id> is left alone with a warning; the other job is linked
  gl merge d --out m > /dev/null || fail "merge m: exit $?"
  id=$(python3 -c 'import csv; print(next(csv.DictReader(open("good.csv")))["id"])')
  rm m/"$id" && echo mine > m/"$id"
  gl merge d --out m > /dev/null 2> err.txt || fail "merge again: exit $?"
  grep -q "^gradlab: warning: m/$id is neither a link nor a job folder: left as it is" err.txt ||
    fail "merge warning: $(cat err.txt)"
  [ "$(cat m/"$id")" = mine ] || fail "merge replaced the file at m/$id"
  [ "$(find m -maxdepth 1 -type l | wc -l)" = 1 ] || fail "the other job is not linked"
  no_temp_files d
  no_temp_files m
  ;;
merge_again)
  # links of OUT/: "id -> target" lines, sorted
  links() { find "$1" -maxdepth 1 -type l -printf '%f -> %l\n' | sort; }
  ids_of() { python3 -c '
import csv, json, sys
d = sys.argv[1]
a = sorted(r["id"] for r in csv.DictReader(open(d + "/summary.csv", newline="")) if r["status"] != "pending")
b = sorted(j["id"] for j in json.load(open(d + "/batch.json"))["jobs"])
print(" ".join(a)); print(" ".join(b))' "$1"; }
  gl batch "$S/empty.lua" --grid x=1,2,3 --seeds 1..4 --out bk -q || fail "batch bk: exit $?"
  gl batch "$S/empty.lua" --grid x=7,8,9 --seeds 1..2 --out bcrash -q || fail "batch bcrash: exit $?"
  gl merge bk bcrash --out m6 > /dev/null || fail "merge bk bcrash: exit $?"
  [ "$(links m6 | wc -l)" = 18 ] || fail "18 links expected: $(links m6)"
  # the user's own things in the merge output, which a merge must never remove
  echo mine > m6/notes.txt
  mkdir m6/analysis
  ln -s ../bk m6/shortcut
  ln -s "$PWD/bk/summary.csv" m6/0123456789abcdef # a hex name, but not a link to a job folder
  bid=$(ls bcrash | grep -m1 '^[0-9a-f]\{16\}$')
  ln -s "$PWD/bcrash/$bid" "m6/.$bid.link.tmp" # a killed merge's leftover temporary link
  gl merge bk --out m6 > out.txt 2> err.txt || fail "merge bk again: exit $?: $(cat err.txt)"
  grep -q "^removed 6 links of jobs no longer merged from m6$" out.txt || fail "removal line: $(cat out.txt)"
  [ "$(links m6 | grep -c '^[0-9a-f]\{16\} -> .*/bk/[0-9a-f]\{16\}$')" = 12 ] || fail "12 links into bk: $(links m6)"
  ! links m6 | grep -q bcrash || fail "links into bcrash left: $(links m6 | grep bcrash)"
  [ "$(links m6 | wc -l)" = 14 ] || fail "links (12 jobs + 2 of the user's): $(links m6)"
  [ "$(cat m6/notes.txt)" = mine ] && [ -d m6/analysis ] && [ -L m6/shortcut ] && [ -L m6/0123456789abcdef ] ||
    fail "a user file was removed: $(ls -A m6)"
  [ ! -e "m6/.$bid.link.tmp" ] && [ ! -L "m6/.$bid.link.tmp" ] || fail "leftover temporary link kept"
  # what the links say is what summary.csv and batch.json say
  ids_of m6 > ids.txt || fail "reading m6"
  [ "$(sed -n 1p ids.txt)" = "$(sed -n 2p ids.txt)" ] || fail "summary.csv and batch.json differ"
  [ "$(sed -n 1p ids.txt)" = "$(links m6 | grep '^[0-9a-f]\{16\} -> .*/bk/[0-9a-f]\{16\}$' | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')" ] ||
    fail "links and summary.csv differ: $(cat ids.txt)"
  gl batch --status m6 > status.txt || fail "--status m6: exit $?"
  grep -q "done 12  failed 0  running 0  pending 0" status.txt || fail "--status: $(cat status.txt)"
  [ -f bcrash/$bid/job.json ] && [ -d bk ] || fail "an input folder was touched"
  # a job still listed but now ended in none of the folders: its link goes too
  gl batch "$S/empty.lua" --grid x=1,2,3,4 --shard 1/2 --out s1 -q || fail "shard 1: exit $?"
  gl batch "$S/empty.lua" --grid x=1,2,3,4 --shard 2/2 --out s2 -q || fail "shard 2: exit $?"
  gl merge s1 s2 --out ms > /dev/null || fail "merge s1 s2: exit $?"
  [ "$(links ms | wc -l)" = 4 ] || fail "4 links: $(links ms)"
  gl merge s1 --out ms > out.txt 2> err.txt
  [ $? = 1 ] || fail "merge of shard 1 only: exit status"
  [ "$(links ms | wc -l)" = 2 ] && ! links ms | grep -q /s2/ || fail "links of shard 2's jobs left: $(links ms)"
  csv ms/summary.csv 'sorted(r["status"] for r in rows) == ["ok", "ok", "pending", "pending"]' || fail "ms summary"
  gl batch --status ms > status.txt
  grep -q "done 2  failed 0  running 0  pending 2" status.txt || fail "--status ms: $(cat status.txt)"
  # docs/batch.md's sequence: merge, run the pending jobs in the merge output, merge again —
  # the jobs run there stay real folders, and count as done
  gl batch --out ms -q || fail "batch --out ms: exit $?"
  python3 -c 'import json, sys; sys.exit("merged_from" not in json.load(open("ms/batch.json")))' ||
    fail "batch --out ms dropped merged_from: $(cat ms/batch.json)"
  gl merge s1 --out ms > out.txt 2> err.txt || fail "merge s1 again after batch --out ms: exit $?: $(cat err.txt)"
  grep -q "4 jobs, 4 ok, 0 failed, 0 not run (2 of them run in ms itself)" out.txt || fail "merge again: $(cat out.txt)"
  [ ! -s err.txt ] || fail "merge again: $(cat err.txt)"
  csv ms/summary.csv 'len(rows) == 4 and all(r["status"] == "ok" for r in rows)' || fail "ms summary after the rerun"
  [ "$(links ms | wc -l)" = 2 ] && [ "$(find ms -mindepth 1 -maxdepth 1 -type d | wc -l)" = 2 ] ||
    fail "2 links and 2 folders expected: $(ls -l ms)"
  gl batch --status ms > status.txt || fail "--status ms after the rerun: exit $?"
  grep -q "done 4  failed 0  running 0  pending 0" status.txt || fail "--status ms: $(cat status.txt)"
  # shard 2 arriving later: the folders run in ms are kept, not replaced by links
  gl merge s1 s2 --out ms > out.txt 2> err.txt || fail "merge s1 s2 into ms: exit $?: $(cat err.txt)"
  [ "$(find ms -mindepth 1 -maxdepth 1 -type d | wc -l)" = 2 ] || fail "ms's own folders replaced: $(ls -l ms)"
  csv ms/summary.csv 'len(rows) == 4 and all(r["status"] == "ok" for r in rows)' || fail "ms summary with s2"
  no_temp_files m6
  ;;
keep_part)
  # a job killed (SIGKILL, as the OOM killer) or crashed (SIGSEGV) in the middle of training
  # keeps its metrics.csv.part and log.txt.part, as 'gradlab run' does: 'gradlab plot' draws
  # them; only temporary files go
  gl batch "$S/killme.lua" --grid sig=KILL,SEGV --out b -q
  [ $? = 1 ] || fail "batch exit status"
  # (in a sanitizer build the sanitizer takes the SEGV over: exit status 1 and its report)
  csv b/summary.csv '[(r["sig"], r["status"]) for r in rows] == [("KILL", "failed"), ("SEGV", "failed")] and rows[0]["reason"].startswith("killed by signal 9") and (rows[1]["reason"].startswith("killed by signal 11") or "Sanitizer: SEGV" in rows[1]["error"])' ||
    fail "summary: $(cat b/summary.csv)"
  for id in $(ls b | grep '^[0-9a-f]\{16\}$'); do
    [ -s b/$id/metrics.csv.part ] && [ -s b/$id/log.txt.part ] || fail "$id: its .part files are gone: $(ls -A b/$id)"
    "$G" plot b/$id --no-draw > plot.txt 2>&1 || fail "plot of the killed job $id: $(cat plot.txt)"
    [ -s b/$id/figures/grad_norm_output_grad.dat ] || fail "plot of $id: no figure data: $(ls b/$id/figures)"
    ! grep -q "nothing to plot" plot.txt || fail "plot of $id: $(cat plot.txt)"
  done
  no_temp_files b
  # a kept .part is no problem for --status and merge: the jobs are failed, nothing damaged
  gl batch --status b > status.txt
  grep -q "done 0  failed 2  running 0  pending 0" status.txt || fail "--status: $(cat status.txt)"
  gl merge b --out m > out.txt 2> err.txt
  [ $? = 1 ] && [ ! -s err.txt ] || fail "merge: $(cat err.txt)"
  grep -q "2 jobs, 0 ok, 2 failed, 0 not run" out.txt || fail "merge: $(cat out.txt)"
  # a rerun starts from an empty folder: --retry-failed, and a job that was running (no job.json)
  kid=$(csv b/summary.csv '[r["id"] for r in rows if r["sig"] == "KILL"][0]')
  sid=$(csv b/summary.csv '[r["id"] for r in rows if r["sig"] == "SEGV"][0]')
  echo "old,attempt" >> b/$kid/metrics.csv.part && echo old > b/$kid/leftover.txt
  rm b/$sid/job.json && echo "old,attempt" >> b/$sid/metrics.csv.part && echo old > b/$sid/leftover.txt
  gl batch "$S/killme.lua" --grid sig=KILL,SEGV --out b -q --retry-failed
  [ $? = 1 ] || fail "rerun exit status"
  for id in $kid $sid; do
    [ -f b/$id/job.json ] && [ ! -e b/$id/leftover.txt ] && [ ! -e b/$id/figures ] || fail "$id rerun in an old folder: $(ls -A b/$id)"
    ! grep -q "old,attempt" b/$id/metrics.csv.part || fail "$id: the old attempt's rows in the new .part"
    [ -s b/$id/metrics.csv.part ] || fail "$id: the rerun's .part is gone"
  done
  ;;
merge_bad)
  gl batch "$S/empty.lua" --grid x=1,2,3 --out bk -q || fail "batch bk: exit $?"
  # batch.json that does not parse: said so, with where
  mkdir bad && printf '{"x":' > bad/batch.json
  gl merge bad --out m1 > out.txt 2> err.txt
  rc=$?
  [ $rc = 2 ] || fail "unparsable batch.json: exit $rc"
  grep -q '^gradlab: error: cannot merge bad: bad/batch.json does not parse as JSON (it ends early, at line 1, column 6)$' err.txt ||
    fail "unparsable batch.json: $(cat err.txt)"
  ! grep -q "no readable batch.json" err.txt || fail "still 'no readable': $(cat err.txt)"
  printf '{"jobs": [\n  {"id": 12,]}\n' > bad/batch.json
  gl merge bad --out m1 > out.txt 2> err.txt
  grep -q 'bad/batch.json does not parse as JSON (near line 2, column 14)' err.txt || fail "line 2: $(cat err.txt)"
  printf '{"version": 1}\n' > bad/batch.json
  gl merge bad --out m1 > out.txt 2> err.txt
  grep -q 'bad/batch.json is not a gradlab batch.json (it has no "jobs" list)' err.txt || fail "no jobs: $(cat err.txt)"
  [ ! -e m1 ] || fail "a refused merge created its output"
  # the output's own batch.json, damaged: refused, untouched
  gl merge bk --out m2 > /dev/null || fail "merge m2: exit $?"
  printf '{"merged_from":' > m2/batch.json
  gl merge bk --out m2 > out.txt 2> err.txt
  [ $? = 2 ] || fail "damaged output batch.json: exit status"
  grep -q "cannot merge into m2: m2/batch.json does not parse as JSON" err.txt || fail "output batch.json: $(cat err.txt)"
  [ "$(cat m2/batch.json)" = '{"merged_from":' ] || fail "the damaged output batch.json was replaced"
  # a damaged job.json: named, nothing merged (exit 1) — not "ran in none of the folders"
  gl merge bk --out m3 > /dev/null || fail "merge m3: exit $?"
  cp m3/summary.csv m3.csv && links_before=$(ls -l m3 | md5sum)
  cp -r bk bk2
  id=$(ls bk2 | grep -m1 '^[0-9a-f]\{16\}$')
  printf 'garbage' > bk2/$id/job.json
  gl merge bk2 --out m3 > out.txt 2> err.txt
  rc=$?
  [ $rc = 1 ] || fail "damaged job.json: exit $rc"
  grep -q "^gradlab: error: bk2/$id/job.json is damaged: it does not parse as JSON (near line 1, column 1)$" err.txt ||
    fail "damaged job.json message: $(cat err.txt)"
  grep -q "^gradlab: error: nothing merged into m3: restore that job.json, or remove it" err.txt ||
    fail "nothing merged: $(cat err.txt)"
  ! grep -q "ran in none of the folders" err.txt || fail "counted as not run: $(cat err.txt)"
  cmp -s m3.csv m3/summary.csv && [ "$(ls -l m3 | md5sum)" = "$links_before" ] || fail "m3 changed"
  gl merge bk2 --out m4 > out.txt 2> err.txt
  [ $? = 1 ] && [ ! -e m4 ] || fail "a merge with a damaged job.json created m4"
  # JSON but no status: damaged too
  printf '{"seed": 1}\n' > bk2/$id/job.json
  gl merge bk2 --out m4 > out.txt 2> err.txt
  grep -q "bk2/$id/job.json is damaged: it has no \"status\"" err.txt || fail "no status: $(cat err.txt)"
  # JSON, but not what 'gradlab batch' writes for this job: damaged, named, nothing merged
  # bad_state JSON_OR_ACTION REGEX
  other=$(ls bk | grep '^[0-9a-f]\{16\}$' | grep -v "$id" | head -1)
  bad_state() {
    rm -f bk2/$id/job.json
    case $1 in
      link) ln -s "$PWD/bk/$other/job.json" bk2/$id/job.json ;; # another job's state
      seed) sed 's/"seed":[[:space:]]*[0-9]*/"seed": 99/' bk/$id/job.json > bk2/$id/job.json ;;
      *) printf '%s\n' "$1" > bk2/$id/job.json ;;
    esac
    gl merge bk2 --out m4 > out.txt 2> err.txt
    rc=$?
    [ $rc = 1 ] || fail "job.json $1: exit $rc"
    grep -q "^gradlab: error: bk2/$id/job.json is damaged: $2" err.txt || fail "job.json $1: $(cat err.txt)"
    [ ! -e m4 ] || fail "job.json $1: m4 written"
  }
  bad_state link "it is the state of job \"$other\", not of job $id (its folder)$"
  bad_state '{"status":"ok"}' 'it has no "id"$'
  bad_state "{\"status\":\"ok\",\"id\":\"$id\"}" 'it has no "script" (a job.json gradlab wrote has id, script, seed,'
  bad_state '{"status":"weird"}' 'its "status" is "weird", not "ok" or "failed"$'
  bad_state seed "its \"seed\" is 99, not the job's 1$"
  cp bk/$id/job.json bk2/$id/job.json
  # a batch.json job that is not one gradlab wrote: a seed 'gradlab run' refuses, an id that is
  # a path — each said so, not "lacks its id"
  bad_list() {
    python3 -c 'import json, sys; b = json.load(open("bk/batch.json")); b["jobs"][0][sys.argv[1]] = json.loads(sys.argv[2]); json.dump(b, open("bk2/batch.json", "w"))' "$1" "$2"
    gl merge bk2 --out m4 > out.txt 2> err.txt
    rc=$?
    [ $rc = 2 ] || fail "batch.json $1=$2: exit $rc"
    grep -q "^gradlab: error: cannot merge bk2: bk2/batch.json is not a gradlab batch.json ($3" err.txt ||
      fail "batch.json $1=$2: $(cat err.txt)"
    [ ! -e m4 ] || fail "batch.json $1=$2: m4 written"
  }
  first=$(python3 -c 'import json; print(json.load(open("bk/batch.json"))["jobs"][0]["id"])')
  bad_list seed -1 "job $first of its \"jobs\" list has the seed -1; seeds are integers 0..9007199254740991"
  bad_list seed 1.5 "job $first of its \"jobs\" list has the seed 1.5; seeds are integers"
  bad_list id '"../victim"' 'job 1 of its "jobs" list has the id "../victim", not 16 hex digits)$'
  ! grep -q "lacks its id" err.txt || fail "still 'lacks its id': $(cat err.txt)"
  cp bk/batch.json bk2/batch.json
  # a FIFO there: refused at once, not waited on
  rm bk2/$id/job.json && mkfifo bk2/$id/job.json
  timeout 20 "$G" merge bk2 --out m4 > out.txt 2> err.txt
  rc=$?
  [ $rc = 1 ] || fail "FIFO at job.json: exit $rc"
  grep -q "cannot read bk2/$id/job.json: not a regular file" err.txt || fail "FIFO: $(cat err.txt)"
  # an empty job.json (a machine crash before the data reached the disk) is "not run", as the
  # batch reads it
  rm bk2/$id/job.json && : > bk2/$id/job.json
  gl merge bk2 --out m4 > out.txt 2> err.txt
  [ $? = 1 ] || fail "empty job.json: exit status"
  grep -q "1 job(s) ran in none of the folders" err.txt || fail "empty job.json: $(cat err.txt)"
  csv m4/summary.csv 'sorted(r["status"] for r in rows) == ["ok", "ok", "pending"]' || fail "m4 summary"
  ;;
progress)
  command -v script > /dev/null || fail "script (util-linux) is needed"
  export BATCH_TEST_SLEEP=0.3
  script -qec "'$G' batch '$S/env.lua' --grid x=1,2,3 -j 2 --out tty" /dev/null > tty.txt 2>&1 < /dev/null ||
    fail "batch on a pty: exit $?: $(cat tty.txt)"
  # the live line: carriage return, erase, counts; the last one says everything is done
  grep -q $'\r\033\[Kdone [0-9]  running [0-9]  failed 0  total 3  elapsed [0-9]*:[0-9][0-9]  eta ' tty.txt ||
    fail "no progress line on the terminal: $(cat -A tty.txt | head -5)"
  grep -q $'\r\033\[Kdone 3  running 0  failed 0  total 3  elapsed [0-9:]*  eta 0:00' tty.txt ||
    fail "the final progress line: $(cat -A tty.txt | head -5)"
  ! grep -q '^\[[0-9]/3\] ok' tty.txt || fail "per-job lines on a terminal"
  "$G" batch "$S/env.lua" --grid x=1,2,3 -j 2 --out plain > out.txt 2> err.txt || fail "plain: exit $?"
  [ "$(grep -c '^\[[1-3]/3\] ok     [0-9a-f]\{16\} .*/env.lua x=[1-3] seed=1$' err.txt)" = 3 ] ||
    fail "plain lines: $(cat -A err.txt)"
  ! grep -q $'\r' err.txt || fail "a carriage return when stderr is not a terminal"
  grep -q '^3 jobs: 3 ok, 0 failed' out.txt || fail "final table: $(cat out.txt)"
  # -q: neither
  "$G" batch "$S/env.lua" --grid x=1,2,3 -j 2 --out quiet -q > out.txt 2> err.txt || fail "quiet: exit $?"
  [ ! -s out.txt ] && [ ! -s err.txt ] || fail "-q printed: $(cat out.txt err.txt)"
  ;;
*)
  fail "unknown case"
  ;;
esac
echo "ok ($CASE)"
