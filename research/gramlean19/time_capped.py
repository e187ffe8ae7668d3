"""Time of capped_grams alone on the default problem's light-2 pool (and on
light sizes 2..64), 1 thread, best and median of 20 calls. Run from a
worktree with PYTHONPATH set to it."""
import time
import numpy as np
from experiments.adaptive import PROBLEM, make_problem
from robust_mlr.stages.regression._pooled import capped_grams

for name, prob in [("default", PROBLEM), ("hetero", dict(PROBLEM, sizes="hetero"))]:
    light = make_problem(prob, np.random.default_rng([0, 11]))[1].light2
    labels = np.random.default_rng(1).integers(-1, 4, light.n_tasks)
    times = []
    for _ in range(20):
        t0 = time.perf_counter(); capped_grams(light, labels, 4, 0.05)
        times.append(time.perf_counter() - t0)
    print(f"{name} rows {light.n_examples}: best {min(times)*1e3:.1f} ms median {np.median(times)*1e3:.1f} ms", flush=True)
