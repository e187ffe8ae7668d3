"""The heavy pool as an anchor of the light-pool regression (private module).

A light-pool estimate ŵ_L,ℓ of a component is fitted from tasks of t = 8
examples: moving component ℓ's task law by δ·s changes it in total variation
by ≈ 0.4·δ·√t, so ⌊αn⌋ replaced tasks can make two worlds ≈ 0.19·s apart
indistinguishable at α = 0.05 (the light pool's two-point floor,
:mod:`robust_mlr.limits`). A heavy task of t_H = 128 examples sees the same
shift ≈ 4× more clearly, and the heavy pool's floor is 0.047·s. This module
estimates every component from the heavy tasks as well and lets the light
estimate move the final one only as far as the heavy tasks allow.

**Assignment.** Each heavy task goes to the component of largest posterior
responsibility under the light estimates (ŵ_L, ŝ²_L, p̂). The expected
number of *clean* tasks so assigned wrongly is Σ_i (1 − max_ℓ r_iℓ) over all
but the ``excess_limit(α, n_H)`` least certain tasks (those may be the
adversary's); the anchor is used only when it is at most 1 % of the pool.
At t_H = 128 it is ≈ 0; at t_H = 4 in d = 64 most tasks are ambiguous and
the learner keeps the light-only estimates (and skips the heavy ŝ²
cross-check, which would be biased low there).

**Robust per-component estimate.** A heavy task with t_i > d has its own
least-squares fit β_i = A_i⁻¹X_iᵀy_i, A_i = X_iᵀX_i, whose noise is known
given the design: A_i^{1/2}(β_i − w_ℓ)/s_ℓ ~ N(0, I_d) exactly (Gaussian
noise). At the current estimate μ̂ (least squares on the kept tasks,
(Σ A_i)⁻¹ Σ X_iᵀy_i) the whitened scores z_i = A_i^{-1/2}X_iᵀ(y_i − X_iμ̂)/ŝ
of clean tasks are therefore standard normal vectors, and the filter stops
when the top eigenvalue of mean z_i z_iᵀ is within the Marchenko–Pastur
edge (1 + √(d/m))² of an identity covariance plus 3.5 Tracy–Widom scales
(the clean 0.999 quantile is at ≈ 3σ_TW for m = 30–200, d = 12–64). The
scale is *known*, not read off the trace as in the light filter, so a
corrupted share ε of the component can only hide a rank-one excess
εδ² ≤ 2√(d/m) + d/m below the edge: a shift of at most ε·δ·s/√t_H of μ̂
(≈ 0.03·s with the whole budget of the default problem, 20 of 100 tasks, in
one component). Otherwise tasks are removed with probability ∝ ⟨z_i, v⟩²,
at most ``excess_limit(α, n_H)`` per component (the whole pool's budget).
ŝ²_H,ℓ, the noise level of the scores, is the median of RSS_i/median(χ²_{t_i−d})
of the tasks' own fits: independent of μ̂, and ⌊αn_H⌋ tasks move it by a
clean quantile gap only. Tasks with t_i ≤ d or a singular design are left
out of the anchor; a component with fewer than 2·budget + 3 such tasks has
no anchor.

**Combination.** With Σ_L, Σ_H the clean covariances of ŵ_L and ŵ_H (from
the designs and ŝ²_H: sandwich form for the light pool's capped example
weights), D = ŵ_L − ŵ_H has covariance Σ_L + Σ_H on clean data and
T = Dᵀ(Σ_L + Σ_H)⁻¹D ~ χ²_d. The final estimate is the precision-weighted
mean ŵ_H + (Σ_L⁻¹ + Σ_H⁻¹)⁻¹Σ_L⁻¹D — least squares on both pools when they
agree — and when T exceeds the 1 − 10⁻³/k quantile q of χ²_d, D is first
shrunk onto the boundary, D·√(q/T), and the test counts as failed.
"""

from __future__ import annotations

import numpy as np

from ..._dist import chi2
from ..._linalg import top_eigvecs
from ..._segments import label_grams, task_blocks, task_rss, task_sum_operator
from ...threat import excess_limit, size_cap
from .noise_check import cross_check_noise
from .robust import robust_noise

__all__ = ["heavy_assignment", "heavy_anchor", "pool_estimates", "light_covariances",
           "use_heavy"]

#: Level of the light–heavy consistency test over all components of a fit.
TEST_LEVEL = 1e-3
#: Expected misassigned clean heavy tasks allowed, as a share of the pool.
MISASSIGN_SHARE = 0.01
#: Tracy–Widom scales above the Marchenko–Pastur edge in the stop rule.
TW_SCALES = 3.5


def heavy_assignment(heavy, W, s2, p, alpha):
    """Posterior assignment of the heavy tasks and whether it is reliable.

    Parameters
    ----------
    heavy : MetaDataset
    W : ndarray (d, k), s2 : ndarray (k,), p : ndarray (k,)
        The light pool's estimates.
    alpha : float

    Returns
    -------
    labels : ndarray of int (n_H,)
        Component of largest responsibility.
    reliable : bool
        The expected number of misassigned clean tasks (see the module
        notes) is at most ``MISASSIGN_SHARE · n_H``.
    expected : float
        That expected number.
    """
    n = heavy.n_tasks
    s2 = np.maximum(np.nan_to_num(np.asarray(s2, float), nan=1.0), 1e-12)
    p = np.maximum(np.nan_to_num(np.asarray(p, float), nan=0.0), 1e-12)
    resid = task_rss(heavy.X, heavy.y, heavy.offsets, np.nan_to_num(W))
    t = heavy.sizes[:, None].astype(float)
    logr = np.log(p) - 0.5 * t * np.log(s2) - resid / (2.0 * s2)
    logr -= logr.max(axis=1, keepdims=True)
    r = np.exp(logr)
    r /= r.sum(axis=1, keepdims=True)
    miss = np.sort(1.0 - r.max(axis=1))[::-1]
    expected = float(miss[excess_limit(alpha, n):].sum())
    return np.argmax(r, axis=1), bool(expected <= MISASSIGN_SHARE * n), expected


def _task_grams(data):
    """Per-task ``X_iᵀX_i`` (n, d, d) in blocked passes (no loop over tasks)."""
    n, d = data.n_tasks, data.dim
    A = np.empty((n, d, d))
    for a, e in task_blocks(data.offsets, data.X.itemsize * d * d):
        lo, hi = data.offsets[a], data.offsets[e]
        Xb = data.X[lo:hi]
        outer = (Xb[:, :, None] * Xb[:, None, :]).reshape(hi - lo, d * d)
        A[a:e] = (task_sum_operator(data.sizes[a:e]) @ outer).reshape(e - a, d, d)
    return A


def _stop_level(m, d):
    """Clean top eigenvalue bound of mean z zᵀ for m standard normal z in R^d."""
    sigma_tw = (np.sqrt(m) + np.sqrt(d)) / m * (1 / np.sqrt(m) + 1 / np.sqrt(d)) ** (1 / 3)
    return (1 + np.sqrt(d / m)) ** 2 + TW_SCALES * sigma_tw


def _whitened_filter(A, b, rss_ratio, df, budget, rng, max_iter):
    """Robust mean of per-task fits with known covariance (one component).

    Returns ``(mu, gram, s2, info)``: the estimate, Σ A_i over kept tasks,
    the heavy noise estimate and the filter's record.
    """
    m0, d = b.shape
    lam, V = np.linalg.eigh(A)
    Wh = np.einsum("nij,nj,nkj->nik", V, 1.0 / np.sqrt(lam), V)      # A_i^{-1/2}
    s2 = float(np.median(rss_ratio))
    # ŝ² is a median of m0 ratios of relative sd √(2/df): allow three of its
    # standard errors in the stop level
    scale_err = 3 * 1.2533 * float(np.sqrt(np.mean(2.0 / df) / m0))
    kept = np.ones(m0, bool)
    it, ratio = 0, np.nan
    for it in range(1, max_iter + 1):
        gram = A[kept].sum(axis=0)
        mu = np.linalg.solve(gram, b[kept].sum(axis=0))
        z = np.einsum("nij,nj->ni", Wh, b - A @ mu) / np.sqrt(max(s2, 1e-300))
        zk = z[kept]
        v, top = top_eigvecs(zk.T @ zk / kept.sum(), 1)
        ratio = float(top[0] / (_stop_level(kept.sum(), d) * (1 + scale_err)))
        removed = m0 - kept.sum()
        if ratio <= 1 or removed >= budget:
            break
        score = np.where(kept, (z @ v[:, 0]) ** 2, 0.0)
        drop = np.flatnonzero(score > rng.uniform(0, score.max()))
        drop = drop[np.argsort(-score[drop])][:budget - removed]
        kept[drop] = False
    else:
        gram = A[kept].sum(axis=0)
        mu = np.linalg.solve(gram, b[kept].sum(axis=0))
    return mu, gram, s2, {"tasks": int(m0), "removed": int(m0 - kept.sum()),
                          "iterations": it, "top_eig_over_level": ratio,
                          "passed": bool(ratio <= 1)}


def heavy_anchor(heavy, labels, k, alpha, rng, max_iter=50):
    """Robust per-component estimates from the heavy tasks.

    Parameters
    ----------
    heavy : MetaDataset
    labels : ndarray of int (n_H,)
        Component of each heavy task (:func:`heavy_assignment`).
    k : int
    alpha : float
    rng : Generator
    max_iter : int

    Returns
    -------
    W : ndarray (d, k)
        NaN columns for components without an anchor.
    grams : ndarray (k, d, d)
        Σ X_iᵀX_i over each component's kept tasks (Σ_H = ŝ²·grams⁻¹).
    s2 : ndarray (k,)
        Heavy noise estimates (NaN without an anchor).
    info : list of dict
        Per component: the filter's record, or ``{"anchored": False}``.
    """
    n, d = heavy.n_tasks, heavy.dim
    budget = excess_limit(alpha, n)
    t = heavy.sizes
    usable = t > d + 1
    A = _task_grams(heavy)
    b = heavy.task_sums(heavy.X * heavy.y[:, None])
    yy = heavy.task_sums(heavy.y ** 2)
    ev = np.linalg.eigvalsh(A)
    usable &= ev[:, 0] > 1e-8 * np.maximum(ev[:, -1], 1e-300)     # singular designs out
    beta = np.zeros((n, d))
    beta[usable] = np.linalg.solve(A[usable], b[usable][..., None])[..., 0]
    own_rss = np.maximum(yy - np.einsum("nd,nd->n", b, beta), 0.0)
    ratio = own_rss / chi2.median(np.maximum(t - d, 1))
    W, grams, s2 = np.full((d, k), np.nan), np.zeros((k, d, d)), np.full(k, np.nan)
    info = []
    for c in range(k):                                 # loop over components only
        idx = np.flatnonzero(usable & (labels == c))
        if idx.size < 2 * budget + 3:
            info.append({"anchored": False, "tasks": int(idx.size)})
            continue
        W[:, c], grams[c], s2[c], rec = _whitened_filter(A[idx], b[idx], ratio[idx],
                                                         t[idx] - d, budget, rng, max_iter)
        info.append(dict(rec, anchored=True))
    return W, grams, s2, info


def light_covariances(data, labels, k, weights_by_task=True):
    """Per component, the Gram ``Σ c_j x_jxⱼᵀ`` and the sandwich middle
    ``Σ c_j² x_jx_jᵀ`` of the light pool's (capped) least-squares fit.

    Parameters
    ----------
    data : MetaDataset
        Light tasks.
    labels : ndarray of int (n,)
        Component of each task kept by the regression (−1 = out).
    k : int
    weights_by_task : bool
        Example weights c = min(t_i, t_cap)/t_i (the task filter's); False:
        unit weights.

    Returns
    -------
    gram, middle : ndarray (k, d, d)
    """
    c = np.minimum(data.sizes, size_cap(data.sizes)) / data.sizes if weights_by_task \
        else np.ones(data.n_tasks)
    cw = np.repeat(c, data.sizes)[:, None]
    gram = label_grams(data.X * np.sqrt(cw), data.y, data.offsets, labels, k)[0]
    if np.all(c == 1.0):
        return gram, gram
    return gram, label_grams(data.X * cw, data.y, data.offsets, labels, k)[0]


def pool_estimates(W_light, light_gram, light_middle, W_heavy, heavy_gram, s2_heavy,
                   unsupported=()):
    """Precision-weighted combination with the consistency test.

    Parameters
    ----------
    W_light : ndarray (d, k)
    light_gram, light_middle : ndarray (k, d, d)
        :func:`light_covariances`.
    W_heavy : ndarray (d, k)
        NaN columns: no anchor (the light estimate is kept).
    heavy_gram : ndarray (k, d, d)
    s2_heavy : ndarray (k,)
    unsupported : sequence of int
        Components without light tasks: the anchor alone.

    Returns
    -------
    W : ndarray (d, k)
    info : dict
        ``statistic`` T per component (NaN: not tested), ``threshold`` q,
        ``shrunk`` per component, ``light_weight`` (trace share of the light
        precision) and ``passed``.
    """
    d, k = W_light.shape
    q = float(chi2.isf(TEST_LEVEL / k, d))
    radius2 = float(chi2.median(d))
    W = W_light.copy()
    stat, shrunk, share = np.full(k, np.nan), np.zeros(k, bool), np.full(k, np.nan)
    for c in range(k):                                 # loop over components only
        if not np.all(np.isfinite(W_heavy[:, c])):
            continue
        if c in unsupported:
            W[:, c], share[c] = W_heavy[:, c], 0.0
            continue
        s2 = s2_heavy[c]
        G_inv = np.linalg.inv(light_gram[c])
        cov_l = s2 * G_inv @ light_middle[c] @ G_inv
        cov_h = s2 * np.linalg.inv(heavy_gram[c])
        D = W_light[:, c] - W_heavy[:, c]
        stat[c] = float(D @ np.linalg.solve(cov_l + cov_h, D))
        if stat[c] > radius2:
            D, shrunk[c] = D * np.sqrt(radius2 / stat[c]), True
        prec_l = np.linalg.inv(cov_l)
        prec = prec_l + np.linalg.inv(cov_h)
        W[:, c] = W_heavy[:, c] + np.linalg.solve(prec, prec_l @ D)
        share[c] = float(np.trace(prec_l) / np.trace(prec))
    return W, {"statistic": stat, "threshold": q, "radius2": radius2, "shrunk": shrunk,
               "light_weight": share, "passed": not bool(np.any(stat > q))}


def use_heavy(light, labels, kept_labels, heavy, W, s2, p, alpha, rng, *, anchor, cross_check,
              unsupported=(), weights_by_task=True):
    """What a robust regression stage takes from the heavy pool: the anchor
    (ŵ pooled with the heavy estimate, ŝ² refitted at the pooled ŵ) and the
    heavy ŝ² cross-check, each only when the heavy assignment is reliable.

    Parameters
    ----------
    light : MetaDataset
        The light pool the stage fitted.
    labels, kept_labels : ndarray of int (n,)
        Components of the light tasks from classification, and after the
        stage's removals (−1 = out).
    heavy : MetaDataset
    W, s2, p : ndarray
        The light estimates (d, k), (k,), (k,).
    alpha : float
    rng : Generator
    anchor, cross_check : bool
        Which of the two to apply.
    unsupported : sequence of int
        Components no light task supports (W from the clustering).
    weights_by_task : bool
        The stage's least squares weights examples by the capped task size.

    Returns
    -------
    W, s2 : ndarray
    info : dict
        ``"heavy_assignment"`` (``reliable``, ``expected_misassigned``),
        ``"anchor"`` (per-component heavy records and the combination's
        test) and ``"noise_check"``; ``passed`` is False when a consistency
        test or a heavy filter failed.
    """
    k = W.shape[1]
    hlabels, reliable, expected = heavy_assignment(heavy, W, s2, p, alpha)
    info = {"heavy_assignment": {"reliable": reliable, "expected_misassigned": expected},
            "passed": True}
    if anchor and reliable:
        W_h, grams, s2_h, comp = heavy_anchor(heavy, hlabels, k, alpha, rng)
        gram_l, middle_l = light_covariances(light, kept_labels, k, weights_by_task)
        W_new, comb = pool_estimates(W, gram_l, middle_l, W_h, grams, s2_h, unsupported)
        t_cap = size_cap(light.sizes)
        s2 = s2.copy()
        for c in np.flatnonzero(np.any(W_new != W, axis=0)):    # components only
            idx = np.flatnonzero(labels == c)
            if idx.size and c not in unsupported:
                s2[c] = robust_noise(light.subset(idx), W_new[:, c], None, t_cap)
        heavy_ok = all(r.get("passed", True) for r in comp)
        info["anchor"] = dict(comb, W_light=W, W_heavy=W_h, s2_heavy=s2_h, heavy=comp,
                              heavy_passed=heavy_ok)
        info["passed"] = comb["passed"] and heavy_ok
        W = W_new
    elif anchor:
        info["anchor"] = {"skipped": "heavy assignment unreliable"}
    if cross_check and reliable:
        s2, info["noise_check"] = cross_check_noise(heavy, None, W, s2)
    elif cross_check:
        info["noise_check"] = {"skipped": "heavy assignment unreliable"}
    return W, s2, info
