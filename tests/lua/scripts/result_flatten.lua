-- result_flatten.lua — gradlab.flatten_result: the flat table summary.json's "result" holds for a
-- script's return value, and errors naming the key for whatever cannot be stored without losing
-- or inventing data (a collision kept one value; keys 1.5, true and {} were dropped; a function
-- was stored as "function: 0x...", different in every run).
local gradlab = require "gradlab"

local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
local flat = gradlab.flatten_result

local out, order = flat{a = {b = 1, c = {d = "x"}}, list = {5, 6}, ok = true, no = false,
                        [3] = 0.5, z = 0 / 0}
assert(out["a.b"] == 1 and out["a.c.d"] == "x" and out["list.1"] == 5 and out["list.2"] == 6)
assert(out.ok == 1 and out.no == 0 and out["3"] == 0.5 and out.z ~= out.z)
assert(table.concat(order, " ") == "3 a.b a.c.d list.1 list.2 no ok z", table.concat(order, " "))
assert(flat(3).value == 3 and flat("s").value == "s" and flat(true).value == 1)
assert(next((flat(nil))) == nil and next((flat{})) == nil)
assert(flat{n = 1 << 53}.n == 1 << 53)

fails([[result: key 'a.b' comes from both a.b and ["a.b"]: one value would be lost]], flat,
      {["a.b"] = 4, a = {b = 5}})
fails("result: key '1' comes from both [1] and [\"1\"]", flat, {[1] = 1, ["1"] = 2})
fails("result: the result table has the key 1.5: only string and integer keys", flat, {[1.5] = 1})
fails("result: x has a boolean as a key", flat, {x = {[true] = 1}})
fails("result: list[2] has a table as a key", flat, {list = {1, {[{}] = 1}}})
fails("result: f is a function: only numbers, strings, booleans and tables", flat, {f = print})
fails("result: w[\"my key\"] is a userdata", flat, {w = {["my key"] = gradlab.tensor{1}}})
fails("(a tensor: store t:totable() or t:item())", flat, {t = gradlab.tensor{1}})
fails("result: the result is a function", flat, print)
fails("result: n = 9007199254740993 is beyond 2^53", flat, {n = (1 << 53) + 1})
local loop = {}
loop.self = loop
fails("result: self.self.self.self.self.self.self.self.self nests tables deeper than 8", flat, loop)
return {ok = 1}
