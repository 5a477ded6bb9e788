-- args.lua — prints its arguments: "arg N: a b ..." (cli_usage.sh).
local gradlab = require "gradlab"
assert(select("#", ...) == #arg, "... and arg differ")
print("arg " .. #arg .. ": " .. table.concat(arg, " "))
return {n = #arg, seed = gradlab.seed()}
