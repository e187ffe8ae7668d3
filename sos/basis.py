"""Monomial bases in graded order, index maps and sparse multiplication tables.

A monomial v^α in n variables is its exponent vector α (n non-negative
integers). Bases are listed in graded order: by total degree, then
lexicographically decreasing (v_1² before v_1 v_2 before v_2²).
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from math import comb, factorial

import numpy as np
import scipy.sparse as sp

from .exceptions import SosValidationError

__all__ = ["MonomialBasis", "product_table", "gram_map", "multinomial"]


def _exponents(n, degree):
    """All exponent vectors of total degree ``degree`` in n variables, lex-decreasing."""
    out = []
    for combo in itertools.combinations_with_replacement(range(n), degree):
        e = np.zeros(n, dtype=np.int64)
        np.add.at(e, list(combo), 1)
        out.append(e)
    if not out:
        out.append(np.zeros(n, dtype=np.int64))
    return np.array(out, dtype=np.int64).reshape(-1, n)


class MonomialBasis:
    """Monomials of degree exactly ``degree`` (a form basis) or up to it.

    Parameters
    ----------
    n_vars : int
    degree : int
    homogeneous : bool
        True: degree exactly ``degree`` (C(n+d−1, d) monomials); False: all
        degrees 0..degree (C(n+d, d) monomials), graded.

    Examples
    --------
    >>> b = MonomialBasis(2, 2)
    >>> b.exponents.tolist()
    [[2, 0], [1, 1], [0, 2]]
    >>> b.index((1, 1))
    1
    """

    def __init__(self, n_vars, degree, homogeneous=True):
        if n_vars < 1 or degree < 0:
            raise SosValidationError(f"need n_vars >= 1 and degree >= 0, got {n_vars}, {degree}")
        self.n_vars, self.degree, self.homogeneous = int(n_vars), int(degree), bool(homogeneous)
        degs = [degree] if homogeneous else range(degree + 1)
        self.exponents = np.vstack([_exponents(n_vars, d) for d in degs])
        self._index = {tuple(e): i for i, e in enumerate(self.exponents.tolist())}

    def __len__(self):
        return self.exponents.shape[0]

    def __repr__(self):
        kind = "forms" if self.homogeneous else "polynomials"
        return f"MonomialBasis(n_vars={self.n_vars}, degree={self.degree}, {kind}, size={len(self)})"

    def index(self, exponent):
        """Position of a monomial given by its exponent vector."""
        try:
            return self._index[tuple(int(a) for a in exponent)]
        except KeyError:
            raise SosValidationError(f"monomial {tuple(exponent)} is not in {self!r}") from None

    def indices(self, exponents):
        """Positions of many monomials (rows of an int array)."""
        return np.array([self._index[tuple(e)] for e in np.asarray(exponents).tolist()])

    def evaluate(self, V):
        """Values of all monomials at points V (m, n) -> (m, len(self))."""
        V = np.atleast_2d(np.asarray(V, dtype=float))
        return np.prod(V[:, None, :] ** self.exponents[None, :, :], axis=2)

    @property
    def size_check(self):
        """Closed-form size C(n+d−1, d) (forms) or C(n+d, d): a self-check."""
        n, d = self.n_vars, self.degree
        return comb(n + d - 1, d) if self.homogeneous else comb(n + d, d)


def multinomial(exponents):
    """Multinomial coefficients |α|! / Π α_j! for rows of an exponent array."""
    E = np.atleast_2d(exponents)
    f = np.array([factorial(int(v)) for v in range(int(E.max(initial=0)) + 1)], dtype=float)
    return np.array([factorial(int(r.sum())) for r in E], dtype=float) / np.prod(f[E], axis=1)


@lru_cache(maxsize=64)
def _table(nA, dA, hA, nB_d, hB):
    A = MonomialBasis(nA, dA, hA)
    B = MonomialBasis(nA, nB_d, hB)
    out = MonomialBasis(nA, dA + nB_d, hA and hB)
    S = A.exponents[:, None, :] + B.exponents[None, :, :]
    idx = out.indices(S.reshape(-1, nA)).reshape(len(A), len(B))
    return idx


def product_table(basis_a, basis_b):
    """Index table T (len(a), len(b)): monomial a_i · b_j is ``out[T[i, j]]``,
    ``out`` the basis of the product degrees (homogeneous iff both are).

    Returns
    -------
    T : ndarray of int
    out : MonomialBasis
    """
    if basis_a.n_vars != basis_b.n_vars:
        raise SosValidationError("bases have different numbers of variables")
    T = _table(basis_a.n_vars, basis_a.degree, basis_a.homogeneous, basis_b.degree,
               basis_b.homogeneous)
    out = MonomialBasis(basis_a.n_vars, basis_a.degree + basis_b.degree,
                        basis_a.homogeneous and basis_b.homogeneous)
    return T, out


def gram_map(basis):
    """Sparse A (len(out) × s²) with (A vec(G))_γ = Σ_{α+β=γ} G_αβ, i.e. the
    coefficients of m(v)ᵀ G m(v) for m the monomial vector of ``basis``
    (s = len(basis); vec is row-major, which equals column-major for
    symmetric G). Returns ``(A, out_basis)``."""
    T, out = product_table(basis, basis)
    s = len(basis)
    A = sp.csr_matrix((np.ones(s * s), (T.ravel(), np.arange(s * s))), shape=(len(out), s * s))
    return A, out
