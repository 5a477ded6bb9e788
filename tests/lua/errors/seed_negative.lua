local gradlab = require "gradlab"
gradlab.seed(-5)
