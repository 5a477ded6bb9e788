local gradlab = require "gradlab"
local net = gradlab.sequential{
  gradlab.layer.dense{inputs = 2, outputs = 3},
  gradlab.layer.dense{inputs = 4, outputs = 1, name = "head"},
}
net:forward{{1, 2}}
