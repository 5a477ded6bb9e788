-- gc_warning.lua — an error inside a __gc metamethod cannot be raised; gradlab run turns Lua's
-- warnings on so that it is printed ("Lua warning: error in __gc ...") rather than dropped. The
-- run itself succeeds.
local t = setmetatable({}, {__gc = function() error("boom in __gc") end})
t = nil
collectgarbage()
collectgarbage()
