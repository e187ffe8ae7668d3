"""ICML 2020 Figure 2: MAP vs Bayes prediction after meta-learning, against
the number τ of examples of the new task.

Setting: k = 32, d = 256, WᵀW ∝ I, s = 1, p uniform (then ρ-normalised, so
the noise floor Σ p s² is 0.5 here). One trial meta-learns θ̂ with the ICML
pipeline (pca / single linkage / least squares), then for τ ∈ TAUS draws new
tasks with τ training examples and one test example each, and records the
training error (mean squared residual on the τ examples) and the prediction
error (on the test example) of the MAP and Bayes estimators.
Expected: Bayes ≤ MAP for small τ; both approach Σ p s² as τ grows.
"""

from __future__ import annotations

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools, make_tasks
from robust_mlr.engine import Experiment
from robust_mlr.metrics import clustering_accuracy, parameter_errors, prediction_mse

TAUS = (1, 2, 4, 8, 16, 32, 64)
_EST = ("map", "bayes")


def trial(point, rng):
    k, d = int(point["k"]), int(point["d"])
    theta = make_params(d, k, rng=rng)
    pools = make_pools(theta, point["n_L1"], point["t_L1"], point["n_H"], point["t_H"],
                       point["n_L2"], point["t_L2"], rng=rng)
    model = MetaLearner(k, rng=rng).fit(pools)
    out = {"cluster_acc": clustering_accuracy(model.heavy_labels_, pools.heavy.components, k),
           "w_err": parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"],
           "noise_floor": theta.noise_floor}
    for tau in TAUS:
        new = make_tasks(theta, point["n_test"], tau + 1, rng=rng)
        support, Xq, yq = new.split_query()
        for est in _EST:
            beta = model.task_parameters(support, est)
            res = support.y - np.einsum("ij,ij->i", support.X, np.repeat(beta, tau, axis=0))
            out[f"train_{est}_{tau}"] = float(np.mean(res ** 2))
            out[f"test_{est}_{tau}"] = prediction_mse(beta, Xq, yq)
    return out


def _curves(rows, prefix):
    ok = [r for r in rows if r["status"] == "ok"]
    curves = {}
    for est in _EST:
        vals = np.array([[r[f"{prefix}_{est}_{t}"] for t in TAUS] for r in ok])
        curves[est] = (vals.mean(0), vals.std(0, ddof=1) / np.sqrt(len(ok)) if len(ok) > 1
                       else np.zeros(len(TAUS)))
    return curves


def summary(rows):
    test = _curves(rows, "test")
    lines = ["   τ   test MAP   test Bayes"]
    for j, t in enumerate(TAUS):
        lines.append(f"{t:4d}   {test['map'][0][j]:8.4f}   {test['bayes'][0][j]:10.4f}")
    floor = np.mean([r["noise_floor"] for r in rows if r["status"] == "ok"])
    lines.append(f"noise floor Σ p s² = {floor:.3f}")
    return "\n".join(lines)


def plot(rows, out):
    from robust_mlr.engine.plotting import figure, save_figure
    fig, axes = figure(2)
    floor = np.mean([r["noise_floor"] for r in rows if r["status"] == "ok"])
    for ax, prefix, title in zip(axes, ("train", "test"), ("(a) training error",
                                                           "(b) prediction error")):
        for est, (mu, se) in _curves(rows, prefix).items():
            ax.errorbar(TAUS, mu, yerr=se, marker="o", ms=4, capsize=2, label=est.upper()
                        if est == "map" else "Bayes")
        ax.axhline(floor, color="k", ls="--", lw=1, label="Σ p s²")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("τ (examples of the new task)")
        ax.set_ylabel("mean squared error")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=8)
    return save_figure(fig, out, rows[0]["experiment"], dpi=110)


_FULL = dict(k=32, d=256, n_L1=40_000, t_L1=16, n_H=800, t_H=384, n_L2=20_000, t_L2=16,
             n_test=4000)
_QUICK = dict(k=8, d=64, n_L1=10_000, t_L1=8, n_H=200, t_H=192, n_L2=6_000, t_L2=12,
              n_test=1000)

EXPERIMENT = Experiment(
    name="icml_fig2", func=trial, grid=[_FULL], quick_grid=[_QUICK],
    metrics=("cluster_acc", "w_err", "noise_floor",
             *(f"{p}_{e}_{t}" for p in ("train", "test") for e in _EST for t in TAUS)),
    replicates=5, quick_replicates=2,
    description="ICML 2020 Figure 2: MAP vs Bayes prediction error against τ (k=32, d=256).",
    plot=plot, summary=summary)
