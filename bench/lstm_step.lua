-- lstm_step.lua — gradlab side of lstm_step: the adding problem, T=100, batch 32, lstm 2->128,
-- last step -> dense 128->1, MSE, Adam lr 1e-3. Options (--set): steps=40, record_every=0.
-- bench/run.py runs it with two step counts and takes the time difference per step, so process
-- start, plugin loading and data generation cancel out.
local gradlab = require "gradlab"
local P = gradlab.params or {}
local L = gradlab.layer
local steps = P.steps or 40

local data = gradlab.data.adding{T = 100, n = 32 * math.max(steps, 1)}
local net = gradlab.sequential{
  L.lstm{inputs = 2, hidden = 128},
  L.dense{inputs = 128, outputs = 1},
}
local r = gradlab.train{model = net, data = data, loss = "mse",
  optimizer = gradlab.optim.adam{lr = 1e-3}, epochs = steps > 0 and 1 or 0, batch = 32,
  shuffle = false, record_every = P.record_every or 0}
print(string.format("loss=%.4f steps=%d", r.loss or 0/0, r.steps or 0))
