-- collide.lua — a job whose result table has keys that are also fixed summary.csv columns
-- (status, seed, loss) and a parameter (x) (batch tests: they become result.<key>).
-- fake: sleep 0
local gradlab = require "gradlab"
return {status = "mine", seed = 3, loss = 0.5, x = 7, extra = gradlab.params.x}
