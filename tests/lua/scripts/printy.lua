-- printy.lua — prints one line per epoch of a short training. With arg[1] (a file name) it waits
-- after the second line, up to 20 s, until that file exists: sigpipe.sh closes the reader of
-- stdout first, so the third line is written into a pipe nobody reads (EPIPE, and SIGPIPE).
local gradlab = require "gradlab"
local marker = arg[1]
local net = gradlab.sequential{gradlab.layer.dense{inputs = 2, outputs = 1}}
gradlab.train{model = net, data = gradlab.data.xor(), optimizer = gradlab.optim.sgd{lr = 0.1},
  epochs = 5, batch = 4, on_epoch = function(epoch, info)
    print("epoch", epoch, info.loss)
    if epoch == 2 and marker then
      for _ = 1, 400 do
        local f = io.open(marker)
        if f then f:close() break end
        os.execute("sleep 0.05")
      end
    end
  end}
return {epochs = 5}
