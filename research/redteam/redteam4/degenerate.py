"""Degenerate tasks: floor(alpha n) tasks of one pool replaced by groups of
identical examples (one finite (x, y) per group, repeated), constant tasks
(every entry of X and y equal to the group's constant), duplicates of clean
tasks of the pool, or entries of magnitude 1e300 (random signs).

    python3 research/redteam/redteam4/degenerate.py ALPHA SEED [default|smallheavy [POOL:KIND:G]]

POOL:KIND:G fits only that case (the same draws as the full run), e.g.
heavy:identical:3.

smallheavy: d = 64, k = 8, light1 60000x2, heavy 20000x4, light2 40000x8 (the
likelihood-EM path of the by-size clustering).
"""
import sys

import numpy as np

from robust_mlr.generator import make_params, make_pools
from rt4common import problem, replace, fit, line, cube

alpha, seed = float(sys.argv[1]), int(sys.argv[2])
which = sys.argv[3] if len(sys.argv) > 3 else "default"
only = sys.argv[4] if len(sys.argv) > 4 else None
if which == "default":
    theta, pools = problem(seed)
else:
    rng0 = np.random.default_rng([seed, 11])
    theta = make_params(64, 8, rng=rng0)
    pools = make_pools(theta, 60_000, 2, 20_000, 4, 40_000, 8, rng=rng0)
rng = np.random.default_rng([seed, 95])
clean, _ = fit(pools, theta, alpha, seed)
print(line(f"clean {which}", clean), flush=True)
d = theta.W.shape[0]
for pool in ("heavy", "light2", "light1"):
    ds = pools[pool]
    n, t = ds.n_tasks, int(ds.sizes[0])
    b = int(np.floor(alpha * n))
    idx = rng.choice(n, b, replace=False)
    group = np.arange(b) % 1                           # placeholder
    for kind in ("identical", "constant", "duplicate", "huge"):
        for g in (1, 3):
            group = rng.integers(0, g, b)
            if kind == "identical":
                x0, y0 = rng.standard_normal((g, d)), rng.standard_normal(g)
                Xc = np.broadcast_to(x0[group][:, None, :], (b, t, d)).copy()
                yc = np.broadcast_to(y0[group][:, None], (b, t)).copy()
            elif kind == "constant":
                c = rng.uniform(-2, 2, g)
                Xc = np.broadcast_to(c[group][:, None, None], (b, t, d)).copy()
                yc = np.broadcast_to(c[group][:, None], (b, t)).copy()
            elif kind == "duplicate":
                X3, Y2 = cube(ds)
                src = rng.choice(np.setdiff1d(np.arange(n), idx), g, replace=False)
                Xc, yc = X3[src[group]], Y2[src[group]]
            else:
                Xc = 1e300 * rng.choice([-1.0, 1.0], (b, t, d))
                yc = 1e300 * rng.choice([-1.0, 1.0], (b, t))
            if only is not None and only != f"{pool}:{kind}:{g}":
                continue
            r, _ = fit(replace(pools, pool, idx, Xc, yc), theta, alpha, seed,
                       clean_time=clean["time"])
            print(line(f"{which} a{alpha} s{seed} {pool} {kind} groups {g}", r), flush=True)
