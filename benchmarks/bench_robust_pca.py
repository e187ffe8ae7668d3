"""Robust PCA timings on the bad example (n = 10 000, d = 10, k = 1).

Prints the median time per call of the filter (with its default 5 restarts)
and of HRPCA over 30 calls at α = 0.01 and 0.025. Targets: filter ≤ 20 ms,
HRPCA ≤ 100 ms. Run: ``python3 benchmarks/bench_robust_pca.py``.
"""

import time

import numpy as np

from robust_mlr.stages.subspace import bad_example
from robust_mlr.stages.subspace import filter_pca, hrpca


def main(calls=30):
    for alpha in (0.01, 0.025):
        times = {"filter": [], "hrpca": []}
        for s in range(calls):
            rng = np.random.default_rng(s)
            Z, _, _ = bad_example(10_000, 10, alpha, rng)
            for name, fn in (("filter", filter_pca), ("hrpca", hrpca)):
                t0 = time.perf_counter()
                fn(Z, 1, alpha, rng=rng)
                times[name].append(1e3 * (time.perf_counter() - t0))
        print(f"alpha={alpha}: filter median {np.median(times['filter']):.1f} ms "
              f"(max {np.max(times['filter']):.1f}), HRPCA median "
              f"{np.median(times['hrpca']):.1f} ms (max {np.max(times['hrpca']):.1f})")


if __name__ == "__main__":
    main()
