#!/bin/sh
# path_warning.sh — a GRADLAB_PLUGIN_PATH folder that does not exist is said exactly once on
# stderr by every command that loads plugins (the core's search prints it; the command must not
# repeat it), also when an explicit --plugin fails. Usage: path_warning.sh GRADLAB SCRIPT BROKEN.so
set -u
G=$1 script=$2 broken=$3
W=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-path-warning.XXXXXX")
trap 'rm -rf "$W"' EXIT
export GRADLAB_PLUGIN_PATH="$W/missing" GRADLAB_PLOT=0
status=0
check() { # check NAME ARGS...: stderr holds the warning once
  name=$1
  shift
  "$G" "$@" >"$W/out" 2>"$W/err"
  n=$(grep -c "warning: GRADLAB_PLUGIN_PATH folder $W/missing does not exist (skipped)" "$W/err")
  if [ "$n" -ne 1 ]; then
    echo "FAIL: $name: the warning appears $n times"
    cat "$W/err"
    status=1
  else
    echo "ok: $name"
  fi
}
check plugins plugins
check describe plugins --describe dense
check describe_broken plugins --describe dense --plugin "$broken"
check gradcheck gradcheck dense
check run run "$script" --out "$W/run"
exit $status
