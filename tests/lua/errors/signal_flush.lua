-- signal_flush.lua — the script succeeds, but a SIGTERM arrives while gradlab run closes the
-- Lua state (sent by a finalizer), i.e. during the final flush: the folder is still written
-- completely (finished = false: the run was stopped) and the process ends by the signal.
local gradlab = require "gradlab"
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
gradlab.train{model = net, data = gradlab.data.xor(), optimizer = gradlab.optim.sgd{lr = 0.1}}
local pid = io.open("/proc/self/stat"):read("*l"):match("^(%d+)")
setmetatable({}, {__gc = function() os.execute("kill -TERM " .. pid .. "; kill -TERM " .. pid) end})
return {done = 1}
