"""ICML 2020 Figure 3 / Table 3: the heavy-task batch size t_H needed for
clustering grows like k^{1/2}.

Setting (Kong et al. 2020, §5.2): d = 8k, p uniform, s = 1, orthonormal W,
a subspace U with error ≈ 0.1 (constructed by rotating span(W)),
n_H = max(k^{3/2}, 256) heavy tasks, single-linkage clustering on the
median-H matrix. For each k, t_min(1 − δ) is the smallest t_H whose
clustering accuracy is ≥ 99 % in at least a 1 − δ fraction of the trials.
Expected outcome: t_min(0.5) and t_min(0.9) grow with a log–log slope
≈ 1/2 in k.
"""

from __future__ import annotations

import numpy as np

from robust_mlr import cluster_heavy, make_params, make_tasks
from robust_mlr.engine import Experiment
from robust_mlr.metrics import clustering_accuracy, subspace_error

from ._common import loglog_slope, perturbed_basis, smallest_passing

T_GRID = [32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 512]


def trial(point, rng):
    k, t = int(point["k"]), int(point["t_H"])
    theta = make_params(8 * k, k, rng=rng)
    U = perturbed_basis(theta.W, 0.1, rng)
    n_H = max(int(np.ceil(k ** 1.5)), 256)
    heavy = make_tasks(theta, n_H, t, rng=rng)
    res = cluster_heavy(heavy, U, k, point.get("method", "single"), L=1)
    acc = clustering_accuracy(res.labels, heavy.components, k)
    return {"accuracy": acc, "success": float(acc >= 0.99),
            "subspace_err": subspace_error(U, theta), "n_H": n_H}


def t_min_table(rows):
    """{k: (t_min(0.5), t_min(0.9))} from results rows."""
    out = {}
    for k in sorted({r["k"] for r in rows}):
        ts = sorted({r["t_H"] for r in rows if r["k"] == k})
        frac = [np.mean([r["success"] for r in rows
                         if r["k"] == k and r["t_H"] == t and r["status"] == "ok"]) for t in ts]
        out[k] = (smallest_passing(ts, frac, 0.5), smallest_passing(ts, frac, 0.9))
    return out


def summary(rows):
    tab = t_min_table(rows)
    lines = ["    k  t_min(0.5)  t_min(0.9)"]
    lines += [f"{k:5d}  {str(a):>10s}  {str(b):>10s}" for k, (a, b) in tab.items()]
    for j, lev in ((0, "0.5"), (1, "0.9")):
        pts = [(k, v[j]) for k, v in tab.items() if v[j] is not None]
        if len(pts) >= 2:
            lines.append(f"log-log slope of t_min({lev}) vs k: "
                         f"{loglog_slope(*zip(*pts)):.2f}  (paper: ≈ 0.5)")
    return "\n".join(lines)


def plot(rows, out):
    from robust_mlr.engine.plotting import figure, line_plot, log_ticks, save_figure
    fig, (a1, a2) = figure(2)
    line_plot(a1, rows, "t_H", "success", hue="k", label_fmt="k = {}", logx=True)
    a1.set_xlabel("examples per heavy task $t_H$")
    a1.set_ylabel("fraction of trials with accuracy ≥ 99%")
    a1.set_title("clustering success vs $t_H$ (mean ± s.e.)", fontsize=9)
    tab = t_min_table(rows)
    for j, (lev, mk) in enumerate((("0.5", "o"), ("0.9", "s"))):
        pts = [(k, v[j]) for k, v in tab.items() if v[j] is not None]
        if pts:
            ks, ts = zip(*pts)
            lab = rf"$t_{{\min}}$({lev})"
            if len(pts) >= 2:
                lab += f", slope {loglog_slope(ks, ts):.2f}"
            a2.plot(ks, ts, marker=mk, label=lab)
    ks = np.array(sorted(tab))
    if ks.size:
        ref = [v[1] or v[0] for v in tab.values() if (v[1] or v[0])]
        if ref:
            a2.plot(ks, ref[0] * np.sqrt(ks / ks[0]), "k--", lw=1, label=r"$\propto k^{1/2}$")
    a2.set_xscale("log", base=2)
    a2.set_yscale("log", base=2)
    log_ticks(a2, ks)
    log_ticks(a2, [t for v in tab.values() for t in v], axis="y")
    a2.set_xlabel("number of components $k$")
    a2.set_ylabel(r"$t_{\min}$: smallest $t_H$ reaching the success level")
    a2.set_title(r"$t_{\min}$ vs $k$ (log–log)", fontsize=9)
    a2.legend(fontsize=8)
    return save_figure(fig, out, rows[0]["experiment"], dpi=110)


EXPERIMENT = Experiment(
    name="icml_fig3", func=trial,
    grid=[{"k": k, "t_H": t} for k in (4, 8, 16, 32) for t in T_GRID],
    quick_grid=[{"k": k, "t_H": t} for k in (4, 8) for t in (64, 128, 192)],
    metrics=("accuracy", "success", "subspace_err", "n_H"), replicates=10,
    quick_replicates=2, description=__doc__.strip().splitlines()[0] + " " +
    __doc__.strip().splitlines()[1], plot=plot, summary=summary)
