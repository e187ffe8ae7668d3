"""χ² and normal quantiles from scipy.special (private module).

The stages need a handful of quantiles; scipy.stats, which computes them the
same way, takes longer to import than the whole pipeline, so the formulas
are written out here: for χ²_ν, F(x) = P(ν/2, x/2) (regularised lower
incomplete gamma) and F⁻¹(q) = 2 P⁻¹(ν/2, q); the normal quantile is ndtri.

Examples
--------
>>> round(float(chi2.ppf(0.95, 1)), 4), round(float(norm.isf(0.025)), 4)
(3.8415, 1.96)
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["chi2", "norm"]


#: Arrays of degrees of freedom longer than this are evaluated on their
#: distinct values (task sizes: a pool of 10⁶ tasks has a handful of sizes,
#: and an inverse incomplete gamma costs ≈ 1 µs a value).
_DISTINCT_FROM = 64


def _per_distinct(fn, q, df):
    """``2·fn(df/2, q)`` elementwise; an array ``df`` with a scalar ``q`` is
    evaluated once per distinct value (the same numbers, gathered)."""
    df = np.asarray(df)
    if df.size > _DISTINCT_FROM and np.ndim(q) == 0:
        values, which = np.unique(df, return_inverse=True)
        return (2.0 * fn(values / 2.0, q))[which.reshape(df.shape)]
    return 2.0 * fn(df / 2.0, q)


class chi2:                      # noqa: N801 - reads like scipy.stats.chi2
    """Quantiles and distribution function of χ²_df (vectorised)."""

    @staticmethod
    def ppf(q, df):
        """Quantile: the x with P(χ²_df ≤ x) = q."""
        return _per_distinct(special.gammaincinv, q, df)

    @staticmethod
    def isf(q, df):
        """Upper quantile: the x with P(χ²_df > x) = q."""
        return _per_distinct(special.gammainccinv, q, df)

    @staticmethod
    def cdf(x, df):
        """P(χ²_df ≤ x)."""
        return special.chdtr(df, x)

    @staticmethod
    def sf(x, df):
        """P(χ²_df > x)."""
        return special.chdtrc(df, x)

    @staticmethod
    def pdf(x, df):
        """Density of χ²_df at x > 0."""
        h = np.asarray(df, float) / 2.0
        return np.exp(special.xlogy(h - 1.0, x) - x / 2.0 - h * np.log(2.0) - special.gammaln(h))

    @staticmethod
    def median(df):
        """Median of χ²_df."""
        return chi2.ppf(0.5, df)


class norm:                      # noqa: N801
    """Quantiles of the standard normal law."""

    @staticmethod
    def ppf(q):
        """Quantile Φ⁻¹(q)."""
        return special.ndtri(q)

    @staticmethod
    def isf(q):
        """Upper quantile Φ⁻¹(1 − q)."""
        return -special.ndtri(q)
