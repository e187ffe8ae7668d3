"""Black-box duplicates: floor(alpha n) light-2 tasks replaced by copies of G
clean light-2 tasks (drawn at random, R draws).  Every copy has the same
gradient, so the copies add no spread to the regression filter's covariance.

    python3 research/redteam/redteam4/duplicate.py ALPHA SEED G R
"""
import sys

import numpy as np

from rt4common import problem, replace, fit, line, cube

alpha, seed, g, reps = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
theta, pools = problem(seed)
clean, _ = fit(pools, theta, alpha, seed)
print(line(f"clean s{seed}", clean), flush=True)
L2 = pools.light2
n = L2.n_tasks
b = int(np.floor(alpha * n))
X3, Y2 = cube(L2)
for rep in range(reps):
    rng = np.random.default_rng([seed, 93, g, rep])
    idx = rng.choice(n, b, replace=False)
    src = rng.choice(np.setdiff1d(np.arange(n), idx), g, replace=False)
    group = np.arange(b) % g
    r, _ = fit(replace(pools, "light2", idx, X3[src[group]], Y2[src[group]]), theta, alpha, seed,
               clean_time=clean["time"])
    print(line(f"a{alpha} s{seed} light2 duplicates of {g} task(s), draw {rep} "
               f"(source comps {L2.components[src].tolist()})", r), flush=True)
