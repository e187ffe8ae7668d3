"""The median-decoy family: budget, determinism, the decoys' construction and
the light-median step's direction it steers."""

import numpy as np
import pytest

from robust_mlr.adversary import MedianDecoy, Poolwise, corrupt_pools
from robust_mlr.adversary.median_attacks import decoy_direction
from robust_mlr.adversary.redteam import SPACE
from robust_mlr.exceptions import ValidationError

from adversary_helpers import light2_problem, task_rows

ALPHA = 0.1


@pytest.fixture(scope="module")
def problem():
    return light2_problem()


@pytest.mark.parametrize("params", [{"component": 0}, {"component": 1, "shift": 1.2,
                                                        "decoys": 0.3, "noise": 0.5}])
def test_budget_pool_and_determinism(problem, params):
    theta, pools = problem
    bad = corrupt_pools(pools, Poolwise(light2=("median_decoy", params)), ALPHA, theta=theta,
                        rng=4)
    assert bad.masks["light2"].sum() == int(ALPHA * pools.light2.n_tasks)
    assert bad.masks["light1"].sum() == bad.masks["heavy"].sum() == 0
    # the component's own tasks are the ones replaced
    assert np.all(pools.light2.components[bad.masks["light2"]] == params["component"])
    np.testing.assert_array_equal(bad.light2.sizes, pools.light2.sizes)
    again = corrupt_pools(pools, Poolwise(light2=("median_decoy", params)), ALPHA,
                          theta=theta, rng=4)
    np.testing.assert_array_equal(bad.light2.X, again.light2.X)
    np.testing.assert_array_equal(bad.light2.y, again.light2.y)
    other = corrupt_pools(pools, Poolwise(light2=("median_decoy", params)), ALPHA,
                          theta=theta, rng=5)
    assert not np.array_equal(bad.light2.y, other.light2.y)


def test_decoys_fit_the_component_with_coherent_gradients(problem):
    theta, pools = problem
    att = MedianDecoy(component=0, decoys=0.25, shift=0.8)
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=0)
    idx = np.flatnonzero(bad.masks["light2"])
    dec, shift = att.split(idx)
    assert dec.size == int(np.ceil(0.25 * idx.size)) and dec.size + shift.size == idx.size
    w, s = theta.W[:, 0], theta.s[0]
    v = decoy_direction(theta.W)
    assert abs(v @ np.linalg.qr(theta.W)[0]).max() < 1e-12
    signs = []
    for X, y in task_rows(bad.light2, dec):
        r = y - X @ w
        # every residual has magnitude s, and all push the gradient one way along v
        np.testing.assert_allclose(np.abs(r), s)
        g = X.T @ r / np.sqrt(len(y))
        signs.append(np.sign(g @ v))
        assert abs(g @ v) > 0.9 * np.linalg.norm(g)
    # the signs are balanced: no mean along v
    assert abs(np.sum(signs)) <= 1
    # the shift tasks are EdgePlacement's: noise-free at w + δ s u, u ⊥ span(W) and v
    for X, y in task_rows(bad.light2, shift[:5]):
        sol = np.linalg.lstsq(X, y, rcond=None)[0]
        np.testing.assert_allclose(np.linalg.norm(sol - w), 0.8 * s, rtol=1e-8)
        assert abs((sol - w) @ v) < 1e-8


def test_decoys_steer_the_gradients_leading_direction(problem):
    """Among the component's tasks (clean and corrupted), the top eigenvector
    of the gradients' covariance at the true w is the decoys' direction v
    and not the shift's."""
    theta, pools = problem
    bad = corrupt_pools(pools, Poolwise(light2=("median_decoy", {"component": 0, "shift": 1.0,
                                                                  "decoys": 0.3})),
                        ALPHA, theta=theta, rng=2)
    lab = pools.light2.components == 0
    sub = bad.light2.subset(np.flatnonzero(lab))
    w = theta.W[:, 0]
    g = sub.task_sums(sub.X * (sub.X @ w - sub.y)[:, None]) / np.sqrt(sub.sizes)[:, None]
    g -= g.mean(axis=0)
    top = np.linalg.eigh(g.T @ g)[1][:, -1]
    assert abs(top @ decoy_direction(theta.W)) > 0.99
    # without decoys (edge placement alone) it is the shift direction instead
    plain = corrupt_pools(pools, Poolwise(light2=("edge_placement", {"component": 0,
                                                                     "shift": 1.0})),
                          ALPHA, theta=theta, rng=2)
    sub = plain.light2.subset(np.flatnonzero(lab))
    g = sub.task_sums(sub.X * (sub.X @ w - sub.y)[:, None]) / np.sqrt(sub.sizes)[:, None]
    g -= g.mean(axis=0)
    top = np.linalg.eigh(g.T @ g)[1][:, -1]
    assert abs(top @ decoy_direction(theta.W)) < 0.5


def test_in_the_search_space_and_validation():
    assert "median_decoy" in SPACE["light2"]
    with pytest.raises(ValidationError, match="decoys"):
        MedianDecoy(decoys=1.0)
    with pytest.raises(ValidationError, match="decoy_level"):
        MedianDecoy(decoy_level=0.0)
