#!/bin/sh
# gradcheck_clash.sh — `gradlab gradcheck` with two plugins on GRADLAB_PLUGIN_PATH that register
# one layer type name: exit 1, and the report (stdout alone, as a pipe or a file gets it) says
# why — the summary names the clash and both files instead of "1 of 1 layer types passed" — and
# the clashing type's line says which file's type was checked. Without a clash the summary is
# the plain count. Usage: gradcheck_clash.sh GRADLAB BROKEN_DIR (tests/plugins_broken).
set -u
G=$1 B=$2
W=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-gradcheck-clash.XXXXXX")
trap 'rm -rf "$W"' EXIT
status=0 bad=0
fail() {
  echo "FAIL: $*"
  bad=1 status=1
}
has() { # has PATTERN: a line of stdout matches (grep -E)
  grep -Eq -- "$1" "$W/out"
}
done_case() { # done_case NAME: "ok: NAME", or the output of a failed case
  if [ $bad -eq 0 ]; then
    echo "ok: $1"
  else
    printf -- '--- stdout\n%s\n--- stderr\n%s\n' "$(cat "$W/out")" "$(cat "$W/err")"
  fi
  bad=0
}

# dup_a.so and dup_b.so both register layer type 'dup_layer': dup_b.so is refused (each time it
# is named: one problem, said once on stderr and once in the summary).
GRADLAB_PLUGIN_PATH="$B/dup_a.so:$B/dup_b.so:$B/dup_b.so" "$G" gradcheck dup_layer >"$W/out" 2>"$W/err"
rc=$?
[ $rc -eq 1 ] || fail "two dup_layer plugins: exit status $rc, not 1"
has '^1 of 1 layer types passed, but 1 plugin failed to load:$' ||
  fail "two dup_layer plugins: the summary does not say a plugin failed to load"
has "^  plugin [^ ]*/dup_b\.so: layer type 'dup_layer' from [^ ]*/dup_b\.so is already registered by [^ ]*/dup_a\.so$" ||
  fail "two dup_layer plugins: the summary does not name the clash and both files"
has '^dup_layer +ok .*\[checked: the one from [^ ]*/dup_a\.so; see the clash below\]$' ||
  fail "two dup_layer plugins: the line of dup_layer does not say whose type was checked"
n=$(grep -c "^gradlab: error: plugin [^ ]*/dup_b\.so: layer type 'dup_layer' from" "$W/err")
[ "$n" -eq 1 ] || fail "two dup_layer plugins: the clash is on stderr $n times, not once"
done_case "two plugins register dup_layer"

# dup_dense.so comes first on the path, so the shipped dense.so is the one refused: the type
# checked as 'dense' is the impostor, and the line must not pass for the shipped one.
GRADLAB_PLUGIN_PATH="$B/dup_dense.so" "$G" gradcheck dense >"$W/out" 2>"$W/err"
rc=$?
[ $rc -eq 1 ] || fail "an impostor dense: exit status $rc, not 1"
has "^  plugin [^ ]*/dense\.so: layer type 'dense' from [^ ]*/plugins/dense\.so is already registered by [^ ]*/dup_dense\.so$" ||
  fail "an impostor dense: the summary does not name the clash and both files"
has '^dense +ok .*\[checked: the one from [^ ]*/dup_dense\.so; see the clash below\]$' ||
  fail "an impostor dense: the line of dense does not say whose type was checked"
done_case "an impostor dense"

# No clash: the plain count, exit 0, no note on the line.
GRADLAB_PLUGIN_PATH= "$G" gradcheck dense >"$W/out" 2>"$W/err"
rc=$?
[ $rc -eq 0 ] || fail "no clash: exit status $rc, not 0"
has '^1 of 1 layer types passed$' || fail "no clash: the summary is not the plain count"
has 'checked: the one from' && fail "no clash: a clash note on a line"
done_case "no clash"
exit $status
