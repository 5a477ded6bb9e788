-- long_train.lua — a few thousand recorded steps (about 1 MB of metrics.csv): disk_full.sh runs
-- it under a file size limit.
local gradlab = require "gradlab"
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 8}, gradlab.layer.tanh{},
                               gradlab.layer.dense{inputs = 8, outputs = 1}}
gradlab.train{model = net, data = gradlab.data.xor(), loss = "mse",
              optimizer = gradlab.optim.sgd{lr = 0.1}, epochs = 200, batch = 4}
error("the run folder took all of metrics.csv: the file size limit did not apply")
