-- option_checks.lua — options read by the binding itself: a NaN is never "not given", numbers
-- out of their meaning are errors, seeds are 0..2^53-1, unknown keys are errors with the nearest
-- name, booleans are booleans.
local gradlab = require "gradlab"

local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
local D = gradlab.data

-- numbers of the synthetic data sets: finite, in their meaning
fails("gradlab.data.blobs: option 'spread' must be a finite number > 0, got nan", D.blobs, {spread = 0 / 0})
fails("gradlab.data.blobs: option 'spread' must be a finite number > 0, got inf", D.blobs, {spread = 1 / 0})
fails("gradlab.data.blobs: option 'spread' must be a finite number > 0, got 0", D.blobs, {spread = 0})
fails("gradlab.data.blobs: option 'spread' must be a finite number > 0, got -1", D.blobs, {spread = -1})
fails("gradlab.data.blobs: option 'spread' must be a number, got string", D.blobs, {spread = "x"})
fails("gradlab.data.spirals: option 'noise' must be a finite number >= 0, got inf", D.spirals, {noise = 1 / 0})
fails("gradlab.data.spirals: option 'noise' must be a finite number >= 0, got nan", D.spirals, {noise = 0 / 0})
fails("gradlab.data.spirals: option 'noise' must be a finite number >= 0, got -0.1", D.spirals, {noise = -0.1})
assert(D.spirals{n = 10, noise = 0}:size() == 10 and D.blobs{n = 6, spread = 0.5}:size() == 6)

-- seeds are integers 0..2^53-1, as gradlab.seed and --seed
for _, f in ipairs{"blobs", "spirals", "adding", "copy"} do
  fails("gradlab.data." .. f .. ": option 'seed' must be >= 0, got -1", D[f], {seed = -1})
  fails("gradlab.data." .. f .. ": option 'seed' is 9007199254741002, more than 9007199254740991",
        D[f], {seed = 2^53 + 10})
  fails("gradlab.data." .. f .. ": option 'seed' must be an integer, got 0.5", D[f], {seed = 0.5})
  fails("gradlab.data." .. f .. ": option 'seed' must be an integer, got nan", D[f], {seed = 0 / 0})
end
local a = D.blobs{n = 5, seed = 9007199254740991}:get(1):totable()
local b = D.blobs{n = 5, seed = 9007199254740991}:get(1):totable()
assert(a[1] == b[1] and a[2] == b[2])

-- unknown keys: an error with the nearest name
fails("gradlab.data.xor: unknown option 'n' (it takes no options)", D.xor, {n = 5})
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
local xor = D.xor()
fails("net:evaluate: unknown option 'batchh'; did you mean 'batch'?", net.evaluate, net, xor,
      {loss = "mse", batchh = 4})
fails("net:evaluate: unknown option 'zzz' (options: loss, batch)", net.evaluate, net, xor, {zzz = 1})
fails("net:evaluate: 'loss' must be a string", net.evaluate, net, xor, {loss = 3})
local function train(opts)
  opts.model, opts.data, opts.optimizer = net, xor, gradlab.optim.sgd{lr = 0.1}
  return function() return gradlab.train(opts) end
end
fails("gradlab.train: unknown option 'epoch'; did you mean 'epochs'? (options: model,", train{epoch = 3})

-- names given as values: a typo gets the nearest name too (loss = "msee" said only "loss must be
-- mse, cross_entropy or bce"; gradlab.loss.msee was a nil to call)
fails("gradlab.train: unknown loss 'msee'; did you mean 'mse'? (choose mse, cross_entropy or bce)",
      train{loss = "msee"})
fails("gradlab.train: unknown loss 'l1' (choose mse, cross_entropy or bce)", train{loss = "l1"})
fails("gradlab.train: 'loss' must be a string (mse, cross_entropy or bce), got number", train{loss = 3})
fails("net:evaluate: unknown loss 'bec'; did you mean 'bce'?", net.evaluate, net, xor, "bec")
fails("net:evaluate: unknown loss 'crossentropy'; did you mean 'cross_entropy'?", net.evaluate, net,
      xor, {loss = "crossentropy"})
fails("gradlab.loss: unknown loss 'msee'; did you mean 'mse'? (known: mse, cross_entropy, bce, sum)",
      function() return gradlab.loss.msee end)
fails("gradlab.loss: unknown loss 'hinge' (known: mse", function() return gradlab.loss.hinge end)
assert(gradlab.loss.mse(gradlab.tensor{{1}}, gradlab.tensor{{3}}):item() == 4)
fails("gradlab.train: on_nonfinite: unknown policy 'stopp'; did you mean 'stop'?",
      train{on_nonfinite = "stopp"})
fails("gradlab.train: 'on_nonfinite' must be a string (stop, raise or continue), got boolean",
      train{on_nonfinite = true})

-- booleans are strict (1 is not true)
fails("gradlab.train: 'shuffle' must be a boolean, got number", train{shuffle = 1})
fails("gradlab.train: 'shuffle' must be a boolean, got string", train{shuffle = "false"})
assert(train{shuffle = false}().steps == 1)
fails("(shuffle must be a boolean, got number)", xor.split, xor, 0.5, 1)
assert(select("#", xor:split(0.5, true)) == 2 and xor:split(0.5):size() == 2)
return {ok = 1}
