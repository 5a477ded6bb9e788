-- os_exit.lua CODE [pcall|callback] — os.exit(CODE) after some training: gradlab run writes the
-- run folder through its normal path (finished = (CODE == 0), metrics complete, no .part files)
-- and exits with CODE. "pcall": the exit is called under pcall (it still ends the script);
-- "callback": from a gradlab.train on_step callback.
local gradlab = require "gradlab"
local code = math.tointeger(tonumber(arg[1]))
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
local function train(cb)
  return gradlab.train{model = net, data = gradlab.data.xor(), optimizer = gradlab.optim.sgd{lr = 0.1},
    epochs = 3, on_step = cb}
end
train()
print("before exit")
if arg[2] == "pcall" then
  pcall(os.exit, code)
  error("pcall swallowed os.exit")
elseif arg[2] == "callback" then
  train(function(step) if step == 5 then os.exit(code) end end)
  error("os.exit in a callback did not end the script")
else
  os.exit(code)
end
error("os.exit returned")
