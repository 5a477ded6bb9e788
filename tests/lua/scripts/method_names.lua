-- method_names.lua — argument errors of methods name the method ('net:forward', also through
-- pcall, where Lua itself says '?'), and objects whose __gc (or __close) was called by hand say
-- so instead of "its creation failed" — and never touch freed memory (the ASan build runs this).
local gradlab = require "gradlab"

local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")

local n = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
local d = gradlab.data.xor()
local t = gradlab.tensor{1, 2}
local opt = gradlab.optim.sgd{lr = 0.1}
local l = n:layer(1)
-- through pcall (arguments counted after self, as in a method call)
fails("calling 'net:forward' on bad self (gradlab.model expected, got number)", n.forward, 5)
fails("bad argument #1 to 'net:forward' (tensor or table of numbers expected, got boolean)", n.forward, n, true)
fails("bad argument #1 to 'net:layer' (string expected, got table)", n.layer, n, {})
fails("bad argument #1 to 'net:layer' (layer index 7 out of range 1..1)", n.layer, n, 7)
fails("bad argument #1 to 'dataset:get' (item 99 is out of range 1..4)", d.get, d, 99)
fails("bad argument #1 to 'dataset:split' (number expected, got no value)", d.split, d)
fails("bad argument #1 to 'tensor:item' (index out of range)", t.item, t, 5)
fails("bad argument #1 to 'tensor:item' (number has no integer representation)", t.item, t, 1.5)
fails("bad argument #1 to 'opt:step' (gradlab.model expected, got number)", opt.step, opt, 5)
fails("bad argument #1 to 'layer:param' (string expected, got no value)", l.param, l)
fails("bad argument #1 to 'layer:history' (string expected, got no value)", l.history, l)
fails("calling 'layer:grad_stats' on bad self (gradlab.layer expected, got gradlab.model)", l.grad_stats, n)
-- called as methods: the same names
fails("bad argument #1 to 'net:forward' (tensor or table of numbers expected, got boolean)",
      function() return n:forward(true) end)
fails("bad argument #2 to 'dataset:batch' (", function() return d:batch(1, 99) end)
-- module functions keep Lua's own naming (the name at the call, the module path in a pcall)
fails("bad argument #1 to 'gradlab.tensor' (tensor or table of numbers expected, got boolean)",
      gradlab.tensor, true)
fails("bad argument #1 to 'tensor' (tensor or table of numbers expected, got boolean)",
      function() return gradlab.tensor(true) end)

-- after a manual __gc: "has been collected", and no use of freed memory
local y = n:forward{{1, 2}}
local lone = gradlab.layer.dense{inputs = 2, outputs = 1}
getmetatable(lone).__gc(lone)
fails("calling 'layer:param' on bad self (layer has been collected: its __gc metamethod was called)",
      lone.param, lone, "weight")
assert(tostring(lone) == "layer (collected)")
getmetatable(n).__gc(n)
fails("calling 'net:forward' on bad self (model has been collected: its __gc metamethod was called)",
      n.forward, n, {{1, 2}})
fails("(layer belongs to a model that has been collected", l.param, l, "weight")
assert(tostring(l) == "layer (its model has been collected)", tostring(l))
assert(l.name == nil and l.type == nil)
fails("gradlab.sequential: element 1: layer belongs to a model that has been collected",
      gradlab.sequential, {l})
fails("gradlab.layer.residual: element 1: layer belongs to a model that has been collected",
      gradlab.layer.residual, {l})
fails("tensor's model has been collected", y.totable, y)
assert(tostring(y):find("model collected", 1, true), tostring(y))
getmetatable(opt).__gc(opt)
fails("calling 'opt:steps' on bad self (optimizer has been collected: its __gc metamethod was called)",
      opt.steps, opt)
do
  local closed <close> = gradlab.data.xor()
  d = closed
end
fails("calling 'dataset:size' on bad self (dataset has been closed: its __close or __gc", d.size, d)
-- a child handed to a constructor that failed still says that
local child = gradlab.layer.dense{inputs = 2, outputs = 2}
fails("unknown option 'bogus'", gradlab.layer.residual, {child, bogus = 1})
fails("(layer was destroyed with a failed constructor", child.param, child, "weight")
-- the handle of a layer that a model owns owns nothing: its __gc by hand leaves it usable
local m2 = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 3}}
local h = m2:layer(1)
getmetatable(h).__gc(h)
assert(h:param("weight"):shape()[2] == 3 and m2:layer(1) == h)
return {ok = 1}
