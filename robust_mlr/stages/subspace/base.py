"""The result type shared by every subspace method."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["SubspaceResult"]


@dataclass
class SubspaceResult:
    """Outcome of a subspace stage.

    Attributes
    ----------
    U : ndarray (d, k)
        Orthonormal basis of the estimated span(W).
    kept : ndarray of bool (n,) or None
        Tasks a robust method kept (None when every task is used).
    info : dict
        Method diagnostics (iterations, removed counts, ...).
    """

    U: np.ndarray
    kept: np.ndarray | None = None
    info: dict = field(default_factory=dict)
