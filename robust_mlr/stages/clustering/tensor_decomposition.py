"""Whitening and orthogonal decomposition of a symmetric third-order moment.

Given M2 = Σ_a p_a μ_a μ_aᵀ and M3 = Σ_a p_a μ_a^{⊗3} with k linearly
independent centres μ_a ∈ R^k (Anandkumar, Ge, Hsu, Kakade, Telgarsky, JMLR
2014, "Tensor decompositions for learning latent variable models"):

* whitening ``W = V Λ^{-1/2}`` from the top-k eigenpairs of M2 makes
  ``v_a = √p_a Wᵀ μ_a`` orthonormal, so
  ``T = M3(W, W, W) = Σ_a λ_a v_a^{⊗3}`` with ``λ_a = p_a^{-1/2}``;
* a random contraction ``T(I, I, θ) = Σ_a λ_a ⟨v_a, θ⟩ v_a v_aᵀ`` is a
  symmetric matrix whose eigenvectors are the v_a (Jennrich's simultaneous
  diagonalisation); several contractions give the starting points;
* robust tensor power iterations ``v ← T(I, v, v) / ‖T(I, v, v)‖`` from all
  starting points at once, keep the one with the largest ``T(v, v, v)``,
  deflate ``T ← T − λ v^{⊗3}`` and repeat k times;
* un-whitening: ``μ_a = λ_a V Λ^{1/2} v_a`` and ``p_a = λ_a^{-2}``.

All tensors are k × k × k (k ≤ a few tens), so each step is a handful of
BLAS calls on k² × k matrices.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..._validation import check_array, check_int, check_rng
from ...exceptions import ConvergenceWarning, ValidationError

__all__ = ["whiten", "decompose_moments", "symmetric_power_method"]


def whiten(M2, k):
    """Whitening map of a PSD-in-expectation matrix from its top-k eigenpairs.

    Parameters
    ----------
    M2 : ndarray (m, m)
        Symmetric second moment (an unbiased estimate may have small negative
        eigenvalues).
    k : int
        Rank kept.

    Returns
    -------
    W : ndarray (m, k)
        ``Wᵀ M2 W = I_k``.
    B : ndarray (m, k)
        Un-whitening map ``V Λ^{1/2}`` (``Bᵀ W = I_k``).
    eigvals : ndarray (k,)
        The kept eigenvalues, largest first.

    Raises
    ------
    ValidationError
        If a kept eigenvalue is not positive: the k centres do not span k
        dimensions (or too few tasks for the estimate).

    Examples
    --------
    >>> import numpy as np
    >>> W, B, lam = whiten(np.diag([4.0, 1.0]), 2)
    >>> np.allclose(W.T @ np.diag([4.0, 1.0]) @ W, np.eye(2))
    True
    """
    M2 = check_array(M2, "M2", ndim=2)
    k = check_int(k, "k", min_val=1, max_val=M2.shape[0])
    lam, V = np.linalg.eigh((M2 + M2.T) / 2)
    lam, V = lam[::-1][:k], V[:, ::-1][:, :k]
    if lam[-1] <= 1e-12 * max(lam[0], 1e-300):
        raise ValidationError(
            f"the second moment M2 has eigenvalues {np.round(lam, 6).tolist()}: its "
            f"k={k}-th eigenvalue is not positive, so the k centres do not span k "
            f"dimensions (or there are too few tasks); cannot whiten")
    return V / np.sqrt(lam), V * np.sqrt(lam), lam


def _contract(T, V):
    """T(I, v, v) for every column v of V: (k, n_vectors)."""
    k = T.shape[0]
    VV = (V[:, None, :] * V[None, :, :]).reshape(k * k, -1)
    return T.reshape(k, k * k) @ VV


def symmetric_power_method(T, k, starts, n_iter=50, tol=1e-10):
    """Robust tensor power method with deflation on a (near-)orthogonal tensor.

    Parameters
    ----------
    T : ndarray (k, k, k)
        Symmetric tensor ≈ Σ_a λ_a v_a^{⊗3}, v_a orthonormal, λ_a > 0.
    k : int
        Number of components extracted.
    starts : ndarray (k, m)
        Unit starting vectors (columns), re-used after every deflation.
    n_iter : int
        Power iterations per component.
    tol : float
        Stop when no start moves by more than ``tol`` (in norm).

    Returns
    -------
    lam : ndarray (k,), V : ndarray (k, k)
        Eigenvalues and eigenvectors (columns), in extraction order.

    Warns
    -----
    ConvergenceWarning
        If the selected vector had not converged after ``n_iter`` steps.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 2, 2)); T[0, 0, 0], T[1, 1, 1] = 3.0, 2.0
    >>> lam, V = symmetric_power_method(T, 2, np.array([[0.8, 0.3], [0.6, 0.9]]))
    >>> np.round(lam, 6).tolist()
    [3.0, 2.0]
    """
    T = np.array(T, dtype=float)
    m = T.shape[0]
    lam, vecs = np.zeros(k), np.zeros((m, k))
    for a in range(k):
        V = starts / np.linalg.norm(starts, axis=0)
        moved = np.inf
        for _ in range(n_iter):
            Vn = _contract(T, V)
            Vn /= np.maximum(np.linalg.norm(Vn, axis=0), 1e-300)
            moved = np.linalg.norm(Vn - V, axis=0)
            V = Vn
            if moved.max() < tol:
                break
        values = np.einsum("im,im->m", V, _contract(T, V))
        best = int(np.argmax(values))
        if moved[best] > max(tol, 1e-4):
            warnings.warn(f"tensor power iteration for component {a} moved by "
                          f"{moved[best]:.2e} after n_iter={n_iter} steps",
                          ConvergenceWarning, stacklevel=2)
        v = V[:, best]
        lam[a], vecs[:, a] = values[best], v
        T -= values[best] * np.einsum("i,j,l->ijl", v, v, v)
    return lam, vecs


def decompose_moments(M2, M3, k, rng=None, n_contractions=4, n_random=8, n_iter=50):
    """Centres and weights of Σ_a p_a μ_a^{⊗3} from (M2, M3).

    Parameters
    ----------
    M2 : ndarray (m, m)
    M3 : ndarray (m, m, m)
        Second and third moments of a mixture with k linearly independent
        centres in R^m (m ≥ k).
    k : int
    rng : None, int or Generator
        Draws the random contractions and the random starts.
    n_contractions : int
        Random contractions T(I, I, θ) whose eigenvectors seed the power method
        (Jennrich; in population one suffices, more guard against noise).
    n_random : int
        Extra uniformly random starts.
    n_iter : int
        Power iterations per component.

    Returns
    -------
    centres : ndarray (m, k)
        μ_a as columns.
    weights : ndarray (k,)
        p_a = λ_a^{-2} (not renormalised; Σ p_a ≈ 1 when the moments are accurate).
    info : dict
        ``eigvals`` of M2 kept, tensor eigenvalues ``lam``.

    Examples
    --------
    >>> import numpy as np
    >>> mu, p = np.array([[1.0, 0.0], [0.5, 1.0]]), np.array([0.3, 0.7])
    >>> M2 = (mu * p) @ mu.T
    >>> M3 = np.einsum("a,ia,ja,la->ijl", p, mu, mu, mu)
    >>> C, w, _ = decompose_moments(M2, M3, 2, rng=0)
    >>> order = np.argsort(w)
    >>> np.allclose(C[:, order], mu) and np.allclose(w[order], p)
    True
    """
    rng = check_rng(rng)
    M3 = check_array(M3, "M3", ndim=3)
    W, B, eig = whiten(M2, k)
    if M3.shape != (W.shape[0],) * 3:
        raise ValidationError(f"M3 has shape {M3.shape}; expected {(W.shape[0],) * 3}")
    T = np.einsum("abc,ai,bj,cl->ijl", M3, W, W, W, optimize=True)
    T = (T + T.transpose(0, 2, 1) + T.transpose(1, 0, 2) + T.transpose(1, 2, 0)
         + T.transpose(2, 0, 1) + T.transpose(2, 1, 0)) / 6
    starts = [rng.standard_normal((k, n_random))]
    for theta in rng.standard_normal((n_contractions, k)):
        starts.append(np.linalg.eigh(T @ (theta / np.linalg.norm(theta)))[1])
    lam, V = symmetric_power_method(T, k, np.hstack(starts), n_iter=n_iter)
    lam = np.maximum(lam, 1e-12)
    return (B @ V) * lam, lam ** -2.0, {"eigvals": eig, "lam": lam}
