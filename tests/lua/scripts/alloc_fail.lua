-- alloc_fail.lua — an allocation the binding cannot make is an error naming the function, the
-- size and the tensor, at the script's position (it was Lua's bare "not enough memory", with no
-- function and no line). Run with ASAN_OPTIONS=allocator_may_return_null=1 in the ASan build.
local gradlab = require "gradlab"

local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
local bytes = gradlab.real == "float" and 4 or 8
-- 10^12 elements: within the shape limit, far beyond any memory here
local err = fails(string.format("gradlab.zeros: cannot allocate %d bytes for tensor[1000000][1000000]",
                                bytes * 10^12), function() return gradlab.zeros(1e6, 1e6) end)
assert(err:find("^.*alloc_fail%.lua:%d+: gradlab%.zeros"), "the script's position: " .. err)
fails("gradlab.zeros: tensor[2000000][2000000] has more than 2^40 elements", gradlab.zeros, 2e6, 2e6)
-- memory is still there for what fits
assert(gradlab.zeros(1000, 1000):size() == 10^6)
return {ok = 1}
