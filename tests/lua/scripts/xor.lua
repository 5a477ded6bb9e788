-- xor.lua — train XOR with gradlab.train to MSE < 0.05, with on_step/on_epoch callbacks.
local gradlab = require "gradlab"
gradlab.seed(3)
local net = gradlab.sequential{
  gradlab.layer.dense{inputs=2, outputs=8, init="xavier_uniform"},
  gradlab.layer.tanh{},
  gradlab.layer.dense{inputs=8, outputs=1, init="xavier_uniform"},
  gradlab.layer.sigmoid{},
}
local data = gradlab.data.xor()
local steps, epochs, last = 0, 0, nil
local r = gradlab.train{model=net, data=data, loss="mse", optimizer=gradlab.optim.adam{lr=0.05},
  epochs=600, batch=4, shuffle=true, record_every=10,
  on_step=function(step, info) steps = step; last = info.loss
    assert(info.epoch >= 1 and info.items == 4) end,
  on_epoch=function(epoch, info) epochs = epoch end}
assert(r.steps == 600 and steps == 600 and epochs == 600, "callbacks ran")
assert(r.stopped == "done")
local e = net:evaluate(data, "mse")
print(string.format("xor: loss %.5f accuracy %.2f", e.loss, e.accuracy))
assert(e.loss < 0.05, "XOR not learned: mse " .. e.loss)
assert(e.accuracy == 1, "accuracy " .. e.accuracy)
return {mse = e.loss, accuracy = e.accuracy, steps = r.steps}
