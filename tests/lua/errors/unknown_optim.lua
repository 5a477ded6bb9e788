local gradlab = require "gradlab"
local o = gradlab.optim.adma{lr = 0.1}
