-- label_errors.lua — a bad cross_entropy label is named by its position and its value, with the
-- class range from the output's last size: `labels[3] = -1 is not a class index (0..2)`.
local gradlab = require "gradlab"
local out = gradlab.tensor{{1, 2, 3}, {0, 0, 0}, {3, 2, 1}}
local function fails(expected, labels)
  local ok, err = pcall(gradlab.loss.cross_entropy, out, labels)
  assert(not ok, "expected an error")
  assert(tostring(err):find(expected, 1, true), "got: " .. tostring(err))
end
fails("gradlab.loss.cross_entropy: labels[3] = -1 is not a class index (0..2)", {0, 1, -1})
fails("labels[3] = -1 is not a class index (0..2)", {0, 1, -1.0})
fails("labels[2] = 3 is not a class index (0..2)", {0, 3, 1})
fails("labels[1] = 0.5 is not a class index (0..2)", {0.5, 1, 1})
fails("labels[2] = \"a\" is not a class index (0..2)", {0, "a", 1})
fails("labels[3] = -1 is not a class index (0..2)", gradlab.tensor{0, 1, -1})
fails("labels[1] = 7 is not a class index (0..2)", gradlab.tensor{7, 1, 1})
-- on a model's output too
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 4}}
local y = net:forward(gradlab.tensor{{1, 2}, {3, 4}})
local ok, err = pcall(gradlab.loss.cross_entropy, y, {1, -2})
assert(not ok and tostring(err):find("labels[2] = -2 is not a class index (0..3)", 1, true),
  tostring(err))
assert(math.abs(gradlab.loss.cross_entropy(out, {2, 0, 0}):item() - (2 * 0.40761 + math.log(3)) / 3) < 1e-3)
print("label errors ok")
