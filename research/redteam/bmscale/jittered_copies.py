"""Timing of jittered copies in the heavy pool: floor(alpha n_H) heavy tasks
replaced by copies of G tasks, every example (x and y) moved by N(0, eps²)
per coordinate. ``tasks``: copies of G clean heavy tasks; ``identical``: G
groups of tasks whose examples are all one finite (x, y) (as slow_heavy.py
of the fourth red team), jittered. Neither kind is noise-free nor an exact
copy, so neither is set aside as degenerate.

    python3 research/redteam/bmscale/jittered_copies.py ALPHA SEED EPS KIND G [G ...]
"""
import sys

import numpy as np

sys.path.insert(0, "research/redteam/redteam4")
from rt4common import cube, fit, line, problem, replace  # noqa: E402

alpha, seed, eps, kind = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
theta, pools = problem(seed)
fit(pools, theta, alpha, seed)                      # warm-up (imports, caches)
clean, _ = fit(pools, theta, alpha, seed)
print(line(f"clean s{seed}", clean), flush=True)
X3, Y2 = cube(pools.heavy)
n, t, d = X3.shape
b = int(np.floor(alpha * n))
for g in map(int, sys.argv[5:]):
    rng = np.random.default_rng([seed, 95, g])
    idx = rng.choice(n, b, replace=False)
    group = np.arange(b) % g
    if kind == "tasks":
        src = rng.choice(np.setdiff1d(np.arange(n), idx), g, replace=False)
        Xc, yc = X3[src[group]], Y2[src[group]]
    else:
        x0, y0 = rng.standard_normal((g, d)), rng.standard_normal(g)
        Xc = np.broadcast_to(x0[group][:, None, :], (b, t, d))
        yc = np.broadcast_to(y0[group][:, None], (b, t))
    Xc = Xc + eps * rng.standard_normal(Xc.shape)
    yc = yc + eps * rng.standard_normal(yc.shape)
    r, m = fit(replace(pools, "heavy", idx, Xc, yc), theta, alpha, seed,
               clean_time=clean["time"])
    s = m.diagnostics_["clustering"]["solver"] if m is not None else {}
    far = m.diagnostics_["clustering"].get("far_tasks") if m is not None else None
    print(line(f"a{alpha} s{seed} {kind} jittered {eps:g}, {g} groups", r),
          s.get("status"), s.get("inner_iterations"), "set aside", far, flush=True)
