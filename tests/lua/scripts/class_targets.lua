-- class_targets.lua — mse/bce on class labels: K outputs take one-hot targets; one output takes
-- the label itself as its 0/1 target, which only means something for 2 classes. One output for
-- K > 2 classes trained against the raw class index (target 2 on blobs{classes=3}) with no
-- error: now gradlab.train and net:evaluate refuse it naming the loss, the classes and the width.
local gradlab = require "gradlab"

local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
gradlab.seed(5)
local three = gradlab.data.blobs{n = 30, classes = 3, dim = 2}
local two = gradlab.data.blobs{n = 30, classes = 2, dim = 2}
local function net(outputs, extra)
  local layers = {gradlab.layer.dense{inputs = 2, outputs = 4}, gradlab.layer.tanh{}}
  if extra then layers[#layers + 1] = extra end
  layers[#layers + 1] = gradlab.layer.dense{inputs = 4, outputs = outputs}
  return gradlab.sequential(layers)
end
local function train(model, data, loss)
  return gradlab.train{model = model, data = data, loss = loss, optimizer = gradlab.optim.sgd{lr = 0.1},
                       epochs = 2, batch = 10}
end

for _, loss in ipairs{"mse", "bce"} do
  local n1 = net(1)
  fails("gradlab.train: loss '" .. loss .. "' on class labels: the data has 3 classes and the model "
        .. "gives 1 output per item", train, n1, three, loss)
  assert(n1:steps() == 0, "nothing trained")
  fails("net:evaluate: loss '" .. loss .. "' on class labels: the data has 3 classes and the model "
        .. "gives 1 output per item", n1.evaluate, n1, three, loss)
  -- K outputs (one-hot targets) and 1 output for 2 classes are fine
  assert(train(net(3), three, loss).steps == 6)
  assert(train(net(1), two, loss).steps == 6)
  assert(train(net(2), two, loss).steps == 6)
  assert(net(3):evaluate(three, loss).items == 30)
  assert(net(1):evaluate(two, {loss = loss, batch = 7}).items == 30)
end
-- the check runs in evaluation mode and leaves the model as it was: a batchnorm's running
-- statistics, the training mode, a pending prediction and its statistics
local bn = net(1, gradlab.layer.batchnorm{features = 4})
local y = bn:forward{{1, 2}, {3, 4}} -- training mode: moves the running statistics once
local before = bn:layer(3):param("running_mean"):totable()
fails("gradlab.train: loss 'mse' on class labels", train, bn, three, "mse")
fails("net:evaluate: loss 'bce'", bn.evaluate, bn, three, "bce")
assert(#y:totable() == 2, "the prediction is still readable")
local after = bn:layer(3):param("running_mean"):totable()
for i = 1, 4 do assert(after[i] == before[i], "running_mean moved") end
bn:backward(gradlab.loss.mse(y, {{0}, {1}}))
assert(bn:layer(1):grad_stats().output_grad.count == 8, "statistics of that step recorded")
bn:eval()
fails("gradlab.train: loss 'mse'", train, bn, three, "mse")
assert(bn:layer(3):param("running_mean"):totable()[1] == before[1])
-- cross_entropy with one output is refused by the labels check, as before
fails("outside the class indices 0..0", train, net(1), three, "cross_entropy")
return {ok = 1}
