"""Clean fits: which regression-stage test fails. Prints per seed the
warning messages and the regression info keys that look like test results.
Usage: probe.py d k n1 n_heavy [seeds]"""
import sys, warnings, json
import numpy as np
from robust_mlr import MetaLearner, make_params, make_pools

d, k, n1, nh = map(int, sys.argv[1:5])
seeds = range(int(sys.argv[5]) if len(sys.argv) > 5 else 20)
nw = 0
for s in seeds:
    theta = make_params(d, k, rng=s)
    pools = make_pools(theta, n1, 2, nh, 32, 300, 4, rng=100 + s)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = MetaLearner.robust(k, 0.05, rng=s).fit(pools)
    msgs = [str(w.message) for w in caught if w.category.__name__ == "CorruptionWarning"]
    nw += bool(msgs)
    print(f"seed {s}: warned={bool(msgs)}")
    for x in msgs:
        print("   ", x[:600])
print(f"d={d} k={k} n1={n1} heavy={nh}: warned {nw}/{len(seeds)}")
