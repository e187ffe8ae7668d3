"""Classification of light tasks and least-squares refinement (SPEC §3,
ICML 2020 Algorithm 4).

A task with examples (x_j, y_j), j ≤ t, goes to the component minimising the
Gaussian negative log-likelihood

    Σ_j (y_j − x_jᵀ w̃_ℓ)² / (2 r̃_ℓ²) + t log r̃_ℓ,

computed for all tasks at once from the (N × k) residual matrix. Each
component is then re-estimated by least squares on all examples of its tasks,
with the dof-corrected residual variance and the share of tasks.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_array, check_int
from .data import MetaDataset
from .exceptions import EmptyClusterError, ValidationError

__all__ = ["task_neg_log_lik", "classify", "refine"]


def task_neg_log_lik(data: MetaDataset, W, s2):
    """Per-task Gaussian negative log-likelihood under each component, (n, k).

    Constants common to all components are dropped.
    """
    W = check_array(W, "W", ndim=2, shape=(data.dim, None))
    s2 = check_array(s2, "s2", ndim=1, shape=(W.shape[1],))
    if np.any(s2 <= 0):
        raise ValidationError(f"noise variances must be positive, got {s2}")
    rss = data.task_sums((data.y[:, None] - data.X @ W) ** 2)     # (n, k)
    return rss / (2 * s2) + 0.5 * data.sizes[:, None] * np.log(s2)


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


def refine(data: MetaDataset, labels, k):
    """Least-squares estimates per component from classified tasks.

    Parameters
    ----------
    data : MetaDataset
    labels : ndarray of int (n,)
        Component of each task; ``-1`` excludes a task.
    k : int

    Returns
    -------
    W : ndarray (d, k)
        Least-squares regression vectors.
    s2 : ndarray (k,)
        Residual variances ``RSS / (N_ℓ − d)``.
    p : ndarray (k,)
        Shares of the (non-excluded) tasks.

    Raises
    ------
    EmptyClusterError
        If a component has no more examples than dimensions.
    """
    k = check_int(k, "k", min_val=1)
    labels = np.asarray(labels)
    d = data.dim
    lab_ex = np.repeat(labels, data.sizes)
    counts = np.bincount(labels[labels >= 0], minlength=k)
    W = np.empty((d, k))
    s2 = np.empty(k)
    for ell in range(k):                       # loop over components only
        rows = lab_ex == ell
        Xl, yl = data.X[rows], data.y[rows]
        if Xl.shape[0] <= d:
            raise EmptyClusterError(
                f"component {ell} received {counts[ell]} tasks with {Xl.shape[0]} examples; "
                f"least squares in d={d} needs more than {d}")
        w, *_ = np.linalg.lstsq(Xl, yl, rcond=None)
        W[:, ell] = w
        s2[ell] = np.sum((yl - Xl @ w) ** 2) / (Xl.shape[0] - d)
    return W, s2, counts / counts.sum()
