-- blas_threads.lua — gradlab.blas_threads(): the BLAS's threads (nil when it cannot say), set
-- with an integer >= 1 (the studies use one: their products are small); bad counts are errors.
local gradlab = require "gradlab"
local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
local t = gradlab.blas_threads()
assert(t == nil or (math.type(t) == "integer" and t >= 1), "blas_threads() = " .. tostring(t))
if t then
  assert(gradlab.blas_threads(1) == 1, "set to 1")
  assert(gradlab.blas_threads() == 1, "reads back 1")
  gradlab.blas_threads(t)
end
fails("a thread count is an integer from 1 to 4096", gradlab.blas_threads, 0)
fails("number has no integer representation", gradlab.blas_threads, 1.5)
