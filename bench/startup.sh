#!/bin/bash
# startup.sh — start-up costs, measured with hyperfine (fastest of several runs: the machine is
# shared, and the minimum is the figure least disturbed by other processes):
#   batch_job_empty_j1/j2   wall time per job of 'gradlab batch -j 1' / '-j 2' over N empty-script
#                           jobs (process start, plugin load, Lua start, run folder, job state);
#                           reference: the 30 ms target
#   batch_runner_overhead   per job, 'gradlab batch -j 1' minus N plain 'gradlab run's in a shell
#                           loop; reference: one plain 'gradlab run'
#   run_empty               'gradlab run' of an empty script vs '/usr/bin/python3 -c "import torch"'
# Prints "name gradlab reference ratio" (times in ms).
# Usage: bench/startup.sh [path/to/gradlab] [N jobs, default 50]
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

hf() { # hf NAME RUNS PREPARE CMD: fastest wall time in ms; every run starts from empty folders
  hyperfine -N --warmup 1 --runs "$2" --prepare "$3" --export-json "$W/$1.json" "$4" \
    > "$W/$1.log" 2>&1 || { cat "$W/$1.log" >&2; exit 1; }
  python3 -c 'import json,sys; print("%.3f" % (1000 * json.load(open(sys.argv[1]))["results"][0]["min"]))' "$W/$1.json"
}
b1=$(hf batch1 7 "rm -rf $W/b" "$G batch $SCRIPT --grid x=$grid -j 1 --out $W/b -q")
b2=$(hf batch2 7 "rm -rf $W/b" "$G batch $SCRIPT --grid x=$grid -j 2 --out $W/b -q")
loop=$(hf loop 7 "rm -rf $W/l" "bash -c 'for i in \$(seq 1 $N); do $G run $SCRIPT --out $W/l/\$i --seed 1 --set x=\$i 2> /dev/null > /dev/null; done'")
run=$(hf run 30 "rm -rf $W/r" "$G run $SCRIPT --out $W/r")
torch=$(hf torch 5 "true" "/usr/bin/python3 -c 'import torch'")
echo "name gradlab reference ratio"
python3 - "$N" "$b1" "$b2" "$loop" "$run" "$torch" <<'PY'
import sys
n = int(sys.argv[1])
b1, b2, loop, run, torch = map(float, sys.argv[2:])
print("batch_job_empty_j1_ms %.2f 30 %.3f" % (b1 / n, b1 / n / 30))
print("batch_job_empty_j2_ms %.2f 30 %.3f" % (b2 / n, b2 / n / 30))
over = (b1 - loop) / n
print("batch_runner_overhead_ms %.2f %.2f %.3f" % (over, run, over / run))
print("run_empty_vs_import_torch_ms %.2f %.2f %.3f" % (run, torch, run / torch))
PY
