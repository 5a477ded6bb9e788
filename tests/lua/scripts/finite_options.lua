-- finite_options.lua — a given NaN/inf is an error, never "not given": init std/value,
-- gradlab.train's clip_norm/clip_value, an optimizer's clip_norm/clip_value and
-- opt:set_clipping. Text values of clip_norm/clip_value (from --set or a sweep) are parsed as
-- numbers like the optimizer type's own options.
local gradlab = require "gradlab"
local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching " .. pattern)
  assert(tostring(err):find(pattern, 1, true), "got: " .. tostring(err))
end
local nan, inf = 0 / 0, math.huge
-- initializers
fails("option 'init': constant value must be a finite number, got nan", gradlab.layer.dense,
  {inputs = 2, outputs = 1, init = {"constant", value = nan}})
fails("option 'init': normal std must be a finite number >= 0, got nan", gradlab.layer.dense,
  {inputs = 2, outputs = 1, init = {"normal", std = nan}})
fails("option 'init': normal std must be a finite number >= 0, got inf", gradlab.layer.dense,
  {inputs = 2, outputs = 1, init = {"normal", std = inf}})
fails("option 'bias_init': constant value must be a finite number, got -inf", gradlab.layer.dense,
  {inputs = 2, outputs = 1, bias_init = {"constant", value = -inf}})
-- a field the initializer does not read is an error ({"he_normal", std = 3} drew he_normal's
-- own std, {"zeros", value = 5} zeros, without a word)
fails("option 'init': he_normal takes no std (only normal does", gradlab.layer.dense,
  {inputs = 2, outputs = 1, init = {"he_normal", std = 3}})
fails("option 'init': uniform01 takes no std", gradlab.layer.dense,
  {inputs = 2, outputs = 1, init = {"uniform01", std = 10}})
fails("option 'bias_init': zeros takes no value (only constant does", gradlab.layer.dense,
  {inputs = 2, outputs = 1, bias_init = {"zeros", value = 5}})
local l = gradlab.layer.dense{inputs = 2, outputs = 1, init = {"constant", value = 0.5}}
-- gradlab.train
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
local data = gradlab.data.xor()
for _, k in ipairs{"clip_norm", "clip_value"} do
  for _, v in ipairs{nan, inf, -inf} do
    fails("gradlab.train: '" .. k .. "' must be a finite number", gradlab.train,
      {model = net, data = data, optimizer = gradlab.optim.sgd{lr = 0.1}, [k] = v})
  end
end
local r = gradlab.train{model = net, data = data, optimizer = gradlab.optim.sgd{lr = 0.1},
  clip_norm = 0, clip_value = 1, batch = 4}
assert(r.steps == 1)
-- optimizer options: NaN/inf refused, text parsed like the type's own options
fails("gradlab.optim.sgd: option 'clip_norm' must be a finite number", gradlab.optim.sgd,
  {lr = 0.1, clip_norm = nan})
fails("gradlab.optim.adam: option 'clip_value' must be a finite number", gradlab.optim.adam,
  {lr = 0.1, clip_value = inf})
fails("gradlab.optim.sgd: option 'clip_norm' must be a finite number", gradlab.optim.sgd,
  {lr = "0.1", clip_norm = "nan"})
fails("clip_norm", gradlab.optim.sgd, {lr = 0.1, clip_norm = "abc"})
local opt = gradlab.optim.sgd{lr = "0.1", clip_norm = "1e-3", clip_value = "0.5"}
-- text clip_value is in force: with lr=1 every weight moves by exactly 0.5
local d = gradlab.layer.dense{inputs = 2, outputs = 1, init = {"constant", value = 0},
  bias_init = {"constant", value = 0}}
local m = gradlab.sequential{d}
opt = gradlab.optim.sgd{lr = "1", clip_value = "0.5"}
local out = m:forward(gradlab.tensor{{100, 100}})
m:backward(gradlab.loss.mse(out, {1000}))
opt:step(m)
local w = d:param("weight"):totable()
assert(math.abs(w[1][1] - 0.5) < 1e-6 and math.abs(w[2][1] - 0.5) < 1e-6,
  "clip_value given as text: weight " .. w[1][1])
fails("clip_norm must be a finite number", opt.set_clipping, opt, nan)
fails("clip_value must be a finite number", opt.set_clipping, opt, 1, inf)
opt:set_clipping(nil, nil)
print("finite options ok")
