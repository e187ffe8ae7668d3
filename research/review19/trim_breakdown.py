"""Does the calibrated trim of the whitening's Σ̂ keep far corrupted tasks when
the corrupted share reaches the fit's level a = 1/8?  Old rule (fixed ⌈2αn⌉
trim) vs the new one, on Gaussian rows; corrupted tasks: every row ×scale along e_0."""
import sys
import numpy as np
from robust_mlr import make_params, make_tasks
from robust_mlr.covariates import estimate_second_moment
from robust_mlr.data import MetaDataset

d, n, t = 8, 400, 5
for alpha in (0.05, 0.1, 0.12, 0.13, 0.15, 0.2, 0.3):
    for scale in (30.0, 1e3):
        data = make_tasks(make_params(d, 2, rng=0), n, t, rng=1)
        X = data.X.copy()
        nb = int(np.floor(alpha * n))
        rows = data.offsets[nb]
        X[:rows, 0] *= scale
        bad = MetaDataset(X, data.y, data.offsets)
        S, kept = estimate_second_moment(bad, alpha)
        ev = np.linalg.eigvalsh(S)
        print(f"alpha={alpha:.2f} scale={scale:g} corrupted={nb} "
              f"max_eig={ev[-1]:.3g} min_eig={ev[0]:.3g} corrupted_kept={int(kept[:nb].sum())} "
              f"clean_trimmed={int((~kept[nb:]).sum())}", flush=True)
