-- err_table.lua — an error object that is not a string still names the file and line it was
-- raised at (it was only "(error object is a table value)")
local gradlab = require "gradlab"
local _ = gradlab.version
error({code = 3})
