-- text_chunks.lua — under gradlab run, load and loadfile default to Lua source (mode "t"), and
-- dofile and require take source only: a binary chunk is refused with Lua's message unless the
-- script asks for one explicitly (load(s, name, "b"), loadfile(f, "bt")). Source loads as before,
-- and load's env argument is kept.
local gradlab = require "gradlab"
local dir = gradlab.outdir()
local function write(name, s)
  local f = assert(io.open(dir .. "/" .. name, "wb"))
  f:write(s)
  f:close()
  return dir .. "/" .. name
end
local bytecode = string.dump(function() return 42 end)
local chunk = write("chunk.luac", bytecode)
local function refused(what, ok, err)
  assert(not ok and tostring(err):find("attempt to load a binary chunk"), what .. ": " .. tostring(err))
end
refused("load", load(bytecode))
refused("load with a nil mode", load(bytecode, "c", nil))
refused("loadfile", loadfile(chunk))
refused("dofile", pcall(dofile, chunk))
write("binmod.lua", bytecode)
package.path = dir .. "/?.lua;" .. package.path
refused("require", pcall(require, "binmod"))
-- asked for explicitly
assert(load(bytecode, "c", "b")() == 42)
assert(loadfile(chunk, "bt")() == 42)
-- source, as before
local src = write("srcmod.lua", "return ... or 7")
assert(load("return 1 + 1")() == 2)
assert(load("return y", "=c", nil, {y = 9})() == 9)
assert(load("return y", "=c", "t", {y = 8})() == 8)
local parts = {"return ", "5"}
assert(load(function() return table.remove(parts, 1) end)() == 5)
assert(loadfile(src)() == 7)
assert(dofile(src) == 7)
assert(require("srcmod") == "srcmod")
local ok, err = pcall(require, "no_such_module_here")
assert(not ok and err:find("no file"), err)
print("text chunks ok")
