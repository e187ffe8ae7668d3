"""Clean light-1 pools (t = 2): the subspace filter's removals over the
limit when its stopping level is L (c = L / (α log 1/α)), α = 0.05, 20
seeds. Usage: level_sweep.py d k n L..."""
import sys
import numpy as np
from robust_mlr import make_params, make_tasks, estimate_subspace
from robust_mlr.threat import excess_limit

alpha = 0.05
d, k, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
lim = excess_limit(alpha, n)
pools = [(make_params(d, k, rng=s), s) for s in range(20)]
data = [make_tasks(th, n, 2, rng=100 + s) for th, s in pools]
for L in [float(a) for a in sys.argv[4:]]:
    c = L / (alpha * np.log(1 / alpha))
    rm = np.array([int((~estimate_subspace(D, k, "filter", alpha=alpha, rng=s, c=c).kept).sum())
                   for D, (_, s) in zip(data, pools)])
    print(f"d={d} k={k} n={n} level {L:.2f}: limit {lim} removed med {int(np.median(rm))} max "
          f"{rm.max()} over {int((rm > lim).sum())}/20", flush=True)
