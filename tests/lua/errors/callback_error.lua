-- callback_error.lua — an error inside on_step (line 7) ends the script with that error.
local gradlab = require "gradlab"
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
gradlab.train{model = net, data = gradlab.data.xor(), optimizer = gradlab.optim.sgd{lr = 0.1},
  epochs = 3, on_step = function(step, info)
    if step == 2 then
      error("callback failed at step " .. step)
    end
  end}
