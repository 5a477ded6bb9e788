-- unwind.lua — C errors raised inside bindings, caught by pcall many times: nothing may leak
-- (checked by ASan/valgrind runs of the suite). Exits normally.
local gradlab = require "gradlab"
local function fails(f, pattern)
  local ok, err = pcall(f)
  assert(not ok, "expected an error")
  assert(tostring(err):find(pattern), "message: " .. tostring(err))
end
for i = 1, 20 do
  -- a config built, then rejected
  fails(function() return gradlab.layer.dense{inputs = 2, outputs = 3, bogus = 1} end, "bogus")
  -- a bad initializer inside the option table
  fails(function() return gradlab.layer.dense{inputs = 2, outputs = 3, init = {"nromal"}} end, "nromal")
  -- children taken, then the parent fails: the children go with it
  local a, b = gradlab.layer.dense{inputs = 2, outputs = 2}, gradlab.layer.relu{}
  fails(function() return gradlab.layer.residual{a, b, bogus = true} end, "bogus")
  -- a layer used twice
  local c = gradlab.layer.relu{}
  fails(function() return gradlab.sequential{c, c} end, "repeats")
  -- a model, a shape error in forward, a loss shape error
  local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
  fails(function() return net:forward{{1, 2, 3}} end, "")
  local out = net:forward{{1, 2}}
  fails(function() return gradlab.loss.mse(out, {1, 2, 3}) end, "")
  fails(function() return gradlab.tensor{{1, 2}, {3}} end, "ragged")
  fails(function() return net:layer(1):param("nope") end, "weight")
  fails(function() return net:load("/nonexistent/file.bin") end, "")
  fails(function() return gradlab.sweep{a = {}} end, "non%-empty")
  fails(function() return gradlab.train{model = net, data = {}, optimizer = gradlab.optim.sgd{lr = 1}} end,
        "'data' must be a dataset")
  fails(function() return gradlab.train{model = net, data = gradlab.data.xor()} end, "'optimizer' is required")
  fails(function() return gradlab.train{model = net, data = gradlab.data.xor(), optimizer = gradlab.optim.sgd{lr = 1},
                                        epoch = 3} end, "unknown option 'epoch'")
end
collectgarbage()
return {ok = true}
