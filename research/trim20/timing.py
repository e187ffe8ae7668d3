"""Cost of the second trim's task ranking: top_tasks along the top 1 (the rule
before) vs the top 4 eigenvectors (this branch), on the default problem's
light pool (equal sizes, seed 0), all tasks labelled one component.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/trim20/timing.py
"""
import time

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr.stages.regression._pull_trim import capped_grams, top_directions, top_tasks

theta, pools = make_problem(dict(PROBLEM, sizes="fixed"), np.random.default_rng([0, 11]))
light = pools.light2
labels = np.zeros(light.n_tasks, int)
gram, tau = capped_grams(light, labels, 1, 0.05)
n_top = int(0.05 * light.n_tasks)
for r in (1, 4, 1, 4):
    U = top_directions(gram[0], r)
    t0 = time.perf_counter()
    for _ in range(5):
        top_tasks(light, labels, 0, U[:, 0] if r == 1 else U, n_top, tau)
    print(f"r {r}: {(time.perf_counter() - t0) / 5 * 1e3:.1f} ms per top_tasks "
          f"({light.n_tasks} tasks, {int(light.sizes.sum())} rows)", flush=True)
