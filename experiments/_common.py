"""Helpers shared by the studies (private)."""

from __future__ import annotations

import numpy as np


def perturbed_basis(W, error, rng):
    """An orthonormal d × k basis whose subspace error for W is ≈ ``error``.

    Each basis direction of span(W) is rotated by the same angle φ towards a
    random direction orthogonal to span(W), with sin φ chosen so that
    max_a ||(I − UUᵀ) w_a|| / max_a ρ_a ≈ ``error`` for orthonormal-type W
    (the toolkit's scale: ``max ρ = 1``).
    """
    d, k = W.shape
    Q = np.linalg.qr(W)[0]
    R = rng.standard_normal((d, k))
    R -= Q @ (Q.T @ R)
    R = np.linalg.qr(R)[0]
    wmax = np.linalg.norm(W, axis=0).max()
    sin = min(error / max(wmax, 1e-12), 1.0)
    return Q * np.sqrt(1 - sin ** 2) + R * sin


def smallest_passing(xs, fractions, level):
    """Smallest x whose success fraction is >= level (None if none)."""
    ok = [x for x, f in sorted(zip(xs, fractions)) if f >= level]
    return ok[0] if ok else None


def loglog_slope(x, y):
    """Least-squares slope of log y against log x."""
    x, y = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    return float(np.polyfit(x, y, 1)[0])


def score_model(model, theta, pools, test):
    """Metrics of a fitted learner: subspace error, clustering accuracy on
    clean heavy tasks, matched parameter errors, Bayes prediction error on
    ``test = (support, X_query, y_query)``."""
    from robust_mlr import metrics
    k = theta.k
    z = pools.heavy.components
    out = {"subspace_err": metrics.subspace_error(model.U_, theta),
           "cluster_acc": metrics.clustering_accuracy(model.heavy_labels_[z >= 0], z[z >= 0],
                                                      k)}
    pe = metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)
    out.update(w_err=pe["w_err"], s2_err=pe["s2_err"], p_err=pe["p_err"])
    sup, Xq, yq = test
    out["mse_bayes"] = metrics.prediction_mse(model.task_parameters(sup, "bayes"), Xq, yq)
    return out


def floor_curves(k, pools, alphas, estimate="w", separation=None):
    """Two-point floors (robust_mlr.limits) of a problem with uniform shares
    1/k against α: ``{pool: array, ..., "best": array}`` (NaN at α = 0, where
    the floor is zero and a log axis cannot show it)."""
    from robust_mlr.limits import pool_floors
    out = {name: [] for name in list(pools) + ["best"]}
    for a in alphas:
        f = (pool_floors(float(a), pools, 1.0 / k, separation)[estimate] if a > 0
             else dict.fromkeys(out, np.nan))
        for name in out:
            out[name].append(f[name])
    return {name: np.array(v, float) for name, v in out.items()}
