"""Groups of near-copies: the slow_heavy.py attack (floor(alpha n_H) heavy tasks in
G groups of one repeated example, default problem) with every example moved by
J times a standard normal, so the tasks are neither noise-free nor copies; prints
the fit time and the clustering diagnostics.

    python3 research/degenerate_tasks/jittered_copies.py ALPHA SEED G J
"""
import sys
import time
import warnings

import numpy as np

from rt4common import problem, replace
from robust_mlr import MetaLearner

alpha, seed, g, jitter = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
theta, pools = problem(seed)
d = theta.W.shape[0]
H = pools.heavy
n, t = H.n_tasks, int(H.sizes[0])
b = int(np.floor(alpha * n))
rng = np.random.default_rng([seed, 94, g])
idx = rng.choice(n, b, replace=False)
group = np.arange(b) % g
x0, y0 = rng.standard_normal((g, d)), rng.standard_normal(g)
Xc = np.broadcast_to(x0[group][:, None, :], (b, t, d)).copy()
yc = np.broadcast_to(y0[group][:, None], (b, t)).copy()
Xc += jitter * rng.standard_normal(Xc.shape)
yc += jitter * rng.standard_normal(yc.shape)
bad = replace(pools, "heavy", idx, Xc, yc)
t0 = time.perf_counter()
with warnings.catch_warnings(record=True) as ws:
    warnings.simplefilter("always")
    m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(bad)
print(f"a{alpha} s{seed} G {g} jitter {jitter}: fit {time.perf_counter() - t0:.1f} s")
for w in ws:
    print(" ", w.category.__name__, str(w.message)[:160])
c = m.diagnostics_["clustering"]
print("  far_tasks", c.get("far_tasks"), "solver", {k: c["solver"][k] for k in
      ("status", "outer_iterations", "inner_iterations")})
