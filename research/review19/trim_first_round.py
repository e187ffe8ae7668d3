"""Whether far corrupted tasks are trimmed when they look typical under the
first round's Σ̂ (the plain moment they inflate): ⌊αn⌋ tasks with rows ×scale
along e_0, the corrupted score under the plain moment ≈ (d − 1) + 1/α, a
clean one ≈ d with spread √(2d/t). Pool of n tasks of t examples."""
import numpy as np
from robust_mlr import make_params, make_tasks
from robust_mlr.covariates import estimate_second_moment
from robust_mlr.data import MetaDataset

for d, n, t in ((32, 6000, 2), (32, 400, 5), (16, 6000, 2), (64, 6000, 2)):
    for alpha in (0.02, 0.05, 0.1):
        data = make_tasks(make_params(d, 2, rng=0), n, t, rng=1)
        X = data.X.copy()
        nb = int(np.floor(alpha * n))
        X[:data.offsets[nb], 0] *= 1e3
        S, kept = estimate_second_moment(MetaDataset(X, data.y, data.offsets), alpha)
        ev = np.linalg.eigvalsh(S)
        print(f"d={d} n={n} t={t} alpha={alpha} max_eig={ev[-1]:.3g} "
              f"corrupted_kept={int(kept[:nb].sum())}/{nb} clean_trimmed={int((~kept[nb:]).sum())}",
              flush=True)
