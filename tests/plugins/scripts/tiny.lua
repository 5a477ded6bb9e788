-- tiny.lua: a script that needs the shipped dense layer (plugin-loading tests)
local gradlab = require "gradlab"
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
return {params = #net:layer(1):param_names()}
