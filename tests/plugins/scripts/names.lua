-- Layer names are kept whole (never cut to a fixed size): deep auto names, long user names that
-- share a long prefix, multi-byte UTF-8; and net:load names the tensor without a counterpart.
local gradlab = require "gradlab"
local function check(cond, what) if not cond then error("FAILED: " .. what, 2) end end
local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  check(not ok, "expected an error matching " .. pattern)
  check(tostring(err):find(pattern), "error '" .. tostring(err) .. "' lacks '" .. pattern .. "'")
  return err
end
local function dense(t) t.inputs = t.inputs or 2; t.outputs = t.outputs or 2; return gradlab.layer.dense(t) end

-- 32 nested residuals: auto names "1", "1.1", ... up to 33 levels (65 bytes), all distinct
local l = dense{}
for _ = 1, 32 do l = gradlab.layer.residual{l} end
local net = gradlab.sequential{l}
local deepest = "1" .. string.rep(".1", 32)
check(#deepest == 65, "deepest name length")
check(net:layer(deepest).type == "dense", "net:layer(deepest auto name)")
check(net:layer(deepest).name == deepest, "deepest name kept whole")
net:backward(gradlab.loss.sum(net:forward(gradlab.tensor{{1, 2}})))
local stats = net:grad_stats()
check(#stats == 33 and stats[33].layer == deepest, "33 layers recorded, the deepest by its whole name")

-- two user names sharing their first 70 bytes are different names
local a, b = string.rep("a", 70) .. "x", string.rep("a", 70) .. "y"
net = gradlab.sequential{dense{name = a}, dense{name = b}}
check(net:layer(a).name == a and net:layer(b).name == b, "long names kept whole")
check(net:layer(a) ~= net:layer(b), "two long names, two layers")
fails("two layers are named '" .. a .. "'", gradlab.sequential, {dense{name = a}, dense{name = a}})

-- multi-byte UTF-8 names are never cut mid-character
local e = string.rep("é", 40)
net = gradlab.sequential{dense{name = e}, gradlab.layer.residual{dense{}, name = e .. "r"}}
check(net:layer(e).name == e, "utf-8 name kept whole")
check(net:layer(e .. "r.1").type == "dense", "child of a long utf-8 name")
local x = gradlab.tensor{{1, 2}}
local out = net:forward(x)
net:backward(gradlab.loss.sum(out))
for _, r in ipairs(net:grad_stats()) do
  check(utf8.len(r.layer), "valid utf-8 in grad_stats: " .. r.layer)
end

-- save and load with long names
local dir = gradlab.outdir and gradlab.outdir() or "."
local path = dir .. "/names.model"
net:save(path)
local net2 = gradlab.sequential{dense{name = e}, gradlab.layer.residual{dense{}, name = e .. "r"}}
net2:load(path)
check(net2:layer(e):param("weight"):totable()[1][1] == net:layer(e):param("weight"):totable()[1][1],
      "round trip")

-- load: a tensor without a counterpart is named, with shapes on each side
local two = gradlab.sequential{dense{}, dense{outputs = 3}}
two:save(dir .. "/two.model")
local three = gradlab.sequential{dense{}, dense{outputs = 3}, dense{inputs = 3, outputs = 4}}
fails("layer 3 %(dense%) parameter 'weight' %[3%]%[4%] is not in the file %(the file holds 4 tensors, the model has 6",
      three.load, three, dir .. "/two.model")
three:save(dir .. "/three.model")
fails("the file's tensor '3.weight' %[3%]%[4%] has no counterpart in the model %(the file holds 6 tensors, the model has 4; at that position the model has nothing%)",
      two.load, two, dir .. "/three.model")
local other = gradlab.sequential{dense{}, gradlab.layer.batchnorm{features = 2}}
fails("layer 2 %(batchnorm%) parameter 'gamma' %[2%] is not in the file %(the file holds 4 tensors, the model has 6; at that position the file has '2.weight' %[2%]%[3%]%)",
      other.load, other, dir .. "/two.model")

-- a non-finite gradient event on a layer with a long UTF-8 name: the event's fixed-size layer
-- field holds a whole-character prefix of the name (valid UTF-8 in Lua and in summary.json)
local double = gradlab.real == "double"
local big = double and 5e307 or 1e38 -- the forward stays finite, the weight gradient overflows
net = gradlab.sequential{dense{outputs = 1, bias = false, name = "a"},
                         dense{inputs = 1, outputs = 1, bias = false, name = e}}
net:layer(1):set_param("weight", {{big}, {big}})
net:layer(2):set_param("weight", {{3 / big}})
local r = gradlab.train{model = net, data = gradlab.data.xor(), optimizer = gradlab.optim.sgd{lr = 0.1},
                        epochs = 1, batch = 4, shuffle = false}
check(r.event and r.event.tensor == "params.weight.grad", "an event on the weight gradient")
check(utf8.len(r.event.layer) and e:sub(1, #r.event.layer) == r.event.layer and #r.event.layer >= 60,
      "event layer is a whole-character prefix: " .. r.event.layer)
check(utf8.len(r.event.message), "event message is valid UTF-8")
local f = io.open(dir .. "/summary.json", "rb")
if f then
  local text = f:read("a")
  f:close()
  check(utf8.len(text), "summary.json is valid UTF-8")
end
print("names: all checks passed")
