"""Where fourth-moment constraints should matter at reachable sizes.

``kss_merge``: heavy tasks only (k = 3, d = 24, orthonormal W, t_H = 32,
U = W), n_H = 18, three regimes:

* ``fake``: ⌊αn⌋ = 3 tasks replaced (α = 1/6) by a tight fake component
  (the ``fake_cluster`` attack): a method that gives the fakes a cluster
  must merge two true components;
* ``bridge``: 3 tasks replaced by regression vectors on the segment between
  the two closest components (``cluster_bridging``), pulling them together;
* ``unbalanced``: mixing weights (0.6, 0.2, 0.2), clean; the degree-4
  programs are told the smallest share (cluster size ⌊0.2 n⌋).

Methods: Peng–Wei and robust Peng–Wei (the SDP relaxations, Burer–Monteiro),
and the genuine degree-4 SoS relaxation of Kothari–Steinhardt–Steurer
clustering with (``kss_m4``) and without (``kss_no_moment``) its
fourth-moment constraint. Accuracy on the clean tasks; time per method (a
method whose solver fails scores NaN and is counted in the summary).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from robust_mlr import SolverFailedError, cluster_heavy, make_params, make_pools, metrics
from robust_mlr.adversary import corrupt_pools
from robust_mlr.engine import Experiment

METHODS = ("peng_wei", "peng_wei_robust", "kss_no_moment", "kss_m4")
_P_UNBALANCED = (0.6, 0.2, 0.2)
_ATTACKS = {"bridge": "cluster_bridging", "fake": "fake_cluster"}


def trial(point, rng):
    k, n, t = int(point["k"]), int(point["n_H"]), int(point["t_H"])
    unbalanced = point["regime"] == "unbalanced"
    theta = make_params(8 * k, k, p=np.array(_P_UNBALANCED) if unbalanced else "uniform",
                        rng=rng)
    pools = make_pools(theta, 2, 2, n, t, 2, 2, rng=rng)
    alpha = float(point["alpha"])
    if point["regime"] in _ATTACKS:
        pools = corrupt_pools(pools, _ATTACKS[point["regime"]], alpha, theta=theta,
                              targets=("heavy",), rng=rng)
    heavy = pools.heavy
    z = heavy.components
    clean = z >= 0
    out = {}
    for name in METHODS:
        opts = {"min_share": min(_P_UNBALANCED)} if unbalanced and name.startswith("kss") else {}
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = cluster_heavy(heavy, theta.W, k, name, alpha=max(alpha, 0.05), rng=rng,
                                    **opts)
        except SolverFailedError:       # recorded as NaN and counted by the summary
            out[f"time_{name}"] = out[f"acc_{name}"] = float("nan")
            continue
        out[f"time_{name}"] = time.perf_counter() - t0
        out[f"acc_{name}"] = metrics.clustering_accuracy(res.labels[clean], z[clean], k)
    out["moment_changed"] = float(np.any(
        out["acc_kss_m4"] != out["acc_kss_no_moment"]))
    return out


def summary(rows):
    lines = ["mean accuracy (min) over seeds, k = 3, t_H = 32"]
    for regime in _REGIMES:
        sel = [r for r in rows if r["regime"] == regime and r["status"] == "ok"]
        if not sel:
            continue
        parts = []
        for m in METHODS:
            acc = np.array([r[f"acc_{m}"] for r in sel], dtype=float)
            fails = int(np.isnan(acc).sum())
            parts.append(f"{m} {np.nanmean(acc):.3f} ({np.nanmin(acc):.3f})"
                         + (f" [{fails} solver failures]" if fails else ""))
        changed = int(sum(r["moment_changed"] for r in sel))
        lines.append(f"{regime} ({len(sel)} seeds): " + ", ".join(parts)
                     + f"; constraint changed accuracy in {changed}")
    return "\n".join(lines)


def plot(rows, out):
    from robust_mlr.engine.plotting import figure, save_figure
    fig, axes = figure(1, width=7, height=3.8)
    ax = axes[0]
    regimes = [g for g in _REGIMES if any(r["regime"] == g for r in rows)]
    width = 0.8 / len(METHODS)
    for j, m in enumerate(METHODS):
        vals = [[r[f"acc_{m}"] for r in rows if r["regime"] == g and r["status"] == "ok"
                 and np.isfinite(r[f"acc_{m}"])] for g in regimes]
        mean = [np.mean(v) for v in vals]
        se = [np.std(v, ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0 for v in vals]
        ax.bar(np.arange(len(regimes)) + j * width, mean, width, yerr=se, label=m, color=f"C{j}")
    ax.set_xticks(np.arange(len(regimes)) + 0.4 - width / 2)
    ax.set_xticklabels([_LABELS[g] for g in regimes], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy on clean tasks (mean ± s.e.)")
    ax.set_title("k = 3, $n_H$ = 18, $t_H$ = 32, 10 seeds", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    return save_figure(fig, out, rows[0]["experiment"], dpi=110)


_REGIMES = ("fake", "bridge", "unbalanced")
_LABELS = {"fake": "fake cluster (α = 1/6)", "bridge": "bridging (α = 1/6)",
           "unbalanced": "unbalanced (0.6, 0.2, 0.2)"}
_GRID = [dict(regime=g, k=3, n_H=18, t_H=32, alpha=0.0 if g == "unbalanced" else 1 / 6)
         for g in _REGIMES]

EXPERIMENT = Experiment(
    name="kss_merge", func=trial, grid=_GRID,
               quick_grid=[dict(regime="fake", k=3, n_H=12, t_H=32, alpha=1 / 6)],
               metrics=tuple(f"{p}_{m}" for m in METHODS for p in ("acc", "time"))
               + ("moment_changed",),
               replicates=10, quick_replicates=1,
               description="Adversarial merging and unbalanced mixtures: Peng–Wei, robust "
                           "Peng–Wei and the degree-4 KSS program with and without its "
                           "fourth-moment constraint.", plot=plot, summary=summary)
EXPERIMENTS = [EXPERIMENT]
