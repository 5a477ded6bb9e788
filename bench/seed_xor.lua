-- seed_xor.lua — gradlab side of the seed_xor benchmark: the naive XOR study's workload,
-- [2, 50, 50, 1] sigmoid, MSE, per-sample SGD (batch=1), 40,000 updates (10,000 shuffled epochs
-- of the 4 points). bench/run.py times the whole process: build/gradlab run bench/seed_xor.lua
-- Options (--set): updates=40000, lr=0.5, record_every=0 (statistics off, as in the references).
local gradlab = require "gradlab"
local P = gradlab.params or {}
local L = gradlab.layer
local updates = P.updates or 40000

local net = gradlab.sequential{
  L.dense{inputs = 2, outputs = 50}, L.sigmoid{},
  L.dense{inputs = 50, outputs = 50}, L.sigmoid{},
  L.dense{inputs = 50, outputs = 1}, L.sigmoid{},
}
local data = gradlab.data.xor()
gradlab.train{model = net, data = data, loss = "mse", optimizer = gradlab.optim.sgd{lr = P.lr or 0.5},
  epochs = updates // 4, batch = 1, shuffle = true, record_every = P.record_every or 0}
print(string.format("final_loss=%.6g", net:evaluate(data).loss))
