#!/usr/bin/env bash
# test.sh — the whole test suite: float, double and ASan+UBSan builds under CTest, the unit tests
# under valgrind, and the parsers' fuzzers for a short while. Ends with "N passed, N failed".
# Usage: tools/test.sh [--quick]   (--quick: float build only)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)
tools/deps.sh --test || exit 1

total_pass=0
total_fail=0
failed_builds=()

# run_build NAME CMAKE_ARGS... : configure, build, run ctest; add its counts to the totals.
run_build() {
  local name=$1
  shift
  local dir="$root/build-test/$name"
  echo "== [$name] configure + build =="
  mkdir -p "$dir"
  if ! cmake -S "$root" -B "$dir" "$@" >"$dir.configure.log" 2>&1; then
    cat "$dir.configure.log"
    failed_builds+=("$name(configure)")
    total_fail=$((total_fail + 1))
    return
  fi
  if ! cmake --build "$dir" -j"$jobs" >"$dir.build.log" 2>&1; then
    tail -n 60 "$dir.build.log"
    failed_builds+=("$name(build)")
    total_fail=$((total_fail + 1))
    return
  fi
  echo "== [$name] ctest =="
  local log="$dir.ctest.log"
  (cd "$dir" && ctest --output-on-failure -j"$jobs" ${CTEST_ARGS:-}) 2>&1 | tee "$log"
  local line pass fail all
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    failed_builds+=("$name(no ctest summary)")
    total_fail=$((total_fail + 1))
    return
  fi
  fail=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
  all=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
  pass=$((all - fail))
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  [ "$fail" -eq 0 ] || failed_builds+=("$name")
}

mkdir -p build-test
run_build float -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "${1:-}" != "--quick" ]; then
  run_build double -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRADLAB_DOUBLE=ON
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    run_build asan -DCMAKE_BUILD_TYPE=Debug -DGRADLAB_SANITIZE=ON
  OPENBLAS_NUM_THREADS=1 CTEST_ARGS="-L valgrind" \
    run_build valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRADLAB_VALGRIND=ON
  CC=clang CTEST_ARGS="-L fuzz" run_build fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRADLAB_FUZZ=ON
fi

echo
if [ ${#failed_builds[@]} -gt 0 ]; then echo "failing: ${failed_builds[*]}"; fi
echo "gradlab: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
