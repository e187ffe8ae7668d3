"""The hidden-lever family: bad input, the budget split between the target
component and the others, and the hiding rows' leverage along u with clean
residuals under their own component."""

import numpy as np
import pytest

from robust_mlr.adversary import HiddenLever, Poolwise, corrupt_pools
from robust_mlr.exceptions import ValidationError

from adversary_helpers import fixed_direction, light2_problem, task_rows

ALPHA = 0.1


@pytest.fixture(scope="module")
def problem():
    return light2_problem()


def test_bad_input():
    for kw in ({"hide": -0.1}, {"hide": 1.0}, {"hide_lever": 0.0}, {"hide_rows": 0},
               {"hide_rows": 2.5}, {"u_decoys": -1}, {"hide_from": "both"}):
        with pytest.raises(ValidationError, match=next(iter(kw))):
            HiddenLever(**kw)


def test_target_and_hiding_tasks(problem):
    theta, pools = problem
    att = HiddenLever(component=0, shift=2.0, lever=3.0, rows=2, decoy=0.0, hide=0.25,
                      hide_lever=2.5, hide_rows=4)
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=0)
    idx = np.flatnonzero(bad.masks["light2"])
    n_bad = int(ALPHA * pools.light2.n_tasks)
    assert idx.size == n_bad                     # within the budget, shapes kept
    assert bad.light2.X.shape == pools.light2.X.shape
    comps = pools.light2.components[idx]
    hidden = idx[comps == 1]
    assert hidden.size == int(np.floor(0.25 * n_bad))   # the share in the other component
    u = fixed_direction(theta.W)
    for X, y in task_rows(bad.light2, idx[comps == 0]):  # lever rows, the rest ⊥ u
        np.testing.assert_allclose((y[:2] - X[:2] @ theta.W[:, 0]) / theta.s[0], 2.0, atol=1e-9)
        np.testing.assert_allclose(X[:2] @ u, 3.0, atol=1e-9)
        np.testing.assert_allclose(X[2:] @ u, 0.0, atol=1e-9)
    rows = [(X, y) for X, y in task_rows(bad.light2, hidden)]
    lev = np.concatenate([X[:4] @ u for X, _ in rows])
    np.testing.assert_allclose(np.abs(lev), 2.5, atol=1e-9)   # hiding rows at ±H along u
    np.testing.assert_allclose(np.concatenate([X[4:] @ u for X, _ in rows]), 0.0, atol=1e-9)
    # their residuals under their own component are clean noise (s_1), not a push
    r = np.concatenate([(y - X @ theta.W[:, 1]) / theta.s[1] for X, y in rows])
    assert abs(r.mean()) < 0.2 and 0.7 < r.std() < 1.3
    assert abs(np.mean(np.sign(lev))) < 0.2          # random signs: no pull along u either


def test_no_hiding_is_the_diluted_lever(problem):
    theta, pools = problem
    att = HiddenLever(component=0, shift=2.0, lever=3.0, rows=1, hide=0.0)
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=0)
    idx = np.flatnonzero(bad.masks["light2"])
    assert (pools.light2.components[idx] == 0).all()


def test_hiding_tasks_from_the_target(problem):
    theta, pools = problem
    att = HiddenLever(component=0, shift=2.0, lever=3.0, rows=1, hide=0.3, hide_lever=2.5,
                      hide_from="target")
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=0)
    idx = np.flatnonzero(bad.masks["light2"])
    assert idx.size == int(ALPHA * pools.light2.n_tasks)
    assert (pools.light2.components[idx] == 0).all()    # every replaced task is the target's
    u = fixed_direction(theta.W)
    lev = np.array([np.abs(X[0] @ u) for X, _ in task_rows(bad.light2, idx)])
    hidden = np.isclose(lev, 2.5)
    assert hidden.sum() == int(np.floor(0.3 * idx.size))
    assert np.allclose(lev[~hidden], 3.0)
    for X, y in task_rows(bad.light2, idx[hidden][:5]):  # written under the other component
        r = (y - X @ theta.W[:, 1]) / theta.s[1]
        assert np.abs(r).max() < 6
