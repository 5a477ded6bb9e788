-- manual_epoch.lua — a hand-written loop numbers its epochs with net:epoch(e): the records and
-- grad_stats() carry it (they said epoch 0 throughout); gradlab.train numbers its own.
local gradlab = require "gradlab"
local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
local opt = gradlab.optim.sgd{lr = 0.1}
local data = gradlab.data.xor()
local x, y = data:batch(1, 4)
assert(net:epoch() == 0)
for e = 1, 3 do
  assert(net:epoch(e) == net) -- returns the model
  net:zero_grad()
  net:backward(gradlab.loss.mse(net:forward(x), y))
  opt:step(net)
  local s = net:layer(1):grad_stats()
  assert(s.epoch == e, "grad_stats().epoch = " .. tostring(s.epoch) .. " in epoch " .. e)
end
assert(net:epoch() == 3)
fails("an epoch is an integer >= 0", net.epoch, net, -1)
return {last_epoch = net:epoch()}
