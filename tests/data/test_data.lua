-- test_data.lua — the gradlab.data binding from stock lua5.4: constructors, dataset methods,
-- IDX and CSV files written here, error messages, determinism under gradlab.seed. Exits 1 on the
-- first failure (assert), prints "SKIPPED" for Fashion-MNIST when it is not installed.
local gradlab = require "gradlab"
local data = gradlab.data
local tmp = os.tmpname()

local function expect_error(pattern, f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "expected an error matching " .. pattern)
  assert(tostring(msg):find(pattern), "error '" .. tostring(msg) .. "' does not match " .. pattern)
end

-- xor: 4 points, real targets
local x = data.xor()
assert(x:size() == 4 and #x == 4)
assert(tostring(x):find("xor: 4 items"))
for i = 1, 4 do
  local inp, t = x:get(i)
  local v = inp:totable()
  assert(#v == 2 and t:totable()[1] == ((v[1] + v[2]) % 2))
end
local kind, width = x:target()
assert(kind == "real" and width == 1)
expect_error("out of range", x.get, x, 5)

-- blobs / spirals / copy: classes, counts, batch layout
local b = data.blobs{n = 90, classes = 3, dim = 4, seed = 1}
assert(b:classes() == 3)
local c = b:class_counts()
assert(#c == 3 and c[1] == 30 and c[2] == 30 and c[3] == 30)
local bx, bl = b:batch(1, 10)
assert(bx:shape()[1] == 10 and bx:shape()[2] == 4 and #bl == 10)
for _, l in ipairs(bl) do assert(l >= 0 and l < 3) end
-- labels as one-hot rows [n][K] (for an MSE loss in a hand-written loop), from both forms
local ox, oh = b:batch(1, 10, "one_hot")
assert(oh:shape()[1] == 10 and oh:shape()[2] == 3 and ox:totable()[4][2] == bx:totable()[4][2])
for i, row in ipairs(oh:totable()) do
  for k = 1, 3 do assert(row[k] == (k == bl[i] + 1 and 1 or 0), "one-hot row " .. i) end
end
local _, oh2 = b:batch({7, 2}, "one_hot")
assert(oh2:totable()[1][bl[7] + 1] == 1 and oh2:totable()[2][bl[2] + 1] == 1)
local _, oh1 = b:get(5, "one_hot")
assert(#oh1:shape() == 1 and oh1:totable()[bl[5] + 1] == 1)
expect_error('"one_hot" or nothing expected', b.batch, b, 1, 2, "onehot")
expect_error('"one_hot" needs class labels; this dataset has real targets', x.get, x, 1, "one_hot")
expect_error("unknown option 'clases'", data.blobs, {n = 10, clases = 3})
expect_error("'n' must be >= 1", data.blobs, {n = 0})
local s = data.spirals{n = 100, noise = 0}
assert(s:size() == 100 and s:classes() == 2)
local cp = data.copy{T = 6, n = 20, symbols = 4}
assert(cp:is_sequence() and cp:shape()[1] == 6 and cp:shape()[2] == 5)
local cx, cl = cp:get(3)
assert(cx:totable()[1][cl + 1] == 1)

-- adding: sequences batch as [T][n][F]; seeds make it reproducible
gradlab.seed(3)
local a1 = data.adding{T = 8, n = 5}
gradlab.seed(3)
local a2 = data.adding{T = 8, n = 5}
local a3 = data.adding{T = 8, n = 5} -- a later draw: different data
local ax, at = a1:batch{1, 2, 3}
local sh = ax:shape()
assert(sh[1] == 8 and sh[2] == 3 and sh[3] == 2)
assert(at:shape()[1] == 3 and at:shape()[2] == 1)
local function first_value(d) return d:get(1):totable()[1][1] end
assert(first_value(a1) == first_value(a2))
assert(first_value(a1) ~= first_value(a3))

-- split / subset / shuffle share storage and keep working after the parent is gone
local tr, va = b:split(0.8)
assert(tr:size() == 72 and va:size() == 18)
local sub = b:subset(5)
assert(sub:size() == 5)
local picked = b:subset{3, 1}
assert(picked:get(1):totable()[1] == b:get(3):totable()[1])
local shuffled = b:shuffle()
b = nil
collectgarbage()
assert(shuffled:size() == 90 and #shuffled:class_counts() == 3)
local t2, v2 = shuffled:split(0.5, true)
assert(t2:size() == 45 and v2:size() == 45)

-- IDX written from Lua: 3 items of 2x2 uint8, labels 0..1
local function write(path, bytes) local f = assert(io.open(path, "wb")); f:write(bytes); f:close() end
write(tmp .. "-images", string.pack(">I4I4I4I4", 0x0803, 3, 2, 2) .. string.char(0, 255, 51, 102,
  1, 2, 3, 4, 5, 6, 7, 8))
write(tmp .. "-labels", string.pack(">I4I4", 0x0801, 3) .. string.char(1, 0, 1))
local d = data.idx{images = tmp .. "-images", labels = tmp .. "-labels"}
assert(d:size() == 3 and d:classes() == 2)
local im, lab = d:get(1)
local v = im:totable() -- items are flattened: [4]
assert(v[1] == 0 and v[2] == 1 and math.abs(v[3] - 0.2) < 1e-6 and lab == 1)
local raw = data.idx{images = tmp .. "-images", scale = false}
assert(raw:get(1):totable()[2] == 255)
local shaped = data.idx{images = tmp .. "-images", flatten = false}
assert(#shaped:shape() == 2 and shaped:get(1):totable()[2][1] > 0.19)
local none_k = raw:target()
assert(none_k == "none")
expect_error("label file", data.idx, {images = tmp .. "-labels"})
expect_error("image file given as labels", data.idx, {images = tmp .. "-images", labels = tmp .. "-images"})
write(tmp .. "-bad", "\1\2\3\4")
expect_error("wrong magic", data.idx, {images = tmp .. "-bad"})
expect_error("'images' .* is required", data.idx, {})

-- CSV
write(tmp .. ".csv", "f1,kind,f2\r\n1,2,3\r\n4,0,6")
local cs = data.csv{path = tmp .. ".csv", label = "kind"}
assert(cs:size() == 2 and cs:classes() == 3)
local ci, cl2 = cs:get(2)
assert(ci:totable()[1] == 4 and ci:totable()[2] == 6 and cl2 == 0)
local cr = data.csv{path = tmp .. ".csv", label = 3, target = "real"}
local _, ct = cr:get(1)
assert(ct:totable()[1] == 3)
local cn = data.csv{path = tmp .. ".csv", label = false}
assert(cn:shape()[1] == 3 and cn:target() == "none")
write(tmp .. "-bad.csv", "a,b\n1,2\n3,oops\n")
expect_error("bad%.csv:3:2 %(column \"b\"%): not a number", data.csv, {path = tmp .. "-bad.csv"})
expect_error("no column named", data.csv, {path = tmp .. ".csv", label = "nope"})

-- a fractional class label names the Lua option that reads a real target
write(tmp .. "-half.csv", "a,y\n1,0.5\n")
expect_error('half%.csv:2:2 %(column "y"%): a class label must be an integer in 0%.%.65535 %(for a real target: target="real" in gradlab%.data%.csv', data.csv, {path = tmp .. "-half.csv"})
assert(data.csv{path = tmp .. "-half.csv", target = "real"}:size() == 1)
-- unknown options get a suggestion, as layer options do
expect_error("gradlab%.data%.csv: unknown option 'lable'; did you mean 'label'%?", data.csv, {path = tmp .. "-half.csv", lable = "y"})
expect_error("gradlab%.data%.blobs: unknown option 'clases'; did you mean 'classes'%?", data.blobs, {clases = 2})
expect_error("unknown option 'zzz' %(options: path, label", data.csv, {path = tmp .. "-half.csv", zzz = 1})
-- only decimal numbers: no hex, inf, nan (strtod takes them all), with line and column
for _, bad in ipairs{"0x10", "inf", "-inf", "nan", "infinity", "1e", ".", "1.2.3", "0x1p3", "+", "1e+"} do
  write(tmp .. "-num.csv", "a,y\n1,0\n" .. bad .. ",1\n")
  expect_error("num%.csv:3:1 %(column \"a\"%): not a (%a* ?)number: \"" .. bad:gsub("%p", "%%%0") .. "\"", data.csv, {path = tmp .. "-num.csv"})
end
write(tmp .. "-num.csv", "a,y\n0x10,0\n")
expect_error("num%.csv:2:1 %(column \"a\"%): not a decimal number: \"0x10\"", data.csv, {path = tmp .. "-num.csv"})
write(tmp .. "-num.csv", "a,b,c,d,y\n.5,-2.,+3e2,1E-3,1\n")
local good = data.csv{path = tmp .. "-num.csv"}:get(1):totable()
assert(good[1] == 0.5 and good[2] == -2 and good[3] == 300 and math.abs(good[4] - 1e-3) < 1e-9)
-- a NUL byte in a field (printf '1\0002'): said so, not "not a number: "1"" (cut at the NUL)
write(tmp .. "-num.csv", "a,y\n1,0\n1\0002,1\n")
expect_error("num%.csv:3:1 %(column \"a\"%): the field holds a NUL byte %(byte 2 of 3%)$", data.csv, {path = tmp .. "-num.csv"})
-- a long UTF-8 field is shown without cutting a character
write(tmp .. "-num.csv", "a,y\n" .. string.rep("é", 30) .. ",1\n")
local ok, msg = pcall(data.csv, {path = tmp .. "-num.csv"})
assert(not ok and utf8.len(msg), "message is valid UTF-8: " .. tostring(msg))

-- limit = 0 is an error (it loaded every item, as if no limit were given); leave it out for all
write(tmp .. "-num.csv", "a,y\n1,0\n2,1\n")
expect_error("data.csv: option 'limit' must be >= 1, got 0", data.csv, {path = tmp .. "-num.csv", limit = 0})
assert(data.csv{path = tmp .. "-num.csv", limit = 1}:size() == 1)
-- subset(n) never silently gives fewer items than asked for; "1 item", not "1 items"
local ten = data.blobs{n = 10, classes = 2, seed = 3}
assert(ten:subset(10):size() == 10 and ten:subset(0):size() == 0)
expect_error("dataset:subset: asked for the first 20000 items of a dataset of 10", ten.subset, ten, 20000)
assert(tostring(ten:subset(1)):find(": 1 item %["), tostring(ten:subset(1)))
assert(tostring(ten:subset(2)):find(": 2 items %["))
write(tmp .. "-num.csv", "a,y\n1,0\n2,0\n")
assert(tostring(data.csv{path = tmp .. "-num.csv"}):find("%-> 1 class%)"), tostring(data.csv{path = tmp .. "-num.csv"}))

-- standardize
local st = data.blobs{n = 50, classes = 2, dim = 3, seed = 4}:standardize()
local sx = st:batch(1, 50):totable()
local mean = 0
for i = 1, 50 do mean = mean + sx[i][1] / 50 end
assert(math.abs(mean) < 1e-5)

-- Fashion-MNIST
local ok, fm = pcall(data.fashion_mnist, {split = "test"})
if not ok then
  assert(tostring(fm):find("apt%-get install dataset%-fashion%-mnist"))
  print("SKIPPED: Fashion-MNIST is not installed (" .. tostring(fm) .. ")")
else
  assert(fm:size() == 10000 and fm:classes() == 10)
  for _, n in ipairs(fm:class_counts()) do assert(n == 1000) end
  local small = data.fashion_mnist{split = "train", limit = 100}
  assert(small:size() == 100)
  local fi, fl = small:get(1)
  assert(#fi:shape() == 1 and fi:shape()[1] == 784 and fl >= 0 and fl <= 9)
end
expect_error("split must be", data.fashion_mnist, {split = "dev"})

for _, suffix in ipairs{"-images", "-labels", "-bad", ".csv", "-bad.csv", "-half.csv", "-num.csv"} do os.remove(tmp .. suffix) end
os.remove(tmp)
print("gradlab.data: all Lua checks passed")
