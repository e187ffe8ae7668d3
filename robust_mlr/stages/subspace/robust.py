"""Robust subspace estimation for MLR (Kong, Somani, Kakade, Oh, NeurIPS 2020): per-task statistics fed
to the robust PCA methods, the subspace stages ``"filter"``,
``"hrpca"`` and ``"pca_points"``.

The statistic of task i is z_i = t_i^{-1/2} Σ_j y_ij x_ij. For Gaussian x,
E[y² x xᵀ] = (s² + ||w||²) I + 2 w wᵀ and the examples are independent, so a
task of component a has

    E[z_i z_iᵀ] = ρ_a² I + (t_i + 1) w_a w_aᵀ.

Mixed over components (and over task sizes, independent of the component)
this is (Σ_a p_a ρ_a²) I + Σ_a p_a E[t + 1] w_a w_aᵀ: a multiple of the identity
plus a positive combination of the w_a w_aᵀ, whose top-k eigenspace is
span(W) — for any t_i ≥ 1 (the filter stage nevertheless needs t_i ≥ 2,
see :func:`filter_subspace`). The 1/√t_i normalisation keeps the identity part
the same for every task size, so tasks of unequal sizes can be pooled.
Corruption is per task, so one corrupted task is one corrupted point z_i.
(For non-Gaussian isotropic x a fourth-moment term adds a diagonal
correction of order (κ − 3)||w||²; it vanishes for Gaussian x.)

**Clipped responses (default).** The products y·x are heavy tailed (for
t = 2 the clean ||z||² has its 99th percentile at ≈ 8× its median), so the
fourth-moment bound ν in the filter's guarantee √α·ν·√k is large and
corrupted points hide inside the clean tail. With ψ(y) = clip(y, ±c·σ̂_y),
σ̂_y = 1.4826·median|y| (robust to α < 1/2), the statistic
z_i = t_i^{-1/2} Σ_j ψ(y_ij) x_ij keeps the structure: y depends on x only
through w_aᵀx, so by rotation invariance E[ψ(y)² x xᵀ] = a I + b ŵ_a ŵ_aᵀ and
E[ψ(y) x] ∝ w_a, hence E[z zᵀ] is again isotropic plus a positive
combination of the w_a w_aᵀ (b ≥ 0 because ψ² grows with |ŵᵀx|). The signal
shrinks slightly (clean error 0.132 → 0.137 on the default problem) while
ν drops, which bounds every corrupted task's leverage. ``clip=None`` gives
the unclipped statistic of the paper.

**Known noise level.** For a unit v ⟂ span(W), vᵀx_ij ~ N(0, 1) is
independent of ψ(y_ij) (y depends on x only through Wᵀx), so
vᵀz_i ~ N(0, q_i) exactly with q_i = t_i⁻¹ Σ_j ψ(y_ij)², computable from the
responses alone. The clean second moment is therefore E[q] I + (PSD of
rank k), and any eigenvalue beyond the k-th above the Marchenko–Pastur edge
of E[q] I is evidence of corruption (:func:`mlr_filter`).

**Leverage weights.** Each example enters with weight min(1, r/‖x_j‖), r
the Gaussian screen's radius: 1 for every Gaussian example, so nothing
changes there, and a function of ‖x‖, so the structure above is kept; the
rare long examples of heavier-tailed laws (Chebyshev features near u = ±1,
multivariate t) are shortened to r, as ψ clips responses.

**Size cap.** z_i is multiplied by √(min(t_i, t_cap)/t_i), which keeps the
structure (the factor depends on t_i only, independent of the component)
and stops a large corrupted task from carrying energy ∝ t_i.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

from ..._segments import BlockSums, task_blocks
from ..._dist import chi2
from ..._validation import check_alpha, check_float, check_rng
from ..._select import blocked_median, order_statistics
from ...constants import MAD_TO_SIGMA
from ...data import MetaDataset
from ..screening import excess_limit, size_cap
from .robust_pca import _masked_gram, _masked_scores, filter_pca, hrpca, plain_pca
from .base import SubspaceResult

__all__ = ["task_statistics", "filter_subspace", "hrpca_subspace", "points_pca_subspace",
           "mlr_filter", "MIN_TASK_SIZE"]

#: Fewest examples per task of the ``"filter"`` stage (see :func:`filter_subspace`).
MIN_TASK_SIZE = 2


def _leverage_weights(X, delta=1e-3, n_examples=None):
    """min(1, √(d·h/||x_j||²)) per example, h the upper δ/(2N) quantile of
    χ²_d/d: 1 for every example a Gaussian law makes plausible, so for
    Gaussian covariates nothing changes (and, a function of ||x|| only, the
    weight keeps the rotation-invariant structure of the statistic in any
    case); heavier-tailed laws have their rare long examples shortened to
    that radius, as ψ clips responses. ``X`` may be a block of the pool's
    rows (``n_examples``: the pool's N)."""
    N, d = X.shape
    h = chi2.isf(delta / (2 * (N if n_examples is None else n_examples)), d)
    sq = np.einsum("ij,ij->i", X, X)
    return np.sqrt(np.minimum(1.0, h / np.maximum(sq, 1e-300)))


def _statistics(data: MetaDataset, clip=2.0, t_cap=None, moment=False, covariates=False):
    """(Z, q): the statistics z_i and their noise levels q_i (and, with
    ``moment``, the per-example second moment M = n⁻¹ Σ_i (c_i/t_i) Σ_j
    ψ(y_ij)² h_j² x_ij x_ijᵀ; with ``covariates`` last, the covariate
    statistics x̃_i = t_i^{-1/2} Σ_j (−1)^j h_j x_ij, N(0, I) for Gaussian
    covariates: the law of x along any direction, without the responses).

    With c_i = min(t_i, t_cap)/t_i and h_j the leverage weight
    (:func:`_leverage_weights`, 1 for Gaussian covariates),
    z_i = √c_i · t_i^{-1/2} Σ_j ψ(y_ij) h_j x_ij and
    q_i = c_i · t_i^{-1} Σ_j ψ(y_ij)² h_j²: for Gaussian x and any unit
    v ⟂ span(W), vᵀx_ij is N(0, 1) and independent of ψ(y_ij), so
    vᵀz_i ~ N(0, q_i) exactly. For any law the examples of a task are
    independent, so off span(W) the clean E[z zᵀ] is that of M: its bulk is
    the bulk of the clean law (used by :func:`mlr_filter`'s model test).
    """
    off, d, N = data.offsets, data.dim, data.n_examples
    # one pass over the rows block by block (a screened pool scales each
    # block as it is read, never all of X or y at once)
    blocks = task_blocks(off, data._row_bytes)
    if clip is not None:        # the responses' median by exact selection (two passes over y)
        scale = MAD_TO_SIGMA * blocked_median(
            lambda: (np.abs(data._block_y(off[a], off[e])) for a, e in blocks), N)
    Z, q = data._task_rows(d), np.empty(data.n_tasks)
    M = np.zeros((d, d)) if moment else None
    Xt = data._task_rows(d) if covariates else None
    sums = BlockSums()
    # each block's scaled rows into one reused buffer (a screened pool)
    buf = np.empty(max((int(off[e] - off[a]) for a, e in blocks), default=0) * d)
    for a, e in blocks:
        lo, hi = off[a], off[e]
        sizes = off[a + 1:e + 1] - off[a:e]       # the block's t_i and c_i: no per-task arrays
        t = sizes.astype(float)
        c = np.ones_like(t) if t_cap is None else np.minimum(t, t_cap) / t
        sc = np.sqrt(c / t)
        Xb, yb = data._block(lo, hi, out=buf)
        if clip is not None:
            yb = np.clip(yb, -clip * scale, clip * scale)
        h = _leverage_weights(Xb, n_examples=N)
        yh = yb * h
        Z[a:e] = sums(off[a:e + 1] - lo, Xb, yh) * sc[:, None]
        q[a:e] = np.add.reduceat(yh * yh, off[a:e] - lo) * (c / t)
        if moment:
            Xw = Xb * (np.abs(yh) * np.repeat(sc, sizes))[:, None]
            M += Xw.T @ Xw
        if covariates:
            # alternating signs within each task: (−1)^j by the position j
            pos = np.arange(hi - lo) - np.repeat(off[a:e] - lo, sizes)
            hs = h * (1.0 - 2.0 * (pos % 2))
            Xt[a:e] = sums(off[a:e + 1] - lo, Xb, hs) / np.sqrt(t)[:, None]
    out = (Z, q) if not moment else (Z, q, M / data.n_tasks)
    return out + (Xt,) if covariates else out


def task_statistics(data: MetaDataset, clip=2.0):
    """z_i = t_i^{-1/2} Σ_j ψ(y_ij) x_ij for every task, shape (n, d).

    Parameters
    ----------
    data : MetaDataset
    clip : float or None
        ψ clips responses at ± clip · 1.4826 · median|y|; None: ψ(y) = y.
    """
    return _statistics(data, clip)[0]


def _product_count(qs, c, v):
    """#{(i, j): fl(qs_i · c_j) ≤ v} for ascending qs ≥ 0 and c > 0.

    fl(x · c_j) is non-decreasing in x, so the products of column j at most
    v are a prefix of qs: its end is found by a search for v / c_j in qs,
    the threshold moved by ulps until it is exactly the largest x with
    fl(x · c_j) ≤ v."""
    x = v / c
    for _ in range(8):
        up = np.nextafter(x, np.inf)
        x = np.where(up * c <= v, up, x)
        x = np.where(x * c > v, np.nextafter(x, -np.inf), x)
    return np.searchsorted(qs, x, side="right")


def _product_order_statistic(qs, c, rank):
    """The ``rank``-th smallest (from 0) of the n·m products fl(qs_i · c_j)
    without forming them: bisection on the bit patterns of non-negative
    doubles (ordered as integers), each step counting by
    :func:`_product_count` (m binary searches in qs).

    Examples
    --------
    The order statistics of the formed products, bit for bit:

    >>> rng = np.random.default_rng(0)
    >>> qs, c = np.sort(rng.exponential(size=500)), np.sort(rng.uniform(0.1, 9, 16))
    >>> products = np.sort(np.multiply.outer(qs, c).ravel())
    >>> all(_product_order_statistic(qs, c, r) == products[r] for r in (0, 399, 4000, 7999))
    True
    """
    lo, hi = np.int64(0), np.array(qs[-1] * c[-1]).view(np.int64)
    while lo < hi:                       # smallest v with count(v) > rank
        mid = lo + (hi - lo) // 2
        if _product_count(qs, c, np.array(mid).view(np.float64)).sum() > rank:
            hi = mid
        else:
            lo = mid + 1
    return float(np.array(lo).view(np.float64))


#: Up to this many products fl(qs_i · c_j) their order statistics are read
#: from the formed products (one partition, ≈ 8 MB), beyond it by bisection
#: over counts (:func:`_product_order_statistic`); the same values.
_FORMED_PRODUCTS = 1 << 20


def _linear_quantiles(qs, c, ps):
    """The quantiles ``ps`` of the products fl(qs_i · c_j), interpolated
    between order statistics as ``np.quantile`` (method "linear") does.

    Examples
    --------
    Formed and partitioned, or by bisection over counts: the same values.

    >>> rng = np.random.default_rng(1)
    >>> qs, c = np.sort(rng.exponential(size=3000)), np.sort(rng.uniform(0.1, 9, 16))
    >>> formed = _linear_quantiles(qs, c, (0.1, 0.9))
    >>> import sys
    >>> module = sys.modules[_linear_quantiles.__module__]
    >>> saved, module._FORMED_PRODUCTS = module._FORMED_PRODUCTS, 0
    >>> counted = _linear_quantiles(qs, c, (0.1, 0.9))
    >>> module._FORMED_PRODUCTS = saved
    >>> formed == counted, bool(np.allclose(formed, np.quantile(np.multiply.outer(qs, c), (0.1, 0.9))))
    (True, True)
    """
    N = qs.size * c.size
    ranks = []
    for p in ps:
        vi = (N - 1) * p
        i0 = int(np.floor(vi))
        ranks.append((i0, min(i0 + 1, N - 1), vi - i0))
    if N <= _FORMED_PRODUCTS:
        # the same order statistics of the same products, by one partition
        kth = sorted({i for i0, i1, _ in ranks for i in (i0, i1)})
        part = np.partition(np.multiply.outer(qs, c).ravel(), kth)
        stat = {i: float(part[i]) for i in kth}
    else:
        stat = {i: _product_order_statistic(qs, c, i) for i0, i1, _ in ranks for i in (i0, i1)}
    out = []
    for i0, i1, g in ranks:
        a, b = stat[i0], stat[i1]
        out.append(b - (b - a) * (1 - g) if g >= 0.5 else a + (b - a) * g)
    return out


def _gaussian_bulk_excess(q, k, alpha, n_grid=16):
    """The relative excess of bulk scores when vᵀz_i ~ N(0, q_i) (Gaussian
    covariates): scores q_i·c_j over a grid of χ²_k quantiles c_j, trimmed
    at the filter's level (:func:`~.robust_pca.relative_excess` of the
    n × ``n_grid`` scores). The filter scales its stopping level by the
    observed bulk excess over this (:func:`~.robust_pca.filter_pca`).

    The scores are never formed at scale: with q sorted (n floats) the
    products of each grid point are sorted too, so the two trimming
    quantiles are exact order statistics found by bisection over counts (up
    to :data:`_FORMED_PRODUCTS` scores, by one partition of the formed
    scores: the same values), and the scores between them are a range of
    sorted q per grid point."""
    if alpha == 0 or q.size < 8:
        return None
    a_trim = min(excess_limit(alpha, q.size) / q.size, 0.49)
    c = chi2.ppf((np.arange(n_grid) + 0.5) / n_grid, k)
    qs = np.sort(q)
    lo, hi = _linear_quantiles(qs, c, (a_trim, 1 - a_trim))
    a = _product_count(qs, c, np.nextafter(lo, -np.inf))     # first product ≥ lo
    b = _product_count(qs, c, hi)                             # past the last ≤ hi
    good_sum = sum(float(c[j] * qs[a[j]:b[j]].sum()) for j in range(n_grid))
    good_n = int((b - a).sum())
    mean = float(qs.sum()) * float(c.sum()) / (qs.size * n_grid)
    mean_g = good_sum / max(good_n, 1)
    return (mean - mean_g) / max(mean_g, 1e-300)


def _largest(r, count):
    """Positions of the ``count`` largest entries of ``r``, ties to the later
    position: the set ``argsort(r, kind="stable")[r.size - count:]``, from
    one exact order statistic (no sort of r)."""
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    cut = order_statistics(r, [r.size - count])[0]
    if np.isnan(cut) or np.isnan(r).any():               # NaNs sort last: as argsort
        return np.argsort(r, kind="stable")[r.size - count:]
    above = np.flatnonzero(r > cut)
    ties = np.flatnonzero(r == cut)
    return np.concatenate([above, ties[ties.size - (count - above.size):]])


def mlr_filter(Z, q, k, alpha, rng=None, *, slack=0.08, extra=None, moment=None, covariates=None,
               **filter_kw):
    """Robust PCA of MLR task statistics: filter, trimmed re-estimate in a
    wider candidate space, and a stopping test from the model.

    1. The generic filter (:func:`filter_pca`) removes points with outsized
       energy in the top k + 1 directions.
    2. Energy the filter cannot see as outsized (each corrupted point inside
       the clean range) can still displace a weak true direction. The true
       span lies in the top k + ``extra`` eigenvectors V of the kept points'
       second moment unless the adversary creates more than ``extra``
       directions stronger than the weakest signal. In V the points are
       trimmed by ||Vᵀz_i||² at the Binomial limit αn + 3√(αn) + 1 and U is
       the top-k eigenspace of the trimmed second moment: a direction whose
       energy sits in ≤ αn points loses it; a true direction's energy is
       spread over a p_a fraction of tasks and survives (clean reflection
       symmetry keeps span W invariant under norm trimming).
    3. Model test: the clean second moment is E[q_i] I + (PSD of rank k), and
       E[q_i] is computable from the responses, so the (k+1)-th eigenvalue
       of the kept points' second moment must lie below the bulk edge
       ν (1 + √(d/m))² (1 + ``slack``), ν = min(mean q_i, median of the d − k
       bulk eigenvalues) (an adversary must raise both to hide). For a
       non-Gaussian law (``moment`` given) the clean bulk is not white, and
       ν is replaced by λ_{k+1}(M) when that is larger.
       ``info["passed"]`` reports it; when it fails, energy beyond the clean
       law sits outside the estimated span (evidence of corruption beyond
       what the filter removed).

    ``covariates`` (n × d, optional): the covariate statistics x̃_i of the
    tasks (N(0, I) for Gaussian covariates), from which the filter reads the
    covariate law along the directions it scores
    (:func:`~.robust_pca.filter_pca`).

    Returns
    -------
    U : ndarray (d, k), kept : ndarray of bool (n,), info : dict
    """
    rng = check_rng(rng)
    alpha = check_alpha(alpha)
    slack = check_float(slack, "slack", min_val=0.0)
    n, d = Z.shape
    gram = _masked_gram(Z)              # by blocks of rows: Z may be rows on disk
    # the bulk's groups: k directions past the top 2k, or as many as there
    # are when d < 3k (none when d ≤ 2k: the Gaussian level alone). Without
    # them a heavy-tailed clean law at small d was held to the Gaussian
    # level: Student-t(5) rows at d = 8, k = 3 lost 381 light-1 tasks
    # against a limit of 243 and the fit warned
    size = min(k, d - 2 * k)
    res = filter_pca(Z, k, alpha, rng=rng, gram=gram,
                     bulk_reference=_gaussian_bulk_excess(q, size, alpha) if size >= 1 else None,
                     bulk_size=size, covariates=covariates, finite_sample=True, **filter_kw)
    kept = res.kept
    info = dict(res.info)
    if alpha == 0:
        return res.U, kept, dict(info, passed=True, bulk_ratio=float("nan"))
    m = int(kept.sum())
    S = (gram if m == n else _masked_gram(Z, kept)) / m     # no copy of the kept points
    vals, vecs = linalg.eigh((S + S.T) / 2)                   # ascending
    ratio = float("nan")
    if d > k:
        nu = min(float(q[kept].mean()), float(np.median(vals[:d - k])))
        inflation = (1 + np.sqrt(d / m)) ** 2 * (1 + slack)
        edge = max(nu, 1e-300) * inflation
        if moment is not None:
            # the clean law's own bulk (non-Gaussian x): the top of its bulk,
            # λ_{k+1}(M), with the same sampling inflation, since a sample
            # covariance of m points of a law whose bulk is below λ_{k+1}(M)·I
            # has its bulk below λ_{k+1}(M) times a white sample's
            edge = max(edge, float(linalg.eigvalsh(moment)[d - k - 1]) * inflation)
        ratio = float(vals[d - k - 1] / edge)
    K = min(d, 2 * k if extra is None else k + int(extra))
    V = vecs[:, ::-1][:, :K]
    r = _masked_scores(Z, V, kept)
    n_trim = min(excess_limit(alpha, m), m - 2 * k)
    top = _largest(r, n_trim)
    del r
    keep_t = np.ones(n, bool)               # the kept points less the n_trim largest r
    keep_t[np.flatnonzero(kept)[top]] = False
    keep_t &= kept
    T = V.T @ _masked_gram(Z, keep_t) @ V
    tv, tvec = linalg.eigh((T + T.T) / 2)
    U = V @ tvec[:, ::-1][:, :k]
    return U, kept, dict(info, passed=bool(not ratio > 1), bulk_ratio=ratio,
                         candidate_dim=K, trimmed=int(n_trim),
                         n_removed=int((~kept).sum()))


def filter_subspace(data, k, alpha=0.0, rng=None, clip=2.0, slack=0.08, c=2.0, restarts=None,
                    delta=1e-4, max_iter=100):
    """Subspace stage ``"filter"``: :func:`mlr_filter` on the clipped,
    size-capped task statistics.

    What ⌊αn⌋ tasks can move: every statistic is bounded — responses are
    clipped at 2 robust scales and covariates screened, so ||z_i||² ≤
    4σ̂_y²·t_cap·max_j||x_j||² — and a task weighs at most as much as a task
    of size t_cap (:func:`~robust_mlr.stages.screening.size_cap`;
    c_i = min(t_i, t_cap)/t_i), so the corrupted tasks hold at most ≈ 2α of
    the second moment's weight whatever their sizes. Points with outsized
    top-(k) energy are filtered; a direction carried by at most the
    Binomial limit of points is trimmed away in the top-2k space (even if it
    displaced a true direction); what survives both is energy spread over
    points inside the clean range, at most ≈ ᾱ × (the clean ᾱ-tail of the
    energy) per direction, and the bulk-edge test reports whether the energy
    outside the estimated span is within the clean law. The bound is on the
    subspace; downstream stages need only a subspace in which the clusters
    stay separated (a weak direction may be lost, see
    docs/robust_pipeline.md).

    Every task needs t_i ≥ 2 (:data:`MIN_TASK_SIZE`): the second moment's
    structure holds at t_i = 1, but a single product ψ(y)·x is so heavy
    tailed that the filter removed 15 % of clean tasks (subspace error
    0.68–0.70 against 0.11–0.14 at t = 2, default problem); a pool with a
    task of one example raises a ValidationError naming it.
    """
    data.require_sizes(MIN_TASK_SIZE, f"subspace method 'filter' needs t_i >= {MIN_TASK_SIZE} "
                       "examples per task (at t_i = 1 its statistic is a single product "
                       "ψ(y)·x, whose clean tails it cannot tell from corruption)")
    rng = check_rng(rng)
    t_cap = size_cap(data.sizes)
    alpha = check_alpha(alpha)
    # the covariate statistics only where the filter filters (α > 0)
    Z, q, M, *Xt = _statistics(data, clip, t_cap, moment=True, covariates=alpha > 0)
    Xt = Xt[0] if Xt else None
    U, kept, info = mlr_filter(Z, q, k, alpha, rng=rng, slack=slack, moment=M, covariates=Xt,
                               c=c, restarts=restarts, delta=delta, max_iter=max_iter)
    return SubspaceResult(U, kept, dict(info, method="filtering robust PCA, bulk-edge test",
                                        clip=clip, t_cap=t_cap))


def _adapter(method, name):
    def run(data, k, alpha=0.0, rng=None, clip=2.0, **kw):   # kw: the method's own options
        res = method(task_statistics(data, clip), k, alpha, rng=rng, **kw)
        return SubspaceResult(res.U, res.kept, dict(res.info, method=name, clip=clip))
    run.__doc__ = f"Subspace stage: {name} on the per-task statistics."
    return run


hrpca_subspace = _adapter(hrpca, "HRPCA")
points_pca_subspace = _adapter(plain_pca, "plain PCA of task statistics")
