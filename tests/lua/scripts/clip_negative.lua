-- clip_negative.lua — a negative clip_norm/clip_value is an error naming the option at the
-- script's line, in gradlab.train{} and opt:set_clipping (both go through the core's
-- glab_optimizer_set_clipping, which read a negative value as "off"); 0 and nil are off.
-- (The calls below are statements, not tail calls, so that the line is there to see.)
local gradlab = require "gradlab"
local function fails_at(line, pattern, f)
  local ok, err = pcall(f)
  assert(not ok, "expected an error matching " .. pattern)
  err = tostring(err)
  local where = "clip_negative.lua:" .. line .. ": "
  assert(err:find(where, 1, true), "error '" .. err .. "' is not at " .. where)
  assert(err:find(pattern, 1, true), "error '" .. err .. "' lacks '" .. pattern .. "'")
end
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
local data = gradlab.data.xor()
local opt = gradlab.optim.sgd{lr = 0.1}
fails_at(19, "gradlab.train: sgd: option 'clip_norm' must be a finite number >= 0 (0: off), got -1",
  function()
    gradlab.train{model = net, data = data, optimizer = opt, clip_norm = -1, batch = 4}
  end)
fails_at(23, "gradlab.train: sgd: option 'clip_value' must be a finite number >= 0 (0: off), got -0.5",
  function()
    gradlab.train{model = net, data = data, optimizer = opt, clip_value = -0.5, batch = 4}
  end)
assert(opt:steps() == 0, "a refused train{} made a step")
fails_at(27, "opt:set_clipping: sgd: option 'clip_norm' must be a finite number >= 0 (0: off), got -1",
  function() opt:set_clipping(-1) end)
fails_at(29, "opt:set_clipping: sgd: option 'clip_value' must be a finite number >= 0 (0: off), got -2",
  function() opt:set_clipping(1, -2) end)
-- a refused call changes nothing: clip_value=0.5 stays in force (lr=1, every weight moves 0.5)
local d = gradlab.layer.dense{inputs = 2, outputs = 1, init = {"constant", value = 0},
  bias_init = {"constant", value = 0}}
local m = gradlab.sequential{d}
local o = gradlab.optim.sgd{lr = 1, clip_value = 0.5}
assert(not pcall(o.set_clipping, o, 0, -1))
m:backward(gradlab.loss.mse(m:forward{{100, 100}}, {1000}))
o:step(m)
local w = d:param("weight"):totable()
assert(math.abs(w[1][1] - 0.5) < 1e-6, "clip_value after a refused set_clipping: " .. w[1][1])
-- 0 and nil are off
assert(opt:set_clipping(0, 0) == opt and opt:set_clipping() == opt)
local r = gradlab.train{model = net, data = data, optimizer = opt, clip_norm = 0, clip_value = 0,
  batch = 4}
assert(r.steps == 1)
print("clip negative ok")
