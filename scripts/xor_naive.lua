-- xor_naive.lua — study 1: the naive XOR network, done right.
--
-- The classic first attempt: a [2, 50, 50, 1] sigmoid network, weights uniform in [0, 1) as
-- np.random.rand draws them, no biases, per-sample SGD at lr 0.1 for 10,000 epochs, squared
-- error. We measure the gradient of every layer's weight over training (full-batch gradient over
-- the 4 XOR points, no update), then what adding layers does at initialisation (the weights of
-- scale a·U[0,1): large a saturates the sigmoids and the gradient vanishes, small a leaves them
-- linear and the products of W^T grow or shrink layer after layer), then the same network with a
-- sensible initialisation (Xavier) and biases.
--
--   gradlab run scripts/xor_naive.lua                  # the full study
--   gradlab run scripts/xor_naive.lua --set smoke=true # < 1 minute
-- Parameters (--set): epochs lr probe_every width depths scales sweep_seeds seed0 check plot
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
package.path = here .. "lib/?.lua;scripts/lib/?.lua;" .. package.path
local gradlab = require "gradlab"
local S = require "study"

local P = S.params("xor_naive", {
  epochs = 10000,
  lr = 0.1,
  probe_every = 50,         -- epochs between gradient measurements
  width = 50,
  depths = {1, 2, 3, 4, 5, 6}, -- hidden layers in the depth sweep
  scales = {1, 0.1},        -- sigmoid weights a·U[0,1) in the depth sweep (1: np.random.rand)
  sweep_seeds = 5,           -- networks per cell of the depth sweep (geometric mean)
  seed0 = 1,
  check = false,
  plot = true,
}, {epochs = 4000, probe_every = 100, depths = {1, 2, 4}}, {
  epochs = S.whole(0), lr = S.number(0, ">"), probe_every = S.whole(1), width = S.whole(1),
  depths = S.list(S.whole(1), {unique = true}), scales = S.list(S.number(0, ">"), {unique = true}),
  sweep_seeds = S.whole(1), seed0 = S.whole(0),
})

local L = gradlab.layer
local data = gradlab.data.xor()
local X = gradlab.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}
local Y = gradlab.tensor{{0}, {1}, {1}, {0}}
local result = {}

-- An MLP [2, width × hidden, 1] with a sigmoid output. init "naive": weights a·U[0,1) as
-- np.random.rand draws them (or a·U[-1,1) when sym), no biases; else an initializer name with
-- zero biases. act: the hidden activation (sigmoid unless given).
local function build(hidden, init, a, act, sym, name)
  local layers, dense = {}, {}
  local sizes = {2}
  for _ = 1, hidden do sizes[#sizes + 1] = P.width end
  sizes[#sizes + 1] = 1
  local naive = init == "naive"
  for i = 1, #sizes - 1 do
    local d = L.dense{inputs = sizes[i], outputs = sizes[i + 1], bias = not naive,
      init = naive and "uniform01" or init, bias_init = "zeros"}
    dense[#dense + 1] = d
    layers[#layers + 1] = d
    layers[#layers + 1] = (i == #sizes - 1) and L.sigmoid{} or L[act or "sigmoid"]{}
  end
  layers.name = name -- the model's rows in metrics.csv: NAME/...
  local net = gradlab.sequential(layers)
  if naive and (a ~= 1 or sym) then
    for i, d in ipairs(dense) do
      local w = {}
      for r = 1, sizes[i] do
        w[r] = {}
        for c = 1, sizes[i + 1] do
          w[r][c] = sym and a * (2 * math.random() - 1) or a * math.random()
        end
      end
      d:set_param("weight", gradlab.tensor(w))
    end
  end
  return net, dense
end

-- first/last gradient norm; 0 when both underflowed to exactly 0 (nothing reaches any layer).
local function spread(g)
  if g[#g] == 0 then return 0 end
  return g[1] / g[#g]
end

-- Weight-gradient norms and δ norms (∂L/∂ of each dense layer's output) over the 4 points.
local function grads(net, dense)
  local loss = S.probe(net, X, Y, "mse")
  local g, dl = {}, {}
  for l, d in ipairs(dense) do g[l], dl[l] = S.grad_norm(d, "weight"), S.delta_norm(d) end
  return g, loss, dl
end

local function accuracy(net)
  local out = net:forward(X):totable()
  local want, ok = {0, 1, 1, 0}, 0
  for i = 1, 4 do
    if ((out[i][1] > 0.5) and 1 or 0) == want[i] then ok = ok + 1 end
  end
  return ok / 4
end

print(("study 1 — the naive XOR network: [2,%d,%d,1] sigmoid, per-sample SGD lr %g, %d epochs")
  :format(P.width, P.width, P.lr, P.epochs))

-- ---- part A and C: the naive network and the sensible one, over training
local loss_fig = S.figure{name = "xor_loss", logy = true,
  title = "XOR: loss over training (full batch, mean squared error)",
  xlabel = "epoch (4 per-sample SGD steps each)", ylabel = "MSE over the 4 points (log scale)"}
local rows = {}
for _, cfg in ipairs{
  {key = "naive", label = "naive: U[0,1) weights, no biases", init = "naive"},
  {key = "xavier", label = "Xavier-uniform weights + biases", init = "xavier_uniform"},
  {key = "sensible", label = "N(0,1/fan_in) weights + biases", init = "normal_scaled"},
} do
  S.seed(P.seed0)
  local net, dense = build(2, cfg.init, 1, nil, nil, cfg.key)
  local fig = S.figure{name = "xor_grad_" .. cfg.key, logy = true,
    title = ("XOR [2,%d,%d,1], %s: weight-gradient norm per layer"):format(P.width, P.width,
      cfg.label),
    xlabel = "epoch", ylabel = "||∂L/∂W_l|| over the 4 points (log scale)"}
  local opt = gradlab.optim.sgd{lr = P.lr}
  local g0, loss0 = grads(net, dense)
  local g, loss, epoch = g0, loss0, 0
  local function log()
    for l = 1, #dense do fig:add(("layer %d (%s)"):format(l, l == 1 and "input side" or
      l == #dense and "output" or "hidden"), epoch, g[l]) end
    loss_fig:add(cfg.label, epoch, loss)
  end
  log()
  while epoch < P.epochs do
    local n = math.min(P.probe_every, P.epochs - epoch)
    S.train{model = net, data = data, loss = "mse", optimizer = opt, epochs = n,
      batch = 1, shuffle = false}
    epoch = epoch + n
    g, loss = grads(net, dense)
    log()
  end
  local acc = accuracy(net)
  local all_zero = true
  for _, pt in ipairs(fig.points) do all_zero = all_zero and pt[3] == 0 end
  if all_zero then -- nothing to draw on a log axis: say why in the title
    fig.title = fig.title .. " — all exactly 0 (σ' rounds to 0 in float)"
  end
  rows[#rows + 1] = {cfg.label, S.sci(g0[1]), S.sci(g0[2]), S.sci(g0[3]), S.sci(g[1]),
    S.sci(g[3]), ("%.4f"):format(loss), ("%.2f"):format(acc)}
  result[cfg.key .. "_loss"] = loss
  result[cfg.key .. "_accuracy"] = acc
  result[cfg.key .. "_g1_init"], result[cfg.key .. "_g3_init"] = g0[1], g0[3]
end
S.table{name = "xor_training", rows = rows,
  columns = {"network", "||dW1|| init", "||dW2|| init", "||dW3|| init", "||dW1|| end",
    "||dW3|| end", "final MSE", "accuracy"},
  title = ("Table: XOR [2,%d,%d,1] sigmoid, per-sample SGD lr %g, %d epochs"):format(P.width,
    P.width, P.lr, P.epochs)}

-- ---- part B: adding layers (at initialisation)
local sweeps = {}
for _, a in ipairs(P.scales) do
  sweeps[#sweeps + 1] = {key = ("sig_a%g"):format(a), label = ("sigmoid, %g·U[0,1)"):format(a),
    act = "sigmoid", a = a}
end
sweeps[#sweeps + 1] = {key = "relu_sym", label = "ReLU, U[-1,1)", act = "relu", a = 1, sym = true}
sweeps[#sweeps + 1] = {key = "tanh_sym", label = "tanh, U[-1,1)", act = "tanh", a = 1, sym = true}
local depth_fig = S.figure{name = "xor_depth_init", logy = true,
  title = ("XOR at initialisation, %d hidden layers of %d, no biases (%d seeds)")
    :format(P.depths[#P.depths], P.width, P.sweep_seeds),
  xlabel = "dense layer (1 = nearest the input)",
  ylabel = "||δ_l|| = ||∂L/∂z_l|| over the 4 points (log scale)"}
local spread_fig = S.figure{name = "xor_depth_spread", logy = true,
  title = "XOR at initialisation: ||δ_1|| / ||δ_last|| as layers are added",
  xlabel = "hidden layers", ylabel = "||δ_1|| / ||δ_{last}|| (log scale)"}
local drows = {}
for _, sw in ipairs(sweeps) do
  local row, spread_pts, zero_from = {sw.label}, {}, nil
  for _, depth in ipairs(P.depths) do
    local sps, gsum = {}, {}
    for k = 1, P.sweep_seeds do
      S.seed(P.seed0 + k - 1)
      local net, dense = build(depth, "naive", sw.a, sw.act, sw.sym,
        ("%s_%dhidden_seed%d"):format(sw.key, depth, P.seed0 + k - 1))
      local _, _, g = grads(net, dense)
      for l = 1, #g do gsum[l] = (gsum[l] or {}); gsum[l][k] = g[l] end
      sps[k] = spread(g)
    end
    if depth == P.depths[#P.depths] then
      for l = 1, #gsum do depth_fig:add(sw.label, l, S.geomean(gsum[l])) end
    end
    local sp = S.geomean(sps)
    spread_pts[#spread_pts + 1] = {depth, sp}
    if sp == 0 and not zero_from then zero_from = depth end
    row[#row + 1] = sp == 0 and "0 (all 0)" or S.sci(sp)
    result[("spread_%s_d%d"):format(sw.key, depth)] = sp
  end
  drows[#drows + 1] = row
  -- a 0 cannot be drawn on the log axis: the legend says where the line stops and why
  local label = zero_from and ("%s (= 0 from %d hidden on)"):format(sw.label, zero_from)
    or sw.label
  for _, pt in ipairs(spread_pts) do spread_fig:add(label, pt[1], pt[2]) end
end
local dcols = {"hidden act, weights"}
for _, d in ipairs(P.depths) do dcols[#dcols + 1] = ("%d hidden"):format(d) end
S.table{name = "xor_depth", rows = drows, columns = dcols,
  title = ("Table: ||δ_1|| / ||δ_last|| at initialisation, XOR, width %d, no biases"):format(
    P.width),
  note = "(δ_l = ∂L/∂z_l, the gradient at dense layer l's output, over the 4 points;\n"
    .. " < 1: the gradient vanishes toward the input; > 1: it grows toward the input (explodes);\n"
    .. " 0 (all 0): the saturated sigmoids' derivatives round to exactly 0 in " ..
    "float, so no gradient reaches any layer)"}

-- ---- the findings
S.check(result.sensible_loss < 0.05 and result.sensible_loss < result.naive_loss,
  ("N(0,1/fan_in) + biases learns XOR (MSE %.4g) where the naive net does not (%.4g)")
    :format(result.sensible_loss, result.naive_loss))
local d0, dmax = P.depths[1], P.depths[#P.depths]
local function sp(key, d) return result[("spread_%s_d%d"):format(key, d)] end
local vk = ("sig_a%g"):format(P.scales[#P.scales])
S.check(sp(vk, dmax) < sp(vk, d0) / 10, ("sigmoid %g·U[0,1): adding layers makes the first "
  .. "layer's gradient vanish (first/last %.3g with %d hidden, %.3g with %d)"):format(
  P.scales[#P.scales], sp(vk, dmax), dmax, sp(vk, d0), d0))
S.check(sp("tanh_sym", dmax) > 10 * sp("tanh_sym", d0), ("tanh U[-1,1): adding layers makes "
  .. "the first layer's gradient explode (first/last %.3g with %d hidden, %.3g with %d)"):format(
  sp("tanh_sym", dmax), dmax, sp("tanh_sym", d0), d0))

for _, p in ipairs(S.finish_figures()) do print("figure: " .. p) end
return S.finish_checks(result)
