"""Robust per-component regression on tasks: the regression stages
``"filter"`` and ``"huber"``.

**Task filter (SEVER / Diakonikolas–Kong–Stewart style).** A corrupted task is
an outlier *block*, so the filter works on per-task gradients of the least
squares loss at the current fit ŵ,

    g_i = t_i^{-1} X_iᵀ (X_i ŵ − y_i),

which for clean tasks have covariance ≈ (s²/t) I (Gaussian x). Corrupted tasks
that move ŵ must push their gradients coherently, creating a large top
eigenvalue λ₁ of the gradients' covariance. Iterate: fit, centre the
gradients, top eigenvector v; stop when λ₁ ≤ (1 + 2√(d/n))² · tr/d (the
Marchenko–Pastur edge for isotropic clean gradients, with the noise level read
off the trace); else remove tasks with probability ∝ ⟨g_i, v⟩² (one uniform
threshold on [0, max score]), at most 2αn tasks in all.

**Huber** (baseline): iteratively reweighted least squares on examples with
Huber weights min(1, 1.345 σ̂/|r|), σ̂ = 1.4826·MAD of residuals.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..._linalg import top_eigvecs
from ..._validation import check_alpha, check_rng
from ...data import MetaDataset
from ...constants import MAD_TO_SIGMA
from ...exceptions import ConvergenceWarning, EmptyClusterError

__all__ = ["filter_regression", "huber_regression", "filter_stage", "huber_stage"]


def _ls(X, y, weights=None):
    if weights is not None:
        sw = np.sqrt(weights)
        X, y = X * sw[:, None], y * sw
    return np.linalg.lstsq(X, y, rcond=None)[0]


def filter_regression(data: MetaDataset, alpha, rng=None, max_iter=50):
    """Least squares on a set of tasks, filtering corrupted tasks by their
    gradients. Returns ``(w, s2, kept, info)`` with s² the dof-corrected
    residual variance on the kept tasks."""
    rng = check_rng(rng)
    alpha = check_alpha(alpha)
    n, d = data.n_tasks, data.dim
    kept = np.ones(n, bool)
    budget = int(np.ceil(2 * alpha * n))
    t = data.sizes.astype(float)
    row_kept = np.repeat(kept, data.sizes)
    it, lam_ratio = 0, np.nan
    for it in range(1, max_iter + 1):
        row_kept = np.repeat(kept, data.sizes)
        w = _ls(data.X[row_kept], data.y[row_kept])
        r = data.X @ w - data.y
        g = data.task_sums(data.X * r[:, None]) / t[:, None]
        gk = g[kept] - g[kept].mean(axis=0)
        C = gk.T @ gk / kept.sum()
        v, lam = top_eigvecs(C, 1)
        edge = (1 + 2 * np.sqrt(d / kept.sum())) ** 2 * np.trace(C) / d
        lam_ratio = float(lam[0] / max(edge, 1e-300))
        removed = n - kept.sum()
        if alpha == 0 or lam_ratio <= 1 or removed >= budget:
            break
        score = np.zeros(n)
        score[kept] = (gk @ v[:, 0]) ** 2
        thr = rng.uniform(0, score.max())
        drop = np.flatnonzero(score > thr)
        drop = drop[np.argsort(-score[drop])][:budget - removed]
        kept[drop] = False
    else:
        warnings.warn(f"regression filter stopped at max_iter={max_iter} with top eigenvalue "
                      f"{lam_ratio:.3g} x its clean edge; raise max_iter", ConvergenceWarning,
                      stacklevel=2)
    row_kept = np.repeat(kept, data.sizes)
    w = _ls(data.X[row_kept], data.y[row_kept])
    n_ex = int(row_kept.sum())
    s2 = float(np.sum((data.y[row_kept] - data.X[row_kept] @ w) ** 2) / max(n_ex - d, 1))
    return w, s2, kept, {"iterations": it, "removed": int((~kept).sum()),
                         "top_eig_over_edge": lam_ratio}


def huber_regression(X, y, c=1.345, iters=50, tol=1e-8):
    """Huber M-estimate by IRLS. Returns ``(w, scale)``."""
    w = _ls(X, y)
    scale = 1.0
    for _ in range(iters):
        r = y - X @ w
        scale = max(MAD_TO_SIGMA * np.median(np.abs(r - np.median(r))), 1e-12)
        wt = np.minimum(1.0, c * scale / np.maximum(np.abs(r), 1e-300))
        w_new = _ls(X, y, wt)
        if np.linalg.norm(w_new - w) <= tol * (1 + np.linalg.norm(w)):
            w = w_new
            break
        w = w_new
    else:
        warnings.warn(f"Huber IRLS stopped at iters={iters} before its step fell below "
                      f"tol={tol:g}; raise iters", ConvergenceWarning, stacklevel=2)
    return w, scale


def _per_component(data, labels, k, fit):
    """Apply ``fit(subset) -> (w, s2, kept_mask, info)`` per component."""
    d = data.dim
    W, s2 = np.empty((d, k)), np.empty(k)
    final = labels.copy()
    infos = []
    for c in range(k):                            # loop over components only
        idx = np.flatnonzero(labels == c)
        if data.sizes[idx].sum() <= d:
            raise EmptyClusterError(
                f"component {c} received {idx.size} tasks with {int(data.sizes[idx].sum())} "
                f"examples; regression in d={d} needs more than {d}")
        w, v, kept, info = fit(data.subset(idx))
        W[:, c], s2[c] = w, v
        final[idx[~kept]] = -1
        infos.append(info)
    counts = np.bincount(final[final >= 0], minlength=k)
    return W, s2, counts / max(counts.sum(), 1), final, infos


def filter_stage(data, labels, k, alpha=0.0, rng=None, **_):
    rng = check_rng(rng)
    W, s2, p, final, infos = _per_component(
        data, labels, k, lambda sub: filter_regression(sub, alpha, rng))
    return W, s2, p, {"labels": final, "flagged": final < 0, "components": infos}


def huber_stage(data, labels, k, **_):
    def fit(sub):
        w, scale = huber_regression(sub.X, sub.y)
        return w, scale ** 2, np.ones(sub.n_tasks, bool), {"scale": scale}
    W, s2, p, final, infos = _per_component(data, labels, k, fit)
    return W, s2, p, {"labels": final, "components": infos}
