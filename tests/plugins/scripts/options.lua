-- Option values no option can mean are errors naming the type and option: non-finite reals set
-- explicitly, non-positive learning rates, a negative or non-finite std, a non-finite constant.
local gradlab = require "gradlab"
local function check(cond, what) if not cond then error("FAILED: " .. what, 2) end end
local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  check(not ok, "expected an error matching " .. pattern)
  check(tostring(err):find(pattern), "error '" .. tostring(err) .. "' lacks '" .. pattern .. "'")
end
local inf, nan = 1 / 0, 0 / 0

for _, name in ipairs{"sgd", "momentum", "adam", "rmsprop"} do
  local make = gradlab.optim[name]
  fails(name .. ": option 'lr' must be a finite number, got inf", make, {lr = inf})
  fails(name .. ": option 'lr' must be a finite number, got %-inf", make, {lr = -inf})
  fails(name .. ": option 'lr' must be a finite number, got nan", make, {lr = nan})
  fails(name .. ": option 'lr' must be > 0, got 0", make, {lr = 0})
  fails(name .. ": option 'lr' must be > 0, got %-0.5", make, {lr = -0.5})
  fails(name .. ": option 'clip_norm' must be a finite number, got nan", make, {lr = 0.1, clip_norm = nan})
  fails(name .. ": option 'clip_value' must be a finite number, got inf", make, {lr = 0.1, clip_value = inf})
  fails(name .. ": option 'weight_decay' must be a finite number, got inf", make, {lr = 0.1, weight_decay = inf})
  check(make{lr = 0.1}, name .. " with defaults") -- unset reals (clip_norm) stay allowed
  check(make{lr = "0.1"}, name .. " from text (--set)")
  fails(name .. ": option 'lr' must be a finite number, got inf", make, {lr = "inf"})
end
fails("momentum: option 'momentum' must be a finite number, got nan", gradlab.optim.momentum,
      {lr = 0.1, momentum = nan})

local function dense(t) t.inputs = 2; t.outputs = 2; return gradlab.layer.dense(t) end
fails("dense: option 'init': normal std must be a finite number >= 0, got %-1", dense, {init = {"normal", std = -1}})
fails("dense: option 'init': normal std must be a finite number >= 0, got inf", dense, {init = {"normal", std = inf}})
fails("dense: option 'bias_init': constant value must be a finite number, got %-inf", dense,
      {bias_init = {"constant", value = -inf}})
check(dense{init = {"normal", std = 0}}, "std 0 is allowed")
check(dense{init = {"normal", std = 0.1}, bias_init = {"constant", value = 0.5}}, "good initializers")
fails("batchnorm: option 'eps' must be a finite number, got inf", gradlab.layer.batchnorm, {features = 2, eps = inf})
fails("relu: option 'slope' must be a finite number, got nan", gradlab.layer.relu, {slope = nan})
-- a finite number too large for the real type (float: 1e300) would become inf
if gradlab.real == "float" then
  fails("dense: option 'init': normal std 1e%+300 is too large for float", dense, {init = {"normal", std = 1e300}})
  fails("dense: option 'bias_init': constant value 1e%+300 is too large for float", dense,
        {bias_init = {"constant", value = 1e300}})
  fails("sgd: option 'weight_decay' is 1e%+300, too large for float", gradlab.optim.sgd, {lr = 0.1, weight_decay = 1e300})
else
  check(dense{init = {"normal", std = 1e300}}, "1e300 fits a double")
end
print("options: all checks passed")
