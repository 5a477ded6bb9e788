local gradlab = require "gradlab"
local l = gradlab.layer.dense{inputs = {}, outputs = 3}
