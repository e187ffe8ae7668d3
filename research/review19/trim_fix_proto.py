"""Prototype (not a library change) of a fix for the two failures of the
calibrated trim found in this review:
(1) Q₁ captured: with ⌊αn⌋ ≥ a·m corrupted tasks (α > 1/8) they hold the
    (1 − a) quantile, the fitted tail covers them, nothing is trimmed;
(2) masking: the first round scores under the plain moment, which far tasks
    inflate until they look typical (q ≈ d − 1 + 1/α), and the calibrated
    rounds, finding no excess, never leave that fixed point (one pool, t = 2).
Fix tried: the first round is the former fixed trim of the ⌈2αn⌉ furthest
(it escapes the masking: the far tasks are still the furthest), later rounds
the calibrated rule, which falls back to the fixed trim while ⌊αn⌋ ≥ a·m.
Checks: (1)+(2) on one pool; the clean Chebyshev pools of
tests/test_covariance_trim.py (min eigenvalue ratio must stay > 0.85)."""
import numpy as np
import robust_mlr.covariates as cov
import robust_mlr._covariance_trim as ct
from robust_mlr.stages.screening import _calibration_level
from robust_mlr import make_params, make_tasks, make_pools
from robust_mlr.data import MetaDataset
from robust_mlr.generator import covariate_moment


def mask(q, counts, extreme, alpha, fixed):
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
        if not fixed and m >= ct.MIN_CALIBRATED and np.floor(alpha * n) < level * m:
            edge = ct.excess_counts(np.column_stack([q[sl], -logq[sl]])[ok], level, n_trim)
            outside = ((q[sl] >= edge[0]) & np.isfinite(edge[0])) | \
                ((-logq[sl] >= edge[1]) & np.isfinite(edge[1]))
        r[~ok] = -np.inf
        n_trim = min(n_trim, int(np.sum(outside & ok)))
        if n_trim:
            r[~outside] = -np.inf
            kept[base - n + np.argsort(r)[n - n_trim:]] = False
    return kept


state = {"round": 0}


def trim_round(datasets, t, Sigma, extreme, alpha):
    inv = np.linalg.pinv(Sigma, hermitian=True)
    with np.errstate(over="ignore", invalid="ignore"):
        q = np.concatenate([cov._task_norms(ds, inv) for ds in datasets]) / t
    kept = mask(q, [ds.n_tasks for ds in datasets], extreme, alpha, fixed=state["round"] == 0)
    state["round"] += 1
    return cov._moment(datasets, kept) / int(t[kept].sum()), kept


cov._trim_round = trim_round


def run(data, alpha):
    state["round"] = 0
    return cov.estimate_second_moment(data, alpha)


for d, n, t, alpha in ((16, 6000, 2, 0.05), (32, 6000, 2, 0.1), (64, 6000, 2, 0.02),
                       (32, 400, 5, 0.05), (8, 400, 5, 0.15), (8, 400, 5, 0.3)):
    data = make_tasks(make_params(d, 2, rng=0), n, t, rng=1)
    X = data.X.copy()
    nb = int(np.floor(alpha * n))
    X[:data.offsets[nb], 0] *= 1e3
    S, kept = run(MetaDataset(X, data.y, data.offsets), alpha)
    ev = np.linalg.eigvalsh(S)
    print(f"d={d} n={n} t={t} alpha={alpha} max_eig={ev[-1]:.3g} corrupted_kept={int(kept[:nb].sum())}/{nb} "
          f"clean_trimmed={int((~kept[nb:]).sum())}", flush=True)
theta = make_params(16, 3, rng=1)
Li = np.linalg.inv(np.linalg.cholesky(covariate_moment("polynomial", 16)))
pools = make_pools(theta, 6000, 2, 150, 96, 4000, 8, x_dist="polynomial", rng=101)
for alpha in (0.01, 0.05, 0.1):
    S, kept = run(pools, alpha)
    ev = np.linalg.eigvalsh(Li @ S @ Li.T)
    print(f"chebyshev clean alpha={alpha} ratio=[{ev.min():.3f},{ev.max():.3f}] trimmed={int((~kept).sum())}",
          flush=True)
