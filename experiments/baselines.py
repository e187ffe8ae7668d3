"""The seed baselines against the pipeline.

Problem: d = 16, k = 2 (orthonormal W, s = 1/√2, p uniform; Δ = 1), light
pools L1 and L2 of n_L tasks of t_L ∈ {2, 4, 8} examples each, total light
examples N_L = n_L·t_L ∈ {4 000, 16 000, 64 000} per pool, heavy pool
n_H = 100 tasks of t_H = 80. Clean, and at α = 0.05 under three catalogue
attacks (one per stage aimed at: ``subspace_spike``, ``fake_cluster``,
``gradient_aligned``) at N_L = 16 000.

Subspace stage (pool L1): ``pca`` (ICML 2020 Algorithm 2; needs t ≥ 2),
``filter`` (robust PCA of the clipped task statistics), ``meta_sp``,
``amht_lrs`` (needs t_L > k; recorded as missing otherwise), ``moments``
(Tripuraneni et al. 2021). Metric: max_a ||(I − UUᵀ) w_a|| / max ρ and time.

Full learners (all three pools): ``icml`` (MetaLearner defaults),
``robust`` (MetaLearner.robust(k, α) with α = 0.05 under attack and 0.02
clean), ``icml_metasp`` / ``icml_amht`` (the ICML pipeline with the Meta-SP /
AMHT-LRS subspace: the full-learner form of those methods), ``em``
(EMLearner, 3 restarts) and ``mom`` (MomentLearner). Metrics: max_a
||ŵ_a − w_a|| / s_a (Hungarian matched), Bayes prediction MSE on 2 000 fresh
tasks with 4 support examples (noise floor 0.5) and fit time; all timed in
the same process, one BLAS thread.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from robust_mlr import MetaLearner, estimate_subspace, make_params, make_pools, make_tasks, metrics
from robust_mlr.adversary import corrupt_pools
from robust_mlr.baselines import EMLearner, MomentLearner
from robust_mlr.engine import Experiment

SUBSPACES = ("pca", "filter", "meta_sp", "amht_lrs", "moments")
LEARNERS = ("icml", "robust", "icml_metasp", "icml_amht", "em", "mom")
ATTACKS = ("subspace_spike", "fake_cluster", "gradient_aligned")


def _learner(name, k, alpha, rng):
    if name == "icml":
        return MetaLearner(k, rng=rng)
    if name == "robust":
        return MetaLearner.robust(k, alpha if alpha > 0 else 0.02, rng=rng)
    if name == "icml_metasp":
        return MetaLearner(k, subspace="meta_sp", rng=rng)
    if name == "icml_amht":
        return MetaLearner(k, subspace="amht_lrs", rng=rng)
    if name == "em":
        return EMLearner(k, n_init=3, rng=rng)
    return MomentLearner(k, rng=rng)


def _timed(fn):
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn()
    except ValueError:                 # a method's stated requirement is not met (t too small)
        return None, None
    return out, time.perf_counter() - t0


def trial(point, rng):
    k, alpha = int(point["k"]), float(point["alpha"])
    n_L = int(point["N_L"]) // int(point["t_L"])
    theta = make_params(point["d"], k, rng=rng)
    pools = make_pools(theta, n_L, point["t_L"], point["n_H"], point["t_H"], n_L,
                       point["t_L"], rng=rng)
    attack_rng, fit_rng, test_rng = rng.spawn(3)
    if point["attack"] != "none":
        pools = corrupt_pools(pools, point["attack"], alpha, theta=theta,
                              settings={"alpha": alpha}, rng=attack_rng)
    sup, Xq, yq = make_tasks(theta, 2000, 5, rng=test_rng).split_query()
    out = {}
    for m in SUBSPACES:
        res, sec = _timed(lambda: estimate_subspace(pools.light1, k, m, alpha=max(alpha, 0.02),
                                                    rng=fit_rng))
        out[f"sub_{m}"] = None if res is None else metrics.subspace_error(res.U, theta)
        out[f"sub_{m}_time"] = sec
    for name in LEARNERS:
        model, sec = _timed(lambda: _learner(name, k, alpha, fit_rng).fit(pools))
        if model is None:
            out.update({f"{name}_w_err": None, f"{name}_mse": None, f"{name}_time": None})
            continue
        pe = metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)
        out[f"{name}_w_err"] = pe["w_err"]
        out[f"{name}_mse"] = metrics.prediction_mse(model.task_parameters(sup), Xq, yq)
        out[f"{name}_time"] = sec
    return out


def _mean(rows, key, **where):
    v = [r[key] for r in rows if r["status"] == "ok" and r.get(key) is not None
         and all(r[a] == b for a, b in where.items())]
    return float(np.mean(v)) if v else float("nan")


def summary(rows):
    lines = []
    for t in sorted({r["t_L"] for r in rows}):
        for N in sorted({r["N_L"] for r in rows if r["attack"] == "none"}):
            w = dict(t_L=t, N_L=N, attack="none")
            lines.append(f"clean t_L={t} N_L={N}: subspace " + ", ".join(
                f"{m} {_mean(rows, f'sub_{m}', **w):.3f}" for m in SUBSPACES) + " | w_err " +
                ", ".join(f"{n} {_mean(rows, f'{n}_w_err', **w):.3f}" for n in LEARNERS))
    for att in sorted({r["attack"] for r in rows} - {"none"}):
        w = dict(attack=att)
        lines.append(f"{att} α=0.05: subspace " + ", ".join(
            f"{m} {_mean(rows, f'sub_{m}', **w):.3f}" for m in SUBSPACES) + " | w_err " +
            ", ".join(f"{n} {_mean(rows, f'{n}_w_err', **w):.3f}" for n in LEARNERS))
    return "\n".join(lines)


_STYLES = tuple(zip(("o", "s", "^", "v", "D", "P"), ("-", "--", "-.", ":", "-", "--")))


def _style(i):
    """Marker and line style of the i-th method, so coinciding curves stay visible."""
    marker, ls = _STYLES[i % len(_STYLES)]
    return dict(marker=marker, ls=ls, ms=4, color=f"C{i % 10}")


def plot(rows, out):
    from robust_mlr.engine.plotting import figure, log_ticks, save_figure
    ts = sorted({r["t_L"] for r in rows})
    clean = [r for r in rows if r["attack"] == "none"]
    attacks = sorted({r["attack"] for r in rows} - {"none"})
    ncols = max(len(ts), 2 + bool(attacks))
    fig, axes = figure(ncols, width=3.9, height=3.2, nrows=2)
    axes = np.atleast_2d(axes)
    for ax, t in zip(axes[0], ts):
        Ns = sorted({r["N_L"] for r in clean if r["t_L"] == t})
        for i, m in enumerate(SUBSPACES):
            ax.plot(Ns, [_mean(clean, f"sub_{m}", t_L=t, N_L=N) for N in Ns], label=m,
                    **_style(i))
        ax.set(xscale="log", yscale="log", title=f"subspace stage, $t_L$ = {t}")
        log_ticks(ax, Ns)
        log_ticks(ax, None, axis="y")
        ax.set_xlabel("light examples per pool $N_L = n_L t_L$")
    axes[0][0].set_ylabel(r"subspace error $\mathrm{max}_a \|(I - UU^T) w_a\| / \rho$")
    for ax in axes[0][len(ts):]:
        ax.axis("off")
    axes[0][-1].legend(*axes[0][0].get_legend_handles_labels(), title="subspace method",
                       fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    t = max(ts)
    Ns = sorted({r["N_L"] for r in clean if r["t_L"] == t})
    tot = [2 * N + clean[0]["n_H"] * clean[0]["t_H"] for N in Ns] if clean else []
    w_label = r"$\mathrm{max}_a \|\hat w_a - w_a\| / s_a$"
    for ax, key, lab in ((axes[1][0], "w_err", w_label),
                         (axes[1][1], "mse", "Bayes prediction MSE (noise floor 0.5)")):
        for i, n in enumerate(LEARNERS):
            ax.plot(tot, [_mean(clean, f"{n}_{key}", t_L=t, N_L=N) for N in Ns], label=n,
                    **_style(i))
        ax.set(xscale="log", yscale="log" if key == "w_err" else "linear",
               title=f"full learners, clean, $t_L$ = {t}")
        log_ticks(ax, tot)
        if key == "w_err":
            log_ticks(ax, None, axis="y")
        ax.set_xlabel("total examples (both light pools + heavy)")
        ax.set_ylabel(lab)
    if attacks:
        ax = axes[1][2]
        width = 0.8 / len(LEARNERS)
        for j, n in enumerate(LEARNERS):
            ax.bar(np.arange(len(attacks)) + j * width,
                   [_mean(rows, f"{n}_w_err", attack=a, t_L=t) for a in attacks], width,
                   label=n, color=f"C{j % 10}")
        ax.set_xticks(np.arange(len(attacks)) + 0.4 - width / 2)
        ax.set_xticklabels([a.replace("_", "\n") for a in attacks], fontsize=8)
        ax.set_yscale("log")
        log_ticks(ax, None, axis="y")
        ax.set_title(f"under attack, α = 0.05, $t_L$ = {t}")
        ax.set_xlabel("attack (catalogue)")
        ax.set_ylabel(w_label)
    for ax in axes[1][2 + bool(attacks):]:
        ax.axis("off")
    axes[1][-1].legend(*axes[1][0].get_legend_handles_labels(), title="learner", fontsize=8,
                       loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return save_figure(fig, out, rows[0]["experiment"], dpi=100)


_P = dict(d=16, k=2, n_H=100, t_H=80)
_Q = dict(d=8, k=2, n_H=60, t_H=80)


def _grid(p, Ns, ts, N_attack, attacks):
    pts = [dict(p, t_L=t, N_L=N, attack="none", alpha=0.0) for t in ts for N in Ns]
    return pts + [dict(p, t_L=t, N_L=N_attack, attack=a, alpha=0.05) for t in ts for a in attacks]


EXPERIMENT = Experiment(
    name="baselines", func=trial, grid=_grid(_P, (4000, 16000, 64000), (2, 4, 8), 16000, ATTACKS),
    quick_grid=_grid(_Q, (2000,), (4,), 2000, ATTACKS[:1]),
    metrics=tuple([f"sub_{m}{s}" for m in SUBSPACES for s in ("", "_time")]
                  + [f"{n}_{s}" for n in LEARNERS for s in ("w_err", "mse", "time")]),
    replicates=3, quick_replicates=1,
    description="Seed baselines (Meta-SP, AMHT-LRS, EM, method of moments) against the "
                "ICML and robust pipelines: subspace error vs n_L·t_L, w error and "
                "prediction vs total examples, clean and under attack, time per fit.",
    plot=plot, summary=summary)
