local gradlab = require "gradlab"
local l = gradlab.layer.dense{inputs = 2, outputs = 3, bias_int = "zeros"}
