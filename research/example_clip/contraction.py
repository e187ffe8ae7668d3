"""How fast the clipped refit's IRLS steps shrink, and how far its stop rule
leaves it from the Huber estimate (steps run one at a time to a fixed point).

Clean tasks (d 12, k 3, sizes 2-10) and the light-2 problem of
tests/adversary_helpers.py under a lever shift at alpha 0.1 (the corrupted
tasks joined to component 0). Printed: each step's move over the standard
error, the ratio of successive moves, and the distance of the default stop
(tol 0.5) from the fixed point in standard errors. The clean ratio is the
Gaussian rate E[c/|z|; |z| > c] / E[min(1, c/|z|)] = 0.11 at c = 1.5.

    PYTHONPATH=$PWD:tests OMP_NUM_THREADS=1 python3 research/example_clip/contraction.py
"""
import warnings

import numpy as np

from robust_mlr import make_params, make_tasks
from robust_mlr.adversary import LeverShift, Poolwise, corrupt_pools
from robust_mlr.stages.regression import filter_components
from robust_mlr.stages.regression._example_clip import clipped_refit

from adversary_helpers import light2_problem


def steps(data, labels, k, alpha, n_steps=40):
    W0, s2, _, info = filter_components(data, labels, k, alpha=alpha, rng=0, example_clip=None)
    kept, t_cap = info["labels"] >= 0, info["t_cap"]
    n_eff = np.bincount(info["labels"][kept], np.minimum(data.sizes, t_cap)[kept], minlength=k)
    se = np.sqrt(s2 * data.dim / n_eff)
    W, moves = W0.copy(), []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n_steps):
            Wn, _ = clipped_refit(data, labels, kept, W, s2, t_cap, None, None, 1.5, tol=0.0,
                                  max_iter=1)
            moves.append(np.linalg.norm(Wn - W, axis=0) / se)
            W = Wn
        Wd, done = clipped_refit(data, labels, kept, W0, s2, t_cap, None, None, 1.5)
    return np.array(moves), np.linalg.norm(Wd - W, axis=0) / se, done["iterations"]


def show(label, moves, left, it, c=0):
    m = moves[:6, c]
    print(f"{label}: steps {it}; moves/se {np.round(m, 3).tolist()}; "
          f"ratios {np.round(m[1:4] / m[:3], 3).tolist()}; stop from fixed point "
          f"{np.round(left, 3).tolist()} se", flush=True)


theta = make_params(12, 3, rng=0)
sizes = np.random.default_rng(1).integers(2, 11, 3000)
data = make_tasks(theta, sizes.size, sizes, rng=2)
for c in range(3):
    show(f"clean, component {c}", *steps(data, data.components.copy(), 3, 0.05), c=c)
theta, pools = light2_problem()
for shift, lever in ((6.0, 4.0), (3.0, 8.0), (3.5, 14.0), (5.0, 14.0)):
    bad = corrupt_pools(pools, Poolwise(light2=LeverShift(component=0, shift=shift, lever=lever,
                                                          decoy=0.0)),
                        0.1, theta=theta, rng=1).light2
    labels = bad.components.copy()
    labels[bad.components < 0] = 0
    show(f"lever_shift shift {shift} lever {lever}", *steps(bad, labels, theta.k, 0.1))
