"""Clean data under non-Gaussian covariate laws: what each stage of the
robust learner sets aside, and how both learners cluster and predict.

The problem is the default one (d = 32, k = 4; pools 20 000 × 2 / 400 × 128
/ 20 000 × 8) seen through another covariate law: W = Σ_x^{-1/2} W₀ with W₀
the default orthonormal design, so that whitened the problem has the default
difficulty. Laws: Chebyshev features of a uniform input (``polynomial``),
Fourier features, Student-t(5) rows, the uniform cube and a correlated
Gaussian. Learners with their default covariate setting (``"auto"``):
``MetaLearner.robust(k, α)`` (``--alpha``, default 0.01) and ``MetaLearner.icml(k)``.

Per law and seed: tasks removed by the screen (three pools) and by each
robust stage, against the stage's limit αn + Binomial margin; whether a
CorruptionWarning was raised; heavy clustering accuracy; Bayes prediction
MSE at τ = 8 over the oracle's (the true θ, same predictor); the split
pairs L each learner's distance matrix used (more than one when the split
noise has heavy tails, ``robust_mlr.stages.clustering.linkage.choose_splits``)
and the tail ratio that decided it (1 for Gaussian tails).
``--csv PATH`` also writes the rows (``docs/results/covariate_laws.csv``).

    OMP_NUM_THREADS=1 python3 benchmarks/bench_covariate_laws.py [--seeds 3] [--quick | --small] [--alpha 0.01] [--csv PATH]
"""

from __future__ import annotations

import argparse
import csv
import time
import warnings

import numpy as np

from robust_mlr import CorruptionWarning, MLRParams, MetaLearner, make_params, make_pools, \
    make_tasks, metrics
from robust_mlr.generator import covariate_moment
from robust_mlr.stages.prediction import task_parameters

LAWS = ("polynomial", "fourier", "student", "uniform", "correlated")
FULL = dict(d=32, k=4, sizes=(20_000, 2, 400, 128, 20_000, 8))
QUICK = dict(d=16, k=3, sizes=(6_000, 2, 150, 96, 4_000, 8))
#: Below d = 3k (no bulk group of k directions past the top 2k for the
#: subspace filter to calibrate on): a new user's problem.
SMALL = dict(d=8, k=3, sizes=(20_000, 2, 300, 60, 10_000, 6))


def law_problem(law, d, k, sizes, seed):
    """θ with W = Σ_x^{-1/2} W₀ (W₀ the default design), its pools under
    ``law`` and a test set (support τ = 8, one query)."""
    th0 = make_params(d, k, rng=seed)
    vals, Q = np.linalg.eigh(covariate_moment(law, d))
    theta = MLRParams((Q / np.sqrt(vals)) @ Q.T @ th0.W, th0.s, th0.p)
    pools = make_pools(theta, *sizes, x_dist=law, rng=seed + 100)
    test = make_tasks(theta, 4000, 9, x_dist=law, rng=seed + 200).split_query()
    return theta, pools, test


def score(model, theta, pools, test):
    """Heavy clustering accuracy and prediction MSE over the oracle's."""
    sup, Xq, yq = test
    oracle = metrics.prediction_mse(task_parameters(sup, theta.W, theta.s ** 2, theta.p,
                                                    "bayes"), Xq, yq)
    acc = metrics.clustering_accuracy(model.heavy_labels_, pools.heavy.components, theta.k)
    return acc, metrics.prediction_mse(model.task_parameters(sup, "bayes"), Xq, yq) / oracle


def fit(learner, pools):
    """Fit; returns (model, warned, seconds)."""
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        learner.fit(pools)
    warned = any(issubclass(w.category, CorruptionWarning) for w in caught)
    return learner, warned, time.perf_counter() - t0


def removals(model):
    """'removed/limit' per screened pool and robust stage."""
    d = model.diagnostics_
    out = [f"{d['screen'][p]['n_removed']}/{d['screen'][p]['limit']}"
           for p in ("light1", "heavy", "light2")]
    out += [f"{d[s]['removed']}/{d[s]['limit']}"
            for s in ("subspace", "clustering", "classification", "regression")]
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="d = 16, k = 3, smaller pools")
    parser.add_argument("--small", action="store_true", help="d = 8, k = 3 (d < 3k)")
    parser.add_argument("--alpha", type=float, default=0.01, help="the robust learner's α")
    parser.add_argument("--csv", default=None, help="also write the rows to this CSV file")
    args = parser.parse_args(argv)
    rows = []
    shape = SMALL if args.small else QUICK if args.quick else FULL
    print("removed/limit: screen L1, H, L2 | subspace, clustering, classification, regression")
    print(f"{'law':<11}{'seed':>4}  {'removed/limit':<62} warn  acc    MSE/or | "
          f"ICML acc  MSE/or  whitened")
    for law in LAWS:
        for seed in range(args.seeds):
            theta, pools, test = law_problem(law, shape["d"], shape["k"], shape["sizes"], seed)
            rob, warned, t_r = fit(MetaLearner.robust(shape["k"], args.alpha, rng=seed), pools)
            icml, warned_i, t_i = fit(MetaLearner.icml(shape["k"], rng=seed), pools)
            acc, ratio = score(rob, theta, pools, test)
            acc_i, ratio_i = score(icml, theta, pools, test)
            L_r = rob.diagnostics_["clustering"].get("L")
            L_i = icml.diagnostics_["clustering"]["L"]
            tail_r = rob.diagnostics_["clustering"].get("split_tail_ratio")
            tail_i = icml.diagnostics_["clustering"].get("split_tail_ratio")
            print(f"{law:<11}{seed:>4}  {' '.join(removals(rob)):<62} {int(warned):>4}  "
                  f"{acc:.3f}  {ratio:.3f} | {acc_i:.3f}    {ratio_i:.3f}   "
                  f"{getattr(icml, 'covariance_', None) is not None}  L {L_r}/{L_i}  ({t_r:.0f} s / {t_i:.0f} s)",
                  flush=True)
            rows.append(dict(law=law, seed=seed, removed_limit=" ".join(removals(rob)),
                             robust_warned=int(warned), robust_accuracy=round(acc, 4),
                             robust_mse_ratio=round(ratio, 4), robust_L=L_r,
                             robust_tail_ratio=None if tail_r is None else round(tail_r, 3),
                             icml_warned=int(warned_i), icml_accuracy=round(acc_i, 4),
                             icml_mse_ratio=round(ratio_i, 4), icml_L=L_i,
                             icml_tail_ratio=None if tail_i is None else round(tail_i, 3),
                             whitened=int(getattr(icml, "covariance_", None) is not None),
                             robust_seconds=round(t_r, 1), icml_seconds=round(t_i, 2)))
    if args.csv:
        with open(args.csv, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
