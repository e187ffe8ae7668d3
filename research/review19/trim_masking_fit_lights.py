"""Light pools only (heavy pool clean). Full robust fit on tests/test_covariance_trim.py's Gaussian problem (d = 16,
k = 3, pools (6000, 2), (150, 96), (4000, 8), seed 101) with ⌊αn⌋ tasks of
every pool having their rows' first coordinate ×scale (responses untouched),
covariates "estimate" and "auto": Σ̂'s largest eigenvalue, max‖ŵ−w‖/s, warnings."""
import warnings
import numpy as np
from robust_mlr import MetaDataset, MetaLearner, Pools, make_params, make_pools
from robust_mlr.metrics import parameter_errors

theta = make_params(16, 3, rng=1)
clean = make_pools(theta, 6000, 2, 150, 96, 4000, 8, rng=101)
for alpha in (0.05, 0.1):
    for scale in (1.0, 30.0, 1e3):
        new = {}
        for name in Pools.names:
            if name == "heavy":
                new[name] = clean[name]
                continue
            ds = clean[name]
            X = ds.X.copy()
            m = int(np.floor(alpha * ds.n_tasks))
            X[:ds.offsets[m], 0] *= scale
            new[name] = MetaDataset(X, ds.y, ds.offsets, ds.components)
        for covariates in ("estimate", "auto"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model = MetaLearner.robust(3, alpha, rng=0, covariates=covariates).fit(Pools(**new))
            err = parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"]
            cv = model.covariance_
            top = float(np.linalg.eigvalsh(cv.Sigma)[-1]) if cv is not None and getattr(cv, "Sigma", None) is not None else float("nan")
            warned = sorted({w.category.__name__ for w in caught})
            print(f"alpha={alpha} scale={scale:g} covariates={covariates} Sigma_top={top:.3g} "
                  f"w_err={err:.3f} warnings={warned}", flush=True)
