#!/bin/sh
# studies_test.sh — the cases of tests/studies (registered by tests.cmake).
#   studies_test.sh GRADLAB CHECK_RUN OUTDIR SRCDIR CASE [ARGS...]
# plot_fixture     gradlab plot on tests/studies/fixture_run: the standard and declared figures
# plot_no_gnuplot  no gnuplot: a clear message, exit 1, the .gp scripts and the CSV stay
# plot_bad_input   a metrics.csv with a wrong header / not a run folder: exit 1, no crash
# plot_usage       no run folder / unknown option: exit 2
# plot_damaged     a damaged metrics.csv (a stray quote, ragged rows, steps that are not whole
#                  numbers 0..2^53-1, values that are not numbers, a NUL byte in a field):
#                  "gradlab: error: RUN/metrics.csv:LINE: reason", exit 1, no figure file written
# plot_steps       --steps without a value, an unknown option, two folders, --steps -1: exit 2
#                  saying what is wrong (not just the usage); --steps naming a step that was
#                  not recorded: a warning naming it and the step shown instead
# plot_one_point   a run of one recorded step (one point per series, one value per axis):
#                  gnuplot draws it without a warning on stderr
# plot_long_path   a run folder whose figure files' paths pass PATH_MAX: exit 1 saying the path
#                  is too long, and no file written under a name cut short
# plot_targets     figure files go through the core's atomic writer: a FIFO at a figure's .dat is
#                  refused (exit 1, naming it) and stays a FIFO; a symbolic link at a .gp is
#                  followed (its file gets the script, the link stays); a FIFO at a .png is
#                  refused too (gnuplot draws under a temporary name, then the file is moved
#                  in place), and a gnuplot that fails half-way leaves no figure file
# plot_untrusted   a run folder from someone else: layer names, figure titles and labels holding
#                  `...`, quotes and backslashes are drawn as text, nothing of them is run
#                  (gnuplot runs `...` inside double-quoted strings)
# plot_named_models rows of one named model (NAME/1, NAME/model) get the standard figures, the
#                  loss curve labelled by the model's name; rows of two named models are several
#                  models: the per-step standard figures are skipped with a note
# study NAME [--set K=V]... [--result K<V|K>V]...
# study_no_data NAME ...  the same with no Fashion-MNIST (GRADLAB_DATA = an empty folder)
#                  run scripts/NAME.lua at smoke size with fixed seeds and check=true, then
#                  check_run on its run folder
# odd_out NAME [--set K=V]...  the same with run folders named "x'$(touch PWNED)' y" and
#                  "Bob's study": the study works (check_run), no command in the name runs, no
#                  other folder appears, the shell never complains
# stock_lua_odd_out LUA  tests/studies/tiny_study.lua from stock lua5.4 with GRADLAB_OUT set to
#                  such names (and one starting with '-'): study.lua makes the folder and has
#                  `gradlab plot` draw it, quoting both; no command in the name runs
# batch_example    docs/batch.md's first example (scripts/examples/depth.lua over a depth x act
#                  grid and seeds) at a smaller grid: every job ok, its result columns in
#                  summary.csv, different seeds giving different networks
# bad_params       bad --set values and unknown keys for the studies: exit 1 before any work,
#                  the first line of stderr naming the script, the parameter, the value and what
#                  is accepted (or the nearest parameter name)
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
plot_damaged)
  d=$out/plot_damaged
  m=$src/tests/studies/fixture_run/metrics.csv
  # damage LINE SED_EXPR REGEX: metrics.csv with line LINE edited, and the error expected
  damage() {
    rm -rf "$d" && mkdir -p "$d" || fail "cannot create $d"
    sed "$1$2" "$m" >"$d/metrics.csv"
    "$gradlab" plot "$d" >"$d.out" 2>"$d.err"
    rc=$?
    [ $rc -eq 1 ] || fail "line $1 '$2': exit $rc, expected 1: $(cat "$d.err")"
    grep -Eq "^gradlab: error: $d/metrics.csv:$1: $3" "$d.err" ||
      fail "line $1 '$2': message $(cat "$d.err")"
    [ "$(wc -l <"$d.err")" -eq 1 ] || fail "line $1 '$2': more than the error: $(cat "$d.err")"
    [ ! -e "$d/figures" ] || fail "line $1 '$2': figures written: $(ls "$d/figures")"
  }
  damage 5 's/^/"/' "malformed CSV: a quote inside a field"  # closed by the quoted name later
  damage 5 's/^[0-9]*,/"1"x,/' "malformed CSV"
  damage 7 's/$/,extra/' "7 fields, the header has 6"
  damage 9 's/,[^,]*$//' "5 fields, the header has 6"
  damage 3 's/^[0-9]*,/abc,/' "step 'abc' is not a whole number"
  damage 3 's/^[0-9]*,/-5,/' "step '-5' is negative"
  damage 3 's/^[0-9]*,/99999999999999999999999,/' "step '99999999999999999999999' is out of range"
  damage 3 's/^[0-9]*,/1.5,/' "step '1.5' is not a whole number"
  damage 4 's/^\([0-9]*\),[0-9]*,/\1,x,/' "epoch 'x' is not a whole number"
  damage 6 's/,[^,]*$/,zero/' "value 'zero' is not a number"
  damage 6 's/,[^,]*$/,/' "value '' is not a number"
  # a NUL byte inside a field: damage, not a value cut short there (0.1, layer xn/1)
  damage 6 's/,[^,]*$/,0.1\x00garbage/' "field 6 holds a NUL byte"
  damage 5 's/^\([0-9]*,[0-9]*\),[^,]*,/\1,xn\/1\x00junk,/' "field 3 holds a NUL byte"
  # what gradlab itself writes stays fine: nan/inf values, \r\n line ends, quoted names
  rm -rf "$d" && mkdir -p "$d"
  sed '6s/,[^,]*$/,nan/; 7s/,[^,]*$/,-inf/; s/$/\r/' "$m" >"$d/metrics.csv"
  "$gradlab" plot "$d" --no-draw >/dev/null 2>"$d.err" || fail "a sound file: $(cat "$d.err")"
  [ -s "$d/figures/grad_norm_output_grad.dat" ] || fail "a sound file: no figures"
  grep -q "rnn, cell" "$d/figures/time_grad_rnn__cell.gp" || fail "quoted layer name"
  ls "$d/figures" | grep -q '\.tmp' && fail "temporary files left in figures/"
  # a damaged line past the first 64 KiB read: the line number is still right
  rm -rf "$d" && mkdir -p "$d"
  { cat "$m"; for i in $(seq 1 3000); do echo "200,3,1,output_grad,norm,0.5"; done; echo '201,3,1,"x'; } \
    >"$d/metrics.csv"
  "$gradlab" plot "$d" 2>"$d.err"
  [ $? -eq 1 ] || fail "a big file: exit status"
  grep -q "metrics.csv:3217: malformed CSV: a quoted field that starts here is never closed" "$d.err" ||
    fail "a big file: $(cat "$d.err")"
  ;;
plot_steps)
  d=$out/plot_steps
  rm -rf "$d" && cp -r "$src/tests/studies/fixture_run" "$d" || fail "cannot copy the fixture"
  # usage2 REGEX ARGS...: exit 2, one line saying what is wrong, not the whole usage
  usage2() {
    regex=$1
    shift
    "$gradlab" plot "$@" >/dev/null 2>"$d.err"
    rc=$?
    [ $rc -eq 2 ] || fail "'plot $*': exit $rc, expected 2"
    grep -Eq "^gradlab: error: plot: $regex" "$d.err" || fail "'plot $*': $(cat "$d.err")"
    ! grep -q "^usage:" "$d.err" || fail "'plot $*': the whole usage instead of the reason"
  }
  usage2 "--steps needs a value" "$d" --steps
  usage2 "--steps needs a value" "$d" --steps --no-draw
  usage2 "unknown option '--bogus'" "$d" --bogus
  usage2 "one run folder at a time" "$d" "$d"
  usage2 "--steps -1: step '-1' is negative" "$d" --steps -1
  usage2 "--steps 1,x: step 'x' is not a whole number" "$d" --steps 1,x
  usage2 "--steps 1,2,3,4,5: at most 4 steps" "$d" --steps 1,2,3,4,5
  "$gradlab" plot "$d" --no-draw --steps 0,50 >/dev/null 2>"$d.err" || fail "--steps 0,50: exit $?"
  [ ! -s "$d.err" ] || fail "--steps 0,50 (both recorded) warned: $(cat "$d.err")"
  "$gradlab" plot "$d" --no-draw --steps 99999,55 >/dev/null 2>"$d.err" || fail "--steps 99999: exit $?"
  grep -q "^gradlab: warning: plot: --steps 99999: no statistics were recorded at step 99999 (recorded: 12 steps from 0 to 110); step 110 is shown instead" "$d.err" ||
    fail "--steps 99999: $(cat "$d.err")"
  grep -q "^gradlab: warning: plot: --steps 55: .*step 50 is shown instead" "$d.err" ||
    fail "--steps 55: $(cat "$d.err")"
  grep -q "'step 110'" "$d/figures/grad_bars_output_grad.gp" || fail "step 110 not drawn"
  ;;
plot_one_point)
  d=$out/plot_one_point
  rm -rf "$d" && mkdir -p "$d" || fail "cannot create $d"
  f=$src/tests/studies/fixture_run
  awk -F, 'NR == 1 || $1 == 10' "$f/metrics.csv" >"$d/metrics.csv"
  printf 'name,title,xlabel,ylabel,logx,logy,kind,data,hline,hline_label\n%s\n%s\n%s\n' \
    'one_line,One point,x,y,false,false,lines,data.csv,,' 'one_log,One point,x,y,true,true,lines,data.csv,,' \
    'one_bar,One bar,layer,norm,false,true,bars,data.csv,,' >"$d/figures.csv"
  printf 'figure,series,x,y\none_line,a,3,0.5\none_log,a,3,0.5\none_bar,a,layer 1,0.5\n' >"$d/data.csv"
  "$gradlab" plot "$d" >/dev/null 2>"$d.err" || fail "exit $?: $(cat "$d.err")"
  [ ! -s "$d.err" ] || fail "gnuplot said: $(sort "$d.err" | uniq -c)"
  for fig in loss accuracy grad_norm_output_grad one_line one_log one_bar; do
    [ -s "$d/figures/$fig.png" ] || fail "no $fig.png"
  done
  ;;
plot_long_path)
  d=$out/plot_long_path
  rm -rf "$d" && mkdir -p "$d" || fail "cannot create $d"
  # 16 folders of 250 characters, then the run folder (60): RUN is 4076 characters (relative to
  # $d), RUN/metrics.csv fits in PATH_MAX (4096), RUN/figures/grad_norm_output_grad.dat does not
  a=$(printf '%0250d' 0 | tr 0 a)
  r=$(printf '%060d' 0 | tr 0 r)
  rel=$a/$a/$a/$a/$a/$a/$a/$a/$a/$a/$a/$a/$a/$a/$a/$a/$r
  (cd "$d" && for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
    mkdir "$a" && cd "$a" || exit 1
  done && cp -r "$src/tests/studies/fixture_run" "$r") || fail "cannot make the deep folder"
  (cd "$d" && "$gradlab" plot "$rel" --no-draw) 2>"$d.err"
  rc=$?
  [ $rc -eq 1 ] || fail "exit $rc with figure paths past PATH_MAX, expected 1"
  grep -q "path too long" "$d.err" || fail "no 'path too long': $(cut -c1-300 "$d.err")"
  [ "$(find "$d" -type d -name figures | wc -l)" -eq 1 ] || fail "no figures folder"
  bad=$(find "$d" -type f -path '*/figures/*' | sed 's#.*/##' | grep -Ev '^[A-Za-z0-9_-]+[.](dat|gp)$')
  [ -z "$bad" ] || fail "files written under a name cut short: $bad"
  rm -rf "$d"
  ;;
plot_targets)
  d=$out/plot_targets
  rm -rf "$d" "$out/loss.gp" && cp -r "$src/tests/studies/fixture_run" "$d" || fail "cannot copy the fixture"
  mkdir -p "$d/figures" && mkfifo "$d/figures/loss.dat" && : >"$out/loss.gp" &&
    ln -s ../../loss.gp "$d/figures/accuracy.gp" || fail "cannot make the targets"
  "$gradlab" plot "$d" --no-draw >/dev/null 2>"$d.err"
  rc=$?
  [ $rc -eq 1 ] || fail "exit $rc with a FIFO at figures/loss.dat, expected 1"
  grep -q "plot: cannot write $d/figures/loss.dat: not a regular file but a FIFO" "$d.err" ||
    fail "message: $(cat "$d.err")"
  [ -p "$d/figures/loss.dat" ] || fail "the FIFO at loss.dat was replaced"
  [ -L "$d/figures/accuracy.gp" ] || fail "the link at accuracy.gp was replaced"
  grep -q "accuracy.dat" "$out/loss.gp" || fail "the link's file did not get accuracy.gp"
  [ -s "$d/figures/grad_norm_output_grad.gp" ] || fail "the other figures were not written"
  [ -z "$(find "$d" -name '*.tmp*')" ] || fail "temporary files left: $(find "$d" -name '*.tmp*')"
  # gnuplot draws under a temporary name; the finished PNG/SVG go through the same writer
  rm -f "$d/figures/loss.dat" && mkfifo "$d/figures/loss.png" || fail "cannot make the PNG FIFO"
  "$gradlab" plot "$d" >/dev/null 2>"$d.err"
  rc=$?
  [ $rc -eq 1 ] || fail "exit $rc with a FIFO at figures/loss.png, expected 1"
  grep -q "plot: cannot write $d/figures/loss.png: not a regular file but a FIFO" "$d.err" ||
    fail "message: $(cat "$d.err")"
  [ -p "$d/figures/loss.png" ] || fail "the FIFO at loss.png was replaced"
  [ -z "$(find "$d" -name '*.tmp*')" ] || fail "temporary files left: $(find "$d" -name '*.tmp*')"
  # a gnuplot that dies half-way through a figure leaves no half-drawn file under its name
  # (the fake is called as gnuplot -e "out='NAME.tmp-PID'" NAME.gp: it starts NAME.tmp-PID.png)
  rm -rf "$d/figures" && cat >"$d.gp.sh" <<'SH' && chmod +x "$d.gp.sh" || fail "cannot make the fake gnuplot"
#!/bin/sh
out=${2#out=\'}
printf '\211PNG' >"${out%\'}.png"
exit 3
SH
  GRADLAB_GNUPLOT=$d.gp.sh "$gradlab" plot "$d" >/dev/null 2>"$d.err"
  rc=$?
  [ $rc -eq 1 ] || fail "exit $rc with a failing gnuplot, expected 1"
  grep -q "gnuplot failed on $d/figures/" "$d.err" || fail "message: $(cat "$d.err")"
  [ -z "$(find "$d/figures" -name '*.png' -o -name '*.svg')" ] ||
    fail "figure files left by a failing gnuplot: $(ls "$d/figures")"
  ;;
plot_untrusted)
  d=$out/plot_untrusted
  rm -rf "$d" "$out/ran_"* && cp -r "$src/tests/studies/fixture_run" "$d" || fail "cannot copy the fixture"
  python3 - "$src/tests/studies/fixture_run/metrics.csv" "$d/metrics.csv" "$out" <<'PY' ||
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
for r in rows[1:]:
    if r[2] != "model":
        r[2] += "`touch ran_layer`'q\"\\"  # no '/': that would make it a named model's row
csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n").writerows(rows)
PY
    fail "cannot write the changed metrics.csv"
  grep -q 'touch' "$d/metrics.csv" || fail "the fixture was not changed"
  printf 'name,title,xlabel,ylabel,logx,logy,kind,data,hline,hline_label\n%s\n' \
    "evil,\`touch $out/ran_title\`,\`touch $out/ran_x\`,y,false,false,lines,data.csv,0.5,\`touch $out/ran_hline\`" \
    >"$d/figures.csv"
  printf 'figure,series,x,y\nevil,%s,1,0.5\nevil,%s,2,0.25\n' "\`touch $out/ran_series\`" \
    "\`touch $out/ran_series\`" >"$d/data.csv"
  "$gradlab" plot "$d" >/dev/null 2>"$d.err" || fail "exit $?: $(cat "$d.err")"
  ran=$(find "$out" -name 'ran_*') # gnuplot runs in figures/: a relative touch lands there
  [ -z "$ran" ] || fail "gnuplot ran commands from the run folder: $ran"
  [ -s "$d/figures/evil.png" ] && [ -s "$d/figures/grad_norm_output_grad.png" ] || fail "figures not drawn"
  grep -q "touch $out/ran_title" "$d/figures/evil.gp" || fail "the title is not in the script as text"
  ;;
plot_named_models)
  d=$out/plot_named_models
  rm -rf "$d" "$d.two" && mkdir -p "$d" "$d.two" || fail "cannot create $d"
  named() { # named FIXTURE OUT PREFIX... : the fixture's rows, once per prefix, layer PREFIX/LAYER
    python3 - "$@" <<'PY' || fail "cannot write $2"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
out = [rows[0]] + [r[:2] + [p + "/" + r[2]] + r[3:] for r in rows[1:] for p in sys.argv[3:]]
csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n").writerows(out)
PY
  }
  named "$src/tests/studies/fixture_run/metrics.csv" "$d/metrics.csv" "net a"
  "$gradlab" plot "$d" >/dev/null 2>"$d.err" || fail "one named model: exit $?: $(cat "$d.err")"
  ! grep -q "several models" "$d.err" || fail "one named model taken for several"
  [ -s "$d/figures/grad_norm_output_grad.png" ] || fail "one named model: no grad_norm figure"
  grep -q "'layer net a/1'" "$d/figures/grad_norm_output_grad.gp" || fail "layer label"
  grep -q "'net a loss (" "$d/figures/loss.gp" || fail "loss label: $(grep title "$d/figures/loss.gp")"
  named "$src/tests/studies/fixture_run/metrics.csv" "$d.two/metrics.csv" "net a" "net b"
  "$gradlab" plot "$d.two" >/dev/null 2>"$d.err"
  rc=$?
  [ $rc -eq 1 ] || fail "two named models, nothing else to draw: exit $rc, expected 1"
  grep -q "nothing to plot" "$d.err" || fail "no 'nothing to plot': $(cat "$d.err")"
  grep -q "holds several models' rows (named models" "$d.err" || fail "no note: $(cat "$d.err")"
  [ ! -e "$d.two/figures/grad_norm_output_grad.png" ] || fail "two models' rows mixed in one figure"
  ;;
plot_cut_output)
  # gnuplot exits 0 even when its write failed (a full disk): an empty or cut PNG/SVG is an
  # error naming the figure and never replaces the one drawn before (they were published empty)
  d=$out/plot_cut_output
  rm -rf "$d" && cp -r "$src/tests/studies/fixture_run" "$d" || fail "cannot copy the fixture"
  "$gradlab" plot "$d" >/dev/null 2>"$d.err" || fail "first plot: $(cat "$d.err")"
  cp "$d/figures/loss.png" "$d.png" && cp "$d/figures/loss.svg" "$d.svg"
  cat >"$d.gnuplot" <<'SH'
#!/bin/sh
# a gnuplot whose writes failed: out='NAME.tmp-PID' → an empty PNG, an SVG cut short; exit 0
out=$(printf '%s' "$2" | sed "s/^out='\(.*\)'\$/\1/")
: >"$out.png"
printf '<svg xmlns="http://www.w3.org/2000/svg">\n<g>' >"$out.svg"
SH
  chmod +x "$d.gnuplot"
  GRADLAB_GNUPLOT=$d.gnuplot "$gradlab" plot "$d" >/dev/null 2>"$d.err"
  rc=$?
  [ $rc -eq 1 ] || fail "cut output: exit $rc, expected 1"
  grep -q "plot: gnuplot's png of figure .* is empty (0 bytes; a full disk?)" "$d.err" ||
    fail "cut output: message: $(cat "$d.err")"
  cmp -s "$d.png" "$d/figures/loss.png" && cmp -s "$d.svg" "$d/figures/loss.svg" ||
    fail "cut output: the figures drawn before were replaced"
  ! ls "$d/figures" | grep -q 'tmp-' || fail "cut output: temporary files left: $(ls "$d/figures")"
  # what a killed plot left under a temporary name is removed by the next one (never before:
  # they stayed for good); a live process's are not touched
  : >"$d/figures/loss.tmp-999999999.png" && : >"$d/figures/loss.tmp-999999999.svg"
  : >"$d/figures/loss.tmp-$$.png"
  "$gradlab" plot "$d" --no-draw >/dev/null 2>"$d.err" || fail "plot after a killed one: $(cat "$d.err")"
  [ ! -e "$d/figures/loss.tmp-999999999.png" ] && [ ! -e "$d/figures/loss.tmp-999999999.svg" ] ||
    fail "a killed plot's temporary figures stayed"
  [ -e "$d/figures/loss.tmp-$$.png" ] || fail "a live process's temporary figure was removed"
  ;;
plot_unfinished)
  # A run that has not ended (killed, crashed, still running) has its rows in metrics.csv.part,
  # the last one perhaps cut: plot draws from its whole lines and says so (it said "nothing to
  # plot" and left an empty figures/); `plot | head` draws every figure (SIGPIPE killed it).
  d=$out/plot_unfinished
  m=$src/tests/studies/fixture_run/metrics.csv
  rm -rf "$d" "$d.empty" && mkdir -p "$d" "$d.empty" || fail "cannot create $d"
  { cat "$m"; printf '12,3,1,output_grad,no'; } >"$d/metrics.csv.part"
  "$gradlab" plot "$d" >/dev/null 2>"$d.err" || fail "unfinished run: exit $?: $(cat "$d.err")"
  grep -q "metrics.csv: the run has not ended" "$d.err" || fail "no note: $(cat "$d.err")"
  [ -s "$d/figures/grad_norm_output_grad.png" ] || fail "unfinished run: no grad_norm figure"
  ! grep -q "^12 " "$d/figures/grad_norm_output_grad.dat" || fail "the cut last row was read"
  cp "$d/figures/grad_norm_output_grad.dat" "$d.dat"
  # a header-only metrics.csv beside the rows (an older gradlab's crash) does not hide them
  head -1 "$m" >"$d/metrics.csv"
  rm -rf "$d/figures"
  "$gradlab" plot "$d" --no-draw >/dev/null 2>"$d.err" || fail "header-only metrics.csv: $(cat "$d.err")"
  cmp -s "$d.dat" "$d/figures/grad_norm_output_grad.dat" || fail "header-only metrics.csv: other data"
  # the run ended: metrics.csv is whole and at least as long as any leftover: it is used
  cp "$m" "$d/metrics.csv"
  "$gradlab" plot "$d" --no-draw >/dev/null 2>"$d.err" || fail "ended run: $(cat "$d.err")"
  ! grep -q "has not ended" "$d.err" || fail "ended run taken for unfinished"
  rm -f "$d/metrics.csv.part"
  rm -rf "$d/figures"
  ( "$gradlab" plot "$d" 2>"$d.err"; echo $? >"$d.rc" ) | head -1 >/dev/null
  [ "$(cat "$d.rc")" -eq 0 ] || fail "plot | head: exit $(cat "$d.rc"): $(cat "$d.err")"
  [ "$(ls "$d/figures" | grep -c '\.png$')" -eq "$(ls "$d/figures" | grep -c '\.gp$')" ] ||
    fail "plot | head: not every figure drawn: $(ls "$d/figures")"
  "$gradlab" plot "$d.empty" 2>"$d.err"
  [ $? -eq 1 ] && grep -q "nothing to plot" "$d.err" || fail "empty folder: $(cat "$d.err")"
  [ ! -e "$d.empty/figures" ] || fail "an empty figures/ was left in a folder with nothing to plot"
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
odd_out)
  name=$1
  shift
  base=$out/odd_out_$name
  rm -rf "$base" && mkdir -p "$base" || fail "cannot create $base"
  # relative names, run from $base: a command that escaped would leave PWNED in $base
  for d in "x'\$(touch PWNED)' y" "Bob's study"; do
    (cd "$base" && "$gradlab" run "$src/scripts/$name.lua" --out "$d" --seed 1 --set smoke=true \
      --set check=true "$@") >"$base/out" 2>"$base/err" ||
      { cat "$base/err" >&2; fail "--out \"$d\": the study $name failed"; }
    [ ! -e "$base/PWNED" ] || fail "--out \"$d\": a command in the folder name ran"
    ! grep -q "^sh: " "$base/err" || fail "--out \"$d\": the shell said $(grep "^sh: " "$base/err")"
    [ -s "$base/$d/tables.txt" ] || fail "--out \"$d\": no tables.txt"
    "$check" "$base/$d" --min-figures 2 || exit 1
  done
  left=$(cd "$base" && ls -A | grep -Fvx -e out -e err -e "x'\$(touch PWNED)' y" -e "Bob's study")
  [ -z "$left" ] || fail "other files or folders appeared: $left"
  ;;
stock_lua_odd_out)
  lua=$1
  base=$out/stock_lua_odd_out
  rm -rf "$base" && mkdir -p "$base" || fail "cannot create $base"
  bindir=$(dirname "$gradlab")
  for d in "x'\$(touch PWNED)' y" "Bob's study" "-n x'\$(touch PWNED)'"; do
    (cd "$base" && GRADLAB_OUT=$d PATH=$bindir:$PATH "$lua" "$src/tests/studies/tiny_study.lua") \
      >"$base/out" 2>"$base/err"
    rc=$?
    [ $rc -eq 0 ] || { cat "$base/err" >&2; fail "GRADLAB_OUT=\"$d\": exit $rc"; }
    [ ! -e "$base/PWNED" ] || fail "GRADLAB_OUT=\"$d\": a command in the folder name ran"
    ! grep -q "^sh: " "$base/err" || fail "GRADLAB_OUT=\"$d\": the shell said $(grep "^sh: " "$base/err")"
    grep -q "^x *y$" "$base/$d/tables.txt" || fail "GRADLAB_OUT=\"$d\": no table in tables.txt"
    [ -s "$base/$d/tiny.csv" ] || fail "GRADLAB_OUT=\"$d\": no tiny.csv"
    # gradlab plot ran on the folder: the figure's script is there (and the PNG, with gnuplot)
    [ -s "$base/$d/figures/tiny_line.gp" ] || fail "GRADLAB_OUT=\"$d\": gradlab plot did not run: $(cat "$base/err")"
  done
  left=$(cd "$base" && ls -A | grep -Fvx -e out -e err -e "x'\$(touch PWNED)' y" -e "Bob's study" \
    -e "-n x'\$(touch PWNED)'")
  [ -z "$left" ] || fail "other files or folders appeared: $left"
  ;;
batch_example)
  base=$out/batch_example
  rm -rf "$base" && mkdir -p "$base" || fail "cannot create $base"
  (cd "$src" && GRADLAB_PLOT=0 "$gradlab" batch scripts/examples/depth.lua --grid depth=2,8 \
    --grid act=sigmoid,relu --seeds 1..2 -j 2 -q --out "$base/depth") 2>"$base/err" ||
    { cat "$base/err" >&2; fail "the batch failed"; }
  sum=$base/depth/summary.csv
  head -1 "$sum" | grep -q "^id,script,act,depth,seed,status,duration_s,loss,accuracy,grad_ratio_first,grad_ratio_last,test_accuracy,test_loss,reason,error$" ||
    fail "summary.csv header: $(head -1 "$sum")"
  [ "$(grep -c ',ok,' "$sum")" -eq 8 ] || fail "not 8 ok jobs: $(cat "$sum")"
  # seeds 1 and 2 of one cell: different initialisations, so different gradient ratios
  r1=$(awk -F, '$3 == "sigmoid" && $4 == 8 && $5 == 1 {print $10}' "$sum")
  r2=$(awk -F, '$3 == "sigmoid" && $4 == 8 && $5 == 2 {print $10}' "$sum")
  [ -n "$r1" ] && [ -n "$r2" ] && [ "$r1" != "$r2" ] || fail "seeds 1 and 2 gave '$r1' and '$r2'"
  ;;
bad_params)
  base=$out/bad_params
  rm -rf "$base" && mkdir -p "$base" || fail "cannot create $base"
  n=0
  # bad NAME REGEX ARGS...: gradlab run scripts/NAME.lua ARGS exits 1, prints nothing on stdout
  # (no work was done) and the first line of stderr matches ^REGEX$
  bad() {
    name=$1 regex=$2
    shift 2
    n=$((n + 1))
    (cd "$src" && GRADLAB_PLOT=0 "$gradlab" run "scripts/$name.lua" --out "$base/$n" "$@") \
      >"$base/out" 2>"$base/err"
    rc=$?
    [ $rc -eq 1 ] || fail "$name $*: exit $rc, expected 1: $(head -3 "$base/err")"
    [ ! -s "$base/out" ] || fail "$name $*: the study started: $(head -3 "$base/out")"
    head -1 "$base/err" | grep -Eq "^scripts/$name\.lua: $regex\$" ||
      fail "$name $*: message $(head -1 "$base/err")"
  }
  bad xor_naive "parameter 'epochs' must be a whole number >= 0, got 2\.5" --set epochs=2.5
  bad xor_naive "parameter 'epochs' must be a whole number >= 0, got -5" --set epochs=-5
  bad xor_naive "parameter 'epochs' must be a whole number >= 0, got 'ten'" --set epochs=ten
  bad xor_naive "parameter 'smoke' must be true or false \\(or yes/no, 1/0\\), got 'maybe'" --set smoke=maybe
  bad xor_naive "parameter 'smoke' must be true or false \\(or yes/no, 1/0\\), got 2" --set smoke=2
  bad xor_naive "parameter 'check' must be true or false \\(or yes/no, 1/0\\), got 'maybe'" --set smoke=true --set check=maybe
  bad xor_naive "parameter 'plot' must be true or false \\(or yes/no, 1/0\\), got 'off'" --set plot=off
  # yes/no and 1/0 are booleans, as for layer options: the error is about the parameter checked
  # after them (keys are checked in sorted order: plot, smoke, sweep_seeds)
  bad xor_naive "parameter 'sweep_seeds' must be a whole number >= 1, got 'x'" --set smoke=yes --set plot=0 --set sweep_seeds=x
  bad xor_naive "parameter 'lr' must be a number > 0, got 0" --set lr=0
  bad xor_naive "parameter 'lr' must be a number > 0, got '0x10'" --set lr=0x10
  bad xor_naive "parameter 'probe_every' must be a whole number >= 1, got 0" --set probe_every=0
  bad xor_naive "parameter 'depths' must be a comma-separated list of whole numbers >= 1, got '1,x' \('x' is not a whole number >= 1\)" --set depths=1,x
  bad xor_naive "parameter 'depths' must be a comma-separated list of whole numbers >= 1, got '1,,2' \(an empty item\)" --set depths=1,,2
  bad xor_naive "parameter 'depths' must be a comma-separated list of whole numbers >= 1, got 0 \(0 is not a whole number >= 1\)" --set depths=0
  bad xor_naive "parameter 'depths' must be a comma-separated list of whole numbers >= 1, each once, got '2,2' \('2' twice\)" --set depths=2,2
  bad xor_naive "parameter 'scales' must be a comma-separated list of numbers > 0, got '' \(nothing\)" --set scales=
  bad xor_naive "unknown parameter 'epoch' \(--set epoch=3\); did you mean 'epochs'\?" --set epoch=3
  bad xor_naive "unknown parameter 'withd' \(--set withd=3\); did you mean 'width'\?" --set withd=3
  bad xor_naive "unknown parameter 'bogus' \(--set bogus=1\); the parameters are: check, depths, epochs, lr, plot, probe_every, scales, seed0, smoke, sweep_seeds, width" --set bogus=1
  bad depth_speed "unknown parameter 'seed' \(--set seed=3\); did you mean 'seed0' or 'seeds'\?" --set seed=3
  bad depth_speed "parameter 'epochs' must be a whole number >= 0, got 2\.5" --set epochs=2.5
  bad cures "parameter 'variants' must be a comma-separated list of names \(all, baseline, relu_he, .*\), got 'baseline,relu_hee' \('relu_hee' is not one of them\)" --set variants=baseline,relu_hee
  bad cures "parameter 'variants': 'all' stands alone \(it names every variant\), got all,baseline" --set variants=all,baseline
  bad cures "parameter 'probe_images' must be at most train_images \(2000\), got 5000" --set smoke=true --set probe_images=5000
  bad main_study "parameter 'cures_seeds' must be a whole number >= 1, got 0" --set cures_seeds=0
  bad rnn_vs_lstm "parameter 'models' must be a comma-separated list of names \(rnn, lstm\), got 'rnn,gru' \('gru' is not one of them\)" --set models=rnn,gru
  bad rnn_vs_lstm "parameter 'Ts' must be a comma-separated list of whole numbers >= 2, got 1 \(1 is not a whole number >= 2\)" --set Ts=1
  bad rnn_vs_lstm "parameter 'steps' has 2 values for 1 sequence length\\(s\\) Ts = 50" --set smoke=true --set steps=10,20
  bad examples/depth "parameter 'act' must be one of sigmoid, tanh, relu, got 'selu'" --set act=selu
  bad pretraining "parameter 'ae_noise' must be a number >= 0 and < 1, got 1" --set ae_noise=1
  bad pretraining "parameter 'methods' must be a comma-separated list of names \(none, autoencoder, rbm\), got 'none,rmb' \('rmb' is not one of them\)" --set methods=none,rmb
  ;;
*)
  fail "unknown case $case"
  ;;
esac
echo "ok: $case"
