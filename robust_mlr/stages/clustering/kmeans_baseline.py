"""k-means on the heavy tasks' projected means (a clustering baseline)."""

from __future__ import annotations

import numpy as np

from ..._validation import check_rng
from .base import ClusteringResult
from .rounding import kmeans
from .split_moments import group_estimates

__all__ = ["kmeans_baseline"]


def kmeans_baseline(data, U, k, rng=None, n_groups=2):
    """k-means (best of k-means++ restarts) on the projected task means
    (the mean over ``n_groups`` groups of each task's y·Uᵀx)."""
    b = group_estimates(data, U, n_groups)
    lab = kmeans(b.mean(axis=0), k, check_rng(rng))
    return ClusteringResult(lab, np.zeros(data.n_tasks, bool), None, {"method": "k-means"})
