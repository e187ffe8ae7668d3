"""Timing of heavy identical-example groups (the slow fits of degenerate.py):
floor(alpha n_H) heavy tasks replaced by G groups of tasks whose examples are
all one finite (x, y); fit timed against the clean fit of the same seed.

    python3 research/redteam/redteam4/slow_heavy.py ALPHA SEED G [G ...]
    python3 research/redteam/redteam4/slow_heavy.py ALPHA SEED smallheavy G [G ...]

smallheavy: the problem of degenerate.py (d = 64, k = 8, heavy 20000x4).
"""
import sys

import numpy as np

from rt4common import problem, replace, fit, line

alpha, seed = float(sys.argv[1]), int(sys.argv[2])
args = sys.argv[3:]
if args[0] == "smallheavy":
    from robust_mlr.generator import make_params, make_pools
    rng0 = np.random.default_rng([seed, 11])
    theta = make_params(64, 8, rng=rng0)
    pools = make_pools(theta, 60_000, 2, 20_000, 4, 40_000, 8, rng=rng0)
    args = args[1:]
else:
    theta, pools = problem(seed)
clean, _ = fit(pools, theta, alpha, seed)
print(line(f"clean s{seed}", clean), flush=True)
d = theta.W.shape[0]
H = pools.heavy
n, t = H.n_tasks, int(H.sizes[0])
b = int(np.floor(alpha * n))
for g in map(int, args):
    rng = np.random.default_rng([seed, 94, g])
    idx = rng.choice(n, b, replace=False)
    group = np.arange(b) % g
    x0, y0 = rng.standard_normal((g, d)), rng.standard_normal(g)
    Xc = np.broadcast_to(x0[group][:, None, :], (b, t, d)).copy()
    yc = np.broadcast_to(y0[group][:, None], (b, t)).copy()
    r, _ = fit(replace(pools, "heavy", idx, Xc, yc), theta, alpha, seed, clean_time=clean["time"])
    print(line(f"a{alpha} s{seed} heavy identical, {g} groups", r), flush=True)
