#!/usr/bin/python3
"""make_fixtures.py - write gradlab's PyTorch reference fixtures (tests/reference/fixtures/*.txt).

Run with Debian's python (it has python3-torch and python3-numpy):

    /usr/bin/python3 tests/reference/make_fixtures.py [--out DIR] [--calibrate]

Every case is computed by PyTorch in float64 from weights and inputs that are exactly
representable in float32 (so the float build of gradlab starts from the same numbers).
The file format is described in FORMAT.md. --calibrate also runs every case in float32 and
prints the relative error (as test_reference.c measures it) that float arithmetic alone gives,
which is what the float build's tolerance has to allow.

Parameter layouts are gradlab's (LUA_API.md), not torch's:
  dense      weight [inputs][outputs] = nn.Linear.weight^T, bias [outputs]
  rnn        w_x [inputs][H] = weight_ih^T, w_h [H][H] = weight_hh^T, bias = bias_ih (bias_hh = 0)
  lstm       w_x [inputs][4H], w_h [H][4H], bias [4H] (bias_hh = 0); gate blocks i, f, g, o
  batchnorm  gamma, beta, buffers running_mean, running_var
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn

FORMAT_VERSION = 1


# ---------------------------------------------------------------------------------------------
# Random values that are exact in float32
# ---------------------------------------------------------------------------------------------
class Gen:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def normal(self, shape, std=1.0):
        return (self.rng.standard_normal(shape) * std).astype(np.float32).astype(np.float64)

    def uniform(self, shape, lo, hi):
        return self.rng.uniform(lo, hi, shape).astype(np.float32).astype(np.float64)

    def labels(self, n, k):
        return self.rng.integers(0, k, n).astype(np.float64)


# ---------------------------------------------------------------------------------------------
# Layer specs -> torch modules that hold gradlab-layout views of their parameters
# ---------------------------------------------------------------------------------------------
class Layer:
    """One gradlab layer spec and its torch twin. path is '1', '3.2', ...; cfg the gradlab options."""

    def __init__(self, path, type_, cfg, children=()):
        self.path, self.type, self.cfg, self.children = path, type_, dict(cfg), list(children)
        self.mod = None

    # build the torch module from gradlab-layout arrays in `params` (dict name -> ndarray)
    def build(self, gen, dtype):
        c = self.cfg
        if self.type == "dense":
            m = nn.Linear(c["inputs"], c["outputs"], bias=c.get("bias", True))
        elif self.type == "batchnorm":
            m = nn.BatchNorm1d(c["features"], momentum=c.get("momentum", 0.1), eps=c.get("eps", 1e-5))
        elif self.type == "rnn":
            m = nn.RNN(c["inputs"], c["hidden"], nonlinearity="tanh")
        elif self.type == "lstm":
            m = nn.LSTM(c["inputs"], c["hidden"])
        elif self.type == "sigmoid":
            m = nn.Sigmoid()
        elif self.type == "tanh":
            m = nn.Tanh()
        elif self.type == "relu":
            m = nn.ReLU()
        elif self.type == "residual":
            m = nn.ModuleList()
            for ch in self.children:
                ch.build(gen, dtype)
                m.append(ch.mod)
        else:
            raise ValueError(self.type)
        self.mod = m.to(dtype)
        return m

    def forward(self, x):
        c = self.cfg
        if self.type == "residual":
            y = x
            for ch in self.children:
                y = ch.forward(y)
            return x + y
        if self.type in ("rnn", "lstm"):
            seq, _ = self.mod(x)
            return seq if c.get("return_sequence", False) else seq[-1]
        return self.mod(x)

    # gradlab name -> (getter of torch tensor in gradlab layout, setter from gradlab layout)
    def param_map(self):
        m, t = self.mod, self.type
        if t == "dense":
            pm = {"weight": (m.weight, True)}
            if m.bias is not None:
                pm["bias"] = (m.bias, False)
            return pm
        if t == "batchnorm":
            return {"gamma": (m.weight, False), "beta": (m.bias, False)}
        if t in ("rnn", "lstm"):
            return {"w_x": (m.weight_ih_l0, True), "w_h": (m.weight_hh_l0, True),
                    "bias": (m.bias_ih_l0, False)}
        return {}

    def buffer_map(self):
        if self.type == "batchnorm":
            return {"running_mean": self.mod.running_mean, "running_var": self.mod.running_var}
        return {}

    def init_params(self, gen):
        """Draw gradlab-layout values, load them into torch; returns {name: ndarray}."""
        c, out = self.cfg, {}
        if self.type == "dense":
            fi, fo = c["inputs"], c["outputs"]
            out["weight"] = gen.normal((fi, fo), 1.0 / np.sqrt(fi))
            if c.get("bias", True):
                out["bias"] = gen.normal((fo,), 0.3)
        elif self.type == "batchnorm":
            f = c["features"]
            out["gamma"] = gen.uniform((f,), 0.5, 1.5)
            out["beta"] = gen.normal((f,), 0.2)
        elif self.type in ("rnn", "lstm"):
            k = 4 if self.type == "lstm" else 1
            fi, h = c["inputs"], c["hidden"]
            out["w_x"] = gen.normal((fi, k * h), 1.0 / np.sqrt(fi))
            out["w_h"] = gen.normal((h, k * h), 0.9 / np.sqrt(h))
            b = gen.normal((k * h,), 0.2)
            if self.type == "lstm":
                b[h:2 * h] += 1.0  # a forget bias, as gradlab's forget_bias=1 default would set
            out["bias"] = b
        pm = self.param_map()
        with torch.no_grad():
            for name, v in out.items():
                tt, transposed = pm[name]
                tt.copy_(torch.from_numpy(v.T.copy() if transposed else v))
            if self.type in ("rnn", "lstm"):
                self.mod.bias_hh_l0.zero_()
                self.mod.bias_hh_l0.requires_grad_(False)  # gradlab has one bias: fold into bias_ih
        return out

    def read(self, what):
        """{name: ndarray in gradlab layout} of 'param', 'grad' or 'buffer'."""
        res = {}
        if what == "buffer":
            for name, b in self.buffer_map().items():
                res[name] = b.detach().double().numpy().copy()
            return res
        for name, (tt, transposed) in self.param_map().items():
            v = tt if what == "param" else tt.grad
            a = v.detach().double().numpy()
            res[name] = (a.T if transposed else a).copy()
        return res

    def all_layers(self):
        yield self
        for ch in self.children:
            yield from ch.all_layers()


def cfg_text(cfg):
    def val(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return repr(v) if isinstance(v, float) else str(v)
    return " ".join(f"{k}={val(v)}" for k, v in cfg.items())


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
class Fixture:
    def __init__(self, name, doc):
        self.name, self.lines = name, [f"gradlab-fixture {FORMAT_VERSION}", f"# {doc}", f"case {name}"]

    def line(self, s):
        self.lines.append(s)

    def tensor(self, name, a):
        a = np.asarray(a, dtype=np.float64)
        dims = " ".join(str(d) for d in a.shape)
        self.lines.append(f"tensor {name} {a.ndim} {dims}".rstrip())
        flat = a.reshape(-1)
        for i in range(0, flat.size, 6):
            self.lines.append(" ".join("%.17g" % v for v in flat[i:i + 6]))

    def text(self):
        return "\n".join(self.lines) + "\n"


# ---------------------------------------------------------------------------------------------
# A case: layers, loss, optional optimizer, per-step data
# ---------------------------------------------------------------------------------------------
def loss_fn(kind, out, target):
    if kind == "mse":
        return nn.functional.mse_loss(out, target)
    if kind == "cross_entropy":
        return nn.functional.cross_entropy(out, target.long())
    if kind == "bce":
        return nn.functional.binary_cross_entropy_with_logits(out, target)
    raise ValueError(kind)


def make_optimizer(spec, params):
    t, c = spec
    if t == "sgd":
        return torch.optim.SGD(params, lr=c["lr"])
    if t == "momentum":
        return torch.optim.SGD(params, lr=c["lr"], momentum=c["momentum"], nesterov=c["nesterov"])
    if t == "adam":
        return torch.optim.Adam(params, lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=c["eps"])
    if t == "rmsprop":
        return torch.optim.RMSprop(params, lr=c["lr"], alpha=c["alpha"], eps=c["eps"])
    raise ValueError(t)


def run_case(case, dtype, gen_seed):
    """Run a case description in torch with the given dtype; return a dict of named results."""
    gen = Gen(gen_seed)
    layers = case["layers"]()
    for l in layers:
        l.build(gen, dtype)
    init = {}
    for top in layers:
        for l in top.all_layers():
            for n, v in l.init_params(gen).items():
                init[f"{l.path}.{n}"] = v
            for n, v in l.read("buffer").items():
                init[f"{l.path}.{n}"] = v
    res = {"init": init, "steps": []}
    params = [p for top in layers for l in top.all_layers() for p in
              [tt for tt, _ in l.param_map().values()]]
    opt = make_optimizer(case["optim"], params) if case.get("optim") else None
    for l in layers:
        l.mod.train()
    for k in range(case.get("steps", 1)):
        x, y = case["data"](gen, k)
        xt = torch.tensor(x, dtype=dtype, requires_grad=True)
        yt = torch.tensor(y, dtype=torch.float64 if case["loss"] == "cross_entropy" else dtype)
        for p in params:
            p.grad = None
        h = xt
        for l in layers:
            h = l.forward(h)
        loss = loss_fn(case["loss"], h, yt)
        loss.backward()
        st = {"input": x, "target": y, "output": h.detach().double().numpy().copy(),
              "loss": np.array(loss.item()), "input_grad": xt.grad.double().numpy().copy(),
              "grad": {}, "after": {}}
        for top in layers:
            for l in top.all_layers():
                for n, v in l.read("grad").items():
                    st["grad"][f"{l.path}.{n}"] = v
        if opt is not None:
            clip = case["optim"][1].get("clip_norm")
            if clip:
                norm = torch.nn.utils.clip_grad_norm_(params, clip)
                st["grad_norm"] = np.array(float(norm))
            opt.step()
        for top in layers:
            for l in top.all_layers():
                for n, v in list(l.read("param").items()) + list(l.read("buffer").items()):
                    st["after"][f"{l.path}.{n}"] = v
        res["steps"].append(st)
    if case.get("eval"):
        for l in layers:
            l.mod.eval()
        x = case["eval"](gen)
        with torch.no_grad():
            h = torch.tensor(x, dtype=dtype)
            for l in layers:
                h = l.forward(h)
        res["eval"] = (x, h.double().numpy().copy())
    return res


def write_case(name, case, outdir):
    r = run_case(case, torch.float64, case["seed"])
    fx = Fixture(name, case["doc"])
    fx.line(f"loss {case['loss']}")
    fx.line(f"steps {case.get('steps', 1)}")
    if case.get("optim"):
        t, c = case["optim"]
        fx.line(f"optim {t} {cfg_text(c)}")

    def emit_layers(ls):
        for l in ls:
            fx.line(f"layer {l.path} {l.type} {cfg_text(l.cfg)}".rstrip())
            emit_layers(l.children)
    emit_layers(case["layers"]())
    for n, v in r["init"].items():
        fx.tensor(f"init.{n}", v)
    for k, st in enumerate(r["steps"], 1):
        fx.tensor(f"step{k}.input", st["input"])
        fx.tensor(f"step{k}.{'labels' if case['loss'] == 'cross_entropy' else 'target'}", st["target"])
        fx.tensor(f"step{k}.output", st["output"])
        fx.tensor(f"step{k}.loss", st["loss"])
        fx.tensor(f"step{k}.input_grad", st["input_grad"])
        for n, v in st["grad"].items():
            fx.tensor(f"step{k}.grad.{n}", v)
        if "grad_norm" in st:
            fx.tensor(f"step{k}.grad_norm", st["grad_norm"])
        if case.get("optim"):
            for n, v in st["after"].items():
                fx.tensor(f"step{k}.after.{n}", v)
    if "eval" in r:
        fx.tensor("eval.input", r["eval"][0])
        fx.tensor("eval.output", r["eval"][1])
    path = os.path.join(outdir, name + ".txt")
    with open(path, "w") as f:
        f.write(fx.text())
    return r


# ---------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------
def mlp(*spec):
    """mlp(('dense', dict), ('sigmoid', {}), ...) -> layer list with paths 1, 2, ..."""
    out = []
    for i, s in enumerate(spec, 1):
        out.append(s(str(i)) if callable(s) else Layer(str(i), s[0], s[1]))
    return out


def D(i, o):
    return ("dense", {"inputs": i, "outputs": o})


def regression_data(B, F, O, scale=1.0):
    return lambda gen, k: (gen.normal((B, F)), gen.normal((B, O), scale))


def seq_data(T, B, F, O):
    return lambda gen, k: (gen.normal((T, B, F)), gen.normal((B, O)))


def small_tanh_mlp():
    return mlp(D(3, 5), ("tanh", {}), D(5, 2))


def optimizer_case(t, cfg, seed):
    # Targets ~1e5 make the global gradient norm > 1e4 before clipping, so torch's
    # clip coefficient max_norm/(norm + 1e-6) equals max_norm/norm to < 1e-10 relative.
    cfg = dict(cfg, clip_norm=1.0)
    return {"doc": f"three {t} steps with clip_norm=1 (torch.nn.utils.clip_grad_norm_), "
                   f"dense-tanh-dense, MSE", "seed": seed, "loss": "mse",
            "layers": small_tanh_mlp, "optim": (t, cfg), "steps": 3,
            "data": lambda gen, k: (gen.normal((4, 3)), np.round(gen.normal((4, 2), 1e5)))}


CASES = {
    "mlp_sigmoid_mse": {
        "doc": "sigmoid MLP 3-5-4-2, MSE, batch 6", "seed": 1, "loss": "mse",
        "layers": lambda: mlp(D(3, 5), ("sigmoid", {}), D(5, 4), ("sigmoid", {}), D(4, 2)),
        "data": regression_data(6, 3, 2)},
    "mlp_relu_xent": {
        "doc": "ReLU MLP 4-8-6-3, softmax cross-entropy with integer labels, batch 7",
        "seed": 2, "loss": "cross_entropy",
        "layers": lambda: mlp(D(4, 8), ("relu", {}), D(8, 6), ("relu", {}), D(6, 3)),
        "data": lambda gen, k: (gen.normal((7, 4)), gen.labels(7, 3))},
    "mlp_tanh_bce": {
        "doc": "tanh MLP 3-6-4, binary cross-entropy from logits (soft and hard targets), batch 5",
        "seed": 3, "loss": "bce",
        "layers": lambda: mlp(D(3, 6), ("tanh", {}), D(6, 4)),
        "data": lambda gen, k: (gen.normal((5, 3)),
                                np.where(gen.uniform((5, 4), 0, 1) < 0.3, gen.uniform((5, 4), 0, 1),
                                         np.round(gen.uniform((5, 4), 0, 1))))},
    "mlp_batchnorm": {
        "doc": "dense-batchnorm-relu-dense, MSE, batch 8, training mode; three SGD(lr 0.1) steps "
               "on new batches, running statistics after each, then an eval-mode forward",
        "seed": 4, "loss": "mse", "steps": 3, "optim": ("sgd", {"lr": 0.1}),
        "layers": lambda: mlp(("dense", {"inputs": 4, "outputs": 6, "bias": False}), ("batchnorm", {"features": 6, "momentum": 0.1, "eps": 1e-5}),
                              ("relu", {}), D(6, 2)),
        "data": lambda gen, k: (gen.normal((8, 4)) + 0.5, gen.normal((8, 2))),
        "eval": lambda gen: gen.normal((5, 4))},
    "mlp_residual": {
        "doc": "dense-tanh-residual{dense-relu-dense}-dense, MSE, batch 5 (skip around two layers)",
        "seed": 5, "loss": "mse",
        "layers": lambda: mlp(D(3, 6), ("tanh", {}),
                              lambda p: Layer(p, "residual", {}, [
                                  Layer(p + ".1", "dense", {"inputs": 6, "outputs": 6}),
                                  Layer(p + ".2", "relu", {}),
                                  Layer(p + ".3", "dense", {"inputs": 6, "outputs": 6})]),
                              D(6, 2)),
        "data": regression_data(5, 3, 2)},
    "rnn_tanh": {
        "doc": "tanh RNN 3->8 over T=20, batch 4, last step -> dense 8-2, MSE",
        "seed": 6, "loss": "mse",
        "layers": lambda: mlp(("rnn", {"inputs": 3, "hidden": 8, "return_sequence": False}), D(8, 2)),
        "data": seq_data(20, 4, 3, 2)},
    "lstm": {
        "doc": "LSTM 3->6 over T=20, batch 4, last step -> dense 6-1, MSE (gates i, f, g, o)",
        "seed": 7, "loss": "mse",
        "layers": lambda: mlp(("lstm", {"inputs": 3, "hidden": 6, "return_sequence": False}), D(6, 1)),
        "data": seq_data(20, 4, 3, 1)},
    "lstm_sequence": {
        "doc": "LSTM 2->5 over T=20, batch 3, return_sequence=true, MSE against a [T][B][H] target",
        "seed": 8, "loss": "mse",
        "layers": lambda: mlp(("lstm", {"inputs": 2, "hidden": 5, "return_sequence": True})),
        "data": lambda gen, k: (gen.normal((20, 3, 2)), gen.normal((20, 3, 5), 0.5))},
    "optim_sgd": optimizer_case("sgd", {"lr": 0.1}, 11),
    "optim_momentum": optimizer_case("momentum", {"lr": 0.1, "momentum": 0.9, "nesterov": False}, 12),
    "optim_nesterov": optimizer_case("momentum", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, 13),
    "optim_adam": optimizer_case("adam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, 14),
    "optim_rmsprop": optimizer_case("rmsprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}, 15),
}


# ---------------------------------------------------------------------------------------------
# Calibration: how far float32 arithmetic alone lands from float64 (test_reference.c's measure)
# ---------------------------------------------------------------------------------------------
def rel_err(a, b, floor=None):
    floor = FLOOR if floor is None else floor
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    if b.size == 0:
        return 0.0
    den = np.maximum(np.abs(b), floor * max(np.abs(b).max(), 1e-300))
    return float((np.abs(a - b) / den).max())


FLOOR = 1e-2  # same as test_reference.c


def calibrate(name, case, r64):
    r32 = run_case(case, torch.float32, case["seed"])
    worst = 0.0
    for s64, s32 in zip(r64["steps"], r32["steps"]):
        for key in ("output", "loss", "input_grad"):
            worst = max(worst, rel_err(s32[key], s64[key]))
        for n in s64["grad"]:
            worst = max(worst, rel_err(s32["grad"][n], s64["grad"][n]))
        for n in s64["after"]:
            worst = max(worst, rel_err(s32["after"][n], s64["after"][n]))
    if "eval" in r64:
        worst = max(worst, rel_err(r32["eval"][1], r64["eval"][1]))
    return worst


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "fixtures"))
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    for name, case in CASES.items():
        if args.cases and name not in args.cases:
            continue
        r = write_case(name, case, args.out)
        msg = f"{name:18s} loss {float(r['steps'][0]['loss']):.6g}"
        if "grad_norm" in r["steps"][0]:
            msg += f"  grad_norm {float(r['steps'][0]['grad_norm']):.4g}"
        if args.calibrate:
            msg += f"  float32 rel err {calibrate(name, case, r):.2e}"
        print(msg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
