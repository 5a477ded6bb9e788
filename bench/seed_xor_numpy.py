#!/usr/bin/python3
"""seed_xor_numpy.py - reference for the seed_xor benchmark: a correct numpy implementation of the
naive XOR study's workload: [2, 50, 50, 1] sigmoid network, quadratic cost, per-sample SGD,
40,000 updates (10,000 epochs of the 4 points, shuffled). float64 (numpy's default).
Timed as a whole process by bench/run.py; prints the final mean loss as a sanity check."""
import sys

import numpy as np

UPDATES = int(sys.argv[1]) if len(sys.argv) > 1 else 40000
LR = 0.5
rng = np.random.default_rng(1)
sizes = [2, 50, 50, 1]
W = [rng.standard_normal((a, b)) / np.sqrt(a) for a, b in zip(sizes[:-1], sizes[1:])]
B = [np.zeros(b) for b in sizes[1:]]
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
Y = np.array([[0], [1], [1], [0]], dtype=np.float64)


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for any finite z


order = np.arange(4)
for u in range(UPDATES):
    if u % 4 == 0:
        rng.shuffle(order)
    i = order[u % 4]
    a = [X[i]]
    for w, b in zip(W, B):
        a.append(sigmoid(a[-1] @ w + b))
    # MSE over the one output: d/d out of (out - y)^2 is 2 (out - y); sigmoid' = a (1 - a)
    delta = 2.0 * (a[-1] - Y[i]) * a[-1] * (1.0 - a[-1])
    for l in range(len(W) - 1, -1, -1):
        gw = np.outer(a[l], delta)
        gb = delta
        if l > 0:
            delta = (W[l] @ delta) * a[l] * (1.0 - a[l])
        W[l] -= LR * gw
        B[l] -= LR * gb

out = X
for w, b in zip(W, B):
    out = sigmoid(out @ w + b)
print("final_loss=%.6g" % float(np.mean((out - Y) ** 2)))
