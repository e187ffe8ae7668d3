"""Second-order check and escape step of the Burer–Monteiro Peng–Wei solver (private).

At a point Z = Y Yᵀ of the (robust) Peng–Wei SDP with multipliers λ of
its linear constraints, the Lagrangian is ⟨M, Z⟩ + const with

    M = D + (λ 1ᵀ + 1 λᵀ)/2 + z I  [ − μ 1 1ᵀ + Diag(ν)  robust ],

and Z is optimal for the SDP iff M = N + S with N ≥ 0 (entrywise),
S ⪰ 0, ⟨N, Z⟩ = 0 and S Z = 0. Wherever Z_ij > 0 complementarity forces
N_ij = 0, so on every *block* B of Z's support (a connected component of
the graph i ~ j ⇔ Z_ij > 0) the optimality condition reduces to

    M_BB ⪰ 0.

This is checkable in O(|B| r) memory: M_BB x is a product with the cost
restricted to B plus diagonal and rank-one terms, and its smallest
eigenvalue comes from Lanczos iterations (ARPACK). A negative eigenvalue
is a direction the factored problem cannot follow: the eigenvector v has
both signs (it is orthogonal to the positive columns of Y on B, which
M_BB annihilates at a stationary point), while every local move of Y ≥ 0
keeps the old columns. The SDP step Z → Z + s² v vᵀ is nevertheless
reachable with a nonnegative factor: splitting a column y that is positive
on B into (y ± s v)/√2 gives exactly

    ½ (y + s v)(y + s v)ᵀ + ½ (y − s v)(y − s v)ᵀ = y yᵀ + s² v vᵀ,

and both halves stay nonnegative for s ≤ min_i y_i / |v_i|. Larger steps
are clipped at zero and judged by the augmented Lagrangian itself. The
solver takes such a step (one extra column) whenever a block has
λ_min(M_BB) < −``curvature_tol``, then resumes the augmented Lagrangian;
the typical spurious stationary point — two true clusters held in one
column, one cluster split over two — has a strongly negative block
eigenvalue (its eigenvector separates the merged clusters).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from ._bm_lagrangian import lbfgsb

#: Below this block size the block of M is formed densely (≤ 2 MB).
_DENSE_BLOCK = 500
#: A column entry counts as support when above this fraction of the column's max.
_SUPPORT = 1e-2


def column_supports(Y, rel=_SUPPORT):
    """Row supports of the columns of Y: row i is in column c's support when
    Y_ic > ``rel`` × max_j Y_jc (columns of negligible norm have none).

    Returns
    -------
    supports : list of (int, ndarray of int)
        (column, rows) for every column with at least two rows.
    outside : ndarray of int
        Rows in no column's support (shed rows, at their limit).
    """
    norms = np.sum(Y * Y, axis=0)
    top = Y.max(axis=0)
    on = (Y > rel * top) & (norms > 1e-8 * max(float(norms.sum()), 1e-300))
    supports = [(c, np.flatnonzero(on[:, c])) for c in range(Y.shape[1]) if on[:, c].sum() >= 2]
    return supports, np.flatnonzero(~on.any(axis=1))


def _block_operator(lag, rows):
    """M restricted to ``rows`` as a function x ↦ M_BB x (x of shape (|B|, m))."""
    sub = lag.op.restrict(rows)
    lam = lag.lam
    lr = lam["rows"][rows]
    diag = np.full(rows.size, lam["trace"])
    mu = 0.0
    if lag.robust:
        diag = diag + lam["diag"][rows]
        mu = lam["total"]

    def apply(X):
        s = X.sum(axis=0)
        return (sub.matmul(X) + 0.5 * (np.outer(lr, s) + (lr @ X)[None, :])
                + diag[:, None] * X - mu * s[None, :])
    return apply


def block_min_eig(lag, rows, rng):
    """Smallest eigenvalue of M_BB and its unit eigenvector."""
    apply = _block_operator(lag, rows)
    m = rows.size
    if m <= _DENSE_BLOCK:
        w, V = np.linalg.eigh(apply(np.eye(m)))
        return float(w[0]), V[:, 0]
    op = LinearOperator((m, m), matvec=lambda x: apply(x[:, None])[:, 0],
                        matmat=apply, dtype=float)
    try:
        w, V = eigsh(op, k=1, which="SA", tol=1e-6, maxiter=50 * m,
                     v0=rng.standard_normal(m))
    except ArpackNoConvergence as exc:             # partial answer: still a direction
        if exc.eigenvalues.size == 0:
            return 0.0, np.zeros(m)
        w, V = exc.eigenvalues, exc.eigenvectors
    return float(w[0]), V[:, 0]


def nonneg_min_rayleigh(lag, rows, w0, max_iter=300):
    """A local minimum of wᵀ M w / wᵀ w over w ≥ 0 supported on ``rows``
    (L-BFGS-B from ``w0``): a violation of copositivity of M on ``rows``.
    A block of at most :data:`_DENSE_BLOCK` rows is formed once (a product
    with it is a few microseconds, the operator's a few dozen)."""
    apply = _block_operator(lag, rows)
    if rows.size <= _DENSE_BLOCK:
        dense = apply(np.eye(rows.size))
        apply = dense.__matmul__

    def fun(w):
        Mw = apply(w[:, None])[:, 0]
        q = max(float(w @ w), 1e-300)
        val = float(w @ Mw) / q
        return val, 2.0 * (Mw - val * w) / q
    # SciPy's L-BFGS-B defaults (10 pairs, relative decrease 1e7 ε, gtol 1e-5)
    w, value, _ = lbfgsb(fun, w0, maxiter=max_iter, gtol=1e-5, ftol=1e7 * np.finfo(float).eps,
                         maxcor=10)
    nw = float(np.linalg.norm(w))
    return (value, w / nw) if nw > 0 else (0.0, w)


def curvature(lag, Y, rng):
    """The most negative second-order direction found at Y (module docstring).

    For every support block B: λ_min(M_BB) (a ``"split"`` direction, mixed
    signs on B) and a local minimum of the Rayleigh quotient of M over
    w ≥ 0 on B and the rows outside every support (an ``"add"`` direction:
    a new nonnegative column, which may bring shed rows back), started from
    the block's column sums and a uniform weight on the shed rows.

    Returns
    -------
    value : float
        The most negative value found (0.0 when none is negative).
    rows : ndarray of int
        Rows of the direction.
    v : ndarray
        The unit direction on ``rows``.
    kind : str
        ``"split"`` or ``"add"``.
    column : int
        The column whose support the direction was found on.
    """
    supports, out = column_supports(Y)
    best = (0.0, np.zeros(0, int), np.zeros(0), "split", 0)
    for c, rows in supports:                           # loop over columns (≈ k)
        val, v = block_min_eig(lag, rows, rng)
        if val < best[0]:
            best = (val, rows, v, "split", c)
        if out.size:
            both = np.r_[rows, out]
            yb = Y[rows, c]
            w0 = np.r_[yb / np.linalg.norm(yb), np.full(out.size, 1.0 / np.sqrt(out.size))]
            val, w = nonneg_min_rayleigh(lag, both, w0)
            if val < best[0]:
                best = (val, both, w, "add", c)
    return best


def escape(lag, Y, rows, v, kind, c, max_rank):
    """Step along a direction of :func:`curvature`: split column c along v
    (``"split"``) or add the column s·v (``"add"``); the step
    length s is the best of a geometric grid by the augmented Lagrangian at
    the current multipliers (the caller keeps the step only if, after the
    augmented Lagrangian has run again, the objective is lower). Returns the
    new factor, or None when the rank is at ``max_rank``."""
    n, r = Y.shape
    norms = np.sum(Y * Y, axis=0)
    free = np.flatnonzero(norms <= 1e-12 * max(float(norms.sum()), 1e-300))
    free = free[free != c]
    if free.size == 0 and r >= max_rank:
        return None
    j = free[0] if free.size else r
    full = np.zeros(n)
    full[rows] = v
    y = Y[:, c]
    top = float(np.linalg.norm(y))
    grid = top * 2.0 ** -np.arange(10)
    if kind == "split":
        # the exact CP step (both halves ≥ 0) and larger, clipped ones
        pos = np.abs(v) > 0
        grid = np.r_[float(np.min(y[rows][pos] / np.abs(v[pos]))) if pos.any() else 0.0, grid]
    best, best_val = None, np.inf
    for s in grid[grid > 0]:
        Yn = np.hstack([Y, np.zeros((n, 1))]) if j == r else Y.copy()
        if kind == "split":
            Yn[:, c] = np.maximum(y + s * full, 0.0) / np.sqrt(2)
            Yn[:, j] = np.maximum(y - s * full, 0.0) / np.sqrt(2)
        else:
            Yn[:, j] = s * full
        val = lag.value_grad(Yn)[0]
        if val < best_val:
            best, best_val = Yn, val
    return best
