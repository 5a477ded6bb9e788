#!/bin/sh
# fake_run.sh — a stand-in for 'gradlab run' (GRADLAB_BATCH_RUNNER) so the batch runner can be
# tested alone. Usage as gradlab's: run SCRIPT --out DIR --seed S [--set K=V]... It reads
# directives from the script's comments:  "-- fake: crash" (SIGSEGV), "-- fake: oom" (SIGKILL),
# "-- fake: error" (exit 1
# with a Lua-like message), "-- fake: sleep N", "-- fake: sweep {json}" (with GRADLAB_SWEEP_OUT);
# BATCH_TEST_GATE: jobs with --set i=N, N > 10, wait for that file (as scripts/short.lua does).
[ "$1" = run ] || { echo "fake_run: expected 'run'" >&2; exit 2; }
script=$2; shift 2
out=; seed=; sets=
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --set) sets="$sets $2"; shift 2 ;;
    --plugin) shift 2 ;;
    *) echo "fake_run: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -n "$GRADLAB_SWEEP_OUT" ]; then
  grid=$(sed -n 's/^-- fake: sweep //p' "$script")
  [ -n "$grid" ] && printf '%s\n' "$grid" > "$GRADLAB_SWEEP_OUT"
  exit 0
fi
mkdir -p "$out"
echo "fake run of $script seed=$seed$sets"
if [ -n "$BATCH_TEST_LOG" ]; then echo "start $GRADLAB_BATCH_JOB" >> "$BATCH_TEST_LOG"; fi
i=$(printf '%s\n' $sets | sed -n 's/^i=//p')
if [ -n "$BATCH_TEST_GATE" ] && [ -n "$i" ] && [ "$i" -gt 10 ]; then # as short.lua does
  n=0; while [ ! -e "$BATCH_TEST_GATE" ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
fi
s=$(sed -n 's/^-- fake: sleep //p' "$script"); [ -n "$s" ] && sleep "$s"
if grep -q '^-- fake: oom' "$script"; then kill -KILL $$; fi
if grep -q '^-- fake: crash' "$script"; then echo "about to crash" >&2; kill -SEGV $$; fi
if grep -q '^-- fake: error' "$script"; then
  printf '%s\n' "$script:3: boom (on purpose)" "stack traceback:" "	[C]: in ?" >&2; exit 1
fi
# deterministic "metrics": a checksum of the inputs
sum=$(printf '%s %s %s' "$(cat "$script")" "$seed" "$sets" | cksum | cut -d' ' -f1)
printf 'step,epoch,layer,tensor,stat,value\n1,1,1,weight,norm,%s\n' "$sum" > "$out/metrics.csv.tmp"
mv "$out/metrics.csv.tmp" "$out/metrics.csv"
loss=$(awk -v s="$sum" 'BEGIN { printf "%.6f", (s % 1000) / 1000 }')
printf '{"script":"%s","seed":%s,"finished":true,"loss":%s,"result":{"checksum":%s,"label":"a, \\"b\\""}}\n' \
  "$script" "$seed" "$loss" "$sum" > "$out/summary.json.tmp"
mv "$out/summary.json.tmp" "$out/summary.json"
if [ -n "$BATCH_TEST_LOG" ]; then echo "end $GRADLAB_BATCH_JOB" >> "$BATCH_TEST_LOG"; fi
exit 0
