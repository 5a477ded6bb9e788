-- real_fit.lua — a finite Lua number too large for the build's real type (float: |x| > 3.4e38)
-- is an error naming its position, never a silent inf: gradlab.tensor, tables given for tensors
-- (set_param, losses, forward, gradlab.stats). NaN and infinities given as data stay allowed.
local gradlab = require "gradlab"

local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")

-- NaN and infinities are data: kept as they are (tests and studies use them)
local t = gradlab.tensor{0 / 0, 1 / 0, -1 / 0, 1e-300}
local v = t:totable()
assert(v[1] ~= v[1] and v[2] == math.huge and v[3] == -math.huge and v[4] >= 0)

local d = gradlab.layer.dense{inputs = 1, outputs = 1}
if gradlab.real == "float" then
  fails("bad argument #1 to 'gradlab.tensor' (tensor[1] = 1e+300 does not fit in float", gradlab.tensor, {1e300})
  fails("tensor[1] = 1e+300 does not fit in float", gradlab.tensor, 1e300)
  fails("tensor[2][3] = -1e+300 does not fit in float", gradlab.tensor, {{1, 2, 3}, {4, 5, -1e300}})
  fails("tensor[1][1] = 3.5e+38 does not fit in float", d.set_param, d, "weight", {{3.5e38}})
  fails("tensor[2] = 1e+39 does not fit in float", gradlab.loss.mse, {1, 2}, {1, 1e39})
  fails("tensor[1][1] = 1e+300 does not fit in float", gradlab.stats, {{1e300}})
  local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
  fails("tensor[1][2] = 1e+40 does not fit in float", net.forward, net, {{1, 1e40}})
  -- the largest float itself fits
  assert(gradlab.tensor{3.4028234663852886e38}:item() == 3.4028234663852886e38)
  assert(gradlab.tensor{-3.4028234663852886e38}:item() == -3.4028234663852886e38)
else
  assert(gradlab.tensor{1e300}:item() == 1e300)
end
assert(d:param("weight"):item() == d:param("weight"):item()) -- unchanged, still finite
return {ok = 1}
