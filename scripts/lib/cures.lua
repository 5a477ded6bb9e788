-- cures.lua — study 3's measurement (used by cures.lua and main_study.lua): one deep MLP on image
-- data in variants (baseline, ReLU+He, sigmoid+Xavier, +batchnorm, +residual, an exploding
-- configuration with and without gradient clipping). For each: the weight-gradient norm of every
-- dense layer on a fixed batch at initialisation and after training, the spread first/last, and
-- the test accuracy after the same budget. Returns a flat result table.
local gradlab = require "gradlab"
local S = require "study"

local M = {}

-- The variants: key, label, network options, optimizer options.
M.variants = {
  {key = "baseline", label = "sigmoid, N(0,1/fan_in) (baseline)", act = "sigmoid",
   init = "normal_scaled"},
  {key = "relu_he", label = "ReLU + He init", act = "relu", init = "he_normal",
   same_start = "ReLU + He init (= the lr 1 variants' start)"},
  {key = "xavier", label = "sigmoid + Xavier init", act = "sigmoid", init = "xavier_normal"},
  {key = "batchnorm", label = "sigmoid + batchnorm", act = "sigmoid", init = "normal_scaled",
   batchnorm = true},
  {key = "residual", label = "sigmoid + residual blocks", act = "sigmoid",
   init = "normal_scaled", residual = true},
  {key = "explode", label = "ReLU, N(0,1) weights (exploding)", act = "relu",
   init = {"normal", std = 1}, same_start = "ReLU, N(0,1) weights (exploding; ± clip_norm)"},
  {key = "explode_clip", label = "ReLU, N(0,1) + clip_norm", act = "relu",
   init = {"normal", std = 1}, clip = true},
  {key = "lr_high", label = "ReLU + He, lr 1 (unstable)", act = "relu", init = "he_normal",
   lr = 1},
  {key = "lr_high_clip", label = "ReLU + He, lr 1 + clip_norm", act = "relu",
   init = "he_normal", lr = 1, clip = true},
}

-- The names the variants parameter takes: "all" and every variant's key.
M.variant_names = {"all"}
for _, v in ipairs(M.variants) do M.variant_names[#M.variant_names + 1] = v.key end

-- The variants named by keys ({"all"} or none: every one); an unknown name, or "all" with
-- others, is an error naming it (the scripts call it right after S.params).
function M.pick(keys)
  if not keys or #keys == 0 or (#keys == 1 and keys[1] == "all") then return M.variants end
  local out = {}
  for _, k in ipairs(keys) do
    if k == "all" then
      S.param_error("parameter 'variants': 'all' stands alone (it names every variant), got %s",
        table.concat(keys, ","))
    end
    local found = false
    for _, v in ipairs(M.variants) do
      if v.key == k then out[#out + 1], found = v, true end
    end
    if not found then
      S.param_error("parameter 'variants': no variant '%s' (variants: %s)", tostring(k),
        table.concat(M.variant_names, ", "))
    end
  end
  return out
end

-- P: depth width train_images test_images probe_images epochs batch lr clip_norm seed0 seeds
-- variants (seeds: networks per variant, seed0, seed0+1, ...; default 1)
function M.run(P)
  local CLASSES = 10
  local train, dname = S.image_data("train", P.train_images)
  local test = S.image_data("test", P.test_images)
  if train:size() > P.train_images then train = train:subset(P.train_images) end
  if test:size() > P.test_images then test = test:subset(P.test_images) end
  local X, _, labels = S.batch(train, 1, P.probe_images, CLASSES)
  local sizes = {784}
  for _ = 1, P.depth do sizes[#sizes + 1] = P.width end
  sizes[#sizes + 1] = CLASSES
  local L = #sizes - 1 -- dense layers
  print(("study 3 — the cures: %s, %d hidden layers of %d, %d train / %d test images, "
    .. "%d epoch(s), SGD lr %g, batch %d"):format(dname, P.depth, P.width, train:size(),
    test:size(), P.epochs, P.lr, P.batch))

  local arch = ("[784, %d×%d, 10]"):format(P.depth, P.width)
  local fig_init = S.figure{name = "cures_grad_init", logy = true,
    title = ("Weight gradient per layer at initialisation, %s, %s, seed %d"):format(arch, dname,
      P.seed0),
    xlabel = "dense layer (1 = nearest the input)", ylabel = "||∂L/∂W_l|| (log scale)"}
  local fig_delta = S.figure{name = "cures_delta_init", logy = true,
    title = ("δ per layer at initialisation, %s, %s, seed %d"):format(arch, dname, P.seed0),
    xlabel = "dense layer (1 = nearest the input)",
    ylabel = "||δ_l|| = ||∂L/∂z_l|| (log scale)"}
  local fig_trained = S.figure{name = "cures_grad_trained", logy = true,
    title = ("Weight gradient per layer after %d epoch(s), %s, seed %d"):format(P.epochs, arch,
      P.seed0),
    xlabel = "dense layer (1 = nearest the input)", ylabel = "||∂L/∂W_l|| (log scale)"}
  local nseeds = math.max(1, math.floor(P.seeds or 1))
  local fig_acc = S.figure{name = "cures_accuracy", kind = "bars",
    title = ("Test accuracy after %d epoch(s), %s (%d test images%s)"):format(P.epochs, arch,
      test:size(), nseeds > 1 and (", mean of %d seeds"):format(nseeds) or ""),
    xlabel = "variant", ylabel = "test accuracy (fraction correct)",
    hline = 1 / CLASSES, hline_label = "chance (10 classes)"}

  -- Variants that start from the same network (same activation, initialisation and layers;
  -- every variant is built after seeding with seed0) have identical gradients at
  -- initialisation: their lines would hide each other, so each start is drawn once, labelled
  -- for all the variants it stands for.
  local picked = M.pick(P.variants)
  local function start_key(v)
    local init = type(v.init) == "table" and (v.init[1] .. ":" .. tostring(v.init.std)) or v.init
    return table.concat({v.act, init, tostring(v.batchnorm), tostring(v.residual)}, "|")
  end
  local start_count, start_drawn = {}, {}
  for _, v in ipairs(picked) do start_count[start_key(v)] = (start_count[start_key(v)] or 0) + 1 end

  -- weight-gradient norms and δ norms (∂L/∂ of each dense layer's output) on the probe batch
  -- (NaN when the loss is not finite — a diverged network: its backward leaves no gradient)
  local function grads(net, dense)
    local loss = S.probe(net, X, labels, "cross_entropy")
    local bad = loss ~= loss or math.abs(loss) == math.huge
    local g, d = {}, {}
    for l = 1, L do
      g[l], d[l] = S.grad_norm(dense[l], "weight"), S.delta_norm(dense[l])
      if bad then g[l], d[l] = 0 / 0, 0 / 0 end
    end
    return g, d
  end

  local seeds = math.max(1, math.floor(P.seeds or 1))
  local function std(xs)
    local mu, ss = S.mean(xs), 0
    for _, x in ipairs(xs) do ss = ss + (x - mu) ^ 2 end
    return #xs > 1 and math.sqrt(ss / (#xs - 1)) or 0
  end

  local rows, result = {}, {}
  for _, v in ipairs(picked) do
    -- one network per seed (seed0, seed0+1, ...); the per-layer figures show seed0's
    local m = {g1 = {}, gL = {}, spread0 = {}, dspread = {}, spread1 = {}, acc = {}, steps = {}}
    local ndiv = 0
    for s = 1, seeds do
      S.seed(P.seed0 + s - 1)
      local net, dense = S.mlp{sizes = sizes, act = v.act, init = v.init, bias_init = "zeros",
        batchnorm = v.batchnorm, residual = v.residual,
        name = ("%s_seed%d"):format(v.key, P.seed0 + s - 1)}
      net:train()
      local g0, d0 = grads(net, dense)
      local sk = start_key(v)
      if s == 1 and not start_drawn[sk] then
        start_drawn[sk] = true
        local label = start_count[sk] == 1 and v.label or v.same_start
          or ("%s (= %d more variant(s)' start)"):format(v.label, start_count[sk] - 1)
        for l = 1, L do fig_init:add(label, l, g0[l]) fig_delta:add(label, l, d0[l]) end
      end
      local opt = gradlab.optim.sgd{lr = v.lr or P.lr, clip_norm = v.clip and P.clip_norm or nil}
      local r = S.fit(net, opt, train, {loss = "cross_entropy", epochs = P.epochs,
        batch = P.batch, classes = CLASSES})
      local diverged = r.stopped == "nonfinite"
      local g1 = grads(net, dense)
      if s == 1 then
        local tlabel = diverged and ("%s — diverged at step %d"):format(v.label, r.steps)
          or v.label
        for l = 1, L do fig_trained:add(tlabel, l, g1[l]) end
      end
      net:eval()
      local ev = S.evaluate(net, test, {loss = "cross_entropy", classes = CLASSES})
      net:train()
      local acc = (diverged or ev.accuracy ~= ev.accuracy) and 0 or ev.accuracy
      if diverged then ndiv, m.steps[#m.steps + 1] = ndiv + 1, r.steps end
      m.g1[s], m.gL[s], m.acc[s] = g0[1], g0[L], acc
      m.spread0[s], m.dspread[s], m.spread1[s] = g0[1] / g0[L], d0[1] / d0[L], g1[1] / g1[L]
      if seeds > 1 then
        result[("%s_s%d_accuracy"):format(v.key, P.seed0 + s - 1)] = acc
        result[("%s_s%d_delta_spread_init"):format(v.key, P.seed0 + s - 1)] = m.dspread[s]
      end
    end
    -- ratios: geometric means over the seeds (NaN — diverged — left out); accuracy: mean ± sd,
    -- a diverged run counting 0
    local gm = S.geomean
    local acc, sd = S.mean(m.acc), std(m.acc)
    local spread1 = gm(m.spread1)
    if spread1 == 0 then spread1 = 0 / 0 end -- every seed diverged: no trained gradient
    fig_acc:add("test accuracy", v.label .. (ndiv == seeds and " — diverged" or ""), acc)
    local cell
    if ndiv == seeds then
      cell = ("diverged@%d"):format(math.max(table.unpack(m.steps)))
      if seeds > 1 then cell = ("diverged %d/%d (step ≤ %d)"):format(ndiv, seeds,
        math.max(table.unpack(m.steps))) end
    else
      cell = seeds > 1 and ("%.4f ± %.4f"):format(acc, sd) or ("%.4f"):format(acc)
      if ndiv > 0 then cell = cell .. (" (%d/%d diverged)"):format(ndiv, seeds) end
    end
    rows[#rows + 1] = {v.label, S.sci(gm(m.g1)), S.sci(gm(m.gL)), S.sci(gm(m.spread0)),
      S.sci(gm(m.dspread)), S.sci(spread1), cell}
    result[v.key .. "_delta_spread_init"] = gm(m.dspread)
    result[v.key .. "_spread_init"] = gm(m.spread0)
    result[v.key .. "_spread_trained"] = spread1
    result[v.key .. "_accuracy"] = acc
    result[v.key .. "_accuracy_std"] = sd
    result[v.key .. "_diverged"] = ndiv / seeds
    result[v.key .. "_g1_init"] = gm(m.g1)
    result[v.key .. "_gL_init"] = gm(m.gL)
  end
  S.table{name = "cures", rows = rows,
    columns = {"variant", "||dW_1|| init", "||dW_L|| init", "dW first/last",
      "δ first/last", "dW first/last trained", "test acc"},
    title = ("Table: the cures side by side — %s, %s, %d epoch(s), %s"):format(arch, dname,
      P.epochs, seeds > 1 and ("seeds %d–%d"):format(P.seed0, P.seed0 + seeds - 1)
        or ("seed %d"):format(P.seed0)),
    note = "(||dW_l||: L2 norm of the cross-entropy gradient of dense layer l's weight on "
      .. P.probe_images .. " training images; dW first/last = ||dW_1|| / ||dW_" .. L .. "||;\n"
      .. " δ first/last = ||∂L/∂z_1|| / ||∂L/∂z_" .. L .. "||, z_l the output of dense layer l; "
      .. "at initialisation unless marked trained;\n"
      .. (seeds > 1 and " norms and ratios: geometric means over the seeds; test acc: mean ± sd "
        .. "over the seeds, a diverged run counted as 0; the per-layer figures show seed "
        .. P.seed0 .. ")" or " one seed)")}
  return result
end

return M
