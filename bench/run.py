#!/usr/bin/python3
"""run.py - gradlab's benchmark suite (started by bench/run.sh; see bench/README.md).

Runs gradlab and its references on the same workloads in this one invocation and prints
`name  gradlab  reference  ratio  target`, every figure the median of --runs runs (default 5).
Python references run with /usr/bin/python3 (Debian python3-torch, python3-numpy)."""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"
FASHION = "/usr/share/datasets/fashion-mnist"
MLP_PARAMS = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
MLP_SAMPLES = 60000
# gradlab's settings: (label, unused, environment)
GRADLAB_SETTINGS = [("gradlab C driver, BLAS default threads", None, {}),
                    ("gradlab C driver, OPENBLAS_NUM_THREADS=1", None, {"OPENBLAS_NUM_THREADS": "1"})]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Runner:
    def __init__(self, args):
        self.args, self.rows, self.notes = args, [], []
        self.tmp = tempfile.mkdtemp(prefix="gradlab-bench-")

    def run(self, cmd, env=None, check=True):
        """Run once under /usr/bin/time -v: (wall seconds, stdout, peak RSS in MB); the process
        CPU time (user + system seconds) is kept in self.last_cpu."""
        e = dict(os.environ)
        e["GRADLAB_PLOT"] = "0"  # figures are not part of the workloads (the references draw none)
        e.update(env or {})
        tfile = os.path.join(self.tmp, "time.txt")
        full = ["/usr/bin/time", "-v", "-o", tfile] + cmd
        t0 = time.perf_counter()
        p = subprocess.run(full, env=e, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        wall = time.perf_counter() - t0
        if p.returncode != 0 and check:
            raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
        rss = 0.0
        with open(tfile) as f:
            text = f.read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        if m:
            rss = int(m.group(1)) / 1024.0
        cpu = [float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([0-9.]+)", text)]
        self.last_cpu = sum(cpu) if len(cpu) == 2 else float("nan")
        return wall, p.stdout, rss

    def median(self, cmd, env=None, runs=None, key=None):
        """Median over runs of wall time (key None) or of a key=value printed by the command;
        also the median peak RSS and the last stdout."""
        vals, rsss, out = [], [], ""
        for _ in range(runs or self.args.runs):
            wall, out, rss = self.run(cmd, env)
            vals.append(wall if key is None else kv(out)[key])
            rsss.append(rss)
        return statistics.median(vals), statistics.median(rsss), out

    def gradlab_lua(self, script, sets=(), env=None, runs=None, cpu=False):
        """Median wall time (cpu: process CPU time) of `gradlab run bench/SCRIPT --set ...` (run
        folder in a temp dir)."""
        vals, rsss, out = [], [], ""
        for i in range(runs or self.args.runs):
            outdir = os.path.join(self.tmp, f"run-{script}-{i}")
            cmd = [self.args.gradlab, "run", os.path.join(HERE, script), "--out", outdir]
            for s in sets:
                cmd += ["--set", s]
            wall, out, rss = self.run(cmd, env)
            shutil.rmtree(outdir, ignore_errors=True)
            vals.append(self.last_cpu if cpu else wall)
            rsss.append(rss)
        return statistics.median(vals), statistics.median(rsss), out

    def row(self, name, g, ref, unit, target, note="", floor=None):
        """floor: a ratio below it cannot be true (e.g. statistics making a step faster): the
        row says NOISE instead of met."""
        ratio = g / ref if g is not None and ref else float("nan")
        self.rows.append((name, g, ref, ratio, unit, target, note, floor))
        ok = "" if target is None else status(ratio, target, floor)
        log(f"  {name}: gradlab {fmt(g)} {unit}, reference {fmt(ref)} {unit}, ratio {ratio:.3f} {ok}")

    def table(self):
        print()
        print(f"{'name':<26}{'gradlab':>12}{'reference':>12}{'ratio':>9}  {'unit':<5}{'target':>9}  "
              "status  reference / note")
        for name, g, ref, ratio, unit, target, note, floor in self.rows:
            tgt = "" if target is None else ("<= 1/%d" % round(1 / target) if target < 0.1
                                             else f"<= {target:g}")
            st = "" if target is None else status(ratio, target, floor)
            print(f"{name:<26}{fmt(g):>12}{fmt(ref):>12}{ratio:>9.3f}  {unit:<5}{tgt:>9}  {st:<6}  {note}")
        for n in self.notes:
            print("note:", n)


def status(ratio, target, floor=None):
    if floor is not None and ratio < floor:
        return "NOISE"
    return "met" if ratio <= target else "MISSED"


def best_setting(r, settings, measure):
    """settings: [(label, arg, env)]; measure(arg, env, runs) -> (value, extra). The first setting
    gets the full runs; every other is probed once and measured fully only when the probe is
    within 1.5x of the best so far (oversubscribed settings take minutes and cannot win)."""
    best = None
    for label, arg, env in settings:
        if best is not None:
            probe, _ = measure(arg, env, 1)
            if probe > 1.5 * best[0]:
                log(f"  {label}: {probe:.4g} in a probe run, > 1.5x the best: not measured further")
                continue
        val, extra = measure(arg, env, None)
        log(f"  {label}: {val:.4g} {extra}")
        if best is None or val < best[0]:
            best = (val, label, env, extra)
    return best


def fmt(v):
    if v is None:
        return "-"
    return f"{v:.4g}"


def kv(text):
    out = {}
    for m in re.finditer(r"(\w+)=([-+0-9.eEnaif]+)", text):
        try:
            out[m.group(1)] = float(m.group(2))
        except ValueError:
            pass
    return out


# ---------------------------------------------------------------------------------------------
def sgemm_rates(r):
    """{threads: (GFLOP/s at 1024^3, GFLOP/s at the MLP's shapes)}, the best of 5 runs: a limit
    is what the machine can do, and load only ever lowers the rate."""
    rates = {}
    for t in (1, 2):
        outs = [kv(r.run([r.args.sgemm], {"OPENBLAS_NUM_THREADS": str(t)})[1]) for _ in range(5)]
        rates[t] = (max(o["square_gflops"] for o in outs), max(o["mlp_gflops"] for o in outs))
        log(f"  sgemm {t} thread(s): {rates[t][0]:.1f} GFLOP/s (1024^3), {rates[t][1]:.1f} GFLOP/s "
            "(MLP step shapes)")
    return rates


def bench_seed_xor(r):
    log("seed_xor: [2,50,50,1] sigmoid, per-sample SGD, 40,000 updates (whole process)")
    g, _, out = r.gradlab_lua("seed_xor.lua")
    log(f"  gradlab run: {g:.3f} s ({out.strip()})")
    np_t, _, _ = r.median([PY, os.path.join(HERE, "seed_xor_numpy.py")])
    pt_t, _, _ = r.median([PY, os.path.join(HERE, "seed_xor_torch.py")], {"OPENBLAS_NUM_THREADS": "1"})
    r.row("seed_xor_vs_numpy", g, np_t, "s", 1 / 30, "numpy float64, whole process")
    r.row("seed_xor_vs_torch", g, pt_t, "s", 1 / 100, "PyTorch eager float32, 1 thread")
    if r.args.driver:
        c, _, out = r.median([r.args.driver, "xor"])
        d = kv(out)
        r.row("seed_xor_c_api", c, np_t, "s", 1 / 30,
              f"C driver whole process; train loop {d.get('us_per_update', 0):.2f} us/update")


def torch_mlp(r):
    """Best PyTorch setting: (epoch_s, label, env, (load_s, rss_MB))."""
    def measure(threads, env, runs):
        ep, rss, out = r.median([PY, os.path.join(HERE, "mlp_epoch_torch.py"), str(threads)], env,
                                runs=runs, key="epoch_s")
        return ep, (kv(out).get("load_s"), rss)
    return best_setting(r, [("PyTorch 1 thread, OPENBLAS_NUM_THREADS=1", 1, {"OPENBLAS_NUM_THREADS": "1"}),
                            ("PyTorch 2 threads", 2, {}),
                            ("PyTorch 2 threads, OPENBLAS_NUM_THREADS=1", 2, {"OPENBLAS_NUM_THREADS": "1"})],
                        measure)


def bench_mlp_epoch(r, rates):
    log("mlp_epoch: Fashion-MNIST 784-256-128-10 ReLU, CE, SGD 0.1, batch 64, one epoch")
    pt = torch_mlp(r)
    best = None
    for label, env in (("BLAS default threads", {}), ("OPENBLAS_NUM_THREADS=1", {"OPENBLAS_NUM_THREADS": "1"})):
        t1, rss1, out = r.gradlab_lua("mlp_epoch.lua", ["epochs=1"], env)
        t0, rss0, _ = r.gradlab_lua("mlp_epoch.lua", ["epochs=0"], env)
        log(f"  gradlab run ({label}): epochs=1 {t1:.3f} s, epochs=0 {t0:.3f} s -> epoch {t1 - t0:.3f} s,"
            f" peak RSS {rss1:.0f} MB ({out.strip()})")
        if best is None or t1 - t0 < best[0]:
            best = (t1 - t0, t0, rss1, label, env)
    r.row("mlp_epoch", best[0], pt[0], "s", 0.6, f"{pt[1]}; gradlab {best[3]}")
    flops = 6.0 * MLP_PARAMS * MLP_SAMPLES
    peak = max(rates[1][0], rates[2][0])
    limit = flops / (peak * 1e9)
    r.row("mlp_epoch_vs_sgemm_limit", best[0], limit, "s", 1.3,
          f"6*{MLP_PARAMS}*{MLP_SAMPLES} FLOP at {peak:.0f} GFLOP/s (best-of-5 1024^3 sgemm)")
    shape_rate = max(rates[1][1], rates[2][1])
    step_flops = 2.0 * 64 * (784 * 256 * 2 + 256 * 128 * 3 + 128 * 10 * 3)  # no dL/dx for the input
    r.row("mlp_epoch_vs_gemm_shapes", best[0], step_flops * MLP_SAMPLES / 64 / (shape_rate * 1e9), "s",
          None, f"the step's own GEMMs at their measured rate ({shape_rate:.0f} GFLOP/s)")
    r.row("mlp_peak_rss", best[2], pt[3][1], "MB", 0.25, "whole process, /usr/bin/time -v")
    r.row("mlp_data_load", best[1], pt[3][0], "s", None,
          "gradlab: whole epochs=0 process (start+load+build); PyTorch: in-process load")
    if r.args.driver:
        def measure(_, env, runs):
            ep, _, out = r.median([r.args.driver, "mlp", "0"], env, runs=runs, key="epoch_s")
            return ep, f"load {kv(out).get('load_s', 0):.3f} s"
        c = best_setting(r, GRADLAB_SETTINGS, measure)
        r.row("mlp_epoch_c_api", c[0], pt[0], "s", 0.6, f"in process; {c[1]}; {c[3]}")
    return best


def bench_stats_overhead(r, mlp_best):
    """Statistics every step vs never, the runs interleaved so that load drifts hit both. Process
    CPU time with one BLAS thread: wall-time differences of whole processes on a shared machine
    once gave statistics a 25% speed-up (ratio 0.75, 'met'); a ratio below 0.98 says NOISE."""
    log("stats_overhead: mlp_epoch with statistics every step vs never (interleaved runs, "
        "process CPU time, 1 BLAS thread)")
    env = dict(mlp_best[4]) if mlp_best else {}
    env["OPENBLAS_NUM_THREADS"] = "1"  # CPU time of a 2-thread BLAS counts its spinning too
    on, off, base = [], [], []
    for _ in range(r.args.runs):
        off.append(r.gradlab_lua("mlp_epoch.lua", ["epochs=1", "record_every=0"], env, runs=1,
                                 cpu=True)[0])
        on.append(r.gradlab_lua("mlp_epoch.lua", ["epochs=1", "record_every=1"], env, runs=1,
                                cpu=True)[0])
        base.append(r.gradlab_lua("mlp_epoch.lua", ["epochs=0"], env, runs=1, cpu=True)[0])
    b = statistics.median(base)
    r.row("stats_overhead", statistics.median(on) - b, statistics.median(off) - b, "s", 1.05,
          "epoch CPU time, record_every=1 / record_every=0 (gradlab run, 1 BLAS thread)",
          floor=0.98)
    if r.args.driver:
        on, off = [], []
        for _ in range(r.args.runs):
            off.append(kv(r.run([r.args.driver, "mlp", "0"], env)[1])["epoch_s"])
            on.append(kv(r.run([r.args.driver, "mlp", "1"], env)[1])["epoch_s"])
        r.row("stats_overhead_c_api", statistics.median(on), statistics.median(off), "s", 1.05,
              "in-process epoch time, record_every=1 / 0 (C driver)", floor=0.98)


def bench_lstm_step(r):
    log("lstm_step: adding T=100, batch 32, hidden 128, Adam: time per training step")
    # (torch 2 threads with OpenBLAS's own 2 threads oversubscribes the 2 cores: > 40x slower
    # per step here, minutes per run — not measured.)
    def measure(threads, env, runs):
        ms, _, _ = r.median([PY, os.path.join(HERE, "lstm_step_torch.py"), str(threads)], env,
                            runs=runs, key="step_ms")
        return ms, "ms/step"
    best = best_setting(r, [("PyTorch 1 thread, OPENBLAS_NUM_THREADS=1", 1, {"OPENBLAS_NUM_THREADS": "1"}),
                            ("PyTorch 2 threads, OPENBLAS_NUM_THREADS=1", 2, {"OPENBLAS_NUM_THREADS": "1"})],
                        measure)
    gbest = None
    s1, s2 = 5, 45
    for label, env in (("BLAS default threads", {}), ("OPENBLAS_NUM_THREADS=1", {"OPENBLAS_NUM_THREADS": "1"})):
        t2, _, _ = r.gradlab_lua("lstm_step.lua", [f"steps={s2}"], env)
        t1, _, _ = r.gradlab_lua("lstm_step.lua", [f"steps={s1}"], env)
        ms = (t2 - t1) / (s2 - s1) * 1e3
        log(f"  gradlab run ({label}): {ms:.2f} ms/step (({t2:.3f} - {t1:.3f}) s / {s2 - s1} steps)")
        if gbest is None or ms < gbest[0]:
            gbest = (ms, label, env)
    r.row("lstm_step", gbest[0], best[0], "ms", 0.5, f"nn.LSTM, {best[1]}; gradlab {gbest[1]}")
    if r.args.driver:
        def measure_c(_, env, runs):
            ms, _, _ = r.median([r.args.driver, "lstm", "40"], env, runs=runs, key="step_ms")
            return ms, "ms/step"
        c = best_setting(r, GRADLAB_SETTINGS, measure_c)
        r.row("lstm_step_c_api", c[0], best[0], "ms", 0.5, f"in process; {c[1]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--gradlab", default=os.path.join(ROOT, "build", "gradlab"))
    ap.add_argument("--sgemm", required=True, help="the compiled bench/sgemm_rate.c")
    ap.add_argument("--driver", help="the compiled bench/gradlab_bench.c (optional)")
    ap.add_argument("--only", default="seed_xor,mlp_epoch,stats_overhead,lstm_step")
    args = ap.parse_args()
    r = Runner(args)
    only = set(args.only.split(","))
    load_before = os.getloadavg()[0]
    try:
        log("sgemm rate of this machine")
        rates = sgemm_rates(r)
        r.notes.append(f"sgemm GFLOP/s: 1 thread {rates[1][0]:.0f} (1024^3) / {rates[1][1]:.0f} (MLP "
                       f"shapes); 2 threads {rates[2][0]:.0f} / {rates[2][1]:.0f}")
        if os.environ.get("OPENBLAS_CORETYPE"):
            r.notes.append(f"OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} for every process "
                           "(gradlab and references)")
        mlp_best = None
        for name in ("seed_xor", "mlp_epoch", "stats_overhead", "lstm_step"):
            if name not in only:
                continue
            try:
                if name == "seed_xor":
                    bench_seed_xor(r)
                elif name == "mlp_epoch":
                    mlp_best = bench_mlp_epoch(r, rates)
                elif name == "stats_overhead":
                    bench_stats_overhead(r, mlp_best)
                elif name == "lstm_step":
                    bench_lstm_step(r)
            except Exception as e:  # keep going: report what could be measured
                log(f"  {name}: FAILED: {e}")
                r.notes.append(f"{name}: failed: {str(e).splitlines()[0]}")
    finally:
        shutil.rmtree(r.tmp, ignore_errors=True)
    r.notes.append(f"load average (1 min) {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at "
                   f"the end, on {os.cpu_count()} CPUs: figures are only comparable on an idle machine")
    r.table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
