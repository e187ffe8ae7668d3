"""The diluted-lever family: bad input, and the decoy rows along the shift
direction it adds to the clip-lever tasks (leverage, residual, balance)."""

import numpy as np
import pytest

from robust_mlr.adversary import DilutedLever, Poolwise, corrupt_pools
from robust_mlr.exceptions import ValidationError

from adversary_helpers import fixed_direction, light2_problem, task_rows

ALPHA = 0.1


@pytest.fixture(scope="module")
def problem():
    return light2_problem()


def test_bad_input():
    for kw in ({"u_decoys": -1}, {"u_decoys": 1.5}, {"u_lever": 0.0}, {"u_shift": -1.0},
               {"lever": 0.0}):
        with pytest.raises(ValidationError, match=next(iter(kw))):
            DilutedLever(**kw)


def test_lever_rows_and_decoys_along_u(problem):
    theta, pools = problem
    att = DilutedLever(component=0, shift=2.0, lever=3.0, rows=3, decoy=1.5, u_decoys=2,
                       u_lever=2.5, u_shift=3.0)
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=0)
    idx = np.flatnonzero(bad.masks["light2"])
    assert idx.size == int(ALPHA * pools.light2.n_tasks)
    w, s, u = theta.W[:, 0], theta.s[0], fixed_direction(theta.W)
    pulls = []
    for X, y in task_rows(bad.light2, idx):
        r = (y - X @ w) / s
        np.testing.assert_allclose(r[:3], 2.0, atol=1e-9)             # the lever rows
        np.testing.assert_allclose(X[:3] @ u, 3.0, atol=1e-9)
        np.testing.assert_allclose(abs(X[-2:] @ u), 2.5, atol=1e-9)    # the decoys along u
        np.testing.assert_allclose(abs(r[-2:]), 3.0, atol=1e-9)
        np.testing.assert_allclose(X[4:-2] @ u, 0.0, atol=1e-9)        # the rest ⊥ u, clean
        np.testing.assert_allclose(r[4:-2], 0.0, atol=1e-9)
        pulls.append(r[-2:] * (X[-2:] @ u))
    pulls = np.concatenate(pulls)
    # the decoys' pulls along u cancel over the tasks (signs balanced), the lever rows' do not
    assert abs(pulls.mean()) < 0.25 * np.abs(pulls).mean()


def test_tasks_too_small_for_every_row(problem):
    """Tasks of 16 examples asked for 14 lever rows, a v decoy and two
    u-decoys: the lever rows give way (13), the decoys stay; on tasks of two
    examples (the heterogeneous sizes' smallest) one lever row and the v
    decoy, no u-decoy (the built-in search draws every family on every
    pool)."""
    theta, pools = problem
    u = fixed_direction(theta.W)
    att = DilutedLever(component=0, rows=14, shift=2.0, lever=3.0, decoy=1.0, u_decoys=2,
                       u_lever=2.5)
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=0)
    for X, _ in task_rows(bad.light2, np.flatnonzero(bad.masks["light2"])[:5]):
        np.testing.assert_allclose(X[:13] @ u, 3.0, atol=1e-9)
        np.testing.assert_allclose(abs(X[-2:] @ u), 2.5, atol=1e-9)
    small = corrupt_pools(pools, Poolwise(light1=att), ALPHA, theta=theta, rng=0)
    for X, y in task_rows(small.light1, np.flatnonzero(small.masks["light1"])[:5]):
        assert X.shape[0] == 2
        np.testing.assert_allclose(X[0] @ u, 3.0, atol=1e-9)
        np.testing.assert_allclose(X[1] @ u, 0.0, atol=1e-9)
