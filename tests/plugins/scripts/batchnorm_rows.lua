-- batchnorm in training mode refuses a batch of one row (its unbiased variance would divide by
-- 0) with a message naming the layer and the count, also as the last partial batch of train{};
-- evaluation mode takes one row.
local gradlab = require "gradlab"
local function check(cond, what) if not cond then error("FAILED: " .. what, 2) end end
local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  check(not ok, "expected an error matching " .. pattern)
  check(tostring(err):find(pattern), "error '" .. tostring(err) .. "' lacks '" .. pattern .. "'")
end
gradlab.seed(1)
local function net()
  return gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 3},
                            gradlab.layer.batchnorm{features = 3, name = "bn"}}
end
local n = net()
fails("batchnorm bn: training needs at least 2 rows per batch, got 1 %(the last partial batch",
      n.forward, n, gradlab.tensor{{1, 2}})
-- 5 items in batches of 4: the last batch has one row
local data = gradlab.data.blobs{n = 5, classes = 3, dim = 2, seed = 2}
n = net()
fails("batchnorm bn: training needs at least 2 rows per batch, got 1", gradlab.train,
      {model = n, data = data, loss = "cross_entropy", optimizer = gradlab.optim.sgd{lr = 0.1},
       batch = 4, epochs = 1})
for _, w in ipairs(n:layer("1"):param("weight"):totable()) do
  for _, v in ipairs(w) do check(v == v and math.abs(v) < 1e3, "weights stay finite") end
end
-- 6 items in batches of 4 (last batch of 2) trains; eval takes a single row
n = net()
local r = gradlab.train{model = n, data = gradlab.data.blobs{n = 6, classes = 3, dim = 2, seed = 2},
                        loss = "cross_entropy", optimizer = gradlab.optim.sgd{lr = 0.1}, batch = 4,
                        epochs = 2}
check(r.loss == r.loss, "trained")
n:eval()
check(#n:forward(gradlab.tensor{{1, 2}}):totable() == 1, "eval mode takes one row")
print("batchnorm_rows: all checks passed")
