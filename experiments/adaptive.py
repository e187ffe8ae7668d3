"""Adaptive adversary: the red team against the robust and the ICML learner.

For each learner (``MetaLearner.robust(k, α)`` and ``MetaLearner(k)``) and
α ∈ {0.01, 0.02, 0.05, 0.1}, and at α = 0.05 for the robust learner's ŝ²
relative error and p̂ error too (equal and heterogeneous sizes),
:func:`robust_mlr.adversary.red_team` searches
attack families and parameters per pool (TPE, warm-started with the attack
catalogue) on the default problem (d = 32, k = 4, n_L1 = 20 000 × t 2,
n_H = 400 × t 128, n_L2 = 20 000 × t 8) and on a heterogeneous-size variant
whose light tasks have t_i from 2 to 64 by a truncated Pareto law
(:func:`heavy_tailed_sizes`). A row is the worst error found, the clean
error, the best catalogue attack's error, the worst error of the search's own
trials (after the catalogue replay: the search has teeth when it beats the
catalogue), the number of crashed fits, and
the worst attack (families and parameters per pool, as JSON). Crashes are
recorded but the search optimises the worst *finite* error
(``on_crash="ignore"``). The claim of Kong et al. (NeurIPS 2020) is an error
of order kα + √(dk/N) against any adversary; the expected outcome on a learner
that keeps it is a worst case within a small multiple of the clean error.
The plot draws, as the reference, the two-point floors of
:mod:`robust_mlr.limits`: the error an adversary replacing ⌊αn⌋ tasks per
pool can force on any estimator, per pool and for all pools together.

:func:`export_worst_attacks` turns a results file into ``redteam_worst.json``
beside this module: the worst attack per α against the robust learner, which
the ``robustness`` study replays on fresh problems as its ``red_team`` row.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import red_team
from robust_mlr.engine import Experiment

from ._common import floor_curves

PROBLEM = dict(d=32, k=4, n_light1=20_000, t_light1=2, n_heavy=400, t_heavy=128,
               n_light2=20_000, t_light2=8)
QUICK = dict(d=6, k=2, n_light1=600, t_light1=2, n_heavy=40, t_heavy=32,
             n_light2=400, t_light2=8)
TARGET_KEYS = {"W": "w_err", "s2": "s2_err", "p": "p_err"}
#: The worst attack per α against the robust learner (target W, equal sizes),
#: exported from this study's results; the robustness study replays it.
WORST_ATTACKS = Path(__file__).with_name("redteam_worst.json")
#: Errors above this are drawn at it (with their value written beside).
CEILING = 1e4
METRICS = ("worst", "clean", "catalogue", "search", "worst_w_err", "worst_s2_err", "worst_p_err",
           "worst_subspace_err", "n_crashes", "fits", "attack", "attack_params")


def heavy_tailed_sizes(rng, n, t_min=2, t_max=64, shape=1.2):
    """Task sizes t = min(t_max, ⌊t_min U^{−1/shape}⌋), U ~ Uniform(0, 1]:
    a Pareto tail P(t ≥ x) ≈ (t_min/x)^shape truncated at ``t_max``."""
    u = 1.0 - rng.random(n)
    return np.minimum(t_max, np.floor(t_min * u ** (-1.0 / shape))).astype(np.int64)


def make_problem(point, rng):
    """θ and clean pools of a study point (``sizes``: "fixed" or "hetero")."""
    p = {k: point[k] for k in PROBLEM}
    if point.get("sizes", "fixed") == "hetero":
        p["t_light1"] = p["t_light2"] = heavy_tailed_sizes
    theta = make_params(p["d"], p["k"], rng=rng)
    pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                       p["n_light2"], p["t_light2"], rng=rng)
    return theta, pools


def trial(point, rng):
    theta, pools = make_problem(point, rng)
    k, alpha = int(point["k"]), float(point["alpha"])
    seed = int(rng.integers(2 ** 31))
    learner = (MetaLearner.robust(k, alpha, rng=seed) if point["learner"] == "robust"
               else MetaLearner(k, rng=seed))
    res = red_team(learner, (theta, pools), alpha, target=point["target"],
                   budget=int(point["budget"]), seed=seed, on_crash="ignore")
    worst = res.worst_finite
    cat = [r for r in res.history if r.source == "catalogue" and r.status == "ok"]
    found = [r for r in res.history if r.source == "search" and r.status == "ok"]
    fams = {p: f for p, (f, _) in worst.strategy.items() if f != "none"}
    return {"worst": worst.error, "clean": res.clean_error,
            "catalogue": max((r.error for r in cat), default=float("nan")),
            "search": max((r.error for r in found), default=float("nan")),
            **{f"worst_{m}": worst.metrics[m] for m in ("w_err", "s2_err", "p_err",
                                                       "subspace_err")},
            "n_crashes": res.n_crashes, "fits": len(res.history) + 1,
            "attack": json.dumps(fams, sort_keys=True),
            "attack_params": json.dumps(worst.strategy, sort_keys=True, default=str)}


def worst_attacks(rows, learner="robust", target="W", sizes="fixed"):
    """The worst attack the search found per α: ``{alpha: record}``.

    Each record holds the attack's ``strategy`` (``{pool: [family, params]}``,
    replayable with :func:`robust_mlr.adversary.redteam.strategy_attack`),
    the ``worst`` error it reached, the ``fits`` the search spent and the
    trial ``seed``. Rows are the adaptive study's results
    (:func:`robust_mlr.engine.read_results`); when a point has several
    replicates the most damaging one is kept.
    """
    out = {}
    for r in rows:
        if (r["status"] != "ok" or r["learner"] != learner or r["target"] != target
                or r["sizes"] != sizes):
            continue
        a = float(r["alpha"])
        if a not in out or r["worst"] > out[a]["worst"]:
            out[a] = {"strategy": json.loads(r["attack_params"]), "worst": float(r["worst"]),
                      "fits": int(r["fits"]), "seed": int(r["seed"])}
    return dict(sorted(out.items()))


def export_worst_attacks(results, path=WORST_ATTACKS):
    """Write :func:`worst_attacks` of an adaptive results CSV to ``path``
    (JSON keyed by α), the file the robustness study replays as its
    ``red_team`` row. Returns the path."""
    from robust_mlr.engine import read_results
    found = worst_attacks(read_results(results))
    Path(path).write_text(json.dumps({str(a): v for a, v in found.items()}, indent=1,
                                     sort_keys=True) + "\n")
    return Path(path)


def _grid(problem, learners, alphas, targets, sizes, budget):
    return [dict(problem, learner=lr, alpha=a, target=t, sizes=s, budget=budget)
            for s in sizes for lr in learners for a in alphas for t in targets]


def summary(rows):
    lines = [f"{'sizes':>6} {'learner':>7} {'α':>5} {'target':>6} {'clean':>7} "
             f"{'catalogue':>9} {'search':>7} {'worst':>7}  ×clean  attack"]
    for r in rows:
        if r["status"] != "ok":
            continue
        lines.append(f"{r['sizes']:>6} {r['learner']:>7} {r['alpha']:5.2f} {r['target']:>6} "
                     f"{r['clean']:7.3f} {r['catalogue']:9.3f} {r['search']:7.3f} "
                     f"{r['worst']:7.3f} "
                     f"{r['worst'] / max(r['clean'], 1e-12):7.1f}  {r['attack']}")
    return "\n".join(lines)


#: Targets of the robust learner (equal light sizes): W 0.08 at α = 0.02 and
#: 0.12 at α = 0.05 (3× the clean error), ŝ² 0.10 and p̂ α + 0.01 at α = 0.05.
TARGET_LINES = {"W": ((0.02, 0.08), (0.05, 0.12)), "s2": 0.10, "p": 0.06}


_Y_LABELS = {"W": r"$\mathrm{max}_a \|\hat w_a - w_a\| / s_a$",
             "s2": r"$\mathrm{max}_a |\hat s_a^2 - s_a^2| / s_a^2$",
             "p": r"$\mathrm{max}_a |\hat p_a - p_a|$"}


def _draw_target(ax, tgt, alphas):
    """The target of ``tgt`` (see TARGET_LINES): against α when ``alphas`` has
    several values, else a horizontal line at the target for the one α."""
    line = TARGET_LINES.get(tgt)
    if line and not isinstance(line, float) and len(alphas) == 1:
        line = dict(line).get(alphas[0])
    if isinstance(line, float):
        ax.axhline(line, color="k", ls="--", lw=0.8)
    elif line:
        ax.plot(*zip(*line), "k_", ms=14, mew=1.5)


#: Floors drawn on the figure: ``{pool: (line style, width, label)}``; "best" is the
#: floor of all pools together (the heavy pool's on these problems).
FLOOR_STYLE = {"best": ("-", 1.4, "two-point floor, all pools (= heavy)"),
               "light2": ("--", 0.9, "two-point floor, light 2 alone"),
               "light1": (":", 0.9, "two-point floor, light 1 alone")}


def _draw_floors(ax, tgt, alphas, point):
    """Two-point floors (robust_mlr.limits) of the target's estimate: curves
    against α, or horizontal lines at the one α. Shares 1/k, orthonormal W
    (‖w_a − w_b‖/s = √2 for p̂), the fixed task sizes of the problem."""
    est = {"W": "w", "s2": "s2", "p": "p"}.get(tgt)
    if est is None:
        return
    pools = {"light1": point["t_light1"], "light2": point["t_light2"], "heavy": point["t_heavy"]}
    floors = floor_curves(point["k"], pools, alphas, est, separation=np.sqrt(2.0))
    for pool, (ls, lw, _) in FLOOR_STYLE.items():
        if len(alphas) > 1:
            ax.plot(alphas, floors[pool], ls, color="0.35", lw=lw)
        else:
            ax.axhline(floors[pool][0], ls=ls, color="0.35", lw=lw)


def plot(rows, out):
    from matplotlib.lines import Line2D

    from robust_mlr.engine.plotting import figure, log_ticks, save_figure
    ok = [r for r in rows if r["status"] == "ok"]
    targets = sorted({r["target"] for r in ok}, key=list(TARGET_KEYS).index)
    fig, axes = figure(len(targets), width=4.2, height=3.6)
    axes = np.atleast_1d(axes)
    marker = {"robust": "o", "icml": "s"}
    colour = {("robust", "fixed"): "C0", ("robust", "hetero"): "C2",
              ("icml", "fixed"): "C3", ("icml", "hetero"): "C1"}
    groups = sorted({(r["learner"], r["sizes"]) for r in ok})

    def name(lr, sz):
        return f"{'robust' if lr == 'robust' else 'ICML'} ({sz} sizes)"

    for ax, tgt in zip(axes, targets):
        mine = [r for r in ok if r["target"] == tgt]
        alphas = sorted({r["alpha"] for r in mine})
        present = [g for g in groups if any((r["learner"], r["sizes"]) == g for r in mine)]
        for pos, (lr, sz) in enumerate(present):
            sel = sorted((r for r in mine if (r["learner"], r["sizes"]) == (lr, sz)),
                         key=lambda r: r["alpha"])
            c, m = colour.get((lr, sz), "k"), marker[lr]
            # against α when the target was searched at several α, else one
            # column per learner and task-size setting
            a = ([r["alpha"] * (1.06 if sz == "hetero" else 1.0) for r in sel]
                 if len(alphas) > 1 else [pos] * len(sel))
            # values past the ceiling (a non-robust fit at 10^152) would squash
            # the axis: drawn at the ceiling as a triangle, their value beside
            worst = np.array([r["worst"] for r in sel], float)
            ax.plot(a, np.minimum(worst, CEILING), "-" + m, color=c, ms=6)
            ax.plot(a, np.minimum([r["catalogue"] for r in sel], CEILING), ":" + m, color=c,
                    ms=4, mfc="none")
            ax.plot(a, [r["clean"] for r in sel], "x", color=c, ms=6)
            for x, v in zip(a, worst):
                if v > CEILING:
                    ax.plot(x, CEILING, "^", color=c, ms=8)
                    ax.annotate(f"{v:.0e}", (x, CEILING), textcoords="offset points",
                                xytext=(-4, -12), ha="right", fontsize=7, color=c)
        if len(alphas) > 1:
            ax.set_xscale("log")
            log_ticks(ax, alphas)
            ax.set_xlabel("corrupted fraction α")
        else:
            ax.set_xticks(range(len(present)))
            ax.set_xticklabels([name(*g).replace(" (", "\n(") for g in present], fontsize=8)
            ax.set_xlim(-0.6, len(present) - 0.4)
            ax.set_xlabel(f"α = {alphas[0]:g}")
        _draw_target(ax, tgt, alphas)
        _draw_floors(ax, tgt, alphas, mine[0])
        ax.set_yscale("log")
        log_ticks(ax, None, axis="y")
        ax.set_ylabel(f"worst {_Y_LABELS.get(tgt, TARGET_KEYS[tgt])}")
        ax.set_title(f"red team aims at {TARGET_KEYS[tgt]}", fontsize=9)
        ax.tick_params(labelsize=8)
    handles = [Line2D([], [], color=colour.get(g, "k"), marker=marker[g[0]], ls="-",
                      label=name(*g)) for g in groups]
    handles += [Line2D([], [], color="grey", marker="o", ms=6, ls="-",
                       label="worst found by the red team"),
                Line2D([], [], color="grey", marker="o", ms=4, mfc="none", ls=":",
                       label="worst catalogue attack"),
                Line2D([], [], color="grey", marker="x", ms=6, ls="", label="clean fit"),
                Line2D([], [], color="k", ls="--", lw=0.8, label="target (W: bars)")]
    handles += [Line2D([], [], color="0.35", ls=ls, lw=lw, label=label)
                for ls, lw, label in FLOOR_STYLE.values()]
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
               ncol=4, fontsize=8, frameon=False)
    fig.suptitle("red team (TPE over attack families and parameters) vs the catalogue",
                 fontsize=10)
    return save_figure(fig, out, rows[0]["experiment"], dpi=100)


EXPERIMENT = Experiment(
    name="adaptive", func=trial,
    # W against both learners at every α; at α = 0.05 also ŝ², p̂ (robust) and
    # heterogeneous sizes (W for both, ŝ² and p̂ for the robust learner). The
    # full product is one TOML sweep away.
    grid=(_grid(PROBLEM, ("robust", "icml"), (0.01, 0.02, 0.05, 0.1), ("W",), ("fixed",), 150)
          + _grid(PROBLEM, ("robust",), (0.05,), ("s2", "p"), ("fixed",), 150)
          + _grid(PROBLEM, ("robust", "icml"), (0.05,), ("W",), ("hetero",), 150)
          + _grid(PROBLEM, ("robust",), (0.05,), ("s2", "p"), ("hetero",), 150)),
    quick_grid=_grid(QUICK, ("robust", "icml"), (0.05,), ("W",), ("fixed",), 20),
    metrics=METRICS, replicates=1, quick_replicates=1,
    description="Red-team search (150 fits a point) against the robust and ICML learners: "
                "target W at α ∈ {.01, .02, .05, .1}; at α = .05 also ŝ², p̂ and "
                "heavy-tailed light-task sizes (14 searches).",
    plot=plot, summary=summary)
