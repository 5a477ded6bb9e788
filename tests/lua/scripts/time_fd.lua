-- time_fd.lua — the recurrent layers' per-time-step statistics are the TOTAL derivative
-- ||dL/dh_t|| (through every later step), checked against central finite differences: the
-- script re-implements the rnn and lstm forward passes in double precision from the layers' own
-- parameters, adds a perturbation to one element of h_t, runs the remaining steps and the loss,
-- and compares the norm over (batch, hidden) with grad_stats().time[t].norm. With
-- return_sequence=false only h_T reaches the loss directly, so a partial derivative would give
-- 0 for t < T; with return_sequence=true every step has a direct and an indirect term.
local gradlab = require "gradlab"
gradlab.seed(11)
local T, B, F, H = 5, 2, 2, 3

local function sigmoid(z) return 1 / (1 + math.exp(-z)) end

local function check(kind, return_sequence)
  local rec = gradlab.layer[kind]{inputs = F, hidden = H, return_sequence = return_sequence}
  local net = gradlab.sequential{rec}
  local G = kind == "rnn" and H or 4 * H
  local wx, wh, b = rec:param("w_x"):totable(), rec:param("w_h"):totable(), rec:param("bias"):totable()
  local x = {}
  for t = 1, T do
    x[t] = {}
    for i = 1, B do
      x[t][i] = {}
      for f = 1, F do x[t][i][f] = math.sin(1.3 * t + 0.7 * i + f) end
    end
  end
  -- the forward pass in double; d is added to h_t0[b0][j0] right after step t0 computed it
  local function forward(t0, b0, j0, d)
    local h, c, outs = {}, {}, {}
    for i = 1, B do
      h[i], c[i] = {}, {}
      for j = 1, H do h[i][j], c[i][j] = 0, 0 end
    end
    for t = 1, T do
      local nh, nc = {}, {}
      for i = 1, B do
        local a = {}
        for g = 1, G do
          local s = b[g]
          for f = 1, F do s = s + x[t][i][f] * wx[f][g] end
          for j = 1, H do s = s + h[i][j] * wh[j][g] end
          a[g] = s
        end
        nh[i], nc[i] = {}, {}
        for j = 1, H do
          if kind == "rnn" then
            nh[i][j] = math.tanh(a[j])
          else -- gate blocks i, f, g, o
            nc[i][j] = sigmoid(a[H + j]) * c[i][j] + sigmoid(a[j]) * math.tanh(a[2 * H + j])
            nh[i][j] = sigmoid(a[3 * H + j]) * math.tanh(nc[i][j])
          end
        end
      end
      h, c = nh, nc
      if t == t0 then h[b0][j0] = h[b0][j0] + d end
      outs[t] = h
    end
    return return_sequence and outs or outs[T]
  end
  -- L = mse(y, target) with target_k = 0.1·k over the flattened output
  local function flat(v, acc)
    acc = acc or {}
    if type(v) == "table" then for _, w in ipairs(v) do flat(w, acc) end else acc[#acc + 1] = v end
    return acc
  end
  local function loss_of(y)
    local v, s = flat(y), 0
    for k = 1, #v do s = s + (v[k] - 0.1 * k) ^ 2 end
    return s / #v
  end
  local function targets(v, k)
    k = k or {0}
    if type(v) ~= "table" then k[1] = k[1] + 1; return 0.1 * k[1] end
    local r = {}
    for i, w in ipairs(v) do r[i] = targets(w, k) end
    return r
  end

  local y = net:forward(x)
  local yt = y:totable()
  local L0 = loss_of(forward(0, 1, 1, 0))
  assert(math.abs(loss_of(yt) - L0) < 1e-4 * math.max(1, L0),
         kind .. ": the reference forward pass does not match the layer's")
  net:zero_grad()
  assert(net:backward(gradlab.loss.mse(y, targets(yt))))
  local time = rec:grad_stats().time
  assert(#time == T, kind .. ": " .. #time .. " time steps recorded, expected " .. T)
  local eps = 1e-5
  for t = 1, T do
    local ss = 0
    for i = 1, B do
      for j = 1, H do
        local g = (loss_of(forward(t, i, j, eps)) - loss_of(forward(t, i, j, -eps))) / (2 * eps)
        ss = ss + g * g
      end
    end
    local fd, got = math.sqrt(ss), time[t].norm
    assert(fd > 1e-6, "the finite difference vanished")
    local rel = math.abs(got - fd) / fd
    print(string.format("%s return_sequence=%s t=%d  ||dL/dh_t|| %.8g  finite differences %.8g  rel %.1e",
                        kind, tostring(return_sequence), t, got, fd, rel))
    assert(rel < 1e-3, string.format("%s return_sequence=%s: time[%d].norm = %.8g, finite differences %.8g",
                                     kind, tostring(return_sequence), t, got, fd))
    -- the history keeps the same norm
    local h = rec:history("time." .. t .. ".norm")
    assert(h[#h] == got, "history time." .. t .. ".norm")
  end
end

for _, kind in ipairs{"rnn", "lstm"} do
  check(kind, false)
  check(kind, true)
end
