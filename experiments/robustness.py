"""The headline robustness study: the robust and the non-robust learner under
every attack of the catalogue, α ∈ {0, 0.01, 0.02, 0.05, 0.1}, on the default
problem (d = 32, k = 4, n_L1 = 20 000 × t 2, n_H = 400 × t 128,
n_L2 = 20 000 × t 8), ≥ 10 seeds — and under the ``red_team`` attack: the
worst attack the adaptive study's search found against the robust learner at
that α (``experiments/redteam_worst.json``, see :mod:`experiments.adaptive`),
replayed on each fresh problem.

Both learners see the same corrupted pools; the robust one is told α
(``MetaLearner.robust(k, alpha)``: screening, filter subspace, robust
Peng–Wei on every heavy task, χ² flagging, task-filter regression, ŝ²
checked against the heavy tasks). Metrics per
learner: parameter errors, clustering accuracy, Bayes prediction error, and
precision/recall of the tasks it set aside against the corruption masks.
Expected: the robust error stays ≤ 3× its α = 0 value at α = 0.05 (or the
attack is information-theoretically unbeatable), the non-robust error grows
≥ 5× under the stage-aimed attacks. The plot adds the two-point floors of
:mod:`robust_mlr.limits` as the reference: what no estimator can beat when
⌊αn⌋ tasks of each pool are replaced — per pool (light 1, light 2, heavy) and
for all pools together (the best pool's floor, here the heavy pool's).
"""

from __future__ import annotations

import json
import time
import warnings

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools, make_tasks, metrics
from robust_mlr.adversary import CATALOGUE, corrupt_pools
from robust_mlr.adversary.redteam import attack_settings, strategy_attack
from robust_mlr.engine import Experiment

from ._common import floor_curves, score_model
from .adaptive import WORST_ATTACKS

RED_TEAM = "red_team"

PROBLEM = dict(d=32, k=4, n_L1=20_000, t_L1=2, n_H=400, t_H=128, n_L2=20_000, t_L2=8)
QUICK = dict(d=12, k=3, n_L1=4_000, t_L1=2, n_H=90, t_H=128, n_L2=3_000, t_L2=8)
LEARNERS = ("robust", "icml")
SCORES = ("subspace_err", "cluster_acc", "w_err", "s2_err", "p_err", "mse_bayes",
          "precision", "recall", "fit_time")
#: Metrics of a trial: every score per learner, whether its fit raised (the
#: ICML learner has no screen: the red team's extreme values crash it) and
#: the exception's class name ("" when it did not).
METRICS = tuple(f"{n}_{s}" for n in LEARNERS for s in SCORES + ("crashed", "error"))


def trial(point, rng):
    k, alpha = int(point["k"]), float(point["alpha"])
    theta = make_params(point["d"], k, rng=rng)
    pools = make_pools(theta, point["n_L1"], point["t_L1"], point["n_H"], point["t_H"],
                       point["n_L2"], point["t_L2"], rng=rng)
    attack_rng, robust_rng, icml_rng, test_rng = rng.spawn(4)
    learners = {"robust": MetaLearner.robust(k, alpha, rng=robust_rng),
                "icml": MetaLearner(k, rng=icml_rng)}
    if point["attack"] == RED_TEAM and alpha > 0:
        attack = strategy_attack(_for_k(_worst()[alpha]["strategy"], k))
        pools = corrupt_pools(pools, attack, alpha,
                              theta=theta, settings=attack_settings(learners["robust"], alpha),
                              rng=attack_rng)
    elif point["attack"] != "none" and alpha > 0:
        pools = corrupt_pools(pools, point["attack"], alpha, theta=theta,
                              settings={"alpha": alpha}, rng=attack_rng)
    test = make_tasks(theta, 2000, 5, rng=test_rng).split_query()
    out = {}
    for name, model in learners.items():
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                model.fit(pools)
        except Exception as exc:        # a learner the attack crashes: recorded, not fatal
            out.update({f"{name}_{key}": float("nan") for key in SCORES})
            out.update({f"{name}_crashed": 1.0, f"{name}_error": type(exc).__name__})
            continue
        out.update({f"{name}_crashed": 0.0, f"{name}_error": ""})
        res = score_model(model, theta, pools, test)
        res["fit_time"] = time.perf_counter() - t0
        flagged = [f if f is not None else np.zeros(pools[p].n_tasks, bool)
                   for p, f in model.flagged_.items()]
        masks = [pools.masks.get(p, np.zeros(pools[p].n_tasks, bool)) for p in pools.names]
        det = metrics.detection_scores(np.concatenate(flagged), np.concatenate(masks))
        res.update(det)
        out.update({f"{name}_{key}": v for key, v in res.items()})
    return out


def _worst():
    """``{alpha: record}`` of the red team's worst attacks (empty if none saved)."""
    if not WORST_ATTACKS.exists():
        return {}
    return {float(a): rec for a, rec in json.loads(WORST_ATTACKS.read_text()).items()}


def _for_k(strategy, k):
    """The strategy with component indices taken mod k (the search ran at k = 4;
    the quick problem has k = 3)."""
    return {pool: (fam, {n: v % k if n in ("component", "source") and isinstance(v, int)
                         else v for n, v in prm.items()})
            for pool, (fam, prm) in strategy.items()}


def _grid(problem, alphas, attacks=None):
    attacks = sorted(CATALOGUE) if attacks is None else attacks
    found = _worst()
    return [dict(problem, attack="none", alpha=0.0)] + [
        dict(problem, attack=a, alpha=al) for a in attacks for al in alphas] + [
        dict(problem, attack=RED_TEAM, alpha=al) for al in alphas if al in found]


def _mean(rows, key, **where):
    """Mean over the finished trials matching ``where``, crashed fits left out."""
    v = [r[key] for r in rows if r["status"] == "ok" and all(r[a] == b for a, b in where.items())
         and r.get(key) is not None and np.isfinite(r[key])]
    return float(np.mean(v)) if v else float("nan")


def summary(rows):
    alphas = sorted({r["alpha"] for r in rows if r["alpha"] > 0})
    base = {n: _mean(rows, f"{n}_w_err", alpha=0.0) for n in LEARNERS}
    lines = [f"w_err at α = 0: robust {base['robust']:.3f}, ICML {base['icml']:.3f}; "
             "cells: robust / ICML error as multiples of their own α = 0 values",
             "attack".ljust(18) + "".join(f"{a:>15}" for a in alphas)]
    for att in sorted({r["attack"] for r in rows if r["attack"] != "none"}):
        cells = []
        for a in alphas:
            rb = _mean(rows, "robust_w_err", attack=att, alpha=a) / base["robust"]
            ic = _mean(rows, "icml_w_err", attack=att, alpha=a) / base["icml"]
            cells.append(f"{rb:6.1f} /{ic:7.1f}")
        lines.append(att.ljust(18) + "".join(f"{c:>15}" for c in cells))
    for n in LEARNERS:
        crashed = [r for r in rows if r["status"] == "ok" and r.get(f"{n}_crashed") == 1]
        if crashed:
            lines.append(f"{n} fit crashed in {len(crashed)} trials (left out of the means): "
                         + ", ".join(sorted({f"{r['attack']} α={r['alpha']}"
                                             + (f" ({r[f'{n}_error']})" if r.get(f"{n}_error")
                                                else "") for r in crashed})))
    return "\n".join(lines)


def plot(rows, out):
    from robust_mlr.engine.plotting import figure, save_figure
    attacks = sorted({r["attack"] for r in rows if r["attack"] != "none"})
    cols = 4
    nrow = int(np.ceil(len(attacks) / cols))
    fig, axes = figure(cols, width=3.6, height=3.0, nrows=nrow)
    axes = np.asarray(axes).reshape(nrow, cols)
    p = rows[0]
    alphas = np.array(sorted({r["alpha"] for r in rows}))
    floors = floor_curves(p["k"], {"light1": p["t_L1"], "light2": p["t_L2"], "heavy": p["t_H"]},
                          alphas)
    floor_style = {"best": ("k-", 1.2, "floor, all pools (= heavy)"),
                   "light2": ("k--", 0.8, f"floor, light 2 alone (t = {p['t_L2']})"),
                   "light1": ("k:", 0.8, f"floor, light 1 alone (t = {p['t_L1']})")}
    for ax, att in zip(axes.ravel(), attacks):
        for name, style in (("robust", "-o"), ("icml", "--s")):
            mu = [_mean(rows, f"{name}_w_err", alpha=0.0) if a == 0 else
                  _mean(rows, f"{name}_w_err", attack=att, alpha=a) for a in alphas]
            ax.plot(alphas, mu, style, ms=4, label="robust" if name == "robust" else "ICML 2020")
        for pool, (style, lw, label) in floor_style.items():
            ax.plot(alphas, floors[pool], style, lw=lw, label=label)
        ax.set_yscale("log")
        ax.set_title(att, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_xlabel("α", fontsize=8)
    for ax in axes.ravel()[len(attacks):]:
        ax.axis("off")
    axes[0, 0].legend(fontsize=7)
    axes[0, 0].set_ylabel("max ||ŵ − w|| / s", fontsize=8)
    fig.suptitle("robust vs non-robust learner under each attack; black: two-point floors "
                 "under replacement, p = 1/k (the error the worst attack can force on any "
                 "estimator)", fontsize=10)
    return save_figure(fig, out, rows[0]["experiment"], dpi=100)


EXPERIMENT = Experiment(
    name="robustness", func=trial, grid=_grid(PROBLEM, (0.01, 0.02, 0.05, 0.1)),
    quick_grid=_grid(QUICK, (0.05,), ["subspace_spike", "fake_cluster"]),
    metrics=METRICS,
    replicates=10, quick_replicates=1,
    description="Headline robustness study: robust vs ICML learner under every attack, "
                "α ∈ {0, .01, .02, .05, .1}, 10 seeds.", plot=plot, summary=summary)
