-- set_decimal.lua — --set numbers are decimal: 3, -2, 0.5, .5, 1e-3, 1E+2, 12345678901234567890
-- are numbers; 0x10, inf, nan, " 3" and 1e stay the strings they are (Lua alone would read 0x10
-- as 16 and " 3" as 3); a subnormal like 1e-310 is a number, not 0. summary.json's params agree
-- (set_decimal.expect).
local gradlab = require "gradlab"
local p = gradlab.params
local function is(k, kind, v)
  local got = math.type(p[k]) or type(p[k])
  assert(got == kind, string.format("%s: %s %s, expected %s", k, got, tostring(p[k]), kind))
  if v ~= nil then assert(p[k] == v, string.format("%s = %s, expected %s", k, tostring(p[k]), tostring(v))) end
end
is("int", "integer", 3)
is("neg", "integer", -2)
is("half", "float", 0.5)
is("dot", "float", 0.5)
is("milli", "float", 1e-3)
is("hundred", "float", 100.0)
is("big", "float", 12345678901234567890.0)
is("tiny", "float")
assert(p.tiny > 0, "1e-310 became 0")
is("hex", "string", "0x10")
is("inf", "string", "inf")
is("nan", "string", "nan")
is("space", "string", " 3")
is("e", "string", "1e")
is("word", "string", "relu")
return {ok = true}
