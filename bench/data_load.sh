#!/usr/bin/env bash
# data_load.sh [BUILD_DIR] — loading the full Fashion-MNIST training set:
#  * peak RSS (/usr/bin/time -v) against the raw decompressed bytes (47 MB) plus the process
#    baseline (the same process loading 1 item); target: within 1.3 × raw + baseline;
#  * load time against `gzip -dc` of the same two files; target: within 2×;
#  * batching: CPU microseconds to fill a batch of 64 (uint8 → real, shuffled order) against one
#    training step (CPU time) of the benchmark MLP (bench/mlp_epoch.lua: 784-256-128-10 ReLU,
#    batch 64, SGD) with statistics off (record_every=0: the shorter step, so the stricter
#    ratio); target: < 2 %.
# Each timing is the best of 3 runs. Needs lua5.4, cc, gzip, /usr/bin/time (package `time`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
export LUA_CPATH="$build/lua/?.so;;" GRADLAB_PLUGIN_PATH= OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
[ -x /usr/bin/time ] || { echo "data_load: /usr/bin/time missing (apt-get install time)"; exit 1; }
dir=$(lua5.4 -e 'local g = require "gradlab"; local d = g.data.fashion_mnist{split="test", limit=1}' \
      2>&1 >/dev/null && echo "${GRADLAB_DATA:-/usr/share/datasets/fashion-mnist}")
images=$(ls "$dir"/train-images-idx3-ubyte* | head -1)
labels=$(ls "$dir"/train-labels-idx1-ubyte* | head -1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# best_of3 CMD... : prints "elapsed_seconds max_rss_kb" of the fastest of 3 runs
best_of3() {
  local best="" line
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
    line=$(tail -1 "$tmp/t")
    if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then best=$line; fi
  done
  echo "$best"
}

load='local g = require "gradlab"; local d = g.data.fashion_mnist{split="train", limit=LIMIT}; assert(d:size() > 0)'
read -r base_s base_kb < <(best_of3 lua5.4 -e "${load/LIMIT/1}")
read -r full_s full_kb < <(best_of3 lua5.4 -e "${load/LIMIT/0}")
read -r gz_s _ < <(best_of3 sh -c "gzip -dc '$images' >/dev/null && gzip -dc '$labels' >/dev/null")
raw=$(( $(gzip -dc "$images" | wc -c) + $(gzip -dc "$labels" | wc -c) ))

# batching against a training step
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I"$root/include" -I"$build/include" \
   "$root/bench/data_batch.c" -L"$build/lib" -Wl,-rpath,"$build/lib" -lgradlab -o "$tmp/data_batch"
batch_us=$("$tmp/data_batch" 64 3000 2>/dev/null | awk '/batch_us/{print $2}')
step_us=$(lua5.4 -e '
  local g = require "gradlab"; g.seed(1)
  local d = g.data.fashion_mnist{split="train", limit=6400}
  local L = g.layer
  local net = g.sequential{L.dense{inputs=784, outputs=256}, L.relu{},
                           L.dense{inputs=256, outputs=128}, L.relu{}, L.dense{inputs=128, outputs=10}}
  local opt = g.optim.sgd{lr=0.1}
  g.train{model=net, data=d, loss="cross_entropy", optimizer=opt, epochs=1, batch=64, record_every=0}
  local best = math.huge
  for _ = 1, 3 do
    local t = os.clock()
    g.train{model=net, data=d, loss="cross_entropy", optimizer=opt, epochs=1, batch=64, record_every=0}
    best = math.min(best, os.clock() - t)
  end
  print(best / (6400 / 64) * 1e6)')

awk -v raw="$raw" -v bkb="$base_kb" -v fkb="$full_kb" -v bs="$base_s" -v fs="$full_s" \
    -v gz="$gz_s" -v bu="$batch_us" -v su="$step_us" 'BEGIN {
  extra = (fkb - bkb) * 1024
  printf "Fashion-MNIST train: raw %.1f MB (images + labels, decompressed)\n", raw / 1e6
  printf "peak RSS: baseline %.1f MB, loaded %.1f MB -> extra %.1f MB = %.3f x raw (target <= 1.3)\n",
         bkb / 1024, fkb / 1024, extra / 1048576, extra / raw
  load = fs - bs
  printf "load time: %.2f s (process %.2f s - baseline %.2f s); gzip -dc: %.2f s -> ratio %.2f (target <= 2)\n",
         load, fs, bs, gz, load / gz
  printf "batching: %.1f us per batch of 64; MLP 784-256-128-10 training step (batch 64): %.1f us -> %.2f %% (target < 2 %%)\n",
         bu, su, 100 * bu / su
}'
