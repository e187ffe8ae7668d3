"""How many of the wide basis's extra heavy directions pass the moment
estimator's null test (null_level 1.3) on the default problem, clean and
under the catalogue's subspace attacks (robust learner's own subspace U;
problem seeds 0-2). Run from the repository root:

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/widebasis17/default_dims.py
"""
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.adversary import corrupt_pools
from robust_mlr.stages.clustering.basis import heavy_basis

for attack in ("none", "subspace_spike", "variance_hiding"):
    for seed in range(3):
        theta, pools = make_problem(dict(PROBLEM, sizes="fixed"), np.random.default_rng([seed, 11]))
        if attack != "none":
            pools = corrupt_pools(pools, attack, 0.05, theta=theta, rng=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = MetaLearner.robust(4, 0.05, rng=seed).fit(pools)
        U = model.U_
        wide = heavy_basis(pools.heavy, U, 4, 0.05)
        null = heavy_basis(pools.heavy, U, 4, 0.05, null_level=1.3, rng=np.random.default_rng(7))
        print(f"{attack:16s} seed {seed}: wide basis {wide.shape[1]} dims, with the null test "
              f"{null.shape[1]}")
