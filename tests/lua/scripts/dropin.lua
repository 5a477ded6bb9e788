-- dropin.lua — a plugin's layer type used through gradlab.layer.<name> with no binding change.
-- arg[1] = "cli": the plugin came with --plugin; otherwise arg[1] is its path, loaded here.
local gradlab = require "gradlab"
if arg[1] ~= "cli" then
  local ok, err = pcall(function() return gradlab.layer.lua_test_times end)
  assert(not ok and err:find("unknown layer type 'lua_test_times'"), tostring(err))
  gradlab.load_plugin(arg[1])
end
local found
for _, p in ipairs(gradlab.plugins()) do
  if p.name == "lua_test_times" then found = p end
end
assert(found and found.kind == "layer" and found.file:find("lua_test_times"), "listed")
local net = gradlab.sequential{gradlab.layer.lua_test_times{factor = 3}}
local y = net:forward{{1, 2}}
assert(y:totable()[1][2] == 6, "forward")
net:zero_grad()
net:backward(gradlab.loss.sum(y))
assert(net:input_grad():totable()[1][1] == 3, "backward through the plugin's op")
local ok, err = pcall(gradlab.layer.lua_test_times, {factr = 2})
assert(not ok and err:find("did you mean 'factor'"), tostring(err))
return {ok = true}
