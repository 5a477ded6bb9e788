-- mlp_epoch.lua — gradlab side of mlp_epoch and stats_overhead: Fashion-MNIST, 784-256-128-10
-- ReLU, softmax cross-entropy, SGD lr 0.1, batch 64, one shuffled epoch.
-- Options (--set): epochs=1 (0: load the data and build the model only — bench/run.py times both
-- and takes the difference as the epoch time), record_every=0 (1: statistics every step).
local gradlab = require "gradlab"
local P = gradlab.params or {}
local L = gradlab.layer

local train = gradlab.data.fashion_mnist{split = "train"}
local net = gradlab.sequential{
  L.dense{inputs = 784, outputs = 256}, L.relu{},
  L.dense{inputs = 256, outputs = 128}, L.relu{},
  L.dense{inputs = 128, outputs = 10},
}
local r = gradlab.train{model = net, data = train, loss = "cross_entropy",
  optimizer = gradlab.optim.sgd{lr = 0.1}, epochs = P.epochs or 1, batch = 64, shuffle = true,
  record_every = P.record_every or 0}
print(string.format("loss=%.4f steps=%d", r.loss or 0/0, r.steps or 0))
