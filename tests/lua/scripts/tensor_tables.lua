-- tensor_tables.lua — nested tables wherever a tensor is taken (the losses too), function names
-- in argument errors (also when called through pcall), and tables with holes or other keys
-- refused with the position named.
local gradlab = require "gradlab"
local function close(a, b) return math.abs(a - b) < 1e-6 end
assert(gradlab.loss.mse({1, 2}, {1, 2}):item() == 0)
assert(close(gradlab.loss.mse({{1, 2}, {3, 4}}, {{1, 2}, {3, 6}}):item(), 1))
assert(gradlab.loss.sum({{1, 2}, {3, 4}}):item() == 10)
assert(close(gradlab.loss.cross_entropy({{0, 0}}, {1}):item(), math.log(2)))
assert(close(gradlab.loss.bce({0}, {1}):item(), math.log(2)))

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching " .. pattern)
  assert(tostring(err):find(pattern, 1, true), "error '" .. tostring(err) .. "' lacks '" .. pattern .. "'")
end
fails("bad argument #1 to 'gradlab.loss.mse' (tensor or table of numbers expected, got boolean)",
  gradlab.loss.mse, true, {1})
fails("to 'gradlab.loss.sum'", gradlab.loss.sum, "x")
fails("to 'gradlab.loss.cross_entropy'", gradlab.loss.cross_entropy, {{1, 2}, {3}}, {0, 1})
fails("to 'gradlab.tensor' (tensor or table of numbers expected, got boolean)", gradlab.tensor, true)
fails("to 'gradlab.layer.dense'", gradlab.layer.dense, 5)
fails("to 'gradlab.seed' (a seed is an integer from 0 to 9007199254740991", gradlab.seed, -5)
fails("to 'gradlab.seed'", gradlab.seed, 2^53)

-- holes and keys that are not array indices
fails("outside 1..", gradlab.tensor, {[1] = 1, [3] = 3})
fails("element [2] has key 'x', outside 1..2", gradlab.tensor, {{1, 2}, {3, 4, x = 5}})
fails("the table has key 'n'", gradlab.tensor, {1, 2, n = 2})
fails("element [2] is a nil", gradlab.tensor, {1, nil, 3})
fails("element [1] has key 0", gradlab.tensor, {{[0] = 0, 1}})
assert(#gradlab.tensor{{1, 2}, {3, 4}}:totable() == 2)

-- NaN prints as nan whatever its sign bit (0/0 is -nan on x86)
assert(tostring(gradlab.tensor{0/0, -(0/0), 1/0}) == "tensor[3] {nan, nan, inf}", tostring(gradlab.tensor{0/0}))

-- a dimension beyond a C int is an error, not cut to its low 32 bits (2^32 + 3 is not 3)
local okz, errz = pcall(gradlab.zeros, 2^32 + 3)
assert(not okz and tostring(errz):find("gradlab.zeros: dimension 1 is 4294967299"), tostring(errz))
local okb, errb = pcall(gradlab.data.blobs, {n = 10, classes = 2^32 + 2})
assert(not okb and tostring(errb):find("option 'classes' is 4294967298"), tostring(errb))

gradlab.seed(9007199254740991)
assert(gradlab.seed() == 9007199254740991)
return {ok = 1}
