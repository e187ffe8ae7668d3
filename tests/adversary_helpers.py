"""Shared by the tests of the light-2 red-team families (median decoy,
park, lever, clip lever): one small problem whose light-2 tasks have 16
examples, the (X, y) rows of chosen tasks and the fixed shift direction."""

import numpy as np

from robust_mlr import make_params, make_pools
from robust_mlr.adversary import Poolwise, ShapedLever, corrupt_pools


def light2_problem():
    """θ (d 8, k 2) and its pools: light 1 400 × 2, heavy 60 × 4, light 2 2 000 × 16."""
    theta = make_params(8, 2, rng=0)
    return theta, make_pools(theta, 400, 2, 60, 4, 2000, 16, rng=1)


def task_rows(data, idx):
    """(X, y) of each task of ``idx``."""
    return [(data.X[data.offsets[i]:data.offsets[i + 1]],
             data.y[data.offsets[i]:data.offsets[i + 1]]) for i in idx]


def fixed_direction(W):
    """The shift direction u: the first vector completing W's columns."""
    return np.linalg.qr(np.column_stack([W, np.eye(W.shape[0])]))[0][:, W.shape[1]]


def decoy_lever_light2():
    """θ, u and the light-2 pool of :func:`light2_problem` with decoy-diluted
    lever rows in component 0 at α = 0.05 (the gradient readings' own case),
    and each task's component label (the adversary's tasks as component 0)."""
    theta, pools = light2_problem()
    u = fixed_direction(theta.W)
    attack = ShapedLever(component=0, rows=8, floor=1.0, shift=1.5, slope=0.2, u_decoys=1,
                         u_lever=8.0, u_shift=1.5, g_scale=1.0)
    bad = corrupt_pools(pools, Poolwise(light2=attack), 0.05, theta=theta, rng=1).light2
    labels = bad.components.copy()
    labels[labels < 0] = 0
    return theta, u, bad, labels
