-- syntax.lua — a syntax error on line 3.
local gradlab = require "gradlab"
local x = = 1
