-- model_name.lua — gradlab.sequential{..., name=} names a model (its metrics.csv rows say
-- NAME/1, NAME/model); other keys are errors with the nearest name (nmae= was ignored); a bad
-- name is an error before any layer is taken, so the layers stay usable.
local gradlab = require "gradlab"
local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
local function dense() return gradlab.layer.dense{inputs = 2, outputs = 1} end
local net = gradlab.sequential{dense(), gradlab.layer.sigmoid{}, name = "depth 2"}
assert(net:name() == "depth 2")
assert(gradlab.sequential{dense()}:name() == nil)
fails("gradlab.sequential: unknown option 'nmae'; did you mean 'name'?", gradlab.sequential,
  {dense(), nmae = "x"})
fails("gradlab.sequential: option 'name' must be a string, got number", gradlab.sequential,
  {dense(), name = 3})
fails("gradlab.sequential: model name 'a/b': a name is printable text, not empty, at most 200 bytes, without '/'",
  gradlab.sequential, {dense(), name = "a/b"})
local l = dense()
fails("model name '': a name is", gradlab.sequential, {l, name = ""})
local again = gradlab.sequential{l, name = "kept"} -- l was not taken by the failed call
assert(again:name() == "kept")

-- Layer names likewise: 'enc/1' would read as layer 1 of a model 'enc' in metrics.csv (and in
-- gradlab plot); refused before the layer is built.
fails("gradlab.layer.dense: layer name 'enc/1': a name is printable text, not empty, without '/'",
  gradlab.layer.dense, {inputs = 2, outputs = 1, name = "enc/1"})
fails("gradlab.layer.sigmoid: layer name '': a name is", gradlab.layer.sigmoid, {name = ""})
fails("gradlab.layer.residual: layer name 'a\\x0ab'", gradlab.layer.residual,
  {gradlab.layer.tanh{}, name = "a\nb"})
local named = gradlab.layer.dense{inputs = 2, outputs = 1, name = "encoder 1 (ü)"}
assert(named.name == "encoder 1 (ü)")

-- A NUL byte would cut the name where C reads it ("a\0b" became layer "a"); control bytes are
-- shown escaped in the message (an ESC reached the terminal); 'model' is the model's own rows'
-- layer name in metrics.csv, so no layer takes it.
fails("gradlab.layer.dense: layer name: a name cannot hold a NUL byte (byte 2 of 3)",
  gradlab.layer.dense, {inputs = 2, outputs = 1, name = "a\0b"})
fails("gradlab.sequential: model name: a name cannot hold a NUL byte (byte 2 of 3)",
  gradlab.sequential, {dense(), name = "m\0x"})
fails("layer name 'x\\x1b[31m'", gradlab.layer.tanh, {name = "x\27[31m"})
fails("layer name 'model' is reserved", gradlab.layer.tanh, {name = "model"})
fails("model name '" .. string.rep("é", 20) .. "...'", gradlab.sequential,
  {dense(), name = string.rep("é", 101)}) -- 202 bytes: cut at 40 bytes, between characters
