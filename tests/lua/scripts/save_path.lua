-- save_path.lua — a file that cannot be written is named as the script gave it: net:save into a
-- folder that does not exist said "cannot write /proc/x/y.bin.tmp-13301", the atomic writer's
-- temporary name; now "cannot write /proc/x/y.bin: REASON", the temporary file only after it in
-- parentheses. The same writer serves every file the core writes atomically (summary.json,
-- batch.json, summary.csv, gradlab.sweep's grid), so this is their message too.
local gradlab = require "gradlab"
local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 2}}
for _, path in ipairs{"/proc/x/y.bin", "/nonexistent-gradlab-folder/y.bin"} do
  local err = fails("net:save: cannot write " .. path .. ": No such file or directory", net.save,
    net, path)
  -- the temporary name only in parentheses after the reason, never as the file that failed
  assert(not err:find("cannot write [^ ]*%.tmp%-"), err)
  assert(err:find("(creating its temporary file " .. path .. ".tmp-", 1, true), err)
end
-- a path through a file (not a folder) is refused before any temporary file: named too
local file = gradlab.outdir() .. "/script.lua"
local err = fails("net:save: cannot write " .. file .. "/y.bin: ", net.save, net, file .. "/y.bin")
assert(not err:find("%.tmp%-"), err)
-- a good path still saves (run_case.sh checks that no temporary file is left in the folder)
local good = gradlab.outdir() .. "/net.bin"
net:save(good)
net:load(good)
