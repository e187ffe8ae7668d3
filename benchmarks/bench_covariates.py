"""Learners on Fourier features of a uniform input, clean and attacked.

Problem (docs/data.md, "Check: Fourier features"): d = 8, k = 2,
``x_dist="fourier"``, W = Σ_x^{-1/2} W₀ with W₀ the default orthonormal
design, s = 1/√2, p uniform; pools n_L1 = 20 000 (t = 2), n_H = 200
(t = 80), n_L2 = 10 000 (t = 4); 5 000 test tasks with 4 support examples
and one query. The oracle is per-component least squares with the true
labels on L2 and the same Bayes posterior. Printed per learner and seed:
heavy clustering accuracy (tasks set aside count as errors) and prediction
MSE / oracle; then the robust learner (α = 0.05) under two catalogue
attacks, with and without whitening; then the ICML learner, isotropic and
whitened, on the same problem with the correlated Gaussian, Chebyshev
(``polynomial``) and Gaussian covariate laws.

    OMP_NUM_THREADS=1 python3 benchmarks/bench_covariates.py [--no-attacks]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np

from robust_mlr import MetaLearner, MLRParams, make_params, make_pools, make_tasks, metrics
from robust_mlr.adversary import corrupt_pools
from robust_mlr.generator import covariate_moment
from robust_mlr.stages.prediction import task_parameters
from robust_mlr.stages.regression import refine


def problem(seed, law="fourier"):
    """(theta, pools, test, oracle MSE) of the problem with covariate ``law``
    (W = Σ_x^{-1/2} W₀: whitened, the default difficulty)."""
    th0 = make_params(8, 2, rng=seed)
    vals, Q = np.linalg.eigh(covariate_moment(law, 8))
    theta = MLRParams((Q / np.sqrt(vals)) @ Q.T @ th0.W, th0.s, th0.p)
    pools = make_pools(theta, 20_000, 2, 200, 80, 10_000, 4, x_dist=law, rng=seed + 1)
    sup, Xq, yq = make_tasks(theta, 5000, 5, x_dist=law, rng=seed + 2).split_query()
    W, s2, p = refine(pools.light2, pools.light2.components, 2)
    oracle = metrics.prediction_mse(task_parameters(sup, W, s2, p), Xq, yq)
    return theta, pools, (sup, Xq, yq), oracle


def score(model, clean_heavy, test, oracle):
    """Heavy accuracy over the clean heavy tasks and MSE / oracle."""
    sup, Xq, yq = test
    z = clean_heavy.components
    keep = z >= 0
    acc = metrics.clustering_accuracy(model.heavy_labels_[keep], z[keep], 2)
    return acc, metrics.prediction_mse(model.task_parameters(sup), Xq, yq) / oracle


def other_laws():
    print("\nICML learner | law | covariates | accuracy seed 0 / 10 | MSE/oracle")
    for law in ("correlated", "polynomial", "gaussian"):
        for cov in ("isotropic", "estimate"):
            out = []
            for seed in (0, 10):
                theta, pools, test, oracle = problem(seed, law)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model = MetaLearner(2, rng=3, covariates=cov).fit(pools)
                out.append(score(model, pools.heavy, test, oracle))
            print(f"{law} | {cov} | {out[0][0]:.3f} / {out[1][0]:.3f} | "
                  f"{out[0][1]:.3f} / {out[1][1]:.3f}", flush=True)


def main(attacks=True, laws=True):
    learners = [("MetaLearner(2, covariates='isotropic')", lambda c: MetaLearner(2, rng=3, covariates=c), "isotropic"),
                ("MetaLearner(2, covariates='estimate')",
                 lambda c: MetaLearner(2, rng=3, covariates=c), "estimate"),
                ("MetaLearner.robust(2, 0.02, covariates='isotropic')",
                 lambda c: MetaLearner.robust(2, 0.02, rng=3, covariates=c), "isotropic"),
                ("MetaLearner.robust(2, 0.02, covariates='estimate')",
                 lambda c: MetaLearner.robust(2, 0.02, rng=3, covariates=c), "estimate")]
    print("learner | seed | heavy accuracy | MSE / oracle")
    for seed in (0, 10):
        theta, pools, test, oracle = problem(seed)
        for name, make, cov in learners:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = make(cov).fit(pools)
            acc, ratio = score(model, pools.heavy, test, oracle)
            print(f"{name} | {seed} | {acc:.3f} | {ratio:.3f}", flush=True)
    if laws:
        other_laws()
    if not attacks:
        return
    print("\nattack (alpha = 0.05 per pool) | covariates | accuracy seed 0 / 10 | MSE/oracle")
    for attack in ("subspace_spike", "fake_cluster"):
        for cov in ("isotropic", "estimate"):
            out = []
            for seed in (0, 10):
                theta, pools, test, oracle = problem(seed)
                bad = corrupt_pools(pools, attack, 0.05, theta=theta, rng=seed + 5)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model = MetaLearner.robust(2, 0.05, rng=3, covariates=cov).fit(bad)
                out.append(score(model, bad.heavy, test, oracle))
            print(f"{attack} | {cov} | {out[0][0]:.3f} / {out[1][0]:.3f} | "
                  f"{out[0][1]:.3f} / {out[1][1]:.3f}", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-attacks", action="store_true", help="no attacked rows")
    ap.add_argument("--no-laws", action="store_true", help="no other covariate laws")
    args = ap.parse_args()
    main(attacks=not args.no_attacks, laws=not args.no_laws)
