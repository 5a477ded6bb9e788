-- cures.lua — study 3: the cures for vanishing and exploding gradients, side by side.
--
-- One deep MLP (default 8 hidden layers of 32) on Fashion-MNIST in variants: sigmoid with
-- N(0,1/fan_in) weights (the baseline, whose early layers barely get a gradient), ReLU + He
-- init, sigmoid + Xavier init, + batchnorm, + residual blocks, and an exploding configuration
-- (ReLU with N(0,1) weights) without and with gradient clipping. For each: the weight-gradient
-- norm of every layer at initialisation and after training, the spread first/last layer, and the
-- test accuracy after the same budget (same data, epochs, batch, learning rate). One table and
-- the figures cures_grad_init, cures_grad_trained, cures_accuracy.
--
--   gradlab run scripts/cures.lua                  # the full study
--   gradlab run scripts/cures.lua --set smoke=true # < 1 minute
-- Parameters (--set): depth width train_images test_images probe_images epochs batch lr
--   clip_norm seed0 variants (e.g. baseline,relu_he) check plot
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
package.path = here .. "lib/?.lua;" .. package.path
local S = require "study"

local P = S.params("cures", {
  depth = 8,              -- hidden layers
  width = 32,             -- units per hidden layer
  train_images = 20000,
  test_images = 10000,
  probe_images = 1000,    -- fixed batch on which the per-layer gradients are measured
  epochs = 3,
  batch = 32,
  lr = 0.1,
  clip_norm = 1.0,        -- for the clipped variant
  seed0 = 1,
  variants = {"all"},
  check = false,
  plot = true,
}, {train_images = 2000, test_images = 1000, probe_images = 200, epochs = 1})

local result = require("cures").run(P)

-- The findings this study exists to show.
local function has(k) return result[k .. "_spread_init"] ~= nil end
if has("baseline") then
  S.check(result.baseline_spread_init < 0.1,
    ("baseline: the first layer's gradient is < 1/10 of the last's at init (%.3g)")
      :format(result.baseline_spread_init))
end
if has("baseline") and has("relu_he") then
  S.check(result.relu_he_spread_init > 10 * result.baseline_spread_init,
    "ReLU + He: first/last gradient spread at least 10x closer to 1 than the baseline's")
end
if has("baseline") and has("batchnorm") then
  S.check(result.batchnorm_spread_init > result.baseline_spread_init,
    "batchnorm: less vanishing than the baseline at init")
end
if has("baseline") and has("residual") then
  S.check(result.residual_spread_init > result.baseline_spread_init,
    "residual: less vanishing than the baseline at init")
end
if has("explode") then
  S.check(result.explode_spread_init > 10,
    ("exploding config: the first layer's gradient is > 10x the last's at init (%.3g)")
      :format(result.explode_spread_init))
end
if has("explode_clip") and has("explode") then
  S.check(result.explode_clip_diverged == 0, "clipping keeps the exploding config finite")
end

for _, p in ipairs(S.finish_figures()) do print("figure: " .. p) end
return S.finish_checks(result)
