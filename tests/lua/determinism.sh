#!/bin/sh
# determinism.sh GRADLAB SCRIPT — the same --seed gives bit-identical metrics.csv and results;
# another seed gives different ones.
set -u
g=$1 s=$2
d=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-det.XXXXXX")
trap 'rm -rf "$d"' EXIT
for run in a:7 b:7 c:8; do
  GRADLAB_PLOT=0 "$g" run --out "$d/${run%%:*}" --seed "${run#*:}" "$s" 2>"$d/err" ||
    { echo "FAIL: run ${run}"; cat "$d/err"; exit 1; }
done
cmp -s "$d/a/metrics.csv" "$d/b/metrics.csv" || { echo "FAIL: same seed, different metrics"; exit 1; }
grep '"loss"' "$d/a/summary.json" > "$d/la"
grep '"loss"' "$d/b/summary.json" > "$d/lb"
cmp -s "$d/la" "$d/lb" || { echo "FAIL: same seed, different result"; exit 1; }
cmp -s "$d/a/metrics.csv" "$d/c/metrics.csv" && { echo "FAIL: another seed, same metrics"; exit 1; }
echo "ok: $(wc -l < "$d/a/metrics.csv") identical metrics rows"
