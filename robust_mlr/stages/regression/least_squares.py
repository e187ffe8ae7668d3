"""Least-squares refinement per component (ICML 2020 Algorithm 4).

Each component is re-estimated by least squares on all examples of its
tasks, with the dof-corrected residual variance and the share of tasks.
"""

from __future__ import annotations

import numpy as np

from ..._validation import check_int
from ...data import MetaDataset
from ...exceptions import EmptyClusterError

__all__ = ["refine", "least_squares"]


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


def least_squares(data, labels, k):
    """Regression stage ``"ls"``: :func:`refine`, with an empty info dict."""
    W, s2, p = refine(data, labels, k)
    return W, s2, p, {}
