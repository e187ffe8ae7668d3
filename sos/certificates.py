"""Certified bounds: SoS-certifiably bounded m-th moments, and SoS lower bounds.

The m-th moment form of points x_1..x_n (weights w_i) is
p(v) = Σ_i w_i ⟨x_i, v⟩^m; its coefficients come from the moment tensor alone
(:func:`sos.forms.power_form`). The degree-m SoS certificate of
max_{||v||=1} p(v) ≤ B is

    minimise B  subject to  B·||v||^m − p(v) = m(v)ᵀ G m(v),  G ⪰ 0,

an SDP with a Gram matrix of size C(k+m/2−1, m/2) (55 at k = 10, m = 4) and
C(k+m−1, m) equalities, independent of n.
"""

from __future__ import annotations

from dataclasses import dataclass

import cvxpy as cp
import numpy as np

from .basis import MonomialBasis, gram_map
from .constraints import multiply_by_sphere, sos_form
from .exceptions import SosValidationError
from .forms import power_form, sphere_form
from .solvers import solve

__all__ = ["MomentCertificate", "certify_moment_bound", "flattening_bound", "sos_lower_bound",
           "is_sos"]


@dataclass(frozen=True)
class MomentCertificate:
    """A certified upper bound of max_{||v||=1} Σ_i w_i ⟨x_i, v⟩^m.

    Attributes
    ----------
    bound : float
        B from the solver (in the data's units).
    rigorous_bound : float
        B + max(0, −λ_min(G)) + ||r||₁ (scaled): holds exactly despite solver
        error, since for unit v both ||m(v)||² ≤ 1 and |v^γ| ≤ 1.
    gram : ndarray (s, s)
        The Gram certificate G (for the rescaled data).
    residual : float
        max_γ |coefficient mismatch| of the identity B||v||^m − p = mᵀGm.
    min_eig : float
        Smallest eigenvalue of G.
    solver : dict
        Solver name, status, time and problem size.
    """

    bound: float
    rigorous_bound: float
    gram: np.ndarray
    residual: float
    min_eig: float
    m: int
    k: int
    solver: dict


def _weights(n, weights):
    if weights is None:
        return np.full(n, 1.0 / n)
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,) or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise SosValidationError(f"weights must be {n} finite nonnegative numbers")
    return w


def certify_moment_bound(X, m=4, weights=None, solver=None, **solver_opts):
    """Certify max_{||v||=1} Σ_i w_i ⟨x_i, v⟩^m ≤ B by a degree-m SoS proof.

    Parameters
    ----------
    X : ndarray (n, k)
        Points (centre them first for central moments).
    m : int
        Even degree (4, 6, ...).
    weights : ndarray (n,), optional
        Default 1/n.
    solver : str, optional
        Default SCS (see :func:`sos.solvers.solve`).

    Returns
    -------
    MomentCertificate

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).standard_normal((20000, 3))
    >>> cert = certify_moment_bound(X, 4)
    >>> 2.8 < cert.bound < 3.3          # E<x, v>^4 = 3 for N(0, I)
    True
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or not np.all(np.isfinite(X)):
        raise SosValidationError(f"X must be a finite 2-D array, got shape {X.shape}")
    if m % 2 or m < 2:
        raise SosValidationError(f"m must be even and >= 2, got {m}")
    n, k = X.shape
    w = _weights(n, weights)
    # rescale so the form has O(1) coefficients: SCS converges far faster
    scale = np.sqrt(np.sum(w * np.sum(X ** 2, axis=1)) / max(w.sum(), 1e-300) / k)
    scale = scale if scale > 0 else 1.0
    c = power_form(X / scale, m, w)
    q = sphere_form(k, m)
    B = cp.Variable()
    G, cons = sos_form(B * q - c, k, m)
    prob = cp.Problem(cp.Minimize(B), cons)
    info = solve(prob, solver, **solver_opts)
    Gv = G.value
    A, _ = gram_map(MonomialBasis(k, m // 2))
    r = A @ Gv.ravel() - (B.value * q - c)
    lam = float(np.linalg.eigvalsh((Gv + Gv.T) / 2)[0])
    rig = B.value + max(0.0, -lam) + np.abs(r).sum()
    return MomentCertificate(float(B.value * scale ** m), float(rig * scale ** m), Gv,
                             float(np.abs(r).max()), lam, m, k, info)


def flattening_bound(X, m=4, weights=None, chunk=8192):
    """λ_max of the k^{m/2} × k^{m/2} flattening Σ_i w_i (x_i^{⊗m/2})(x_i^{⊗m/2})ᵀ.

    A valid but loose bound on max_{||v||=1} Σ_i w_i ⟨x_i, v⟩^m, kept only
    for comparison: for Gaussian-like data it exceeds the truth by ≈ (k+2)/3
    at m = 4.
    """
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    w = _weights(n, weights)
    h = m // 2
    F = np.zeros((k ** h, k ** h))
    for s in range(0, n, chunk):
        Y = X[s:s + chunk]
        T = Y
        for _ in range(h - 1):
            T = (T[:, :, None] * Y[:, None, :]).reshape(Y.shape[0], -1)
        F += (T * w[s:s + chunk, None]).T @ T
    return float(np.linalg.eigvalsh(F)[-1])


def sos_lower_bound(coeffs, k, m, r=0, solver=None, **solver_opts):
    """max γ such that (p − γ||v||^m)·||v||^{2r} is SoS: a certified lower bound
    of min_{||v||=1} p(v) (exact when the gap form is SoS)."""
    coeffs = np.asarray(coeffs, dtype=float)
    g = cp.Variable()
    M = multiply_by_sphere(k, m, r)
    _, cons = sos_form(M @ coeffs - g * (M @ sphere_form(k, m)), k, m + 2 * r)
    info = solve(cp.Problem(cp.Maximize(g), cons), solver, **solver_opts)
    return float(g.value), info


def is_sos(coeffs, k, m, r=0, tol=1e-6, solver=None, **solver_opts):
    """True when p·||v||^{2r} is (numerically) a sum of squares: the SoS lower
    bound of p on the sphere is ≥ −tol."""
    gamma, _ = sos_lower_bound(coeffs, k, m, r, solver, **solver_opts)
    return gamma >= -tol
