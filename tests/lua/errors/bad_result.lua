-- bad_result.lua — a result gradlab run cannot store without losing data is a script error
-- (exit 1, finished=false) naming the key, never silently stored: the case is arg[1].
local case = ...
if case == "collide" then return {["a.b"] = 4, a = {b = 5}} end
if case == "float_key" then return {ok = 1, [1.5] = 2} end
if case == "bool_key" then return {[true] = 1} end
if case == "table_key" then return {[{}] = 1} end
if case == "function" then return {f = print} end
if case == "lone_function" then return print end
error("unknown case " .. tostring(case))
