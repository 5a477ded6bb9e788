-- nan_text.lua — a NaN in a binding's message reads "nan", never the platform's "-nan" (0/0 has
-- its sign bit set on x86): option values, labels from tables and from tensors.
local gradlab = require "gradlab"

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching " .. pattern)
  err = tostring(err)
  assert(err:find(pattern, 1, true), "error '" .. err .. "' lacks '" .. pattern .. "'")
  assert(not err:find("-nan", 1, true), "error '" .. err .. "' says -nan")
end

local nan, negnan = 0 / 0, -(0 / 0)
for _, v in ipairs{nan, negnan} do
  fails("option 'inputs' must be an integer, got nan", gradlab.layer.dense, {inputs = v, outputs = 1})
  fails("option 'epochs' must be an integer, got nan", gradlab.pretrain,
        {model = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 2}},
         data = gradlab.data.xor(), epochs = v})
  fails("labels[1] = nan is not a class index (0..1)", gradlab.loss.cross_entropy, {{0, 0}}, {v})
  fails("labels[2] = nan is not a class index (0..1)", gradlab.loss.cross_entropy,
        {{0, 0}, {0, 0}}, gradlab.tensor{0, v})
end
-- infinities and large values keep their text
fails("labels[1] = inf is not a class index", gradlab.loss.cross_entropy, {{0, 0}}, gradlab.tensor{1 / 0})
fails("labels[1] = -inf is not a class index", gradlab.loss.cross_entropy, {{0, 0}}, {-1 / 0})
fails("option 'inputs' must be an integer, got 2.5", gradlab.layer.dense, {inputs = 2.5, outputs = 1})
return {ok = 1}
