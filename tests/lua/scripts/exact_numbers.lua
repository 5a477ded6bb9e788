-- exact_numbers.lua — numbers in summary.json read back exactly (exact_numbers.expect): cJSON's
-- 15 digits gave 0.3 for 0.1+0.2, 9.00719925474099e+15 for 2^53-1 and 9.99999999999997e-311
-- for 1e-310, in the results and in the --set values (params.p, given 9007199254740991); -0.0
-- keeps its sign; an integer --set value beyond 2^53 is kept as its text (it was rounded).
local gradlab = require "gradlab"
assert(gradlab.params.p == 9007199254740991)
assert(gradlab.params.big == 9007199254740993) -- an exact Lua integer; its text in params
return {x = 0.1 + 0.2, y = 2.0 ^ 53 - 1, z = 1e-310, w = -1 / 3, nz = -0.0, tiny = 5e-324}
