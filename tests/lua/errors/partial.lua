-- partial.lua — statistics are recorded, then the script fails: the run folder keeps them,
-- marked finished = false.
local gradlab = require "gradlab"
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
gradlab.train{model = net, data = gradlab.data.xor(), optimizer = gradlab.optim.sgd{lr = 0.1},
  epochs = 2}
print("trained")
error("deliberate failure after training")
