#!/bin/bash
# startup.sh — start-up costs, measured with hyperfine:
#   batch_job_empty   wall time per job of 'gradlab batch -j 1' (and -j 2) over N empty-script
#                     jobs (process start, plugin load, Lua start, run folder, job state):
#                     target < 30 ms
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

# every batch starts from an empty folder, so all N jobs run
hf() { # hf NAME RUNS PREPARE CMD...: mean wall time in ms
  local name=$1 runs=$2 prep=$3
  shift 3
  hyperfine -N --warmup 1 --runs "$runs" --prepare "$prep" --export-json "$W/$name.json" "$@" \
    > "$W/$name.log" 2>&1 || { cat "$W/$name.log" >&2; exit 1; }
  python3 -c 'import json,sys; print("%.3f" % (1000 * json.load(open(sys.argv[1]))["results"][0]["mean"]))' "$W/$name.json"
}
b1=$(hf batch1 5 "rm -rf $W/b" "$G batch $SCRIPT --grid x=$grid -j 1 --out $W/b -q")
b2=$(hf batch2 5 "rm -rf $W/b" "$G batch $SCRIPT --grid x=$grid -j 2 --out $W/b -q")
run=$(hf run 20 "rm -rf $W/r" "$G run $SCRIPT --out $W/r")
torch=$(hf torch 5 "true" "/usr/bin/python3 -c 'import torch'")
echo "name gradlab reference ratio"
python3 - "$N" "$b1" "$b2" "$run" "$torch" <<'PY'
import sys
n = int(sys.argv[1])
b1, b2, run, torch = map(float, sys.argv[2:])
print("batch_job_empty_j1_ms %.2f 30 %.3f" % (b1 / n, b1 / n / 30))
print("batch_job_empty_j2_ms %.2f 30 %.3f" % (b2 / n, b2 / n / 30))
print("run_empty_vs_import_torch_ms %.2f %.2f %.3f" % (run, torch, run / torch))
print("batch_overhead_beyond_run_j1_ms %.2f %.2f %.3f" % (b1 / n - run, run, (b1 / n - run) / run))
PY
