-- study.lua — helpers shared by the studies in scripts/ (not a study itself).
--
-- Parameters with defaults (full size) and smoke overrides, the run folder, batches built from a
-- dataset, exact gradient probes (forward + backward on a fixed batch, no update), networks by
-- description, aligned tables (printed and saved as CSV), figures declared for `gradlab plot`
-- (RUN_DIR/figures.csv + figures_data.csv) and drawing them at the end.
local gradlab = require "gradlab"

local M = {}

-- ---------------------------------------------------------------- parameters and run folder

-- Quote a word for POSIX sh: 'it'\''s' (every byte stays literal, $ ` \ and spaces included).
function M.shell_quote(s)
  return "'" .. tostring(s):gsub("'", [['\'']]) .. "'"
end

-- A path as a command-line word: quoted, and "./" in front of one that starts with "-" so that
-- no command takes it for an option.
local function path_word(p)
  p = tostring(p)
  if p:sub(1, 1) == "-" then p = "./" .. p end
  return M.shell_quote(p)
end
M.path_word = path_word

-- A path as shown in a message to paste: bare when it has nothing the shell would read.
local function shown_path(p)
  if tostring(p):match("^[%w%._/%-+=:,@]+$") then return tostring(p) end
  return path_word(p)
end

-- Parameter rules (the fourth argument of M.params): what a --set value must be.
-- rule = {what = "a whole number >= 1", plural = "whole numbers >= 1", check = fn(v) -> value|nil}
local function rule(what, plural, check) return {what = what, plural = plural, check = check} end

local function as_number(v)
  if type(v) == "string" then return nil end -- gradlab run already made decimal text a number
  return type(v) == "number" and v == v and v > -math.huge and v < math.huge and v or nil
end

-- M.whole(min[, max]): a whole number (3 or 3.0) in [min, max]; the value is an integer.
function M.whole(min, max)
  local range = max and ("from %d to %d"):format(min, max) or (">= %d"):format(min)
  return rule("a whole number " .. range, "whole numbers " .. range, function(v)
    local n = as_number(v)
    n = n and math.tointeger(n)
    if n and n >= min and (not max or n <= max) then return n end
  end)
end

-- M.number(lo, op_lo[, hi, op_hi]): a finite number with bounds, e.g. M.number(0, ">") (> 0),
-- M.number(0, ">=", 1, "<") (in [0, 1)); M.number() is any finite number.
function M.number(lo, op_lo, hi, op_hi)
  local parts = {}
  if lo then parts[#parts + 1] = ("%s %g"):format(op_lo, lo) end
  if hi then parts[#parts + 1] = ("%s %g"):format(op_hi, hi) end
  local range = #parts > 0 and (" " .. table.concat(parts, " and ")) or ""
  local function ok(n, bound, op)
    if not bound then return true end
    if op == ">" then return n > bound elseif op == ">=" then return n >= bound
    elseif op == "<" then return n < bound else return n <= bound end
  end
  return rule("a number" .. range, "numbers" .. range, function(v)
    local n = as_number(v)
    if n and ok(n, lo, op_lo) and ok(n, hi, op_hi) then return n end
  end)
end

-- M.one_of{"a", "b"}: one of these words.
function M.one_of(words)
  local set = {}
  for _, w in ipairs(words) do set[w] = true end
  local list = table.concat(words, ", ")
  local r = rule("one of " .. list, "names (" .. list .. ")", function(v)
    if type(v) == "string" and set[v] then return v end
  end)
  r.names = true
  return r
end

-- M.list(item_rule[, {unique = true}]): a comma-separated list ("1,2,3"; a single value is a
-- list of one) of at least one item, each following item_rule (and each once when unique).
function M.list(item, opts)
  local r = rule(("a comma-separated list of %s"):format(item.plural), "lists", nil)
  r.list, r.item, r.unique = true, item, opts and opts.unique
  return r
end

-- The boolean parameters (and smoke): true or false, nothing else.
-- The words layer and optimizer options take as booleans too (true/yes/1, false/no/0).
local BOOL = rule("true or false (or yes/no, 1/0)", "true or false (or yes/no, 1/0)", function(v)
  if type(v) == "boolean" then return v end
  if v == "yes" or v == 1 then return true end
  if v == "no" or v == 0 then return false end
end)

local function shown_value(v)
  if type(v) == "string" then return ("'%s'"):format(v) end
  return tostring(v)
end

-- Edit distance, a swap of two neighbours counting as one edit (for "did you mean").
local function distance(a, b)
  local d = {}
  for i = 0, #a do d[i] = {[0] = i} end
  for j = 0, #b do d[0][j] = j end
  for i = 1, #a do
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      d[i][j] = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:sub(i, i) == b:sub(j - 1, j - 1)
        and a:sub(i - 1, i - 1) == b:sub(j, j) then
        d[i][j] = math.min(d[i][j], d[i - 2][j - 2] + 1)
      end
    end
  end
  return d[#a][#b]
end

-- The items of a list parameter's --set value ("1,2,3", spaces around items allowed; a lone
-- number is a list of one; a table, a default, as it is) and their texts for messages; nil and
-- the reason when an item is empty.
local function split_list(v)
  if type(v) == "table" then
    local texts = {}
    for i, x in ipairs(v) do texts[i] = shown_value(x) end
    return v, texts
  end
  if type(v) == "number" or type(v) == "boolean" then return {v}, {tostring(v)} end
  local items, texts = {}, {}
  for item in (tostring(v) .. ","):gmatch("([^,]*),") do
    item = item:match("^%s*(.-)%s*$")
    if item == "" then return nil, v:match("^%s*$") and "nothing" or "an empty item" end
    local n = tonumber(item)
    -- numbers as --set reads them (decimal only: 0x10 stays a word)
    if n and item:match("^[+-]?%.?%d[%d.]*[eE]?[+-]?%d*$") then items[#items + 1] = n
    elseif item == "true" or item == "false" then items[#items + 1] = item == "true"
    else items[#items + 1] = item end
    texts[#texts + 1] = "'" .. item .. "'"
  end
  return items, texts
end

-- P = M.params(name, defaults, smoke_overrides[, rules]): defaults < smoke overrides
-- (--set smoke=true) < explicit --set values (gradlab.params). A --set value must follow its
-- parameter's rule: rules[k] (M.whole, M.number, M.one_of, M.list) when given; else booleans are
-- true/false, numbers any finite number, lists comma-separated and text anything. A --set key
-- that is not a parameter of the study is an error (with the nearest name). Errors name the
-- script, the parameter, the value and what is accepted (exit 1).
function M.params(name, defaults, smoke, rules)
  -- One BLAS thread, unless OPENBLAS_NUM_THREADS says otherwise: the studies' networks are small
  -- (30 to 128 units), their products too small to share out, and a second OpenBLAS thread only
  -- spins between them — main_study.lua took 19 s wall and 38 s of CPU with two, 12.5 s and
  -- 12.3 s with one, on 2 cores, with the same tables to the last digit.
  if not os.getenv("OPENBLAS_NUM_THREADS") and gradlab.blas_threads then gradlab.blas_threads(1) end
  local src = debug.getinfo(2, "S")
  src = src and src.short_src or (name .. ".lua")
  M.src = src
  rules = rules or {}
  local given = gradlab.params or {}
  local function fail(fmt, ...) error(src .. ": " .. fmt:format(...), 0) end
  for k in pairs(rules) do
    if defaults[k] == nil then fail("study.params: a rule for '%s', which has no default", k) end
  end
  local function rule_of(k)
    if k == "smoke" then return BOOL end
    local d = defaults[k]
    if rules[k] then return rules[k] end
    if type(d) == "boolean" then return BOOL end
    if type(d) == "number" then return M.number() end
    if type(d) == "table" then
      return M.list(rule("a value", "values", function(x) return x end))
    end
    return nil -- text: taken as it is
  end
  -- value = convert(k, v, origin): v as parameter k's rule accepts it, else an error naming
  -- the parameter, the value and what is accepted (origin: "" for --set, else " (its default)").
  local function convert(k, v, origin)
    origin = origin or ""
    local r = rule_of(k)
    if not r then return tostring(v) end
    if r.list then
      local items, texts = split_list(v)
      if not items or #items == 0 then
        fail("parameter '%s' must be %s, got %s%s (%s)", k, r.what, shown_value(v), origin,
          items and "an empty list" or texts)
      end
      local out, seen = {}, {}
      for i, x in ipairs(items) do
        local y = r.item.check(x)
        if y == nil then
          fail("parameter '%s' must be %s, got %s%s (%s is not %s)", k, r.what, shown_value(v),
            origin, texts[i], r.item.names and "one of them" or r.item.what)
        end
        if r.unique and seen[y] then
          fail("parameter '%s' must be %s, each once, got %s%s (%s twice)", k, r.what,
            shown_value(v), origin, texts[i])
        end
        seen[y], out[i] = true, y
      end
      return out
    end
    local y = r.check(v)
    if y == nil then fail("parameter '%s' must be %s, got %s%s", k, r.what, shown_value(v), origin) end
    return y
  end
  -- the script's own values follow its rules too (a rule and a default that disagree is a bug)
  for k in pairs(rules) do
    convert(k, defaults[k], " (its default)")
    if smoke and smoke[k] ~= nil then convert(k, smoke[k], " (its smoke value)") end
  end

  -- the given keys in a fixed order, so that of two bad values the same one is reported
  local keys = {}
  for k in pairs(given) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  -- unknown keys first: a typo is the likeliest reason for any other surprise
  local known = {"smoke"}
  for k in pairs(defaults) do known[#known + 1] = k end
  table.sort(known)
  for _, k in ipairs(keys) do
    local v = given[k]
    if k ~= "smoke" and defaults[k] == nil then
      local best, bd = {}, #k >= 5 and 2 or 1 -- the most edits a suggestion may be away
      for _, c in ipairs(known) do
        local dd = distance(k, c)
        if dd < bd then best, bd = {c}, dd elseif dd == bd then best[#best + 1] = c end
      end
      if #best > 0 then
        fail("unknown parameter '%s' (--set %s=%s); did you mean '%s'?", k, k, tostring(v),
          table.concat(best, "' or '"))
      end
      fail("unknown parameter '%s' (--set %s=%s); the parameters are: %s", k, k, tostring(v),
        table.concat(known, ", "))
    end
  end

  local P = {}
  for k, v in pairs(defaults) do P[k] = v end
  P.smoke = given.smoke ~= nil and convert("smoke", given.smoke) or false
  if P.smoke then for k, v in pairs(smoke or {}) do P[k] = v end end
  for _, k in ipairs(keys) do
    if k ~= "smoke" then P[k] = convert(k, given[k]) end
  end
  P.name = name
  -- the run folder: gradlab run's (it exists: made by gradlab run), else (stock lua5.4)
  -- GRADLAB_OUT or runs/NAME, made here
  P.out = gradlab.outdir and gradlab.outdir() or "."
  local inside = M.in_gradlab_run()
  if P.out == "." and not inside then
    P.out = os.getenv("GRADLAB_OUT") or ("runs/" .. name)
  end
  local tables = P.out .. "/tables.txt"
  local tf, err = io.open(tables, "w") -- this run's tables only
  if not tf and not inside then
    os.execute("mkdir -p -- " .. M.shell_quote(P.out))
    tf, err = io.open(tables, "w")
  end
  if not tf then fail("cannot write the run folder's tables: %s", tostring(err)) end
  tf:close()
  M.P = P
  return P
end

-- An error about the parameters, named as M.params names them ("SCRIPT: message"; exit 1).
function M.param_error(fmt, ...)
  error((M.src or "study") .. ": " .. fmt:format(...), 0)
end

-- at_most(P, a, b): parameter a must not exceed parameter b (e.g. probe_images, train_images).
function M.at_most(P, a, b)
  if P[a] > P[b] then
    M.param_error("parameter '%s' must be at most %s (%s), got %s", a, b, tostring(P[b]),
      tostring(P[a]))
  end
end

-- Seed gradlab's generator (initialisation, data order) and Lua's (fallback batch order).
function M.seed(n)
  if gradlab.seed then gradlab.seed(math.floor(n)) end
  math.randomseed(math.floor(n))
end

-- ---------------------------------------------------------------- numbers

-- L2 norm of a (nested) table or tensor, scaled so tiny or huge values neither vanish nor overflow.
-- NaN when an entry is NaN (a diverged network's gradient is not 0).
function M.norm(x)
  if type(x) ~= "table" then x = x:totable() end
  local scale, ssq, nan = 0, 1, false
  local function walk(t)
    if type(t) == "number" then
      if t ~= t then
        nan = true
      elseif t ~= 0 then
        local a = math.abs(t)
        if a > scale then
          ssq = 1 + ssq * (scale / a) ^ 2
          scale = a
        else
          ssq = ssq + (a / scale) ^ 2
        end
      end
    else
      for i = 1, #t do walk(t[i]) end
    end
  end
  walk(x)
  if nan then return 0 / 0 end
  return scale * math.sqrt(ssq)
end

function M.flatten(t, out)
  out = out or {}
  if type(t) == "number" then
    out[#out + 1] = t
  else
    for i = 1, #t do M.flatten(t[i], out) end
  end
  return out
end

function M.mean(xs)
  local s = 0
  for _, v in ipairs(xs) do s = s + v end
  return #xs > 0 and s / #xs or 0 / 0
end

-- Geometric mean of the positive values (0 if there are none; NaNs are skipped).
function M.geomean(xs)
  local s, n = 0, 0
  for _, v in ipairs(xs) do
    if v > 0 and v < math.huge then s, n = s + math.log(v), n + 1 end
  end
  return n > 0 and math.exp(s / n) or 0
end

-- How many decades x is away from 1 (|log10 x|); the distance of a first/last ratio from even.
function M.decades(x)
  if not (x > 0 and x < math.huge) then return math.huge end
  return math.abs(math.log(x, 10))
end

-- "1.23e-04" style for tables.
function M.sci(v)
  if v == nil then return "-" end
  if v ~= v then return "nan" end
  return ("%.3e"):format(v)
end

-- ---------------------------------------------------------------- data

-- A dataset: Fashion-MNIST if installed, else a built-in stand-in of the same shape (with a note,
-- once): 12,000 `blobs` items (10 classes, 784 features, fixed seed), the first 10,000 as the
-- training split and the last 2,000 as the test split, so both share the class centres.
local fallback
function M.image_data(split, limit)
  local ok, d = pcall(gradlab.data.fashion_mnist, {split = split, limit = limit})
  if ok and d then return d, "Fashion-MNIST " .. split end
  if not fallback then
    io.stderr:write(("note: Fashion-MNIST is not available (%s);\n      using the built-in "
      .. "blobs dataset (10 classes, 784 features) instead — install dataset-fashion-mnist "
      .. "for the real study\n"):format(tostring(d)))
    local all = gradlab.data.blobs{n = 12000, classes = 10, dim = 784, seed = 7}
    local train, test = all:split(10000 / 12000)
    fallback = {train = train, test = test}
  end
  local data = fallback[split] or fallback.train
  if limit and data:size() > limit then data = data:subset(limit) end
  return data, "built-in blobs (Fashion-MNIST not installed)"
end

-- A fixed batch of items first..first+n-1: X as a tensor (rows, or [T][n][F] for sequences),
-- Y one-hot (classes > 0) or the real targets, and the labels.
function M.batch(data, first, n, classes, sequence)
  local rows, ys, labels = {}, {}, {}
  for i = first, first + n - 1 do
    local x, y = data:get(i)
    local xt = x:totable()
    if sequence then rows[#rows + 1] = xt else rows[#rows + 1] = M.flatten(xt) end
    if classes and classes > 0 then
      local lab = type(y) == "number" and y or M.flatten(y:totable())[1]
      local oh = {}
      for k = 1, classes do oh[k] = 0 end
      oh[math.floor(lab) + 1] = 1
      ys[#ys + 1], labels[#labels + 1] = oh, math.tointeger(lab) or math.floor(lab)
    else
      ys[#ys + 1] = type(y) == "number" and {y} or M.flatten(y:totable())
    end
  end
  if sequence then -- rows[i][t][f] → X[t][i][f]
    local T, X = #rows[1], {}
    for t = 1, T do
      X[t] = {}
      for i = 1, n do X[t][i] = rows[i][t] end
    end
    rows = X
  end
  return gradlab.tensor(rows), gradlab.tensor(ys), labels
end

-- ---------------------------------------------------------------- networks

-- M.mlp{sizes={784,30,30,10}, act="sigmoid", init=..., bias=true, bias_init=..., batchnorm=false,
--       residual=false, out_act=nil, name=nil}: returns net and the array of its dense layers (in
-- order). name: the model's name, which prefixes its rows in metrics.csv ("d3_s1/2"), so that
-- the many networks of one study stay apart there.
-- residual=true wraps each hidden width→width layer as residual{dense, [batchnorm], act}.
function M.mlp(o)
  local L = gradlab.layer
  local layers, dense = {}, {}
  local n = #o.sizes
  for i = 1, n - 1 do
    local d = L.dense{inputs = o.sizes[i], outputs = o.sizes[i + 1], init = o.init,
      bias = o.bias ~= false, bias_init = o.bias_init}
    dense[#dense + 1] = d
    local last = i == n - 1
    local block = {d}
    if not last then
      if o.batchnorm then block[#block + 1] = L.batchnorm{features = o.sizes[i + 1]} end
      block[#block + 1] = L[o.act]{}
    elseif o.out_act then
      block[#block + 1] = L[o.out_act]{}
    end
    if o.residual and not last and o.sizes[i] == o.sizes[i + 1] then
      layers[#layers + 1] = L.residual(block)
    else
      for _, l in ipairs(block) do layers[#layers + 1] = l end
    end
  end
  layers.name = o.name
  return gradlab.sequential(layers), dense
end

-- Exact gradients on a fixed batch without an update: forward, loss, backward; then
-- fn(layer, param) reads them. Returns the loss value.
function M.probe(net, X, Y, loss)
  net:zero_grad()
  local out = net:forward(X)
  local l = (loss == "cross_entropy") and gradlab.loss.cross_entropy(out, Y)
    or gradlab.loss.mse(out, Y)
  local value = l:item()
  net:backward(l)
  return value
end

function M.grad_norm(layer, name)
  return M.norm(layer:grad(name))
end

-- ||∂L/∂(layer output)|| (Nielsen's δ over the batch) of the last probe, from the recorder.
function M.delta_norm(layer)
  local st = layer:grad_stats()
  return st and st.output_grad and st.output_grad.norm or 0 / 0
end

-- Run gradlab.train with the recorder off (studies measure with probes) unless asked.
function M.train(t)
  if t.record_every == nil then t.record_every = 0 end
  return gradlab.train(t)
end

-- ---------------------------------------------------------------- training

-- Training uses gradlab.train. When the model cannot take the data's items as they are (image
-- items [28][28] into a dense layer of 784 inputs, which the dense layer may not flatten), it
-- falls back, once and with a note, to a loop over flattened mini-batches built once per dataset
-- (fixed composition, order reshuffled every epoch with the seeded math.random).
local cache = setmetatable({}, {__mode = "k"})

local function batches_of(data, bs, classes)
  cache[data] = cache[data] or {}
  if cache[data][bs] then return cache[data][bs] end
  local list, n = {}, data:size()
  for first = 1, n, bs do
    local m = math.min(bs, n - first + 1)
    local X, Y, labels = M.batch(data, first, m, classes)
    list[#list + 1] = {X = X, Y = Y, labels = labels, n = m}
  end
  cache[data][bs] = list
  return list
end

local function shape_error(msg)
  return tostring(msg):find("features, expected inputs", 1, true) ~= nil
end

local function loss_of(out, b, loss)
  if loss == "cross_entropy" then return gradlab.loss.cross_entropy(out, b.labels) end
  return gradlab.loss.mse(out, b.Y)
end

-- r = M.fit(net, opt, data, {loss=, epochs=, batch=, classes=}) → {steps=, loss=, stopped=}
function M.fit(net, opt, data, o)
  if not M.manual then
    local ok, r = pcall(gradlab.train, {model = net, data = data, loss = o.loss,
      optimizer = opt, epochs = o.epochs, batch = o.batch, shuffle = o.shuffle ~= false,
      on_nonfinite = "stop", record_every = o.record_every or 0})
    if ok then return r end
    if not shape_error(r) then error(r, 0) end
    M.manual = true
    io.stderr:write("note: the dense layer takes flat rows, not [28][28] images: training on "
      .. "flattened mini-batches built once (order shuffled each epoch)\n")
  end
  local list = batches_of(data, o.batch, o.classes)
  if net.record_every then net:record_every(o.record_every or 0) end
  local steps, sum, cnt = 0, 0, 0
  for _ = 1, o.epochs do
    local order = {}
    for i = 1, #list do order[i] = i end
    for i = #order, 2, -1 do
      local j = math.random(i)
      order[i], order[j] = order[j], order[i]
    end
    sum, cnt = 0, 0
    for _, bi in ipairs(order) do
      local b = list[bi]
      net:zero_grad()
      local l = loss_of(net:forward(b.X), b, o.loss)
      local v = l:item()
      local fine = net:backward(l)
      steps = steps + 1
      if fine == false or v ~= v or v == math.huge then
        if net.record_every then net:record_every(1) end
        return {steps = steps, loss = v, stopped = "nonfinite"}
      end
      opt:step(net)
      sum, cnt = sum + v * b.n, cnt + b.n
    end
  end
  if net.record_every then net:record_every(1) end -- probes record every backward
  return {steps = steps, loss = cnt > 0 and sum / cnt or 0 / 0, stopped = "done"}
end

-- {loss=, accuracy=} of net on data (eval mode is the caller's choice).
function M.evaluate(net, data, o)
  if not M.manual then
    local ok, r = pcall(net.evaluate, net, data)
    if ok then return r end
    if not shape_error(r) then error(r, 0) end
    M.manual = true
  end
  local list = batches_of(data, 500, o.classes)
  local sum, right, n = 0, 0, 0
  for _, b in ipairs(list) do
    local out = net:forward(b.X)
    sum = sum + loss_of(out, b, o.loss):item() * b.n
    for i, row in ipairs(out:totable()) do
      local best = 1
      for k = 2, #row do if row[k] > row[best] then best = k end end
      if best - 1 == b.labels[i] then right = right + 1 end
    end
    n = n + b.n
  end
  return {loss = sum / n, accuracy = right / n}
end

-- ---------------------------------------------------------------- tables

-- M.table{name=, title=, columns={...}, rows={{...}}}: print aligned, save RUN_DIR/NAME.csv.
local function csv_field(v)
  local s = tostring(v == nil and "" or v)
  if s:find('[,"\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end
M.csv_field = csv_field

function M.table(t)
  local w = {}
  for j, c in ipairs(t.columns) do w[j] = #c end
  for _, r in ipairs(t.rows) do
    for j = 1, #t.columns do w[j] = math.max(w[j], #tostring(r[j] or "-")) end
  end
  local lines = {}
  local function line(cells)
    local parts = {}
    for j = 1, #t.columns do
      local s = tostring(cells[j] or "-")
      parts[j] = j == 1 and s .. (" "):rep(w[j] - #s) or (" "):rep(w[j] - #s) .. s
    end
    lines[#lines + 1] = table.concat(parts, "  ")
  end
  line(t.columns)
  local rule = {}
  for j = 1, #t.columns do rule[j] = ("-"):rep(w[j]) end
  lines[#lines + 1] = table.concat(rule, "  ")
  for _, r in ipairs(t.rows) do line(r) end
  print("")
  print(t.title)
  for _, l in ipairs(lines) do print(l) end
  if t.note then print(t.note) end
  local f = io.open(M.P.out .. "/" .. t.name .. ".csv", "w")
  if f then
    local hdr = {}
    for j, c in ipairs(t.columns) do hdr[j] = csv_field(c) end
    f:write(table.concat(hdr, ","), "\n")
    for _, r in ipairs(t.rows) do
      local cells = {}
      for j = 1, #t.columns do cells[j] = csv_field(r[j]) end
      f:write(table.concat(cells, ","), "\n")
    end
    f:close()
  end
  local tf = io.open(M.P.out .. "/tables.txt", "a")
  if tf then
    tf:write(t.title, "\n", table.concat(lines, "\n"), "\n", t.note and (t.note .. "\n") or "",
      "\n")
    tf:close()
  end
end

-- ---------------------------------------------------------------- figures

M.figures = {}

-- fig = M.figure{name=, title=, xlabel=, ylabel=, logx=, logy=, kind="lines"|"bars"|"points",
--                hline=, hline_label=}; fig:add(series, x, y)
function M.figure(spec)
  spec.points = {}
  function spec:add(series, x, y)
    self.points[#self.points + 1] = {series, x, y}
  end
  M.figures[#M.figures + 1] = spec
  return spec
end

local function write_figures(dir)
  local spec = assert(io.open(dir .. "/figures.csv", "w"))
  spec:write("name,title,xlabel,ylabel,logx,logy,kind,data,hline,hline_label\n")
  local data = assert(io.open(dir .. "/figures_data.csv", "w"))
  data:write("figure,series,x,y\n")
  for _, f in ipairs(M.figures) do
    spec:write(table.concat({csv_field(f.name), csv_field(f.title), csv_field(f.xlabel),
      csv_field(f.ylabel), f.logx and "true" or "false", f.logy and "true" or "false",
      f.kind or "lines", "figures_data.csv", f.hline and ("%.9g"):format(f.hline) or "",
      csv_field(f.hline_label or "")}, ","), "\n")
    for _, p in ipairs(f.points) do
      local x = type(p[2]) == "number" and ("%.9g"):format(p[2]) or csv_field(p[2])
      data:write(csv_field(f.name), ",", csv_field(p[1]), ",", x, ",", ("%.9g"):format(p[3]),
        "\n")
    end
  end
  spec:close()
  data:close()
end

-- This process's command line (Linux /proc), e.g. {"/path/gradlab", "run", "x.lua", ...}.
local function cmdline()
  local f = io.open("/proc/self/cmdline", "rb")
  local words = {}
  if f then
    for w in (f:read("a") or ""):gmatch("[^%z]+") do words[#words + 1] = w end
    f:close()
  end
  return words
end

-- 1 inside `gradlab run` (which draws the figures when the script ends).
local function in_gradlab_run()
  local w = cmdline()
  return w[1] ~= nil and w[1]:match("gradlab$") ~= nil and w[2] == "run"
end
M.in_gradlab_run = in_gradlab_run

-- A gradlab executable for `gradlab plot` when running from stock lua5.4.
local function gradlab_exe()
  for _, c in ipairs{"build/gradlab", "./gradlab"} do
    local f = io.open(c)
    if f then f:close() return c end
  end
  local p = io.popen("command -v gradlab 2>/dev/null")
  local exe = p and p:read("l")
  if p then p:close() end
  return exe
end

-- Write the declared figures. Inside `gradlab run` the command draws them when the script ends
-- (unless GRADLAB_PLOT=0); from stock lua5.4 they are drawn here with `gradlab plot` if a
-- gradlab executable is found. Returns the PNG paths (drawn now or at the end of the run).
function M.finish_figures()
  local dir = M.P.out
  write_figures(dir)
  local pngs = {}
  for _, f in ipairs(M.figures) do pngs[#pngs + 1] = dir .. "/figures/" .. f.name .. ".png" end
  if os.getenv("GRADLAB_PLOT") == "0" or M.P.plot == false then
    print("note: figures not drawn (GRADLAB_PLOT=0 or --set plot=false); run `gradlab plot "
      .. shown_path(dir) .. "`")
    return {}
  end
  if in_gradlab_run() then -- `gradlab run` draws them as it finishes, if it finds gnuplot
    local g = os.getenv("GRADLAB_GNUPLOT")
    local p = io.popen(g and ("test -x " .. path_word(g) .. " && echo y")
      or "command -v gnuplot")
    local found = p and p:read("l")
    if p then p:close() end
    if not found then return {} end -- gradlab run says what is missing
    return pngs
  end
  local exe = gradlab_exe()
  if exe then
    os.execute(("%s plot %s --quiet"):format(path_word(exe), path_word(dir)))
  else
    io.stderr:write("note: no gradlab executable found to draw the figures; run `gradlab plot "
      .. shown_path(dir) .. "`\n")
    return {}
  end
  return pngs
end

-- ---------------------------------------------------------------- checks

M.failed = {}

-- Record a qualitative finding; with --set check=true a failed one ends the script with an error.
function M.check(ok, what)
  print(("check: %s — %s"):format(ok and "PASS" or "FAIL", what))
  if not ok then M.failed[#M.failed + 1] = what end
  return ok
end

function M.finish_checks(result)
  result.checks_failed = #M.failed
  if M.P.check and #M.failed > 0 then
    error(("%d check(s) failed: %s"):format(#M.failed, table.concat(M.failed, "; ")), 0)
  end
  return result
end

return M
