-- cures.lua — study 3: the cures for vanishing and exploding gradients, side by side.
--
-- One deep MLP (default 8 hidden layers of 32) on Fashion-MNIST in variants: sigmoid with
-- N(0,1/fan_in) weights (the baseline, whose early layers barely get a gradient), ReLU + He
-- init, sigmoid + Xavier init, + batchnorm, + residual blocks, and an exploding configuration
-- (ReLU with N(0,1) weights) without and with gradient clipping, and ReLU + He with a step too
-- large (lr 1) without and with gradient clipping. For each: the weight-gradient norm and δ of
-- every layer at initialisation and after training, the spread first/last layer, and the test
-- accuracy after the same budget (same data, epochs, batch; lr 0.1 except the lr-1 pair). One
-- table and the figures cures_grad_init, cures_delta_init, cures_grad_trained, cures_accuracy.
-- Every variant is trained from 3 seeds (accuracy mean ± sd; the per-layer figures: seed0).
--
--   gradlab run scripts/cures.lua                  # the full study
--   gradlab run scripts/cures.lua --set smoke=true # < 1 minute
-- Parameters (--set): depth width train_images test_images probe_images epochs batch lr
--   clip_norm seed0 seeds variants (e.g. baseline,relu_he) check plot
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
package.path = here .. "lib/?.lua;scripts/lib/?.lua;" .. package.path
local S = require "study"
local cures = require "cures"

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
  seeds = 3,              -- networks per variant (seed0, seed0+1, ...): accuracy mean ± sd
  variants = {"all"},
  check = false,
  plot = true,
}, {train_images = 2000, test_images = 1000, probe_images = 200, epochs = 1, seeds = 1}, {
  depth = S.whole(1), width = S.whole(1), train_images = S.whole(1), test_images = S.whole(1),
  probe_images = S.whole(1), epochs = S.whole(0), batch = S.whole(1), lr = S.number(0, ">"),
  clip_norm = S.number(0, ">"), seed0 = S.whole(0), seeds = S.whole(1),
  variants = S.list(S.one_of(cures.variant_names), {unique = true}),
})
S.at_most(P, "probe_images", "train_images")
cures.pick(P.variants)

local result = cures.run(P)

-- The findings this study exists to show.
local function has(k) return result[k .. "_spread_init"] ~= nil end
if has("baseline") then
  S.check(result.baseline_spread_init < 0.1 and result.baseline_delta_spread_init < 0.1,
    ("baseline: the first layer's gradient is < 1/10 of the last's at init (dW %.3g, δ %.3g)")
      :format(result.baseline_spread_init, result.baseline_delta_spread_init))
end
for _, k in ipairs{"relu_he", "batchnorm", "residual"} do
  if has("baseline") and has(k) then
    S.check(S.decades(result[k .. "_delta_spread_init"])
      < S.decades(result.baseline_delta_spread_init) - 2,
      ("%s: ||δ_1||/||δ_L|| at init is > 2 decades closer to 1 than the baseline's (%.3g vs %.3g)")
        :format(k, result[k .. "_delta_spread_init"], result.baseline_delta_spread_init))
  end
end
if has("explode") then
  S.check(result.explode_delta_spread_init > 100,
    ("exploding config: ||δ_1|| is > 100x ||δ_L|| at init (%.3g)")
      :format(result.explode_delta_spread_init))
end
if has("explode_clip") and has("explode") then
  S.check(result.explode_clip_diverged == 0, "clipping keeps the exploding config finite")
end
if has("lr_high") and has("lr_high_clip") then
  S.check(result.lr_high_diverged == 1 and result.lr_high_clip_diverged == 0
    and result.lr_high_clip_accuracy > 0.15, ("lr 1: plain SGD diverges, with clip_norm it "
    .. "trains (test accuracy %.3f)"):format(result.lr_high_clip_accuracy))
end

for _, p in ipairs(S.finish_figures()) do print("figure: " .. p) end
return S.finish_checks(result)
