-- depth_speed.lua — study 2: depth makes the early layers learn slowly (Nielsen's "speed of
-- learning" table, on Fashion-MNIST).
--
-- Sigmoid MLPs [784,30,30,10], [784,30,30,30,10], [784,30,30,30,30,10]; weights N(0, 1/fan_in),
-- biases N(0, 1), quadratic cost C = (1/2n) Σ ||y - a||². For each hidden layer l the speed of
-- learning is ||∂C/∂b_l||, the norm of δ_l averaged over n = 1,000 training images (the gradient
-- of C), measured at initialisation (averaged over 5 seeds) and over 500 epochs of SGD on those
-- images (mini-batches of 10, η = 0.1 on C: Nielsen's rate and epoch count), with C itself.
--
--   gradlab run scripts/depth_speed.lua                  # the full study
--   gradlab run scripts/depth_speed.lua --set smoke=true # < 1 minute
-- Parameters (--set): seeds images hidden depths epochs lr batch probe_every seed0 check plot
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
package.path = here .. "lib/?.lua;scripts/lib/?.lua;" .. package.path
local S = require "study"

local P = S.params("depth_speed", {
  seeds = 5,          -- networks per depth at initialisation (averaged)
  images = 1000,      -- training images for the gradient and for training
  hidden = 30,        -- units per hidden layer
  depths = {2, 3, 4}, -- numbers of hidden layers
  epochs = 500,       -- training epochs (over `images`), 0 = initialisation only
  lr = 0.5,           -- SGD step on mean-squared error (= 0.1 on Nielsen's C, see README)
  batch = 10,
  probe_every = 5,    -- epochs between gradient measurements during training
  seed0 = 1,
  check = false,      -- end with an error if the qualitative finding does not hold
  plot = true,
}, {seeds = 2, images = 200, epochs = 2}, {
  seeds = S.whole(1), images = S.whole(1), hidden = S.whole(1),
  depths = S.list(S.whole(1), {unique = true}), epochs = S.whole(0), lr = S.number(0, ">"),
  batch = S.whole(1), probe_every = S.whole(1), seed0 = S.whole(0),
})

local result = require("speed").run(P)
for _, p in ipairs(S.finish_figures()) do print("figure: " .. p) end
return S.finish_checks(result)
