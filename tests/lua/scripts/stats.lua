-- stats.lua — statistics from Lua: grad_stats records, history paths, net:grad_stats with
-- nested names, the manual loop (forward/loss/backward/step) recording the same statistics,
-- an early stop from on_step, and clipping.
local gradlab = require "gradlab"
gradlab.seed(5)
local net = gradlab.sequential{
  gradlab.layer.dense{inputs=2, outputs=4},
  gradlab.layer.sigmoid{},
  gradlab.layer.residual{gradlab.layer.dense{inputs=4, outputs=4}, gradlab.layer.relu{}},
  gradlab.layer.dense{inputs=4, outputs=1},
}
local data = gradlab.data.xor()
local r = gradlab.train{model=net, data=data, loss="mse", optimizer=gradlab.optim.sgd{lr=0.1},
  epochs=5, batch=2, record_every=1, clip_norm=1.0}
assert(r.steps == 10, "steps " .. r.steps)

local s = net:layer(1):grad_stats()
assert(s, "a record")
for _, k in ipairs{"count", "norm", "mean", "std", "min", "max", "mean_abs", "frac_zero", "nonfinite"} do
  assert(s.output_grad[k] ~= nil, "output_grad." .. k)
  assert(s.params.weight[k] ~= nil, "params.weight." .. k)
  assert(s.params.weight.grad[k] ~= nil, "params.weight.grad." .. k)
end
assert(s.params.weight.count == 8 and s.params.weight.grad.norm > 0)
assert(s.params.weight.update_ratio and s.params.weight.update_ratio > 0, "update ratio")
local sg = net:layer(2):grad_stats()
assert(sg.activation.saturation ~= nil, "sigmoid saturation")
local rl = net:layer("3.2"):grad_stats()
assert(rl.activation.dead ~= nil, "relu dead fraction")

local h, steps = net:layer(1):history("params.weight.grad.norm")
assert(#h == 10 and #steps == 10 and steps[10] == 10, "history over steps: " .. #h)
for i = 1, #h do assert(h[i] > 0) end
assert(#net:layer(1):history("output_grad.norm") == 10)
assert(not pcall(function() return net:layer(1):history("params.nope.norm") end), "bad path raises")

local all = net:grad_stats()
local names = {}
for _, rec in ipairs(all) do names[rec.layer] = true end
assert(names["1"] and names["3"] and names["3.1"] and names["3.2"] and names["4"], "nested records")

-- the manual loop records too
local opt = gradlab.optim.momentum{lr=0.05, momentum=0.9}
local before = net:steps()
for i = 1, 3 do
  local x, y = {{0, 1}, {1, 0}}, {{1}, {1}}
  net:zero_grad()
  local out = net:forward(x)
  local loss = gradlab.loss.mse(out, y)
  assert(net:backward(loss))
  assert(opt:step(net))
end
assert(net:steps() == before + 3)
local h2 = net:layer(4):history("params.weight.norm")
assert(#h2 == 13, "manual steps recorded: " .. #h2)

-- early stop from a callback
local n = 0
local r2 = gradlab.train{model=net, data=data, optimizer=gradlab.optim.sgd{lr=0.1}, epochs=10,
  batch=1, on_step=function(step, info) n = n + 1; if n == 3 then return false end end}
assert(r2.stopped == "callback" and r2.steps == 3, "stop from on_step")

-- tostring and a prediction between steps do not disturb the statistics of a pending step;
-- evaluate between a loss and its backward is refused
local out = net:forward{{0, 1}}
local loss = gradlab.loss.mse(out, {{1}})
local _ = tostring(net)
assert(not pcall(net.evaluate, net, data), "evaluate before backward is refused")
net:zero_grad()
assert(net:backward(loss))
assert(net:layer(1):grad_stats().output_grad, "output_grad recorded")
net:forward{{1, 1}} -- a prediction
assert(net:evaluate(data).loss >= 0)

-- a callback may not run the model being trained
local ok, err = pcall(gradlab.train, {model = net, data = data, optimizer = gradlab.optim.sgd{lr = 0.1},
  on_step = function() net:forward{{0, 1}} end})
assert(not ok and tostring(err):find("being trained"), tostring(err))
assert(net:forward{{0, 1}}, "usable again after")

-- a buffer (batchnorm's running_mean) has value statistics only: its history has no grad or
-- update path (they would read as zeros)
local bnet = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 4},
                                gradlab.layer.batchnorm{features = 4},
                                gradlab.layer.dense{inputs = 4, outputs = 1}}
gradlab.train{model = bnet, data = data, loss = "mse", optimizer = gradlab.optim.sgd{lr = 0.1},
              epochs = 2, batch = 4}
local bs = bnet:layer(2):grad_stats().params.running_mean
assert(bs.buffer and bs.grad == nil and bs.norm > 0, "buffer record")
assert(#bnet:layer(2):history("params.running_mean.norm") == 2)
for _, p in ipairs{"params.running_mean.grad.norm", "params.running_var.update_ratio"} do
  local okb, errb = pcall(bnet:layer(2).history, bnet:layer(2), p)
  assert(not okb and tostring(errb):find("is a buffer"), p .. ": " .. tostring(errb))
end

-- statistics of any tensor
local st = gradlab.stats{3, 4}
assert(math.abs(st.norm - 5) < 1e-6 and st.count == 2)
return {steps = net:steps(), norm = h[#h]}
