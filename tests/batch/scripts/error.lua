-- error.lua — a job that raises a Lua error (batch tests).
-- fake: error
error("boom (on purpose)")
