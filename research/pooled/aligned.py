"""Both pools attacked along one direction: floor(alpha n_H) heavy tasks of
component 0 replaced by clean-looking tasks at w0 + dh*s*u (Gaussian designs
and noise), and floor(alpha n_L2) light-2 tasks of component 0 by the exact
edge placement of research/redteam/redteam4/edge_exact.py at w0 + dl*s*u.
Prints the error and the anchor's record per (dh, dl).

    PYTHONPATH=$PWD:research/redteam/redteam4 python3 research/pooled/aligned.py ALPHA SEED DH,.. DL,..
"""
import sys

import numpy as np

from rt4common import problem, replace, fit, line

alpha, seed = float(sys.argv[1]), int(sys.argv[2])
dhs = tuple(map(float, sys.argv[3].split(",")))
dls = tuple(map(float, sys.argv[4].split(",")))
theta, pools = problem(seed)
rng = np.random.default_rng([seed, 91])
W, s = theta.W, theta.s
d, k = W.shape
Q, _ = np.linalg.qr(np.column_stack([W, rng.standard_normal(d)]))
u = Q[:, k]
H, L2 = pools.heavy, pools.light2
bh, th = int(np.floor(alpha * H.n_tasks)), int(H.sizes[0])
b2, t2 = int(np.floor(alpha * L2.n_tasks)), int(L2.sizes[0])
idx_h = rng.choice(np.flatnonzero(H.components == 0), bh, replace=False)
idx_2 = rng.choice(np.flatnonzero(L2.components == 0), b2, replace=False)


def edge_tasks(dl):
    G = rng.standard_normal((b2, t2, d))
    G = G - (G @ u)[..., None] * u
    a = rng.standard_normal((b2, t2))
    a *= np.sqrt(t2) / np.linalg.norm(a, axis=1, keepdims=True)
    an = a / np.sqrt(t2)
    G = G - an[..., None] * np.einsum("nt,ntd->nd", an, G)[:, None, :]
    Xc = G + a[..., None] * u
    return Xc, Xc @ (W[:, 0] + dl * s[0] * u)


for dh in dhs:
    Xh = rng.standard_normal((bh, th, d))
    yh = Xh @ (W[:, 0] + dh * s[0] * u) + s[0] * rng.standard_normal((bh, th))
    attacked_h = replace(pools, "heavy", idx_h, Xh, yh) if dh > 0 else pools
    for dl in dls:
        P = replace(attacked_h, "light2", idx_2, *edge_tasks(dl)) if dl > 0 else attacked_h
        r, m = fit(P, theta, alpha, seed)
        extra = ""
        if m is not None:
            a = m.diagnostics_["regression"].get("anchor", {})
            if "statistic" in a:
                extra = (f" | T {np.round(a['statistic'], 0).tolist()} q {a['threshold']:.0f} "
                         f"heavy removed {[h.get('removed') for h in a['heavy']]} "
                         f"eig/level {[round(h.get('top_eig_over_level', np.nan), 2) for h in a['heavy']]}")
        print(line(f"a{alpha} s{seed} heavy {dh} light2 {dl}", r) + extra, flush=True)
