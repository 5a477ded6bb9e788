-- short.lua — a job that takes about 0.1 s (batch tests). With BATCH_TEST_GATE set, jobs with
-- i > 10 wait until that file exists, so a test can kill the batch at a known point: jobs 1..10
-- completed, two jobs running. With BATCH_TEST_LOG set, each completed job appends a line to it.
-- fake: sleep 0.1
local gradlab = require "gradlab"
local i = gradlab.params.i or 0
local gate = os.getenv("BATCH_TEST_GATE")
if gate and i > 10 then
  for _ = 1, 600 do
    local f = io.open(gate)
    if f then f:close() break end
    os.execute("sleep 0.05")
  end
end
os.execute("sleep 0.1")
local log = os.getenv("BATCH_TEST_LOG") -- one line per completed job
if log then
  local f = assert(io.open(log, "a"))
  f:write("end ", os.getenv("GRADLAB_BATCH_JOB") or "?", "\n")
  f:close()
end
return {i = i}
