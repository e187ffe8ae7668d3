"""AMHT-LRS: alternating minimisation with hard thresholding for a low-rank
plus sparse decomposition of the task parameters (ICLR 2023 submission
*Private and Efficient Meta-Learning with Low Rank and Sparse
Decomposition*).

Model: θ_i = U w_i + b_i with U ∈ R^{d×r} orthonormal (shared) and b_i
having at most ``sparsity`` nonzero entries (task-specific fine-tuning). One
outer iteration, on all tasks at once:

1. **w-step.** Every task's coefficients solve the r × r ridge system
   (A_iᵀA_i + λ_i I) w_i = A_iᵀ(y_i − X_i b_i) with A_i = X_i U; the n
   systems are stacked (n, r, r) and solved by one batched
   :func:`numpy.linalg.solve`. λ_i = 1e-10 · tr(A_iᵀA_i)/r only guards
   against exact singularity.
2. **b-step** (``sparsity > 0``). ``n_hard`` iterative-hard-thresholding
   steps b_i ← H_s(b_i + η (1/t_i) X_iᵀ r_i), keeping the ``sparsity``
   largest entries of each row (η as in Meta-SP).
3. **U-step.** xᵀ U w = vec(U)ᵀ (w ⊗ x), so U solves one least-squares
   problem in d·r unknowns whose design has rows w_{task(j)} ⊗ x_j; its
   normal matrix is formed by one BLAS product. U is then orthonormalised
   by QR (the triangular factor is absorbed by the next w-step).

Initialisation: the top-r eigenvectors of (1/n) Σ_i z_i z_iᵀ with
z_i = t_i^{-1/2} Σ_j y_ij x_ij, whose expectation for x ~ N(0, I) is a
multiple of I plus a positive combination of θ θᵀ (the moment initialiser
of the low-rank meta-learning literature). Stops when U moves by less than
``tol`` (sine of the largest principal angle).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..._linalg import top_eigvecs
from ..._validation import check_float, check_int
from ...exceptions import ConvergenceWarning, ValidationError
from .base import SubspaceResult
from ..._segments import Segments
from ._tasks import check_rank, subspace_change

__all__ = ["amht_lrs"]


def _hard_threshold(B, s):
    """Keep the ``s`` largest-magnitude entries of every row of B."""
    if s >= B.shape[1]:
        return B
    drop = np.argpartition(np.abs(B), B.shape[1] - s, axis=1)[:, :B.shape[1] - s]
    out = B.copy()
    np.put_along_axis(out, drop, 0.0, axis=1)
    return out


def amht_lrs(data, k, *, sparsity=0, n_hard=5, max_iter=100, tol=1e-6):
    """Estimate span(U) (and sparse task offsets) by AMHT-LRS.

    Paper's assumptions: realizable linear tasks θ_i = U w_i + b_i with U
    orthonormal of rank r, b_i at most k-sparse and incoherent with U;
    Gaussian covariates N(0, I) and Gaussian noise; well-conditioned task
    diversity (1/n) Σ w_i w_iᵀ; total examples n·t = Ω(k d r⁴) and per-task
    examples t = Ω(max(k, r³)) for exact recovery in the noiseless case.
    Not robust to corrupted tasks.

    Parameters
    ----------
    data : MetaDataset
        Light tasks; every task needs t_i > k + sparsity examples.
    k : int
        Rank r of the shared subspace (the number of components), 1 <= k <= d.
    sparsity : int
        Nonzero entries allowed in each b_i (0: pure low-rank model, the
        mixture-of-regressions case).
    n_hard : int
        Hard-thresholding steps per outer iteration (used when sparsity > 0).
    max_iter : int
        Outer-iteration cap (ConvergenceWarning when reached).
    tol : float
        Stop when the sine of the largest principal angle between
        successive U is below ``tol``.

    Returns
    -------
    SubspaceResult
        ``U`` (d, k); ``info`` has ``iterations``, ``change``, ``objective``
        (mean squared residual) and ``sparse_rows`` (tasks with b_i ≠ 0).

    Raises
    ------
    ValidationError
        If ``k`` is missing or exceeds d, if ``sparsity`` is outside
        [0, d − k], or if some task has t_i <= k + sparsity (the per-task
        solve would interpolate, leaving nothing to learn U from).

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks, metrics
    >>> theta = make_params(10, 2, s=0.0, rng=0)
    >>> data = make_tasks(theta, 2000, 4, rng=1)
    >>> res = amht_lrs(data, 2)
    >>> metrics.subspace_error(res.U, theta) < 1e-5
    True
    """
    k = check_rank(k, data)
    d = data.dim
    sparsity = check_int(sparsity, "sparsity", min_val=0, max_val=d - k)
    n_hard = check_int(n_hard, "n_hard", min_val=1)
    max_iter = check_int(max_iter, "max_iter", min_val=1)
    tol = check_float(tol, "tol", min_val=0.0)
    tmin = int(data.sizes.min())
    if tmin <= k + sparsity:
        bad = int(np.argmin(data.sizes))
        raise ValidationError(
            f"AMHT-LRS fits k + sparsity = {k + sparsity} coefficients per task but task {bad} "
            f"has t_i={tmin} examples; need t_i > {k + sparsity} (with t_i = k + sparsity "
            "every task is interpolated and U receives no information)")
    seg = Segments(data)
    X, y = data.X, data.y
    z = seg.sum(X * y[:, None]) / np.sqrt(seg.sizes)[:, None]
    U, _ = top_eigvecs(z.T @ z / data.n_tasks, k)
    B = np.zeros((data.n_tasks, d))
    eta = tmin / (np.sqrt(d) + np.sqrt(tmin)) ** 2
    change = np.inf
    for it in range(1, max_iter + 1):
        off = seg.rowdot(X, B) if sparsity else 0.0
        w = seg.solve(X @ U, y - off)
        if sparsity:
            low = seg.rowdot(X @ U, w)
            for _ in range(n_hard):
                r = y - low - seg.rowdot(X, B)
                B = _hard_threshold(B + eta * seg.sum(X * r[:, None]) / seg.sizes[:, None],
                                    sparsity)
            off = seg.rowdot(X, B)
        Z = (w[seg.index][:, :, None] * X[:, None, :]).reshape(X.shape[0], k * d)
        ZtZ = Z.T @ Z
        ZtZ[np.diag_indices_from(ZtZ)] += 1e-12 * np.trace(ZtZ) / (k * d)
        u = np.linalg.solve(ZtZ, Z.T @ (y - off))
        U_new = np.linalg.qr(u.reshape(k, d).T)[0]
        change = subspace_change(U, U_new)
        U = U_new
        if change < tol:
            break
    else:
        warnings.warn(f"amht_lrs reached max_iter={max_iter} with subspace change "
                      f"{change:.2e} > tol={tol:.1e}", ConvergenceWarning, stacklevel=2)
    w = seg.solve(X @ U, y - (seg.rowdot(X, B) if sparsity else 0.0))
    resid = y - seg.rowdot(X @ U, w) - (seg.rowdot(X, B) if sparsity else 0.0)
    return SubspaceResult(U, None, {
        "method": "AMHT-LRS", "iterations": it, "change": change,
        "objective": float(np.mean(resid ** 2)),
        "sparse_rows": int(np.count_nonzero(np.any(B != 0, axis=1)))})
