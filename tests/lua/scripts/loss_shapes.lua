-- loss_shapes.lua — mse and bce pair output and target elements only when their shapes agree
-- (sizes of 1 aside): a transposed target had the same element count and gave a wrong loss
-- (1.667 for [2][3] against its transpose) without a word.
local gradlab = require "gradlab"
local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
local T = gradlab.tensor
local out = T{{1, 2, 3}, {4, 5, 6}}
fails("gradlab.loss.mse: output [2][3] and targets [3][2] differ in shape (sizes of 1 aside)",
  gradlab.loss.mse, out, {{1, 4}, {2, 5}, {3, 6}})
fails("gradlab.loss.bce: output [2][2] and targets [4] differ in shape",
  gradlab.loss.bce, T{{0, 1}, {2, 3}}, {0, 1, 0, 1})
fails("output [2][2] and targets [1][4] differ", gradlab.loss.mse, T{{0, 1}, {2, 3}}, {{0, 1, 0, 1}})
-- what agrees: equal shapes, and shapes equal once sizes of 1 are left out
assert(gradlab.loss.mse(out, {{1, 2, 3}, {4, 5, 6}}):item() == 0)
assert(gradlab.loss.mse(T{{1}, {2}, {3}}, {1, 2, 3}):item() == 0)
assert(gradlab.loss.mse(T{{1, 2, 3}}, {{1}, {2}, {3}}):item() == 0)
-- a model's output likewise
local net = gradlab.sequential{gradlab.layer.dense{inputs = 3, outputs = 2}}
local y = net:forward(out)
fails("gradlab.loss.mse: output [2][2] and targets [4] differ in shape", gradlab.loss.mse, y,
  {1, 2, 3, 4})
-- one-hot rows given to cross_entropy: said so (the message showed "table: 0x55...")
fails("gradlab.loss.cross_entropy: labels[1] is a table (a one-hot row?): cross_entropy takes class indices",
  gradlab.loss.cross_entropy, T{{0, 1}, {1, 0}}, {{0, 1}, {1, 0}})
