-- A layer name of 2000 bytes is recorded whole in metrics.csv (the test then counts its rows).
local gradlab = require "gradlab"
local name = string.rep("x", 2000)
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1, name = name}}
gradlab.train{model = net, data = gradlab.data.xor(), optimizer = gradlab.optim.sgd{lr = 0.1},
              epochs = 1, batch = 4}
assert(net:layer(name).name == name)
print("long_name_metrics: trained")
