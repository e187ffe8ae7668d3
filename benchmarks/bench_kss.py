"""Time of the degree-4 KSS clustering program against the number of tasks.

Three planted blobs in k = 3 dimensions (noise 0.5, centres N(0, 9 I)), one
single-cluster solve of size s = ⌊n/3⌋ without and with the fourth-moment
constraint (β from ``auto_beta``), SCS at the program's default eps = 10⁻⁴.
Prints the status, time, problem sizes and max |z_i (1 − z_i)| (0 for
integral pseudo-moments).

Run: ``OMP_NUM_THREADS=1 python3 benchmarks/bench_kss.py 20 26`` (the sizes).
"""

import sys
import time
import warnings

import numpy as np

from robust_mlr.stages.clustering import auto_beta, kss_relaxation


def run(n, k=3):
    rng = np.random.default_rng(0)
    s = n // k
    P = np.repeat(rng.normal(0, 3, (k, k)), s + 1, axis=0)[:n] + rng.normal(0, 0.5, (n, k))
    D = ((P[:, None] - P[None]) ** 2).sum(-1)
    beta = auto_beta(P, D, s, rng=0)
    for b in (None, beta):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sol = kss_relaxation(P, D, s, beta=b)
        print(f"n={n} s={s} beta={b} status={sol.info['status']} "
              f"time={time.perf_counter() - t0:.1f}s vars={sol.info['variables']} "
              f"moment_matrix={sol.info['moment_matrix']} gram={sol.info.get('gram_size')} "
              f"max|z(1-z)|={np.max(np.abs(sol.z * (1 - sol.z))):.2e}", flush=True)


if __name__ == "__main__":
    for n in map(int, sys.argv[1:] or ["20"]):
        run(n)
