-- env.lua — a job that reports what the batch put in its environment (batch tests): the BLAS
-- thread settings and the job id as its result table, and its start and end times (ns) as lines
-- "start/end ID T" in $BATCH_TEST_LOG, so that a test can count how many jobs ran at once.
-- fake: sleep 0.5
local function now()
  local p = assert(io.popen("date +%s%N"))
  local t = p:read("l")
  p:close()
  return t
end
local log = os.getenv("BATCH_TEST_LOG")
local id = os.getenv("GRADLAB_BATCH_JOB") or "?"
local function note(what)
  if not log then return end
  local f = assert(io.open(log, "a"))
  f:write(what, " ", id, " ", now(), "\n")
  f:close()
end
note("start")
os.execute("sleep " .. (os.getenv("BATCH_TEST_SLEEP") or "0.5"))
note("end")
return {openblas = os.getenv("OPENBLAS_NUM_THREADS") or "unset",
        omp = os.getenv("OMP_NUM_THREADS") or "unset", job = id}
