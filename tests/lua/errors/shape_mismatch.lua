local gradlab = require "gradlab"
-- A batch whose width does not fit (layers that do not fit each other are refused earlier, by
-- gradlab.sequential: see scripts/widths.lua).
local net = gradlab.sequential{gradlab.layer.dense{inputs = 4, outputs = 1, name = "head"}}
-- the forward names the layer and both shapes
net:forward{{1, 2, 3}}
