"""Prototype of a guard for the calibrated trim (not a library change): the
calibrated rule only while the ⌊αn⌋ corrupted tasks are fewer than a·m (else
they can hold the (1 − a) quantile Q₁ and the fitted tail then covers them);
otherwise the fixed ⌈2αn⌉ trim. (A first variant that raised a to
1.25·excess_limit/m kept all 40 corrupted tasks at α = 0.1: a higher level
loses the power of round 1, scored under the contaminated plain moment.) Monkeypatched into robust_mlr.covariates; run
(1) the breakdown check and (2) the clean-Chebyshev check of
tests/test_covariance_trim.py."""
import numpy as np
import robust_mlr.covariates as cov
import robust_mlr._covariance_trim as ct
from robust_mlr.stages.screening import _calibration_level
from robust_mlr.threat import excess_limit
from robust_mlr import make_params, make_tasks, make_pools
from robust_mlr.data import MetaDataset
from robust_mlr.generator import covariate_moment


def guarded_trim_mask(q, counts, extreme, alpha):
    logq = np.log(np.maximum(q, 1e-300))
    kept = ~extreme
    base = 0
    for n in counts:
        sl = slice(base, base + n)
        base += n
        ok = kept[sl] & np.isfinite(q[sl])
        m = int(ok.sum())
        if not m:
            continue
        n_trim = int(np.ceil(2 * alpha * n))
        r = np.abs(logq[sl] - np.median(logq[sl][ok]))
        outside = np.ones(n, bool)
        level = _calibration_level(alpha, m)
        # the (1 − a) quantile stays below the corrupted tasks only while they are fewer than a·m
        if m >= ct.MIN_CALIBRATED and np.floor(alpha * n) < level * m:
            edge = ct.excess_counts(np.column_stack([q[sl], -logq[sl]])[ok], level, n_trim)
            outside = ((q[sl] >= edge[0]) & np.isfinite(edge[0])) | \
                ((-logq[sl] >= edge[1]) & np.isfinite(edge[1]))
        r[~ok] = -np.inf
        n_trim = min(n_trim, int(np.sum(outside & ok)))
        if n_trim:
            r[~outside] = -np.inf
            kept[base - n + np.argsort(r)[n - n_trim:]] = False
    return kept


cov.trim_mask = guarded_trim_mask
d, n, t = 8, 400, 5
for alpha in (0.1, 0.13, 0.15, 0.2, 0.3):
    data = make_tasks(make_params(d, 2, rng=0), n, t, rng=1)
    X = data.X.copy()
    nb = int(np.floor(alpha * n))
    X[:data.offsets[nb], 0] *= 1e3
    S, kept = cov.estimate_second_moment(MetaDataset(X, data.y, data.offsets), alpha)
    ev = np.linalg.eigvalsh(S)
    print(f"breakdown alpha={alpha} max_eig={ev[-1]:.3g} corrupted_kept={int(kept[:nb].sum())} "
          f"clean_trimmed={int((~kept[nb:]).sum())}", flush=True)
theta = make_params(16, 3, rng=1)
pools = make_pools(theta, 6000, 2, 150, 96, 4000, 8, x_dist="polynomial", rng=101)
Li = np.linalg.inv(np.linalg.cholesky(covariate_moment("polynomial", 16)))
for alpha in (0.05, 0.1):
    S, kept = cov.estimate_second_moment(pools, alpha)
    ev = np.linalg.eigvalsh(Li @ S @ Li.T)
    print(f"chebyshev clean alpha={alpha} ratio=[{ev.min():.3f},{ev.max():.3f}] trimmed={int((~kept).sum())}",
          flush=True)
