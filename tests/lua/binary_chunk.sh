#!/bin/sh
# binary_chunk.sh GRADLAB — precompiled Lua bytecode as the script (here a damaged one, which
# crashed gradlab run in Lua's undump/VM): refused before anything runs, exit 2 with a message
# naming the file, no run folder, no crash. A '#!' line before the chunk changes nothing.
set -u
gradlab=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-binchunk.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; cat "$out/stderr" 2>/dev/null; exit 1; }
export GRADLAB_PLOT=0
cat >"$out/make.lua" <<'LUA'
-- a chunk (stripped: no file name inside, so the offsets are fixed) whose code bytes are
-- overwritten with 0xff
local s = string.dump(function() local t = {} for i = 1, 10 do t[i] = i * 2 end return t end, true)
local b = {s:byte(1, -1)}
for i = 50, 53 do b[i] = 0xff end -- (gradlab run before the fix: SIGSEGV)
local f = assert(io.open(arg[1], "wb"))
f:write(string.char(table.unpack(b)))
f:close()
f = assert(io.open(arg[2], "wb"))
f:write("#!/usr/bin/env gradlab\n", string.char(table.unpack(b)))
f:close()
LUA
"$gradlab" run "$out/make.lua" --out "$out/make" -- "$out/bad.luac" "$out/hashbang.luac" \
  >/dev/null 2>"$out/stderr" || fail "could not make the chunks"
for chunk in bad.luac hashbang.luac; do
  "$gradlab" run "$out/$chunk" --out "$out/run" >"$out/stdout" 2>"$out/stderr"
  rc=$?
  [ "$rc" -eq 2 ] || fail "$chunk: exit status $rc, expected 2"
  grep -q "^gradlab: error: run: '.*$chunk' is precompiled Lua bytecode; gradlab run takes Lua source only" \
    "$out/stderr" || fail "$chunk: message"
  [ ! -e "$out/run" ] || fail "$chunk: a run folder was made"
done
echo ok
