"""Robust learner on the bench_covariate_laws problems, clean or attacked:
subspace removed/limit, CorruptionWarning, subspace error.

    [RMLR_OLD=1] python3 eval_fit.py SHAPE LAWS ATTACK ALPHA SEEDS

RMLR_OLD=1: COVARIATE_MARGIN = inf, which switches the covariate scale off
(the old filter exactly).
"""
import sys, warnings, time
import numpy as np
sys.path.insert(0, "benchmarks")
from bench_covariate_laws import law_problem, QUICK, SMALL, FULL
from robust_mlr import MetaLearner, CorruptionWarning, metrics
from robust_mlr.adversary import corrupt_pools
from robust_mlr.stages.subspace import robust_pca

import os
if os.environ.get("RMLR_OLD"):
    robust_pca.COVARIATE_MARGIN = float("inf")
TAG = "old" if os.environ.get("RMLR_OLD") else "new"
SHAPES = dict(quick=QUICK, small=SMALL, full=FULL)
shape, laws, attack, alpha, seeds = sys.argv[1], sys.argv[2].split(","), sys.argv[3], \
    float(sys.argv[4]), int(sys.argv[5])
sh = SHAPES[shape]
for law in laws:
    for seed in range(seeds):
        theta, pools, test = law_problem(law, sh["d"], sh["k"], sh["sizes"], seed)
        if attack != "none":
            pools = corrupt_pools(pools, attack, alpha, theta=theta, rng=seed + 7)
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = MetaLearner.robust(sh["k"], alpha, rng=seed).fit(pools)
        warned = any(issubclass(w.category, CorruptionWarning) for w in caught)
        d = model.diagnostics_["subspace"]
        err = metrics.subspace_error(model.U_, theta)
        print(f"{TAG} {shape} {law:<10} {attack:<16} {alpha:<5} s{seed} "
              f"sub {d['removed']}/{d['limit']} passed={d.get('passed')} warn={int(warned)} "
              f"err={err:.4f} ({time.perf_counter() - t0:.1f} s)", flush=True)
