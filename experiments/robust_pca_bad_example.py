"""Robust PCA on the "bad example" (Kong et al., NeurIPS 2020, Figure 1).

n = 10 000 points, k = 1, Σ = diag(1.1, 1, …, 1); each point is corrupted
with probability α (x_1 = 0, x_2 = ±2α^{-1/4}), which makes plain PCA pick the
planted direction e_2. Records the captured variance Tr(ÛᵀΣÛ) of the oracle
(PCA of the clean points), plain PCA, the filter and HRPCA; corrupted points
left and clean points removed by the filter; and run times.
Expected: oracle ≈ 1.089, PCA ≈ 1.000, filter within 0.01 of the oracle in
≥ 98 % of runs, HRPCA in between.
"""

from __future__ import annotations

import time


from robust_mlr.stages.subspace import bad_example
from robust_mlr.engine import Experiment
from robust_mlr.stages.subspace import captured_variance, filter_pca, hrpca, plain_pca

ALPHAS = [0.005, 0.0075, 0.01, 0.0125, 0.015, 0.0175, 0.02, 0.0225, 0.025]


def trial(point, rng):
    alpha, d = float(point["alpha"]), int(point["d"])
    Z, bad, Sigma = bad_example(int(point["n"]), d, alpha, rng)
    out = {"oracle": captured_variance(plain_pca(Z[~bad], 1).U, Sigma),
           "pca": captured_variance(plain_pca(Z, 1).U, Sigma)}
    t0 = time.perf_counter()
    f = filter_pca(Z, 1, alpha, rng=rng)
    out["filter_ms"] = 1e3 * (time.perf_counter() - t0)
    t0 = time.perf_counter()
    h = hrpca(Z, 1, alpha, rng=rng)
    out["hrpca_ms"] = 1e3 * (time.perf_counter() - t0)
    out["filter"] = captured_variance(f.U, Sigma)
    out["hrpca"] = captured_variance(h.U, Sigma)
    out["filter_ok"] = float(out["filter"] >= out["oracle"] - 0.01)
    out["filter_fail"] = float(out["filter"] < 1.05)
    out["hrpca_fail"] = float(out["hrpca"] < 1.05)
    out["bad_left"] = int((bad & f.kept).sum())
    out["good_removed"] = int((~bad & ~f.kept).sum())
    return out


def plot(rows, out):
    from robust_mlr.engine.plotting import figure, line_plot, save_figure
    ds = sorted({r["d"] for r in rows})
    fig, axes = figure(len(ds) + 1, width=4.6)
    for ax, d in zip(axes, ds):
        for i, (m, mk, ls) in enumerate((("oracle", "o", "-"), ("filter", "s", "--"),
                                         ("hrpca", "^", "-"), ("pca", "v", "--"))):
            line_plot(ax, [dict(r, method=m, captured=r[m]) for r in rows], "alpha",
                      "captured", hue="method", where={"d": d}, color=f"C{i}", marker=mk,
                      ls=ls, mfc="none" if ls == "--" else None)
        ax.set_xlabel("corrupted fraction α")
        ax.set_ylabel("captured variance Tr(ÛᵀΣÛ)")
        ax.set_title(f"bad example, n = 10 000, d = {d}", fontsize=9)
        h, l = ax.get_legend_handles_labels()
        ax.legend(h[:4], l[:4], fontsize=8)
    ax = axes[-1]
    for d in ds:
        line_plot(ax, rows, "alpha", "bad_left", where={"d": d}, label=f"corrupted left, d={d}")
        line_plot(ax, rows, "alpha", "good_removed", where={"d": d},
                  label=f"clean removed, d={d}")
    ax.set_xlabel("corrupted fraction α")
    ax.set_ylabel("points (of n = 10 000)")
    ax.set_title("filter: corrupted points left / clean points removed", fontsize=9)
    ax.legend(fontsize=8)
    for ax in axes:
        ax.set_xticks(sorted({r["alpha"] for r in rows})[::2])
    return save_figure(fig, out, rows[0]["experiment"], dpi=110)


EXPERIMENT = Experiment(
    name="robust_pca_bad_example", func=trial,
    grid={"n": [10_000], "d": [10, 16], "alpha": ALPHAS},
    quick_grid={"n": [10_000], "d": [10], "alpha": [0.005, 0.025]},
    metrics=("oracle", "pca", "filter", "hrpca", "filter_ok", "filter_fail", "hrpca_fail",
             "bad_left", "good_removed", "filter_ms", "hrpca_ms"),
    replicates=300, quick_replicates=3,
    description="Robust PCA bad example (NeurIPS 2020, Fig. 1): oracle, PCA, filter, HRPCA vs α.",
    plot=plot)
