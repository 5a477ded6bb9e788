-- doc_optimizer.lua: run with --plugin mysgd.so, the optimizer example of docs/plugins.md
-- (tests/plugins/doc_optimizer.cmake builds it): it trains a small net to the same weights as the
-- shipped momentum optimizer (whose classical update it is), and checks its range.
local gradlab = require "gradlab"

local function train(make_opt)
  gradlab.seed(3)
  local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 3},
                                 gradlab.layer.tanh{},
                                 gradlab.layer.dense{inputs = 3, outputs = 1}}
  local opt = make_opt()
  local x, y = {{0, 1}, {1, 0}, {1, 1}, {0, 0}}, {{1}, {1}, {0}, {0}}
  for _ = 1, 5 do
    net:zero_grad()
    assert(net:backward(gradlab.loss.mse(net:forward(x), y)))
    assert(opt:step(net))
  end
  return net:layer(1):param("weight"):totable(), opt
end

local a, opt = train(function() return gradlab.optim.mysgd{lr = 0.1, momentum = 0.9} end)
local b = train(function() return gradlab.optim.momentum{lr = 0.1, momentum = 0.9} end)
assert(opt.type == "mysgd" and opt:steps() == 5, "mysgd did not step")
local moved = false
for i = 1, 2 do
  for j = 1, 3 do
    assert(math.abs(a[i][j] - b[i][j]) <= 1e-6 * math.max(1, math.abs(b[i][j])),
           ("weight[%d][%d]: mysgd %.9g, momentum %.9g"):format(i, j, a[i][j], b[i][j]))
  end
end
local c = train(function() return gradlab.optim.mysgd{lr = 0.1, momentum = 0} end)
for i = 1, 2 do
  for j = 1, 3 do moved = moved or c[i][j] ~= a[i][j] end
end
assert(moved, "momentum=0 gave the same weights as momentum=0.9")

local ok, err = pcall(gradlab.optim.mysgd, {lr = -1})
assert(not ok and tostring(err):find("mysgd: option 'lr' must be > 0, got %-1"), tostring(err))
ok, err = pcall(gradlab.optim.mysgd, {})
assert(not ok and tostring(err):find("missing required option 'lr'"), tostring(err))
print("doc_optimizer: all checks passed")
