"""Gaussian null: covariate ratio along the fitted top-k U vs along a random
k-frame, at the first filter round (all points); spread over seeds."""
import sys
import numpy as np
from robust_mlr import make_params, make_tasks
from robust_mlr.stages.subspace.robust import _statistics
from robust_mlr.stages.subspace.robust_pca import winsorised_excess, clean_winsorised_excess
from robust_mlr.stages.screening import excess_limit, size_cap
for (d, k, n, t, alpha) in [(16, 3, 6000, 2, 0.01), (16, 3, 600, 2, 0.1), (8, 2, 1000, 2, 0.05),
                            (16, 3, 6000, 2, 0.1)]:
    fit, rnd = [], []
    for seed in range(20):
        ds = make_tasks(make_params(d, k, rng=seed), n, t, rng=seed + 1)
        Z, q, M, Xt = _statistics(ds, 2.0, size_cap(ds.sizes), moment=True, covariates=True)
        a = min(excess_limit(alpha, n) / n, 0.49)
        U = np.linalg.eigh(Z.T @ Z)[1][:, ::-1][:, :k]
        R = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, k)))[0]
        ref = clean_winsorised_excess(k, a)
        fit.append(winsorised_excess(((Xt @ U) ** 2).sum(1), a) / ref)
        rnd.append(winsorised_excess(((Xt @ R) ** 2).sum(1), a) / ref)
    print(f"d={d} k={k} n={n} alpha={alpha}: fitted U mean {np.mean(fit):.3f} sd {np.std(fit):.3f} "
          f"max {np.max(fit):.3f} | random frame mean {np.mean(rnd):.3f} sd {np.std(rnd):.3f} "
          f"max {np.max(rnd):.3f}", flush=True)
