-- history_paths.lua — layer:history / net:history parse their path strictly: a time step is
-- digits from 1 without sign, space or leading zero and within range, and only on a layer that
-- records time steps; a long bad path is shown cut, not echoed in full.
local gradlab = require "gradlab"

local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
gradlab.seed(1)
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 3}, gradlab.layer.tanh{},
                               gradlab.layer.dense{inputs = 3, outputs = 1}}
gradlab.train{model = net, data = gradlab.data.xor(), optimizer = gradlab.optim.sgd{lr = 0.1},
              epochs = 2, batch = 4}
local d = net:layer(1)
local function h(path) return function() return d:history(path) end end

-- valid paths
for _, p in ipairs{"output_grad.norm", "activation.mean", "activation.saturation", "activation.dead",
                   "params.weight.norm", "params.weight.update_ratio", "params.weight.update_norm",
                   "params.weight.grad.std", "params.bias.grad.frac_zero"} do
  assert(#d:history(p) == 2, p)
end
assert(#net:history(1, "params.weight.grad.norm") == 2)

-- time steps on a layer that has none
fails("layer:history: layer '1' (dense) has no time steps (time.<t>.norm is recorded for recurrent layers)",
      h("time.1.norm"))
fails("net:history: layer '1' (dense) has no time steps", net.history, net, 1, "time.2.norm")
-- loose time steps
for _, p in ipairs{"time.+1.norm", "time. 1.norm", "time.01.norm", "time.0.norm", "time.-1.norm",
                   "time.1 .norm", "time.0x1.norm", "time.1e1.norm",
                   "time.99999999999999999999.norm", "time.2147483648.norm", "time..norm"} do
  fails("layer:history: bad path '" .. p .. "' for layer '1' (dense): a time step is a whole number from 1 written in digits (time.3.norm)",
        h(p))
end
fails("layer:history: bad path 'time.1.mean' for layer '1' (dense): time steps keep their norm only (time.1.norm)",
      h("time.1.mean"))
-- other malformed paths
for _, p in ipairs{"output_grad", "output_grad.", ".norm", "output_grad..norm", "output_grad.norm.x",
                   "output_grad.Norm", "params.weight", "params..norm", "params.weight.grad",
                   "params.weight.grad.update_ratio", "activation.saturation.x", " output_grad.norm", ""} do
  fails("layer:history: unknown path '" .. p .. "' for layer '1' (dense) (e.g. output_grad.norm", h(p))
end
fails("layer 1 has no parameter 'wieght'", h("params.wieght.norm"))
-- a long path is cut in the message
local err = fails("layer:history: unknown path 'xxxxxxxxxx", h(("x"):rep(200000)))
assert(#err < 400 and err:find("... (200000 bytes)", 1, true), #err .. ": " .. err:sub(1, 300))

-- a recurrent layer: time steps 1..T
local rnn = gradlab.sequential{gradlab.layer.rnn{inputs = 2, hidden = 4}, gradlab.layer.dense{inputs = 4, outputs = 1}}
gradlab.train{model = rnn, data = gradlab.data.adding{T = 5, n = 8}, optimizer = gradlab.optim.sgd{lr = 0.1},
              epochs = 1, batch = 4}
assert(#rnn:layer(1):history("time.5.norm") == 2 and #rnn:layer(1):history("time.1.norm") == 2)
local beyond = rnn:layer(1):history("time.9.norm") -- beyond the longest sequence seen: NaN
assert(beyond[1] ~= beyond[1])
fails("bad path 'time.05.norm'", function() return rnn:layer(1):history("time.05.norm") end)
return {ok = 1}
