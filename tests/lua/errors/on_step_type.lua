-- on_step_type.lua — a callback of the wrong type: the message names the option and the value's
-- type (not the options table's).
local gradlab = require "gradlab"
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
local ok, err = pcall(gradlab.train, {model = net, data = gradlab.data.xor(),
  optimizer = gradlab.optim.sgd{lr = 0.1}, on_epoch = 5})
assert(not ok and err:find("'on_epoch' must be a function, got number", 1, true), err)
gradlab.train{model = net, data = gradlab.data.xor(), optimizer = gradlab.optim.sgd{lr = 0.1},
  on_step = "x"}
