"""Clustering relaxations compared, and the t_H–n_H trade-off.

``clustering_comparison``: heavy tasks only (d = 8k, orthonormal W, s = 1,
p uniform, subspace error 0.1 as in ICML Fig. 3); every method on the same
data: single / average linkage, k-means, Peng–Wei, robust Peng–Wei and
robust Peng–Wei + 4th-moment SoS constraint (aggregate Gram). Accuracy on
clean tasks (flagged clean tasks count as errors), time per method; clean
sweeps over t_H at n_H = 100 for k ∈ {4, 8}, and the clustering attacks at
α ∈ {0.02, 0.05, 0.1} (k = 4, t_H = 32).

``clustering_attacks_400``: the robust clustering acceptance test — k = 4,
n_H = 400, t_H = 128, cluster bridging and fake cluster at α = 0.05, single /
average linkage and k-means vs robust Peng–Wei (Burer–Monteiro, every task).
The m = 4 SoS variant is left out: SCS takes minutes per solve at n_H = 400,
and at n_H = 100 (``clustering_comparison``) it never changed an answer.

``clustering_scaling``: accuracy and time against n_H (100 … 10 000; k = 4,
t_H = 64, clean) for single linkage, k-means, and Peng–Wei and robust
Peng–Wei solved by the Burer–Monteiro solver on every heavy task (the cvxpy
SDPs stop near n_H = 500).

``sos_exact_tradeoff``: accuracy of Peng–Wei (m = 2) and of Peng–Wei plus the
m = 4 SoS constraint (both non-robust, α = 0) over a (n_H, t_H) grid at k = 4; t_min(n_H) is the smallest t_H
with accuracy ≥ 99 % in ≥ 90 % of trials. The question (the robust paper's
claim): does m = 4 lower t_min as n_H grows?
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from robust_mlr import cluster_heavy, make_params, make_pools, metrics
from robust_mlr.adversary import corrupt_pools
from robust_mlr.engine import Experiment

from ._common import perturbed_basis, smallest_passing

METHODS = ("single", "average", "kmeans", "peng_wei", "peng_wei_robust", "sos_m4")


def _heavy(point, rng):
    k = int(point["k"])
    theta = make_params(8 * k, k, rng=rng)
    U = perturbed_basis(theta.W, 0.1, rng)
    pools = make_pools(theta, 2, 2, int(point["n_H"]), int(point["t_H"]), 2, 2, rng=rng)
    attack = point.get("attack", "none")
    if attack != "none":
        pools = corrupt_pools(pools, attack, float(point["alpha"]), theta=theta,
                              targets=("heavy",), rng=rng)
    return theta, U, pools.heavy


def _score(heavy, U, k, methods, alpha, rng):
    z = heavy.components
    clean = z >= 0
    out = {}
    for name in methods:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = cluster_heavy(heavy, U, k, name, alpha=alpha, rng=rng)
        out[f"time_{name}"] = time.perf_counter() - t0
        out[f"acc_{name}"] = metrics.clustering_accuracy(res.labels[clean], z[clean], k)
        if (~clean).any():
            out[f"recall_{name}"] = metrics.detection_scores(res.outliers, ~clean)["recall"]
    return out


def comparison_trial(point, rng):
    _, U, heavy = _heavy(point, rng)
    alpha = max(float(point.get("alpha", 0.0)), 0.05)
    return _score(heavy, U, int(point["k"]), point.get("methods", METHODS), alpha, rng)


def tradeoff_trial(point, rng):
    _, U, heavy = _heavy(point, rng)
    out = _score(heavy, U, int(point["k"]), ("peng_wei", "sos_m4"), 0.0, rng)
    for m in ("peng_wei", "sos_m4"):
        out[f"success_{m}"] = float(out[f"acc_{m}"] >= 0.99)
    return out


def _cmp_grid(ks=(4, 8), ts=(8, 16, 32, 64), n=100, attacks=("cluster_bridging", "fake_cluster",
              "centre_shift", "sign_flip"), alphas=(0.02, 0.05, 0.1)):
    pts = [dict(k=k, n_H=n, t_H=t, attack="none", alpha=0.0) for k in ks for t in ts]
    pts += [dict(k=4, n_H=n, t_H=32, attack=a, alpha=al) for a in attacks for al in alphas]
    return pts


_MARKERS = ("o", "s", "^", "v", "D", "P")
_LINES = ("-", "--", "-.", ":", "-", "--")


def comparison_plot(rows, out):
    from robust_mlr.engine.plotting import figure, line_plot, save_figure
    fig, axes = figure(3, width=4.4, height=3.6)
    for ax, k in zip(axes, (4, 8)):
        sel = [r for r in rows if r["attack"] == "none" and r["k"] == k]
        for i, m in enumerate(METHODS):
            line_plot(ax, [dict(r, method=m, accuracy=r.get(f"acc_{m}")) for r in sel
                           if r.get(f"acc_{m}") is not None], "t_H", "accuracy",
                      hue="method", logx=True, color=f"C{i}", marker=_MARKERS[i % 6],
                      ls=_LINES[i % 6])
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        ax.set_xlabel("examples per heavy task $t_H$")
        ax.set_ylabel("clustering accuracy (mean ± s.e.)")
        ax.set_ylim(0, 1.03)
        ax.set_title(f"clean, k = {k}, $n_H$ = 100", fontsize=9)
    ax = axes[2]
    att = [r for r in rows if r["attack"] != "none" and r["alpha"] == 0.05]
    names = sorted({r["attack"] for r in att})
    width = 0.8 / len(METHODS)
    for j, m in enumerate(METHODS):
        vals = [np.mean([r[f"acc_{m}"] for r in att if r["attack"] == a
                         and r.get(f"acc_{m}") is not None] or [np.nan]) for a in names]
        ax.bar(np.arange(len(names)) + j * width, vals, width, label=m, color=f"C{j}")
    ax.set_xticks(np.arange(len(names)) + 0.4 - width / 2)
    ax.set_xticklabels([n.replace("_", "\n") for n in names], fontsize=8)
    ax.set_ylim(0, 1.03)
    ax.set_xlabel("attack (catalogue)")
    ax.set_ylabel("accuracy on clean tasks")
    ax.set_title("attacks at α = 0.05 (k = 4, $t_H$ = 32)", fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    axes[2].legend(handles[:len(METHODS)], labels[:len(METHODS)], title="clustering",
                   fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return save_figure(fig, out, rows[0]["experiment"], dpi=110)


def tradeoff_table(rows):
    out = {}
    for m in ("peng_wei", "sos_m4"):
        for n in sorted({r["n_H"] for r in rows}):
            ts = sorted({r["t_H"] for r in rows if r["n_H"] == n})
            frac = [np.mean([r[f"success_{m}"] for r in rows
                             if r["n_H"] == n and r["t_H"] == t and r["status"] == "ok"])
                    for t in ts]
            out[(m, n)] = smallest_passing(ts, frac, 0.9)
    return out


def tradeoff_summary(rows):
    tab = tradeoff_table(rows)
    ns = sorted({n for _, n in tab})
    lines = ["t_min (acc ≥ 99 % in ≥ 90 % of trials), k = 4",
             "n_H".ljust(8) + "".join(f"{n:>8}" for n in ns)]
    for m in ("peng_wei", "sos_m4"):
        lines.append(m.ljust(8) + "".join(f"{str(tab[(m, n)]):>8}" for n in ns))
    return "\n".join(lines)


def tradeoff_plot(rows, out):
    from robust_mlr.engine.plotting import figure, line_plot, save_figure
    ns = sorted({r["n_H"] for r in rows})
    fig, axes = figure(len(ns), width=4)
    for ax, n in zip(axes, ns):
        for m in ("peng_wei", "sos_m4"):
            line_plot(ax, [dict(r, method=m, accuracy=r[f"acc_{m}"]) for r in rows
                           if r["n_H"] == n], "t_H", "accuracy", hue="method")
        h, l = ax.get_legend_handles_labels()
        ax.legend(h[:2], ["Peng–Wei (m = 2)", "+ 4th-moment SoS (m = 4)"], fontsize=7)
        ax.set_title(f"k = 4, n_H = {n}", fontsize=9)
    return save_figure(fig, out, rows[0]["experiment"], dpi=110)


_ROBUST_METHODS = ["single", "average", "kmeans", "peng_wei_robust"]
_SCALING_METHODS = ("single", "kmeans", "peng_wei", "peng_wei_robust")


def scaling_plot(rows, out):
    from robust_mlr.engine.plotting import figure, line_plot, save_figure
    fig, axes = figure(2)
    for ax, metric, label in ((axes[0], "acc", "accuracy"), (axes[1], "time", "time (s)")):
        for i, m in enumerate(_SCALING_METHODS):
            line_plot(ax, [dict(r, method=m, value=r.get(f"{metric}_{m}")) for r in rows
                           if r.get(f"{metric}_{m}") is not None], "n_H", "value",
                      hue="method", logx=True, logy=metric == "time", color=f"C{i}",
                      marker=_MARKERS[i], ls=_LINES[i])
        h, l = ax.get_legend_handles_labels()
        ax.legend(h[:len(_SCALING_METHODS)], l[:len(_SCALING_METHODS)], fontsize=8)
        ax.set_xlabel("number of heavy tasks $n_H$")
        ax.set_ylabel(label)
        ax.set_title(f"clean, k = 4, $t_H$ = 64: {label} vs $n_H$", fontsize=9)
    return save_figure(fig, out, rows[0]["experiment"], dpi=110)


EXPERIMENTS = [
    Experiment(name="clustering_attacks_400", func=comparison_trial,
               grid=[dict(k=4, n_H=400, t_H=128, attack=a, alpha=al, methods=_ROBUST_METHODS)
                     for a, al in (("none", 0.0), ("cluster_bridging", 0.05),
                                   ("fake_cluster", 0.05))],
               quick_grid=[dict(k=4, n_H=60, t_H=64, attack="fake_cluster", alpha=0.05,
                                methods=["single", "peng_wei_robust"])],
               metrics=tuple(f"{p}_{m}" for m in METHODS for p in ("acc", "time", "recall")),
               replicates=3, quick_replicates=1,
               description="Robust clustering at n_H = 400, k = 4 under bridging and fake "
                           "clusters (α = 0.05): linkage, k-means, robust Peng–Wei."),
    Experiment(name="clustering_comparison", func=comparison_trial, grid=_cmp_grid(),
               quick_grid=[dict(k=4, n_H=40, t_H=32, attack="none", alpha=0.0,
                                methods=["single", "kmeans", "peng_wei", "sos_m4"]),
                           dict(k=4, n_H=40, t_H=32, attack="fake_cluster", alpha=0.05,
                                methods=["single", "peng_wei_robust"])],
               metrics=tuple(f"{p}_{m}" for m in METHODS for p in ("acc", "time", "recall")),
               replicates=3, quick_replicates=1,
               description="Clustering relaxations side by side: accuracy vs t_H, time, "
                           "attacks.", plot=comparison_plot),
    Experiment(name="clustering_scaling", func=comparison_trial,
               grid=[dict(k=4, n_H=n, t_H=64, attack="none", alpha=0.0,
                          methods=list(_SCALING_METHODS))
                     for n in (100, 300, 1000, 3000, 10000)],
               quick_grid=[dict(k=4, n_H=60, t_H=64, attack="none", alpha=0.0,
                                methods=list(_SCALING_METHODS))],
               metrics=tuple(f"{p}_{m}" for m in _SCALING_METHODS for p in ("acc", "time")),
               replicates=1, quick_replicates=1,
               description="Accuracy and time vs n_H up to 10 000: linkage, k-means, "
                           "Peng–Wei and robust Peng–Wei (Burer–Monteiro).",
               plot=scaling_plot),
    Experiment(name="sos_exact_tradeoff", func=tradeoff_trial,
               grid={"k": [4], "n_H": [40, 80, 160], "t_H": [8, 16, 24, 32, 48, 64]},
               quick_grid={"k": [4], "n_H": [24], "t_H": [16]},
               metrics=tuple(f"{p}_{m}" for m in ("peng_wei", "sos_m4")
                             for p in ("acc", "time", "success")),
               replicates=5, quick_replicates=1,
               description="t_H–n_H trade-off: Peng–Wei (m = 2) vs the m = 4 SoS relaxation.",
               plot=tradeoff_plot, summary=tradeoff_summary),
]
