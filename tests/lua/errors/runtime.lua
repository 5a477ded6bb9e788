-- runtime.lua — a runtime error on line 5, inside a function called from line 7.
local gradlab = require "gradlab"
local function inner()
  local t = nil
  return t.field
end
inner()
