-- drop_last.lua — gradlab.train{drop_last=true} skips each epoch's last partial batch: 21 blobs in
-- batches of 4 leave a 1-row batch that batchnorm refuses; with drop_last=true only the 5 full
-- batches of 4 run each epoch. drop_last must be a boolean.
local gradlab = require "gradlab"
gradlab.seed(5)
local data = gradlab.data.blobs{n = 21, classes = 2, dim = 3}
local function net()
  return gradlab.sequential{gradlab.layer.dense{inputs = 3, outputs = 4},
                            gradlab.layer.batchnorm{features = 4},
                            gradlab.layer.dense{inputs = 4, outputs = 2}}
end
local ok, err = pcall(gradlab.train, {model = net(), data = data, loss = "cross_entropy",
  optimizer = gradlab.optim.sgd{lr = 0.1}, epochs = 1, batch = 4})
assert(not ok and tostring(err):find("at least 2 rows", 1, true), "expected batchnorm's error: " .. tostring(err))
local items, partial = 0, 0
local r = gradlab.train{model = net(), data = data, loss = "cross_entropy",
  optimizer = gradlab.optim.sgd{lr = 0.1}, epochs = 3, batch = 4, drop_last = true,
  on_step = function(_, info) items = items + info.items
    if info.items ~= 4 then partial = partial + 1 end end}
assert(r.steps == 15 and r.epochs == 3, "steps " .. r.steps)
assert(items == 60 and partial == 0, "items " .. items)
-- drop_last=false is the default: 6 batches an epoch (without batchnorm)
local plain = gradlab.sequential{gradlab.layer.dense{inputs = 3, outputs = 2}}
r = gradlab.train{model = plain, data = data, loss = "cross_entropy",
  optimizer = gradlab.optim.sgd{lr = 0.1}, epochs = 1, batch = 4, drop_last = false}
assert(r.steps == 6, "steps " .. r.steps)
r = gradlab.train{model = plain, data = data, loss = "cross_entropy",
  optimizer = gradlab.optim.sgd{lr = 0.1}, epochs = 1, batch = 4}
assert(r.steps == 6, "steps " .. r.steps)
-- a batch larger than the dataset leaves nothing to train on
ok, err = pcall(gradlab.train, {model = plain, data = data, optimizer = gradlab.optim.sgd{lr = 0.1},
  batch = 22, drop_last = true})
assert(not ok and tostring(err):find("drop_last", 1, true), tostring(err))
ok, err = pcall(gradlab.train, {model = plain, data = data, optimizer = gradlab.optim.sgd{lr = 0.1},
  drop_last = 1})
assert(not ok and tostring(err):find("'drop_last' must be a boolean, got number", 1, true), tostring(err))
print("drop_last ok")
