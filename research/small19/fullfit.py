"""Clean data, the full robust fit (MetaLearner.robust(k, alpha)): how often
a CorruptionWarning is raised and how often the subspace stage removes more
than its limit, over 20 seeds per size (the pools directory of the finding:
light1 n tasks of t = 2, heavy 20 of t = 32, light2 300 of t = 4; seeds as
research/chores19/small_clean_alarm.py). Usage: fullfit.py ALPHA [d k ...]"""
import sys, time, warnings
import numpy as np
from robust_mlr import MetaLearner, make_params, make_pools

alpha = float(sys.argv[1])
cfgs = [(int(a), int(b)) for a, b in zip(sys.argv[2::2], sys.argv[3::2])] or [(4, 2)]
for d, k in cfgs:
    for n1 in (150, 300, 600, 1200, 3000):
        t0, rows = time.time(), []
        for s in range(20):
            theta = make_params(d, k, rng=s)
            pools = make_pools(theta, n1, 2, 20, 32, 300, 4, rng=100 + s)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                m = MetaLearner.robust(k, alpha, rng=s).fit(pools)
            sub = m.diagnostics_["subspace"]
            msgs = [str(w.message) for w in caught if w.category.__name__ == "CorruptionWarning"]
            rows.append((sub["removed"], sub["limit"], bool(msgs),
                         any("subspace" in x for x in msgs)))
        rm = np.array([r[0] for r in rows])
        print(f"alpha={alpha} d={d} k={k} light1={n1}: subspace removed min/med/max "
              f"{rm.min()}/{int(np.median(rm))}/{rm.max()} limit {rows[0][1]}; over "
              f"{int((rm > rows[0][1]).sum())}/20; CorruptionWarning {sum(r[2] for r in rows)}/20 "
              f"(naming subspace {sum(r[3] for r in rows)}/20)  [{time.time() - t0:.0f}s]",
              flush=True)
