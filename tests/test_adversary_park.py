"""The median-park family: budget, determinism, its four kinds of tasks, and
what the inflaters do to the regression filter's clean reference."""

import numpy as np
import pytest

from robust_mlr.adversary import MedianPark, Poolwise, corrupt_pools
from robust_mlr.adversary.median_attacks import decoy_direction
from robust_mlr.adversary.park_attacks import inflater_direction
from robust_mlr.adversary.redteam import SPACE
from robust_mlr.exceptions import ValidationError

from adversary_helpers import light2_problem, task_rows

ALPHA = 0.1


@pytest.fixture(scope="module")
def problem():
    return light2_problem()


def test_budget_parts_and_determinism(problem):
    theta, pools = problem
    params = {"component": 0, "shift": 1.2, "decoys": 0.1, "inflate": 0.2, "park": 0.25}
    bad = corrupt_pools(pools, Poolwise(light2=("median_park", params)), ALPHA, theta=theta,
                        rng=4)
    mask = bad.masks["light2"]
    assert mask.sum() == int(ALPHA * pools.light2.n_tasks)
    assert bad.masks["light1"].sum() == bad.masks["heavy"].sum() == 0
    assert np.all(pools.light2.components[mask] == 0)
    dec, inf, sh, parked = MedianPark(**params).parts(np.flatnonzero(mask))
    m = mask.sum()
    assert (dec.size, inf.size, parked.size) == (int(np.ceil(0.1 * m)), int(0.2 * m),
                                                int(0.25 * m))
    assert dec.size + inf.size + sh.size + parked.size == m
    again = corrupt_pools(pools, Poolwise(light2=("median_park", params)), ALPHA, theta=theta,
                          rng=4)
    np.testing.assert_array_equal(bad.light2.y, again.light2.y)


def test_the_four_kinds_oftask_rows(problem):
    theta, pools = problem
    att = MedianPark(component=0, shift=0.8, decoys=0.1, inflate=0.2, park=0.3,
                     inflate_noise=1.5)
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=0)
    dec, inf, sh, parked = att.parts(np.flatnonzero(bad.masks["light2"]))
    w, s = theta.W[:, 0], theta.s[0]
    v, z = decoy_direction(theta.W), inflater_direction(theta.W)
    Q = np.linalg.qr(theta.W)[0]
    assert abs(v @ z) < 1e-12 and abs(Q.T @ z).max() < 1e-12
    for X, y in task_rows(bad.light2, inf):
        r = y - X @ w
        # clean-sized residuals (×1.5), a gradient with nothing along z,
        # a per-example moment with a large entry along z
        np.testing.assert_allclose(np.abs(r), 1.5 * s)
        assert abs((X.T @ r) @ z) < 1e-9
        assert np.mean(r ** 2 * (X @ z) ** 2) > 4 * np.mean(r ** 2)
    for X, y in task_rows(bad.light2, dec[:5]):
        np.testing.assert_allclose(np.abs(y - X @ w), s)
    for X, y in task_rows(bad.light2, sh[:5]):
        sol = np.linalg.lstsq(X, y, rcond=None)[0]
        np.testing.assert_allclose(np.linalg.norm(sol - w), 0.8 * s, rtol=1e-8)
    # the parked tasks are tasks of the other component (k = 2: component 1)
    X = np.concatenate([t[0] for t in task_rows(bad.light2, parked)])
    y = np.concatenate([t[1] for t in task_rows(bad.light2, parked)])
    sol = np.linalg.lstsq(X, y, rcond=None)[0]
    assert np.linalg.norm(sol - theta.W[:, 1]) < 0.1 * theta.s[1]


def test_inflaters_raise_the_reference_not_the_gradients(problem):
    """Among the component's tasks at the true w: the inflaters raise the
    top eigenvalue of the per-example moment mean r² x xᵀ (the filter's
    clean reference), along z, while the gradients' covariance
    along z stays at the clean level."""
    theta, pools = problem
    bad = corrupt_pools(pools, Poolwise(light2=("median_park", {
        "component": 0, "shift": 0.8, "decoys": 0.01, "inflate": 0.5})), ALPHA, theta=theta,
        rng=2)
    sub = bad.light2.subset(np.flatnonzero(pools.light2.components == 0))
    w, z = theta.W[:, 0], inflater_direction(theta.W)
    r = sub.X @ w - sub.y
    M = (sub.X * (r ** 2)[:, None]).T @ sub.X / sub.X.shape[0]
    lam, vec = np.linalg.eigh(M)
    assert lam[-1] > 2 * np.median(lam) and abs(vec[:, -1] @ z) > 0.99     # 2.36× measured
    g = sub.task_sums(sub.X * r[:, None]) / np.sqrt(sub.sizes)[:, None]
    g -= g.mean(axis=0)
    C = g.T @ g / sub.n_tasks
    assert z @ C @ z < 2 * np.median(np.linalg.eigvalsh(C))


def test_in_the_search_space_and_validation():
    assert {"park", "inflate", "inflate_noise"} <= set(SPACE["light2"]["median_park"])
    with pytest.raises(ValidationError, match="park"):
        MedianPark(park=0.6, inflate=0.5)
    with pytest.raises(ValidationError, match="inflate_level"):
        MedianPark(inflate_level=0.0)
