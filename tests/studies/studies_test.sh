#!/bin/sh
# studies_test.sh — the cases of tests/studies (registered by tests.cmake).
#   studies_test.sh GRADLAB CHECK_RUN OUTDIR SRCDIR CASE [ARGS...]
# plot_fixture     gradlab plot on tests/studies/fixture_run: the standard and declared figures
# plot_no_gnuplot  no gnuplot: a clear message, exit 1, the .gp scripts and the CSV stay
# plot_bad_input   a metrics.csv with a wrong header / not a run folder: exit 1, no crash
# plot_usage       no run folder / unknown option: exit 2
# study NAME [--set K=V]... [--result K<V|K>V]...
# study_no_data NAME ...  the same with no Fashion-MNIST (GRADLAB_DATA = an empty folder)
#                  run scripts/NAME.lua at smoke size with fixed seeds and check=true, then
#                  check_run on its run folder
set -u
gradlab=$1 check=$2 out=$3 src=$4 case=$5
shift 5
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$out" || fail "cannot create $out"

case $case in
plot_fixture)
  d=$out/plot_fixture
  rm -rf "$d" && cp -r "$src/tests/studies/fixture_run" "$d" || fail "cannot copy the fixture"
  "$gradlab" plot "$d" || fail "gradlab plot exited $?"
  "$check" "$d" --no-summary --min-figures 8 --figure grad_norm_output_grad \
    --figure grad_bars_output_grad --figure grad_norm_params_weight_grad \
    --figure time_grad_rnn__cell --figure loss --figure accuracy || exit 1
  grep -q "logscale y" "$d/figures/grad_norm_output_grad.gp" || fail "gradient norms not on a log axis"
  grep -q "declared_lines.dat" "$d/figures/declared_lines.gp" || fail "declared figure has no data"
  ;;
plot_no_gnuplot)
  d=$out/plot_no_gnuplot
  rm -rf "$d" && cp -r "$src/tests/studies/fixture_run" "$d" || fail "cannot copy the fixture"
  (unset GRADLAB_GNUPLOT; PATH=/nonexistent "$gradlab" plot "$d") 2>"$d.err"
  rc=$?
  [ $rc -eq 1 ] || fail "exit $rc without gnuplot, expected 1"
  grep -q "gnuplot not found on PATH" "$d.err" || fail "no clear message: $(cat "$d.err")"
  GRADLAB_GNUPLOT=/nonexistent/gnuplot "$gradlab" plot "$d" 2>"$d.err"
  rc=$?
  [ $rc -eq 1 ] || fail "exit $rc with a bad GRADLAB_GNUPLOT, expected 1"
  grep -q "GRADLAB_GNUPLOT=/nonexistent/gnuplot is not" "$d.err" || fail "message: $(cat "$d.err")"
  [ -s "$d/figures/loss.gp" ] || fail "the .gp script was not kept"
  [ ! -e "$d/figures/loss.png" ] || fail "a PNG appeared without gnuplot"
  [ -s "$d/metrics.csv" ] || fail "metrics.csv is gone"
  ;;
plot_bad_input)
  d=$out/plot_bad_input
  rm -rf "$d" && mkdir -p "$d" || fail "cannot create $d"
  printf 'step,epoch,layer,tensor\n1,0,1,output_grad\n' >"$d/metrics.csv"
  "$gradlab" plot "$d" 2>"$d.err"
  rc=$?
  [ $rc -eq 1 ] || fail "exit $rc on a bad header, expected 1"
  grep -q "no 'stat' column" "$d.err" || fail "the message does not name the column: $(cat "$d.err")"
  printf 'step,epoch,layer,tensor,stat,value\n"unterminated\n' >"$d/metrics.csv"
  "$gradlab" plot "$d" 2>"$d.err"
  rc=$?
  [ $rc -eq 1 ] || fail "exit $rc on malformed CSV, expected 1"
  "$gradlab" plot "$d/does-not-exist" 2>"$d.err"
  rc=$?
  [ $rc -eq 1 ] || fail "exit $rc on a missing folder, expected 1"
  ;;
plot_usage)
  "$gradlab" plot 2>/dev/null
  rc=$?
  [ $rc -eq 2 ] || fail "exit $rc with no run folder, expected 2"
  "$gradlab" plot --bogus x 2>/dev/null
  rc=$?
  [ $rc -eq 2 ] || fail "exit $rc with an unknown option, expected 2"
  "$gradlab" plot --help | grep -q "usage: gradlab plot" || fail "--help"
  ;;
study | study_no_data)
  name=$1
  shift
  d=$out/$name
  if [ "$case" = study_no_data ]; then # no Fashion-MNIST: the study must say so and go on
    d=$out/${name}_no_data
    mkdir -p "$out/empty_data" && GRADLAB_DATA=$out/empty_data && export GRADLAB_DATA
  fi
  sets="" results=""
  while [ $# -gt 0 ]; do
    case $1 in
    --set) sets="$sets --set $2"; shift 2 ;;
    --result) results="$results --result $2"; shift 2 ;;
    *) fail "unknown argument $1" ;;
    esac
  done
  rm -rf "$d"
  # shellcheck disable=SC2086
  (cd "$src" && "$gradlab" run "scripts/$name.lua" --out "$d" --seed 1 --set smoke=true \
    --set check=true $sets) 2>"$d.err" || { cat "$d.err" >&2; fail "the study $name failed"; }
  cat "$d.err" >&2
  if [ "$case" = study_no_data ]; then
    grep -q "Fashion-MNIST is not available" "$d.err" || fail "no note about the missing data"
  fi
  # shellcheck disable=SC2086
  "$check" "$d" --min-figures 2 $results || exit 1
  ;;
*)
  fail "unknown case $case"
  ;;
esac
echo "ok: $case"
