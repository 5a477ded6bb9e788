-- crash.lua — a job whose plugin layer segfaults on purpose (batch tests; the plugin is
-- tests/batch/crash_plugin.c, its path in GRADLAB_TEST_CRASH_PLUGIN).
-- fake: crash
local gradlab = require "gradlab"
gradlab.load_plugin(assert(os.getenv("GRADLAB_TEST_CRASH_PLUGIN"), "GRADLAB_TEST_CRASH_PLUGIN not set"))
gradlab.layer.batch_crash{}
error("the crash layer did not crash")
