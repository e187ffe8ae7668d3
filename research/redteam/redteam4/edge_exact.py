"""Edge placement, exact form: floor(alpha n) light-2 tasks of component 0
replaced by noise-free tasks y = X(w0 + delta*s*u) whose designs have u as an
exact eigenvector of X^T X (eigenvalue t), so every corrupted task's gradient
at the fit is the same vector along u: no spread for the regression filter's
top-eigenvalue test, only the between-group term.  Grid over delta; prints the
filter's top_eig_over_edge read off diagnostics_.

    python3 research/redteam/redteam4/edge_exact.py ALPHA SEED [DELTA,DELTA,...]
"""
import sys

import numpy as np

from rt4common import problem, replace, fit, line

alpha, seed = float(sys.argv[1]), int(sys.argv[2])
theta, pools = problem(seed)
rng = np.random.default_rng([seed, 98])
clean, _ = fit(pools, theta, alpha, seed)
print(line("clean", clean), flush=True)
W, s = theta.W, theta.s
d, k = W.shape
Q, _ = np.linalg.qr(np.column_stack([W, rng.standard_normal(d)]))
u = Q[:, k]
L2 = pools.light2
b2, t2 = int(np.floor(alpha * L2.n_tasks)), int(L2.sizes[0])
idx2 = rng.choice(np.flatnonzero(L2.components == 0), b2, replace=False)
deltas = tuple(map(float, sys.argv[3].split(","))) if len(sys.argv) > 3 else \
    (0.3, 0.5, 0.7, 0.9, 1.1, 1.4, 1.8) if alpha >= 0.05 else (0.5, 0.9, 1.4, 1.8, 2.4, 3.0)
for dl in deltas:
    G = rng.standard_normal((b2, t2, d))
    G = G - (G @ u)[..., None] * u                       # rows orthogonal to u
    a = rng.standard_normal((b2, t2))
    a *= np.sqrt(t2) / np.linalg.norm(a, axis=1, keepdims=True)   # ||a|| = sqrt(t)
    an = a / np.sqrt(t2)
    G = G - an[..., None] * np.einsum("nt,ntd->nd", an, G)[:, None, :]  # columns of G ⟂ a
    Xc = G + a[..., None] * u                            # X^T X u = t u exactly
    yc = Xc @ (W[:, 0] + dl * s[0] * u)
    r, m = fit(replace(pools, "light2", idx2, Xc, yc), theta, alpha, seed,
               clean_time=clean["time"])
    extra = ""
    if m is not None:
        reg = m.diagnostics_["regression"]
        extra = (f" | eig/edge {[round(c['top_eig_over_edge'], 3) for c in reg['components']]}"
                 f" removed {[c['removed'] for c in reg['components']]}")
    print(line(f"a{alpha} s{seed} exact delta {dl}", r) + extra, flush=True)
