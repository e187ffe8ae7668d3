"""Edge placement: floor(alpha n) light-2 tasks of component 0 replaced by tasks
of regression vector w0 + delta*s*u (u orthogonal to W) with noise c*s, plus
optionally floor(alpha n_H) heavy tasks of component 0 with noise variance
(1+h)s^2 (pushes the heavy s^2 interval).  Grid over (delta, c, h); the
adversary reads the regression filter's top_eig_over_edge and the heavy
interval off the fitted learner's diagnostics_ (printed per fit).

    python3 research/redteam/redteam4/edge_placement.py ALPHA SEED [hetero-unused]
"""
import sys

import numpy as np

from rt4common import problem, replace, fit, line

alpha, seed = float(sys.argv[1]), int(sys.argv[2])
theta, pools = problem(seed)
rng = np.random.default_rng([seed, 99])
clean, m0 = fit(pools, theta, alpha, seed)
print(line("clean", clean), flush=True)
ct = clean["time"]
W, s = theta.W, theta.s
d, k = W.shape
Q, _ = np.linalg.qr(np.column_stack([W, rng.standard_normal(d)]))
u = Q[:, k]                                          # unit, orthogonal to span W
L2, H = pools.light2, pools.heavy
b2, bH = int(np.floor(alpha * L2.n_tasks)), int(np.floor(alpha * H.n_tasks))
idx2 = rng.choice(np.flatnonzero(L2.components == 0), b2, replace=False)
idxH = rng.choice(np.flatnonzero(H.components == 0), bH, replace=False)
t2, tH = int(L2.sizes[0]), int(H.sizes[0])
grid = [(dl, c, h) for dl in (0.4, 0.7, 1.0, 1.4) for c in (0.0, 0.7, 1.3) for h in (0.0,)]
grid += [(dl, c, h) for dl in (0.7, 1.0) for c in (1.3, 1.8) for h in (0.15, 0.3)]
for dl, c, h in grid:
    Xc = rng.standard_normal((b2, t2, d))
    yc = Xc @ (W[:, 0] + dl * s[0] * u) + c * s[0] * rng.standard_normal((b2, t2))
    P = replace(pools, "light2", idx2, Xc, yc)
    if h > 0:
        XH = rng.standard_normal((bH, tH, d))
        yH = XH @ W[:, 0] + np.sqrt(1 + h) * s[0] * rng.standard_normal((bH, tH))
        P = replace(P, "heavy", idxH, XH, yH)
    r, m = fit(P, theta, alpha, seed, clean_time=ct)
    extra = ""
    if m is not None:
        reg = m.diagnostics_["regression"]
        comp = [round(c_["top_eig_over_edge"], 3) for c_ in reg["components"]]
        rem = [c_["removed"] for c_ in reg["components"]]
        nc = reg.get("noise_check", {})
        extra = (f" | eig/edge {comp} removed {rem} heavy_centre "
                 f"{np.round(nc.get('heavy_centre', []), 3)} half {np.round(nc.get('heavy_half_width', []), 3)}")
    print(line(f"a{alpha} s{seed} delta {dl} c {c} h {h}", r) + extra, flush=True)
