-- sleep.lua — a job that outlives any test --timeout; the sleep is a child process, so the
-- timeout must kill the job's whole process group (batch tests).
-- fake: sleep 30
os.execute("sleep 30")
