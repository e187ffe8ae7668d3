"""The result type shared by every clustering method."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["ClusteringResult"]


@dataclass
class ClusteringResult:
    """Outcome of a clustering method (one object for every method).

    Attributes
    ----------
    labels : ndarray of int (n,)
        Cluster of each task in ``0..k-1``; ``-1`` for tasks flagged as outliers.
    outliers : ndarray of bool (n,)
    objective : float or None
        Optimal value of a relaxation (None for combinatorial methods).
    info : dict
        Solver name/status/time, problem sizes, method specifics.
    estimates : tuple or None
        Cluster estimates (W̃ (d, k), r̃² (k,), p̃ (k,)) of ICML 2020
        Algorithm 3, set by the clustering stage objects.
    """

    labels: np.ndarray
    outliers: np.ndarray
    objective: float | None = None
    info: dict = field(default_factory=dict)
    estimates: tuple | None = None
