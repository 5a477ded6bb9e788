-- tiny_study.lua — a study in a few milliseconds for the tests of scripts/lib/study.lua itself:
-- parameters, the run folder, a table, a declared figure and drawing it. Run from stock lua5.4
-- (studies_test.sh stock_lua_odd_out: the run folder is GRADLAB_OUT, made by study.lua, and the
-- figures are drawn by `gradlab plot` found on PATH) or with gradlab run.
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
package.path = here .. "../../scripts/lib/?.lua;" .. package.path
local S = require "study"

local P = S.params("tiny_study", {points = 5, check = false, plot = true}, {points = 3},
  {points = S.whole(2)})
local fig = S.figure{name = "tiny_line", title = "A line", xlabel = "x", ylabel = "y"}
local rows = {}
for i = 1, P.points do
  fig:add("y = 2x", i, 2 * i)
  rows[#rows + 1] = {i, 2 * i}
end
S.table{name = "tiny", title = "Table: y = 2x", columns = {"x", "y"}, rows = rows}
for _, p in ipairs(S.finish_figures()) do print("figure: " .. p) end
return S.finish_checks({points = P.points})
