"""Small linear-algebra helpers (private)."""

from __future__ import annotations

import numpy as np
from scipy import linalg

from . import _pages
from ._segments import BLOCK_BYTES
from .exceptions import SolverFailedError


def top_eigvecs(S, k):
    """Top-``k`` eigenvectors of a symmetric matrix, columns in decreasing order.

    Uses the symmetric eigensolver restricted to the wanted index range
    (LAPACK ``syevr``), never a general SVD. When every eigenvalue is the
    same to rounding (a gradient covariance read against the per-example
    moment it equals, tasks of one example), ``syevr`` may return none in
    the index range: the full symmetric decomposition is taken then.
    """
    S = np.asarray(S)
    d = S.shape[0]
    if not np.isfinite(S).all():
        raise SolverFailedError(
            f"symmetric eigensolver (LAPACK syevr): the {d} x {d} matrix has non-finite "
            f"entries; its sums overflowed (finite data too large to square, |x| or |y| "
            f"beyond about 1e154; the robust learner screens such tasks)")
    vals, vecs = linalg.eigh((S + S.T) / 2, subset_by_index=[d - k, d - 1])
    if vals.size < k:                            # syevr found none in a tight cluster
        vals, vecs = linalg.eigh((S + S.T) / 2)
        vals, vecs = vals[d - k:], vecs[:, d - k:]
    return vecs[:, ::-1], vals[::-1]


def sym(A):
    """Symmetric part of a square matrix."""
    return (A + A.T) / 2


#: Smallest reciprocal condition number (LAPACK ``pocon`` estimate) of a Gram
#: matrix XᵀX solved by Cholesky. The normal equations lose about
#: log10(cond(XᵀX)) digits; below this the least-squares solution is taken from
#: an SVD of X instead, which loses only log10(cond(X)).
GRAM_RCOND = 1e-8


def gram_solve(G, b):
    """Solve the normal equations ``G w = b`` (G = XᵀX) by Cholesky.

    Returns None when G is not numerically positive definite (the Cholesky
    factorisation fails, or its reciprocal condition estimate is below
    :data:`GRAM_RCOND`): the caller then solves the least-squares problem
    from X itself (:func:`numpy.linalg.lstsq`, an SVD).
    """
    G = np.asarray(G, dtype=float)
    try:
        c, lower = linalg.cho_factor(G, lower=False, check_finite=False)
    except (linalg.LinAlgError, ValueError):
        return None
    anorm = np.abs(G).sum(axis=0).max()
    rcond, info = linalg.lapack.dpocon(c, anorm)          # c is the upper factor
    if info != 0 or not rcond >= GRAM_RCOND:
        return None
    return linalg.cho_solve((c, lower), b, check_finite=False)


def least_squares(X, y, weights=None):
    """(Weighted) least squares ``argmin_w Σ_j weights_j (y_j − x_jᵀw)²``, weights ≥ 0.

    The normal equations summed over blocks of rows (cache-sized products,
    no weighted copy of X; zero weights drop rows without copying the others)
    and a d × d Cholesky solve (:func:`gram_solve`): for N ≫ d rows with
    well-conditioned XᵀX this is about ten times cheaper than an SVD of the
    N × d matrix and agrees with it to rounding (cond(XᵀX) · machine
    precision). Falls back to :func:`numpy.linalg.lstsq` (SVD,
    minimum-norm solution) when XᵀX is rank-deficient or ill-conditioned.
    """
    w = gram_solve(*normal_equations(X, y, weights))
    if w is not None:
        return w
    if weights is not None:
        sw = np.sqrt(weights)
        X, y = X * sw[:, None], y * sw
    return svd_least_squares(X, y)


def normal_equations(X, y, weights=None, buf=None):
    """``(XᵀWX, XᵀWy)`` of :func:`least_squares`, summed over cache-sized
    blocks of rows (√w-scaled rows: each block's XᵀWX is one syrk).

    ``buf``, an array of at least one block's entries, holds the scaled
    rows (no allocation per block); the sums are the same either way.
    """
    N, d = X.shape
    G, b = np.zeros((d, d)), np.zeros(d)
    step = max(1, BLOCK_BYTES // (X.itemsize * d))
    sw = None if weights is None else np.sqrt(weights)
    for s in range(0, N, step):                  # loop over row blocks
        Xb, yb = X[s:s + step], y[s:s + step]
        if sw is not None:
            out = None if buf is None else buf[:Xb.size].reshape(Xb.shape)
            Xb = np.multiply(Xb, sw[s:s + step, None], out=out)
            yb = yb * sw[s:s + step]
        G += Xb.T @ Xb
        b += Xb.T @ yb
    return G, b


def svd_least_squares(X, y, rcond=None):
    """Minimum-norm least squares by :func:`numpy.linalg.lstsq` (an SVD);
    ``rcond`` is lstsq's (default: machine precision times the larger side
    of X).

    Raises
    ------
    SolverFailedError
        If the SVD does not converge (non-finite data), naming the problem size.
    """
    try:
        return np.linalg.lstsq(X, y, rcond=rcond)[0]
    except np.linalg.LinAlgError as exc:
        raise SolverFailedError(f"numpy.linalg.lstsq (SVD) on a {X.shape[0]} x {X.shape[1]} "
                                f"least-squares problem: {exc}") from exc


def safe_product(X, M):
    """``X @ M`` with every row finite: a row whose product would overflow is
    scaled by its largest entry first and the result clipped to the largest
    finite float (extreme rows stay extreme, for the screen to remove).
    A product of two 2-D float arrays is written to plain pages
    (:mod:`robust_mlr._pages`): whitening a pool of 320 000 tasks of 8 made a
    655 MB array whose first touch spent up to 1.5 s of system time in the
    kernel's compaction for huge pages."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.ndim(X) == 2 and np.ndim(M) == 2:
            Z = np.matmul(X, M, out=_pages.empty((np.shape(X)[0], np.shape(M)[1]),
                                                  np.result_type(X, M)))
        else:
            Z = X @ M
        bad = ~np.isfinite(Z).all(axis=1)
        if bad.any():
            Xb = X[bad]
            peak = np.maximum(np.abs(Xb).max(axis=1, keepdims=True), 1e-300)
            big = np.finfo(Z.dtype).max
            Z[bad] = np.clip(((Xb / peak) @ M) * peak, -big, big)
    return Z
