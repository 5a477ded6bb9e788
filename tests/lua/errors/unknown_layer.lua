local gradlab = require "gradlab"
local l = gradlab.layer.dens{inputs = 2, outputs = 3}
