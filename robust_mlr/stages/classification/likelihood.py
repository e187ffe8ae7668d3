"""Classification of light tasks by likelihood (ICML 2020 Algorithm 4).

A task with examples (x_j, y_j), j ≤ t, goes to the component minimising the
Gaussian negative log-likelihood

    Σ_j (y_j − x_jᵀ w̃_ℓ)² / (2 r̃_ℓ²) + t log r̃_ℓ,

computed for all tasks at once from the (N × k) residual matrix. The
refinement that follows is in :mod:`robust_mlr.stages.regression`.
"""

from __future__ import annotations

import numpy as np

from ..._segments import pool_task_rss
from ..._threads import pinned, single_blas
from ..._validation import check_array
from ...data import MetaDataset
from ...exceptions import ValidationError

__all__ = ["task_neg_log_lik", "classify"]


def task_neg_log_lik(data: MetaDataset, W, s2):
    """Per-task Gaussian negative log-likelihood under each component, (n, k).

    Constants common to all components are dropped.
    """
    W, s2 = check_components(data, W, s2)
    with single_blas():                       # blocked pass, block-sized products
        rss = pool_task_rss(data, W)                              # (n, k)
    return nll_from_rss(data, rss, s2)


def check_components(data, W, s2):
    """Validated ``(W, s2)``: W (d, k), s2 (k,) positive."""
    W = check_array(W, "W", ndim=2, shape=(data.dim, None))
    s2 = check_array(s2, "s2", ndim=1, shape=(W.shape[1],))
    if np.any(s2 <= 0):
        raise ValidationError(f"noise variances must be positive, got {s2}")
    return W, s2


def nll_from_rss(data, rss, s2):
    """The negative log-likelihoods of :func:`task_neg_log_lik` from the
    per-task residual sums of squares ``rss`` (n, k)."""
    return nll_from_sizes(data.sizes, rss, s2)


def nll_from_sizes(sizes, rss, s2):
    """:func:`nll_from_rss` of tasks of the given ``sizes`` (a block's)."""
    return rss / (2 * s2) + 0.5 * sizes[:, None] * np.log(s2)


@pinned
def classify(data: MetaDataset, W, s2):
    """Assign each task to its most likely component.

    Returns
    -------
    labels : ndarray of int (n,)
    nll : ndarray (n, k)
        The per-task negative log-likelihoods used.
    """
    nll = task_neg_log_lik(data, W, s2)
    return np.argmin(nll, axis=1), nll
