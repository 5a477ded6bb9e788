-- Messages users act on: cross_entropy counts label positions from 1 (as Lua does) and says that
-- labels are class indices from 0 (the wording checked in detail by tests/lua label_errors).
local gradlab = require "gradlab"
local function check(cond, what) if not cond then error("FAILED: " .. what, 2) end end
local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  check(not ok, "expected an error matching " .. pattern)
  check(tostring(err):find(pattern), "error '" .. tostring(err) .. "' lacks '" .. pattern .. "'")
end
local logits = gradlab.tensor{{1, 2}, {3, 4}, {5, 6}}
fails("labels%[1%] = 2 is not a class index %(0%.%.1%)",
      gradlab.loss.cross_entropy, logits, {2, 0, 1})
fails("labels%[3%] = 7 is not a class index %(0%.%.1%)",
      gradlab.loss.cross_entropy, logits, {0, 1, 7})
check(gradlab.loss.cross_entropy(logits, {0, 1, 1}):item() > 0, "labels 0..1 are fine")
print("messages: all checks passed")
