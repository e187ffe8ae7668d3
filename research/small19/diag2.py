"""Round one of the subspace filter on clean light-1 pools (t = 2):
the relative excess of the scores along the top-k eigenvectors against the
stopping level, and per run the removal steps. Usage: diag2.py d k SEEDS n..."""
import sys
import numpy as np
from robust_mlr import make_params, make_tasks
from robust_mlr.stages.subspace import robust_pca as rp
from robust_mlr.stages.subspace.robust import _statistics, _gaussian_bulk_excess
from robust_mlr.stages.screening import size_cap
from robust_mlr.threat import excess_limit
from robust_mlr._linalg import top_eigvecs

alpha = 0.05
d, k, seeds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for n in [int(a) for a in sys.argv[4:]]:
    a_trim = min(excess_limit(alpha, n) / n, 0.49)
    base = max(2 * alpha * np.log(1 / alpha), 1.5 * rp.clean_excess(k, a_trim))
    ex1, steps, rms = [], [], []
    for s in range(seeds):
        theta = make_params(d, k, rng=s)
        data = make_tasks(theta, n, 2, rng=100 + s)
        Z, q, M, Xt = _statistics(data, 2.0, size_cap(data.sizes), moment=True, covariates=True)
        U, _ = top_eigvecs(Z.T @ Z / n, k)
        ex1.append(float(rp.relative_excess(rp._row_sq(Z @ U), a_trim)))
        r = rp.filter_pca(Z, k, alpha, rng=s, covariates=Xt)
        steps.append(r.info["removed"]); rms.append(r.info["n_removed"])
    ex1 = np.array(ex1)
    print(f"d={d} k={k} n={n}: a_trim {a_trim:.3f} base {base:.3f}; round-1 excess "
          f"med {np.median(ex1):.3f} sd {ex1.std():.3f} >base {np.mean(ex1 > base):.2f}; "
          f"removed {rms}")
    print("   steps of chosen run:", steps[:8])
