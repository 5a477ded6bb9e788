-- sweep_values.lua — gradlab.sweep refuses what its grid cannot carry, naming key and position:
-- NaN/inf (JSON null, so a batch ran 1 job for {0/0, 1/0, 1}), integers beyond 2^53 (not exact
-- in JSON), repeated values, lists with holes or other keys ({[1]=1, [3]=3} became [1], {1, 2,
-- n=2} was accepted); and a second gradlab.sweep call in one script (batch never sees its grid).
local gradlab = require "gradlab"

local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
local sweep = gradlab.sweep

fails("gradlab.sweep: value 1 of 'x' is nan (values must be finite numbers", sweep, {x = {0 / 0, 1 / 0, 1}})
fails("gradlab.sweep: value 2 of 'x' is inf", sweep, {x = {1, 1 / 0}})
fails("gradlab.sweep: value 1 of 'x' is -inf", sweep, {x = {-1 / 0}})
fails("gradlab.sweep: value 1 of 'n' is 9007199254740993, beyond 2^53", sweep, {n = {(1 << 53) + 1}})
fails("gradlab.sweep: value 2 of 'n' is -9007199254740993, beyond 2^53", sweep, {n = {1, -(1 << 53) - 1}})
fails("gradlab.sweep: value 3 of 'x' repeats value 1 (2)", sweep, {x = {2, 3, 2.0}})
fails("gradlab.sweep: value 2 of 's' repeats value 1 (\"a\")", sweep, {s = {"a", "a"}})
fails("gradlab.sweep: 'y' has key 3, outside 1..1", sweep, {y = {[1] = 1, [3] = 3}})
fails("gradlab.sweep: 'z' has key 'n', outside 1..3", sweep, {z = {1, 2, 3, n = 3}})
fails("gradlab.sweep: value 1 of 'f' is a function", sweep, {f = {print}})
fails("gradlab.sweep: 'x' must be a non-empty list of values", sweep, {x = {}})
fails("gradlab.sweep: keys must be parameter names", sweep, {[1] = {1}})
fails("gradlab.sweep: 'a=b' is not a parameter name", sweep, {["a=b"] = {1}})
fails("gradlab.sweep: '' is not a parameter name", sweep, {[""] = {1}})
assert(gradlab.params.x == nil, "a refused grid sets nothing")

-- large floats and integers up to 2^53 are fine; the first value is chosen
local p = sweep{lr = {1e-3, 1e300}, n = {1 << 53, 1}, flag = {false, true}, act = {"relu"}}
assert(p.lr == 1e-3 and p.n == 2^53 and p.flag == false and p.act == "relu")
-- one grid per script: a second call is an error naming the first
fails("gradlab.sweep: called a second time; the grid was declared at", sweep, {depth = {1, 2}})
fails("sweep_values.lua:", sweep, {depth = {1, 2}})
return {ok = 1}
