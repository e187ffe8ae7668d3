"""Robust subspace estimation for MLR under the subspace attacks.

Default problem (d = 32, k = 4, n_L1 = 20 000 light tasks of t = 2); for each
subspace attack and α ∈ {0.02, 0.05, 0.1}, the subspace error
max_a ||(I − UUᵀ) w_a|| / max ρ of: Algorithm 2 PCA (``pca``), PCA of the
clipped task statistics (``pca_points``), the filter (``filter``, clipped;
``filter_raw``: unclipped statistic of the NeurIPS 2020 paper) and HRPCA.
Expected: at α = 0.02 the filter stays ≤ 2× its clean error while PCA grows;
note that the error is at most max ||w_a|| / ρ = 1/√2 ≈ 0.707 by definition.
"""

from __future__ import annotations

from robust_mlr import estimate_subspace, make_params, make_pools, metrics
from robust_mlr.adversary import corrupt_pools
from robust_mlr.engine import Experiment

METHODS = {"pca": dict(method="pca"), "pca_points": dict(method="pca_points"),
           "filter": dict(method="filter"), "filter_raw": dict(method="filter", clip=None),
           "hrpca": dict(method="hrpca")}
ATTACKS = ("subspace_spike", "multi_direction", "variance_hiding", "threshold_aware")


def trial(point, rng):
    theta = make_params(point["d"], point["k"], rng=rng)
    pools = make_pools(theta, point["n_L1"], point["t_L1"], 1, 2, 1, 1, rng=rng)
    alpha = float(point["alpha"])
    if point["attack"] != "none":
        pools = corrupt_pools(pools, point["attack"], alpha, theta=theta,
                              settings={"alpha": alpha}, rng=rng)
    out = {}
    for name, kw in METHODS.items():
        kw = dict(kw)
        res = estimate_subspace(pools.light1, point["k"], kw.pop("method"), alpha=alpha,
                                rng=rng, **kw)
        out[name] = metrics.subspace_error(res.U, theta)
    return out


def plot(rows, out):
    from robust_mlr.engine.plotting import figure, line_plot, save_figure
    attacks = [a for a in ATTACKS if any(r["attack"] == a for r in rows)]
    fig, axes = figure(len(attacks), width=4.2)
    for ax, att in zip(axes, attacks):
        sel = [r for r in rows if r["attack"] in (att, "none")]
        for m in METHODS:
            line_plot(ax, [dict(r, method=m, err=r[m]) for r in sel], "alpha", "err",
                      hue="method")
        h, l = ax.get_legend_handles_labels()
        ax.legend(h[:len(METHODS)], l[:len(METHODS)], fontsize=7)
        ax.set_ylabel("subspace error")
        ax.set_title(att, fontsize=9)
    return save_figure(fig, out, rows[0]["experiment"], dpi=110)


_P = dict(d=32, k=4, n_L1=20_000, t_L1=2)
_Q = dict(d=16, k=3, n_L1=5_000, t_L1=2)


def _grid(p, alphas, attacks=ATTACKS):
    return [dict(p, attack="none", alpha=0.0)] + [dict(p, attack=a, alpha=al)
                                                  for a in attacks for al in alphas]


EXPERIMENT = Experiment(
    name="mlr_subspace", func=trial, grid=_grid(_P, (0.02, 0.05, 0.1)),
    quick_grid=_grid(_Q, (0.05,), ("subspace_spike",)), metrics=tuple(METHODS),
    replicates=5, quick_replicates=1,
    description="Robust subspace for MLR: PCA / filter / HRPCA under the subspace attacks.",
    plot=plot)
