#!/bin/sh
# probe_rows.sh GRADLAB — a backward that no step follows (a probe: forward, loss, backward) is
# recorded: its rows reach metrics.csv also when it is the model's last backward (they were kept
# until the next backward, step or grad_stats query, and lost when none came).
set -u
gradlab=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-probe.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; cat "$out/stderr" 2>/dev/null; exit 1; }
cat >"$out/probe.lua" <<'LUA'
local gradlab = require "gradlab"
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}, name = "probed"}
net:zero_grad()
net:backward(gradlab.loss.mse(net:forward(gradlab.tensor{{1, 2}}), gradlab.tensor{{0.5}}))
LUA
GRADLAB_PLOT=0 "$gradlab" run "$out/probe.lua" --out "$out/run" >/dev/null 2>"$out/stderr" || fail "run: exit $?"
grep -q '^1,0,probed/1,output_grad,norm,' "$out/run/metrics.csv" ||
  fail "the probe's rows are not in metrics.csv: $(cat "$out/run/metrics.csv")"
grep -q '^1,0,probed/model,loss,value,' "$out/run/metrics.csv" || fail "no loss row"
echo ok
