"""The robust fit beside the ICML fit: time against floor at scale, memory,
and the ratio on the default problem.

Run: ``python3 benchmarks/bench_robust_scale.py [--n N] [--repeat R] [--skip-default]``
(``--screen-only``: the screen alone at ``--n``, best of ``--repeat`` in CPU
time beside its floor — the stage is short, so its best of several is far
steadier on a shared machine than a stage time of one whole fit)
(one BLAS thread is set here; ``--n`` tasks in each light pool, light1
t = 2, light2 t = 8, heavy 400 tasks of 128, d = 32, k = 4).

**Floors** (measured in the same process, see ``bench_scale.py``): the ICML
fit's floor is one read of each pool plus the products its stages cannot
avoid (XᵀX of L1 and of L2, X W̃ of L2, the heavy products of H). The
robust fit has the same passes but the refinement's (its regression filter
replaces it), plus

* the screen: one pass over every pool computing ‖x_j‖² (a robust scale
  and a plausibility test need every example once);
* the light1 filter: the Gram matrix ZᵀZ of the task statistics and one
  projection Z U per filter round the fit needed (the fitted model's
  ``diagnostics_``; one on clean data — the stopping rule is met at once);
* the regression filter: per round, the Gram matrix of L2 and one product
  X w over it (the components partition L2; one round on clean data; the
  first round's Gram matrix is the refinement's of the ICML floor).

**Stages.** Each stage of the robust fit is printed beside its floor, in
wall and CPU seconds: the screen against its pass over every pool; the
subspace stage against the L1 Gram matrix plus the light1 filter's; the
clustering against the heavy products; classification and regression
(one stage clock) against L2's X W̃ plus the regression filter's. The stage
CPU times come from one more fit whose stage clock reads the process's CPU
time (``time.process_time``) instead of the wall clock.

**Memory.** The robust fit runs once more in a child process: the peak
resident set is reset after the pools are generated (Linux
``/proc/self/clear_refs``), so the printed peak is the fit's own, and it is
given above the data's bytes (target ≤ +0.5× the data).

**Default problem** (``robust-mlr demo``): ``MetaLearner.fit`` and
``MetaLearner.robust(k, 0.05).fit``, best of ``--repeat``, and their ratio
(target ≤ 3); the robust fit's stage clocks, and the time outside them (the
covariate isotropy test, which the ICML fit runs too, validation and the
closing checks: the stages and the rest sum to the fit), in wall time of the
best fit and in CPU time of one more.

CPU times (user + system of this process) are printed beside wall times:
on a shared machine they are the comparable figure.
"""

import argparse
import os
import subprocess
import sys
import time
import types
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

import robust_mlr.estimator as estimator_module
from bench_scale import D, K, heavy_floor
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM
from robust_mlr.stages.clustering import default_splits


def timed(fn, repeat):
    """(best wall, CPU time of that run, its result)."""
    best = (np.inf, 0.0, None)
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        best = min(best, (time.perf_counter() - w0, time.process_time() - c0, out),
                   key=lambda b: b[0])
    return best


class Floor:
    """A floor in wall and CPU seconds (each the best of its repeats)."""

    def __init__(self, wall=0.0, cpu=0.0):
        self.wall, self.cpu = wall, cpu

    def __add__(self, other):
        return Floor(self.wall + other.wall, self.cpu + other.cpu)

    def __sub__(self, other):
        return Floor(self.wall - other.wall, self.cpu - other.cpu)

    def __rmul__(self, r):
        return Floor(r * self.wall, r * self.cpu)


def floor_of(fn, repeat):
    """The fastest wall and the fastest CPU time of ``fn`` over ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return Floor(min(walls), min(cpus))


def read(data):
    return data.X.sum() + data.y.sum()


def pool_floor(data, fn, repeat, rows=1 << 14):
    """One read of the pool plus ``fn`` over X, the faster of one call on all
    rows and calls on cache-sized row blocks (``bench_scale.product_floor``)."""
    whole = floor_of(lambda: fn(data.X), repeat)
    parts = floor_of(lambda: [fn(data.X[s:s + rows]) for s in range(0, data.n_examples, rows)],
                     repeat)
    r = floor_of(lambda: read(data), repeat)
    return r + Floor(min(whole.wall, parts.wall), min(whole.cpu, parts.cpu))


def fit(make, pools):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make().fit(pools)


def stage_cpu(make, pools, total=False):
    """Per-stage CPU seconds of one fit: the fit's stage clock read as the
    process's CPU time instead of the wall clock (``total``: and the whole
    fit's CPU seconds)."""
    clock = estimator_module.time
    estimator_module.time = types.SimpleNamespace(perf_counter=time.process_time)
    try:
        c0 = time.process_time()
        model = fit(make, pools)
        whole = time.process_time() - c0
    finally:
        estimator_module.time = clock
    return (stage_times(model), whole) if total else stage_times(model)


def stage_line(stages, whole):
    """The stage clocks and the time outside them (the covariate isotropy
    test or whitening, validation, the closing checks), summing to ``whole``."""
    rest = whole - sum(stages.values())
    return (", ".join(f"{s} {v:.3f} s" for s, v in stages.items())
            + f", outside the stage clocks {rest:.3f} s (= total {whole:.3f} s)")


def stage_times(model):
    d = model.diagnostics_
    return {s: d[s]["time"] for s in d if isinstance(d[s], dict) and "time" in d[s]}


def scale_pools(n):
    theta = make_params(D, K, rng=0)
    return make_pools(theta, n, 2, 400, 128, n, 8, rng=1)


def rounds(model):
    """Filter rounds the robust fit needed: light1 (the chosen run) and the
    largest over the regression components."""
    d = model.diagnostics_
    reg = [c.get("iterations", 1) for c in d["regression"].get("components", [])]
    return d["subspace"].get("iterations", 1), max(reg, default=1)


def robust_floor(pools, r_sub, r_reg, repeat):
    """The passes the robust fit adds to the ICML floor (see the module text)."""
    L1, L2 = pools.light1, pools.light2
    Z = np.random.default_rng(0).standard_normal((L1.n_tasks, D))
    U = np.linalg.qr(Z[:D].T)[0][:, :K]

    rows = 1 << 14

    def screen():
        for p in (L1, pools.heavy, L2):
            for s in range(0, p.n_examples, rows):
                Xb = p.X[s:s + rows]
                np.einsum("ij,ij->i", Xb, Xb)
            p.y.sum()
    f_screen = floor_of(screen, repeat)
    f_filter = floor_of(lambda: (Z.T @ Z, [Z @ U for _ in range(r_sub)]), repeat)
    w = np.ones(D)
    f_reg = r_reg * (pool_floor(L2, lambda X: X.T @ X, repeat)
                     + floor_of(lambda: L2.X @ w, repeat))
    return f_screen, f_filter, f_reg


def line(name, wall, cpu, floor):
    print(f"  {name:<36s} {wall:7.3f} s (CPU {cpu:7.3f} s)   floor {floor.wall:6.3f} s "
          f"(CPU {floor.cpu:6.3f} s)   ratio {wall / floor.wall:5.2f} (CPU {cpu / floor.cpu:5.2f})")


def scale(n, repeat):
    pools = scale_pools(n)
    gb = sum(p.X.nbytes + p.y.nbytes for p in (pools.light1, pools.heavy, pools.light2)) / 1e9
    print(f"scale: {n} tasks per light pool (light1 t=2, light2 t=8), heavy 400 x 128, "
          f"d={D}, k={K}: {gb:.2f} GB; best of {repeat}, one BLAS thread; "
          f"load average {os.getloadavg()[0]:.1f}")
    theta = make_params(D, K, rng=0)
    L1, H, L2 = pools.light1, pools.heavy, pools.light2
    f_sub = pool_floor(L1, lambda X: X.T @ X, repeat)
    f_cls = pool_floor(L2, lambda X: X @ theta.W, repeat)
    f_ref = pool_floor(L2, lambda X: X.T @ X, repeat)
    f_clu = floor_of(lambda: heavy_floor(H, np.linalg.qr(theta.W)[0],
                                         default_splits(int(H.sizes.min()))), repeat)
    f_icml = f_sub + f_clu + f_cls + f_ref
    t_i, c_i, icml = timed(lambda: fit(lambda: MetaLearner(K, rng=0), pools), repeat)
    robust = lambda: MetaLearner.robust(K, 0.05, rng=0)      # noqa: E731
    t_r, c_r, rob = timed(lambda: fit(robust, pools), repeat)
    cpu_stages = stage_cpu(robust, pools)
    r_sub, r_reg = rounds(rob)
    f_screen, f_filter, f_reg = robust_floor(pools, r_sub, r_reg, repeat)
    f_rob = f_icml - f_ref + f_screen + f_filter + f_reg
    print(f"  floors (wall): ICML {f_icml.wall:.3f} s (L1 Gram {f_sub.wall:.3f}, heavy "
          f"{f_clu.wall:.3f}, L2 X W {f_cls.wall:.3f}, L2 Gram {f_ref.wall:.3f}); robust adds "
          f"screen {f_screen.wall:.3f}, light1 filter ({r_sub} round) {f_filter.wall:.3f}, "
          f"regression filter ({r_reg} round) {f_reg.wall:.3f}")
    line("MetaLearner.fit", t_i, c_i, f_icml)
    print("    stages (wall): " + ", ".join(f"{s} {v:.3f} s" for s, v in stage_times(icml).items()))
    line("MetaLearner.robust(alpha=0.05).fit", t_r, c_r, f_rob)
    walls = stage_times(rob)
    stage_floor = {"screen": f_screen, "subspace": f_sub + f_filter, "clustering": f_clu,
                   "regression": f_cls + f_reg}
    names = {"screen": "screen (all pools)", "subspace": "subspace filter (light1)",
             "clustering": "clustering (heavy)",
             "regression": "classification + regression (light2)"}
    for s, fl in stage_floor.items():
        line("  " + names[s], walls[s], cpu_stages[s], fl)
    print("    (stage CPU times from one more fit, its stage clock reading CPU time)")
    print(f"  load average at the end {os.getloadavg()[0]:.1f}")


def screen_only(n, repeat):
    """The screen (``screen_pools``) alone: best wall and best CPU of
    ``repeat`` calls, beside its floor (the norms pass over every pool)."""
    from robust_mlr.stages.screening import screen_pools
    pools = scale_pools(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = floor_of(lambda: screen_pools(pools, 0.05), repeat)
    fl = robust_floor(pools, 1, 1, repeat)[0]
    line(f"screen alone, {n} tasks per light pool", f.wall, f.cpu, fl)
    print(f"    (best of {repeat}; load average {os.getloadavg()[0]:.1f})")


_CHILD = """
import sys, warnings
sys.path.insert(0, {bench!r})
from bench_robust_scale import fit, scale_pools
from robust_mlr import MetaLearner
from threadpoolctl import threadpool_limits
pools = scale_pools({n})
data = sum(p.X.nbytes + p.y.nbytes for p in (pools.light1, pools.heavy, pools.light2))
def kb(key):
    for line in open('/proc/self/status'):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
base = kb('VmRSS')
open('/proc/self/clear_refs', 'w').write('5')          # reset the peak (VmHWM)
with threadpool_limits(limits=1, user_api='blas'):
    fit(lambda: MetaLearner.robust(4, 0.05, rng=0), pools)
print(data, base, kb('VmHWM'))
"""


def memory(n):
    bench = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", _CHILD.format(bench=bench, n=n)],
                         capture_output=True, text=True, check=True).stdout.split()
    data, base, peak = (int(v) for v in out[-3:])
    print(f"memory: robust fit at {n} tasks per light pool: data {data / 1e9:.2f} GB, "
          f"resident before the fit {base / 1e9:.2f} GB, peak during the fit "
          f"{peak / 1e9:.2f} GB = data + {(peak - data) / 1e9:.2f} GB "
          f"({(peak - data) / data:.2f}x the data; target <= 0.5x); the fit's own increment "
          f"{(peak - base) / 1e9:.2f} GB ({(peak - base) / data:.2f}x)")


def default(repeat):
    p = DEFAULT_PROBLEM
    theta = make_params(p["d"], p["k"], rng=0)
    pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                       p["n_light2"], p["t_light2"], rng=1)
    fit(lambda: MetaLearner(p["k"], rng=0), pools)                    # warm-up
    t_i, c_i, _ = timed(lambda: fit(lambda: MetaLearner(p["k"], rng=0), pools), repeat)
    robust = lambda: MetaLearner.robust(p["k"], 0.05, rng=0)          # noqa: E731
    t_r, c_r, best = timed(lambda: fit(robust, pools), repeat)
    print(f"default problem: ICML fit {t_i:.3f} s (CPU {c_i:.3f}), robust fit {t_r:.3f} s "
          f"(CPU {c_r:.3f}): robust / ICML {t_r / t_i:.1f} (CPU {c_r / c_i:.1f}; target <= 3); "
          f"best of {repeat}; load average {os.getloadavg()[0]:.1f}")
    print("    robust stages (wall, the best fit): " + stage_line(stage_times(best), t_r))
    print("    robust stages (CPU, one more fit): " + stage_line(*stage_cpu(robust, pools, True)))
    print("    " + bm_line(robust, pools))


def bm_line(make, pools):
    """The Burer–Monteiro solve of one robust fit: its CPU time (the solver's
    clock read as process time), L-BFGS-B steps, augmented-Lagrangian
    updates, escape steps, status and objective."""
    from robust_mlr.stages.clustering import burer_monteiro
    clock = burer_monteiro.time
    burer_monteiro.time = types.SimpleNamespace(perf_counter=time.process_time)
    try:
        clustering = fit(make, pools).diagnostics_["clustering"]
        info = clustering["solver"]
    finally:
        burer_monteiro.time = clock
    return (f"Burer–Monteiro solve (CPU): {info['time']:.3f} s, {info['inner_iterations']} "
            f"L-BFGS-B steps, {info['outer_iterations']} updates, {info['escapes']} escape "
            f"step(s), {info['status']}, objective {clustering['objective']:.6f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=float, default=1e6, help="tasks per light pool")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-default", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--screen-only", action="store_true")
    args = ap.parse_args()
    if args.screen_only:
        with threadpool_limits(limits=1, user_api="blas"):
            screen_only(int(args.n), args.repeat)
        sys.exit(0)
    with threadpool_limits(limits=1, user_api="blas"):
        if not args.skip_default:
            default(args.repeat)
        if not args.skip_scale:
            scale(int(args.n), args.repeat)
    if not args.skip_memory:
        memory(int(args.n))
