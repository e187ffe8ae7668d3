"""Error measures of Kong et al. (ICML 2020): subspace error, matched parameter errors,
clustering accuracy, prediction error, and detection precision/recall."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from .exceptions import ValidationError

__all__ = ["subspace_error", "match_components", "parameter_errors",
           "clustering_accuracy", "prediction_mse", "detection_scores"]


def subspace_error(U, params):
    """Subspace error max_a ||(I − UUᵀ) w_a|| / max_a ρ_a.

    Parameters
    ----------
    U : ndarray (d, k)
        Orthonormal basis of the estimated subspace (``model.U_``).
    params : MLRParams
        The true parameters; ρ_a² = s_a² + ||w_a||².

    Returns
    -------
    float
        0 when span(U) contains every w_a; at most max_a ||w_a|| / max_a ρ_a.
    """
    W = params.W
    R = W - U @ (U.T @ W)
    return float(np.linalg.norm(R, axis=0).max() / params.rho.max())


def match_components(W_hat, W):
    """Match estimated components to true ones (Hungarian assignment on
    Euclidean distances).

    Parameters
    ----------
    W_hat, W : ndarray (d, k)
        Estimated and true regression vectors as columns.

    Returns
    -------
    ndarray of int (k,)
        ``perm`` with ``W_hat[:, perm[a]]`` matched to ``W[:, a]``.
    """
    if W_hat.shape != W.shape:
        raise ValidationError(f"W_hat has shape {W_hat.shape} but W has {W.shape}")
    cost = np.linalg.norm(W[:, :, None] - W_hat[:, None, :], axis=0)   # (k, k)
    rows, cols = linear_sum_assignment(cost)
    perm = np.empty(W.shape[1], dtype=int)
    perm[rows] = cols
    return perm


def parameter_errors(W_hat, s2_hat, p_hat, params):
    """Errors of estimated parameters, components matched by
    :func:`match_components`.

    Parameters
    ----------
    W_hat : ndarray (d, k)
        Estimated regression vectors (``model.W_``).
    s2_hat, p_hat : array_like (k,)
        Estimated noise variances and weights (``model.s2_``, ``model.p_``).
    params : MLRParams
        The true parameters (for your own W, s, p: ``MLRParams(W, s, p)``).

    Returns
    -------
    dict
        ``w_err`` = max_a ||ŵ_a − w_a|| / s_a, ``s2_err`` =
        max_a |ŝ_a² − s_a²| / s_a², ``p_err`` = max_a |p̂_a − p_a| and
        ``perm`` (the matching).
    """
    perm = match_components(W_hat, params.W)
    s2 = params.s ** 2
    w_err = np.linalg.norm(W_hat[:, perm] - params.W, axis=0) / params.s
    return {"w_err": float(w_err.max()),
            "s2_err": float(np.max(np.abs(np.asarray(s2_hat)[perm] - s2) / s2)),
            "p_err": float(np.max(np.abs(np.asarray(p_hat)[perm] - params.p))),
            "perm": perm}


def clustering_accuracy(labels, truth, k=None):
    """Fraction of tasks whose label matches the truth after the best
    relabelling (Hungarian on the confusion matrix).

    Parameters
    ----------
    labels, truth : array_like of int (n,)
        Estimated and true components; a label ``-1`` (set aside) counts as
        wrong, a true ``-1`` (a corrupted task) too.
    k : int, optional
        Number of components (default: the largest label + 1).

    Returns
    -------
    float
        In [0, 1]; NaN for no tasks.
    """
    labels = np.asarray(labels)
    truth = np.asarray(truth)
    if labels.shape != truth.shape:
        raise ValidationError(f"labels has shape {labels.shape} but truth {truth.shape}")
    if labels.size == 0:
        return float("nan")
    k = int(max(labels.max(), truth.max()) + 1) if k is None else k
    ok = (labels >= 0) & (truth >= 0)
    conf = np.zeros((k, k))
    np.add.at(conf, (labels[ok], truth[ok]), 1)
    r, c = linear_sum_assignment(-conf)
    return float(conf[r, c].sum() / labels.size)


def prediction_mse(beta, X_query, y_query):
    """Mean squared error of one query per task.

    Parameters
    ----------
    beta : ndarray (n, d)
        Each task's predicted regression vector (``model.task_parameters``).
    X_query : ndarray (n, d)
        One query covariate per task.
    y_query : ndarray (n,)
        Its response.

    Returns
    -------
    float
    """
    return float(np.mean((y_query - np.einsum("ij,ij->i", X_query, beta)) ** 2))


def detection_scores(flagged, corrupted):
    """Precision and recall of flagged tasks against the corruption mask.

    Parameters
    ----------
    flagged, corrupted : array_like of bool (n,)
        Tasks a learner set aside (``model.flagged_[pool]``) and tasks the
        adversary replaced (``pools.masks[pool]``).

    Returns
    -------
    dict
        ``precision`` (NaN when nothing is flagged) and ``recall`` (NaN
        when nothing is corrupted).
    """
    flagged = np.asarray(flagged, bool)
    corrupted = np.asarray(corrupted, bool)
    tp = np.sum(flagged & corrupted)
    prec = tp / flagged.sum() if flagged.any() else float("nan")
    rec = tp / corrupted.sum() if corrupted.any() else float("nan")
    return {"precision": float(prec), "recall": float(rec)}
