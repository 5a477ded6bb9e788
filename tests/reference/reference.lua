-- reference.lua — the PyTorch fixtures through the Lua API (LUA_API.md), as a user would touch
-- them: gradlab.layer.<type>{...}, gradlab.sequential, layer:set_param / param / grad,
-- gradlab.loss.*, net:backward, net:input_grad, gradlab.optim.<type>{...}, opt:step(net),
-- net:eval(). Complements test_reference.c (the C API): same fixtures, same error measure
-- (FORMAT.md), limits 1e-9 (double build) / 1e-4 (float build).
--   gradlab run tests/reference/reference.lua -- FIXTURE_DIR [CASE...]
local gradlab = require "gradlab"

local dir = arg and arg[1] or "tests/reference/fixtures"
local CASES = {"mlp_sigmoid_mse", "mlp_relu_xent", "mlp_tanh_bce", "mlp_batchnorm", "mlp_residual",
  "rnn_tanh", "lstm", "lstm_sequence", "optim_sgd", "optim_momentum", "optim_nesterov", "optim_adam",
  "optim_rmsprop"}
if arg and #arg > 1 then CASES = {table.unpack(arg, 2)} end
local LIMIT = gradlab.real == "double" and 1e-9 or 1e-4

-- ---- fixture reader (format: FORMAT.md) ----
local function parse_opts(words, first)
  local opts = {}
  for i = first, #words do
    local k, v = words[i]:match("^([^=]+)=(.*)$")
    assert(k, "bad option " .. words[i])
    if v == "true" then opts[k] = true
    elseif v == "false" then opts[k] = false
    elseif math.tointeger(tonumber(v)) and not v:find("[.eE]") then opts[k] = math.tointeger(tonumber(v))
    elseif tonumber(v) then opts[k] = tonumber(v)
    else opts[k] = v end
  end
  return opts
end

local function load_fixture(path)
  local f = assert(io.open(path, "r"))
  local fx = {layers = {}, tensors = {}, steps = 1}
  local cur
  for line in f:lines() do
    local words = {}
    for w in line:gmatch("%S+") do words[#words + 1] = w end
    local d = words[1]
    if not d or d:sub(1, 1) == "#" then
    elseif cur and cur.need > #cur.values then
      for _, w in ipairs(words) do cur.values[#cur.values + 1] = assert(tonumber(w)) end
    elseif d == "case" then fx.name = words[2]
    elseif d == "loss" then fx.loss = words[2]
    elseif d == "steps" then fx.steps = tonumber(words[2])
    elseif d == "optim" then fx.optim = {type = words[2], opts = parse_opts(words, 3)}
    elseif d == "layer" then
      fx.layers[#fx.layers + 1] = {path = words[2], type = words[3], opts = parse_opts(words, 4)}
    elseif d == "tensor" then
      local nd, shape, need = tonumber(words[3]), {}, 1
      for i = 1, nd do shape[i] = tonumber(words[3 + i]); need = need * shape[i] end
      cur = {shape = shape, values = {}, need = need}
      fx.tensors[words[2]] = cur
    end
  end
  f:close()
  return fx
end

-- flat values + shape -> nested table; nested table -> flat values
local function nest(values, shape)
  local pos = 0
  local function build(d)
    local t = {}
    for i = 1, shape[d] do
      if d == #shape then pos = pos + 1; t[i] = values[pos] else t[i] = build(d + 1) end
    end
    return t
  end
  return build(1)
end
local function flatten(t, out)
  out = out or {}
  if type(t) ~= "table" then out[#out + 1] = t; return out end
  for _, v in ipairs(t) do flatten(v, out) end
  return out
end

-- ---- one case ----
local function run_case(name)
  local fx = load_fixture(dir .. "/" .. name .. ".txt")
  local worst, where, problems = 0, "-", {}
  local function cmp(tname, got)
    local t = fx.tensors[tname]
    if not t then problems[#problems + 1] = "fixture has no " .. tname; return end
    t.used = true
    local a = type(got) == "number" and {got} or flatten(got)
    if #a ~= #t.values then
      problems[#problems + 1] = ("%s: %d values, fixture has %d"):format(tname, #a, #t.values)
      return
    end
    local scale = 0
    for _, b in ipairs(t.values) do scale = math.max(scale, math.abs(b)) end
    local floor = math.max(1e-2 * scale, 1e-12)
    for i, b in ipairs(t.values) do
      local e = math.abs(a[i] - b) / math.max(math.abs(b), floor)
      if e ~= e then e = math.huge end
      if e > worst or where == "-" then worst, where = e, ("%s[%d]"):format(tname, i - 1) end
    end
  end

  -- layers: children (path P.k) follow their parent P
  local built, order = {}, {}
  local function build(i)
    local spec = fx.layers[i]
    local opts, j = {}, i + 1
    for k, v in pairs(spec.opts) do opts[k] = v end
    while fx.layers[j] and fx.layers[j].path:sub(1, #spec.path + 1) == spec.path .. "." do
      local child
      child, j = build(j)
      opts[#opts + 1] = child
    end
    local l = gradlab.layer[spec.type](opts)
    order[#order + 1] = spec.path
    return l, j
  end
  local top, i = {}, 1
  while i <= #fx.layers do
    local l
    l, i = build(i)
    top[#top + 1] = l
  end
  local net = gradlab.sequential(top)
  for _, path in ipairs(order) do
    local l = net:layer(path)
    built[path] = l
    for _, pname in ipairs(l:param_names()) do
      local t = fx.tensors["init." .. path .. "." .. pname]
      if not t then
        problems[#problems + 1] = "no init tensor for " .. path .. "." .. pname
      else
        t.used = true
        l:set_param(pname, gradlab.tensor(nest(t.values, t.shape)))
      end
    end
  end
  local opt
  if fx.optim then opt = gradlab.optim[fx.optim.type](fx.optim.opts) end
  net:train()

  local function tensor_of(tname)
    local t = assert(fx.tensors[tname], tname)
    t.used = true
    return gradlab.tensor(nest(t.values, t.shape))
  end
  for k = 1, fx.steps do
    local s = "step" .. k .. "."
    net:zero_grad()
    local out = net:forward(tensor_of(s .. "input"))
    local loss
    if fx.loss == "cross_entropy" then
      local t = fx.tensors[s .. "labels"]
      t.used = true
      local labels = {}
      for n, v in ipairs(t.values) do labels[n] = math.tointeger(v) end
      loss = gradlab.loss.cross_entropy(out, labels)
    else
      loss = gradlab.loss[fx.loss](out, tensor_of(s .. "target"))
    end
    net:backward(loss)
    cmp(s .. "output", out:totable())
    cmp(s .. "loss", loss:item())
    cmp(s .. "input_grad", net:input_grad():totable())
    for _, path in ipairs(order) do
      for pname, t in pairs(fx.tensors) do
        local p = pname:match("^" .. s:gsub("%.", "%%.") .. "grad%." .. path:gsub("%.", "%%.") .. "%.([%w_]+)$")
        if p then cmp(pname, built[path]:grad(p):totable()) end
      end
    end
    if opt then
      opt:step(net)
      if fx.tensors[s .. "grad_norm"] then cmp(s .. "grad_norm", opt:grad_norm()) end
      for _, path in ipairs(order) do
        for _, pname in ipairs(built[path]:param_names()) do
          cmp(s .. "after." .. path .. "." .. pname, built[path]:param(pname):totable())
        end
      end
    end
  end
  if fx.tensors["eval.input"] then
    net:eval()
    cmp("eval.output", net:forward(tensor_of("eval.input")):totable())
  end
  for tname, t in pairs(fx.tensors) do
    if not t.used then problems[#problems + 1] = "fixture tensor " .. tname .. " was never compared" end
  end
  return worst, where, problems
end

local failed = 0
print(("reference through the Lua API (%s build, limit %g):"):format(gradlab.real, LIMIT))
for _, name in ipairs(CASES) do
  local ok, worst, where, problems = pcall(run_case, name)
  if not ok then
    failed = failed + 1
    print(("  %-16s ERROR %s"):format(name, tostring(worst)))
  else
    local bad = #problems > 0 or not (worst <= LIMIT)
    if bad then failed = failed + 1 end
    print(("  %-16s %.3e  %-28s %s"):format(name, worst, where, bad and "FAILED" or "ok"))
    for _, p in ipairs(problems) do print("    " .. p) end
  end
end
if failed > 0 then error(("%d of %d reference cases failed"):format(failed, #CASES)) end
