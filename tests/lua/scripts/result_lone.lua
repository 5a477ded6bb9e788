-- result_lone.lua — a single value returned (not a table) is summary.json's result.value, stored
-- as a table's values are: a boolean as 1/0 (result_lone.expect), a number, a string.
return true
