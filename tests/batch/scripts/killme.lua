-- killme.lua — a training job that kills its own gradlab process (signal sig, default KILL)
-- in its on_epoch callback after 300 steps (batch tests): what it recorded until then is in
-- its metrics.csv.part and log.txt.part.
local gradlab = require "gradlab"
local net = gradlab.sequential{
  gradlab.layer.dense{inputs = 2, outputs = 4, init = "xavier_uniform"},
  gradlab.layer.tanh{},
  gradlab.layer.dense{inputs = 4, outputs = 1, init = "xavier_uniform"},
}
gradlab.train{model = net, data = gradlab.data.xor(), loss = "mse",
  optimizer = gradlab.optim.sgd{lr = 0.1}, epochs = 1000, batch = 1,
  on_epoch = function(epoch, info)
    if info.steps >= 300 then
      os.execute("kill -" .. (gradlab.params.sig or "KILL") .. " $PPID")
      os.execute("sleep 5")
    end
  end}
error("still alive after its signal")
