"""The filter alone under the ``leverage`` attack on light tasks of several
size laws (d 16, 4 000 tasks, α = 0.05), 40 seeds: how often its test
fails with the budget spent, clean tasks removed, W error.

    PYTHONPATH=<tree> OMP_NUM_THREADS=1 python3 research/review13/filter_leverage_seeds.py
"""
import sys

import numpy as np

sys.path.insert(0, "research/review13")
from filter_fixed_fit import one  # noqa: E402

for size in ("t2", "t8", "2|128", "U2-64"):
    for attack in ("leverage", "gradient_aligned"):
        R = [one(size, "gaussian", attack, seed) for seed in range(40)]
        cl, bd, nb, it, ok, err, s2 = map(np.array, zip(*R))
        print(f"{size:6s} {attack:16s} failed {int((~ok).sum()):2d}/40 clean_removed mean {cl.mean():5.1f} "
              f"median {np.median(cl):4.1f} >20: {int((cl > 20).sum()):2d} rounds {it.mean():.1f} "
              f"w_err mean {err.mean():.4f} max {err.max():.4f} s2 {s2.mean():.4f}", flush=True)
