-- sweep.lua — gradlab.sweep: outside a batch, missing keys take their first value, --set wins.
local gradlab = require "gradlab"
local p = gradlab.sweep{depth = {2, 3, 4}, act = {"sigmoid", "relu"}}
assert(p == gradlab.params)
assert(p.depth == 2, "first value")
assert(p.act == "relu", "--set wins over the sweep")
return {depth = p.depth, act = p.act}
