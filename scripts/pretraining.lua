-- pretraining.lua — study of issue 6: greedy layer-wise pretraining of a deep sigmoid MLP
-- (Hinton & Salakhutdinov 2006; Bengio et al. 2007) on a Fashion-MNIST subset.
--
-- For every seed, one network [784, width x depth, 10] of sigmoid units is initialised once and
-- copied into three variants: no pretraining, greedy autoencoder pretraining and greedy RBM
-- (CD-k) pretraining of the hidden layers (the output layer is never pretrained). All variants
-- are then fine-tuned with the same budget (SGD, epochs, batch, learning rate) and the same batch
-- order (the generator is reseeded before fine-tuning). Measured:
--   * at the start of fine-tuning, on a fixed batch of training images (forward + backward, no
--     update; read with layer:grad_stats()): ||δ_l|| = ||∂L/∂z_l|| and ||∂L/∂W_l|| for every
--     dense layer, and the first hidden layer relative to the last hidden layer;
--   * during fine-tuning, from the recorder (layer:history): the same ratio for the weight
--     gradients over the steps;
--   * test accuracy after every fine-tuning epoch.
-- Pretraining hyperparameters are the plugins' own choices or set with --set; they were picked by
-- the reconstruction error only, never by the fine-tuned accuracy (see docs/pretrain.md).
--
--   gradlab run scripts/pretraining.lua                   # the full study (several minutes)
--   gradlab run scripts/pretraining.lua --set smoke=true  # < 1 minute
-- Parameters (--set): depth width train_images test_images probe_images epochs batch lr init init_gain
--   pre_epochs pre_batch pre_images ae_optimizer ae_lr ae_noise ae_tied rbm_lr rbm_k seeds
--   methods record_every check plot
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
package.path = here .. "lib/?.lua;" .. package.path
local gradlab = require "gradlab"
local S = require "study"

local P = S.params("pretraining", {
  depth = 6,               -- hidden layers (sigmoid)
  width = 128,             -- units per hidden layer
  train_images = 10000,
  test_images = 10000,
  probe_images = 1000,     -- fixed batch on which the start-of-fine-tuning gradients are measured
  epochs = 10,             -- fine-tuning epochs (the same budget for every variant)
  batch = 20,
  lr = 0.1,                -- fine-tuning SGD learning rate
  init = "normal_scaled",  -- initial weights of every variant, N(0, 1/fan_in)
  init_gain = 1,           -- multiplies the std of normal_scaled / xavier_normal (4: Glorot &
                           -- Bengio's suggestion for sigmoid units)
  pre_epochs = 5,          -- pretraining epochs per layer
  pre_batch = 20,
  pre_images = 0,          -- images used for pretraining (0: the whole training subset)
  ae_optimizer = "adam",    -- the plugin's default (plain SGD at a usual rate barely moves the
  ae_lr = 1e-3,             -- mean-squared reconstruction error in this budget: docs/pretrain.md)
  ae_noise = 0,            -- masking noise of the autoencoders (0: plain autoencoders)
  ae_tied = true,
  rbm_lr = 0.1,
  rbm_k = 1,
  seeds = {1, 2, 3},
  methods = {"none", "autoencoder", "rbm"},
  record_every = 50,       -- recorder stride during fine-tuning (metrics.csv, layer:history)
  check = false,
  plot = true,
}, {depth = 5, width = 64, train_images = 1000, test_images = 1000, probe_images = 200,
    epochs = 2, pre_epochs = 2, seeds = {1}, record_every = 10}, {
  depth = S.whole(1), width = S.whole(1), train_images = S.whole(1), test_images = S.whole(1),
  probe_images = S.whole(1), epochs = S.whole(1), batch = S.whole(1), lr = S.number(0, ">"),
  init_gain = S.number(0, ">"), pre_epochs = S.whole(1), pre_batch = S.whole(1),
  pre_images = S.whole(0), ae_lr = S.number(0, ">"), ae_noise = S.number(0, ">=", 1, "<"),
  rbm_lr = S.number(0, ">"), rbm_k = S.whole(1), seeds = S.list(S.whole(0), {unique = true}),
  methods = S.list(S.one_of{"none", "autoencoder", "rbm"}, {unique = true}),
  record_every = S.whole(1),
})
S.at_most(P, "probe_images", "train_images")

local CLASSES = 10
local L = gradlab.layer
local H = P.depth

-- ---------------------------------------------------------------- data

local train, dname = S.image_data("train", P.train_images)
local test = S.image_data("test", P.test_images)
local fallback = not dname:match("^Fashion")
if train:size() > P.train_images then train = train:subset(P.train_images) end
if test:size() > P.test_images then test = test:subset(P.test_images) end
local probe_X, _, probe_labels = S.batch(train, 1, P.probe_images, CLASSES)
local rbm_visible = fallback and "gaussian" or "binary" -- blobs are real-valued, not in [0,1]
if fallback then
  io.stderr:write("note: the RBM's first layer uses Gaussian visible units on the fallback data\n")
end

local sizes = {784}
for _ = 1, H do sizes[#sizes + 1] = P.width end
sizes[#sizes + 1] = CLASSES
local arch = table.concat(sizes, ",")
local arch_short = ("[784, %d×%d, %d]"):format(P.width, H, CLASSES) -- for figure titles

print(("study — greedy layer-wise pretraining: %s, [%s] sigmoid, %d train / %d test images, "
  .. "seeds %s"):format(dname, arch, train:size(), test:size(), table.concat(P.seeds, ",")))
print(("  initial weights: %s%s\n"):format(P.init, P.init_gain ~= 1 and (" x " .. P.init_gain) or "")
  .. ("  fine-tuning: SGD lr %g, batch %d, %d epoch(s); pretraining: %d epoch(s)/layer, "
  .. "batch %d; autoencoder %s lr %g noise %g tied %s; RBM CD-%d lr %g (%s visible)"):format(
  P.lr, P.batch, P.epochs, P.pre_epochs, P.pre_batch, P.ae_optimizer, P.ae_lr, P.ae_noise,
  tostring(P.ae_tied), P.rbm_k, P.rbm_lr, rbm_visible))

-- ---------------------------------------------------------------- the variants

local LABEL = {none = "no pretraining", autoencoder = "autoencoder pretraining",
  rbm = "RBM pretraining"}
for _, m in ipairs(P.methods) do
  if not LABEL[m] then
    error(("pretraining: unknown method '%s' in --set methods (none, autoencoder, rbm)"):format(m), 0)
  end
end

-- The hidden dense layers are top-level layers 1, 3, ..., 2H-1; the output layer is 2H+1.
local hidden_idx = {}
for l = 1, H do hidden_idx[l] = 2 * l - 1 end

-- The initializer of dense layer `fan_in` → `fan_out`: P.init, its std scaled by P.init_gain.
local function init_of(fan_in, fan_out)
  if P.init_gain == 1 then return P.init end
  if P.init == "normal_scaled" then return {"normal", std = P.init_gain / math.sqrt(fan_in)} end
  if P.init == "xavier_normal" then
    return {"normal", std = P.init_gain * math.sqrt(2 / (fan_in + fan_out))}
  end
  error("pretraining: init_gain applies to init=normal_scaled or xavier_normal only", 0)
end

-- A network with uniquely named layers (so metrics.csv rows of different runs stay apart).
local function build(tag)
  local layers, dense = {}, {}
  for i = 1, #sizes - 1 do
    local last = i == #sizes - 1
    local d = L.dense{inputs = sizes[i], outputs = sizes[i + 1],
      init = init_of(sizes[i], sizes[i + 1]),
      bias_init = "zeros", name = ("%s_%s"):format(tag, last and "out" or ("h" .. i))}
    dense[#dense + 1] = d
    layers[#layers + 1] = d
    if not last then layers[#layers + 1] = L.sigmoid{name = ("%s_a%d"):format(tag, i)} end
  end
  layers.name = tag -- the model's rows in metrics.csv: TAG/...
  return gradlab.sequential(layers), dense
end

-- Copy every parameter of `from` into `to` (same architecture).
local function copy_params(from, to)
  for i, d in ipairs(from) do
    for _, p in ipairs(d:param_names()) do to[i]:set_param(p, d:param(p)) end
  end
end

local function pretrain(net, method)
  local common = {model = net, data = train, method = method, epochs = P.pre_epochs,
    batch = P.pre_batch, layers = hidden_idx, limit = P.pre_images}
  if method == "autoencoder" then
    common.lr, common.optimizer, common.noise, common.tied = P.ae_lr, P.ae_optimizer,
      P.ae_noise, P.ae_tied
  else
    common.lr, common.k, common.visible = P.rbm_lr, P.rbm_k, rbm_visible
  end
  return gradlab.pretrain(common)
end

-- Per-layer ||δ_l|| and ||∂L/∂W_l|| on the probe batch (no update), via grad_stats, and the
-- fraction of saturated hidden units (sigmoid output < 0.01 or > 0.99), mean over hidden layers.
local function probe(net, dense)
  net:record_every(1)
  S.probe(net, probe_X, probe_labels, "cross_entropy")
  local delta, dw, sat = {}, {}, 0
  for l, d in ipairs(dense) do
    local st = d:grad_stats()
    delta[l] = st.output_grad.norm
    dw[l] = st.params.weight.grad.norm
  end
  for l = 1, H do sat = sat + net:layer(2 * l):grad_stats().activation.saturation / H end
  net:zero_grad()
  return delta, dw, sat
end

-- How much the network's output still depends on the image: the standard deviation over the
-- probe images of each output logit, averaged over the classes (the forward side of the story:
-- a stack of contracting sigmoid layers maps every image to nearly the same last hidden vector).
local function logit_sd(net)
  local out = net:forward(probe_X):totable()
  local n, sd = #out, 0
  for k = 1, CLASSES do
    local mu, ss = 0, 0
    for i = 1, n do mu = mu + out[i][k] end
    mu = mu / n
    for i = 1, n do ss = ss + (out[i][k] - mu) ^ 2 end
    sd = sd + math.sqrt(ss / n)
  end
  return sd / CLASSES
end

-- ---------------------------------------------------------------- the runs

local runs = {}           -- runs[method] = array over seeds of the measurements
local pre_rows = {}       -- pretraining history rows
for _, m in ipairs(P.methods) do runs[m] = {} end

for _, seed in ipairs(P.seeds) do
  S.seed(seed)
  local _, init_dense = build(("init_s%d"):format(seed))
  for _, m in ipairs(P.methods) do
    local tag = ("%s_s%d"):format(m == "autoencoder" and "ae" or m, seed)
    local net, dense = build(tag)
    copy_params(init_dense, dense) -- the same initial weights for every variant of a seed
    S.seed(seed * 7919 + 17)       -- pretraining's own generator draws
    local t0 = os.clock()
    if m ~= "none" then
      for _, r in ipairs(pretrain(net, m)) do
        pre_rows[#pre_rows + 1] = {m, seed, (r.layer + 1) // 2, r.epoch, r.recon_error}
      end
    end
    local pre_time = os.clock() - t0
    net:train()
    local delta0, dw0, sat0 = probe(net, dense)
    local sd0 = logit_sd(net)
    -- fine-tuning: the same generator state (batch order) for every variant of this seed
    S.seed(seed * 104729 + 3)
    local opt = gradlab.optim.sgd{lr = P.lr}
    local acc, loss, diverged = {}, {}, false
    for e = 1, P.epochs do
      local r = gradlab.train{model = net, data = train, loss = "cross_entropy", optimizer = opt,
        epochs = 1, batch = P.batch, record_every = P.record_every, on_nonfinite = "stop"}
      if r.stopped == "nonfinite" then diverged = true end
      local ev = net:evaluate(test, "cross_entropy")
      net:train()
      acc[e], loss[e] = diverged and 0 or ev.accuracy, r.loss
      if diverged then break end
    end
    local hist = {}
    local steps
    for l, d in ipairs(dense) do
      local v, s = d:history("params.weight.grad.norm")
      hist[l] = v
      steps = steps or s
    end
    runs[m][#runs[m] + 1] = {seed = seed, delta0 = delta0, dw0 = dw0, acc = acc, loss = loss,
      diverged = diverged, hist = hist, steps = steps, pre_time = pre_time, sd0 = sd0,
      sat0 = sat0}
    print(("  seed %d  %-24s  δ_1/δ_%d %s  dW_1/dW_%d %s  logit sd %s  test acc %s  "
      .. "(pretraining %.1f s)"):format(seed, LABEL[m], H, S.sci(delta0[1] / delta0[H]), H,
      S.sci(dw0[1] / dw0[H]), S.sci(sd0), ("%.4f"):format(acc[#acc]), pre_time))
  end
end

-- ---------------------------------------------------------------- summaries

local function std(xs)
  local mu, s = S.mean(xs), 0
  for _, v in ipairs(xs) do s = s + (v - mu) ^ 2 end
  return #xs > 1 and math.sqrt(s / (#xs - 1)) or 0
end

local fig_delta = S.figure{name = "pretrain_delta_start", logy = true,
  title = ("||δ_l|| per dense layer at the start of fine-tuning, %s sigmoid, %s"):format(
    arch_short, dname),
  xlabel = ("dense layer (1 = nearest the input, %d = output)"):format(H + 1),
  ylabel = "||∂L/∂z_l|| on the probe batch (log scale, geometric mean over seeds)"}
local fig_ratio = S.figure{name = "pretrain_ratio_finetune", logy = true,
  title = ("First / last hidden layer weight-gradient norm during fine-tuning (every %d steps)")
    :format(P.record_every),
  xlabel = "fine-tuning step", ylabel = ("||∂L/∂W_1|| / ||∂L/∂W_%d|| (log scale)"):format(H),
  hline = 1, hline_label = "equal"}
local fig_acc = S.figure{name = "pretrain_accuracy", kind = "lines",
  title = ("Test accuracy during fine-tuning (%d test images, mean over %d seed(s))"):format(
    test:size(), #P.seeds),
  xlabel = "fine-tuning epoch", ylabel = "test accuracy (fraction correct)",
  hline = 1 / CLASSES, hline_label = "chance"}
-- one figure per method: the two errors measure different things (docs/pretrain.md) and one
-- axis with 12 lines needed dashes and reused colours
local fig_recon = {}
for _, m in ipairs(P.methods) do
  if m ~= "none" then
    fig_recon[m] = S.figure{name = "pretrain_recon_" .. m, logy = true,
      title = ("%s pretraining: reconstruction error per epoch and hidden layer (mean over "
        .. "%d seed(s))"):format(m == "rbm" and "RBM (CD-" .. P.rbm_k .. ")" or "Autoencoder",
        #P.seeds),
      xlabel = "pretraining epoch of the layer",
      ylabel = m == "rbm" and "mean squared error of v₁ against v₀ (log scale)"
        or "mean squared reconstruction error per input (log scale)"}
  end
end

local rows, seed_rows, result = {}, {}, {}
for _, m in ipairs(P.methods) do
  local rs = runs[m]
  local dr, wr, wo, accs, acc1, sds, sats = {}, {}, {}, {}, {}, {}, {}
  for _, r in ipairs(rs) do
    dr[#dr + 1] = r.delta0[1] / r.delta0[H]
    wr[#wr + 1] = r.dw0[1] / r.dw0[H]
    wo[#wo + 1] = r.dw0[1] / r.dw0[H + 1]
    accs[#accs + 1] = r.acc[#r.acc]
    acc1[#acc1 + 1] = r.acc[1]
    sds[#sds + 1] = r.sd0
    sats[#sats + 1] = r.sat0
    seed_rows[#seed_rows + 1] = {LABEL[m], r.seed, S.sci(r.delta0[1]), S.sci(r.delta0[H]),
      S.sci(dr[#dr]), S.sci(wr[#wr]), S.sci(r.sd0), ("%.3f"):format(r.sat0),
      ("%.4f"):format(r.acc[1]),
      ("%.4f"):format(r.acc[#r.acc])}
    result[("%s_s%d_accuracy"):format(m, r.seed)] = r.acc[#r.acc]
    result[("%s_s%d_delta_ratio"):format(m, r.seed)] = dr[#dr]
  end
  for l = 1, H + 1 do
    local v = {}
    for _, r in ipairs(rs) do v[#v + 1] = r.delta0[l] end
    fig_delta:add(LABEL[m], l, S.geomean(v))
  end
  for e = 1, P.epochs do
    local v = {}
    for _, r in ipairs(rs) do if r.acc[e] then v[#v + 1] = r.acc[e] end end
    if #v > 0 then fig_acc:add(LABEL[m], e, S.mean(v)) end
  end
  -- ratio over the recorded steps (geometric mean over seeds, at the steps all runs share)
  local first = rs[1]
  if first and first.steps then
    for k, step in ipairs(first.steps) do
      local v = {}
      for _, r in ipairs(rs) do
        if r.hist[1][k] and r.hist[H][k] then v[#v + 1] = r.hist[1][k] / r.hist[H][k] end
      end
      if step > 1 then fig_ratio:add(LABEL[m], step - 1, S.geomean(v)) end -- step 1: the probe
    end
  end
  local d, w = S.geomean(dr), S.geomean(wr)
  rows[#rows + 1] = {LABEL[m], S.sci(d), ("%.2f"):format(S.decades(d)), S.sci(w),
    S.sci(S.geomean(wo)), S.sci(S.geomean(sds)), ("%.3f"):format(S.mean(sats)),
    ("%.4f"):format(S.mean(acc1)),
    ("%.4f ± %.4f"):format(S.mean(accs), std(accs))}
  result[m .. "_delta_ratio"] = d
  result[m .. "_delta_spread"] = S.decades(d)
  result[m .. "_weight_ratio"] = w
  result[m .. "_weight_spread"] = S.decades(w)
  result[m .. "_weight_ratio_out"] = S.geomean(wo)
  result[m .. "_logit_sd"] = S.geomean(sds)
  result[m .. "_saturation"] = S.mean(sats)
  result[m .. "_accuracy_epoch1"] = S.mean(acc1)
  result[m .. "_accuracy"] = S.mean(accs)
  result[m .. "_accuracy_std"] = std(accs)
end

-- reconstruction error curves: mean over seeds per (method, layer, epoch)
local recon = {}
for _, r in ipairs(pre_rows) do
  local key = r[1] .. "\t" .. r[3]
  recon[key] = recon[key] or {method = r[1], layer = r[3]}
  recon[key][r[4]] = recon[key][r[4]] or {}
  table.insert(recon[key][r[4]], r[5])
end
local keys = {}
for k in pairs(recon) do keys[#keys + 1] = k end
table.sort(keys, function(a, b)
  if recon[a].method ~= recon[b].method then return recon[a].method < recon[b].method end
  return recon[a].layer < recon[b].layer
end)
for _, k in ipairs(keys) do
  local c = recon[k]
  for e = 1, P.pre_epochs do
    if c[e] then fig_recon[c.method]:add(("hidden layer %d"):format(c.layer), e, S.mean(c[e])) end
  end
end
for _, m in ipairs{"autoencoder", "rbm"} do
  for l = 1, H do
    local first, last = {}, {}
    for _, r in ipairs(pre_rows) do
      if r[1] == m and r[3] == l then
        if r[4] == 1 then first[#first + 1] = r[5] end
        if r[4] == P.pre_epochs then last[#last + 1] = r[5] end
      end
    end
    if #first > 0 then
      result[("%s_recon_l%d_first"):format(m, l)] = S.mean(first)
      result[("%s_recon_l%d_last"):format(m, l)] = S.mean(last)
    end
  end
end

S.table{name = "pretraining", rows = rows,
  columns = {"variant", "δ_1/δ_" .. H, "spread (decades)", "dW_1/dW_" .. H,
    "dW_1/dW_out", "logit sd", "saturated", "test acc ep 1", ("test acc ep %d"):format(P.epochs)},
  title = ("Table: pretraining vs none — [%s] sigmoid, %s, %d train images, %d fine-tuning "
    .. "epoch(s), %d seed(s)"):format(arch, dname, train:size(), P.epochs, #P.seeds),
  note = ("(at the start of fine-tuning, on %d training images: δ_l = ∂L/∂z_l, z_l the output "
    .. "of dense layer l; ratios are\n geometric means over seeds, spread = |log10(δ_1/δ_%d)|; "
    .. "logit sd = standard deviation over the\n probe images of each output logit, mean over "
    .. "classes; saturated = fraction of hidden\n sigmoid outputs < 0.01 or > 0.99, mean over "
    .. "hidden layers; test accuracy on %d test images, mean ± sd over seeds)"):format(
    P.probe_images, H, test:size())}
S.table{name = "pretraining_seeds", rows = seed_rows,
  columns = {"variant", "seed", "||δ_1||", "||δ_" .. H .. "||", "δ_1/δ_" .. H,
    "dW_1/dW_" .. H, "logit sd", "saturated", "acc ep 1", ("acc ep %d"):format(P.epochs)},
  title = "Table: every run"}

-- pretraining history as tidy CSV (metrics.csv names layers by position only)
local f = assert(io.open(P.out .. "/pretrain_history.csv", "w"))
f:write("method,seed,hidden_layer,epoch,recon_error\n")
for _, r in ipairs(pre_rows) do
  f:write(("%s,%d,%d,%d,%.9g\n"):format(r[1], r[2], r[3], r[4], r[5]))
end
f:close()

result.dataset = dname
result.depth, result.width, result.seeds = H, P.width, #P.seeds

-- Did pretraining do its own job? The smallest relative drop of the reconstruction error from
-- the first to the last pretraining epoch over the hidden layers (mean over seeds).
for _, m in ipairs{"autoencoder", "rbm"} do
  local drop
  for l = 1, H do
    local a = result[("%s_recon_l%d_first"):format(m, l)]
    local b = result[("%s_recon_l%d_last"):format(m, l)]
    if a and b and a > 0 then drop = math.min(drop or math.huge, (a - b) / a) end
  end
  result[m .. "_recon_drop_min"] = drop
end

-- What the issue expects, checked against what was measured (reported either way; with
-- --set check=true a failed check is an error).
if runs.none and #runs.none > 0 then
  for _, m in ipairs{"autoencoder", "rbm"} do
    if runs[m] and #runs[m] > 0 then
      result[m .. "_spread_reduction"] = result.none_delta_spread - result[m .. "_delta_spread"]
      result[m .. "_accuracy_gain"] = result[m .. "_accuracy"] - result.none_accuracy
      S.check(result[m .. "_delta_spread"] < result.none_delta_spread,
        ("%s: smaller first/last-hidden δ spread at the start of fine-tuning than none "
          .. "(%.2f vs %.2f decades)"):format(m, result[m .. "_delta_spread"],
          result.none_delta_spread))
      S.check(result[m .. "_accuracy"] > result.none_accuracy,
        ("%s: better mean test accuracy than none after %d epoch(s) (%.4f vs %.4f)"):format(m,
          P.epochs, result[m .. "_accuracy"], result.none_accuracy))
    end
  end
end

for _, p in ipairs(S.finish_figures()) do print("figure: " .. p) end
return S.finish_checks(result)
