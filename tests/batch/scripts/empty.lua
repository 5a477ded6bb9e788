-- empty.lua — the smallest batch job: returns one result (batch tests, bench/startup.sh).
local gradlab = require "gradlab"
return {x = gradlab.params.x or 0}
