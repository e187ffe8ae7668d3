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
given the design: L_iᵀ(β_i − w_ℓ)/s_ℓ ~ N(0, I_d) exactly (Gaussian
noise). At the current estimate μ̂ (the mean of the kept β_i weighted by
their information with its eigenvalues capped, :func:`_capped_weights`) the whitened scores z_i = L_i⁻¹X_iᵀ(y_i − X_iμ̂)/ŝ (L_iL_iᵀ = A_i)
of clean tasks are therefore standard normal vectors, and the filter stops
when the top eigenvalue of mean z_i z_iᵀ is within the Marchenko–Pastur
edge (1 + √(d/m))² of an identity covariance plus 3.5 Tracy–Widom scales
(the clean 0.999 quantile is at ≈ 3σ_TW for m = 30–200, d = 12–64). The
scale is *known*, not read off the trace as in the light filter, so a
corrupted share ε of the component can only hide a rank-one excess
εδ² ≲ 2√(d/m) + d/m + the Tracy–Widom margin below the edge: a shift of
μ̂ by ε·δ·s/√t_H ≈ s·√(1.4ε/t_H) along any direction (≈ 0.05·s with the
whole budget of the default problem, 20 of 100 tasks, in one component).
Otherwise tasks are removed with probability ∝ ⟨z_i, v⟩², at most
``excess_limit(α, n_H)`` per component (the whole pool's budget).

**Along the disagreement.** The edge is loose because it bounds the
spread in every direction at once. Along one direction u *fixed
independently of the heavy tasks' noise* the clean spread is known much
better: p_i = uᵀ(β_i − μ̂)/(ŝ·√(uᵀA_i⁻¹u)) = ⟨L_i⁻¹u, z_i⟩/‖L_i⁻¹u‖ is
N(0, 1) given the design, so Σ p_i² over m kept tasks is χ²_m (a little
less: μ̂ is fitted). The direction that matters is the one the light
estimate points to, u = (ŵ_L − μ̂)/‖ŵ_L − μ̂‖: the light pool is independent
of the heavy one, and for Gaussian scores μ̂ is independent of the
residuals β_i − μ̂ it is compared with. The filter therefore also tests
mean p_i² against the 1 − 10⁻³/k quantile of χ²_m/m (times the ŝ² error
factor of the stop level, ≈ 1.65 at m = 100 against ≈ 2.4 for the edge), u
recomputed as μ̂ moves; when it fails and the eigenvalue test passes,
the tasks are removed with probability ∝ p_i² (within the same budget).
A shift of μ̂ along the disagreement is then held to ≈ s·√(0.65ε/t_H)
(≈ 0.03·s). A shift across it is not, and it shows in ŵ_L − ŵ_H only in
part, so the directional test sees the part of a heavy shift that the
light estimate points at (cos² of the angle; the light adversary who moves
along the same direction makes it the whole).
**Medians along the leading directions.** The stop level bounds the spread
the corrupted tasks add, not where the clean ones left sit: replacing the
tasks furthest against a direction leaves a truncated clean sample leaning
along it, with room under the level for a shift. The estimate's component
along the top eigenvectors of the kept scores' second moment is therefore
replaced by a Huber location of the fits where their median and mean differ
by more than the clean noise allows (:mod:`._directional_median`).
ŝ²_H,ℓ, the noise level of the scores, is the median of RSS_i/median(χ²_{t_i−d})
of the tasks' own fits: independent of μ̂, and ⌊αn_H⌋ tasks move it by a
clean quantile gap only. Tasks with t_i ≤ d + 1 or a singular design are
left out of the anchor.

**When a component has an anchor.** The adversary replaces at most
b = ⌊αn_H⌋ heavy tasks in the whole pool. A task with t_i > d + 1 whose
design is singular has probability zero under a continuous covariate law,
so it is one of them, seen: with b_s such tasks (counted only while they are
at most ``excess_limit(α, n_H)``; more, and the covariates are discrete by
nature), at most b_u = b − b_s corrupted tasks hide among the usable ones,
and the filter may remove ``excess_limit − b_s``. A component's robust
estimate from m usable tasks needs the clean ones to outnumber the hidden
corrupted ones, m ≥ 2·b_u + 3, whichever component the adversary puts them
in (tasks it replaced *out* of the component are not corrupted tasks *in*
it: a component starved of its tasks keeps its anchor as long as the
remaining ones are a majority). A component below that has no anchor; its
light-only estimate then fails the stage's test (a CorruptionWarning) when
the light pool's own two-point floor for it (:func:`~robust_mlr.limits.two_point_floor`,
share p̂_ℓ) exceeds :data:`UNANCHORED_FACTOR` times the usable heavy tasks'
floor — the worst case the anchor would have reached — or is infinite.

**Combination.** With Σ_L, Σ_H the clean covariances of ŵ_L and ŵ_H (from
the designs and ŝ²_H: sandwich form for the light pool's capped example
weights), D = ŵ_L − ŵ_H has covariance Σ_L + Σ_H on clean data and
T = Dᵀ(Σ_L + Σ_H)⁻¹D ~ χ²_d. The final estimate is the precision-weighted
mean ŵ_H + (Σ_L⁻¹ + Σ_H⁻¹)⁻¹Σ_L⁻¹D' — least squares on both pools when they
agree — with D' = D·min(1, r/√T), r² the median of χ²_d: the light pool
moves ŵ by at most r Mahalanobis units of D. The test fails when √T
exceeds √q + β, q the 1 − 10⁻³/k quantile of χ²_d and β an allowance for
the light estimate's clean misclassification bias (tasks of two examples:
:mod:`._misclass`), the smaller of its Mahalanobis norms estimated on the
pool's responses and on responses drawn from the fitted model — the
adversary's light tasks inflate the first (3.5–4.3 in √T units on the red
team's attacks, where the clean problem has ≈ 1.7), never the second. A
failed test shows the light estimate inconsistent with the anchor, and the
component keeps ŵ_H alone: whichever pool is corrupted, ŵ_H is within the
heavy filter's bound, while the shrunk pooling can add r Mahalanobis units
of a corrupted light estimate to it. (The adversary who stays under the
threshold gets the shrunk pooling, at most ≈ r·√(1 − d/T) units along its
direction: a failed test adds nothing it could not get silently.)
"""

from __future__ import annotations

import numpy as np

from ..._dist import chi2
from ..._linalg import top_eigvecs
from ..._segments import block_task_rss, label_grams, task_blocks
from ..._select import weighted_median
from ...limits import two_point_floor
from ...threat import ThreatModel, excess_limit, size_cap
from ._directional_median import median_step
from ._light_median import light_median_step
from ._misclass import example_weights, misclassification_bias, model_bias, responsibilities
from .noise_check import _held, _posterior_levels, cross_check_noise, light_noise_se

__all__ = ["heavy_assignment", "heavy_anchor", "pool_estimates", "light_covariances",
           "refit_noise", "use_heavy"]

#: A posterior-weighted ŝ²_ℓ below this share of its start fails the
#: refit's test (:func:`refit_noise`).
COLLAPSE = 0.5
#: Level of the light–heavy consistency test over all components of a fit.
TEST_LEVEL = 1e-3
#: Expected misassigned clean heavy tasks allowed, as a share of the pool.
MISASSIGN_SHARE = 0.01
#: Tracy–Widom scales above the Marchenko–Pastur edge in the stop rule.
TW_SCALES = 3.5
#: A component without an anchor fails the test when its light floor exceeds
#: this multiple of the heavy floor (the anchored estimate's worst case is
#: about twice the heavy floor, docs/adversary.md).
UNANCHORED_FACTOR = 2.0


#: Tasks summed at once by :func:`light_covariances`.
_TASK_BLOCK = 1 << 18


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
    r = responsibilities(heavy, W, s2, p)
    miss = np.sort(1.0 - r.max(axis=1))[::-1]
    expected = float(miss[excess_limit(alpha, n):].sum())
    return np.argmax(r, axis=1), bool(expected <= MISASSIGN_SHARE * n), expected


def _task_grams(data):
    """Per-task ``X_iᵀX_i`` (n, d, d): one batched product per distinct task
    size (tasks of a size gathered into an (n_t, t, d) array; no loop over
    tasks)."""
    n, d = data.n_tasks, data.dim
    A = np.empty((n, d, d))
    sizes = data.sizes
    for t in np.unique(sizes):                        # loop over distinct sizes only
        idx = np.flatnonzero(sizes == t)
        Xt = data.X[data.offsets[idx][:, None] + np.arange(t)]      # (n_t, t, d)
        A[idx] = np.matmul(Xt.transpose(0, 2, 1), Xt)
    return A


def _stop_level(m, d):
    """Clean top eigenvalue bound of mean z zᵀ for m standard normal z in R^d."""
    sigma_tw = (np.sqrt(m) + np.sqrt(d)) / m * (1 / np.sqrt(m) + 1 / np.sqrt(d)) ** (1 / 3)
    return (1 + np.sqrt(d / m)) ** 2 + TW_SCALES * sigma_tw


def _capped_weights(A, usable):
    """Matrix weights of the per-task fits: each task's information X_iᵀX_i
    with its eigenvalues capped at the pool's median information per
    direction, median_i tr(A_i)/d.

    A task's fit β_i is unbiased given its design, so any weights that
    depend on the designs alone keep the weighted mean unbiased. Least
    squares weighs β_i by A_i, which lets a task whose design is long along
    one direction u (a few examples of large norm along u, within the
    screen's norm limit) outweigh many clean tasks along u: ⌊αn_H⌋ such
    tasks can then carry the estimate along u and make the clean tasks look
    like the outliers of the filter below. Capped, no task weighs more than
    a typical clean task in any direction (⌊αn_H⌋ tasks hold about their
    share ε of every direction), at the cost of the clean tasks' largest
    eigenvalues (a few per cent of the heavy estimate's variance).

    Returns ``(At, Ct)``: Ã_i = V min(Λ, c) Vᵀ and Ã_iA_i⁻¹Ã_i = V min(Λ, c)²/Λ Vᵀ.
    """
    d = A.shape[1]
    lam, V = np.linalg.eigh(A)
    # no usable task (every t_i ≤ d + 1): nothing to cap, and no anchor below
    cap = float(np.median(np.trace(A[usable], axis1=1, axis2=2))) / d if usable.any() \
        else np.inf
    capped = np.minimum(lam, cap)
    Vt = V.transpose(0, 2, 1)
    # batched products (a three-operand einsum runs its n·d³ loop unblocked: 5× slower)
    At = (V * capped[:, None, :]) @ Vt
    Ct = (V * (capped ** 2 / np.maximum(lam, 1e-300))[:, None, :]) @ Vt
    return At, Ct


def _whitened_filter(A, At, Ct, Wh, b, beta, rss_ratio, df, budget, rng, target=None,
                     level=TEST_LEVEL):
    """Robust mean of per-task fits with known covariance (one component);
    ``Wh`` holds whitening matrices L_i⁻¹ (L_iL_iᵀ = A_i), ``At``/``Ct`` the
    capped weights of :func:`_capped_weights`. With a ``target`` (the light
    estimate, independent of the heavy tasks) the spread of the fits along
    u = (target − μ̂)/‖target − μ̂‖ is tested too, at ``level`` (module
    notes); its scores are used once the eigenvalue test passes. Every
    round removes at least the task of largest score, so at most
    ``budget + 1`` rounds run.

    Returns ``(mu, gram, s2, info)``: the estimate, the effective Gram of the
    weighted mean over the kept tasks (Cov(μ̂) = s²·gram⁻¹:
    gram = G M⁻¹ G, G = Σ Ã_i, M = Σ Ã_iA_i⁻¹Ã_i), the heavy noise estimate
    and the filter's record.
    """
    m0, d = b.shape
    s2 = float(np.median(rss_ratio))
    # ŝ² is a median of m0 ratios of relative sd √(2/df): allow three of its
    # standard errors in the stop levels
    scale_err = 3 * 1.2533 * float(np.sqrt(np.mean(2.0 / df) / m0))
    kept = np.ones(m0, bool)
    Atb = np.einsum("nij,nj->ni", At, beta)
    it, ratio, dir_ratio, by_dir = 0, np.nan, np.nan, 0
    for it in range(1, budget + 2):
        m = int(kept.sum())
        G = At[kept].sum(axis=0)
        mu = np.linalg.solve(G, Atb[kept].sum(axis=0))
        z = np.einsum("nij,nj->ni", Wh, b - A @ mu) / np.sqrt(max(s2, 1e-300))
        zk = z[kept]
        v, top = top_eigvecs(zk.T @ zk / m, 1)
        ratio = float(top[0] / (_stop_level(m, d) * (1 + scale_err)))
        dir_ratio, p2 = _direction_ratio(Wh, z, kept, mu, target, level, scale_err)
        removed = m0 - m
        if (ratio <= 1 and not dir_ratio > 1) or removed >= budget:
            break
        # the eigenvalue test first (as without a target), then the direction
        score = (z @ v[:, 0]) ** 2 if ratio > 1 else p2
        by_dir += int(ratio <= 1)
        score = np.where(kept, score, 0.0)
        drop = np.flatnonzero(score > rng.uniform(0, score.max()))
        drop = drop[np.argsort(-score[drop])][:budget - removed]
        kept[drop] = False
    gram = G @ np.linalg.solve(Ct[kept].sum(axis=0), G)
    # the component along the leading directions: a median (module notes)
    mu, med = median_step(A[kept], Wh[kept], z[kept], beta[kept], mu, s2)
    return mu, gram, s2, dict(med, **{"tasks": int(m0), "removed": int(m0 - kept.sum()),
                          "iterations": it, "top_eig_over_level": ratio,
                          "direction_over_level": float(dir_ratio),
                          "direction_rounds": by_dir,
                          "passed": bool(ratio <= 1 and not dir_ratio > 1)})


def _direction_ratio(Wh, z, kept, mu, target, level, scale_err):
    """Mean of p_i² over the kept tasks, p_i = uᵀ(β_i − μ̂)/(ŝ·√(uᵀA_i⁻¹u))
    = ⟨L_i⁻¹u, z_i⟩/‖L_i⁻¹u‖ along u = (target − μ̂)/‖target − μ̂‖, over its
    clean 1 − ``level`` quantile χ²_m/m (times the ŝ² error factor); and the
    p_i² (the filter's scores when it exceeds 1). NaN without a target."""
    if target is None or not np.all(np.isfinite(target)):
        return np.nan, None
    u = target - mu
    norm = float(np.linalg.norm(u))
    if not norm > 0:
        return np.nan, None
    a = Wh @ (u / norm)                                      # L_i⁻¹u, (m, d)
    p2 = np.einsum("nd,nd->n", a, z) ** 2 / np.maximum(np.einsum("nd,nd->n", a, a), 1e-300)
    m = int(kept.sum())
    bound = float(chi2.isf(level, m)) / m * (1 + scale_err)
    return float(p2[kept].mean() / bound), p2


def _seen_corrupted(singular, alpha, n):
    """Budget left to corrupted tasks the anchor cannot see, and the
    filter's removal limit, given the mask of usable-sized tasks with a
    singular design (corrupted unless there are more than excess_limit of
    them: then the covariates are discrete by nature and none counts)."""
    limit = excess_limit(alpha, n)
    seen = int(singular.sum())
    if seen > limit:
        seen = 0
    hidden = max(ThreatModel(alpha).budget(n) - seen, 0)
    return seen, hidden, max(limit - seen, 0)


def _unanchored(tasks, needed, light_sizes, usable_sizes, p, alpha):
    """Record of a component without an anchor: its light-only estimate
    passes only when the light pool's floor is within UNANCHORED_FACTOR of
    the usable heavy tasks' (module notes)."""
    rec = {"anchored": False, "tasks": int(tasks), "needed": int(needed)}
    if light_sizes is None or p is None or not alpha > 0:
        return rec
    share = float(np.clip(np.nan_to_num(p, nan=0.0), 1e-12, 1.0))
    light = two_point_floor(light_sizes, share, alpha)
    heavy = two_point_floor(usable_sizes, share, alpha) if usable_sizes.size else np.inf
    ok = bool(np.isfinite(light) and light <= UNANCHORED_FACTOR * heavy)
    return dict(rec, light_floor=float(light), heavy_floor=float(heavy), passed=ok)


def heavy_anchor(heavy, labels, k, alpha, rng, light_sizes=None, p=None, W_light=None):
    """Robust per-component estimates from the heavy tasks.

    Parameters
    ----------
    heavy : MetaDataset
    labels : ndarray of int (n_H,)
        Component of each heavy task (:func:`heavy_assignment`).
    k : int
    alpha : float
    rng : Generator
    light_sizes : ndarray of int, optional
        Task sizes of the light pool, and
    p : ndarray (k,), optional
        its share estimates: with both, a component without an anchor is
        tested by its two-point floors (module notes, ``passed``).
    W_light : ndarray (d, k), optional
        The light estimates: the filter also tests the spread of the fits
        along the direction from its estimate to the light one, at level
        ``TEST_LEVEL / k`` (module notes; NaN columns: not tested).

    Returns
    -------
    W : ndarray (d, k)
        NaN columns for components without an anchor.
    grams : ndarray (k, d, d)
        Σ X_iᵀX_i over each component's kept tasks (Σ_H = ŝ²·grams⁻¹).
    s2 : ndarray (k,)
        Heavy noise estimates (NaN without an anchor).
    info : list of dict
        Per component: the filter's record, or ``{"anchored": False}`` with
        the usable ``tasks``, the number ``needed`` and the floors' test.
    """
    n, d = heavy.n_tasks, heavy.dim
    t = heavy.sizes
    sized = t > d + 1
    usable = sized.copy()
    A = _task_grams(heavy)
    b = heavy.task_sums(heavy.X * heavy.y[:, None])
    yy = heavy.task_sums(heavy.y ** 2)
    # whitening by Cholesky factors A_i = L_iL_iᵀ (batched; a tiny ridge keeps
    # singular designs factorable, and they are left out by their pivots)
    scale = np.trace(A, axis1=1, axis2=2) / d
    usable &= scale > 0
    ridge = np.maximum(scale, 1.0)[:, None, None] * np.eye(d)
    for eps in (1e-12, 1e-8):              # rounding can leave a rank-one A indefinite
        try:
            L = np.linalg.cholesky(A + eps * ridge)
            break
        except np.linalg.LinAlgError:
            continue
    else:
        return (np.full((d, k), np.nan), np.zeros((k, d, d)), np.full(k, np.nan),
                [{"anchored": False, "reason": "task Grams not factorable"}] * k)
    piv = np.diagonal(L, axis1=1, axis2=2) ** 2
    usable &= piv.min(axis=1) > 1e-6 * piv.max(axis=1)
    seen, hidden, budget = _seen_corrupted(sized & ~usable, alpha, n)
    needed = 2 * hidden + 3
    Wh = np.linalg.inv(L)                                             # L_i⁻¹
    beta = np.einsum("nji,nj->ni", Wh, np.einsum("nij,nj->ni", Wh, b))   # A_i⁻¹b_i
    own_rss = np.maximum(yy - np.einsum("nd,nd->n", b, beta), 0.0)
    ratio = own_rss / chi2.median(np.maximum(t - d, 1))
    At, Ct = _capped_weights(A, usable)
    W, grams, s2 = np.full((d, k), np.nan), np.zeros((k, d, d)), np.full(k, np.nan)
    info = []
    for c in range(k):                                 # loop over components only
        idx = np.flatnonzero(usable & (labels == c))
        if idx.size < needed or not np.median(ratio[idx]) > 0:           # noise-free: no scale
            info.append(_unanchored(idx.size, needed, light_sizes, t[usable],
                                    None if p is None else p[c], alpha))
            continue
        W[:, c], grams[c], s2[c], rec = _whitened_filter(
            A[idx], At[idx], Ct[idx], Wh[idx], b[idx], beta[idx], ratio[idx], t[idx] - d,
            budget, rng, None if W_light is None else W_light[:, c], TEST_LEVEL / k)
        info.append(dict(rec, anchored=True, seen_corrupted=seen, needed=needed))
    return W, grams, s2, info


def light_covariances(data, labels, k, weights_by_task=True, gram=None):
    """Per component, the Gram ``G_ℓ = Σ c_i x_jx_jᵀ`` of the light pool's
    (capped) least squares and the factor κ_ℓ of its clean covariance
    s²·κ_ℓ·G_ℓ⁻¹.

    The sandwich covariance s²G⁻¹(Σ c_i² x_jx_jᵀ)G⁻¹ is taken with
    Σ c_i² x_jx_jᵀ ≈ κ G, κ = Σ c_i² t_i / Σ c_i t_i (the weights do not
    depend on the covariates), so one pass over the pool suffices; κ = 1 for
    equal sizes.

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
    gram : ndarray (k, d, d), optional
        The Grams when the stage's fit has already summed them (no pass).

    Returns
    -------
    gram : ndarray (k, d, d)
    kappa : ndarray (k,)
    """
    c = example_weights(data, weights_by_task)
    if gram is None:
        gram = _light_grams(data, labels, k, c)
    labels, off = np.asarray(labels), data.offsets
    num, den = np.zeros(k), np.zeros(k)
    # by blocks of tasks: ``np.add.at`` adds in index order, as ``np.bincount``
    # over all tasks does (the same sums), without per-task copies of the pool
    for a in range(0, labels.size, _TASK_BLOCK):
        e = min(a + _TASK_BLOCK, labels.size)
        ok = labels[a:e] >= 0
        lab, t, cb = labels[a:e][ok], (off[a + 1:e + 1] - off[a:e])[ok], c[a:e][ok]
        np.add.at(num, lab, cb ** 2 * t)
        np.add.at(den, lab, cb * t)
    return gram, num / np.maximum(den, 1e-300)


def _light_grams(data, labels, k, c):
    """Σ c_i x_j x_jᵀ per label by one blocked pass."""
    row_w = None if np.all(c == 1.0) else np.sqrt(np.repeat(c, data.sizes))
    off, d = data.offsets, data.dim
    gram = np.zeros((k, d, d))
    # block by block (a screened pool scales each block as it is read, never
    # all of X at once)
    for a, e in task_blocks(off, data._row_bytes):
        Xb, yb = data._block(off[a], off[e])
        if row_w is not None:
            Xb = Xb * row_w[off[a]:off[e], None]
        gram += label_grams(Xb, yb, off[a:e + 1] - off[a], labels[a:e], k)[0]
    return gram


def _noise_at(light, labels, W, comps):
    """ŝ²_ℓ at W for components ``comps``: the size-weighted (capped) median
    of RSS_i/median(χ²_{t_i}) over the tasks classified to ℓ, as
    :func:`~.robust.robust_noise`, from one pass over the pool (none when
    ``comps`` is empty)."""
    if len(comps) == 0:
        return {}
    cap, off = size_cap(light.sizes), light.offsets
    labels = np.asarray(labels)
    parts = {c: ([], []) for c in comps}
    # each block's ratios kept only for its tasks of the components asked
    # (no n × k array of the pool)
    for a, e, rss in block_task_rss(light, W):
        t = off[a + 1:e + 1] - off[a:e]
        ratio = rss / chi2.median(t)[:, None]
        weight = np.minimum(t, cap).astype(float)
        lab = labels[a:e]
        for c in comps:                                # loop over components only
            sel = lab == c
            parts[c][0].append(ratio[sel, c])
            parts[c][1].append(weight[sel])
    out = {}
    for c in comps:
        r = np.concatenate(parts[c][0]) if parts[c][0] else np.empty(0)
        if r.size:
            out[c] = weighted_median(r, np.concatenate(parts[c][1]))
    return out


def pool_estimates(W_light, light_gram, light_kappa, W_heavy, heavy_gram, s2_heavy,
                   unsupported=(), bias=None, pull=1.0):
    """Precision-weighted combination with the consistency test.

    Parameters
    ----------
    W_light : ndarray (d, k)
    light_gram : ndarray (k, d, d), light_kappa : ndarray (k,)
        :func:`light_covariances`.
    W_heavy : ndarray (d, k)
        NaN columns: no anchor (the light estimate is kept).
    heavy_gram : ndarray (k, d, d)
    s2_heavy : ndarray (k,)
    unsupported : sequence of int
        Components without light tasks: the anchor alone (also when the
        light Gram is singular).
    bias : callable, optional
        ``bias(comps) -> (B, B_model)``, two estimates (d, k) of the clean
        bias of the light estimates, on the pool's responses and on
        responses drawn from the fitted model
        (:func:`~._misclass.misclassification_bias`,
        :func:`~._misclass.model_bias`), asked for the components whose √T
        exceeds √q: the test fails only when √T exceeds √q plus the smaller
        of their Mahalanobis norms (module notes).
    pull : float
        The radius r in units of √median χ²_d (0: ŵ_H alone).

    Returns
    -------
    W : ndarray (d, k)
        The pooled estimates; ŵ_H alone where the test failed.
    info : dict
        ``statistic`` T per component (NaN: not tested), ``threshold`` q,
        ``bias_allowance`` β and ``bias_norm`` (2, k) (the two estimates'
        norms; zero where not asked), ``shrunk`` per component,
        ``light_weight`` (trace share of the light precision; 0 where the
        test failed), ``failed`` per component and ``passed``.
    """
    d, k = W_light.shape
    q = float(chi2.isf(TEST_LEVEL / k, d))
    radius2 = pull ** 2 * float(chi2.median(d))
    W = W_light.copy()
    stat, shrunk, share = np.full(k, np.nan), np.zeros(k, bool), np.full(k, np.nan)
    allow, bias_norm, S_inv = np.zeros(k), np.zeros((2, k)), np.zeros((k, d, d))
    for c in range(k):                                 # loop over components only
        if not np.all(np.isfinite(W_heavy[:, c])):
            continue
        ev = np.linalg.eigvalsh(light_gram[c])
        if c in unsupported or not ev[0] > 1e-10 * ev[-1]:    # no light estimate to pool
            W[:, c], share[c] = W_heavy[:, c], 0.0
            continue
        s2 = s2_heavy[c]
        G_inv = np.linalg.inv(light_gram[c])
        cov_l = s2 * light_kappa[c] * G_inv
        cov_h = s2 * np.linalg.inv(heavy_gram[c])
        D = W_light[:, c] - W_heavy[:, c]
        S_inv[c] = np.linalg.inv(cov_l + cov_h)
        stat[c] = float(D @ S_inv[c] @ D)
        if stat[c] > radius2:
            D, shrunk[c] = D * np.sqrt(radius2 / stat[c]), True
        prec_l = np.linalg.inv(cov_l)
        prec = prec_l + np.linalg.inv(cov_h)
        W[:, c] = W_heavy[:, c] + np.linalg.solve(prec, prec_l @ D)
        share[c] = float(np.trace(prec_l) / np.trace(prec))
    over = np.flatnonzero(np.nan_to_num(stat) > q)
    if over.size and bias is not None:
        norms = [np.sqrt(np.maximum(np.einsum("dc,cde,ec->c", B[:, over], S_inv[over],
                                              B[:, over]), 0.0)) for B in bias(over)]
        bias_norm[:, over] = norms
        allow[over] = np.min(norms, axis=0)
    failed = np.sqrt(np.nan_to_num(stat)) > np.sqrt(q) + allow
    # the light estimate shown inconsistent: the anchor alone (module notes)
    W[:, failed], share[failed] = W_heavy[:, failed], 0.0
    return W, {"statistic": stat, "threshold": q, "bias_allowance": allow,
               "bias_norm": bias_norm, "radius2": radius2,
               "shrunk": shrunk, "light_weight": share, "failed": failed,
               "passed": not bool(failed.any())}


def refit_noise(light, labels, W, s2, p, unsupported=()):
    """ŝ² of the light pool refitted at the final W from every task weighted
    by its posterior (:func:`~.noise_check.posterior_noise`); components in
    ``unsupported`` (no light task, W from the clustering) and those without
    an estimate keep theirs. Returns ``(s2, info)``, info holding the
    estimates over the classified tasks (``s2_classified``), the levels the
    refit started from (``start``, the medians over the tasks each ŵ_ℓ fits
    best) and ``collapsed``: the components whose posterior-weighted median
    fell below ``COLLAPSE`` × its start (held at the start; a failed test:
    :func:`~.noise_check.posterior_noise`, Notes)."""
    s2 = np.asarray(s2, dtype=float)
    refined, start = _posterior_levels(light, labels, W, p)
    new = _held(refined, start)
    use = np.isfinite(new) & np.isfinite(s2)
    use[list(unsupported)] = False
    with np.errstate(invalid="ignore"):
        collapsed = use & np.isfinite(refined) & (refined < COLLAPSE * start)
    return np.where(use, new, s2), {"s2_classified": s2, "refitted": use, "start": start,
                                    "collapsed": collapsed}


def _fabricable(labels, k, alpha, unsupported=()):
    """Fitted components that kept no more light tasks than the adversary
    may write (αn plus the Binomial margin): every one of them can be its.

    Without the heavy anchor nothing else tells such a component from a
    fabricated one. On the small-heavy problem (d 64, k 8, α = 0.05) a
    light-1 variance hiding, a heavy midpoint and noisy (0.4·s) light-2
    edge placement left 994 light tasks to one component's fit, and its ŵ
    at the adversary's vector (0.52·s, silent before this test)."""
    labels = np.asarray(labels)
    n = np.bincount(labels[labels >= 0], minlength=k)[:k]
    small = (n > 0) & (n <= excess_limit(alpha, labels.size))
    small[list(unsupported)] = False
    return np.flatnonzero(small).tolist()


def use_heavy(light, labels, kept_labels, heavy, W, s2, p, alpha, rng, *, anchor, cross_check,
              unsupported=(), weights_by_task=True, light_gram=None, noise_refit="never",
              pull=1.0):
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
    light_gram : ndarray (k, d, d), optional
        The stage's Σ c_i x_j x_jᵀ per component of ``kept_labels``, when
        its fit summed them (:func:`light_covariances` then reads no rows).
    noise_refit : {"never", "auto", "always"}
        Refit the light ŝ² at the final ŵ from every task weighted by its
        posterior (:func:`refit_noise`) before the cross-check: ``"auto"``
        only when the cross-check does not run.
    pull : float
        :func:`pool_estimates`' radius in units of √median χ²_d.

    Returns
    -------
    W, s2 : ndarray
    info : dict
        ``"heavy_assignment"`` (``reliable``, ``expected_misassigned``),
        ``"anchor"`` (per-component heavy records and the combination's
        test), ``"posterior_noise"`` and ``"noise_check"``; ``passed`` is False when a consistency
        test or a heavy filter failed.
    """
    k = W.shape[1]
    hlabels, reliable, expected = heavy_assignment(heavy, W, s2, p, alpha)
    info = {"heavy_assignment": {"reliable": reliable, "expected_misassigned": expected},
            "passed": True}
    if anchor and reliable:
        target = W.copy()
        target[:, list(unsupported)] = np.nan            # no light estimate to point at
        W_h, grams, s2_h, comp = heavy_anchor(heavy, hlabels, k, alpha, rng, light.sizes, p,
                                              target)
        gram_l, kappa_l = light_covariances(light, kept_labels, k, weights_by_task,
                                            light_gram)
        W_new, comb = pool_estimates(
            W, gram_l, kappa_l, W_h, grams, s2_h, unsupported,
            lambda comps: (misclassification_bias(light, kept_labels, W, s2, p, gram_l, comps,
                                                  weights_by_task),
                           model_bias(light, W, s2, p, gram_l, comps, rng, weights_by_task)),
            pull)
        s2 = s2.copy()
        moved = [c for c in np.flatnonzero(np.any(W_new != W, axis=0)) if c not in unsupported]
        for c, v in _noise_at(light, labels, W_new, moved).items():
            s2[c] = v
        heavy_ok = all(r.get("passed", True) for r in comp)
        info["anchor"] = dict(comb, W_light=W, W_heavy=W_h, s2_heavy=s2_h, heavy=comp,
                              heavy_passed=heavy_ok)
        info["passed"] = comb["passed"] and heavy_ok
        W = W_new
    elif anchor:
        # no heavy bound on what the light tasks do: a median along their
        # gradients' leading direction instead (:mod:`._light_median`)
        W, med = light_median_step(light, labels, W)
        own = _fabricable(kept_labels, k, alpha, unsupported)
        info["anchor"] = {"skipped": "heavy assignment unreliable", "light_median": med,
                          "fabricable": own}
        info["passed"] = info["passed"] and not own
    if noise_refit == "always" or (noise_refit == "auto" and not (cross_check and reliable)):
        s2, info["posterior_noise"] = refit_noise(light, labels, W, s2, p, unsupported)
        info["passed"] = info["passed"] and not info["posterior_noise"]["collapsed"].any()
    if cross_check and reliable:
        s2, info["noise_check"] = cross_check_noise(heavy, None, W, s2,
                                                    se_light=light_noise_se(light, labels, s2))
    elif cross_check:
        info["noise_check"] = {"skipped": "heavy assignment unreliable"}
    return W, s2, info
