"""Eigenvalues of Σ^{-1/2} Σ̂ Σ^{-1/2} of the trimmed second moment (the
estimate behind covariates="auto"/"estimate") on the covariate-law
benchmark's clean pools, per law and α, and the tasks it trims; the fit's
seconds of the estimate alone (1 thread).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/whiten19/sigma_laws.py [--quick|--small]
"""
import sys
import time

import numpy as np

sys.path.insert(0, "benchmarks")
from bench_covariate_laws import FULL, LAWS, QUICK, SMALL, law_problem  # noqa: E402
from robust_mlr.covariates import estimate_second_moment  # noqa: E402
from robust_mlr.generator import covariate_moment  # noqa: E402

shape = SMALL if "--small" in sys.argv else QUICK if "--quick" in sys.argv else FULL
laws = [a for a in sys.argv[1:] if not a.startswith("--")] or LAWS
print(f"d {shape['d']} k {shape['k']} sizes {shape['sizes']} seed 1")
for law in laws:
    _, pools, _ = law_problem(law, shape["d"], shape["k"], shape["sizes"], 1)
    Li = np.linalg.inv(np.linalg.cholesky(covariate_moment(law, shape["d"])))
    n = sum(pools[p].n_tasks for p in pools.names)
    for alpha in (0.0, 0.01, 0.05, 0.1):
        t0 = time.process_time()
        Sh, kept = estimate_second_moment(pools, alpha, rng=0)
        sec = time.process_time() - t0
        ev = np.linalg.eigvalsh(Li @ Sh @ Li.T)
        print(f"{law:<11} alpha {alpha:<5} eig ratio {ev.min():.3f}..{ev.max():.3f}  trimmed "
              f"{n - int(kept.sum())}/{n} (2αn {int(np.ceil(2 * alpha * n))})  {sec:.2f} s", flush=True)
