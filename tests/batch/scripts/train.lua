-- train.lua — a small training job (XOR, tanh MLP) whose metrics.csv must be bit-identical
-- between runs and between -j 1 and -j 2 (batch tests).
local gradlab = require "gradlab"
local width = gradlab.params.width or 4
local net = gradlab.sequential{
  gradlab.layer.dense{inputs = 2, outputs = width, init = "xavier_uniform"},
  gradlab.layer.tanh{},
  gradlab.layer.dense{inputs = width, outputs = 1, init = "xavier_uniform"},
}
local r = gradlab.train{model = net, data = gradlab.data.xor(), loss = "mse",
  optimizer = gradlab.optim.sgd{lr = 0.1}, epochs = 5, batch = 2, shuffle = true}
return {steps = r.steps, last_loss = r.last_loss}
