"""SoS constraints on forms whose coefficients are affine cvxpy expressions.

Image (Gram) form: p is a sum of squares of degree-m/2 forms iff
p(v) = m(v)ᵀ G m(v) for some G ⪰ 0, m(v) the vector of the s = C(k+m/2−1, m/2)
monomials of degree m/2. Matching coefficients gives one equality per
monomial of degree m, (A vec G)_γ = Σ_{α+β=γ} G_αβ = c_γ, A from
:func:`sos.basis.gram_map`. Nonnegativity on the unit sphere of a form of
even degree is nonnegativity everywhere; Reznick multipliers ||v||^{2r}
strengthen the test: p ≥ 0 is certified when p·||v||^{2r} is SoS.

Never replace this by the flattening (the k^{m/2} × k^{m/2} matrix ⪯ B·I): it
is valid but loose, see :func:`sos.certificates.flattening_bound`.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from .basis import MonomialBasis, gram_map, product_table
from .exceptions import SosValidationError
from .forms import sphere_form

__all__ = ["sos_form", "multiply_by_sphere", "nonneg_on_sphere"]


def _check_even(k, m):
    if m % 2 or m < 2:
        raise SosValidationError(f"an SoS form needs an even degree m >= 2, got m={m}")
    if k < 1:
        raise SosValidationError(f"need k >= 1 variables, got {k}")


def sos_form(coeffs, k, m):
    """Constrain the form with coefficient expression ``coeffs`` (over
    ``MonomialBasis(k, m)``) to be a sum of squares.

    Returns
    -------
    G : cvxpy.Variable (s, s), PSD
        The Gram matrix.
    constraints : list
        ``[A @ vec(G) == coeffs]`` (G ⪰ 0 is declared on the variable).
    """
    _check_even(k, m)
    half = MonomialBasis(k, m // 2)
    A, out = gram_map(half)
    if coeffs.shape != (len(out),):
        raise SosValidationError(f"coeffs has shape {coeffs.shape}; a degree-{m} form in "
                                 f"{k} variables has {len(out)} coefficients")
    s = len(half)
    G = cp.Variable((s, s), PSD=True)
    return G, [A @ cp.vec(G, order="C") == coeffs]


def multiply_by_sphere(k, m, r):
    """Sparse matrix mapping coefficients of a degree-m form p to those of
    p·||v||^{2r} (degree m + 2r)."""
    if r == 0:
        return sp.identity(len(MonomialBasis(k, m)), format="csr")
    base = MonomialBasis(k, m)
    mult = MonomialBasis(k, 2 * r)
    T, out = product_table(base, mult)
    q = sphere_form(k, 2 * r)
    rows, cols = T.ravel(), np.repeat(np.arange(len(base)), len(mult))
    vals = np.tile(q, len(base))
    keep = vals != 0
    return sp.csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=(len(out), len(base)))


def nonneg_on_sphere(coeffs, k, m, r=0):
    """Certify p ≥ 0 on the sphere by p·||v||^{2r} SoS. Returns ``(G, constraints)``."""
    _check_even(k, m)
    M = multiply_by_sphere(k, m, r)
    return sos_form(M @ coeffs, k, m + 2 * r)
