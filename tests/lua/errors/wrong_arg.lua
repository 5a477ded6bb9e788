local gradlab = require "gradlab"
local t = gradlab.tensor(true)
