-- rnn_vs_lstm.lua — study 4: vanishing gradients through time, tanh RNN vs LSTM on the adding
-- problem (Hochreiter & Schmidhuber 1997): inputs are T pairs (value in [0,1), marker in {0,1}),
-- two markers set; the target is the sum of the two marked values. Predicting the mean (1)
-- scores MSE = Var(U+U) = 1/6 ≈ 0.167: a network must beat that to have learned anything.
--
-- For T = 50 and 100: ||∂L/∂h_t|| for every t (the total derivative through all later steps) at
-- initialisation and during training, and the loss curves against the baseline.
--
--   gradlab run scripts/rnn_vs_lstm.lua                  # the full study (several minutes)
--   gradlab run scripts/rnn_vs_lstm.lua --set smoke=true # < 1 minute (T = 50 only, 16 units,
--                                                         800 steps at Adam lr 0.01)
-- Parameters (--set): Ts steps hidden batch lr train_n test_n probe_n probe_every log_every
--   forget_bias seed0 models check plot
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
package.path = here .. "lib/?.lua;scripts/lib/?.lua;" .. package.path
local gradlab = require "gradlab"
local S = require "study"

local P = S.params("rnn_vs_lstm", {
  Ts = {50, 100},
  steps = {2000, 4000},  -- training steps for each T (same order as Ts)
  hidden = 64,
  batch = 32,
  lr = 2e-3,             -- Adam
  train_n = 20000,
  test_n = 1000,
  probe_n = 100,         -- sequences in the batch on which ||dL/dh_t|| is measured
  probe_every = 500,     -- steps between measurements during training
  log_every = 50,        -- steps averaged into one point of the loss curve
  forget_bias = 1,
  seed0 = 1,
  models = {"rnn", "lstm"},
  check = false,
  plot = true,
}, {Ts = {50}, steps = {800}, hidden = 16, lr = 1e-2, train_n = 5000, test_n = 300,
    probe_n = 50, probe_every = 200, log_every = 50}, {
  Ts = S.list(S.whole(2), {unique = true}), steps = S.list(S.whole(0)), hidden = S.whole(1),
  batch = S.whole(1), lr = S.number(0, ">"), train_n = S.whole(1), test_n = S.whole(1),
  probe_n = S.whole(1), probe_every = S.whole(1), log_every = S.whole(1), forget_bias = S.number(),
  seed0 = S.whole(0), models = S.list(S.one_of{"rnn", "lstm"}, {unique = true}),
})
S.at_most(P, "probe_n", "test_n")
if #P.steps > #P.Ts then -- one budget per T (a shorter list repeats its last budget)
  S.param_error("parameter 'steps' has %d values for %d sequence length(s) Ts = %s", #P.steps,
    #P.Ts, table.concat(P.Ts, ","))
end

local BASELINE = 1 / 6
local L = gradlab.layer
local result, rows, init_fig = {}, {}, nil
init_fig = S.figure{name = "time_grad_init", logy = true,
  title = "||∂L/∂h_t|| across time at initialisation (adding problem)",
  xlabel = "time step t (the loss reads h_T)", ylabel = "||∂L/∂h_t|| (log scale)"}

local function build(kind, T)
  local cell = kind == "lstm"
    and L.lstm{inputs = 2, hidden = P.hidden, forget_bias = P.forget_bias}
    or L.rnn{inputs = 2, hidden = P.hidden}
  local net = gradlab.sequential{cell, L.dense{inputs = P.hidden, outputs = 1},
    name = ("%s_T%d"):format(kind, T)}
  return net, cell
end

-- ||dL/dh_t|| for t = 1..T on the fixed probe batch.
local function time_grads(net, cell, X, Y)
  S.probe(net, X, Y, "mse")
  local st = cell:grad_stats()
  local out = {}
  for t, s in ipairs(st and st.time or {}) do out[t] = s.norm end
  return out
end

print(("study 4 — RNN vs LSTM on the adding problem: T = %s, hidden %d, batch %d, Adam lr %g")
  :format(table.concat(P.Ts, ","), P.hidden, P.batch, P.lr))
for ti, T in ipairs(P.Ts) do
  local steps = P.steps[ti] or P.steps[#P.steps]
  S.seed(P.seed0)
  local all = gradlab.data.adding{T = T, n = P.train_n + P.test_n}
  local train, test = all:split(P.train_n / (P.train_n + P.test_n))
  local X, Y = S.batch(test, 1, P.probe_n, nil, true)
  local loss_fig = S.figure{name = ("loss_T%d"):format(T), logy = true, hline = BASELINE,
    hline_label = "predict the mean: MSE 1/6 ≈ 0.167",
    title = ("Adding problem, T = %d: training loss (mean of %d steps)"):format(T, P.log_every),
    xlabel = "training step", ylabel = "MSE (log scale)"}
  for _, kind in ipairs(P.models) do
    S.seed(P.seed0)
    local net, cell = build(kind, T)
    local name = ("%s T=%d"):format(kind:upper(), T)
    local g0 = time_grads(net, cell, X, Y)
    for t, v in ipairs(g0) do init_fig:add(name, t, v) end
    local tfig = S.figure{name = ("time_grad_%s_T%d"):format(kind, T), logy = true,
      title = ("||∂L/∂h_t|| across time during training, %s"):format(name),
      xlabel = "time step t (the loss reads h_T)", ylabel = "||∂L/∂h_t|| (log scale)"}
    for t, v in ipairs(g0) do tfig:add("step 0", t, v) end
    local opt = gradlab.optim.adam{lr = P.lr}
    local done, acc, nacc, last_window = 0, 0, 0, nil
    local g = g0
    while done < steps do
      local target = math.min(done + P.probe_every, steps)
      S.train{model = net, data = train, loss = "mse", optimizer = opt, epochs = 1000000,
        batch = P.batch, shuffle = true, on_step = function(_, info)
          done = done + 1
          if info.loss == info.loss then acc, nacc = acc + info.loss, nacc + 1 end
          if done % P.log_every == 0 then
            last_window = acc / math.max(nacc, 1)
            loss_fig:add(kind:upper(), done, last_window)
            acc, nacc = 0, 0
          end
          if done >= target then return false end
        end}
      g = time_grads(net, cell, X, Y)
      for t, v in ipairs(g) do tfig:add(("step %d"):format(done), t, v) end
    end
    local test_mse = net:evaluate(test).loss
    local r0 = (g0[1] or 0) / (g0[#g0] or 1)
    local r1 = (g[1] or 0) / (g[#g] or 1)
    rows[#rows + 1] = {name, S.sci(g0[1]), S.sci(g0[#g0]), S.sci(r0), S.sci(r1),
      ("%.4f"):format(last_window or 0 / 0), ("%.4f"):format(test_mse), tostring(steps)}
    local key = ("%s_T%d"):format(kind, T)
    result[key .. "_ratio_init"] = r0
    result[key .. "_ratio_trained"] = r1
    result[key .. "_test_mse"] = test_mse
    result[key .. "_train_mse"] = last_window
  end
end

S.table{name = "rnn_vs_lstm", rows = rows,
  columns = {"model", "||dL/dh_1|| init", "||dL/dh_T|| init", "h_1/h_T init",
    "h_1/h_T trained", "train MSE", "test MSE", "steps"},
  title = "Table: gradient through time and loss, adding problem (baseline MSE 0.167)",
  note = ("(h_1/h_T = ||dL/dh_1|| / ||dL/dh_T|| on %d test sequences; train MSE = mean of "
    .. "the last %d steps)"):format(P.probe_n, P.log_every)}

-- The findings. At initialisation the two are not ordered the textbook way with these defaults
-- (Xavier w_h puts the RNN's recurrent spectral radius near 1, and the LSTM's forget gates start
-- at σ(1) ≈ 0.73, a decay per step): the ratios are reported, not asserted. What training shows:
-- the LSTM solves the task where the RNN stays at the baseline, and training opens the LSTM's
-- path through time (its h_1/h_T ratio grows by orders of magnitude).
for _, T in ipairs(P.Ts) do
  local k = function(kind, what) return result[("%s_T%d_%s"):format(kind, T, what)] end
  if k("rnn", "ratio_init") and k("lstm", "ratio_init") then
    result[("lstm_over_rnn_T%d"):format(T)] = k("lstm", "ratio_init") / k("rnn", "ratio_init")
    result[("lstm_over_rnn_trained_T%d"):format(T)] =
      k("lstm", "ratio_trained") / k("rnn", "ratio_trained")
  end
  if k("lstm", "test_mse") then
    S.check(k("lstm", "test_mse") < 0.3 * BASELINE, ("T=%d: the LSTM learns the task (test MSE "
      .. "%.4f < 0.3 × the baseline's 0.167)"):format(T, k("lstm", "test_mse")))
    S.check(k("lstm", "ratio_trained") > 100 * k("lstm", "ratio_init"), ("T=%d: training opens "
      .. "the LSTM's path through time (h_1/h_T %.3g → %.3g)"):format(T, k("lstm", "ratio_init"),
      k("lstm", "ratio_trained")))
  end
  if k("rnn", "test_mse") then
    S.check(k("rnn", "test_mse") > 0.6 * BASELINE, ("T=%d: the tanh RNN stays near the baseline "
      .. "(test MSE %.4f)"):format(T, k("rnn", "test_mse")))
  end
end

for _, p in ipairs(S.finish_figures()) do print("figure: " .. p) end
return S.finish_checks(result)
