"""Timing of the ICML pipeline: the H matrix and the whole fit.

Run: ``python3 benchmarks/bench_pipeline.py``. Prints wall times (best of
``--repeat``) for building H at n_H = 2000, k = 16, d = 64, t_H = 64, L = 4
next to its GEMM floor measured in the same process — the products H cannot
avoid: projecting every example once (X U, N × k) and L products
(n × k)(k × n) — and their ratio (target ≤ 3); then ``MetaLearner.fit``
and ``MetaLearner.robust(...).fit`` on the default problem of
``robust-mlr demo`` and their ratio (target ≤ 5).
"""

import argparse
import time

import numpy as np

from robust_mlr import MetaLearner, distance_matrix, make_params, make_pools, make_tasks
from robust_mlr.demo import DEFAULT_PROBLEM


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


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
    t_fit = best_of(lambda: MetaLearner(p["k"], rng=0).fit(pools), repeat)
    print(f"default problem: generate {t_gen:.3f} s, MetaLearner.fit (pca/single/ls) "
          f"{t_fit:.3f} s (best of {repeat})")
    t_rob = best_of(lambda: MetaLearner.robust(p["k"], 0.05, rng=0).fit(pools), repeat)
    print(f"default problem: MetaLearner.robust(alpha=0.05).fit {t_rob:.3f} s, "
          f"{t_rob / t_fit:.1f}x the ICML fit (best of {repeat})")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    main(ap.parse_args().repeat)
