-- build.lua — building models and reading exact values: layers by name, nested naming,
-- param/set_param/grad/param_names, forward shapes, tensors, plain losses, a manual backward
-- checked against hand-computed gradients, input_grad, save/load, tostring, plugins, params.
local gradlab = require "gradlab"

local function close(a, b, tol) return math.abs(a - b) <= (tol or 1e-5) * math.max(1, math.abs(b)) end

assert(type(gradlab.version) == "string" and gradlab.version ~= "")
gradlab.seed(1)

-- tensors
local t = gradlab.tensor{{1, 2, 3}, {4, 5, 6}}
local s = t:shape()
assert(#s == 2 and s[1] == 2 and s[2] == 3, "shape")
assert(t:totable()[2][3] == 6, "totable")
assert(gradlab.tensor{7}:item() == 7, "item")
assert(tostring(t):find("tensor%[2%]%[3%]"), tostring(t))

-- a model with a nested residual block and a given name
local net = gradlab.sequential{
  gradlab.layer.dense{inputs=2, outputs=3, init="xavier_uniform"},
  gradlab.layer.tanh{},
  gradlab.layer.residual{
    gradlab.layer.dense{inputs=3, outputs=3, init={"normal", std=0.1}, name="inner"},
    gradlab.layer.relu{},
  },
  gradlab.layer.dense{inputs=3, outputs=1, bias_init="zeros"},
}
local layers = net:layers()
assert(#layers == 4, "4 top-level layers")
assert(layers[1].type == "dense" and layers[1].name == "1", layers[1].name)
assert(layers[3].type == "residual")
assert(net:layer("inner").type == "dense", "given name")
assert(net:layer("3.2").type == "relu", "nested name")
assert(net:layer(4) == layers[4], "same userdata for the same layer")
local names = layers[1]:param_names()
assert(names[1] == "weight" and names[2] == "bias", "param names")
local w = layers[1]:param("weight")
assert(w:shape()[1] == 2 and w:shape()[2] == 3, "dense weight is [inputs][outputs]")

-- exact values: y = x·W + b
local d = net:layer(1)
d:set_param("weight", {{1, 2, 3}, {4, 5, 6}})
d:set_param("bias", {0.5, 0, -0.5})
assert(d:param("weight"):totable()[2][1] == 4)
local single = gradlab.sequential{gradlab.layer.dense{inputs=2, outputs=3}}
single:layer(1):set_param("weight", {{1, 2, 3}, {4, 5, 6}})
single:layer(1):set_param("bias", {0.5, 0, -0.5})
local x = gradlab.tensor{{1, 1}, {2, 0}}
local y = single:forward(x)
local yt = y:totable()
assert(close(yt[1][1], 5.5) and close(yt[1][3], 8.5) and close(yt[2][2], 4), "forward values")
-- d(sum y)/dW = x^T · 1, d/db = rows
single:zero_grad()
local ok = single:backward(gradlab.loss.sum(y))
assert(ok == true, "backward returns true")
local g = single:layer(1):grad("weight"):totable()
assert(close(g[1][1], 3) and close(g[2][1], 1), "weight grad")
local gb = single:layer(1):grad("bias"):totable()
assert(close(gb[1], 2), "bias grad")
-- dL/dx = 1 · W^T = row sums of W
local gx = single:input_grad():totable()
assert(close(gx[1][1], 6) and close(gx[1][2], 15), "input grad")

-- losses on plain tensors (values only)
assert(close(gradlab.loss.mse(gradlab.tensor{1, 2}, {1, 4}):item(), 2), "mse")
assert(close(gradlab.loss.sum(gradlab.tensor{1, 2, 3}):item(), 6), "sum")
local xe = gradlab.loss.cross_entropy(gradlab.tensor{{0, 0}}, {1}):item()
assert(close(xe, math.log(2)), "cross entropy")

-- forward through the whole model
local out = net:forward{{0.1, 0.2}, {0.3, 0.4}, {0.5, 0.6}}
assert(out:shape()[1] == 3 and out:shape()[2] == 1, "output shape")
local desc = tostring(net)
assert(desc:find("dense") and desc:find("residual"), desc)
print(desc)
assert(net:param_count() == (2*3+3) + (3*3+3) + (3+1), "parameter count")
assert(desc:find("^sequential %(%d+ layers, 25 parameters%)"), desc)
local one = tostring(gradlab.sequential{gradlab.layer.relu{}})
assert(one:find("^sequential %(1 layer, 0 parameters%)"), one) -- not "1 layers"

-- a stale node: forward again after backward resets the tape
local loss = gradlab.loss.mse(out, {{0}, {0}, {0}})
net:zero_grad()
net:backward(loss)
net:forward{{0, 0}}
assert(not pcall(function() return out:totable() end), "stale tensors raise")

-- predictions in a loop recycle the tape; the previous output goes stale
local p1 = net:forward{{1, 1}}
local p2 = net:forward{{1, 1}}
assert(not pcall(function() return p1:totable() end), "previous prediction is stale")
assert(p2:totable()[1][1] == gradlab.tensor(p2):totable()[1][1])

-- save and load
local path = gradlab.outdir() .. "/net.bin"
net:save(path)
local before = net:layer("inner"):param("weight"):totable()
net:layer("inner"):set_param("weight", {{0,0,0},{0,0,0},{0,0,0}})
net:load(path)
assert(net:layer("inner"):param("weight"):totable()[1][1] == before[1][1], "load restores")

-- loading a file of another architecture names the layer, the parameter and both shapes
single:save(path .. ".single")
local other = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 4}}
local ok, err = pcall(other.load, other, path .. ".single")
assert(not ok and err:find("layer 1") and err:find("weight") and err:find("%[2%]%[3%]"), err)

-- train/eval return the model
assert(net:eval() == net and net:train() == net)

-- plugins and params
local pl = gradlab.plugins()
local found = false
for _, p in ipairs(pl) do
  assert(p.kind and p.name and p.file)
  if p.kind == "layer" and p.name == "dense" then found = true end
end
assert(found, "dense is listed")
assert(gradlab.params.depth == 3 and gradlab.params.act == "relu" and gradlab.params.lr == 0.5,
       "--set values, numbers converted")
assert(arg[1] == "one" and arg[2] == "two", "script arguments")

return {layers = #layers, params = net:param_count(), ok = true}
