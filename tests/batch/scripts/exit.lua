-- exit.lua — ends with os.exit(gradlab.params.code) (default 0): 0 is a success, anything else
-- a failure whose error names the os.exit (batch_test.sh os_exit).
local gradlab = require "gradlab"
os.exit(math.tointeger(gradlab.params.code or 0))
