"""Why the regression filter's reference is not held to the decoupled moment.

For each light-2 component of a fitted robust learner: the largest
eigenvalue of D^{-1/2} M D^{-1/2}, M = mean r_j² x_j x_jᵀ (the filter's
per-example moment) and D = mean r_j² · mean x_j x_jᵀ (the moment if
residuals were independent of the covariates), over the tasks classified to
the component, at its final ŵ. A lever-shift attack raises it (one example
per task with a large residual at a large leverage), but so do clean data
whose covariate law has heavy directional tails while the classification
misfits some tasks (Chebyshev features): no cap separates the two.

    PYTHONPATH=$PWD:benchmarks:experiments:research/redteam/redteam7 OMP_NUM_THREADS=1 \
        python3 research/dependence/probe_law.py laws|sine|smallheavy ALPHA [JSON ...]
"""
import json
import sys
import warnings

import numpy as np

from robust_mlr import MetaLearner, make_pools
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.regression import FilterRegression


def dependence(model, data):
    """Per component: the largest eigenvalue of D^{-1/2} M D^{-1/2}."""
    rows_of = np.repeat(model.light_labels_, data.sizes)
    out = []
    for c in range(model.k):
        X, y = data.X[rows_of == c], data.y[rows_of == c]
        if y.size <= data.dim:                   # a component no light task supports
            out.append(float("nan"))
            continue
        r = y - X @ model.W_[:, c]
        M = (X * (r * r)[:, None]).T @ X / r.size
        D = np.mean(r * r) * (X.T @ X / r.size)
        L = np.linalg.cholesky(D)
        B = np.linalg.solve(L, np.linalg.solve(L, M).T)
        out.append(float(np.linalg.eigvalsh((B + B.T) / 2)[-1]))
    return np.round(out, 2).tolist()


def report(label, model, data, theta):
    w = parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"]
    print(label, "w", round(float(w), 3), "dependence", dependence(model, data), flush=True)


def fit(learner, pools):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return learner.fit(pools)


if __name__ == "__main__":
    case = sys.argv[1]
    if case == "laws":
        from bench_covariate_laws import FULL, LAWS, law_problem
        for law in LAWS:
            for seed in range(3):
                theta, pools, _ = law_problem(law, seed=seed, **FULL)
                m = fit(MetaLearner.robust(4, 0.01, rng=seed, regression=FilterRegression(example_clip=None)), pools)
                report(f"{law} {seed}", m, pools.light2, theta)
    elif case == "sine":
        from sine_wave import sine_params
        for seed in range(3):
            theta = sine_params(8, 16, 0.5)
            pools = make_pools(theta, 8192, 8, 128, 16, 8192, 4, x_dist="polynomial", rng=seed)
            m = fit(MetaLearner.robust(8, 0.02, covariates="estimate", rng=seed,
                                       regression=FilterRegression(example_clip=None)), pools)
            report(f"sine {seed}", m, pools.light2, theta)
    else:                                   # the small-heavy problem, clean and attacked
        from robust_mlr.adversary import attack_settings, corrupt_pools
        from robust_mlr.adversary.redteam import strategy_attack
        from run import build_problem
        alpha = float(sys.argv[2])
        theta, pools = build_problem("smallheavy", "fixed", 1)

        def learner():
            return MetaLearner.robust(8, alpha, rng=1, clustering="moments_robust",
                                      regression=FilterRegression(example_clip=None))
        clean = fit(learner(), pools)
        report(f"smallheavy clean a{alpha}", clean, pools.light2, theta)
        for js in sys.argv[3:]:
            strat = {p: tuple(v) for p, v in json.loads(js).items()}
            bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta,
                                settings=attack_settings(clean, alpha),
                                rng=np.random.default_rng([1, 1]))
            report(f"attack a{alpha}", fit(learner(), bad), bad.light2, theta)
