"""The basis the robust learner clusters heavy tasks in: the light-pool
subspace U plus what the heavy tasks say U misses.

The subspace stage estimates span(W) from light tasks of two examples, where
a direction that separates two components can be weak: an adversary who
replaces the light tasks carrying most of the signal along w_a − w_b (their
tail along it) with tasks whose energy lies elsewhere can take that direction
out of U without any task looking unusual, and heavy clustering in U then
merges a and b. The heavy tasks see the same direction at t_H examples a
task. With b_i^(1), b_i^(2) the means of y·x over the two halves of task i,
projected off U,

    M = (1/n) Σ_i sym(b_i^(1) b_i^(2)ᵀ),   E[M] = P⊥ (Σ_c p_c w_c w_cᵀ) P⊥,

(the halves' noises are independent, so M is unbiased for what U misses and
zero when U is exact). A direction v that U lost carries the eigenvalue
Σ_c p_c ⟨v, w_c⟩², at least p_a p_b/(p_a + p_b)·⟨v, w_a − w_b⟩² when v
separates a and b. The tasks with the largest ‖b_i^(1)‖‖b_i^(2)‖ — as many as
the corrupted count can plausibly be, :func:`~robust_mlr.stages.screening.excess_limit`
— are left out of M, so ⌊αn⌋ tasks hold at most that share of the clean
range's energy in any direction; they cannot fill all k extra slots above a
lost separating direction. The basis is U followed by the top-k eigenvectors
of the trimmed M (2k columns, orthonormal): when U is exact the extra columns
are noise directions, which only add noise of order σ²/t_H per coordinate to
the clustering distances.
"""

from __future__ import annotations

import numpy as np

from ..._linalg import sym, top_eigvecs
from ..._threads import pinned
from ...data import MetaDataset
from ..screening import excess_limit
from .linkage import projected_chunks

__all__ = ["heavy_basis"]

#: Bytes of the projected examples (block of tasks × (d − k)) formed at once.
BLOCK_BYTES = 1 << 25


def _half_means(heavy, P):
    """Split-half means of y·Pᵀx, (2, n, m), by blocks of tasks so that the
    projected examples never take more than :data:`BLOCK_BYTES` (the N × m
    array of all of them would be ≈ 0.3 GB at n_H = 10 000, t_H = 128)."""
    n, m = heavy.n_tasks, P.shape[1]
    out = np.empty((2, n, m))
    per = max(1, BLOCK_BYTES // (8 * m * max(1, int(heavy.sizes.max()))))
    for a in range(0, n, per):
        idx = np.arange(a, min(n, a + per))
        out[:, idx] = projected_chunks(heavy.subset(idx), P, 2, stage="heavy basis",
                                       cache=False)
    return out


@pinned
def heavy_basis(heavy: MetaDataset, U, k, alpha):
    """Orthonormal (d, min(2k, d)) basis: ``U`` and the top-k directions of
    the heavy tasks' trimmed split-half moment off span(U).

    Parameters
    ----------
    heavy : MetaDataset
        Heavy tasks (at least two examples each).
    U : ndarray (d, k)
        Orthonormal subspace estimate.
    k : int
        Number of extra directions (the number of components).
    alpha : float
        Corruption fraction; sets how many tasks are trimmed.

    Returns
    -------
    ndarray (d, min(2k, d))
        ``U`` in its first columns.

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks
    >>> theta = make_params(8, 2, rng=0)
    >>> heavy = make_tasks(theta, 200, 64, rng=1)
    >>> Q = np.linalg.qr(theta.W)[0]
    >>> B = heavy_basis(heavy, Q[:, :1], 2, 0.05)    # U misses one direction
    >>> bool(np.linalg.norm(Q[:, 1] @ B) > 0.99)      # the heavy tasks restore it
    True
    """
    U = np.asarray(U, dtype=float)
    d, r = U.shape
    extra = min(k, d - r)
    if extra <= 0:
        return U
    P = np.linalg.qr(np.hstack([U, np.eye(d)]))[0][:, r:d]     # basis of span(U)⊥
    b = _half_means(heavy, P)                                    # (2, n, d − r)
    score = np.linalg.norm(b[0], axis=1) * np.linalg.norm(b[1], axis=1)
    n = heavy.n_tasks
    drop = min(excess_limit(alpha, n), n - 2) if alpha > 0 else 0
    keep = np.argsort(score)[:n - drop]
    M = sym(b[0, keep].T @ b[1, keep]) / keep.size
    V, _ = top_eigvecs(M, extra)
    return np.hstack([U, P @ V])
