-- oom.lua — a job killed by SIGKILL, as the out-of-memory killer would (batch tests): its shell
-- child kills the gradlab process.
-- fake: oom
os.execute("kill -KILL $PPID")
os.execute("sleep 5")
error("still alive after SIGKILL")
