"""share_attack.py's tasks (covariates inflated along u by c·ξ, labels of
each task's own component at the new x) in a whole fit: MetaLearner.robust
(covariates="estimate", rng=2) and the ICML learner (covariates="estimate",
alpha=0.05, rng=2). Prints Σ̂_uu of the fit's whitening and the W error;
run with PYTHONPATH at each copy."""
import time
import warnings

import numpy as np

from robust_mlr import MetaDataset, MetaLearner, Pools, make_params, make_pools, metrics
from share_attack import share_tasks

theta = make_params(8, 2, rng=0)
P = make_pools(theta, 20_000, 2, 200, 64, 40_000, 8, rng=1)
pools = [P[name] for name in Pools.names]
shares = share_tasks(pools, 2)
u = np.zeros(8)
u[0] = 1.0
for c in (0.0, 16.0):
    for place in ("random", "in share"):
        if c == 0 and place == "in share":
            continue
        rng = np.random.default_rng(5)
        out = []
        for ds, sh in zip(pools, shares):
            m = int(np.floor(0.05 * ds.n_tasks)) if c else 0
            cand = np.arange(ds.n_tasks) if place == "random" else sh
            bad = np.sort(rng.choice(cand, min(m, cand.size), replace=False))
            X, y = ds.X.copy(), ds.y.copy()
            rows = np.repeat(np.isin(np.arange(ds.n_tasks), bad), ds.sizes)
            X[rows] += c * rng.choice([-1.0, 1.0], rows.sum())[:, None] * u
            comp = np.repeat(ds.components, ds.sizes)[rows]
            y[rows] = np.einsum("ij,ji->i", X[rows], theta.W[:, comp]) + \
                rng.standard_normal(rows.sum()) * theta.s[comp]
            out.append(MetaDataset(X, y, ds.offsets, ds.components))
        cp = Pools(*out)
        for name, learner in (("robust", MetaLearner.robust(2, 0.05, covariates="estimate", rng=2)),
                              ("icml", MetaLearner(2, alpha=0.05, covariates="estimate", rng=2))):
            t0 = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                learner.fit(cp)
            err = metrics.parameter_errors(learner.W_, learner.s2_, learner.p_, theta)["w_err"]
            print(f"c={c:4.1f} {place:8s} {name:6s} Σ̂_uu={learner.covariance_.Sigma[0, 0]:7.3f} "
                  f"w_err={err:.4f} warn={sorted({type(w.message).__name__ for w in caught})} "
                  f"t={time.perf_counter() - t0:.1f}s", flush=True)
