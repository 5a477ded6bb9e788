-- batch_count.lua — data:batch(first, count): a count below 1 says so (it said "count runs past
-- the end of the dataset" for 0 and -1); a count past the end names the range.
local gradlab = require "gradlab"

local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
local d = gradlab.data.xor()
fails("bad argument #2 to 'dataset:batch' (count must be >= 1, got 0)", d.batch, d, 1, 0)
fails("bad argument #2 to 'dataset:batch' (count must be >= 1, got -1)", d.batch, d, 1, -1)
fails("bad argument #2 to 'dataset:batch' (count must be an integer, got 1.5)", d.batch, d, 1, 1.5)
fails("bad argument #2 to 'dataset:batch' (count 4 from item 2 runs past the end: the dataset has 4 items)",
      d.batch, d, 2, 4)
fails("count 4294967296 from item 1 runs past the end", d.batch, d, 1, 2^32)
assert(d:batch(2, 3):shape()[1] == 3 and d:batch(4):shape()[1] == 1)
return {ok = 1}
