"""Attack gallery: the non-robust learner ``MetaLearner(k)`` under every attack
of the catalogue, α ∈ {0, 0.01, 0.02, 0.05, 0.1}, on the default problem
(d = 32, k = 4, n_L1 = 20 000 × t 2, n_H = 400 × t 128, n_L2 = 20 000 × t 8).

``MetaLearner(k)`` at these heavy task sizes is the ICML 2020 pipeline as the
paper's Algorithm 3 states it — moment PCA, *single* linkage, likelihood
classification, least squares — not the authors' released pipeline
(``MetaLearner.icml``: average linkage and reassignment), which the demo fits.

Records the subspace error, heavy-task clustering accuracy (on clean tasks),
the final parameter error max ||ŵ − w||/s, and the prediction error. Expected:
each stage-aimed attack multiplies the final error ≥ 5× by α = 0.05.
"""

from __future__ import annotations

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools, make_tasks
from robust_mlr.adversary import CATALOGUE, corrupt_pools
from robust_mlr.engine import Experiment

from ._common import score_model

PROBLEM = dict(d=32, k=4, n_L1=20_000, t_L1=2, n_H=400, t_H=128, n_L2=20_000, t_L2=8)
QUICK = dict(d=16, k=3, n_L1=6_000, t_L1=2, n_H=150, t_H=96, n_L2=4_000, t_L2=8)
METRICS = ("subspace_err", "cluster_acc", "w_err", "s2_err", "p_err", "mse_bayes")


def fit_and_score(point, rng, learner_kw):
    """Draw the problem, corrupt it, fit a learner, score it (shared by studies)."""
    theta = make_params(point["d"], point["k"], rng=rng)
    pools = make_pools(theta, point["n_L1"], point["t_L1"], point["n_H"], point["t_H"],
                       point["n_L2"], point["t_L2"], rng=rng)
    attack_rng, fit_rng, test_rng = rng.spawn(3)
    alpha = float(point["alpha"])
    if point["attack"] != "none" and alpha > 0:
        pools = corrupt_pools(pools, point["attack"], alpha, theta=theta,
                              settings={"alpha": alpha}, rng=attack_rng)
    model = MetaLearner(point["k"], rng=fit_rng, **learner_kw).fit(pools)
    out = score_model(model, theta, pools,
                      make_tasks(theta, 2000, 5, rng=test_rng).split_query())
    return out, model, pools


def trial(point, rng):
    return fit_and_score(point, rng, {})[0]


def plot(rows, out):
    from robust_mlr.engine.plotting import figure, line_plot, save_figure
    attacks = sorted({r["attack"] for r in rows})
    fig, axes = figure(2, width=6, height=4.5)
    import matplotlib
    cmap = matplotlib.colormaps["tab20"]
    for ax, metric in zip(axes, ("w_err", "subspace_err")):
        for i, a in enumerate(attacks):
            sel = [r for r in rows if r["attack"] == a or r["alpha"] == 0]
            line_plot(ax, sel, "alpha", metric, logy=True, label=a, color=cmap(i % 20),
                      ls=("-", "--", ":")[i % 3])
        ax.set_title(f"non-robust MetaLearner(k) (single linkage): {metric} vs α",
                     fontsize=9)
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, fontsize=6, ncol=2)
    return save_figure(fig, out, rows[0]["experiment"], dpi=110)


def summary(rows):
    """Ratio of the mean w_err at each α to its α = 0 value, per attack."""
    base = np.mean([r["w_err"] for r in rows if r["alpha"] == 0 and r["status"] == "ok"])
    alphas = sorted({r["alpha"] for r in rows if r["alpha"] > 0})
    lines = ["error ratio w_err(α)/w_err(0), w_err(0) = %.3f" % base,
             "attack".ljust(18) + "".join(f"{a:>8}" for a in alphas)]
    for att in sorted({r["attack"] for r in rows if r["attack"] != "none"}):
        cells = []
        for a in alphas:
            v = [r["w_err"] for r in rows if r["attack"] == att and r["alpha"] == a
                 and r["status"] == "ok"]
            cells.append(f"{np.mean(v) / base:8.1f}" if v else "       -")
        lines.append(att.ljust(18) + "".join(cells))
    return "\n".join(lines)


def _grid(problem, alphas):
    pts = [dict(problem, attack="none", alpha=0.0)]
    pts += [dict(problem, attack=a, alpha=al) for a in sorted(CATALOGUE) for al in alphas]
    return pts


EXPERIMENT = Experiment(
    name="attack_gallery", func=trial, grid=_grid(PROBLEM, (0.01, 0.02, 0.05, 0.1)),
    quick_grid=_grid(QUICK, (0.05,)), metrics=METRICS, replicates=3, quick_replicates=1,
    description="Attack gallery: the non-robust MetaLearner(k) (single linkage) under "
                "every attack, α ∈ {0, .01, .02, .05, .1}.", plot=plot, summary=summary)
