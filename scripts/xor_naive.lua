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
-- Parameters (--set): epochs lr probe_every width depths scales seed0 check plot
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
package.path = here .. "lib/?.lua;" .. package.path
local gradlab = require "gradlab"
local S = require "study"

local P = S.params("xor_naive", {
  epochs = 10000,
  lr = 0.1,
  probe_every = 50,         -- epochs between gradient measurements
  width = 50,
  depths = {1, 2, 3, 4, 5, 6}, -- hidden layers in the depth sweep
  scales = {1, 0.1, 0.02},  -- weights a·U[0,1) in the depth sweep (a = 1 is np.random.rand)
  seed0 = 1,
  check = false,
  plot = true,
}, {epochs = 2000, probe_every = 50, depths = {1, 2, 4}})

local L = gradlab.layer
local data = gradlab.data.xor()
local X = gradlab.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}
local Y = gradlab.tensor{{0}, {1}, {1}, {0}}
local result = {}

-- A sigmoid MLP [2, width × hidden, 1]; init "naive" = a·U[0,1) set by hand (as numpy does),
-- else an initializer name with zero biases.
local function build(hidden, init, scale)
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
    layers[#layers + 1] = L.sigmoid{}
  end
  local net = gradlab.sequential(layers)
  if naive and scale ~= 1 then
    for i, d in ipairs(dense) do
      local w = {}
      for r = 1, sizes[i] do
        w[r] = {}
        for c = 1, sizes[i + 1] do w[r][c] = scale * math.random() end
      end
      d:set_param("weight", gradlab.tensor(w))
    end
  end
  return net, dense
end

local function grads(net, dense)
  local loss = S.probe(net, X, Y, "mse")
  local g = {}
  for l, d in ipairs(dense) do g[l] = S.grad_norm(d, "weight") end
  return g, loss
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
  {key = "sensible", label = "sensible: Xavier weights + zero biases", init = "xavier_uniform"},
} do
  S.seed(P.seed0)
  math.randomseed(P.seed0)
  local net, dense = build(2, cfg.init, 1)
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
    gradlab.train{model = net, data = data, loss = "mse", optimizer = opt, epochs = n,
      batch = 1, shuffle = false}
    epoch = epoch + n
    g, loss = grads(net, dense)
    log()
  end
  local acc = accuracy(net)
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
local depth_fig = S.figure{name = "xor_depth_init", logy = true,
  title = ("XOR at initialisation, weights a·U[0,1) no biases: ||∂L/∂W_l|| per layer")
    :format(P.width),
  xlabel = "dense layer (1 = nearest the input)", ylabel = "||∂L/∂W_l|| (log scale)"}
local spread_fig = S.figure{name = "xor_depth_spread", logy = true,
  title = "XOR at initialisation: first-layer over last-layer gradient norm vs depth",
  xlabel = "hidden layers", ylabel = "||∂L/∂W_1|| / ||∂L/∂W_last|| (log scale)"}
local drows = {}
for _, a in ipairs(P.scales) do
  local row = {("a = %g"):format(a)}
  for _, depth in ipairs(P.depths) do
    S.seed(P.seed0)
    math.randomseed(P.seed0)
    local net, dense = build(depth, "naive", a)
    local g = grads(net, dense)
    if depth == P.depths[#P.depths] or depth == P.depths[1] or depth == 4 then
      for l = 1, #g do depth_fig:add(("%d hidden, a = %g"):format(depth, a), l, g[l]) end
    end
    local spread = g[1] / g[#g]
    spread_fig:add(("a = %g"):format(a), depth, spread)
    row[#row + 1] = S.sci(spread)
    result[("spread_a%g_d%d"):format(a, depth)] = spread
  end
  drows[#drows + 1] = row
end
local dcols = {"weights"}
for _, d in ipairs(P.depths) do dcols[#dcols + 1] = ("%d hidden"):format(d) end
S.table{name = "xor_depth", rows = drows, columns = dcols,
  title = "Table: ||dW_1|| / ||dW_last|| at initialisation, XOR, weights a·U[0,1), no biases",
  note = "(< 1: the gradient vanishes toward the input; > 1: it grows toward the input)"}

-- ---- the findings
S.check(result.sensible_loss < result.naive_loss,
  ("a sensible init + biases ends with a lower loss (%.4g) than the naive net (%.4g)")
    :format(result.sensible_loss, result.naive_loss))
local dmax = P.depths[#P.depths]
local s1, sd = result[("spread_a1_d%d"):format(P.depths[1])], result[("spread_a1_d%d"):format(dmax)]
S.check(sd < s1 / 100, ("naive U[0,1): adding layers makes the first layer's gradient vanish "
  .. "(first/last %.3g with %d hidden, %.3g with %d)"):format(sd, dmax, s1, P.depths[1]))

for _, p in ipairs(S.finish_figures()) do print("figure: " .. p) end
return S.finish_checks(result)
