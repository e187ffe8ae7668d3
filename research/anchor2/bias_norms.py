"""Mahalanobis norms of the two misclassification-bias estimates (on the
pool's responses, on responses drawn from the fitted model) for every
component of a clean fit, also those whose T is under q.

    PYTHONPATH=$PWD python3 research/anchor2/bias_norms.py SIZES SEEDS
"""
import sys
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.stages.regression import _pooled

original = _pooled.pool_estimates


def wrapped(W_light, light_gram, light_kappa, W_heavy, heavy_gram, s2_heavy, unsupported=(),
            bias=None):
    W, info = original(W_light, light_gram, light_kappa, W_heavy, heavy_gram, s2_heavy,
                       unsupported, bias)
    k = W.shape[1]
    comps = [c for c in range(k) if c not in unsupported]
    norms = []
    for B in bias(comps):
        row = []
        for c in comps:
            S = s2_heavy[c] * (light_kappa[c] * np.linalg.inv(light_gram[c])
                               + np.linalg.inv(heavy_gram[c]))
            row.append(round(float(np.sqrt(B[:, c] @ np.linalg.solve(S, B[:, c]))), 2))
        norms.append(row)
    print("  T", np.round(info["statistic"], 1).tolist(), "data", norms[0], "model", norms[1])
    return W, info


_pooled.pool_estimates = wrapped
sizes, seeds = sys.argv[1], [int(s) for s in sys.argv[2].split(",")]
for seed in seeds:
    theta, pools = make_problem(dict(PROBLEM, sizes=sizes), np.random.default_rng([seed, 11]))
    print(sizes, "seed", seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
