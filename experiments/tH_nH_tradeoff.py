"""The t_H–n_H trade-off measured by centre error, with oracle curves.

``tH_nH_centres``: for k ∈ {4, 8, 16}, d = 64 (orthonormal W, separation 1,
s = 0.71), t_H ∈ {3, …, 32} and n_H on a log grid 10³ … 10⁵, every
heavy-stage method estimates the k centres and is scored by

* ``cerr`` = max_a ‖w̃_a − w_a‖ / s_a after Hungarian matching, with w̃_a the
  method's centre (``moments``) or the mean of y·Uᵀx over the tasks it put in
  cluster a (all other methods, as in ICML 2020 Algorithm 3);
* ``final`` = max_a ‖ŵ_a − w_a‖ / s_a after classifying a fixed light pool
  (10 000 tasks of t = 16 in d = 64) with (w̃, r̃²) and refitting by least
  squares (Algorithm 4).

The subspace is exact (U spans W), so the heavy pool is simulated directly in
its k projected coordinates — the same distribution as projecting d = 64
data on U — which keeps n_H = 10⁵, t_H = 32 affordable. Methods:
``oracle_labels`` (true labels → cluster means), ``oracle_centres`` (true
centres → nearest-centre assignment of the task means → cluster means),
``single``/``average`` linkage (n_H ≤ 3 000: the n_H × n_H distance matrix),
``kmeans``, ``peng_wei`` (SCS; only at the n_H = 300 points), ``moments``
(third-order moments, every example a group).

Expected: second-moment methods need t_H large enough for single tasks to be
told apart and gain nothing from n_H; the moment estimator reaches small
centre error at any t_H ≥ 3 once n_H is large, its required n_H falling as
t_H grows. The figure plots the smallest n_H with mean ``cerr`` ≤ 0.2
against t_H (log–log) beside the slopes −1 (n_H·t_H ≳ k^{Θ(m)}, Kong et al.
2020) and −3 (variance of the third-order U-statistic when the per-example
noise dominates: Var ∝ (σ²/t_H)³ / n_H).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from robust_mlr import MLRParams, make_params, make_tasks
from robust_mlr.engine import Experiment
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.classification import classify
from robust_mlr.stages.clustering import cluster_estimates, cluster_heavy
from robust_mlr.stages.regression import fit_components

from ._common import loglog_slope, smallest_passing

METHODS = ("oracle_labels", "oracle_centres", "single", "average", "kmeans", "peng_wei",
           "moments")
LINKAGE_CAP, PENG_WEI_CAP, LEVEL = 3000, 500, 0.2


def _labels_to_centres(heavy, labels, k):
    W, r2, p = cluster_estimates(heavy, labels, np.eye(k), k)
    return W, r2, p


def _estimate(name, heavy, theta_k, k, rng):
    """(W̃ (k, k), r̃² (k,), p̃ (k,)) in projected coordinates, or None."""
    n = heavy.n_tasks
    if name == "oracle_labels":
        return _labels_to_centres(heavy, heavy.components, k)
    if name == "oracle_centres":
        means = heavy.task_sums(heavy.X * heavy.y[:, None]) / heavy.sizes[:, None]
        d2 = np.sum((means[:, :, None] - theta_k.W[None]) ** 2, axis=1)
        return _labels_to_centres(heavy, np.argmin(d2, axis=1), k)
    if (name in ("single", "average") and n > LINKAGE_CAP) or \
            (name == "peng_wei" and n > PENG_WEI_CAP):
        return None
    res = cluster_heavy(heavy, np.eye(k), k, name, rng=rng)
    if name.startswith("moments"):          # the estimator's own W̃, r̃², p̃
        return res.estimates
    return _labels_to_centres(heavy, res.labels, k)


def trial(point, rng):
    k, n, t = int(point["k"]), int(point["n_H"]), int(point["t_H"])
    theta = make_params(64, k, rng=rng)
    Q = np.linalg.qr(theta.W)[0]
    theta_k = MLRParams(Q.T @ theta.W, theta.s, theta.p)      # exact projection on span W
    heavy = make_tasks(theta_k, n, t, rng=rng)
    light = make_tasks(theta, 10_000, 16, rng=rng)
    out = {}
    for name in point.get("methods", METHODS):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                est = _estimate(name, heavy, theta_k, k, rng)
            except ValueError:                 # empty cluster, M2 rank < k, ...
                est = ()
        out[f"time_{name}"] = time.perf_counter() - t0
        if est is None:                        # not run at this size
            continue
        if est == ():
            out[f"cerr_{name}"] = out[f"final_{name}"] = float("inf")
            continue
        Wk, r2, p = est
        W = Q @ Wk
        out[f"cerr_{name}"] = parameter_errors(W, r2, p, theta)["w_err"]
        try:
            labels, _ = classify(light, W, np.maximum(r2, 1e-6))
            Wf, s2f, pf, _ = fit_components(light, labels, k, "ls")
            out[f"final_{name}"] = parameter_errors(Wf, s2f, pf, theta)["w_err"]
        except ValueError:                     # a component got no light task
            out[f"final_{name}"] = float("inf")
    return out


def required_n(rows, method, k, level=LEVEL):
    """{t_H: smallest n_H whose mean centre error is ≤ level (None if none)}."""
    out = {}
    for t in sorted({r["t_H"] for r in rows if r["k"] == k}):
        ns = sorted({r["n_H"] for r in rows if r["k"] == k and r["t_H"] == t})
        ok = []
        for n in ns:
            errs = [r.get(f"cerr_{method}") for r in rows if r["k"] == k and r["t_H"] == t
                    and r["n_H"] == n and r["status"] == "ok"]
            errs = [e for e in errs if e is not None]
            ok.append(float(bool(errs) and np.mean(errs) <= level))
        out[t] = smallest_passing(ns, ok, 1.0)
    return out


def summary(rows):
    lines = [f"smallest n_H with mean max centre error ≤ {LEVEL} (— : none on the grid)"]
    for k in sorted({r["k"] for r in rows}):
        ts = sorted({r["t_H"] for r in rows if r["k"] == k})
        lines.append(f"k = {k}".ljust(16) + "".join(f"{'t_H=' + str(t):>10}" for t in ts))
        for m in METHODS:
            req = required_n(rows, m, k)
            lines.append(m.ljust(16) + "".join(
                f"{(str(req[t]) if req[t] is not None else '—'):>10}" for t in ts))
        req = required_n(rows, "moments", k)
        n_min = min(r["n_H"] for r in rows if r["k"] == k)
        pts = [(t, n) for t, n in req.items() if n is not None and n > n_min]
        if len(pts) >= 2:          # points at the grid floor are censored, left out
            lines.append(f"moments: log-log slope of n_H against t_H "
                         f"{loglog_slope(*zip(*pts)):.2f} over t_H = {[t for t, _ in pts]}")
    return "\n".join(lines)


def _ran(rows, method, k, t):
    return any(r.get(f"cerr_{method}") is not None for r in rows
               if r["k"] == k and r["t_H"] == t and r["status"] == "ok")


def plot(rows, out):
    """Smallest passing n_H against t_H per k; a method that ran at some t_H
    but never passed there is drawn as a hollow marker above the grid limit."""
    from robust_mlr.engine.plotting import figure, save_figure
    ks = sorted({r["k"] for r in rows})
    n_top = max(r["n_H"] for r in rows)
    fig, axes = figure(len(ks), width=4.2)
    styles = {"oracle_labels": ("k", "."), "oracle_centres": ("0.4", "x"),
              "moments": ("C3", "o"), "kmeans": ("C0", "s"), "single": ("C1", "^"),
              "average": ("C2", "v"), "peng_wei": ("C4", "d")}
    for ax, k in zip(np.atleast_1d(axes), ks):
        for j, m in enumerate(METHODS):
            color, marker = styles[m]
            req = required_n(rows, m, k)
            ok = {t: n for t, n in req.items() if n is not None}
            if ok:
                ax.plot(list(ok), list(ok.values()), color=color, marker=marker, ms=4,
                        ls="--" if m.startswith("oracle") else "-", label=m)
            never = [t for t, n in req.items() if n is None and _ran(rows, m, k, t)]
            if never:
                ax.plot(never, [n_top * 1.5 * 1.12 ** j] * len(never), ls="none",
                        marker=marker, mfc="none", color=color, ms=4,
                        label=None if ok else f"{m} (never)")
        ax.axhline(n_top * 1.2, color="0.85", lw=0.8)
        ok = {t: n for t, n in required_n(rows, "moments", k).items() if n is not None}
        if ok:                                   # theory slopes through the first point
            t0, n0 = min(ok), ok[min(ok)]
            tt = np.array([t0, 4 * t0])
            ax.plot(tt, n0 * (tt / t0) ** -1.0, color="0.6", lw=1, label="slope −1")
            ax.plot(tt, n0 * (tt / t0) ** -3.0, color="0.8", lw=1, label="slope −3")
        ts = sorted({r["t_H"] for r in rows if r["k"] == k})
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(ts)
        ax.set_xticklabels([str(t) for t in ts], fontsize=7)
        ax.minorticks_off()
        ax.set_xlabel("t_H")
        ax.set_ylabel(f"smallest n_H with max centre error ≤ {LEVEL}")
        ax.set_title(f"k = {k}, d = 64 (hollow: not reached on the grid run)", fontsize=8)
        ax.legend(fontsize=6)
    return save_figure(fig, out, rows[0]["experiment"], dpi=110)


_N_GRID = [1000, 3000, 10_000, 30_000, 100_000]
_T_GRID = [3, 4, 6, 8, 12, 16, 24, 32]
_NO_PW = [m for m in METHODS if m != "peng_wei"]

EXPERIMENT = Experiment(
    name="tH_nH_centres", func=trial,
    # k = 8 (the acceptance case) and its Peng–Wei points first, then k = 4, 16
    grid=[dict(k=8, t_H=t, n_H=n, methods=_NO_PW) for t in _T_GRID for n in _N_GRID]
    + [dict(k=8, t_H=t, n_H=300, methods=list(METHODS)) for t in _T_GRID]
    + [dict(k=k, t_H=t, n_H=n, methods=_NO_PW) for k in (4, 16) for t in _T_GRID
       for n in _N_GRID],
    quick_grid=[dict(k=4, t_H=4, n_H=1000, methods=list(_NO_PW)),
                dict(k=4, t_H=8, n_H=60, methods=["oracle_labels", "peng_wei", "moments"])],
    metrics=tuple(f"{p}_{m}" for m in METHODS for p in ("cerr", "final", "time")),
    replicates=2, quick_replicates=1,
    description="t_H–n_H trade-off by max centre error: linkage, k-means, Peng–Wei, the "
                "third-order moment estimator, and two oracles.",
    plot=plot, summary=summary)
