"""The clip-lever family: budget, determinism, bad input, the examples it
writes, and why a Huber refit at c ŝ leaves its shift in place."""

import numpy as np
import pytest

from robust_mlr.adversary import ClipLever, Poolwise, corrupt_pools
from robust_mlr.adversary.median_attacks import decoy_direction
from robust_mlr.exceptions import ValidationError
from robust_mlr.stages.regression import FilterRegression
from robust_mlr.threat import ThreatModel

from adversary_helpers import fixed_direction, light2_problem, task_rows

ALPHA = 0.1


@pytest.fixture(scope="module")
def problem():
    return light2_problem()


def test_budget_determinism_and_bad_input(problem):
    theta, pools = problem
    params = {"component": 0, "shift": 2.0, "lever": 3.0, "rows": 2, "decoy": 1.0}
    bad = corrupt_pools(pools, Poolwise(light2=("clip_lever", params)), ALPHA, theta=theta,
                        rng=4)
    mask = bad.masks["light2"]
    assert mask.sum() == int(ALPHA * pools.light2.n_tasks)
    assert bad.masks["light1"].sum() == bad.masks["heavy"].sum() == 0
    assert np.all(pools.light2.components[mask] == 0)
    again = corrupt_pools(pools, Poolwise(light2=("clip_lever", params)), ALPHA, theta=theta,
                          rng=4)
    np.testing.assert_array_equal(bad.light2.y, again.light2.y)
    for kw in ({"lever": 0.0}, {"rows": 0}, {"rows": 1.5}, {"shift": -1.0},
               {"g_scale": 0.0}, {"decoy_level": 1.5}, {"share": 0.0}, {"angle": 120.0}):
        with pytest.raises(ValidationError, match=next(iter(kw))):
            ClipLever(**kw)
    # 16 rows asked of tasks of 16 with a decoy: 15 lever rows and the decoy
    full = corrupt_pools(pools, Poolwise(light2=ClipLever(component=0, rows=16, lever=3.0,
                                                          decoy=1.0)),
                         ALPHA, theta=theta, rng=0)
    u = fixed_direction(theta.W)
    for X, _ in task_rows(full.light2, np.flatnonzero(full.masks["light2"])[:5]):
        np.testing.assert_allclose(X[:15] @ u, 3.0, atol=1e-9)
        np.testing.assert_allclose(X[15] @ u, 0.0, atol=1e-9)


def test_lever_rows_decoy_row_and_the_rest(problem):
    theta, pools = problem
    att = ClipLever(component=0, shift=2.0, lever=3.0, rows=2, decoy=1.5, noise=0.0)
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=0)
    idx = np.flatnonzero(bad.masks["light2"])
    w, s = theta.W[:, 0], theta.s[0]
    u, v = fixed_direction(theta.W), decoy_direction(theta.W)
    signs = []
    for X, y in task_rows(bad.light2, idx):
        r = (y - X @ w) / s
        np.testing.assert_allclose(r[:2], 2.0, atol=1e-9)
        np.testing.assert_allclose(X[:2] @ u, 3.0, atol=1e-9)       # capped at the room (16)
        np.testing.assert_allclose(abs(X[2] @ v), 4.0, atol=1e-9)   # the whole room
        np.testing.assert_allclose(abs(r[2]), 1.5, atol=1e-9)
        np.testing.assert_allclose(r[3:], 0.0, atol=1e-9)
        np.testing.assert_allclose(X[3:] @ np.column_stack([u, v]), 0.0, atol=1e-9)
        signs.append(np.sign(r[2] * (X[2] @ v)))
    assert abs(np.mean(signs)) < 0.02        # the decoy's pulls along v cancel over tasks


def test_share_mixes_one_and_rows_lever_examples(problem):
    theta, pools = problem
    att = ClipLever(component=0, shift=2.0, lever=3.0, rows=3, share=0.25, decoy=1.0)
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=3)
    idx = np.flatnonzero(bad.masks["light2"])
    u = fixed_direction(theta.W)
    counts = np.array([np.sum(np.isclose(X @ u, 3.0)) for X, _ in task_rows(bad.light2, idx)])
    assert sorted(np.unique(counts)) == [1, 3]
    assert np.sum(counts == 3) == round(0.25 * idx.size)


def test_tilde_direction_follows_the_clustering_error(problem):
    """With direction "tilde" the lever examples lean along the part of the
    fitted W̃'s error ⊥ span(W) and v, read off the settings' thresholds, so
    their residual at W̃ is ρ s less A times that part's norm."""
    theta, pools = problem
    v = decoy_direction(theta.W)
    rng = np.random.default_rng(5)
    W_tilde = theta.W + 0.2 * rng.standard_normal(theta.W.shape)
    settings = {"thresholds": {"clustering": {"W_tilde": W_tilde[:, ::-1]}}}  # columns permuted
    att = ClipLever(component=0, shift=2.0, lever=3.0, decoy=1.0, direction="tilde")
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, settings=settings,
                        rng=0)
    e = W_tilde[:, 0] - theta.W[:, 0]
    Q = np.linalg.qr(np.column_stack([theta.W, v]))[0]
    e_perp = e - Q @ (Q.T @ e)
    u = e_perp / np.linalg.norm(e_perp)
    for X, y in task_rows(bad.light2, np.flatnonzero(bad.masks["light2"])):
        np.testing.assert_allclose(X[0] @ u, 3.0, atol=1e-9)
        at_tilde = (y[0] - X[0] @ W_tilde[:, 0]) / theta.s[0]
        np.testing.assert_allclose(at_tilde, 2.0 - 3.0 * np.linalg.norm(e_perp) / theta.s[0]
                                   - X[0] @ (e - e_perp) / theta.s[0], atol=1e-9)
    with pytest.raises(ValidationError, match="W_tilde"):
        corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=0,
                      settings={"thresholds": {"clustering": {"W_tilde": W_tilde[:, :1]}}})
    # without a fitted learner's W̃ the direction is the fixed one
    alone = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, rng=0)
    fixed = corrupt_pools(pools, Poolwise(light2=ClipLever(component=0, shift=2.0, lever=3.0,
                                                            decoy=1.0)), ALPHA, theta=theta, rng=0)
    np.testing.assert_array_equal(alone.light2.X, fixed.light2.X)
    with pytest.raises(ValidationError, match="direction"):
        ClipLever(direction="toward")


def _shift_along_u(theta, data, labels, clip):
    # the example clip alone: no Mallows or density weights, no task-score weights
    stage = FilterRegression(anchor=False, cross_check=False, example_clip=clip,
                             leverage_cap=None, task_clip=None)
    stage.fit(data, labels, theta.k, threat=ThreatModel(ALPHA), rng=0)
    return float((stage.W_[:, 0] - theta.W[:, 0]) @ fixed_direction(theta.W) / theta.s[0])


def test_residuals_at_the_clip_keep_the_shift(problem):
    """A residual of 6 s on one lever row per task is cut to the clip (the
    Huber refit moves ŵ far less than least squares); a residual that is
    still just above 1.5 s once ŵ has moved pulls as hard under the clip as
    without it, and the shift grows with the leverage, not with the residual."""
    theta, pools = problem
    shifts = {}
    for rho in (6.0, 2.0):
        bad = corrupt_pools(pools, Poolwise(light2=ClipLever(component=0, shift=rho, lever=4.0,
                                                              decoy=0.0)),
                            ALPHA, theta=theta, rng=1)
        labels = np.where(bad.masks["light2"], 0, bad.light2.components)
        shifts[rho] = (_shift_along_u(theta, bad.light2, labels, 1.5),
                       _shift_along_u(theta, bad.light2, labels, None))
    clipped, plain = shifts[6.0]
    assert clipped < 0.5 * plain                 # the clip bounds the large residual
    clipped, plain = shifts[2.0]
    assert clipped > 0.9 * plain > 0.05          # at the clip: nothing taken away
    # both clipped shifts ≈ n_a A c ŝ / K_eff: the residual beyond the clip buys nothing
    assert shifts[2.0][0] > 0.8 * shifts[6.0][0]
