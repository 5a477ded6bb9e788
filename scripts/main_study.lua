-- main_study.lua — the flagship: studies 2 and 3 at the sizes of the full studies
-- (depth_speed.lua, cures.lua: ~15 s of CPU, well inside the 3-minute budget on 2 cores; every
-- size can be reduced with --set). Prints the per-layer "speed of learning" table (one row per
-- network, one column per hidden layer), the table of the cures, and the paths of the figures. Uses Fashion-MNIST when
-- installed (Debian package dataset-fashion-mnist); otherwise says so and uses a built-in
-- dataset of the same shape.
--
--   gradlab run scripts/main_study.lua --out runs/main_study
--   gradlab run scripts/main_study.lua --set smoke=true
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
package.path = here .. "lib/?.lua;scripts/lib/?.lua;" .. package.path
local S = require "study"

local P = S.params("main_study", {
  -- study 2 (speed of learning)
  seeds = 5, images = 1000, depths = {2, 3, 4}, speed_epochs = 500, speed_lr = 0.5,
  speed_probe_every = 5,
  -- study 3 (the cures)
  depth = 8, width = 32, train_images = 20000, test_images = 10000, probe_images = 1000,
  cures_epochs = 3, cures_lr = 0.1, batch = 32, clip_norm = 1.0, variants = {"all"},
  cures_seeds = 3,
  seed0 = 1, check = false, plot = true,
}, {seeds = 2, images = 300, speed_epochs = 2, depth = 6, train_images = 1500,
    test_images = 500, probe_images = 200, cures_epochs = 1, cures_seeds = 1}, {
  seeds = S.whole(1), images = S.whole(1), depths = S.list(S.whole(1), {unique = true}),
  speed_epochs = S.whole(0), speed_lr = S.number(0, ">"), speed_probe_every = S.whole(1),
  depth = S.whole(1), width = S.whole(1), train_images = S.whole(1), test_images = S.whole(1),
  probe_images = S.whole(1), cures_epochs = S.whole(0), cures_lr = S.number(0, ">"),
  batch = S.whole(1), clip_norm = S.number(0, ">"), cures_seeds = S.whole(1), seed0 = S.whole(0),
  variants = S.list(S.one_of(require("cures").variant_names), {unique = true}),
})
S.at_most(P, "probe_images", "train_images")
require("cures").pick(P.variants)

local t0 = os.time()
local result = {}
local speed = require("speed").run{seeds = P.seeds, images = P.images, hidden = 30,
  depths = P.depths, epochs = P.speed_epochs, lr = P.speed_lr, batch = 10,
  probe_every = P.speed_probe_every,
  seed0 = P.seed0}
for k, v in pairs(speed) do result["speed_" .. k] = v end

local cures = require("cures").run{depth = P.depth, width = P.width,
  train_images = P.train_images, test_images = P.test_images, probe_images = P.probe_images,
  epochs = P.cures_epochs, batch = P.batch, lr = P.cures_lr, clip_norm = P.clip_norm,
  seed0 = P.seed0, seeds = P.cures_seeds, variants = P.variants}
for k, v in pairs(cures) do result["cures_" .. k] = v end

-- The qualitative findings (errors with --set check=true).
for _, d in ipairs(P.depths) do
  local ok = true
  for l = 1, d - 1 do
    ok = ok and speed[("init_d%d_h%d"):format(d, l)] < speed[("init_d%d_h%d"):format(d, l + 1)]
  end
  S.check(ok, ("%d hidden layers: at init each earlier layer's ||δ|| is smaller"):format(d))
end
for _, k in ipairs{"relu_he", "batchnorm", "residual"} do
  if cures.baseline_delta_spread_init and cures[k .. "_delta_spread_init"] then
    S.check(S.decades(cures[k .. "_delta_spread_init"])
      < S.decades(cures.baseline_delta_spread_init) - 2,
      ("%s: ||δ_1||/||δ_L|| at init is > 2 decades closer to 1 than the sigmoid baseline's")
        :format(k))
  end
end

print("")
print(("tables: %s/speed_at_init.csv %s/cures.csv (all tables: %s/tables.txt)"):format(P.out,
  P.out, P.out))
for _, p in ipairs(S.finish_figures()) do print("figure: " .. p) end
print(("main study done in %d s (%.1f s of CPU)"):format(os.time() - t0, os.clock()))
return S.finish_checks(result)
