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


class chi2:                      # noqa: N801 - reads like scipy.stats.chi2
    """Quantiles and distribution function of χ²_df (vectorised)."""

    @staticmethod
    def ppf(q, df):
        """Quantile: the x with P(χ²_df ≤ x) = q."""
        return 2.0 * special.gammaincinv(np.asarray(df) / 2.0, q)

    @staticmethod
    def isf(q, df):
        """Upper quantile: the x with P(χ²_df > x) = q."""
        return 2.0 * special.gammainccinv(np.asarray(df) / 2.0, q)

    @staticmethod
    def cdf(x, df):
        """P(χ²_df ≤ x)."""
        return special.chdtr(df, x)

    @staticmethod
    def sf(x, df):
        """P(χ²_df > x)."""
        return special.chdtrc(df, x)

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
