-- has_type.lua — gradlab.has_type(kind, name) tells whether a type is registered without an
-- error (indexing gradlab.layer.<unknown> raises, with its "did you mean", so that `if
-- gradlab.layer.swish then` cannot be used as a test).
local gradlab = require "gradlab"

local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
assert(gradlab.has_type("layer", "dense") == true)
assert(gradlab.has_type("layer", "swish") == false)
assert(gradlab.has_type("layer", "adam") == false)
assert(gradlab.has_type("optimizer", "adam") == true)
assert(gradlab.has_type("pretrainer", "rbm") == true)
assert(gradlab.has_type("pretrainer", "dense") == false)
fails("bad argument #1 to 'has_type' (kind must be \"layer\", \"optimizer\" or \"pretrainer\", got \"optim\")",
      function() return gradlab.has_type("optim", "adam") end)
fails("bad argument #2 to 'gradlab.has_type' (string expected, got no value)", gradlab.has_type, "layer")
-- it agrees with gradlab.plugins()
for _, p in ipairs(gradlab.plugins()) do assert(gradlab.has_type(p.kind, p.name), p.name) end
-- the constructors still raise for unknown names, with the nearest one
fails("gradlab.layer: unknown layer type 'dens'; did you mean 'dense'?", function() return gradlab.layer.dens end)
local act = gradlab.has_type("layer", "swish") and gradlab.layer.swish{} or gradlab.layer.tanh{}
assert(act.type == "tanh")
return {ok = 1}
