"""The heavy pool's robust estimate of each component (private module): the
anchor that :mod:`._pooled` combines with the light-pool regression.

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
That holds tasks written over a clean sample; by choosing *which* clean
tasks to replace (those furthest against the shift) the adversary also
moves the clean remainder, and red teams doing so left the heavy estimate
0.15–0.17·s off with the test quiet (docs/adversary.md; the medians below
answer part of it).
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
remaining ones are a majority). A component below that has no anchor;
its light-only estimate then fails the stage's test (a CorruptionWarning)
when its worst case — the light pool's two-point floor
(:func:`~robust_mlr.limits.two_point_floor`, share p̂_ℓ) plus its sampling
error — exceeds the worst case the anchored estimate would have had at the
max(needed, m + b) tasks the component could have held, a finite-sample
law in the tasks, d and t_H (:mod:`._unanchored`), or is infinite.
"""

from __future__ import annotations

import numpy as np

from ..._dist import chi2
from ..._linalg import top_eigvecs
from ...limits import two_point_floor
from ...threat import ThreatModel, excess_limit
from ._directional_median import median_step
from ._misclass import responsibilities
from ._unanchored import agreement, unanchored

__all__ = ["heavy_assignment", "heavy_anchor"]

#: Level of the light–heavy consistency test over all components of a fit
#: (also the heavy filter's directional test, per component).
TEST_LEVEL = 1e-3
#: Expected misassigned clean heavy tasks allowed, as a share of the pool.
MISASSIGN_SHARE = 0.01
#: Tracy–Widom scales above the Marchenko–Pastur edge in the stop rule.
TW_SCALES = 3.5
#: Robust standard deviations (1.4826·MAD) of the pool's capped traces
#: tr(Ã_i) above their median beyond which a task's whole weight is scaled
#: down to that limit (:func:`_capped_weights`).
TRACE_SDS = 6.0
#: A task Gram with smallest eigenvalue at most this share of its largest is
#: singular to rounding (relative errors ≈ d·10⁻¹⁶ on the eigenvalues): its
#: own fit is undefined and it is left out of the anchor like a singular one.
SINGULAR_RTOL = 1e-10


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


def _numerically_regular(A, lam=None):
    """Mask of Grams whose smallest eigenvalue exceeds SINGULAR_RTOL times
    the largest (the others are singular up to rounding, ≈ d·10⁻¹⁶);
    ``lam``: the eigenvalues of every A_i (ascending), when known (every A_i
    finite), else computed here."""
    ok = np.isfinite(A).all(axis=(1, 2))
    lam = np.linalg.eigvalsh(A[ok]) if lam is None else lam[ok]
    ok[ok] = lam[:, 0] > SINGULAR_RTOL * lam[:, -1]
    return ok


def _stop_level(m, d):
    """Clean top eigenvalue bound of mean z zᵀ for m standard normal z in R^d."""
    sigma_tw = (np.sqrt(m) + np.sqrt(d)) / m * (1 / np.sqrt(m) + 1 / np.sqrt(d)) ** (1 / 3)
    return (1 + np.sqrt(d / m)) ** 2 + TW_SCALES * sigma_tw


def _capped_weights(A, usable, eig=None):
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

    The cap holds per direction, not in all directions at once: a clean
    task's eigenvalues spread about c (at t = 128, d = 32 from ≈ c/4 to
    ≈ 2.25c), so its capped trace is ≈ 0.79·d·c, while a design with every
    eigenvalue at c (XᵢᵀXᵢ = cI) has d·c — 1.27 clean tasks' weight along
    *every* direction, the shift it is placed along included (the red-team
    rows riding the filter's gates held 27 % of a component's weight with
    23 % of its tasks). A task's Ã_i is therefore also scaled down so that
    tr Ã_i is at most the pool's median capped trace plus
    :data:`TRACE_SDS` robust standard deviations (1.4826·MAD) of them. Clean
    traces of equal-size tasks concentrate (default problem: all within
    1.035 of the median, the limit ≈ 1.08), so the limit binds on no clean
    task there and leaves their weights, and clean fits, as they were; the
    median and MAD have breakdown ½, so ⌊αn_H⌋ tasks move the limit by a
    quantile gap only, and each of them then weighs at most the limit over
    a typical clean trace (≈ 1.08 instead of 1.27). Weights that depend on
    the designs alone keep the mean unbiased (above).

    Returns ``(At, Ct)``: Ã_i = f_i·V min(Λ, c) Vᵀ and
    Ã_iA_i⁻¹Ã_i = f_i²·V min(Λ, c)²/Λ Vᵀ, f_i ≤ 1 the trace limit's factor
    (``eig``: ``np.linalg.eigh(A)``, when the caller has it).
    """
    d = A.shape[1]
    lam, V = np.linalg.eigh(A) if eig is None else eig
    # no usable task (every t_i ≤ d + 1): nothing to cap, and no anchor below
    cap = float(np.median(np.trace(A[usable], axis1=1, axis2=2))) / d if usable.any() \
        else np.inf
    # a direction the design does not reach carries no information: an
    # eigenvalue rounded to ≤ 0 (a rank-deficient A_i) weighs 0, never
    # capped²/λ with λ at the rounding floor (≈ 10²⁷⁰ for λ ≈ −10⁻¹⁵)
    lam = np.maximum(lam, 0.0)
    capped = np.minimum(lam, cap)
    Vt = V.transpose(0, 2, 1)
    # batched products (a three-operand einsum runs its n·d³ loop unblocked: 5× slower)
    At = (V * capped[:, None, :]) @ Vt
    ratio = np.divide(capped ** 2, lam, out=np.zeros_like(lam), where=lam > 0)
    Ct = (V * ratio[:, None, :]) @ Vt
    if usable.any():
        tr = capped.sum(axis=1)
        med = float(np.median(tr[usable]))
        limit = med + TRACE_SDS * 1.4826 * float(np.median(np.abs(tr[usable] - med)))
        over = tr > limit
        if over.any():                       # no clean task of an equal-size pool
            f = limit / tr[over]
            At[over] *= f[:, None, None]
            Ct[over] *= (f ** 2)[:, None, None]
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
    ``budget + 1`` rounds run. The budget (the whole pool's removal limit)
    is capped at m − 1: a component of few tasks whose filter would remove
    them all keeps one, instead of leaving no task to average (a singular Gram: 5 tasks against a limit of 5 at n_H = 20,
    α = 0.05, under ``anchor_starve`` + edge placement).

    Returns ``(mu, gram, s2, info)``: the estimate, the effective Gram of the
    weighted mean over the kept tasks (Cov(μ̂) = s²·gram⁻¹:
    gram = G M⁻¹ G, G = Σ Ã_i, M = Σ Ã_iA_i⁻¹Ã_i), the heavy noise estimate
    and the filter's record.
    """
    m0, d = b.shape
    budget = min(budget, m0 - 1)
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


def heavy_anchor(heavy, labels, k, alpha, rng, light_sizes=None, p=None, W_light=None,
                 pull=1.0, light_precision=None):
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
    pull : float
        The pooling's pull (:func:`~._pooled.pool_estimates`), for the
        anchored worst case a component without an anchor is tested against
        (:mod:`._unanchored`).
    light_precision : ndarray (k, d, d), optional
        The light estimates' precisions per unit noise, G_L/κ: with it (and
        ``W_light``),
        a component without an anchor is also tested for its usable heavy
        tasks' agreement with its light estimate (:func:`~._unanchored.agreement`).

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
    # the pivots of an unpivoted Cholesky factor need not reveal a rank
    # deficiency (Chebyshev rows with their whitened component along one
    # direction zeroed: eigenvalues ±10⁻¹⁵, smallest pivot still 2.5·10⁻⁵ of
    # the largest): the eigenvalues decide. Below SINGULAR_RTOL of the
    # largest the design is singular to rounding and β_i is not defined
    # one eigendecomposition of the Grams serves the test and the capped
    # weights (eigvalsh's values agree with eigh's to ≈ 10⁻¹⁴ relative; the
    # test can differ only for a ratio within that of SINGULAR_RTOL)
    eig = np.linalg.eigh(A) if np.isfinite(A).all() else None
    usable &= _numerically_regular(A, None if eig is None else eig[0])
    seen, hidden, budget = _seen_corrupted(sized & ~usable, alpha, n)
    needed = 2 * hidden + 3
    Wh = np.linalg.inv(L)                                             # L_i⁻¹
    beta = np.einsum("nji,nj->ni", Wh, np.einsum("nij,nj->ni", Wh, b))   # A_i⁻¹b_i
    own_rss = np.maximum(yy - np.einsum("nd,nd->n", b, beta), 0.0)
    ratio = own_rss / chi2.median(np.maximum(t - d, 1))
    At, Ct = _capped_weights(A, usable, eig)
    W, grams, s2 = np.full((d, k), np.nan), np.zeros((k, d, d)), np.full(k, np.nan)
    info = []
    # the filter's stop level at m usable tasks, its ŝ² error factor included
    inv_df = float(np.mean(2.0 / (t[usable] - d))) if usable.any() else np.inf
    level_of = lambda m: _stop_level(m, d) * (1 + 3 * 1.2533 * np.sqrt(inv_df / m))  # noqa: E731
    for c in range(k):                                 # loop over components only
        idx = np.flatnonzero(usable & (labels == c))
        if idx.size < needed or not np.median(ratio[idx]) > 0:           # noise-free: no scale
            agree = np.nan
            if light_precision is not None and W_light is not None and usable.any():
                # the heavy tasks' own scale (module notes of _unanchored)
                # the pool's median, or the component's own where its tasks hold a
                # clean majority and it is larger (module notes of _unanchored)
                pool = np.flatnonzero(usable)
                s2_c = float(np.median(ratio[pool]))
                if idx.size >= 2 * hidden + 1:
                    s2_c = max(s2_c, float(np.median(ratio[idx])))
                # the pool median's error factor (relative sd √(2/df)), as the filter's
                err = 3 * 1.2533 * float(np.sqrt(np.mean(2.0 / (t[pool] - d)) / pool.size))
                agree = agreement(beta[idx], A[idx], W_light[:, c], s2_c,
                                  light_precision[c], TEST_LEVEL / k) / (1 + err)
            info.append(unanchored(idx.size, needed, ThreatModel(alpha).budget(n), hidden, d,
                                   light_sizes, t[usable], None if p is None else p[c], alpha,
                                   level_of, pull, agree))
            continue
        W[:, c], grams[c], s2[c], rec = _whitened_filter(
            A[idx], At[idx], Ct[idx], Wh[idx], b[idx], beta[idx], ratio[idx], t[idx] - d,
            budget, rng, None if W_light is None else W_light[:, c], TEST_LEVEL / k)
        info.append(dict(rec, anchored=True, seen_corrupted=seen, needed=needed))
    return W, grams, s2, info
