"""Sine waves in a Chebyshev basis: the authors' meta-learning example
(Kong, Somani, Song, Kakade, Oh, ICML 2020), with and without corruption.

Component ℓ of k = 8 is the wave f_ℓ(x) = sin(ω_ℓ x), x ~ U[−π, π], with
frequencies ω = linspace(1, 2, 8). A task draws one component and t examples
(x_j, f_ℓ(x_j) + s ε_j), s = 0.5, represented by d = 16 Chebyshev features
T_1(u), …, T_16(u) of u = x/π (the generator's ``x_dist="polynomial"`` law).
w_ℓ is the least-squares fit of f_ℓ on these features under the law of u
(Gauss–Legendre quadrature; the fit is exact to 1e-9 in mean square, so the
data follow the linear model with these w_ℓ). Pools: light1 8 192 × 8,
heavy 128 × 16, light2 8 192 × 4; prediction on fresh tasks from τ = 4
support examples. The covariates are neither Gaussian nor isotropic, and the
eight waves are close: the moment Σ_ℓ p_ℓ w_ℓ w_ℓᵀ has effective rank ≈ 4.

Both learners estimate the covariate law (``covariates="estimate"``):
``MetaLearner.icml(8)`` and ``MetaLearner.robust(8, α)`` (told α; α = 0.01
when the data are clean), on clean pools and with α = 0.02 / 0.05 of the
heavy pool replaced by a fake cluster (``fake_cluster``). Reported per
learner: Bayes prediction MSE on fresh tasks over the oracle's (the true θ
with the same predictor), max‖ŵ − w‖/s, heavy clustering accuracy on the
clean heavy tasks, the number of tasks of each pool the learner set aside
(screened, filtered or flagged), whether it warned that the data look corrupted
(a CorruptionWarning) or that some components are too close to identify (an
IdentifiabilityWarning), and its fit time.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from numpy.polynomial.legendre import leggauss

from robust_mlr import MLRParams, MetaLearner, make_pools, make_tasks, metrics
from robust_mlr.adversary import corrupt_pools
from robust_mlr.engine import Experiment
from robust_mlr.exceptions import CorruptionWarning, IdentifiabilityWarning
from robust_mlr.generator import covariate_moment
from robust_mlr.stages.prediction import task_parameters

PROBLEM = dict(k=8, d=16, s=0.5, n_L1=8192, t_L1=8, n_H=128, t_H=16, n_L2=8192, t_L2=4,
               tau=4)
QUICK = dict(k=4, d=12, s=0.5, n_L1=1024, t_L1=8, n_H=64, t_H=16, n_L2=1024, t_L2=4, tau=4)
LEARNERS = ("icml", "robust")
SCORES = ("mse_ratio", "w_err", "cluster_acc", "light1_removed", "heavy_removed",
          "light2_removed", "warned", "unidentified", "fit_time")
METRICS = ("mse_oracle",) + tuple(f"{n}_{s}" for n in LEARNERS
                                  for s in SCORES + ("crashed", "error"))
N_TEST = 4000


def sine_params(k=8, d=16, s=0.5, w_min=1.0, w_max=2.0):
    """θ of the sine mixture: w_ℓ = least-squares fit of sin(ω_ℓ π u) on the
    Chebyshev features T_1(u), …, T_d(u) of u ~ U[−1, 1], p uniform.

    Returns
    -------
    MLRParams
        Not ρ-normalised (s is the noise level of the waves, amplitude 1).
    """
    u, wq = leggauss(256)
    wq = wq / 2                                           # the law U[−1, 1]
    F = np.cos(np.arange(1, d + 1)[None, :] * np.arccos(u)[:, None])
    waves = np.sin(np.pi * np.linspace(w_min, w_max, k)[None, :] * u[:, None])
    W = np.linalg.solve(covariate_moment("polynomial", d), F.T @ (waves * wq[:, None]))
    return MLRParams(W, np.full(k, float(s)), np.full(k, 1.0 / k))


def mean_wave_mse(theta):
    """Exact prediction MSE of the mean wave x ↦ xᵀ Σ_ℓ p_ℓ w_ℓ (θ known, the
    support ignored): Σ_ℓ p_ℓ (w_ℓ − w̄)ᵀ Σ_x (w_ℓ − w̄) + Σ_ℓ p_ℓ s_ℓ²."""
    D = theta.W - (theta.W @ theta.p)[:, None]
    S = covariate_moment("polynomial", theta.d)
    return float(theta.p @ np.einsum("ij,ik,kj->j", D, S, D) + theta.noise_floor)


def _learner(name, k, alpha, rng):
    if name == "icml":
        return MetaLearner.icml(k, covariates="estimate", rng=rng)
    return MetaLearner.robust(k, max(alpha, 0.01), covariates="estimate", rng=rng)


def trial(point, rng):
    k, alpha = int(point["k"]), float(point["alpha"])
    theta = sine_params(k, int(point["d"]), float(point["s"]))
    pools = make_pools(theta, point["n_L1"], point["t_L1"], point["n_H"], point["t_H"],
                       point["n_L2"], point["t_L2"], x_dist="polynomial", rng=rng)
    attack_rng, test_rng, *fit_rngs = rng.spawn(2 + len(LEARNERS))
    if alpha > 0:
        pools = corrupt_pools(pools, point["attack"], alpha, theta=theta,
                              settings={"alpha": alpha}, rng=attack_rng)
    support, Xq, yq = make_tasks(theta, N_TEST, int(point["tau"]) + 1, x_dist="polynomial",
                                 rng=test_rng).split_query()
    oracle = metrics.prediction_mse(task_parameters(support, theta.W, theta.s ** 2, theta.p,
                                                    "bayes"), Xq, yq)
    out = {"mse_oracle": oracle}
    clean_heavy = pools.heavy.components >= 0
    for name, frng in zip(LEARNERS, fit_rngs):
        model = _learner(name, k, alpha, frng)
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
                warnings.simplefilter("always")
                model.fit(pools)
        except Exception as exc:        # recorded, not fatal: the table counts crashes
            out.update({f"{name}_{key}": float("nan") for key in SCORES})
            out.update({f"{name}_crashed": 1.0, f"{name}_error": type(exc).__name__})
            continue
        elapsed = time.perf_counter() - t0
        removed = {f"{name}_{pool}_removed": float(0 if f is None else np.sum(f))
                   for pool, f in model.flagged_.items()}
        pe = metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)
        mse = metrics.prediction_mse(model.task_parameters(support, "bayes"), Xq, yq)
        out.update({
            f"{name}_mse_ratio": mse / oracle, f"{name}_w_err": pe["w_err"],
            f"{name}_cluster_acc": metrics.clustering_accuracy(
                model.heavy_labels_[clean_heavy], pools.heavy.components[clean_heavy], k),
            **removed,
            f"{name}_warned": float(any(issubclass(w.category, CorruptionWarning)
                                        for w in caught)),
            f"{name}_unidentified": float(any(issubclass(w.category, IdentifiabilityWarning)
                                              for w in caught)),
            f"{name}_fit_time": elapsed, f"{name}_crashed": 0.0, f"{name}_error": ""})
    return out


def _grid(problem, alphas):
    return [dict(problem, alpha=0.0, attack="none")] + [
        dict(problem, alpha=a, attack="fake_cluster") for a in alphas]


def _values(rows, key, alpha):
    return np.array([r[key] for r in rows if r["status"] == "ok" and r["alpha"] == alpha
                     and r.get(key) is not None and np.isfinite(r[key])], float)


def _mean(rows, key, alpha):
    v = _values(rows, key, alpha)
    return float(v.mean()) if v.size else float("nan")


def summary(rows):
    alphas = sorted({r["alpha"] for r in rows})
    lines = ["means over the fits that did not raise (median for max‖ŵ−w‖/s); removed: "
             "tasks set aside in light1 / heavy / light2",
             "α      learner  MSE/oracle (min–max)  med ‖ŵ−w‖/s  heavy acc  "
             "removed L1 / H / L2   warned  unident.  crashed  fit s"]
    for a in alphas:
        for n in LEARNERS:
            mse, w = _values(rows, f"{n}_mse_ratio", a), _values(rows, f"{n}_w_err", a)
            rng = f"({mse.min():.2f}–{mse.max():.2f})" if mse.size else ""
            removed = " / ".join(f"{_mean(rows, f'{n}_{p}_removed', a):.0f}"
                                 for p in ("light1", "heavy", "light2"))
            crashed = sum(r.get(f"{n}_crashed") == 1 for r in rows if r["alpha"] == a)
            lines.append(
                f"{a:<6g} {n:<8} {_mean(rows, f'{n}_mse_ratio', a):6.3f} {rng:<13} "
                f"{np.median(w) if w.size else np.nan:12.3f}  "
                f"{_mean(rows, f'{n}_cluster_acc', a):9.3f}  {removed:>19}  "
                f"{_mean(rows, f'{n}_warned', a):6.2f}  {_mean(rows, f'{n}_unidentified', a):8.2f}"
                f"  {crashed:4d}/{sum(r['alpha'] == a for r in rows)}"
                f"  {_mean(rows, f'{n}_fit_time', a):5.1f}")
    r0 = rows[0]
    mean_wave = mean_wave_mse(sine_params(r0["k"], r0["d"], r0["s"]))
    lines.append(f"oracle Bayes MSE {_mean(rows, 'mse_oracle', 0.0):.4f} "
                 f"(noise floor s² = {r0['s'] ** 2:g}); the mean wave, θ known and the "
                 f"support ignored: {mean_wave:.4f} = "
                 f"{mean_wave / _mean(rows, 'mse_oracle', 0.0):.3f}× the oracle")
    return "\n".join(lines)


def plot(rows, out):
    from robust_mlr.engine.plotting import figure, save_figure
    fig, axes = figure(2, width=4.0, height=3.2)
    alphas = sorted({r["alpha"] for r in rows})
    pos = np.arange(len(alphas))
    for j, (n, label) in enumerate((("icml", "ICML 2020"), ("robust", "robust"))):
        for ax, key in zip(axes, ("mse_ratio", "w_err")):
            vals = [[r[f"{n}_{key}"] for r in rows if r["alpha"] == a and r["status"] == "ok"
                     and np.isfinite(r.get(f"{n}_{key}", np.nan))] for a in alphas]
            x = pos + (j - 0.5) * 0.3
            centre = np.mean if key == "mse_ratio" else np.median
            ax.bar(x, [centre(v) if v else np.nan for v in vals], width=0.28, label=label,
                   color=f"C{j}", alpha=0.7)
            for xi, v in zip(x, vals):
                ax.plot(np.full(len(v), xi), v, "k.", ms=3)
        raised = [sum(r.get(f"{n}_crashed") == 1 for r in rows if r["alpha"] == a)
                  for a in alphas]
        for xi, c in zip(pos + (j - 0.5) * 0.3, raised):
            if c:
                axes[0].annotate(f"{c} raised", (xi, 0.02), ha="center", fontsize=7,
                                 rotation=90, xycoords=("data", "axes fraction"))
    axes[0].axhline(1.0, color="k", lw=0.8, ls="--")
    r0 = rows[0]
    mean_wave = mean_wave_mse(sine_params(r0["k"], r0["d"], r0["s"]))
    axes[0].axhline(mean_wave / _mean(rows, "mse_oracle", 0.0), color="k", lw=0.8, ls=":",
                    label="mean wave (support ignored)")
    axes[0].set_ylabel("prediction MSE / oracle (τ = 4), mean")
    axes[1].set_ylabel("max ‖ŵ − w‖ / s, median")
    axes[1].set_yscale("log")
    for ax in axes:
        ax.set_xticks(pos)
        ax.set_xticklabels([f"clean" if a == 0 else f"α = {a:g}" for a in alphas])
        ax.tick_params(labelsize=8)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"sine waves, k = {r0['k']}, d = {r0['d']} Chebyshev features, s = {r0['s']:g}; "
                 "fake cluster in the heavy pool", fontsize=10)
    return save_figure(fig, out, r0["experiment"], dpi=100)


EXPERIMENT = Experiment(
    name="sine_wave", func=trial, grid=_grid(PROBLEM, (0.02, 0.05)),
    quick_grid=_grid(QUICK, (0.05,)), metrics=METRICS, replicates=10, quick_replicates=1,
    description="The authors' sine-wave mixture (k = 8, 16 Chebyshev features, s = 0.5): "
                "ICML and robust learners with estimated covariates, clean and "
                "α = .02 / .05 (fake cluster), prediction MSE at τ = 4 against the oracle.",
    plot=plot, summary=summary)
