-- int_options.lua — every integer-valued argument and option of the binding is an integer in its
-- range, or an error naming the function, the option and the value: never cut to its low 32 bits
-- (2^32 + 3 is not 3), never read as 0 (inf, 1e300) or as "not given".
local gradlab = require "gradlab"

local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")

local data = gradlab.data.xor()
local function net() return gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}} end
local function train(opts)
  opts.model, opts.data, opts.optimizer = net(), data, gradlab.optim.sgd{lr = 0.1}
  return function() return gradlab.train(opts) end
end

-- gradlab.train: epochs, batch, record_every
for _, k in ipairs{"epochs", "batch", "record_every"} do
  fails("gradlab.train: '" .. k .. "' must be an integer, got inf", train{[k] = math.huge})
  fails("gradlab.train: '" .. k .. "' must be an integer, got -inf", train{[k] = -math.huge})
  fails("gradlab.train: '" .. k .. "' must be an integer, got nan", train{[k] = 0 / 0})
  fails("gradlab.train: '" .. k .. "' must be an integer, got 1.5", train{[k] = 1.5})
  fails("gradlab.train: '" .. k .. "' is 1e+300, more than 2147483647", train{[k] = 1e300})
  fails("gradlab.train: '" .. k .. "' is 4294967296, more than 2147483647", train{[k] = 2^32})
  fails("gradlab.train: '" .. k .. "' is 4294967299, more than 2147483647", train{[k] = 2^32 + 3})
  fails("gradlab.train: '" .. k .. "' is 4294967299, more than 2147483647",
        train{[k] = math.tointeger(2^32 + 3)})
  fails("gradlab.train: '" .. k .. "' must be >= " .. (k == "batch" and 1 or 0) .. ", got -1",
        train{[k] = -1})
end
fails("gradlab.train: 'batch' must be >= 1, got 0", train{batch = 0})
fails("gradlab.train: 'epochs' must be a number, got string", train{epochs = "3"})
-- what is in range still works, a float with an integer value included
local r = train{epochs = 3.0, batch = 2, record_every = 2}()
assert(r.epochs == 3 and r.steps == 6 and r.stopped == "done", r.epochs)
assert(train{epochs = 0}().steps == 0)

-- net:evaluate's batch, net:record_every, net:layer(i), net:history(i, path)
local n = net()
fails("net:evaluate: 'batch' is 1099511627776, more than 2147483647", n.evaluate, n, data,
      {loss = "mse", batch = 2^40})
fails("net:evaluate: 'batch' must be an integer, got inf", n.evaluate, n, data, {batch = 1 / 0})
fails("net:evaluate: 'batch' must be >= 0, got -1", n.evaluate, n, data, {batch = -1})
assert(n:evaluate(data, {loss = "mse", batch = 3.0}).items == 4)
fails("net:record_every: 'n' is 4294967296, more than 2147483647", n.record_every, n, 2^32)
fails("net:record_every: 'n' must be >= 0, got -1", n.record_every, n, -1)
fails("layer index 4294967297 out of range 1..1", n.layer, n, 2^32 + 1)
fails("layer index -4294967295 out of range 1..1", n.layer, n, -2^32 + 1)
gradlab.train{model = n, data = data, optimizer = gradlab.optim.sgd{lr = 0.1}}
assert(#n:history(1, "output_grad.norm") == 1)
fails("no layer named '4294967297'", n.history, n, 2^32 + 1, "output_grad.norm")

-- gradlab.data options
fails("gradlab.data.blobs: option 'n' must be an integer, got inf", gradlab.data.blobs, {n = 1 / 0})
fails("gradlab.data.blobs: option 'n' must be an integer, got nan", gradlab.data.blobs, {n = 0 / 0})
fails("gradlab.data.blobs: option 'dim' must be an integer, got 2.5", gradlab.data.blobs, {dim = 2.5})
fails("gradlab.data.blobs: option 'n' is 1e+300, more than 2147483647", gradlab.data.blobs, {n = 1e300})
fails("gradlab.data.copy: option 'T' must be >= 2, got 1", gradlab.data.copy, {T = 1})

-- the pretrainer's integer options go through the typed config
fails("gradlab.pretrain: option 'epochs' is 4294967296, outside the range", gradlab.pretrain,
      {model = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 2}}, data = data,
       epochs = 2^32})
-- a negative limit is refused (it read as "all items"; 0 is the option's "all")
for _, method in ipairs{"autoencoder", "rbm"} do
  fails("option 'limit' must be >= 0, got -1", gradlab.pretrain,
        {model = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 2},
                                    gradlab.layer.sigmoid{}},
         data = data, method = method, limit = -1})
end
-- --set epochs=4294967296 (a Lua integer in gradlab.params) reaches train as such
if gradlab.params.epochs then
  fails("gradlab.train: 'epochs' is 4294967296, more than 2147483647",
        train{epochs = gradlab.params.epochs})
end
return {ok = 1}
