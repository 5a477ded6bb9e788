-- contract.lua — every name fixed by LUA_API.md, each used once and checked against what the
-- contract says it does (layouts, initializers, losses, statistics fields, data, training
-- options). Run by `gradlab run` (lua_contract) and by stock lua5.4 (lua_contract_stock); the
-- optional first argument is a folder for the files it writes.
local gradlab = require "gradlab"
local dir = (...) or gradlab.outdir()
local function check(cond, what) if not cond then error("contract: " .. what, 2) end end
local function close(a, b, tol) return math.abs(a - b) <= (tol or 1e-6) * math.max(1, math.abs(b)) end
local S = {"count", "norm", "mean", "std", "min", "max", "mean_abs", "frac_zero", "nonfinite"}
local function is_S(t, what)
  check(type(t) == "table", what .. " is a table")
  for _, f in ipairs(S) do check(type(t[f]) == "number", what .. "." .. f) end
end

-- Setup
check(type(gradlab.version) == "string" and gradlab.version:match("^%d+%.%d+"), "version")
gradlab.seed(5)
check(gradlab.seed() == 5, "seed")
check(type(gradlab.params) == "table", "params")
check(type(gradlab.outdir()) == "string", "outdir")
local files = {}
for _, p in ipairs(gradlab.plugins()) do
  check(p.kind and p.name and type(p.file) == "string", "plugins() entries {kind, name, file}")
  files[p.kind .. ":" .. p.name] = p.file
end
for _, k in ipairs{"layer:dense", "layer:sigmoid", "layer:tanh", "layer:relu", "layer:batchnorm",
                   "layer:residual", "layer:rnn", "layer:lstm", "optimizer:sgd", "optimizer:momentum",
                   "optimizer:adam", "optimizer:rmsprop", "pretrainer:autoencoder", "pretrainer:rbm"} do
  check(files[k], "registered " .. k)
end
check(pcall(gradlab.load_plugin, files["layer:relu"]), "load_plugin of a loaded file")

-- Tensors
local t = gradlab.tensor{{1, 2, 3}, {4, 5, 6}}
check(#t:shape() == 2 and t:shape()[1] == 2 and t:shape()[2] == 3, "t:shape")
check(t:totable()[2][3] == 6, "t:totable")
check(gradlab.tensor{{7}}:item() == 7, "t:item")

-- Layers and initializers
for _, init in ipairs{"uniform01", "normal", "normal_scaled", "xavier_uniform", "xavier_normal",
                      "he_normal", "zeros", "constant"} do
  local w = gradlab.layer.dense{inputs = 40, outputs = 30, init = init}:param("weight"):totable()
  local lo, hi = math.huge, -math.huge
  for _, row in ipairs(w) do for _, v in ipairs(row) do lo, hi = math.min(lo, v), math.max(hi, v) end end
  if init == "uniform01" then check(lo >= 0 and hi <= 1 and hi > lo, init)
  elseif init == "zeros" or init == "constant" then check(lo == 0 and hi == 0, init .. " (value 0)")
  else check(lo < 0 and hi > 0, init) end
end
local c = gradlab.layer.dense{inputs = 2, outputs = 2, init = {"constant", value = 0.25},
                              bias_init = {"normal", std = 0}}
check(c:param("weight"):totable()[2][1] == 0.25 and c:param("bias"):totable()[1] == 0,
      "init tables {name, value=/std=}")
local d = gradlab.layer.dense{inputs = 3, outputs = 2, init = "normal_scaled", bias = true, bias_init = "zeros"}
gradlab.layer.sigmoid{}
gradlab.layer.tanh{}
gradlab.layer.relu{slope = 0}
local bn = gradlab.layer.batchnorm{features = 2, momentum = 0.1, eps = 1e-5}
local res = gradlab.layer.residual{gradlab.layer.dense{inputs = 2, outputs = 2}, gradlab.layer.relu{}}
local rnn = gradlab.layer.rnn{inputs = 2, hidden = 3, return_sequence = false}
local lstm = gradlab.layer.lstm{inputs = 2, hidden = 3, forget_bias = 1, return_sequence = false}
local function dims(l, n) return table.concat(l:param(n):shape(), "x") end
check(dims(d, "weight") == "3x2" and dims(d, "bias") == "2", "dense weight [inputs][outputs], bias [outputs]")
for _, n in ipairs{"gamma", "beta", "running_mean", "running_var"} do check(dims(bn, n) == "2", "batchnorm " .. n) end
check(dims(rnn, "w_x") == "2x3" and dims(rnn, "w_h") == "3x3" and dims(rnn, "bias") == "3", "rnn layout")
check(dims(lstm, "w_x") == "2x12" and dims(lstm, "w_h") == "3x12" and dims(lstm, "bias") == "12", "lstm layout")
local lb = lstm:param("bias"):totable()
for k = 1, 12 do check(lb[k] == ((k > 3 and k <= 6) and 1 or 0), "forget_bias is the initial f block (i, f, g, o)") end
local names = d:param_names()
check(names[1] == "weight" and names[2] == "bias", "param_names")

-- y = x·W + b
d:set_param("weight", {{1, 2}, {3, 4}, {5, 6}})
d:set_param("bias", {0.5, -0.5})
local net = gradlab.sequential{d, gradlab.layer.tanh{}, gradlab.layer.dense{inputs = 2, outputs = 1, name = "head"}}
local lin = gradlab.sequential{gradlab.layer.dense{inputs = 3, outputs = 2}}
lin:layer(1):set_param("weight", d:param("weight"))
lin:layer(1):set_param("bias", d:param("bias"))
local y = lin:forward{{1, 1, 1}}:totable()[1]
check(y[1] == 9.5 and y[2] == 11.5, "dense computes x·W + b")

-- Models
check(#net:layers() == 3 and net:layer(1).name == "1" and net:layer(1).type == "dense", "layers, name, type")
check(net:layer("head") and net:layer(3).name == "head", "layer(name)")
check(net:train() and net:eval() and net:train(), "train()/eval()")
local out = net:forward{{1, 0, 0}, {0, 1, 0}}
check(out:shape()[1] == 2 and out:shape()[2] == 1 and #out:totable() == 2, "forward result is a tensor")
net:zero_grad()
check(net:backward(gradlab.loss.sum(out)), "backward")
-- loss.sum: dL/d out = 1, so dL/db of the head is the batch size
check(net:layer("head"):grad("bias"):item() == 2, "grad(bias) after loss.sum")
check(table.concat(net:layer(1):grad("weight"):shape(), "x") == "3x2", "grad")
check(table.concat(net:input_grad():shape(), "x") == "2x3", "input_grad")
local desc = tostring(net)
check(desc:find("3 layers, 11 parameters") and desc:find("weight%[3%]%[2%] bias%[2%]") and desc:find("%(8%)")
      and desc:find("head +dense") and desc:find("%-> %[1%]%[1%]"), "tostring(net): " .. desc)

-- Losses
check(gradlab.loss.mse(gradlab.tensor{{1, 2}}, gradlab.tensor{{1, 4}}):item() == 2, "mse")
check(close(gradlab.loss.cross_entropy(gradlab.tensor{{0, 0, 0}}, {2}):item(), math.log(3)), "cross_entropy")
check(close(gradlab.loss.bce(gradlab.tensor{{0}}, gradlab.tensor{{1}}):item(), math.log(2)), "bce")
check(gradlab.loss.sum(gradlab.tensor{1, 2, 3}):item() == 6, "sum")

-- Optimizers (each takes clip_norm / clip_value)
for _, o in ipairs{gradlab.optim.sgd{lr = 0.1}, gradlab.optim.momentum{lr = 0.1, momentum = 0.9, nesterov = false},
                   gradlab.optim.adam{lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8},
                   gradlab.optim.rmsprop{lr = 1e-3, alpha = 0.99, eps = 1e-8},
                   gradlab.optim.sgd{lr = 0.1, clip_norm = 1, clip_value = 0.5}} do
  local before = net:layer("head"):param("bias"):item()
  net:zero_grad()
  net:backward(gradlab.loss.sum(net:forward{{1, 2, 3}}))
  check(o:step(net), "opt:step")
  check(net:layer("head"):param("bias"):item() < before, "opt:step moves against the gradient")
end

-- Training, evaluation, statistics
local data = gradlab.data.blobs{n = 40, classes = 2, dim = 2}
local m = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 4}, gradlab.layer.sigmoid{},
  gradlab.layer.residual{gradlab.layer.dense{inputs = 4, outputs = 4}, gradlab.layer.relu{}},
  gradlab.layer.dense{inputs = 4, outputs = 2}}
local steps, epochs = 0, 0
local r = gradlab.train{model = m, data = data, loss = "cross_entropy", optimizer = gradlab.optim.sgd{lr = 0.5},
  epochs = 3, batch = 10, shuffle = true, clip_norm = nil, clip_value = nil, record_every = 1,
  on_nonfinite = "stop", on_step = function(step, info) steps = step end,
  on_epoch = function(epoch, info) epochs = epoch end}
check(r.steps == 12 and steps == 12 and epochs == 3, "train: steps, callbacks")
local e = m:evaluate(data)
check(type(e.loss) == "number" and e.accuracy >= 0 and e.accuracy <= 1, "evaluate -> {loss, accuracy}")
local st = m:layer(1):grad_stats()
is_S(st.output_grad, "output_grad")
is_S(st.activation, "activation")
is_S(st.params.weight, "params.weight")
is_S(st.params.weight.grad, "params.weight.grad")
is_S(st.params.bias.grad, "params.bias.grad")
check(st.params.weight.update_ratio > 0, "update_ratio")
check(type(m:layer(2):grad_stats().activation.saturation) == "number", "saturation")
check(type(m:layer("3.2"):grad_stats().activation.dead) == "number", "dead")
local h = m:layer(1):history("params.weight.grad.norm")
check(#h == 12 and h[12] == st.params.weight.grad.norm, "history")
local recs = m:grad_stats()
local seen = {}
for _, rec in ipairs(recs) do seen[rec.layer] = true end
check(#recs == 6 and seen["3.1"] and seen["3.2"], "net:grad_stats with nested layers")
local seq = gradlab.sequential{gradlab.layer.lstm{inputs = 2, hidden = 3}, gradlab.layer.dense{inputs = 3, outputs = 1}}
gradlab.train{model = seq, data = gradlab.data.adding{T = 4, n = 8}, loss = "mse",
              optimizer = gradlab.optim.adam{lr = 0.01}, epochs = 1, batch = 4}
local tt = seq:layer(1):grad_stats().time
check(#tt == 4, "time: one S per step")
for k = 1, 4 do is_S(tt[k], "time." .. k) end

-- save / load
m:save(dir .. "/contract.bin")
local m2 = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 4}, gradlab.layer.sigmoid{},
  gradlab.layer.residual{gradlab.layer.dense{inputs = 4, outputs = 4}, gradlab.layer.relu{}},
  gradlab.layer.dense{inputs = 4, outputs = 2}}
m2:load(dir .. "/contract.bin")
check(m2:layer("3.1"):param("weight"):totable()[2][3] == m:layer("3.1"):param("weight"):totable()[2][3], "save/load")
local wrong = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 5}}
local ok, err = pcall(wrong.load, wrong, dir .. "/contract.bin")
check(not ok and tostring(err):find("layer 1"), "load mismatch names the layer: " .. tostring(err))
os.remove(dir .. "/contract.bin")

-- Data
for _, ds in ipairs{gradlab.data.xor(), gradlab.data.blobs{n = 30, classes = 3, dim = 2}, gradlab.data.spirals{n = 20},
                    gradlab.data.adding{T = 5, n = 10}, gradlab.data.copy{T = 5, n = 10}} do
  check(ds:size() > 0 and ds:get(1), "size, get")
  local a, b = ds:split(0.5)
  check(a:size() + b:size() == ds:size() and ds:subset(2):size() == 2, "split, subset")
end
local f = assert(io.open(dir .. "/contract.csv", "w"))
f:write("a;b;y\n1;2;0\n3;4;1\n")
f:close()
local csv = gradlab.data.csv{path = dir .. "/contract.csv", label = "y", header = true, delimiter = ";"}
check(csv:size() == 2 and select(2, csv:get(2)) == 1, "data.csv")
os.remove(dir .. "/contract.csv")
local function write(path, bytes) local g = assert(io.open(path, "wb")); g:write(bytes); g:close() end
write(dir .. "/contract-images", string.pack(">I4I4I4I4", 0x0803, 2, 1, 2) .. string.char(0, 255, 51, 102))
write(dir .. "/contract-labels", string.pack(">I4I4", 0x0801, 2) .. string.char(1, 0))
local idx = gradlab.data.idx{images = dir .. "/contract-images", labels = dir .. "/contract-labels"}
local x1, l1 = idx:get(1)
check(x1:totable()[2] == 1 and l1 == 1, "data.idx scaled to [0,1], labels as class indices")
check(gradlab.data.idx{images = dir .. "/contract-images", scale = false}:get(1):totable()[2] == 255, "scale=false")
os.remove(dir .. "/contract-images")
os.remove(dir .. "/contract-labels")
local fm_ok, fm = pcall(gradlab.data.fashion_mnist, {split = "test", limit = 5})
check(fm_ok and fm:size() == 5 or tostring(fm):find("apt%-get install dataset%-fashion%-mnist"), "data.fashion_mnist")

-- Pretraining and sweeps
local p = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 3}, gradlab.layer.sigmoid{},
                             gradlab.layer.dense{inputs = 3, outputs = 2}}
for _, method in ipairs{"autoencoder", "rbm"} do
  local recs2 = gradlab.pretrain{model = p, data = data, method = method, epochs = 1, lr = 0.1, batch = 10}
  check(#recs2 >= 1 and recs2[1].recon_error, "pretrain " .. method)
end
local sw = gradlab.sweep{depth = {2, 3, 4}, act = {"sigmoid", "relu"}}
check((sw.depth == 2 or gradlab.params.depth) and (sw.act == "sigmoid" or gradlab.params.act), "sweep")
print("contract: every fixed name checked")
return {checked = 1}
