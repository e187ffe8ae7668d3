"""Largest covariate ratio (winsorised excess of ||Uᵀx̃||² over its χ²_k value,
before COVARIATE_MARGIN) over all filter iterations and runs on clean
Gaussian tasks: the Gaussian level is unchanged while it stays below the
margin (1.1)."""
import sys
import numpy as np
from robust_mlr import make_params, make_tasks
from robust_mlr.stages.subspace import robust_pca
from robust_mlr.stages.subspace.robust import filter_subspace

seen, margins = [], set()
orig = robust_pca._covariate_scale
def spy(*a):
    r = orig(*a)
    seen.append(r * a[-1]); margins.add(round(a[-1], 3))
    return r
robust_pca._covariate_scale = spy
for (d, k, n, t, alpha) in [(16, 3, 6000, 2, 0.01), (32, 4, 20000, 2, 0.01), (32, 4, 20000, 2, 0.05),
                            (16, 3, 6000, 2, 0.1), (8, 3, 20000, 2, 0.01), (8, 2, 1000, 2, 0.05),
                            (16, 3, 600, 2, 0.1), (16, 3, 2000, 4, 0.02), (4, 1, 500, 3, 0.2)]:
    worst = []; allm = set()
    for seed in range(int(sys.argv[1])):
        seen.clear(); margins.clear()
        ds = make_tasks(make_params(d, k, rng=seed), n, t, rng=seed + 1)
        filter_subspace(ds, k, alpha, rng=seed)
        worst.append(max(seen))
    print(f"d={d} k={k} n={n} t={t} alpha={alpha}: max ratio per seed {np.round(worst, 3).tolist()} margin {sorted(margins)}",
          flush=True)
