"""Timing of the ICML pipeline: the H matrix and the whole fit.

Run: ``python3 benchmarks/bench_pipeline.py``. Prints wall times (best of
``--repeat``) for building H at n_H = 2000, k = 16, d = 64, t_H = 64, L = 4
next to its GEMM floor measured in the same process — the products H cannot
avoid: projecting every example once (X U, N × k) and L products
(n × k)(k × n) — and their ratio (target ≤ 3); then ``MetaLearner.fit``
and ``MetaLearner.robust(...).fit`` on the default problem of
``robust-mlr demo`` and their ratio (target ≤ 5), each fit's time by stage
(from ``diagnostics_``, of the fastest run), and the robust fit once more
without the Burer–Monteiro escape steps (``max_escapes=0``), so that the
share of the escapes' second solve is measured in the same process.
"""

import argparse
import time

import numpy as np

from robust_mlr import MetaLearner, distance_matrix, make_params, make_pools, make_tasks
from robust_mlr.generator import DEFAULT_PROBLEM
from robust_mlr.stages.clustering import PengWei


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def best_fit(make, pools, repeat):
    """Fastest of ``repeat`` fits: (wall time, the fitted model)."""
    best = (np.inf, None)
    for _ in range(repeat):
        model = make()
        t0 = time.perf_counter()
        model.fit(pools)
        best = min(best, (time.perf_counter() - t0, model), key=lambda b: b[0])
    return best


def stages(model):
    """'stage 0.123 s, …' from a fitted model's diagnostics."""
    d = model.diagnostics_
    parts = [f"{name} {d[name]['time']:.3f} s" for name in d
             if isinstance(d[name], dict) and "time" in d[name]]
    solver = d.get("clustering", {}).get("solver")
    if isinstance(solver, dict) and "time" in solver:
        parts.append(f"(of clustering: SDP solve {solver['time']:.3f} s, "
                     f"{solver['inner_iterations']} L-BFGS-B steps, "
                     f"{solver['escapes']} escapes)")
    return ", ".join(parts)


def main(repeat=3):
    theta = make_params(64, 16, rng=0)
    heavy = make_tasks(theta, 2000, 64, rng=1)
    U = np.linalg.qr(theta.W)[0]
    t_h = best_of(lambda: distance_matrix(heavy, U, L=4), repeat)
    P, Q = np.random.default_rng(0).standard_normal((2, 2000, 16))
    C = np.empty((2000, 2000))

    def floor():
        heavy.X @ U
        for _ in range(4):
            np.matmul(P, Q.T, out=C)
    t_floor = best_of(floor, repeat)
    print(f"H matrix  n_H=2000 k=16 d=64 t_H=64 L=4 : {t_h:.3f} s, GEMM floor "
          f"{t_floor:.3f} s, ratio {t_h / t_floor:.2f} (best of {repeat})")

    p = DEFAULT_PROBLEM
    theta = make_params(p["d"], p["k"], rng=0)
    t0 = time.perf_counter()
    pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                       p["n_light2"], p["t_light2"], rng=1)
    t_gen = time.perf_counter() - t0
    t_fit, icml = best_fit(lambda: MetaLearner(p["k"], rng=0), pools, repeat)
    print(f"default problem: generate {t_gen:.3f} s, MetaLearner.fit (pca/single/ls) "
          f"{t_fit:.3f} s (best of {repeat})")
    print(f"    stages: {stages(icml)}")
    t_rob, rob = best_fit(lambda: MetaLearner.robust(p["k"], 0.05, rng=0), pools, repeat)
    print(f"default problem: MetaLearner.robust(alpha=0.05).fit {t_rob:.3f} s, "
          f"{t_rob / t_fit:.1f}x the ICML fit (best of {repeat})")
    print(f"    stages: {stages(rob)}")
    no_escape = PengWei(robust=True, solver_opts={"max_escapes": 0})
    t_ne, ne = best_fit(lambda: MetaLearner.robust(p["k"], 0.05, rng=0,
                                                   clustering=no_escape), pools, repeat)
    print(f"default problem: the same without escape steps (max_escapes=0) {t_ne:.3f} s, "
          f"{t_ne / t_fit:.1f}x the ICML fit; SDP objective "
          f"{ne.diagnostics_['clustering']['objective']:.4f} against "
          f"{rob.diagnostics_['clustering']['objective']:.4f} with them")
    print(f"    stages: {stages(ne)}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    main(ap.parse_args().repeat)
