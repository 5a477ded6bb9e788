-- speed.lua — study 2's measurement (used by depth_speed.lua and main_study.lua): the speed of
-- learning ||∂C/∂b_l|| of each hidden layer of sigmoid MLPs of growing depth, at initialisation
-- (averaged over seeds) and over training. Returns a flat result table.
local gradlab = require "gradlab"
local S = require "study"

local M = {}

function M.run(P)
  local CLASSES = 10
  -- gradlab.loss.mse is the mean over n·K elements; Nielsen's C = (1/2n)Σ||y−a||² = (K/2)·mse.
  local TO_C = CLASSES / 2

  local train, dname = S.image_data("train", P.images)
  print(("study 2 — speed of learning: %s, %d images, %d seed(s) at init, %d epoch(s)"):format(
    dname, P.images, P.seeds, P.epochs))
  local X, Y = S.batch(train, 1, P.images, CLASSES)
  local subset = train:size() > P.images and train:subset(P.images) or train

  local function build(depth, tag)
    local sizes = {784}
    for _ = 1, depth do sizes[#sizes + 1] = P.hidden end
    sizes[#sizes + 1] = CLASSES
    local net, dense = S.mlp{sizes = sizes, act = "sigmoid", init = "normal_scaled",
      bias_init = {"normal", std = 1}, out_act = "sigmoid", name = tag}
    return net, dense, "[" .. table.concat(sizes, ",") .. "]"
  end

  -- ||∂C/∂b_l|| for each hidden layer l of net on the fixed batch, and C itself there.
  local function speeds(net, dense, depth)
    local mse = S.probe(net, X, Y, "mse")
    local v = {}
    for l = 1, depth do v[l] = TO_C * S.grad_norm(dense[l], "bias") end
    return v, TO_C * mse
  end

  -- ---- at initialisation, averaged over seeds
  local init_rows, result, names = {}, {}, {}
  local bars = S.figure{name = "speed_at_init", kind = "bars", logy = true,
    title = ("Speed of learning at initialisation, mean of %d seeds, %s")
      :format(P.seeds, dname),
    xlabel = "hidden layer (1 = nearest the input)", ylabel = "||∂C/∂b_l|| (log scale)"}
  local init_mean = {}
  for _, depth in ipairs(P.depths) do
    local sum, name = {}, nil
    for s = 1, P.seeds do
      S.seed(P.seed0 + s - 1)
      local net, dense
      net, dense, name = build(depth, ("%dhidden_seed%d_init"):format(depth, P.seed0 + s - 1))
      for l, g in ipairs(speeds(net, dense, depth)) do sum[l] = (sum[l] or 0) + g / P.seeds end
    end
    names[depth] = name
    init_mean[depth] = sum
    local row = {name}
    for l = 1, depth do
      row[#row + 1] = S.sci(sum[l])
      bars:add(name, "hidden " .. l, sum[l])
      result[("init_d%d_h%d"):format(depth, l)] = sum[l]
    end
    init_rows[#init_rows + 1] = row
  end
  local cols = {"network"}
  local maxd = math.max(table.unpack(P.depths))
  for l = 1, maxd do cols[#cols + 1] = "hidden " .. l end
  S.table{name = "speed_at_init", columns = cols, rows = init_rows,
    title = ("Table: ||∂C/∂b_l|| at initialisation, %d images, mean of %d seeds (%s)"):format(
      P.images, P.seeds, dname),
    note = "(C = (1/2n) Σ ||y − a||², the gradient of C over all n images; one row per network, "
      .. "one column per hidden layer)"}

  -- ---- over training (one network per depth, seed0)
  local train_rows = {}
  -- C = 0.45 is what the network gets by predicting 0.1 for every class (the class frequencies):
  -- (0.9² + 9·0.1²)/2. A network on that plateau has learned nothing about the images.
  local TRIVIAL, PLATEAU = 0.45, 0.4
  if P.epochs > 0 then
    local cost_fig = S.figure{name = "speed_cost", logy = true, hline = TRIVIAL,
      hline_label = "C = 0.45: predict 0.1 for every class",
      title = ("Cost during training, %d images, SGD lr %g on mse (%g on C), batch %d, seed %d")
        :format(P.images, P.lr, P.lr / TO_C, P.batch, P.seed0),
      xlabel = "epoch", ylabel = "C = (1/2n) Σ ||y − a||² on the training images (log scale)"}
    for _, depth in ipairs(P.depths) do
      S.seed(P.seed0)
      local net, dense, name = build(depth, ("%dhidden_seed%d_train"):format(depth, P.seed0))
      local fig = S.figure{name = ("speed_training_%dhidden"):format(depth), logy = true,
        title = ("Speed of learning during training, %s sigmoid, %s"):format(name, dname),
        xlabel = "epoch", ylabel = "||∂C/∂b_l|| over the training images (log scale)"}
      local opt = gradlab.optim.sgd{lr = P.lr}
      local last, cost, escape = nil, nil, nil
      local function measure(epoch)
        last, cost = speeds(net, dense, depth)
        for l = 1, depth do fig:add("hidden layer " .. l, epoch, last[l]) end
        cost_fig:add(name, epoch, cost)
        if not escape and epoch > 0 and cost < PLATEAU then escape = epoch end
      end
      measure(0)
      local epoch = 0
      while epoch < P.epochs do
        local n = math.min(P.probe_every, P.epochs - epoch)
        S.fit(net, opt, subset, {loss = "mse", epochs = n, batch = P.batch, classes = CLASSES})
        epoch = epoch + n
        measure(epoch)
      end
      local row = {name}
      for l = 1, depth do
        row[#row + 1] = S.sci(last[l])
        result[("trained_d%d_h%d"):format(depth, l)] = last[l]
      end
      row[maxd + 2] = ("%.4f"):format(cost)
      row[maxd + 3] = escape and tostring(escape) or ("> %d"):format(P.epochs)
      result[("trained_d%d_cost"):format(depth)] = cost
      result[("trained_d%d_plateau_epochs"):format(depth)] = escape or -1
      train_rows[#train_rows + 1] = row
    end
    local tcols = {table.unpack(cols)}
    tcols[maxd + 2] = "C (train)"
    tcols[maxd + 3] = "first C < 0.4 (epoch)"
    S.table{name = "speed_after_training", columns = tcols, rows = train_rows,
      title = ("Table: ||∂C/∂b_l|| after %d epoch(s) of SGD (lr %g on mse = %g on C, batch %d), "
        .. "seed %d"):format(P.epochs, P.lr, P.lr / TO_C, P.batch, P.seed0),
      note = ("(C on the %d training images after the last epoch; the plateau C = 0.45 is the "
        .. "cost of predicting 0.1 for every class;\n 'first C < 0.4': the first measurement "
        .. "(every %d epochs) below 0.4, -1 in summary.json when never)"):format(P.images,
        P.probe_every)}
  end

  -- ---- the finding: at initialisation each earlier hidden layer learns more slowly
  for _, depth in ipairs(P.depths) do
    local ok = true
    for l = 1, depth - 1 do ok = ok and init_mean[depth][l] < init_mean[depth][l + 1] end
    S.check(ok, ("%s: at init ||δ|| grows from hidden layer 1 to %d"):format(names[depth], depth))
  end
  local d = maxd
  result.init_first_over_last = init_mean[d][1] / init_mean[d][d]
  print(("deepest net: ||δ_1|| / ||δ_%d|| = %.3g at initialisation"):format(d,
    result.init_first_over_last))
  return result
end

return M
