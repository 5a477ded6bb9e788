-- nonfinite.lua — a NaN weight: train stops with an event (stop), raises (raise), and the
-- event reaches the result.
local gradlab = require "gradlab"
local function make()
  local net = gradlab.sequential{gradlab.layer.dense{inputs=2, outputs=1}}
  net:layer(1):set_param("weight", {{0/0}, {1}})
  return net
end
local data = gradlab.data.xor()
local r = gradlab.train{model=make(), data=data, optimizer=gradlab.optim.sgd{lr=0.1}, epochs=2}
assert(r.stopped == "nonfinite" and r.nevents >= 1 and #r.events >= 1 and r.events[1].kind, "stop policy: " .. tostring(r.stopped))
assert(r.event and r.event.step == 1, "event step")
local ok, err = pcall(gradlab.train, {model=make(), data=data, optimizer=gradlab.optim.sgd{lr=0.1},
  epochs=2, on_nonfinite="raise"})
assert(not ok and tostring(err):find("step 1"), "raise policy: " .. tostring(err))
return {event_layer = r.event.layer, event_tensor = r.event.tensor}
