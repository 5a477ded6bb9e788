#!/usr/bin/python3
"""lstm_step_torch.py - reference for lstm_step: the adding problem, T=100, batch 32, nn.LSTM(2,
128) -> last step -> Linear(128, 1), MSE, Adam (lr 1e-3), float32.

    /usr/bin/python3 bench/lstm_step_torch.py THREADS [STEPS]

Prints `step_ms=...`: the mean wall time of one training step (zero_grad, forward, loss,
backward, step) over STEPS steps (default 40) after 5 warm-up steps."""
import sys
import time

import torch
import torch.nn as nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 40
torch.set_num_threads(threads)
torch.manual_seed(1)
T, B, H = 100, 32, 128


def batch():
    x = torch.zeros(T, B, 2)
    x[:, :, 0] = torch.rand(T, B)
    i = torch.randint(0, T // 2, (B,))
    j = torch.randint(T // 2, T, (B,))
    x[i, torch.arange(B), 1] = 1.0
    x[j, torch.arange(B), 1] = 1.0
    y = (x[i, torch.arange(B), 0] + x[j, torch.arange(B), 0]).unsqueeze(1)
    return x, y


lstm, head = nn.LSTM(2, H), nn.Linear(H, 1)
params = list(lstm.parameters()) + list(head.parameters())
opt = torch.optim.Adam(params, lr=1e-3)
lossf = nn.MSELoss()
data = [batch() for _ in range(steps + 5)]


def step(x, y):
    opt.zero_grad()
    seq, _ = lstm(x)
    loss = lossf(head(seq[-1]), y)
    loss.backward()
    opt.step()
    return loss.item()


for x, y in data[:5]:
    step(x, y)
t0 = time.perf_counter()
for x, y in data[5:]:
    loss = step(x, y)
t1 = time.perf_counter()
print(f"step_ms={(t1 - t0) / steps * 1e3:.3f} loss={loss:.4f}")
