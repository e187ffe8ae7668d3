"""CPU time (process_time, 1 thread) of the default robust fit (fixed sizes,
problem seed 0: the trimmed ratio is computed for all four components) on the
code first on PYTHONPATH, REPS fits after one warm-up, and of trimmed_bias's
passes (top_tasks) alone where it exists.

    PYTHONPATH=<worktree> OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/gramdir19/timing.py REPS
"""
import sys
import time
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
theta, pools = make_problem(dict(PROBLEM, sizes="fixed"), np.random.default_rng([0, 11]))
ts = []
for i in range(reps + 1):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.process_time()
        MetaLearner.robust(theta.k, 0.05, rng=0).fit(pools)
        ts.append(time.process_time() - t0)
ts = np.array(ts[1:])
print(f"fit cpu: median {np.median(ts):.3f}s min {ts.min():.3f}s  ({np.round(ts, 3).tolist()})")
try:
    from robust_mlr.stages.regression._pull_trim import top_tasks
except ImportError:
    sys.exit()
light = pools.light2 if hasattr(pools, "light2") else pools["light2"]
lab = light.components
u = np.ones(light.dim) / np.sqrt(light.dim)
t0 = time.process_time()
for _ in range(10):
    for c in range(theta.k):
        top_tasks(light, lab, c, u, 1000, 40.0)
print(f"top_tasks cpu: {(time.process_time() - t0) / 10 * 1000:.1f} ms per fit (4 components; "
      f"{light.n_tasks} tasks, {int(light.sizes.sum())} rows)")
