"""Noise-level edge: floor(alpha n) light-2 tasks of component 0 replaced by
tasks of the true w0 with noise c*s0 (c = 0: noise-free), and floor(alpha n_H)
heavy tasks (of component 0) by tasks of w0 with noise variance (1+h)s0^2,
pushing the heavy median and the light estimate to the same side of the heavy
interval (read off diagnostics_['regression']['noise_check']).

    python3 research/redteam/redteam4/s2_edge.py ALPHA SEED
"""
import sys

import numpy as np

from rt4common import problem, replace, fit, line

alpha, seed = float(sys.argv[1]), int(sys.argv[2])
theta, pools = problem(seed)
rng = np.random.default_rng([seed, 96])
clean, _ = fit(pools, theta, alpha, seed)
print(line("clean", clean), flush=True)
W, s = theta.W, theta.s
d, k = W.shape
L2, H = pools.light2, pools.heavy
b2, bH = int(np.floor(alpha * L2.n_tasks)), int(np.floor(alpha * H.n_tasks))
t2, tH = int(L2.sizes[0]), int(H.sizes[0])
idx2 = rng.choice(np.flatnonzero(L2.components == 0), b2, replace=False)
for c, h, src in [(0.0, -1.0, 0), (1.6, 0.6, 0), (2.2, 2.0, 0), (1.6, 0.6, 1), (0.0, -1.0, 1),
                  (1.6, 0.35, 0), (0.3, -0.7, 0)]:
    # src 0: heavy tasks of component 0 replaced; 1: of other components
    pick = np.flatnonzero(H.components == 0) if src == 0 else np.flatnonzero(H.components != 0)
    idxH = rng.choice(pick, bH, replace=False)
    Xc = rng.standard_normal((b2, t2, d))
    yc = Xc @ W[:, 0] + c * s[0] * rng.standard_normal((b2, t2))
    XH = rng.standard_normal((bH, tH, d))
    yH = XH @ W[:, 0] + np.sqrt(max(1 + h, 0)) * s[0] * rng.standard_normal((bH, tH))
    P = replace(replace(pools, "light2", idx2, Xc, yc), "heavy", idxH, XH, yH)
    r, m = fit(P, theta, alpha, seed, clean_time=clean["time"])
    nc = m.diagnostics_["regression"]["noise_check"] if m is not None else {}
    print(line(f"a{alpha} s{seed} c {c} h {h} heavy-from-{'own' if src == 0 else 'others'}", r)
          + f" | centre {np.round(nc.get('heavy_centre', []), 3)} half "
            f"{np.round(nc.get('heavy_half_width', []), 3)} light {np.round(nc.get('s2_light', []), 3)}",
          flush=True)
