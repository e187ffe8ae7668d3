"""The shaped-lever family: bad input, and lever rows whose leverage along
the shift direction follows the clean law beyond a floor (range, shape,
residual growing with the leverage, signs pushing one way)."""

import numpy as np
import pytest
from scipy.stats import norm

from robust_mlr.adversary import Poolwise, ShapedLever, corrupt_pools
from robust_mlr.exceptions import ValidationError

from adversary_helpers import fixed_direction, light2_problem, task_rows

ALPHA = 0.1


@pytest.fixture(scope="module")
def problem():
    return light2_problem()


def test_bad_input():
    for kw, name in (({"floor": -0.1}, "floor"), ({"floor": 2.0, "cap": 1.0}, "floor"),
                     ({"slope": -0.5}, "slope")):
        with pytest.raises(ValidationError, match=name):
            ShapedLever(**kw)


def test_lever_rows_in_the_clean_shape_beyond_the_floor(problem):
    theta, pools = problem
    att = ShapedLever(component=0, rows=6, floor=0.9, cap=3.9, shift=1.4, slope=0.5,
                      u_decoys=1, u_lever=4.0, u_shift=3.0, g_scale=1.0)
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=0)
    idx = np.flatnonzero(bad.masks["light2"])
    assert idx.size == int(ALPHA * pools.light2.n_tasks)
    assert bad.light2.n_tasks == pools.light2.n_tasks
    w, s, u = theta.W[:, 0], theta.s[0], fixed_direction(theta.W)
    z, r, rest = [], [], []
    for X, y in task_rows(bad.light2, idx):
        assert X.shape == (pools.light2.sizes[0], pools.light2.dim)
        z.append(X[:6] @ u)
        r.append((y[:6] - X[:6] @ w) / s)
        rest.append(X[6:-1] @ u)
        np.testing.assert_allclose(abs(X[-1] @ u), 4.0, atol=1e-9)       # the u decoy
    z, r = np.concatenate(z), np.concatenate(r)
    assert np.all((np.abs(z) >= 0.9) & (np.abs(z) <= 3.9))
    # the residual carries the row's sign and grows with its leverage: every
    # lever row pushes the fit the same way along u
    np.testing.assert_allclose(r, np.sign(z) * (1.4 + 0.5 * np.abs(z)), atol=1e-9)
    # |z| follows the half-normal law truncated to [0.9, 3.9] (median of the
    # truncated law, within sampling error), and both signs are drawn
    mid = norm.ppf((norm.cdf(0.9) + norm.cdf(3.9)) / 2)
    assert abs(np.median(np.abs(z)) - mid) < 0.05
    assert 0.4 < np.mean(z > 0) < 0.6
    np.testing.assert_allclose(np.concatenate(rest), 0.0, atol=1e-9)    # the rest ⊥ u
