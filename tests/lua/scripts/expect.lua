-- expect.lua — the assertion the error-path scripts share (not a test itself):
--   local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
--   local err = fails("text the message must hold", f, args...)
-- calls f(args...) under pcall; it must raise an error whose text holds the pattern (plain
-- text, not a Lua pattern). Returns the message.
return function(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching " .. pattern)
  err = tostring(err)
  assert(err:find(pattern, 1, true), "error '" .. err .. "' lacks '" .. pattern .. "'")
  return err
end
