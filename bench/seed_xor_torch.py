#!/usr/bin/python3
"""seed_xor_torch.py - reference for the seed_xor benchmark: PyTorch eager, float32, the same
workload ([2, 50, 50, 1] sigmoid, MSE, per-sample SGD, 40,000 updates). One thread (the fastest
setting for a network this small). Timed as a whole process by bench/run.py."""
import sys

import torch
import torch.nn as nn

UPDATES = int(sys.argv[1]) if len(sys.argv) > 1 else 40000
torch.set_num_threads(1)
torch.manual_seed(1)
net = nn.Sequential(nn.Linear(2, 50), nn.Sigmoid(), nn.Linear(50, 50), nn.Sigmoid(),
                    nn.Linear(50, 1), nn.Sigmoid())
opt = torch.optim.SGD(net.parameters(), lr=0.5)
lossf = nn.MSELoss()
X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
Y = torch.tensor([[0], [1], [1], [0]], dtype=torch.float32)
order = torch.arange(4)
for u in range(UPDATES):
    if u % 4 == 0:
        order = torch.randperm(4)
    i = int(order[u % 4])
    opt.zero_grad()
    loss = lossf(net(X[i:i + 1]), Y[i:i + 1])
    loss.backward()
    opt.step()
with torch.no_grad():
    print("final_loss=%.6g" % float(lossf(net(X), Y)))
