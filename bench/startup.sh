#!/bin/bash
# startup.sh — start-up costs, measured with hyperfine:
#   batch_job_empty   wall time per job of 'gradlab batch -j 1' over N empty-script jobs (process
#                     start, plugin load, Lua start, run folder, job state): target < 30 ms
#   run_empty         'gradlab run' of an empty script vs '/usr/bin/python3 -c "import torch"'
# Prints "name gradlab reference ratio" (times in ms; for batch_job_empty the reference is the
# 30 ms target). Usage: bench/startup.sh [path/to/gradlab] [N jobs, default 50]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
G=$(realpath "${1:-$HERE/../build/gradlab}")
N=${2:-50}
SCRIPT=$HERE/../tests/batch/scripts/empty.lua
W=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-startup.XXXXXX")
trap 'rm -rf "$W"' EXIT
command -v hyperfine > /dev/null || { echo "startup.sh: hyperfine is not installed" >&2; exit 2; }
export GRADLAB_PLUGIN_PATH=${GRADLAB_PLUGIN_PATH-}
grid=$(seq -s, 1 "$N")

mean_ms() { python3 -c 'import json,sys; print("%.3f" % (1000 * json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["mean"]))' "$@"; }

# every batch starts from an empty folder, so all N jobs run
hyperfine -N --warmup 1 --runs 5 --prepare "rm -rf $W/b" --export-json "$W/batch.json" \
  "$G batch $SCRIPT --grid x=$grid -j 1 --out $W/b -q" > "$W/batch.log" 2>&1 ||
  { cat "$W/batch.log" >&2; exit 1; }
hyperfine -N --warmup 3 --runs 20 --prepare "rm -rf $W/r" --export-json "$W/run.json" \
  "$G run $SCRIPT --out $W/r" "/usr/bin/python3 -c 'import torch'" > "$W/run.log" 2>&1 ||
  { cat "$W/run.log" >&2; exit 1; }

batch=$(mean_ms "$W/batch.json" 0)
per_job=$(python3 -c "print('%.2f' % ($batch / $N))")
run=$(mean_ms "$W/run.json" 0)
torch=$(mean_ms "$W/run.json" 1)
echo "name gradlab reference ratio"
python3 - "$per_job" "$run" "$torch" <<'PY'
import sys
per_job, run, torch = map(float, sys.argv[1:])
print("batch_job_empty_ms %.2f 30 %.3f" % (per_job, per_job / 30))
print("run_empty_vs_import_torch_ms %.2f %.2f %.3f" % (run, torch, run / torch))
print("batch_overhead_beyond_run_ms %.2f %.2f %.3f" % (per_job - run, run, (per_job - run) / run))
PY
