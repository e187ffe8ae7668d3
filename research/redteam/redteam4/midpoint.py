"""Two worlds, one law, on light 2: component 0's light-2 tasks are moved to
the midpoint law (G(w0) + G(w0 + delta*s*u))/2 by replacing each task with
probability (1 - p'/p)_+/2 by a draw from the normalised excess (p' - p)_+
(rejection sampling), stopping at floor(alpha n) tasks.  delta is the
two-point floor's separation (limits.two_point_floor * 2) times --frac.
World "b" redraws only light 2's component 0 at w0 + delta*s*u (the other
pools stay at w0, so it is not a consistent world; its run is not reported).

    python3 research/redteam/redteam4/midpoint.py ALPHA SEED FRAC [a|b]
"""
import sys

import numpy as np

from robust_mlr.limits import two_point_floor
from rt4common import problem, replace, fit, line, cube

alpha, seed, frac = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
world = sys.argv[4] if len(sys.argv) > 4 else "a"
theta, pools = problem(seed)
rng = np.random.default_rng([seed, 97])
W, s = theta.W, theta.s
d, k = W.shape
L2 = pools.light2
t2, b2 = int(L2.sizes[0]), int(np.floor(alpha * L2.n_tasks))
delta = 2 * two_point_floor(t2, theta.p[0], alpha) * frac
Q, _ = np.linalg.qr(np.column_stack([W, rng.standard_normal(d)]))
u = Q[:, k]
w0 = W[:, 0]
w1 = w0 + delta * s[0] * u
wa, wb = (w0, w1) if world == "a" else (w1, w0)       # wa: this world's truth
X3, Y2 = cube(L2)
comp0 = np.flatnonzero(L2.components == 0)
if world == "b":                                     # world B: component 0 really is at w1
    Y2[comp0] = np.einsum("ntd,d->nt", X3[comp0], w1) + s[0] * rng.standard_normal((comp0.size, t2))
    from rt4common import rebuild
    from robust_mlr.data import Pools
    pools = Pools(light1=pools.light1, heavy=pools.heavy, light2=rebuild(X3, Y2))
    theta = type(theta)(W=np.column_stack([w1, W[:, 1:]]), s=theta.s, p=theta.p) \
        if hasattr(theta, "W") else theta
clean, _ = fit(pools, theta, alpha, seed)
print(line(f"clean world {world}", clean), flush=True)


def loglr(X, y, wnum, wden):            # log p_num(y|X) - log p_den(y|X)
    return (np.sum((y - X @ wden) ** 2, -1) - np.sum((y - X @ wnum) ** 2, -1)) / (2 * s[0] ** 2)


Xc0, yc0 = X3[comp0], Y2[comp0]
prob = 0.5 * np.clip(1 - np.exp(loglr(Xc0, yc0, wb, wa)), 0, None)
pick = comp0[rng.random(comp0.size) < prob]
print(f"delta {delta:.4f} (frac {frac}); replaced {pick.size} (budget {b2})", flush=True)
pick = pick[:b2]
new_X, new_y = [], []
while sum(len(x) for x in new_X) < pick.size:
    X = rng.standard_normal((4 * pick.size, t2, d))
    y = X @ wb + s[0] * rng.standard_normal((4 * pick.size, t2))
    acc = rng.random(len(y)) < np.clip(1 - np.exp(loglr(X, y, wa, wb)), 0, None)
    new_X.append(X[acc]); new_y.append(y[acc])
Xc, yc = np.concatenate(new_X)[:pick.size], np.concatenate(new_y)[:pick.size]
r, m = fit(replace(pools, "light2", pick, Xc, yc), theta, alpha, seed, clean_time=clean["time"])
print(line(f"a{alpha} s{seed} midpoint world {world} frac {frac}", r), flush=True)
