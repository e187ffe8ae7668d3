"""Least-squares refinement per component (ICML 2020 Algorithm 4).

Each component is re-estimated by least squares on all examples of its
tasks, with the dof-corrected residual variance and the share of tasks.

The normal equations of all components come from one blocked pass over the
examples (no copy of a component's rows) and are solved by Cholesky; an SVD
of the component's rows is the fallback when its Gram matrix is
rank-deficient or ill-conditioned.
"""

from __future__ import annotations

import numpy as np

from ..._linalg import gram_solve, svd_least_squares
from ..._segments import label_grams, label_rss
from ..._threads import single_blas
from ..._validation import check_int
from ...data import MetaDataset
from ...exceptions import EmptyClusterError

__all__ = ["refine", "least_squares", "solve_components"]

#: Largest RSS / Σy² at which the RSS is recomputed from the residuals.
CANCELLATION = 1e-4


def refine(data: MetaDataset, labels, k):
    """Least-squares estimates per component from classified tasks.

    Parameters
    ----------
    data : MetaDataset
    labels : ndarray of int (n,)
        Component of each task; ``-1`` excludes a task.
    k : int

    Returns
    -------
    W : ndarray (d, k)
        Least-squares regression vectors.
    s2 : ndarray (k,)
        Residual variances ``RSS / (N_ℓ − d)``.
    p : ndarray (k,)
        Shares of the (non-excluded) tasks.

    Raises
    ------
    EmptyClusterError
        If a component has no more examples than dimensions.
    """
    k = check_int(k, "k", min_val=1)
    labels = np.asarray(labels)
    d = data.dim
    counts = np.bincount(labels[labels >= 0], minlength=k)
    with single_blas():                        # block-sized products: one thread
        G, b, yy, n_ex = label_grams(data.X, data.y, data.offsets, labels, k)

    def rows_fit(ell):                         # rank-deficient: SVD of the rows
        rows = np.repeat(labels == ell, data.sizes)
        return svd_least_squares(data.X[rows], data.y[rows])

    W, rss = solve_components(G, b, yy, n_ex, counts, rows_fit)
    # RSS = yᵀy − 2 bᵀw + wᵀGw loses log10(yᵀy / RSS) digits to cancellation;
    # below 1e-4 of yᵀy (SNR > 10⁴), one more pass sums the residuals themselves
    exact = rss < CANCELLATION * yy
    if exact.any():
        with single_blas():
            rss = np.where(exact, label_rss(data.X, data.y, data.offsets, labels, W), rss)
    return W, rss / (n_ex - d), counts / counts.sum()


def solve_components(G, b, yy, n_ex, counts, fallback):
    """Least squares per component from its normal equations (G_ℓ, b_ℓ, yᵀy_ℓ)
    by Cholesky, with ``RSS = yᵀy − 2 bᵀw + wᵀGw``; ``fallback(ell)`` gives w
    when G_ℓ is rank-deficient or ill-conditioned. Returns ``(W, RSS)``.

    Raises
    ------
    EmptyClusterError
        If a component has no more examples than dimensions.
    """
    k, d = b.shape
    W, rss = np.empty((d, k)), np.empty(k)
    for ell in range(k):                       # loop over components only
        if n_ex[ell] <= d:
            raise EmptyClusterError(
                f"component {ell} received {counts[ell]} tasks with {n_ex[ell]} examples; "
                f"least squares in d={d} needs more than {d}")
        w = gram_solve(G[ell], b[ell])
        W[:, ell] = fallback(ell) if w is None else w
        w = W[:, ell]
        rss[ell] = yy[ell] - 2 * (b[ell] @ w) + w @ G[ell] @ w
    return W, rss


def least_squares(data, labels, k, skip_empty=False):
    """Regression stage ``"ls"``: :func:`refine`, with an empty info dict;
    with ``skip_empty`` a component with no more examples than dimensions
    gets NaN (w, s²) instead of an EmptyClusterError (the stage then keeps
    the clustering's estimate for it)."""
    labels = np.asarray(labels)
    if not skip_empty:
        return (*refine(data, labels, k), {})
    d = data.dim
    ok = labels >= 0
    n_ex = np.bincount(labels[ok], data.sizes[ok], minlength=k)
    keep = np.flatnonzero(n_ex > d)
    if keep.size == 0:
        return np.full((d, k), np.nan), np.full(k, np.nan), np.zeros(k), {}
    new = np.full(k, -1)
    new[keep] = np.arange(keep.size)
    W_k, s2_k, _ = refine(data, np.where(ok, new[np.where(ok, labels, 0)], -1), keep.size)
    W, s2 = np.full((d, k), np.nan), np.full(k, np.nan)
    W[:, keep], s2[keep] = W_k, s2_k
    counts = np.bincount(labels[ok], minlength=k)
    return W, s2, counts / max(counts.sum(), 1), {}
