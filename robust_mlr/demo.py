"""The main job: meta-learning on the default problem, printed as a table and
drawn as a plot. ``robust-mlr demo`` calls :func:`run`."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np

from . import metrics
from .adversary import corrupt_pools
from .estimator import MetaLearner
from .generator import DEFAULT_PROBLEM, default_problem, make_tasks

__all__ = ["DEFAULT_PROBLEM", "run"]



def _evaluate(model, pools, params, test_support, X_q, y_q):
    pe = metrics.parameter_errors(model.W_, model.s2_, model.p_, params)
    zh, zl = pools.heavy.components, pools.light2.components
    row = {"subspace_err": metrics.subspace_error(model.U_, params),
           "cluster_acc": metrics.clustering_accuracy(model.heavy_labels_[zh >= 0],
                                                      zh[zh >= 0], params.k),
           "classify_acc": metrics.clustering_accuracy(model.light_labels_[zl >= 0],
                                                       zl[zl >= 0], params.k),
           "w_err": pe["w_err"], "s2_err": pe["s2_err"], "p_err": pe["p_err"]}
    for method in ("map", "bayes"):
        beta = model.task_parameters(test_support, method)
        row[f"mse_{method}"] = metrics.prediction_mse(beta, X_q, y_q)
    return row


def run(seed=0, quick=False, out="demo_output", quiet=False, tau=4, attack="fake_cluster",
        alpha=0.05, wording=None):
    """Fit the robust and the non-robust learner on the default problem under
    an attack and report.

    Parameters
    ----------
    seed : int
        Seed of problem, data and algorithm.
    quick : bool
        Use a smaller problem (a few seconds).
    out : str or Path
        Folder for the plot ``demo.png``.
    quiet : bool
        Do not print.
    tau : int
        Support examples per new task for the prediction error.
    attack : str
        Attack from :data:`robust_mlr.adversary.ATTACKS` (``"none"``: clean).
    alpha : float
        Corrupted fraction of each attacked pool.
    wording : callable, optional
        Applied to the text of every warning a fit raised (the command line
        names the options there as they are typed, ``--alpha 0.3``).

    Returns
    -------
    dict
        ``{"rows": {learner: metrics}, "plot": path, "time": seconds,
        "warnings": [one line per warning the fits raised]}``.
    """
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    params, pools = default_problem(rng, quick)
    test = make_tasks(params, 2000, tau + 1, rng=rng)
    support, X_q, y_q = test.split_query()

    rows, models = {}, {}
    clean = MetaLearner.icml(params.k, rng=rng).fit(pools)
    rows["ICML 2020, clean data"] = _evaluate(clean, pools, params, support, X_q, y_q)
    attacked = attack != "none" and alpha > 0
    if attacked:
        pools = corrupt_pools(pools, attack, alpha, theta=params, settings={"alpha": alpha},
                              rng=rng)
        tag = f"{attack} α={alpha:g}"
        learners = {f"ICML 2020, {tag}": MetaLearner.icml(params.k, rng=rng),
                    f"robust, {tag}": MetaLearner.robust(params.k, alpha, rng=rng)}
    else:                               # the clean ICML fit above is the one to show
        models["ICML 2020, clean data"] = clean
        learners = {f"robust α={alpha:g}, clean data": MetaLearner.robust(params.k, alpha,
                                                                          rng=rng)}
    notes = []
    for name, model in learners.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                model.fit(pools)
            except Exception as exc:    # e.g. overflowing values crash the ICML moments
                notes.append(_crash_note(name, exc))
                rows[name] = {}
                continue
            finally:
                notes += _short_warnings(name, caught, wording=wording)
        models[name] = model
        rows[name] = _evaluate(model, pools, params, support, X_q, y_q)
        flagged = np.concatenate([f if f is not None else np.zeros(pools[p].n_tasks, bool)
                                  for p, f in model.flagged_.items()])
        masks = np.concatenate([pools.masks.get(p, np.zeros(pools[p].n_tasks, bool))
                                for p in pools.names])
        if masks.any():
            det = metrics.detection_scores(flagged, masks)
            rows[name].update(flag_prec=det["precision"], flag_recall=det["recall"])
    rows["oracle θ"] = {"mse_bayes": metrics.prediction_mse(
        _oracle_beta(params, support, "bayes"), X_q, y_q),
        "mse_map": metrics.prediction_mse(_oracle_beta(params, support, "map"), X_q, y_q)}
    elapsed = time.perf_counter() - t0
    if not quiet:                       # the table first: a failing plot cannot lose it
        print(f"robust-mlr demo: d={params.d} k={params.k} n_L1={pools.light1.n_tasks} "
              f"n_H={pools.heavy.n_tasks} (t_H={int(pools.heavy.sizes[0])}) "
              f"n_L2={pools.light2.n_tasks}, noise floor Σ p s² = {params.noise_floor:.3f}; "
              + (f"attack {attack} on α = {alpha:g} of the tasks of {_pool_names(pools)}"
                 if attacked else _no_attack(attack, alpha)))
        print(format_table(rows))
        for note in notes:
            print(note)
        print(f"({elapsed:.1f} s)", flush=True)
    path = _plot(models, pools, params, Path(out))
    if not quiet:
        print(f"plot written to {path}")
    return {"rows": rows, "plot": str(path), "time": elapsed, "warnings": notes}


def _no_attack(attack, alpha):
    """Why the demo's data are clean: no attack was named, or α = 0 (an
    attack on no task: its name is not worth printing)."""
    return "no attack (attack 'none')" if attack == "none" else "no attack (α = 0)"


def _pool_names(pools):
    """The pools an attack replaced tasks of, as a reader names them:
    ``"the heavy pool"``, ``"the heavy and light 2 pools"``."""
    names = [p.replace("light", "light ") for p in pools.names if pools.masks[p].any()]
    if not names:
        return "no pool (⌊αn⌋ = 0 tasks in each)"
    listed = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    return f"the {listed} pool{'s' if len(names) > 1 else ''}"


def _crash_note(learner, exc, width=1000):
    """One line for a fit that raised: ``crashed (learner): Kind: text``."""
    text = " ".join(str(exc).split())
    text = text if len(text) <= width else text[:width - 3] + "..."
    return f"crashed ({learner}): {type(exc).__name__}: {text}"


def _short_warnings(learner, caught, width=1000, wording=None):
    """One line per distinct warning a fit raised: ``warning (learner): Kind: text``."""
    out = []
    for w in caught:
        text = " ".join(str(w.message).split())
        text = wording(text) if wording is not None else text
        text = text if len(text) <= width else text[:width - 3] + "..."
        line = f"warning ({learner}): {w.category.__name__}: {text}"
        if line not in out:
            out.append(line)
    return out


def _oracle_beta(params, support, method):
    from .stages.prediction import task_parameters
    return task_parameters(support, params.W, params.s ** 2, params.p, method)


def format_table(rows):
    """Render {learner: {metric: value}} as a fixed-width text table."""
    cols = []
    for r in rows.values():
        cols += [c for c in r if c not in cols]
    width = max(len(n) for n in rows) + 2
    head = "".ljust(width) + "".join(c.rjust(13) for c in cols)
    lines = [head, "-" * len(head)]
    for name, r in rows.items():
        cells = "".join((f"{r[c]:13.4f}" if c in r and np.isfinite(r[c]) else "-".rjust(13))
                        for c in cols)             # "-": not defined (e.g. nothing flagged)
        lines.append(name.ljust(width) + cells)
    return "\n".join(lines)


def _plot(models, pools, params, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .engine._files import check_writable_dir
    path = check_writable_dir(out, "plot folder") / "demo.png"
    fig, axes = plt.subplots(1, len(models) + 1, figsize=(5 * (len(models) + 1), 4.2))
    axes = np.atleast_1d(axes)
    for ax, (name, model) in zip(axes, models.items()):
        U = model.U_
        B = pools.heavy.chunk_means(1)[0] @ U           # heavy-task estimates in span U
        V = np.linalg.svd(B - B.mean(0), full_matrices=False)[2][:2].T
        P = B @ V
        lab = model.heavy_labels_
        bad = pools.heavy.components < 0
        ax.scatter(P[lab >= 0, 0], P[lab >= 0, 1], c=lab[lab >= 0], s=6, cmap="tab10",
                   vmin=0, vmax=9, alpha=0.6)
        ax.scatter(P[lab < 0, 0], P[lab < 0, 1], s=30, facecolors="none", edgecolors="grey",
                   label="flagged")
        ax.scatter(P[bad, 0], P[bad, 1], s=8, c="k", marker="x", label="corrupted")
        Tw = (U.T @ params.W).T @ V
        Ew = (U.T @ model.W_).T @ V
        ax.scatter(Tw[:, 0], Tw[:, 1], marker="*", s=220, c="k", label="true w")
        ax.scatter(Ew[:, 0], Ew[:, 1], marker="x", s=120, c="r", label="estimated ŵ")
        ax.set_title(f"{name}\nheavy tasks in the estimated subspace", fontsize=9)
        ax.legend(fontsize=8)
    ax = axes[-1]
    top = 0.0
    for name, model in models.items():
        perm = metrics.match_components(model.W_, params.W)
        err = np.linalg.norm(model.W_[:, perm] - params.W, axis=0) / params.s
        top = max(top, float(err.max()))
        ax.bar(np.arange(params.k) + 0.4 * list(models).index(name), err, width=0.4,
               label=name)
    ax.set_xticks(np.arange(params.k) + 0.2 * (len(models) - 1))
    ax.set_xticklabels([str(a) for a in range(params.k)])
    ax.set_yscale("log")                # the robust errors are orders of magnitude smaller
    if top > 0:
        ax.set_ylim(top=top * 8)        # room for the legend above the bars
    ax.set_xlabel("component a")
    ax.set_ylabel("||ŵ_a − w_a|| / s_a  (log scale)")
    ax.set_title("parameter error per component", fontsize=9)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    from .engine._files import atomic_write
    try:
        with atomic_write(path) as f:
            fig.savefig(f, format="png", dpi=110)
    finally:
        plt.close(fig)
    return path
