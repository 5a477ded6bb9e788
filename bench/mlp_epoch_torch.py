#!/usr/bin/python3
"""mlp_epoch_torch.py - reference for mlp_epoch and lstm-free MLP timing: Fashion-MNIST,
784-256-128-10 ReLU, softmax cross-entropy, SGD lr 0.1, batch 64, one shuffled epoch, float32.

    /usr/bin/python3 bench/mlp_epoch_torch.py THREADS [DATA_DIR]

THREADS is torch.set_num_threads (bench/run.py also sets OPENBLAS_NUM_THREADS for the 1-thread
run). Prints `load_s=... epoch_s=... loss=...`: the data load (gunzip + decode + scale to [0,1])
and the epoch are timed separately, in process, with time.perf_counter."""
import gzip
import sys
import time

import numpy as np
import torch
import torch.nn as nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
root = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
torch.set_num_threads(threads)
torch.manual_seed(1)


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


t0 = time.perf_counter()
x = torch.from_numpy(idx(f"{root}/train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
                     .astype(np.float32) / 255.0)
y = torch.from_numpy(idx(f"{root}/train-labels-idx1-ubyte.gz", 8).astype(np.int64))
t1 = time.perf_counter()

net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                    nn.Linear(128, 10))
opt = torch.optim.SGD(net.parameters(), lr=0.1)
lossf = nn.CrossEntropyLoss()
t2 = time.perf_counter()
perm = torch.randperm(x.shape[0])
total, n = 0.0, 0
for s in range(0, x.shape[0], 64):
    b = perm[s:s + 64]
    opt.zero_grad()
    loss = lossf(net(x[b]), y[b])
    loss.backward()
    opt.step()
    total += loss.item()
    n += 1
t3 = time.perf_counter()
print(f"load_s={t1 - t0:.4f} epoch_s={t3 - t2:.4f} loss={total / n:.4f}")
