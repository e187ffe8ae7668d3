"""The t_H–n_H trade-off of heavy-task clustering, measured by centre error.

``tH_nH_tradeoff``: for k ∈ {4, 8, 16}, d = 64 (orthonormal W, s = 0.5
before the scale convention ρ = 1, p uniform) and t_H ∈ {2, 3, 4, 6, 8, 12,
16, 32}, how many heavy tasks n_H each clustering method needs to estimate
the k centres to

    centre error = max_ℓ ‖ŵ_ℓ − w_ℓ‖ / s_ℓ ≤ 0.2 (after Hungarian matching).

The subspace is exact: the heavy pool is drawn directly in the k coordinates
of span W (the same distribution as d = 64 data projected on a basis of
span W), so the working basis is the true subspace and only the clustering
stage is measured. Methods (every one fits the same pool of a trial):

* ``em`` — ``EM()`` (likelihood EM, moment start where t_H ≥ 3 and 10
  k-means++ restarts, best likelihood);
* ``em_robust`` — ``EM(robust=True)`` with α = 0 (no threat);
* ``em_robust_a02`` — ``EM(robust=True)`` under ``ThreatModel(0.02)`` on
  clean data (what the defence costs);
* ``moments`` — ``TensorMoments()``, the third-order moment estimator
  (t_H ≥ 3 only);
* ``moments_em`` — ``EM(init="moments")``: one EM run from the moment
  estimate (t_H ≥ 3 only);
* ``kmeans`` — ``KMeans()``, centres = cluster means of y·x (ICML 2020
  Algorithm 3);
* ``peng_wei`` — ``PengWei()`` (Burer–Monteiro), only at t_H ≥ 8 and
  n_H ≤ 1 000 (at t_H = 4 a fit of n_H = 100 tasks already costs seconds and
  misses by several s; ``benchmarks/bench_peng_wei_small_tH.py`` measures
  n_H = 10³ and 10⁴);
* ``oracle`` — least squares per component on the true labels. It is *not*
  a bound: EM weighs every task by its posterior and can beat it.

Search, per trial (one seed, one (k, t_H)): the pool grows along the nested
grid n_H = 100, 316, 1 000, …, 10⁵ (half-decade steps; each pool contains
the smaller ones) and every method runs at each size until it reaches
centre error ≤ 0.2, then the quarter-decade size between its last failure
and its first success is run too. The seed's n_H* is the log–log
interpolation of the error between the two bracketing sizes. A method stops
early when its next fit is predicted (from the last one, linear in n_H) to
push its CPU time in the trial past ``TIME_CAP`` seconds, or when n_H·t_H
would exceed ``MAX_EXAMPLES`` (censored: "not reached"). Times are CPU
seconds of the process (one BLAS thread), so the caps do not depend on what
else the machine runs. At (k, t_H) = (8, 4)
every method runs at every size (no pruning), for the error-against-n_H
figure.

Reported per (method, k, t_H): the median over seeds of n_H* with a 90 %
bootstrap interval over seeds, and per (method, k) the slope of log n_H*
against log t_H with its bootstrap interval. Expected: EM needs the fewest
tasks at small t_H (it is the maximum-likelihood estimator); the moment
estimator is consistent but needs ≈ 10–30× more tasks; the assignment
methods (k-means, Peng–Wei) are biased when single tasks cannot be told
apart and reach 0.2 only from a t_H that grows with k.
"""

from __future__ import annotations

import json
import time
import warnings

import numpy as np

from robust_mlr import MetaDataset, MLRParams, make_params, make_tasks
from robust_mlr.engine import Experiment
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.clustering import EM, KMeans, PengWei, TensorMoments
from robust_mlr.threat import ThreatModel

from ._tradeoff_report import plot, summary
from ._tradeoff_stats import (LEVEL, METHODS, N_GRID, bootstrap_interval, crossing, required_n,
                              slope_interval)

__all__ = ["EXPERIMENT", "METHODS", "bootstrap_interval", "crossing", "required_n",
           "slope_interval", "trial"]

TIME_CAP = 8.0                    # CPU seconds per method per trial (predicted)
MAX_EXAMPLES = 1_600_000          # n_H · t_H per pool
PENG_WEI_MAX_N, PENG_WEI_MIN_T = 1000, 8
SMALL_ALPHA = 0.02


def _stage(name):
    """(stage, threat) of a method."""
    return {"em": (EM(), None), "em_robust": (EM(robust=True), ThreatModel(0.0)),
            "em_robust_a02": (EM(robust=True), ThreatModel(SMALL_ALPHA)),
            "moments": (TensorMoments(), None), "moments_em": (EM(init="moments"), None),
            "kmeans": (KMeans(), None), "peng_wei": (PengWei(), None)}[name]


def _cannot_run(name, t, n):
    """Why ``name`` does not run at (t_H, n_H), or ""."""
    if name in ("moments", "moments_em") and t < 3:
        return "needs t_H >= 3"
    if name == "peng_wei" and t < PENG_WEI_MIN_T:
        return f"t_H < {PENG_WEI_MIN_T} (slow and inaccurate there)"
    if name == "peng_wei" and n > PENG_WEI_MAX_N:
        return f"n_H > {PENG_WEI_MAX_N}"
    return ""


def _oracle(heavy, k):
    """Per-component least squares on the true labels (W (k, k), σ², p)."""
    comp = heavy.components[heavy.task_index]
    W, s2 = np.zeros((heavy.dim, k)), np.ones(k)
    for ell in range(k):                    # a loop over components, not tasks
        rows = comp == ell
        if rows.sum() < heavy.dim:
            return None
        beta, rss, *_ = np.linalg.lstsq(heavy.X[rows], heavy.y[rows], rcond=None)
        W[:, ell], s2[ell] = beta, (rss[0] if rss.size else 0.0) / rows.sum()
    return W, s2, np.bincount(heavy.components, minlength=k) / heavy.n_tasks


def _centre_error(name, heavy, theta_k, k, rng):
    """The method's centre error on ``heavy`` (inf when it fails to return)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if name == "oracle":
                est = _oracle(heavy, k)
            else:
                stage, threat = _stage(name)
                stage.fit(heavy, np.eye(k), k, threat=threat, rng=rng)
                est = (stage.W_tilde_, stage.r2_tilde_, stage.p_tilde_)
        except (ValueError, np.linalg.LinAlgError, ArithmeticError):
            return float("inf")         # M2 of rank < k, an empty cluster, ...
    if est is None:
        return float("inf")
    err = parameter_errors(*est, theta_k)["w_err"]
    return float(err) if np.isfinite(err) else float("inf")


class _NestedPool:
    """Heavy tasks drawn in increments; ``head(n)`` is the first n tasks, so
    every pool of a trial contains the smaller ones."""

    def __init__(self, theta_k, t, rng):
        self.theta_k, self.t, self.rng = theta_k, t, rng
        self.X, self.y, self.z = [], [], []
        self.n = 0

    def head(self, n):
        if n > self.n:
            more = make_tasks(self.theta_k, n - self.n, self.t, rng=self.rng)
            self.X.append(more.X)
            self.y.append(more.y)
            self.z.append(more.components)
            self.n = n
            self.X, self.y, self.z = ([np.concatenate(a)] for a in (self.X, self.y, self.z))
        m = n * self.t
        return MetaDataset(self.X[0][:m], self.y[0][:m], np.arange(n + 1) * self.t,
                           components=self.z[0][:n])


def _search(name, pool, theta_k, k, t, rng, n_max, prune):
    """{n_H: (error, seconds)} of one method along the grid (module docstring)
    and the reason it stopped early ("" if it did not)."""
    curve, spent, last, why = {}, 0.0, None, ""
    for n in [n for n in N_GRID if n <= n_max]:
        why = _cannot_run(name, t, n)
        if why:
            break
        if last is not None and spent + last[1] * n / last[0] > TIME_CAP:
            why = f"time cap {TIME_CAP:g} s"
            break
        t0 = time.process_time()
        err = _centre_error(name, pool.head(n), theta_k, k, rng)
        secs = time.process_time() - t0
        curve[n], spent, last, why = (err, secs), spent + secs, (n, secs), ""
        if prune and err <= LEVEL:
            break
    passing = [n for n in curve if curve[n][0] <= LEVEL]
    failing = [n for n in curve if passing and n < min(passing)]
    if failing:                          # the quarter-decade size inside the bracket
        n = int(round(np.sqrt(max(failing) * min(passing))))
        t0 = time.process_time()
        curve[n] = (_centre_error(name, pool.head(n), theta_k, k, rng),
                    time.process_time() - t0)
    return dict(sorted(curve.items())), why


def trial(point, rng):
    """One seed of one (k, t_H): every method's curve and n_H*."""
    k, t = int(point["k"]), int(point["t_H"])
    prune = point.get("mode", "search") == "search"
    n_max = min(int(point.get("n_max", N_GRID[-1])), MAX_EXAMPLES // t)
    theta = make_params(64, k, s=0.5, rng=rng)
    Q = np.linalg.qr(theta.W)[0]
    theta_k = MLRParams(Q.T @ theta.W, theta.s, theta.p)   # exact projection on span W
    pool = _NestedPool(theta_k, t, rng)
    out = {}
    for name in point.get("methods", METHODS):
        if _cannot_run(name, t, N_GRID[0]):
            out[f"censor_{name}"] = "cannot run: " + _cannot_run(name, t, N_GRID[0])
            continue
        curve, why = _search(name, pool, theta_k, k, t, rng, n_max, prune)
        nstar, censor = crossing({n: e for n, (e, _) in curve.items()})
        out[f"nstar_{name}"] = nstar
        out[f"censor_{name}"] = censor if censor != "above" else (
            "not reached: " + (why or f"n_H <= {max(curve)}"))
        out[f"time_{name}"] = round(sum(s for _, s in curve.values()), 3)
        out[f"curve_{name}"] = json.dumps({str(n): [round(e, 5) if np.isfinite(e) else None,
                                                    round(s, 3)]
                                           for n, (e, s) in curve.items()})
    return out


_T_GRID = (2, 3, 4, 6, 8, 12, 16, 32)

EXPERIMENT = Experiment(
    name="tH_nH_tradeoff", func=trial,
    # the acceptance cell first, unpruned (the error-against-n_H figure), then
    # k = 8, 4 and 16 (its costly small t_H last)
    grid=[dict(k=8, t_H=4, mode="curve")]
    + [dict(k=k, t_H=t, mode="search") for k in (8, 4) for t in _T_GRID if (k, t) != (8, 4)]
    + [dict(k=16, t_H=t, mode="search") for t in _T_GRID[::-1]],
    quick_grid=[dict(k=4, t_H=4, mode="search", n_max=1000,
                     methods=[m for m in METHODS if m != "peng_wei"]),
                dict(k=4, t_H=2, mode="search", n_max=1000, methods=["em", "oracle"])],
    metrics=tuple(f"{p}_{m}" for m in METHODS for p in ("nstar", "censor", "time", "curve")),
    replicates=5, quick_replicates=1,
    description="t_H–n_H trade-off by centre error: EM, robust EM, moments, moments → EM, "
                "k-means, Peng–Wei and the true-label oracle; n_H needed for error ≤ 0.2.",
    plot=plot, summary=summary)
