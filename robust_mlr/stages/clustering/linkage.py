"""The median-of-splits distance matrix and linkage clustering (ICML 2020 Algorithm 3).

Each heavy task is split into ``2L`` chunks; with ``P_ℓ`` and ``Q_ℓ`` the
projected chunk means ``Uᵀβ⁽ℓ⁾`` and ``Uᵀβ⁽ℓ+L⁾`` (n × k), the unbiased
distance estimate is

    H⁽ℓ⁾ = a 1ᵀ + 1 aᵀ − P Qᵀ − Q Pᵀ,   a_i = <P_i, Q_i>,

which equals ``(P_i − P_j)ᵀ(Q_i − Q_j)`` entrywise: two BLAS products per ℓ.
``H`` is the entrywise median over ℓ. Linkage clustering then cuts H into k
groups.
"""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from scipy import stats

from ..._threads import single_blas
from ..._validation import check_int
from ...constants import MAX_SPLITS, SPLIT_CHUNK, TAIL_CHUNK, TAIL_SDS, TAIL_SPLITS, TAIL_TRIM
from ...data import MetaDataset
from ...exceptions import ValidationError
from .base import ClusteringResult

__all__ = ["projected_chunks", "distance_matrix", "default_splits", "choose_splits",
           "split_tail_ratio", "single_linkage",
           "average_linkage", "lloyd_refine"]


def default_splits(t):
    """Default number L of split pairs for tasks of size ``t``.

    The median over L splits buys a high-probability guarantee, but each
    split uses chunks of t/(2L) examples, so the per-split noise grows ≈ L
    times while the median only shrinks it ≈ √L times. Measured on the
    default problem (k = 4, t_H = 128) L = 1 separates best, so L grows only
    once chunks keep ≥ 64 examples.
    """
    return int(np.clip(t // SPLIT_CHUNK, 1, MAX_SPLITS))


def split_tail_ratio(data, U):
    """Tail weight of the split noise against a Gaussian's: ≈ 1 for Gaussian tails.

    δ_i = P_i − Q_i (the two half-task means of y·Uᵀx) is pure noise, and
    under the central limit theorem ≈ N(0, Σ_δ). Rotated and scaled by the
    eigenvectors and eigenvalues of its second moment among the kept tasks
    (all but the ``TAIL_TRIM`` share of largest ‖δ_i‖), each coordinate's
    square is then ≈ χ²_1. Per coordinate: the mean of the kept tasks'
    squares over the median of all squares, divided by the same ratio for
    χ²_1 (exactly F_3(q) / ((1 − share) · median χ²_1), q the χ²_1
    quantile at the kept share); the result is the largest over the
    coordinates. A few tasks whose chunk means are dominated by examples of
    extreme leverage, along some direction, raise it far above 1; the trim
    keeps a corrupted share up to ``TAIL_TRIM`` from deciding it. Tasks whose
    split difference overflows count as the largest.

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks (t ≥ 2).
    U : ndarray (d, m)
        Basis.

    Returns
    -------
    float

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks
    >>> heavy = make_tasks(make_params(8, 2, rng=0), 400, 64, rng=1)
    >>> 0.8 < split_tail_ratio(heavy, np.eye(8)[:, :2]) < 1.3
    True
    """
    B = projected_chunks(data, U, 2)
    n, m = B.shape[1:]
    keep_n = max(int(np.floor((1 - TAIL_TRIM) * n)), m + 1)
    with np.errstate(over="ignore", invalid="ignore"):
        delta = B[0] - B[1]
        sq = np.einsum("ij,ij->i", delta, delta)
    finite = np.isfinite(sq)
    if finite.sum() < keep_n:
        return float("inf")                      # more overflowing tasks than the trim
    kept = delta[np.argsort(np.where(finite, sq, np.inf))[:keep_n]]
    vals, vecs = np.linalg.eigh(kept.T @ kept / keep_n)
    if vals[0] <= 1e-12 * max(vals[-1], 1e-300):
        return 1.0                               # degenerate noise: nothing to judge
    with np.errstate(over="ignore", invalid="ignore"):
        coord = (np.where(finite[:, None], delta, 0.0) @ (vecs / np.sqrt(vals))) ** 2
    coord = np.sort(np.where(finite[:, None], coord, np.inf), axis=0)
    share = keep_n / n
    reference = stats.chi2.cdf(stats.chi2.ppf(share, 1), 3) / share / stats.chi2.median(1)
    ratios = coord[:keep_n].mean(axis=0) / np.maximum(np.median(coord, axis=0), 1e-300)
    return float(ratios.max() / reference)


def choose_splits(data, U, return_ratio=False):
    """Split pairs L for the distance matrix, read off the data.

    :func:`default_splits` is calibrated on Gaussian covariates, where the
    chunk means are near Gaussian and one split pair (the mean, not a
    median) separates best. When :func:`split_tail_ratio` shows heavy
    tails — above 1 + TAIL_SDS·sqrt(2/n) — L is raised to
    ``TAIL_SPLITS`` (chunks of at least ``TAIL_CHUNK`` examples): the
    median over splits, which the paper's analysis takes for its
    high-probability bound, then stops single tasks of extreme leverage
    from dominating their rows.

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks.
    U : ndarray (d, m)
        Basis of the distances.
    return_ratio : bool
        Also return the tail ratio (None when it was not needed: L already
        at least ``TAIL_SPLITS``, tasks too short, or too few tasks).

    Returns
    -------
    L : int
    ratio : float or None
        Only with ``return_ratio``.
    """
    t = int(data.sizes.min())
    L, ratio = default_splits(t), None
    cap = t // (2 * TAIL_CHUNK)
    n, m = data.n_tasks, U.shape[1]
    if L < min(TAIL_SPLITS, cap) and n > 2 * m:
        ratio = split_tail_ratio(data, U)
        if ratio > 1 + TAIL_SDS * np.sqrt(2 / n):
            L = int(min(TAIL_SPLITS, cap))
    return (L, ratio) if return_ratio else L


def projected_chunks(data: MetaDataset, U, n_chunks, stage="clustering"):
    """Chunk means of y·Uᵀx: array (n_chunks, n, k).

    One GEMM projects every example (X U, N × k); the chunk means are then
    segment sums of the projected k-vectors, so no N × d temporary is built.
    Inside :func:`projection_cache` (a clustering stage's fit) the same data,
    basis and chunking are projected once and the read-only result reused.
    """
    cache = _CACHE.get()
    U = np.asarray(U)
    key = (id(data), int(n_chunks), U.shape, U.tobytes()) if cache is not None else None
    if key is not None and key in cache:
        return cache[key]
    XU = data.X @ U
    XU *= data.y[:, None]
    out = data.chunk_means(n_chunks, stage=stage, values=XU)
    if key is not None:
        out.flags.writeable = False
        cache[key] = out
    return out


@contextlib.contextmanager
def projection_cache():
    """Within the block, :func:`projected_chunks` projects each (data, basis,
    chunking) once: the heavy tasks are projected once per basis in a fit."""
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)


_CACHE = contextvars.ContextVar("projection_cache", default=None)


#: Bytes of the per-split stack of H rows formed at once by :func:`distance_matrix`.
BLOCK_BYTES = 1 << 22


def _median_inplace(H):
    """Entrywise median over axis 0 of H (L, b, m), written into H[0].

    Closed forms by min/max for L ≤ 4 (L = 2: mean; L = 3: median of three;
    L = 4: mean of the two middle values), selection (partition) otherwise.
    """
    L = H.shape[0]
    if L == 2:
        H[0] += H[1]
        H[0] *= 0.5
    elif L == 3:                      # max(min(a, b), min(max(a, b), c))
        lo = np.minimum(H[0], H[1])
        np.maximum(H[0], H[1], out=H[0])
        np.minimum(H[0], H[2], out=H[0])
        np.maximum(H[0], lo, out=H[0])
    elif L == 4:                      # (max(lo₁, lo₂) + min(hi₁, hi₂)) / 2
        lo = np.minimum(H[0], H[1])
        np.maximum(H[0], H[1], out=H[0])
        np.minimum(H[2], H[3], out=H[1])
        np.maximum(H[2], H[3], out=H[2])
        np.maximum(lo, H[1], out=lo)
        np.minimum(H[0], H[2], out=H[0])
        H[0] += lo
        H[0] *= 0.5
    elif L > 4:
        H[0] = np.median(H, axis=0, overwrite_input=True)


def distance_matrix(data: MetaDataset, U, L=None):
    """Median-of-L unbiased estimate of ||Uᵀ(w_{z_i} − w_{z_j})||² (n × n).

    With ``P, Q`` the projected chunk means of split ℓ and ``a_i = ⟨P_i, Q_i⟩``,
    ``H⁽ℓ⁾ = [P, Q, a, 1] [−Q, −P, 1, a]ᵀ``: one GEMM per split and row block.
    Only the upper triangle is computed, by row blocks whose L-stack has at
    most :data:`BLOCK_BYTES` bytes (on one BLAS thread); the median over ℓ is
    taken in place and the lower triangle mirrored, so H is exactly symmetric
    and no L × n × n array exists.

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks; each needs ``t_i >= 2L``.
    U : ndarray (d, k)
        Orthonormal basis of the subspace.
    L : int, optional
        Number of independent split pairs; default :func:`choose_splits`
        (:func:`default_splits` of the smallest task size, more when the
        split noise has heavy tails).

    Returns
    -------
    H : ndarray (n, n)

    Raises
    ------
    ValidationError
        If U does not match the data's dimension or a task has fewer than 2L
        examples.

    Examples
    --------
    >>> import numpy as np
    >>> from robust_mlr import make_params, make_tasks
    >>> theta = make_params(8, 2, rng=0)
    >>> H = distance_matrix(make_tasks(theta, 5, 16, rng=1), np.eye(8)[:, :2], L=2)
    >>> H.shape, bool(np.array_equal(H, H.T))
    ((5, 5), True)
    """
    if U.shape[0] != data.dim:
        raise ValidationError(f"U has {U.shape[0]} rows but the data have d={data.dim}")
    L = choose_splits(data, U) if L is None else check_int(L, "L", min_val=1)
    B = projected_chunks(data, U, 2 * L, stage=f"clustering with L={L} split pairs")
    n = data.n_tasks
    ones = np.ones((n, 1))
    left, right = [], []                        # (L, n, 2k + 2) factors of H⁽ℓ⁾
    for ell in range(L):
        P, Q = B[ell], B[ell + L]
        a = np.einsum("ij,ij->i", P, Q)[:, None]
        left.append(np.hstack([P, Q, a, ones]))
        right.append(np.hstack([-Q, -P, ones, a]))
    H = np.empty((n, n))
    step = int(np.clip(BLOCK_BYTES // (8 * L * max(n, 1)), 1, max(n, 1)))
    buf = np.empty(L * step * n)
    # small per-block GEMMs plus memory-bound passes: one BLAS thread keeps the
    # blocks cache-resident and avoids thread start-up and contention, which
    # made threaded OpenBLAS 5-10x slower on a busy 2-core machine
    with single_blas():
        _fill_blocks(H, left, right, buf, step, L)
    return H


def _fill_blocks(H, left, right, buf, step, L):
    """Upper-triangle row blocks of the median H, mirrored (see distance_matrix)."""
    n = H.shape[0]
    for s in range(0, n, step):
        e = min(s + step, n)
        stack = buf[:L * (e - s) * (n - s)].reshape(L, e - s, n - s)   # contiguous for BLAS
        for ell in range(L):                    # loop over splits only; pairs via BLAS
            np.matmul(left[ell][s:e], right[ell][s:].T, out=stack[ell])
        _median_inplace(stack)
        H[s:e, s:] = stack[0]
        H[s:, s:e] = stack[0].T                 # mirror to the lower triangle
        diag = stack[0][:, :e - s]
        H[s:e, s:e] = diag + diag.T             # the diagonal block, symmetrised
        H[s:e, s:e] *= 0.5


#: Lloyd steps of :func:`lloyd_refine` at most (each is one n × n × k product;
#: from a linkage start 1–3 steps are typical).
MAX_LLOYD_STEPS = 50


def lloyd_refine(H, labels, k, max_steps=MAX_LLOYD_STEPS):
    """Reassign each task to the cluster of least mean distance, until stable.

    Task i moves to the cluster C minimising mean_{j ∈ C∖i} H_ij. With H
    unbiased for ‖μ_i − μ_j‖² its expectation is ‖μ_i − μ̄_C‖² + v_C, v_C the
    mean squared distance of C's members to their mean: zero for a pure
    cluster, so near the truth this is Lloyd's k-means step in the metric of
    H, while a cluster that merges two components pays its spread and loses
    tasks (k-means, which subtracts v_C, keeps such a merge as a local
    optimum; so does its estimate of v_C from a small cluster's noisy
    entries). Each task's own noise term (a_i in :func:`distance_matrix`,
    common to its whole row) cancels from its comparison, and each decision
    averages over a cluster instead of resting on one pair, which is why the
    step undoes linkage's chaining. When every within-cluster entry of H lies
    below every between-cluster entry (the separation under which ICML 2020
    Theorem 3 makes linkage exact) the correct partition is a fixed point: the
    step changes nothing where the paper's guarantee holds. A step that would
    empty a cluster is not taken.

    Parameters
    ----------
    H : ndarray (n, n)
        Symmetric unbiased distance matrix (:func:`distance_matrix`).
    labels : ndarray of int (n,)
        Start, values in ``0..k-1``.
    k : int
        Number of clusters.
    max_steps : int
        Most Lloyd steps.

    Returns
    -------
    labels : ndarray of int (n,)
    steps : int
        Steps that changed a label.

    Examples
    --------
    >>> import numpy as np
    >>> mu = np.r_[np.zeros(3), np.ones(3)]
    >>> H = (mu[:, None] - mu[None, :]) ** 2
    >>> lloyd_refine(H, np.array([0, 0, 1, 1, 1, 1]), 2)[0].tolist()
    [0, 0, 0, 1, 1, 1]
    """
    labels = np.asarray(labels).copy()
    n = labels.size
    Hz = H - np.diag(np.diag(H))                 # self-distances out of every sum
    steps = 0
    for _ in range(max_steps):
        A = np.zeros((n, k))
        A[np.arange(n), labels] = 1.0
        size = A.sum(axis=0)
        S = Hz @ A                                # Σ_{j ∈ C} H_ij, j ≠ i
        others = size[None, :] - A                # |C ∖ i|
        cost = np.where(others > 0, S / np.maximum(others, 1), np.inf)
        new = np.argmin(cost, axis=1)
        if np.array_equal(new, labels) or np.bincount(new, minlength=k).min() == 0:
            break
        labels, steps = new, steps + 1
    return labels, steps


def _linkage(method):
    def run(data, U, k, L=None, refine=False):
        ratio = None
        if L is None:
            L, ratio = choose_splits(data, U, return_ratio=True)
        H = distance_matrix(data, U, L)
        if not np.all(np.isfinite(H)):
            raise ValidationError(
                f"{method} linkage: the heavy tasks' distance matrix has non-finite entries "
                f"(tasks with extreme values overflow it); screen the data first, e.g. "
                f"MetaLearner.robust(k, alpha)")
        # H is unbiased, hence sometimes negative; a constant shift keeps
        # both single- and average-linkage merge orders exactly (clipping
        # at 0 would create ties) while giving scipy nonnegative distances.
        D = H - min(H.min(), 0.0)
        np.fill_diagonal(D, 0.0)
        Z = hierarchy.linkage(squareform(D, checks=False), method=method)
        labels = hierarchy.fcluster(Z, t=k, criterion="maxclust") - 1
        info = {"method": f"{method} linkage", "L": L, "split_tail_ratio": ratio}
        if refine and np.unique(labels).size == k:
            labels, info["lloyd_steps"] = lloyd_refine(H, labels, k)
        return ClusteringResult(labels, np.zeros(data.n_tasks, bool), None, info)
    run.__doc__ = (f"{method.capitalize()} linkage on the median-H matrix; with ``refine``, "
                   f"followed by :func:`lloyd_refine`.")
    return run


single_linkage = _linkage("single")
average_linkage = _linkage("average")
