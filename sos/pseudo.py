"""Moment relaxations: pseudo-expectations of degree D over n variables.

A degree-D pseudo-expectation Ẽ is a linear functional on polynomials of
degree ≤ D, stored as its values y_γ = Ẽ[w^γ] on monomials, with Ẽ[1] = 1 and
the moment matrix M[α, β] = y_{α+β} ⪰ 0 (α, β of degree ≤ D/2). Constraints:

* Boolean variables (w_i² = w_i): monomials are reduced to their support, so
  y is indexed by subsets of size ≤ D;
* g(w) ≥ 0: the localising matrix L_g[α, β] = Σ_γ g_γ y_{α+β+γ} ⪰ 0 over
  α, β of degree ≤ (D − deg g)/2;
* h(w) = 0: Ẽ[h · w^α] = 0 for all monomials of degree ≤ D − deg h.

Polynomials are dicts ``{exponent tuple: coefficient}``; :func:`poly` builds
them from ``{(i, j, ...): c}`` index tuples.
"""

from __future__ import annotations

from dataclasses import dataclass

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from .basis import MonomialBasis
from .exceptions import SosValidationError
from .solvers import solve

__all__ = ["MomentRelaxation", "PseudoExpectation", "poly"]


def poly(n, terms):
    """Polynomial in n variables from ``{(i, j, ...): coeff}`` (repeated indices
    are powers; ``()`` is the constant)."""
    out = {}
    for idx, c in terms.items():
        e = [0] * n
        for i in idx:
            e[i] += 1
        out[tuple(e)] = out.get(tuple(e), 0.0) + float(c)
    return out


def _degree(p):
    return max((sum(e) for e in p), default=0)


class MomentRelaxation:
    """A degree-D moment relaxation over n variables.

    Parameters
    ----------
    n : int
        Number of variables.
    degree : int
        D (even).
    boolean : bool
        Impose w_i² = w_i (monomials reduce to subsets).

    Examples
    --------
    >>> R = MomentRelaxation(2, 2, boolean=True)
    >>> R.add_equality(poly(2, {(0,): 1, (1,): 1, (): -1}))   # w0 + w1 = 1
    >>> E = R.solve(R.expectation(poly(2, {(0,): 1})), sense="max")
    >>> abs(E(poly(2, {(0, 1): 1}))) < 1e-4                # w0 w1 = 0 is forced
    True
    """

    def __init__(self, n, degree, boolean=False):
        if degree % 2:
            raise SosValidationError(f"degree must be even, got {degree}")
        self.n, self.degree, self.boolean = int(n), int(degree), bool(boolean)
        full = MonomialBasis(n, degree, homogeneous=False).exponents
        if boolean:
            full = np.unique(np.minimum(full, 1), axis=0)
            full = full[np.lexsort(full.T[::-1])[::-1]]
            full = full[np.argsort(full.sum(1), kind="stable")]
        self.monomials = full
        self._index = {tuple(e): i for i, e in enumerate(full.tolist())}
        self.y = cp.Variable(len(full))
        self.constraints = [self.y[self._index[(0,) * n]] == 1]
        self.constraints.append(self._psd_block({(0,) * n: 1.0}, degree // 2))

    # ----------------------------------------------------------- internals
    def _key(self, e):
        e = np.minimum(e, 1) if self.boolean else e
        key = tuple(int(a) for a in e)
        if key not in self._index:
            raise SosValidationError(f"monomial {key} exceeds the relaxation degree {self.degree}")
        return self._index[key]

    def _half_basis(self, d):
        B = MonomialBasis(self.n, d, homogeneous=False).exponents
        if self.boolean:
            B = np.unique(np.minimum(B, 1), axis=0)
        return B

    def _psd_block(self, g, d):
        """L_g ⪰ 0 with rows/columns the monomials of degree ≤ d."""
        B = self._half_basis(d)
        s = B.shape[0]
        rows, cols, vals = [], [], []
        for gamma, c in g.items():
            S = B[:, None, :] + B[None, :, :] + np.asarray(gamma)
            idx = np.array([self._key(e) for e in S.reshape(-1, self.n)])
            rows.append(np.arange(s * s))
            cols.append(idx)
            vals.append(np.full(s * s, c))
        P = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(s * s, len(self.monomials)))
        M = cp.reshape(P @ self.y, (s, s), order="C")
        return (M + M.T) / 2 >> 0

    # ----------------------------------------------------------- public API
    def expectation(self, p):
        """Ẽ[p] as an affine cvxpy expression."""
        idx = [self._key(e) for e in p]
        return np.array(list(p.values())) @ self.y[idx]

    def add_equality(self, h):
        """Impose h(w) = 0: Ẽ[h · w^α] = 0 for every monomial of degree ≤ D − deg h."""
        d = self.degree - _degree(h)
        if d < 0:
            raise SosValidationError(f"deg h = {_degree(h)} exceeds the degree {self.degree}")
        B = self._half_basis(d)
        rows, cols, vals = [], [], []
        for r, a in enumerate(B):
            for gamma, c in h.items():
                rows.append(r)
                cols.append(self._key(a + np.asarray(gamma)))
                vals.append(c)
        P = sp.csr_matrix((vals, (rows, cols)), shape=(B.shape[0], len(self.monomials)))
        self.constraints.append(P @ self.y == 0)

    def add_nonneg(self, g):
        """Impose g(w) ≥ 0 through its localising matrix."""
        d = (self.degree - _degree(g)) // 2
        if d < 0:
            raise SosValidationError(f"deg g = {_degree(g)} exceeds the degree {self.degree}")
        self.constraints.append(self._psd_block(g, d))

    def solve(self, objective, sense="min", solver=None, **opts):
        """Optimise an affine objective; returns a :class:`PseudoExpectation`."""
        obj = cp.Minimize(objective) if sense == "min" else cp.Maximize(objective)
        info = solve(cp.Problem(obj, self.constraints), solver, **opts)
        return PseudoExpectation(self, np.asarray(self.y.value).copy(), info)


@dataclass
class PseudoExpectation:
    """A solved pseudo-expectation: call it on a polynomial dict to get Ẽ[p]."""

    relaxation: MomentRelaxation
    values: np.ndarray
    info: dict

    def __call__(self, p):
        return float(sum(c * self.values[self.relaxation._key(np.asarray(e))]
                         for e, c in p.items()))

    def moment_matrix(self, d=None):
        """Numeric moment matrix over monomials of degree ≤ d (default D/2)."""
        R = self.relaxation
        B = R._half_basis(R.degree // 2 if d is None else d)
        S = B[:, None, :] + B[None, :, :]
        idx = np.array([R._key(e) for e in S.reshape(-1, R.n)])
        return self.values[idx].reshape(B.shape[0], B.shape[0])
