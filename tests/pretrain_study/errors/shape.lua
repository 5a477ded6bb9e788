-- A deliberate mistake with gradlab.pretrain: the run must end with exit 1 and a clear message.
local gradlab = require "gradlab"
local L = gradlab.layer
local net = gradlab.sequential{L.dense{inputs = 4, outputs = 3}, L.sigmoid{},
  L.dense{inputs = 3, outputs = 2}}
local data = gradlab.data.blobs{n = 40, classes = 2, dim = 4}
gradlab.pretrain{model = net, data = gradlab.data.blobs{n = 40, classes = 2, dim = 5}}
