-- widths.lua — gradlab.sequential (and a residual's children) check the widths of consecutive
-- layers that the shipped types' options tell (dense inputs/outputs, batchnorm features,
-- rnn/lstm inputs/hidden, residual inputs/outputs; activations keep the width) when the model is
-- built, not at its first forward; a type whose widths are unknown is not assumed anything.
local gradlab = require "gradlab"
local L = gradlab.layer

local fails = dofile((arg[0]:match("^(.*/)") or "./") .. "expect.lua")
local seq = gradlab.sequential

fails("gradlab.sequential: layer 2 (dense) takes 4 features (inputs=4), but layer 1 (dense) gives 3 (outputs=3)",
      seq, {L.dense{inputs = 2, outputs = 3}, L.dense{inputs = 4, outputs = 1}})
fails("layer 4 (dense) takes 5 features (inputs=5), but layer 2 (batchnorm) gives 8 (features=8)",
      seq, {L.dense{inputs = 2, outputs = 8}, L.batchnorm{features = 8}, L.relu{}, L.dense{inputs = 5, outputs = 1}})
fails("layer 2 (batchnorm) takes 6 features (features=6), but layer 1 (dense) gives 8 (outputs=8)",
      seq, {L.dense{inputs = 2, outputs = 8}, L.batchnorm{features = 6}})
fails("layer 2 (dense) takes 8 features (inputs=8), but layer 1 (lstm) gives 16 (hidden=16)",
      seq, {L.lstm{inputs = 2, hidden = 16}, L.dense{inputs = 8, outputs = 1}})
fails("layer 2 (rnn) takes 3 features (inputs=3), but layer 1 (rnn) gives 4 (hidden=4)",
      seq, {L.rnn{inputs = 2, hidden = 4, return_sequence = true}, L.rnn{inputs = 3, hidden = 4}})
-- a residual is one layer of the chain; its children are a chain of their own
fails("layer 2 (residual) takes 3 features (inputs=3), but layer 1 (dense) gives 4 (outputs=4)",
      seq, {L.dense{inputs = 2, outputs = 4}, L.residual{L.dense{inputs = 3, outputs = 3}}})
fails("layer 2 (dense) takes 4 features (inputs=4), but layer 1 (residual) gives 8 (outputs=8)",
      seq, {L.residual{L.dense{inputs = 4, outputs = 8}}, L.dense{inputs = 4, outputs = 1}})
fails("gradlab.layer.residual: child 3 (dense) takes 6 features (inputs=6), but child 1 (dense) gives 8 (outputs=8)",
      L.residual, {L.dense{inputs = 4, outputs = 8}, L.tanh{}, L.dense{inputs = 6, outputs = 4}})
-- nothing was taken by a refused model: its layers can be used again
local a, b = L.dense{inputs = 2, outputs = 3}, L.dense{inputs = 4, outputs = 1}
fails("takes 4 features", seq, {a, b})
local ok = seq{a, L.dense{inputs = 3, outputs = 1}}
assert(ok:forward{{1, 2}}:shape()[2] == 1)

-- what fits is fine, through activations, batchnorm, residuals (projected too) and recurrence
local nets = {
  {L.dense{inputs = 2, outputs = 8}, L.batchnorm{features = 8}, L.relu{}, L.tanh{}, L.sigmoid{},
   L.residual{L.dense{inputs = 8, outputs = 8}, L.relu{}}, L.residual{L.relu{}},
   L.residual{L.dense{inputs = 8, outputs = 4}}, L.dense{inputs = 4, outputs = 1}},
  {L.lstm{inputs = 2, hidden = 6, return_sequence = true}, L.rnn{inputs = 6, hidden = 5},
   L.dense{inputs = 5, outputs = 1}},
  {L.residual{inputs = 2, outputs = 3, L.dense{inputs = 2, outputs = 3}}, L.dense{inputs = 3, outputs = 1}},
}
local inputs = {{{1, 2}}, {{{1, 2}}, {{3, 4}}}, {{1, 2}}} -- [1][2], [T=2][1][2], [1][2]
for i, layers in ipairs(nets) do
  local out = seq(layers):eval():forward(inputs[i]) -- they really fit (eval: batchnorm, 1 row)
  assert(out:shape()[#out:shape()] == 1, i)
end
return {ok = 1}
