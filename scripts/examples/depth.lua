-- depth.lua — the example script of docs/batch.md: how the depth and the activation of an MLP
-- change the gradient that reaches its first layer, and whether the network learns.
--
-- An MLP [16, width × depth, 4] (activation act, weights N(0, 1/fan_in), zero biases) trained
-- with SGD (cross-entropy) on the built-in blobs data (800 training / 200 test items, 4 classes,
-- 16 features; the data is fixed, seed 7). The network is initialised from the run's seed
-- (gradlab run --seed N, gradlab batch --seeds A..B), so every seed is another network. Returns,
-- for summary.json and a batch's summary.csv: grad_ratio_first / grad_ratio_last, the norm of
-- the first layer's weight gradient over the last layer's at the first and the last training
-- step; test_loss, test_accuracy (the run's loss/accuracy columns are the training's).
--
--   gradlab run scripts/examples/depth.lua --set depth=8 --set act=sigmoid --seed 3
--   gradlab batch scripts/examples/depth.lua --grid depth=2,4,8 --grid act=sigmoid,relu \
--     --seeds 1..5 -j 2 --out results/depth
-- Parameters (--set): depth width act epochs lr batch plot
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
package.path = here .. "../lib/?.lua;" .. package.path
local gradlab = require "gradlab"
local S = require "study"

local P = S.params("depth", {
  depth = 4,          -- hidden layers
  width = 32,         -- units per hidden layer
  act = "sigmoid",    -- hidden activation
  epochs = 5,
  lr = 0.1,
  batch = 20,
  plot = true,
}, {epochs = 1}, {
  depth = S.whole(1), width = S.whole(1), act = S.one_of{"sigmoid", "tanh", "relu"},
  epochs = S.whole(1), lr = S.number(0, ">"), batch = S.whole(1),
})

local all = gradlab.data.blobs{n = 1000, classes = 4, dim = 16, seed = 7}
local train, test = all:split(0.8)
local sizes = {16}
for _ = 1, P.depth do sizes[#sizes + 1] = P.width end
sizes[#sizes + 1] = 4
local net, dense = S.mlp{sizes = sizes, act = P.act, init = "normal_scaled", bias_init = "zeros"}

local r = gradlab.train{model = net, data = train, loss = "cross_entropy",
  optimizer = gradlab.optim.sgd{lr = P.lr}, epochs = P.epochs, batch = P.batch}
local first = dense[1]:history("params.weight.grad.norm")
local last = dense[#dense]:history("params.weight.grad.norm")
local ev = net:evaluate(test, "cross_entropy")
local result = {
  grad_ratio_first = first[1] / last[1],
  grad_ratio_last = first[#first] / last[#last],
  test_loss = ev.loss,
  test_accuracy = ev.accuracy,
}
print(("[16, %d×%d, 4] %s: ||dW_1|| / ||dW_%d|| = %.3g at the first step, %.3g at the last; "
  .. "training loss %.4f, test accuracy %.3f"):format(P.width, P.depth, P.act, #dense,
  result.grad_ratio_first, result.grad_ratio_last, r.loss, ev.accuracy))
return result
