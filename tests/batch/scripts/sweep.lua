-- sweep.lua — a script that declares its own grid (batch tests: 3 x 2 jobs per seed).
-- fake: sweep {"depth":[1,2,3],"act":["relu","tanh"]}
local gradlab = require "gradlab"
local p = gradlab.sweep{depth = {1, 2, 3}, act = {"relu", "tanh"}}
return {depth = p.depth, act = p.act}
