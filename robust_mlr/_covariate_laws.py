"""Covariate laws of the generator and their exact second moments (private).

Every law has a known second moment Σ_x = E[x xᵀ] (for the polynomial law
the mean is not zero, so this is not the covariance), returned by
:func:`second_moment` in closed form so tests and studies can compare an
estimate with the truth. The laws are described in docs/data.md.
"""

from __future__ import annotations

import numpy as np

from .exceptions import ValidationError

AR_RHO = 0.8          # correlation of neighbouring coordinates in the correlated laws

LAWS = ("gaussian", "student", "correlated", "correlated_student", "polynomial", "fourier",
        "uniform")


def _ar_cov(d):
    i = np.arange(d)
    return AR_RHO ** np.abs(i[:, None] - i[None, :])


def _chebyshev_mean(n):
    """E[T_n(u)] for u ~ U[-1, 1]: 1/(1 − n²) for even n, 0 for odd n."""
    n = np.asarray(n, dtype=float)
    out = np.zeros_like(n)
    even = n % 2 == 0
    out[even] = 1.0 / (1.0 - n[even] ** 2)
    return out


def _fourier_amplitudes(d):
    m = np.arange(d) // 2 + 1                       # frequency of coordinate j
    return np.sqrt(2.0) / m, m


def draw(rng, N, d, law, df):
    """N covariate vectors (N, d) from ``law``."""
    if law == "gaussian":
        return rng.standard_normal((N, d))
    if law == "student":
        return rng.standard_t(df, size=(N, d)) * np.sqrt((df - 2) / df)
    if law == "uniform":                       # the cube [−√3, √3]^d: unit variance
        return rng.uniform(-np.sqrt(3.0), np.sqrt(3.0), size=(N, d))
    if law in ("correlated", "correlated_student"):
        X = rng.standard_normal((N, d)) @ np.linalg.cholesky(_ar_cov(d)).T
        if law == "correlated_student":
            # multivariate t: one chi-square scale per example, unit covariance scale
            X *= np.sqrt((df - 2) / rng.chisquare(df, size=N))[:, None]
        return X
    if law == "polynomial":
        u = rng.uniform(-1.0, 1.0, size=N)
        return np.cos(np.arange(1, d + 1)[None, :] * np.arccos(u)[:, None])   # T_j(u)
    if law == "fourier":
        u = rng.uniform(-1.0, 1.0, size=N)
        a, m = _fourier_amplitudes(d)
        ang = np.pi * m[None, :] * u[:, None]
        return a * np.where(np.arange(d) % 2 == 0, np.cos(ang), np.sin(ang))
    raise ValidationError(f"x_dist must be one of {LAWS}, got {law!r}")


def second_moment(law, d, df=5.0):
    """Exact Σ_x = E[x xᵀ] of ``law`` in dimension d, (d, d)."""
    if law in ("gaussian", "student", "uniform"):
        return np.eye(d)
    if law in ("correlated", "correlated_student"):
        return _ar_cov(d)
    if law == "polynomial":
        # T_i T_j = (T_{i+j} + T_{|i-j|}) / 2
        j = np.arange(1, d + 1)
        return (_chebyshev_mean(j[:, None] + j[None, :])
                + _chebyshev_mean(np.abs(j[:, None] - j[None, :]))) / 2
    if law == "fourier":
        a, _ = _fourier_amplitudes(d)
        return np.diag(a ** 2 / 2)
    raise ValidationError(f"x_dist must be one of {LAWS}, got {law!r}")
