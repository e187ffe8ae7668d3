"""End to end: ``MetaLearner(k=8, clustering=...)`` at t_H = 4.

Problem: d = 64, k = 8 (orthonormal W, separation 1, s = 0.71); light1
200 000 tasks of t = 2, heavy n_H tasks of t_H = 4, light2 50 000 tasks of
t = 16. Printed per method: final max_a ‖ŵ_a − w_a‖ / s_a, the same for the
heavy-stage estimates W̃, and the wall time.

* ``moments`` uses all n_H heavy tasks;
* ``kmeans`` (k-means on the projected task means) uses all n_H heavy tasks;
* ``single`` / ``average`` linkage need the n_H × n_H distance matrix (and
  scipy's linkage copies), so they get the first ``linkage_cap`` = 5 000
  heavy tasks (0.2 GB per copy); at n_H = 5·10⁴ the matrix alone is 20 GB;
* Peng–Wei is not included: with SCS it stops near n_H ≈ 500, and the
  Burer–Monteiro solver, which runs to 10⁴ tasks at large t_H, is slow and
  inaccurate at t_H = 4 (docs/moments.md).

Run: ``OMP_NUM_THREADS=1 python3 benchmarks/bench_moments_pipeline.py [n_H] [n_seeds]``.
"""

import sys
import time
import warnings

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.metrics import parameter_errors


def run(seed, n_heavy, method, linkage_cap=5000, k=8, d=64):
    theta = make_params(d, k, rng=seed)
    pools = make_pools(theta, 200_000, 2, n_heavy, 4, 50_000, 16, rng=seed + 1)
    if method in ("single", "average") and n_heavy > linkage_cap:
        pools = pools.replace(heavy=pools.heavy.subset(np.arange(linkage_cap)))
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = MetaLearner(k=k, clustering=method, rng=seed + 2).fit(pools)
        except ValueError as exc:        # e.g. an empty cluster after linkage
            return np.inf, np.inf, time.perf_counter() - t0, type(exc).__name__
    wall = time.perf_counter() - t0
    final = parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"]
    heavy = parameter_errors(model.W_tilde_, model.r2_tilde_, model.p_tilde_, theta)["w_err"]
    return final, heavy, wall, ""


def main(n_heavy=50_000, n_seeds=2):
    print(f"k=8, d=64, t_H=4, n_H={n_heavy} (linkage: first 5000 heavy tasks), "
          f"light1 200000 x 2, light2 50000 x 16")
    for method in ("moments", "kmeans", "single", "average"):
        for seed in range(n_seeds):
            final, heavy, wall, note = run(seed, n_heavy, method)
            print(f"{method:>8} seed {seed}: final max||w_hat-w||/s = {final:.3f}, heavy-stage "
                  f"W~ {heavy:.3f}, {wall:5.1f} s {note}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
