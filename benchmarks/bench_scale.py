"""Every stage of the fits beside its floor, and the fits on a busy core.

Run: ``python3 benchmarks/bench_scale.py [--n N] [--repeat R] [--skip-busy]``.

**Scale** (d = 32, k = 4; ``--n`` tasks in each light pool, light1 t = 2,
light2 t = 8; heavy 400 tasks of 128). Each stage's wall time is printed
beside its floor, measured in the same process on one BLAS thread (the
stages pin themselves to one thread; see ``robust_mlr._threads``): one
read of the pool's arrays plus the products the stage cannot avoid —

* subspace (light1) and refinement (light2): the Gram matrix XᵀX of the pool;
* classification (light2): X W̃ (N × k);
* clustering (heavy): X U and the L products (n_H × 2k+2)(2k+2 × n_H) of H.

The whole fits are compared with the sum of the ICML stages' floors (the
robust fit has the same unavoidable passes; its extra passes are what its
ratio measures). Target: every ratio ≤ 3.

**Busy core** (the default problem of ``robust-mlr demo``). A busy-loop
process holds one core while ``MetaLearner(k).fit`` and
``MetaLearner.robust(k, 0.05).fit`` run with the process's BLAS threads
(OpenBLAS defaults to one per core) and limited to one thread; best of
``--repeat``, interleaved. Target: default threads ≤ 1.5 × one thread.
"""

import argparse
import subprocess
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.demo import DEFAULT_PROBLEM
from robust_mlr.stages.classification import classify
from robust_mlr.stages.clustering import cluster_estimates, cluster_heavy, default_splits
from robust_mlr.stages.regression import refine
from robust_mlr.stages.subspace import estimate_subspace

D, K = 32, 4


def best_of(fn, repeat):
    """(fastest wall time, result of that run)."""
    best = (np.inf, None)
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, (time.perf_counter() - t0, out), key=lambda b: b[0])
    return best


def read(data):
    """One full read of a pool's arrays."""
    return data.X.sum() + data.y.sum()


def blocked(X, fn, rows=1 << 14):
    """``fn`` over consecutive row blocks of X (cache-sized operands)."""
    for s in range(0, X.shape[0], rows):
        fn(X[s:s + rows])


def product_floor(data, fn, repeat):
    """One read plus ``fn`` over X, the faster of one call on all rows and
    calls on cache-sized row blocks (OpenBLAS is slower on the former)."""
    whole = best_of(lambda: fn(data.X), repeat)[0]
    parts = best_of(lambda: blocked(data.X, fn), repeat)[0]
    return best_of(lambda: read(data), repeat)[0] + min(whole, parts)


def heavy_floor(data, U, L):
    read(data)
    data.X @ U
    P = np.ones((data.n_tasks, 2 * U.shape[1] + 2))
    for _ in range(L):
        P @ P.T


def line(name, t, floor):
    print(f"  {name:<28s} {t:8.3f} s   floor {floor:7.3f} s   ratio {t / floor:5.2f}")


def scale(n, repeat):
    theta = make_params(D, K, rng=0)
    t0 = time.perf_counter()
    pools = make_pools(theta, n, 2, 400, 128, n, 8, rng=1)
    gb = sum(p.X.nbytes + p.y.nbytes for p in (pools.light1, pools.heavy, pools.light2)) / 1e9
    print(f"scale: {n} tasks per light pool (light1 t=2, light2 t=8), heavy 400 x 128, "
          f"d={D}, k={K}: {gb:.2f} GB, generated in {time.perf_counter() - t0:.1f} s; "
          f"best of {repeat}, one BLAS thread")
    L1, H, L2 = pools.light1, pools.heavy, pools.light2
    with threadpool_limits(limits=1, user_api="blas"):
        f_sub = product_floor(L1, lambda X: X.T @ X, repeat)
        f_cls = product_floor(L2, lambda X: X @ theta.W, repeat)
        f_ref = product_floor(L2, lambda X: X.T @ X, repeat)
        t_sub, sub = best_of(lambda: estimate_subspace(L1, K, "pca"), repeat)
        L = default_splits(int(H.sizes.min()))
        f_clu = best_of(lambda: heavy_floor(H, sub.U, L), repeat)[0]

        def clustering():
            cl = cluster_heavy(H, sub.U, K, "single", rng=0)
            return cluster_estimates(H, cl.labels, sub.U, K)
        t_clu, (Wt, r2, _) = best_of(clustering, repeat)
        t_cls, (labels, _) = best_of(lambda: classify(L2, Wt, r2), repeat)
        t_ref = best_of(lambda: refine(L2, labels, K), repeat)[0]
        floor = f_sub + f_clu + f_cls + f_ref
        print("ICML stages (called directly):")
        line("subspace pca (light1)", t_sub, f_sub)
        line("clustering single (heavy)", t_clu, f_clu)
        line("classification (light2)", t_cls, f_cls)
        line("refinement ls (light2)", t_ref, f_ref)
        for name, make in (("MetaLearner.fit", lambda: MetaLearner(K, rng=0)),
                           ("MetaLearner.robust.fit", lambda: MetaLearner.robust(K, 0.05, rng=0))):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t, model = best_of(lambda: make().fit(pools), repeat)
            line(name, t, floor)
            d = model.diagnostics_
            print("    stages: " + ", ".join(f"{s} {d[s]['time']:.3f} s" for s in d
                                             if isinstance(d[s], dict) and "time" in d[s]))


def busy(repeat):
    p = DEFAULT_PROBLEM
    theta = make_params(p["d"], p["k"], rng=0)
    pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                       p["n_light2"], p["t_light2"], rng=1)
    threads = max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"),
                  default=1)
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        print(f"busy core: default problem, one busy-loop process beside the fit; "
              f"best of {repeat}, interleaved")
        for name, make in (("MetaLearner.fit", lambda: MetaLearner(p["k"], rng=0)),
                           ("MetaLearner.robust.fit",
                            lambda: MetaLearner.robust(p["k"], 0.05, rng=0))):
            times = {1: [], threads: []}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                make().fit(pools)                                  # warm-up
                for _ in range(repeat):
                    for nt in times:
                        with threadpool_limits(limits=nt, user_api="blas"):
                            t0 = time.perf_counter()
                            make().fit(pools)
                            times[nt].append(time.perf_counter() - t0)
            one, many = min(times[1]), min(times[threads])
            print(f"  {name:<24s} 1 thread {one:.3f} s   {threads} threads {many:.3f} s   "
                  f"ratio {many / one:.2f}")
    finally:
        hog.kill()
        hog.wait()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=float, default=2e5, help="tasks per light pool")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-busy", action="store_true", help="skip the busy-core measurement")
    ap.add_argument("--skip-scale", action="store_true", help="skip the scale measurement")
    args = ap.parse_args()
    if not args.skip_scale:
        scale(int(args.n), args.repeat)
    if not args.skip_busy:
        busy(args.repeat)
