-- seed_max.lua — the largest seed (2^53-1) is exact in Lua and in summary.json (seed_max.expect).
local gradlab = require "gradlab"
assert(gradlab.seed() == 9007199254740991, tostring(gradlab.seed()))
assert(gradlab.params.big == 1e300 and gradlab.params.n == 3 and math.type(gradlab.params.n) == "integer")
return {seed = gradlab.seed()}
