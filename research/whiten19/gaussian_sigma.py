"""How far the trimmed Σ̂ of a clean Gaussian fit moves: the default
problem's pools (d = 32, k = 4, seed 1, isotropic Gaussian rows) and the
correlated law; eigenvalues of Σ^{-1/2}Σ̂Σ^{-1/2} and tasks trimmed per α,
and the covariates="auto" decision's Σ̂ (α = 0.125 on its sample, 2 rounds).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/whiten19/gaussian_sigma.py
"""
import sys

import numpy as np

sys.path.insert(0, "benchmarks")
from bench_covariate_laws import FULL, law_problem  # noqa: E402
from robust_mlr.covariates import estimate_second_moment, isotropy_test  # noqa: E402
from robust_mlr.generator import covariate_moment  # noqa: E402

for law in ("gaussian", "correlated"):
    _, pools, _ = law_problem(law, FULL["d"], FULL["k"], FULL["sizes"], 1)
    Li = np.linalg.inv(np.linalg.cholesky(covariate_moment(law, FULL["d"])))
    for alpha in (0.01, 0.05, 0.1, 0.125):
        Sh, kept = estimate_second_moment(pools, alpha, n_rounds=2 if alpha == 0.125 else 5)
        ev = np.linalg.eigvalsh(Li @ Sh @ Li.T)
        iso = isotropy_test(Sh, sum(pools[p].n_examples for p in pools.names))
        print(f"{law:<11} alpha {alpha:<6} eig {ev.min():.4f}..{ev.max():.4f} trimmed "
              f"{kept.size - int(kept.sum())}  isotropic {iso[0]} (condition {iso[1]['condition']:.3f})",
              flush=True)
