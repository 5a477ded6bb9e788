#!/usr/bin/env bash
# run.sh — gradlab's benchmark suite, one command (never part of the test suite):
#   bench/run.sh [--runs N] [--only seed_xor,mlp_epoch,stats_overhead,lstm_step] [--build DIR]
# Needs a built tree (default ./build: build/gradlab, build/lib, build/plugins) and Debian's
# /usr/bin/python3 with python3-torch and python3-numpy. Prints the table
# `name gradlab reference ratio` (medians of >= 5 runs); details go to stderr. See bench/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=$root/build
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
[ -x "$build/gradlab" ] || { echo "run.sh: $build/gradlab not found: build gradlab first" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "run.sh: /usr/bin/time missing (apt-get install -y time)" >&2; exit 2; }

out=$build/bench
mkdir -p "$out"
cc -O2 -Wall -Wextra "$here/sgemm_rate.c" -lopenblas -o "$out/sgemm_rate"

# Debian's OpenBLAS (0.3.21) does not know recent CPUs (e.g. model 207) and falls back to its
# slowest kernels ("Prescott", ~5x slower sgemm). Then name the right kernel family for every
# process, gradlab and references alike, unless the caller chose one.
probe=$(OPENBLAS_VERBOSE=2 "$out/sgemm_rate" probe 2>&1 || true)
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [[ $probe == *"Core: Prescott"* ]]; then
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
  echo "run.sh: OpenBLAS fell back to Prescott kernels; using OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-}" >&2
fi
driver=()
if cc -O2 -Wall -Wextra -I"$root/include" -I"$build/include" "$here/gradlab_bench.c" \
     -L"$build/lib" -lgradlab -Wl,-rpath,"$build/lib" -lm -o "$out/gradlab_bench" 2>"$out/driver.log"; then
  driver=(--driver "$out/gradlab_bench")
else
  echo "run.sh: the C driver did not build (see $out/driver.log); Lua path only" >&2
fi

/usr/bin/python3 "$here/run.py" --gradlab "$build/gradlab" --sgemm "$out/sgemm_rate" "${driver[@]}" "${args[@]}"

# The statistics area's micro-benchmark of the same overhead, in process CPU time (robust to a
# shared machine's load): interleaved short rounds with statistics off / on / on + metrics.csv.
if [ -f "$here/stats_overhead.c" ] &&
   cc -O2 -I"$root/include" -I"$build/include" "$here/stats_overhead.c" -L"$build/lib" -lgradlab \
      -Wl,-rpath,"$build/lib" -lm -o "$out/stats_overhead" 2>>"$out/driver.log"; then
  echo
  "$out/stats_overhead" || echo "run.sh: stats_overhead failed" >&2
fi

if [ -x "$here/startup.sh" ]; then
  echo
  "$here/startup.sh" "$build/gradlab" || echo "run.sh: bench/startup.sh failed" >&2
fi
