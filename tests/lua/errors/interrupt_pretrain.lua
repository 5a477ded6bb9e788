-- interrupt_pretrain.lua — a long gradlab.pretrain; a background shell sends this process
-- SIGINT after a second. The pretrainer must stop at its next epoch report (not run its 10^7
-- epochs), the run folder be written (finished = false) and the process end by the signal.
local gradlab = require "gradlab"
local pid = io.open("/proc/self/stat"):read("*l"):match("^(%d+)")
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 8}, gradlab.layer.sigmoid{},
  gradlab.layer.dense{inputs = 8, outputs = 2}}
local data = gradlab.data.blobs{n = 40, classes = 2, dim = 2}
os.execute("(sleep 1; kill -INT " .. pid .. ") &")
gradlab.pretrain{model = net, data = data, method = "autoencoder", epochs = 10000000, decoder = "linear"}
error("pretraining ran to its end")
