"""Robust per-component regression on tasks: the regression stages
``"filter"`` and ``"huber"``.

**Task filter (SEVER / Diakonikolas–Kong–Stewart style).** A corrupted task is
an outlier *block*, so the filter works on per-task gradients of the least
squares loss at the current fit ŵ,

    g_i = t_i^{-1/2} X_iᵀ (X_i ŵ − y_i)   (√t_i times the mean gradient),

which for clean tasks have covariance ≈ (s² + ‖ŵ − w‖²) I (Gaussian x)
whatever their size: with heterogeneous sizes an unstandardised gradient's
clean spread is dominated by the small tasks, and a coherent shift written
into the largest tasks (small noise, large weight) hides under it (0.28 at
α = 0.05 on the default problem with unstandardised gradients, see
docs/robust_pipeline.md). Corrupted tasks
that move ŵ must push their gradients coherently, creating a large top
eigenvalue λ₁ of the gradients' covariance. Iterate: fit, centre the
gradients, top eigenvector v; stop when λ₁ ≤ (1 + 2√(d/n))² · max(tr/d, λ₁(M))
(the Marchenko–Pastur edge for isotropic clean gradients, with the noise
level read off the trace, or off the per-example moment
M = mean r_j² x_j x_jᵀ, which is the clean gradient covariance for any
covariate law and which a coherent corrupted task raises t_i times less
than the gradients' covariance) and the top eigenvalue of
M^{-1/2} C M^{-1/2} is within its own edge too (the reference read along
the direction tested, :func:`_covariance_test`); else remove tasks with
probability ∝ ⟨g_i, v⟩² along the direction that failed (one uniform
threshold on [0, max score]), draws continuing at the same fit until the
test passes there, then refit (:mod:`._fixed_fit`).

**Cost of a round.** The kept tasks' normal equations are summed once and
each round subtracts the tasks it removed (a sum over those tasks' rows
only); a round then reads the rows for the residuals, the gradients and the
per-example moment, in blocks through reused buffers.

**Bounded influence.** Every task weighs at most t_cap
(:func:`~robust_mlr.stages.screening.size_cap`) in the least-squares fit
(example weights min(t_i, t_cap)/t_i), so any ⌊αn⌋ tasks hold ≤ 2α of the
weight whatever sizes they pick; the removal budget is the pool's
αn + 3√(αn) + 1 (Binomial margin) in *each* component, so the whole budget
may sit in one component; ŝ² is a size-weighted median of χ²-scaled
per-task residual variances (:func:`robust_noise`), which tasks with zero
gradient cannot inflate; p̂ is the share of tasks classified to each
component.

**Huber** (baseline): iteratively reweighted least squares on examples with
Huber weights min(1, 1.345 σ̂/|r|), σ̂ = 1.4826·MAD of residuals.
"""

from __future__ import annotations

import warnings

import numpy as np

from ... import _scratch
from ..._dist import chi2

from ..._linalg import gram_solve, least_squares, normal_equations, top_eigvecs
from ..._segments import BLOCK_BYTES, BlockSums, task_blocks
from ..._select import weighted_median
from ..._validation import check_alpha, check_rng
from ...data import MetaDataset, example_rows
from ...exceptions import ConvergenceWarning, EmptyClusterError
from ..screening import excess_limit, size_cap
from ._clipped_test import candidate_directions, moment_rows, reading_sample
from ._example_clip import clipped_refit
from ._fixed_fit import FIXED_FIT_FROM, downdate, draw, draws_at_fit
from ._huber import huber_regression
from ._passes import first_round
from ._refit_agreement import refit_agreement

__all__ = ["filter_regression", "huber_regression", "filter_components", "robust_noise"]


def _ls(X, y, weights=None):
    """Weighted least squares by the normal equations (:func:`robust_mlr._linalg.least_squares`:
    a tenth of an SVD's cost; the SVD where XᵀWX is rank-deficient or ill-conditioned)."""
    return least_squares(X, y, weights)


def _round_sums(data, r, weights, out, buf=None):
    """One pass over a component's rows at the round's residuals ``r``: each
    task's gradient Σ_j r_j x_j into ``out`` (n × d) and, with ``buf`` (a
    block's weighted rows), the per-example moment Σ_j w_j r_j² x_j x_jᵀ /
    Σ_j w_j (d × d), each block read once for both. Returns ``(out, M or None)``.

    The examples of a task are independent, so a clean task's gradient has
    the covariance of one example's r·x, E[r² x xᵀ]: s² I for whitened
    covariates at the true w, anisotropic along the fit's error for others
    (their fourth moments) and under model misfit. Corrupted tasks that
    push their gradients coherently put t_i times more into the gradients'
    covariance than into this moment, so it serves as the clean reference
    — direction by direction (:func:`_covariance_test`)."""
    off, X, d = data.offsets, data.X, data.dim
    sums = BlockSums()
    M = None if buf is None else np.zeros((d, d))
    for a, e in task_blocks(off, data._row_bytes):       # loop over row blocks
        lo, hi = int(off[a]), int(off[e])
        Xb = X[lo:hi]
        out[a:e] = sums(off[a:e + 1] - lo, Xb, r[lo:hi])
        if M is not None:
            s = r[lo:hi] * np.sqrt(weights[lo:hi])
            R = np.multiply(Xb, s[:, None],
                            out=buf[:Xb.size].reshape(Xb.shape) if Xb.size <= buf.size else None)
            M += R.T @ R
    if M is not None:
        M /= max(float(weights.sum()), 1e-300)
    return out, M


def _solve(G, b, X, y, weights):
    """ŵ from the normal equations (G, b) of the kept tasks; when G is not
    well conditioned, :func:`_ls` on the rows (its SVD fallback)."""
    w = gram_solve(G, b)
    return _ls(X, y, weights) if w is None else w


def robust_noise(data: MetaDataset, w, kept=None, t_cap=None):
    """ŝ² = weighted median over tasks of RSS_i / median(χ²_{t_i}), task
    weights min(t_i, t_cap).

    For a clean task RSS_i/s² ~ χ²_{t_i}, so every ratio RSS_i/med(χ²_{t_i})
    has median s² whatever t_i: the (weighted) sample median is consistent
    for mixed sizes. Larger tasks weigh more (they are classified more
    reliably) but at most t_cap, so ⌊αn⌋ tasks hold ≤ 2α of the weight and
    move ŝ² by at most the gap between the clean (1/2 ± 2α) quantiles of the
    ratios, however large their residuals.
    """
    return _noise(data.sizes, data.task_sums((data.y - data.X @ w) ** 2), kept, t_cap)


def _noise(sizes, rss, kept=None, t_cap=None):
    """:func:`robust_noise` from the task sizes and per-task residual sums of squares."""
    kept = np.ones(sizes.size, bool) if kept is None else kept
    t = sizes[kept]
    t_cap = size_cap(sizes) if t_cap is None else t_cap
    rss = rss[kept]
    ratio = rss / chi2.median(t)                 # evaluated once per distinct size
    return weighted_median(ratio, np.minimum(t, t_cap))


def _gradient_test(g, kept, d, reference=None, buf=None):
    """The kept tasks' centred gradients, the direction of their covariance
    farthest above the clean reference and its excess over the
    Marchenko–Pastur edge (:func:`_covariance_test`). The gradients are
    centred in place: ``g`` itself while all tasks are kept, else their
    copy in ``buf`` (an array of g's shape, reused across rounds)."""
    if kept.all():
        gk = g
    else:
        rows = np.flatnonzero(kept)
        # np.take in mode "clip" into the buffer: the rows of g[kept], unbuffered
        gk = np.take(g, rows, axis=0, out=None if buf is None else buf[:rows.size],
                     mode="clip")
    gk -= gk.mean(axis=0)
    v, ratio = _covariance_test(gk.T @ gk / kept.sum(), kept.sum(), d, reference)
    return gk, v, ratio


#: Eigenvalues of the per-example moment are raised to this share of its
#: mean eigenvalue before it whitens the gradients (a direction the moment
#: barely sees is then held to the mean scale, not to nothing).
REFERENCE_FLOOR = 0.1


def _covariance_test(C, n, d, reference=None):
    """The gradients' covariance C (n tasks) against the clean reference R
    (the per-example moment, :func:`_round_sums`) in two readings;
    returns the direction along which a task's gradient scores and the
    larger of the two excesses over the Marchenko–Pastur edge
    mp = (1 + 2√(d/n))²:

    * *scalar*: the top eigenpair (λ, v) of C against mp · max(tr C/d,
      λ₁(R)) — R's largest eigenvalue wherever it lies;
    * *directional*: the top eigenpair (λ, u) of A = R^{-1/2} C R^{-1/2}
      against mp · max(tr A/d, 1), direction R^{-1/2}u (R's eigenvalues
      raised to :data:`REFERENCE_FLOOR` of their mean).

    Each reading misses what the other sees. Tasks of the true w whose
    examples put the screen's whole leverage on one direction z, with
    residuals of clean size whose signs cancel within the task, add
    nothing to the gradients but inflate R along z: the scalar reading
    then let a coherent shift along another direction pass (6.0 × the
    moment there, under a reference 6.2 × the clean one), the directional
    one does not. Tasks that shift ŵ raise R along their own direction
    with their residuals, which the directional reading divides by (a
    sign flip or a centre shift of 10 % of light 2 at t = 8 pass it at
    0.95–0.97 of its edge, the scalar reading at 1.01–1.03). On clean data
    both stay below their edges (0.74–0.80 on these problems). Without R
    (None) the reference is tr C/d."""
    mp = (1 + 2 * np.sqrt(d / n)) ** 2
    v, lam = top_eigvecs(C, 1)
    if reference is None:
        return v, float(lam[0] / max(mp * np.trace(C) / d, 1e-300))
    lam_r, V = np.linalg.eigh(reference)
    scalar = float(lam[0] / max(mp * max(np.trace(C) / d, lam_r[-1]), 1e-300))
    floor = REFERENCE_FLOOR * max(float(lam_r.mean()), 1e-300)
    root = V / np.sqrt(np.maximum(lam_r, floor))          # R^{-1/2} = root @ Vᵀ
    A = root.T @ C @ root                                  # in R's eigenbasis
    u, lam_a = top_eigvecs(A, 1)
    directional = float(lam_a[0] / max(mp * max(np.trace(A) / d, 1.0), 1e-300))
    if scalar >= directional:
        return v, scalar
    return root @ u, directional


def filter_regression(data: MetaDataset, alpha, rng=None, max_iter=50, *, budget=None,
                      t_cap=None, start=None, removed=None):
    """Weighted least squares on a set of tasks, filtering corrupted tasks by
    their gradients.

    Parameters
    ----------
    data : MetaDataset
        The tasks of one component.
    alpha : float
        Corrupted fraction assumed.
    rng : None, int or Generator
    max_iter : int
    budget : int, optional
        Most tasks the filter may remove (default αn + 3√(αn) + 1 for this
        set; the regression stage passes the budget of the whole pool, so
        the adversary's whole budget may sit in one component).
    t_cap : float, optional
        Task-size cap of the example weights (default
        :func:`~robust_mlr.stages.screening.size_cap`).
    start : tuple (G, b, M), optional
        The first round's normal equations G = Σ c_i x_j x_jᵀ, b = Σ c_i y_j x_j
        over all tasks of the set (c_i = min(t_i, t_cap)/t_i) and the
        per-example moment at their solution, when a pass
        over the pool has summed them already (the regression stage's first
        round): the filter then reads the rows once less. G and b are
        updated in place (float64 arrays): on return they are the kept
        tasks' normal equations.
    removed : ndarray of int, optional
        Tasks of the set removed before the first round (a previous filter
        of the same pool removed them; they count against the budget),
        unless the rest would have no more than d examples. The first round
        then fits the remaining tasks and reads its own per-example moment.

    Returns
    -------
    w : ndarray (d,)
    s2 : float
        :func:`robust_noise` at ŵ over all tasks of the set.
    kept : ndarray of bool (n,)
    info : dict
        ``iterations``, ``removed``, ``top_eig_over_edge`` and ``passed``
        (the final top eigenvalue is within the clean edge).

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks
    >>> theta = make_params(5, 1, rng=0)
    >>> w, s2, kept, info = filter_regression(make_tasks(theta, 500, 8, rng=1), 0.05, rng=0)
    >>> bool(np.linalg.norm(w - theta.W[:, 0]) < 0.1), info["passed"]
    (True, True)
    """
    rng = check_rng(rng)
    alpha = check_alpha(alpha)
    n, d = data.n_tasks, data.dim
    kept = np.ones(n, bool)
    budget = excess_limit(alpha, n) if budget is None else int(budget)
    t = data.sizes.astype(float)
    t_cap = size_cap(t) if t_cap is None else float(t_cap)
    X, y = data.X, data.y
    ex_w = np.repeat(np.minimum(t, t_cap) / t, data.sizes)     # example weights (capped)
    wt = ex_w.copy()                             # of the kept tasks (dropped rows weigh 0)
    # buffers reused by every round: the residuals, the gradients (twice: the
    # kept ones are centred in a copy) and one block of weighted rows
    r = np.empty(X.shape[0])
    g, g_kept = _scratch.empty("filter_g", (n, d)), _scratch.empty("filter_g_kept", (n, d))
    root_t = np.sqrt(t)[:, None]
    buf = np.empty(min(X.shape[0], max(1, BLOCK_BYTES // (X.itemsize * d))) * d)
    # the kept tasks' normal equations: summed once (or given), then each
    # round downdated by the tasks it removes (:func:`~._fixed_fit.downdate`)
    if start is None:
        G, b = normal_equations(X, y, wt, buf)
        moment = None
    else:
        G, b, moment = (np.asarray(start[0], dtype=float), np.asarray(start[1], dtype=float),
                        start[2])

    def remove(tasks):
        kept[tasks] = False
        downdate(G, b, data, ex_w, tasks)
        wt[example_rows(data.offsets, tasks)] = 0.0

    removed = np.asarray([] if removed is None else removed, dtype=np.int64)
    if removed.size and t.sum() - t[removed].sum() > d:   # a fit must remain
        remove(removed)
        moment = None                  # the given one is at the fit over every task
    it, lam_ratio = 0, np.nan
    for it in range(1, max_iter + 1):
        w = _solve(G, b, X, y, wt)
        np.matmul(X, w, out=r)
        r -= y
        # standardised gradients √t_i·ḡ_i: clean covariance ≈ (s² + ‖ŵ − w‖²) I
        # whatever t_i, so the Marchenko–Pastur edge below is the clean law's
        fresh = it > 1 or moment is None
        g, M = _round_sums(data, r, wt, g, buf if fresh else None)
        g /= root_t
        if fresh:
            moment = M
        gk, v, lam_ratio = _gradient_test(g, kept, d, moment, g_kept)
        n_removed = n - kept.sum()
        if alpha == 0 or lam_ratio <= 1 or n_removed >= budget:
            break
        score = np.zeros(n)
        score[kept] = (gk @ v[:, 0]) ** 2
        drop = draw(score, rng, budget - n_removed)
        if it < FIXED_FIT_FROM:        # one draw a round, then refit (FIXED_FIT_FROM > 1)
            remove(drop)
        else:                          # draws at this fit until its test passes (_fixed_fit)
            draws_at_fit(g, kept, X, r, wt, moment, data.offsets, drop, rng,
                         budget - n_removed, remove, _covariance_test)
    else:
        warnings.warn(f"regression filter stopped at max_iter={max_iter} with top eigenvalue "
                      f"{lam_ratio:.3g} x its clean edge; raise max_iter", ConvergenceWarning,
                      stacklevel=2)
        # the last pass removed tasks after its fit (a break leaves ŵ fitted
        # on the final kept set, so no refit is needed there)
        w = _solve(G, b, X, y, wt)
        np.matmul(X, w, out=r)
        r -= y
    # ŝ² over all the component's tasks, not the kept ones: the filter
    # removes tasks with large aligned gradients, i.e. large residuals, so
    # ŝ² on the kept tasks is biased low whenever it removes clean tasks; the
    # weighted median needs no filtering to bound the corrupted tasks
    # (the residuals r are at the final ŵ: (y − Xŵ)² = r² exactly)
    return w, _noise(data.sizes, data.task_sums(r * r), None, t_cap), kept, {
        "iterations": it, "removed": int((~kept).sum()), "budget": budget,
        "top_eig_over_edge": lam_ratio, "passed": bool(alpha == 0 or lam_ratio <= 1)}


def _allowed_removals(removed, labels, sizes, k, budget, d):
    """``removed`` (bool, n) kept only in the components where it fits the
    budget and leaves more than d examples; None when nothing is left."""
    if removed is None:
        return None
    removed = np.asarray(removed, bool) & (labels >= 0)
    lab = np.maximum(labels, 0)
    rest = (np.bincount(lab, weights=sizes * (labels >= 0), minlength=k)
            - np.bincount(lab, weights=sizes * removed, minlength=k))
    ok = (np.bincount(lab, weights=removed, minlength=k) <= budget) & (rest > d)
    removed &= ok[lab]
    return removed if removed.any() else None


def _per_component(data, labels, k, fit, skip_empty=False, quick=None):
    """Apply ``fit(subset, c) -> (w, s2, kept_mask, info)`` per component c; with
    ``skip_empty`` a component with too few examples gets NaN (w, s²) and
    ``info["unsupported"]`` instead of an EmptyClusterError.

    p̂ is the share of tasks *classified* to each component (flagged tasks
    excluded), not of those a filter kept: a filter removing clean tasks of
    one component cannot bias p̂, and ⌊αn⌋ corrupted tasks move it by ≤ α/(1−α).

    ``quick(c, idx)``, if given, may return component c's result without its
    subset (None: fit it on the subset).
    """
    d = data.dim
    W, s2 = np.empty((d, k)), np.empty(k)
    final = labels.copy()
    infos = [{"removed": 0, "passed": False, "unsupported": True}] * k
    groups = [np.flatnonzero(labels == c) for c in range(k)]
    fitted = [c for c in range(k) if data.sizes[groups[c]].sum() > d]
    for c in sorted(set(range(k)) - set(fitted)):
        if not skip_empty:
            idx = groups[c]
            raise EmptyClusterError(
                f"component {c} received {idx.size} tasks with {int(data.sizes[idx].sum())} "
                f"examples; regression in d={d} needs more than {d}")
        W[:, c], s2[c] = np.nan, np.nan
    done = {} if quick is None else {c: quick(c, groups[c]) for c in fitted}
    slow = [c for c in fitted if done.get(c) is None]
    # one component's rows at a time (a screened pool gathers them into one buffer)
    done.update((c, fit(sub, c))
                for c, sub in zip(slow, data._subsets([groups[c] for c in slow])))
    for c in fitted:
        W[:, c], s2[c], kept, infos[c] = done[c]
        final[groups[c][~kept]] = -1
    counts = np.bincount(labels[labels >= 0], minlength=k)
    return W, s2, counts / max(counts.sum(), 1), final, infos


def filter_components(data, labels, k, alpha=0.0, rng=None, max_iter=50, skip_empty=False,
                      example_clip=1.5, leverage_cap=4.0, removed=None, task_clip=None):
    """Regression stage ``"filter"``: :func:`filter_regression` per component
    with the removal budget of the whole pool (αn + 3√(αn) + 1, n = all
    tasks of the pool: the adversary may put its whole budget, with its
    Binomial fluctuation, in one component) and one task-size cap for the
    pool (:func:`~robust_mlr.stages.screening.size_cap`).

    What ⌊αn⌋ tasks can move: each task weighs at most t_cap in the least
    squares fit and ŝ², so they hold at most 2α of a component's weight if
    all sit in it (α/p_ℓ of the tasks); tasks that move ŵ must push their
    gradients coherently and are removed until the top eigenvalue of the
    gradients' covariance is within the clean Marchenko–Pastur edge, so what
    remains can move ŵ by at most O(√(edge excess)) (SEVER-type bound);
    ŝ² is a median (moves by the clean quantile gap, see
    :func:`robust_noise`); p̂ moves by at most α/(1 − α).

    With α > 0 and ``example_clip`` = c (None: off), each component is then
    refitted on its kept tasks with every example's residual clipped at
    c ŝ (Huber, :func:`~._example_clip.clipped_refit`): a task that pushes
    through one example, which no task-level test sees, pulls by at most
    c ŝ times that example's leverage; with ``leverage_cap`` = τ (None:
    off), along a direction where the component's covariate second moment
    exceeds the other components', its rows weigh by how far its density
    of |x·e| exceeds theirs, bin by bin, and beyond τ times their RMS by
    (τ/|x·e|)² as well (Mallows; :func:`~._example_clip.clipped_refit`), so
    rows that concentrate leverage there lose their pull at any
    leverage; with ``task_clip`` = κ (None: off), a task's clipped score along
    the read directions weighs down to κ clean spreads (:mod:`._task_clip`).
    ŝ² stays the filter's: at the refit the tasks whose one large residual
    it no longer follows would carry it into the median. A refit that moves
    a component by more than REFIT_AGREEMENT standard errors plus the least
    squares' predicted classification bias (:mod:`._refit_agreement`) fails
    the stage's test (``"refit_agrees"``): the two estimators agree on clean
    data, and rows that pull through leverage or large residuals — which
    the refit's weights may take out or, placed in the clean shape of the
    covariates, leave in while taking out the clean rows' stiffness — set
    them apart; so does a coherent push that decoy rows hide from the
    stopping rule's reference, which its readings on clipped products and
    on the refit's own scores see (``"clipped_test_passed"``,
    :mod:`._clipped_test`).

    ``removed`` (bool, n; optional): tasks a filter of the same pool
    removed before, under other labels (the learner's reclassification at
    the final estimates). A component whose first round over all its tasks
    fails its test starts its filter without them, where they fit its
    budget and leave more than d examples, instead of finding them again
    one draw at a time (they count against the budget); one whose first
    round passes keeps every task: removals drawn at a fit that wrong
    labels had skewed would otherwise stay (a one-sided cut of clean
    tasks, 0.0385·s against 0.0257·s in a review's case, silent).
    """
    rng = check_rng(rng)
    labels = np.asarray(labels)
    budget = excess_limit(check_alpha(alpha), data.n_tasks)
    t_cap = size_cap(data.sizes)
    removed = _allowed_removals(removed, labels, data.sizes, k, budget, data.dim)
    W1, ok, gsum, gmom, rss1, first = first_round(data, labels, k, t_cap, statistics=True)
    moments = first["example_moments"]

    def quick(c, idx):
        """Component c from the first round computed for all components,
        when that round meets the stopping rule (then no random draw is
        made, as in :func:`filter_regression`)."""
        if not ok[c]:
            return None
        kept = np.ones(idx.size, bool)
        # the covariance of the component's gradients from their sums over
        # the pass: Σ g gᵀ/n − ḡ ḡᵀ (ḡ ≈ 0 at the least-squares fit, so
        # nothing cancels)
        mean = gsum[c] / idx.size
        lam_ratio = _covariance_test(gmom[c] / idx.size - np.outer(mean, mean), idx.size,
                                     data.dim, moments[c])[1]
        if not (alpha == 0 or lam_ratio <= 1 or budget <= 0):
            return None
        return W1[:, c], _noise(data.sizes[idx], rss1[idx], None, t_cap), kept, {
            "iterations": 1, "removed": 0, "budget": budget, "top_eig_over_edge": lam_ratio,
            "passed": bool(alpha == 0 or lam_ratio <= 1)}

    def fit(sub, c):
        """The filter on component c's rows, its first round's normal
        equations and reference taken from the pass above."""
        start = (first["grams"][c], first["rhs"][c], moments[c]) if ok[c] else None
        return filter_regression(sub, alpha, rng, max_iter, budget=budget, t_cap=t_cap,
                                 start=start, removed=None if removed is None
                                 else np.flatnonzero(removed[labels == c]))

    W, s2, p, final, infos = _per_component(data, labels, k, fit, skip_empty, quick)
    # the first round's Gram matrices, downdated in place by the filter of
    # every component it started, are the final components' (the anchor's
    # light covariances); a component filtered from its own sums leaves them stale
    stale = [c for c in range(k) if infos[c].get("removed", 0) and not ok[c]]
    grams = None if stale else first["grams"]
    clip, agree, clipped_ok = None, True, True
    if alpha > 0 and example_clip is not None:
        directions, inflated = candidate_directions(moments, gsum, gmom, labels, ok,
                                                    rows=moment_rows(data.sizes, labels, k, t_cap),
                                                    noise=s2)
        sample, entropy = reading_sample(final, k, rng, data_sums=(
            rss1, gsum, gmom, first["grams"], first["rhs"]))
        W_ls, (W, clip) = W, clipped_refit(
            data, labels, final >= 0, W, s2, t_cap, grams, None if grams is None else first["rhs"],
            example_clip, leverage_cap, directions=directions, sample=sample,
            leverage_dirs=inflated, task_clip=task_clip)
        clip["read_entropy"] = entropy
        # clean: the refit within its level of least squares, both readings within edge
        agree = refit_agreement(data, final, W_ls, W, s2, p, clip, grams, t_cap, rng)
        clipped_ok = max(clip["clipped_test"] + clip["score_test"], default=0.0) <= 1.0
    return W, s2, p, {"labels": final, "flagged": final < 0, "components": infos, "grams": grams,
                      "budget": budget, "t_cap": t_cap, "example_clip": clip,
                      "removed": [i["removed"] for i in infos], "refit_agrees": agree,
                      "clipped_test_passed": clipped_ok,
                      "passed": all(i["passed"] for i in infos) and agree and clipped_ok}

