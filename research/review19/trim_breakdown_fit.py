"""Full robust fit (covariates="estimate") at α = 0.15, 0.2 with ⌊αn⌋ tasks
per pool whose rows' first coordinate is ×scale (responses untouched):
Σ̂'s largest eigenvalue and max‖ŵ−w‖/s, old vs new code (run from each worktree)."""
import warnings
import numpy as np
from robust_mlr import MetaDataset, MetaLearner, Pools, make_params, make_pools
from robust_mlr.metrics import parameter_errors

theta = make_params(8, 2, rng=0)
clean = make_pools(theta, 3000, 2, 100, 40, 2000, 6, rng=1)
for alpha in (0.1, 0.15, 0.2):
    for scale in (1.0, 30.0, 1e3):
        new = {}
        for name in Pools.names:
            ds = clean[name]
            X = ds.X.copy()
            m = int(np.floor(alpha * ds.n_tasks))
            X[:ds.offsets[m], 0] *= scale
            new[name] = MetaDataset(X, ds.y, ds.offsets, ds.components)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                model = MetaLearner.robust(2, alpha, rng=0, covariates="estimate").fit(Pools(**new))
                err = parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"]
                ev = np.linalg.eigvalsh(model.covariance_.Sigma)
                res = f"Sigma_eig=[{ev[0]:.3g},{ev[-1]:.3g}] w_err={err:.3f}"
            except Exception as exc:                     # noqa: BLE001
                res = f"raised {type(exc).__name__}: {str(exc)[:80]}"
        warned = sorted({w.category.__name__ for w in caught})
        print(f"alpha={alpha} scale={scale:g} {res} warnings={warned}", flush=True)
