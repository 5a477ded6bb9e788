-- param_types.lua — --set values and gradlab.sweep's choices reach summary.json's params with
-- the types the script sees (param_types.expect): booleans as JSON booleans, not the text.
local gradlab = require "gradlab"
local p = gradlab.params
assert(p.flag == true and p.off == false and math.type(p.n) == "integer" and p.x == 0.5 and p.s == "hi")
gradlab.sweep{swept = {true, false}, depth = {2, 3}}
assert(p.swept == true and p.depth == 2)
return {ok = true}
