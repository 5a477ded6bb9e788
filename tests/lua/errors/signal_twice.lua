-- signal_twice.lua — a SIGTERM stops the looping script (a pcall in it cannot swallow the
-- stop), and a second SIGTERM arrives while gradlab run closes the Lua state (sent by a
-- finalizer), as an impatient user's second Ctrl-C: it must not kill the process before the run
-- folder is written (no .part files, metrics.csv holds the rows, finished = false).
local gradlab = require "gradlab"
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
gradlab.train{model = net, data = gradlab.data.xor(), optimizer = gradlab.optim.sgd{lr = 0.1}}
local pid = io.open("/proc/self/stat"):read("*l"):match("^(%d+)")
setmetatable({}, {__gc = function() os.execute("kill -TERM " .. pid) end})
os.execute("kill -TERM " .. pid)
while true do
  pcall(function() while true do end end)
end
