"""Wall time of clean robust fits (default problem, seed 0, α = 0.05).

    PYTHONPATH=<tree> python3 research/anchor2/timing.py SIZES REPEATS
"""
import sys
import time
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner

sizes, repeats = sys.argv[1], int(sys.argv[2])
theta, pools = make_problem(dict(PROBLEM, sizes=sizes), np.random.default_rng([0, 11]))
times = []
for _ in range(repeats):
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MetaLearner.robust(theta.k, 0.05, rng=0).fit(pools)
    times.append(time.perf_counter() - t0)
print(sizes, "min %.2f median %.2f s" % (min(times), float(np.median(times))))
