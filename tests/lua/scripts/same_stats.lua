-- same_stats.lua — gradlab.train{} and the manual loop (forward, loss, backward, opt:step) on
-- the same batches record the same statistics: every number of every layer's latest record
-- (nested residual layers included) and the histories, bit for bit. Only the epoch differs (the
-- manual loop has none).
local gradlab = require "gradlab"
local function model()
  gradlab.seed(3)
  return gradlab.sequential{
    gradlab.layer.dense{inputs = 2, outputs = 5}, gradlab.layer.tanh{},
    gradlab.layer.residual{gradlab.layer.dense{inputs = 5, outputs = 5}, gradlab.layer.relu{}},
    gradlab.layer.dense{inputs = 5, outputs = 3}}
end
local data = gradlab.data.blobs{n = 12, classes = 3, dim = 2, seed = 4}
local epochs, batch = 2, 4

local a = model()
local r = gradlab.train{model = a, data = data, loss = "cross_entropy",
                        optimizer = gradlab.optim.momentum{lr = 0.1}, epochs = epochs,
                        batch = batch, shuffle = false}
assert(r.steps == epochs * 12 / batch)

local b = model()
local opt = gradlab.optim.momentum{lr = 0.1}
for _ = 1, epochs do
  for first = 1, data:size(), batch do
    local x, labels = data:batch(first, batch)
    b:zero_grad()
    assert(b:backward(gradlab.loss.cross_entropy(b:forward(x), labels)))
    assert(opt:step(b))
  end
end

local ra, rb = a:grad_stats(), b:grad_stats()
assert(#ra == #rb and #ra == 6, "records: " .. #ra .. " and " .. #rb)
local compared = 0
local function same(path, u, v)
  if path:match("%.epoch$") then return end
  assert(type(u) == type(v), path .. ": " .. type(u) .. " vs " .. type(v))
  if type(u) == "table" then
    for k, w in pairs(u) do same(path .. "." .. k, w, v[k]) end
    for k in pairs(v) do assert(u[k] ~= nil, path .. "." .. k .. " only in the manual loop") end
  elseif type(u) == "number" then
    compared = compared + 1
    assert(u == v or (u ~= u and v ~= v), string.format("%s: %.17g (train) vs %.17g (manual)", path, u, v))
  else
    assert(u == v, path)
  end
end
for i = 1, #ra do same(ra[i].layer, ra[i], rb[i]) end
assert(compared > 200, "compared only " .. compared .. " numbers")
assert(ra[1].params.weight.update_ratio > 0 and ra[1].output_grad.norm > 0)
for _, path in ipairs{"params.weight.grad.norm", "params.weight.update_ratio", "output_grad.std",
                      "activation.mean"} do
  for _, name in ipairs{"1", "3.1", "4"} do
    local ha, sa = a:layer(name):history(path)
    local hb, sb = b:layer(name):history(path)
    assert(#ha == r.steps and #hb == r.steps, name .. " " .. path .. ": " .. #ha .. ", " .. #hb)
    for k = 1, #ha do
      assert(ha[k] == hb[k] and sa[k] == sb[k], string.format("%s %s step %d differs", name, path, k))
    end
  end
end
print("identical numbers:", compared)
