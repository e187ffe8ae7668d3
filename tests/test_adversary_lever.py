"""The lever-shift family: budget, determinism, the three kinds of examples,
and why a moment-whitened gradient test does not see its shift."""

import numpy as np
import pytest

from robust_mlr.adversary import LeverShift, Poolwise, corrupt_pools
from robust_mlr.adversary.median_attacks import decoy_direction
from robust_mlr.exceptions import ValidationError

from adversary_helpers import fixed_direction, light2_problem, task_rows

ALPHA = 0.1


@pytest.fixture(scope="module")
def problem():
    return light2_problem()


def test_budget_determinism_and_bad_input(problem):
    theta, pools = problem
    params = {"component": 0, "shift": 3.0, "lever": 3.0, "decoy": 1.0}
    bad = corrupt_pools(pools, Poolwise(light2=("lever_shift", params)), ALPHA, theta=theta,
                        rng=4)
    mask = bad.masks["light2"]
    assert mask.sum() == int(ALPHA * pools.light2.n_tasks)
    assert bad.masks["light1"].sum() == bad.masks["heavy"].sum() == 0
    assert np.all(pools.light2.components[mask] == 0)
    again = corrupt_pools(pools, Poolwise(light2=("lever_shift", params)), ALPHA, theta=theta,
                          rng=4)
    np.testing.assert_array_equal(bad.light2.y, again.light2.y)
    for kw in ({"lever": 0.0}, {"far_share": 0.6, "decoy_share": 0.5}, {"g_scale": 0.0},
               {"decoy_level": 1.5}):
        with pytest.raises(ValidationError):
            LeverShift(**kw)


def test_one_lever_example_per_task(problem):
    theta, pools = problem
    att = LeverShift(component=0, shift=3.0, lever=3.0, decoy=1.5, far=5.0, far_share=0.25,
                     decoy_share=0.25, decoy_pure=4.0)
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=0)
    idx = np.flatnonzero(bad.masks["light2"])
    w, s = theta.W[:, 0], theta.s[0]
    u, v = fixed_direction(theta.W), decoy_direction(theta.W)
    n_dec, n_far = int(0.25 * idx.size), int(0.25 * idx.size)
    for i, (X, y) in enumerate(task_rows(bad.light2, idx)):
        r = (y - X @ w) / s
        rho_u = 0.0 if i < n_dec else 5.0 if i >= idx.size - n_far else 3.0
        rho_v = 4.0 if i < n_dec else 1.5
        np.testing.assert_allclose(r[0], rho_u, atol=1e-9)
        np.testing.assert_allclose(abs(r[1]), rho_v, atol=1e-9)
        np.testing.assert_allclose(r[2:], 0.0, atol=1e-9)
        # leverage along u on example 0 only (none for the pure decoys), along v on example 1
        np.testing.assert_allclose(X[0] @ u, 0.0 if i < n_dec else 3.0, atol=1e-9)
        np.testing.assert_allclose(abs(X[1] @ v), np.sqrt(0.9 * 16), atol=1e-9)  # 0.9 × the room
        np.testing.assert_allclose(X[2:] @ np.column_stack([u, v]), 0.0, atol=1e-9)
    # the decoys' signs balance: their gradients along v have mean ≈ 0
    gv = np.array([(X.T @ (y - X @ w)) @ v for X, y in task_rows(bad.light2, idx)])
    assert abs(gv.mean()) < 0.05 * np.abs(gv).mean()


def test_the_shift_is_seen_by_the_moment_as_by_the_gradients(problem):
    """Along u each attacked task's squared gradient (Σ_j r_j x_j·u)² equals
    its per-example moment term Σ_j r_j² (x_j·u)² at any w on the shift line
    (one example carries it), where the edge placement's is t times larger;
    and the component's least squares moves along u."""
    theta, pools = problem
    u, w = fixed_direction(theta.W), theta.W[:, 0]
    bad = corrupt_pools(pools, Poolwise(light2=LeverShift(component=0, shift=3.0, lever=4.0,
                                                           decoy=0.0)),
                        ALPHA, theta=theta, rng=1)
    edge = corrupt_pools(pools, Poolwise(light2=("edge_placement",
                                                 {"component": 0, "shift": 0.5})),
                         ALPHA, theta=theta, rng=1)
    for data in (bad, edge):
        at = w + 0.3 * theta.s[0] * u
        ratios = []
        for X, y in task_rows(data.light2, np.flatnonzero(data.masks["light2"])):
            xu, r = X @ u, y - X @ at
            ratios.append((xu @ r) ** 2 / np.sum(xu ** 2 * r ** 2))
        ratios = np.array(ratios)
        if data is bad:
            np.testing.assert_allclose(ratios, 1.0, rtol=1e-9)
        else:
            assert np.median(ratios) > 8
    own = np.flatnonzero((pools.light2.components == 0) | bad.masks["light2"])
    X = np.concatenate([t[0] for t in task_rows(bad.light2, own)])
    y = np.concatenate([t[1] for t in task_rows(bad.light2, own)])
    sol = np.linalg.lstsq(X, y, rcond=None)[0]
    assert (sol - w) @ u > 0.1 * theta.s[0]     # 200 tasks × 4 × 3s over a Gram of ≈ 16 000


def test_g_scale_shrinks_only_the_lever_rows(problem):
    theta, pools = problem
    att = LeverShift(component=0, shift=3.0, lever=3.0, decoy=1.0, decoy_share=0.5,
                     g_scale=0.25)
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=2)
    idx = np.flatnonzero(bad.masks["light2"])
    u, v = fixed_direction(theta.W), decoy_direction(theta.W)
    P = np.eye(theta.d) - np.outer(u, u) - np.outer(v, v)
    n_dec = int(0.5 * idx.size)
    rest = {"lever": [], "plain": []}
    for i, (X, _) in enumerate(task_rows(bad.light2, idx)):
        rest["lever"].append(np.sum((X[1] @ P) ** 2))
        if i >= n_dec:
            rest["lever"].append(np.sum((X[0] @ P) ** 2))
        rest["plain"].extend(np.sum((X[2:] @ P) ** 2, axis=1))
        if i < n_dec:       # a pure decoy's first row has no leverage: not shrunk
            rest["plain"].append(np.sum((X[0] @ P) ** 2))
    # E‖g‖² = d − 2 for a plain row, (d − 2)/16 for a lever row
    assert np.mean(rest["plain"]) > 0.8 * (theta.d - 2)
    assert np.mean(rest["lever"]) < 0.1 * (theta.d - 2)
