-- short.lua — a job that takes about 0.1 s, so a test can kill the batch half-way (batch tests).
-- fake: sleep 0.1
local gradlab = require "gradlab"
os.execute("sleep 0.1")
return {i = gradlab.params.i or 0}
