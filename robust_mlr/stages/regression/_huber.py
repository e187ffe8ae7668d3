"""Huber regression by iteratively reweighted least squares (private; the
regression stage ``"huber"``, :class:`~.stages.Huber`)."""

from __future__ import annotations

import warnings

import numpy as np

from ..._linalg import least_squares
from ...constants import MAD_TO_SIGMA
from ...exceptions import ConvergenceWarning


def huber_regression(X, y, c=1.345, iters=50, tol=1e-8):
    """Huber M-estimate by IRLS. Returns ``(w, scale)``."""
    w = least_squares(X, y)
    scale = 1.0
    for _ in range(iters):
        r = y - X @ w
        scale = max(MAD_TO_SIGMA * np.median(np.abs(r - np.median(r))), 1e-12)
        wt = np.minimum(1.0, c * scale / np.maximum(np.abs(r), 1e-300))
        w_new = least_squares(X, y, wt)
        if np.linalg.norm(w_new - w) <= tol * (1 + np.linalg.norm(w)):
            w = w_new
            break
        w = w_new
    else:
        warnings.warn(f"Huber IRLS stopped at iters={iters} before its step fell below "
                      f"tol={tol:g}; raise iters", ConvergenceWarning, stacklevel=2)
    return w, scale
