-- seeded.lua — everything random comes from the run's seed (--seed): initializers, data, shuffles.
local gradlab = require "gradlab"
local data = gradlab.data.spirals{n = 40}
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 6}, gradlab.layer.tanh{},
                               gradlab.layer.dense{inputs = 6, outputs = 2}}
local r = gradlab.train{model = net, data = data, loss = "cross_entropy",
  optimizer = gradlab.optim.adam{lr = 0.01}, epochs = 3, batch = 8}
return {loss = r.loss}
