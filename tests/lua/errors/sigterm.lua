-- sigterm.lua — the script sends SIGTERM to its own gradlab process, then loops: gradlab run
-- stops it at the next instruction, flushes the run folder (finished = false) and ends by the
-- signal (exit status 128 + 15 in the shell).
local gradlab = require "gradlab"
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
gradlab.train{model = net, data = gradlab.data.xor(), optimizer = gradlab.optim.sgd{lr = 0.1}}
local pid = io.open("/proc/self/stat"):read("*l"):match("^(%d+)")
os.execute("kill -TERM " .. pid)
while true do end
