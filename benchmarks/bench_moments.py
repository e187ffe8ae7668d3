"""Moment estimator: time and peak memory above the data at n_H = 10⁵.

Case: n_H = 100 000 heavy tasks of t_H = 4 examples, d = 64, k = 8
(orthonormal W, exact subspace), ``clustering="moments"`` and
``"moments_robust"`` (α = 0.05), the latter also with the median of
4⌈αn⌉ + 1 block means. Targets: < 30 s and < 1 GB above the data.

Printed for each method:
  * wall time of the whole method (moments, decomposition, noise levels,
    likelihood assignment of every task);
  * the floor measured in the same process: one pass of the two products
    every likelihood assignment needs anyway (X·U and X·W̃, N × d × k each),
    and the ratio method / floor;
  * peak memory allocated above the data (tracemalloc; numpy reports its
    buffers to it), and the size of the data itself;
  * the max centre error max_a ‖Uμ̂_a − w_a‖ / s_a, for orientation.
Run: ``OMP_NUM_THREADS=1 python3 benchmarks/bench_moments.py``.
"""

import time
import tracemalloc

import numpy as np

from robust_mlr import make_params, make_tasks
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.clustering import cluster_heavy


def main(n=100_000, t=4, d=64, k=8):
    theta = make_params(d, k, rng=0)
    U = np.linalg.qr(theta.W)[0]
    heavy = make_tasks(theta, n, t, rng=1)
    data_mb = (heavy.X.nbytes + heavy.y.nbytes) / 1e6
    t0 = time.perf_counter()
    for _ in range(3):
        heavy.X @ U
        heavy.X @ theta.W
    floor = (time.perf_counter() - t0) / 3
    print(f"n_H={n}, t_H={t}, d={d}, k={k}: data {data_mb:.0f} MB, floor (X·U and X·W) "
          f"{floor:.3f} s")
    mom_blocks = 4 * int(np.ceil(0.05 * n)) + 1
    for name, kw in (("moments", {}), ("moments_robust", {"alpha": 0.05}),
                     ("moments_robust", {"alpha": 0.05, "n_blocks": mom_blocks})):
        tracemalloc.start()
        t0 = time.perf_counter()
        res = cluster_heavy(heavy, U, k, name, rng=2, **kw)
        wall = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        err = parameter_errors(res.info["centres"], res.info["noise"], res.info["weights"],
                               theta)["w_err"]
        print(f"{name:>15}: {wall:6.2f} s ({wall / floor:5.1f}x floor), peak above data "
              f"{peak / 1e6:7.1f} MB, max centre error {err:.3f}, blocks {res.info['n_blocks']}")


if __name__ == "__main__":
    main()
