"""Error measures of Kong et al. (ICML 2020): subspace error, matched parameter errors,
clustering accuracy, prediction error, and detection precision/recall."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from .exceptions import ValidationError

__all__ = ["subspace_error", "match_components", "parameter_errors",
           "clustering_accuracy", "prediction_mse", "detection_scores"]


def subspace_error(U, params):
    """max_a ||(I − UUᵀ) w_a|| / max_a ρ_a."""
    W = params.W
    R = W - U @ (U.T @ W)
    return float(np.linalg.norm(R, axis=0).max() / params.rho.max())


def match_components(W_hat, W):
    """Permutation ``perm`` with ``W_hat[:, perm[a]]`` matched to ``W[:, a]``
    (Hungarian assignment on Euclidean distances)."""
    if W_hat.shape != W.shape:
        raise ValidationError(f"W_hat has shape {W_hat.shape} but W has {W.shape}")
    cost = np.linalg.norm(W[:, :, None] - W_hat[:, None, :], axis=0)   # (k, k)
    rows, cols = linear_sum_assignment(cost)
    perm = np.empty(W.shape[1], dtype=int)
    perm[rows] = cols
    return perm


def parameter_errors(W_hat, s2_hat, p_hat, params):
    """Hungarian-matched errors.

    Returns
    -------
    dict with ``w_err`` = max_a ||ŵ_a − w_a|| / s_a, ``s2_err`` =
    max_a |ŝ_a² − s_a²| / s_a², ``p_err`` = max_a |p̂_a − p_a| and ``perm``.
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
    relabelling (Hungarian on the confusion matrix). Labels ``-1`` count as wrong."""
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
    """Mean squared error of one query per task: beta (n, d), X_query (n, d)."""
    return float(np.mean((y_query - np.einsum("ij,ij->i", X_query, beta)) ** 2))


def detection_scores(flagged, corrupted):
    """Precision and recall of flagged tasks against the corruption mask."""
    flagged = np.asarray(flagged, bool)
    corrupted = np.asarray(corrupted, bool)
    tp = np.sum(flagged & corrupted)
    prec = tp / flagged.sum() if flagged.any() else float("nan")
    rec = tp / corrupted.sum() if corrupted.any() else float("nan")
    return {"precision": float(prec), "recall": float(rec)}
