"""The first round's normal equations a reclassified pool takes from the last
first round (the relabelled tasks' rows moved) against fresh sums: equal up
to rounding (relative differences printed; gsum is a sum of gradients near
zero at a least-squares fit)."""
import numpy as np
from robust_mlr import make_params, make_pools
from robust_mlr._segments import residual_memo
from robust_mlr.stages.regression._passes import first_round
theta = make_params(12, 3, rng=0)
pools = make_pools(theta, 200, 2, 40, 32, 5000, np.random.default_rng(0).integers(2, 30, 5000), rng=1)
L = pools.light2
rng = np.random.default_rng(2)
lab1 = L.components.copy(); lab1[rng.random(L.n_tasks) < 0.05] = -1
lab2 = lab1.copy(); ch = rng.random(L.n_tasks) < 0.1; lab2[ch] = rng.integers(-1, 3, ch.sum())
for t_cap in (8.0, 100.0):
    fresh = first_round(L, lab2, 3, t_cap, statistics=True)
    with residual_memo(L):
        first_round(L, lab1, 3, t_cap, statistics=True)
        mem = first_round(L, lab2, 3, t_cap, statistics=True)
    for i, name in ((0, "W"), (2, "gsum"), (3, "gmom"), (4, "rss")):
        a, b = fresh[i], mem[i]
        print(t_cap, name, np.max(np.abs(a - b)) / np.max(np.abs(a)))
    print(t_cap, "grams", np.max(np.abs(fresh[5]["grams"] - mem[5]["grams"])) / np.abs(fresh[5]["grams"]).max())
