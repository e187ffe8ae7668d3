"""Forms (homogeneous polynomials) as coefficient vectors over a
:class:`MonomialBasis`, and vectorised builders from data.

A form p(v) = Σ_γ c_γ v^γ is the vector c over ``MonomialBasis(k, m)``.
Nothing here loops over points: monomials of data are built degree by
degree with one column product each, and sums over points are BLAS products.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .basis import MonomialBasis, multinomial, product_table
from .exceptions import SosValidationError

__all__ = ["monomials", "power_form", "sphere_form", "product_forms", "form_values",
           "moment_coefficients"]


def _representatives(basis_a, basis_b):
    """For each monomial of the product basis, one pair (i, j) producing it."""
    T, out = product_table(basis_a, basis_b)
    ra = np.empty(len(out), dtype=np.int64)
    rb = np.empty(len(out), dtype=np.int64)
    ii, jj = np.meshgrid(np.arange(T.shape[0]), np.arange(T.shape[1]), indexing="ij")
    ra[T.ravel()] = ii.ravel()
    rb[T.ravel()] = jj.ravel()
    return ra, rb, out


def monomials(X, degree):
    """All degree-``degree`` monomials of the rows of X: (n, C(k+d−1, d)).

    Built as Y_d = Y_{d−1}[:, a] * X[:, b] with one representative (a, b) per
    monomial: d − 1 column products, no loop over points.
    """
    X = np.asarray(X, dtype=float)
    k = X.shape[1]
    if degree == 0:
        return np.ones((X.shape[0], 1))
    Y = X
    one = MonomialBasis(k, 1)
    for d in range(2, degree + 1):
        ra, rb, _ = _representatives(MonomialBasis(k, d - 1), one)
        Y = Y[:, ra] * X[:, rb]
    return Y


def moment_coefficients(X, m, weights=None, chunk=65536):
    """Weighted monomial moments Σ_i w_i x_i^γ for all |γ| = m, over
    ``MonomialBasis(k, m)``.

    For even m this is one Gram product: with Y the degree-m/2 monomials,
    (Yᵀ diag(w) Y)_{αβ} = Σ_i w_i x_i^{α+β}, read off at one (α, β) per γ.
    Rows are processed in chunks to bound memory.
    """
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise SosValidationError(f"weights has shape {w.shape}; expected ({n},)")
    if m % 2 == 0:
        half = MonomialBasis(k, m // 2)
        ra, rb, out = _representatives(half, half)
        M = np.zeros((len(half), len(half)))
        for s in range(0, n, chunk):
            Y = monomials(X[s:s + chunk], m // 2)
            M += (Y * w[s:s + chunk, None]).T @ Y
        return M[ra, rb]
    total = np.zeros(len(MonomialBasis(k, m)))
    for s in range(0, n, chunk):
        total += w[s:s + chunk] @ monomials(X[s:s + chunk], m)
    return total


def power_form(X, m, weights=None):
    """Coefficients of p(v) = Σ_i w_i ⟨x_i, v⟩^m (default weights 1/n)."""
    X = np.asarray(X, dtype=float)
    if weights is None:
        weights = np.full(X.shape[0], 1.0 / X.shape[0])
    basis = MonomialBasis(X.shape[1], m)
    return multinomial(basis.exponents) * moment_coefficients(X, m, weights)


def sphere_form(k, m):
    """Coefficients of ||v||^m = (Σ_j v_j²)^{m/2} (m even)."""
    if m % 2:
        raise SosValidationError(f"||v||^m is a form only for even m, got m={m}")
    basis = MonomialBasis(k, m)
    E = basis.exponents
    even = np.all(E % 2 == 0, axis=1)
    c = np.zeros(len(basis))
    c[even] = multinomial(E[even] // 2)
    return c


def product_forms(P, basis_p, Q, basis_q):
    """Row-wise products of two batches of forms: (n, len(p)) × (n, len(q)) ->
    (n, len(out)). Every pair (α, β) is gathered once and scattered to α + β
    by a sparse matrix product."""
    T, out = product_table(basis_p, basis_q)
    S = sp.csr_matrix((np.ones(T.size), (np.arange(T.size), T.ravel())),
                      shape=(T.size, len(out)))
    n = P.shape[0]
    prod = (P[:, :, None] * Q[:, None, :]).reshape(n, -1)
    return np.asarray(prod @ S), out


def form_values(coeffs, basis, V):
    """Evaluate forms at points: coeffs (N,) or (r, N), V (m, k) -> values."""
    return basis.evaluate(V) @ np.asarray(coeffs).T
