-- interrupt_train.lua — a long gradlab.train with no callback; a background shell sends this
-- gradlab process the signal named in arg[1] (INT, TERM or HUP) after a second. Training must stop
-- within a step (not run its 10^8 epochs), the run folder be written (finished = false) and the
-- process end by the signal. Without the fix this test runs into its CTest timeout. With no
-- argument nobody sends a signal (batch_timeout.sh: the batch runner's --timeout does).
local gradlab = require "gradlab"
local pid = io.open("/proc/self/stat"):read("*l"):match("^(%d+)")
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 8}, gradlab.layer.tanh{},
  gradlab.layer.dense{inputs = 8, outputs = 2}}
local data = gradlab.data.blobs{n = 4000, classes = 2, dim = 2} -- 1000 steps an epoch
if arg[1] then os.execute("(sleep 1; kill -" .. arg[1] .. " " .. pid .. ") &") end
gradlab.train{model = net, data = data, optimizer = gradlab.optim.sgd{lr = 0.1},
  epochs = 100000000, batch = 4, record_every = 1000}
error("training ran to its end")
