-- seed_query.lua: gradlab.seed() returns the run's seed (--seed 7 in the test), then the new one;
-- summary.json keeps "seed" 7 and records "last_seed" 9 (seed_query.expect)
local gradlab = require "gradlab"
assert(gradlab.seed() == 7, "gradlab.seed() = " .. tostring(gradlab.seed()) .. ", expected --seed 7")
gradlab.seed(9)
assert(gradlab.seed() == 9, "after gradlab.seed(9)")
return {seed = gradlab.seed()}
