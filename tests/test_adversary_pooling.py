"""The seventh red team's families: seeded attacks, the spread heavy anchor
attack and light-2 estimates placed against the predicted heavy estimate."""

import numpy as np
import pytest

from robust_mlr import make_params, make_pools
from robust_mlr.adversary import (AnchorMatch, AnchorSelect, AnchorSpread, AttackContext,
                                  Poolwise, Seeded, corrupt_pools)
from robust_mlr.adversary.pooling_attacks import predict_heavy
from robust_mlr.exceptions import ValidationError

ALPHA = 0.1


@pytest.fixture(scope="module")
def problem():
    theta = make_params(8, 2, rng=0)
    return theta, make_pools(theta, 2000, 2, 100, 32, 2000, 8, rng=1)


def _heavy(**prm):
    return ("seeded", {"family": ["anchor_edge", dict(component=0, level=0.97, **prm)],
                       "seed": 3})


def _changed(clean, bad):
    """Tasks whose rows differ."""
    diff = np.any(clean.X != bad.X, axis=1) | (clean.y != bad.y)
    return np.unique(np.searchsorted(clean.offsets, np.flatnonzero(diff), side="right") - 1)


@pytest.mark.parametrize("strategy", [
    {"heavy": _heavy()},
    {"heavy": ("anchor_spread", {"component": 0, "n_directions": 3})},
    {"heavy": _heavy(), "light2": ("anchor_match", {"component": 0, "heavy": list(_heavy())})},
    {"light2": ("anchor_match", {"component": 1, "mode": "matched"})},
    {"heavy": ("anchor_select", {"component": 1}),
     "light2": ("anchor_match", {"component": 1, "mode": "split", "select": True})},
])
def test_budget_pool_and_seed(problem, strategy):
    theta, pools = problem
    att = lambda: Poolwise(**strategy)                     # noqa: E731
    bad = corrupt_pools(pools, att(), ALPHA, theta=theta, rng=5)
    for name in ("light1", "heavy", "light2"):
        mask = bad.masks[name]
        want = int(ALPHA * pools[name].n_tasks) if name in strategy else 0
        assert mask.sum() == want
        # only the chosen tasks change (and, for an exact fit, all of them may)
        assert set(_changed(pools[name], bad[name])) <= set(np.flatnonzero(mask))
    again = corrupt_pools(pools, att(), ALPHA, theta=theta, rng=5)
    for name in strategy:
        np.testing.assert_array_equal(bad[name].X, again[name].X)
        np.testing.assert_array_equal(bad[name].y, again[name].y)


def test_seeded_ignores_the_pools_generator(problem):
    theta, pools = problem
    a = corrupt_pools(pools, Poolwise(heavy=_heavy()), ALPHA, theta=theta, rng=1)
    b = corrupt_pools(pools, Poolwise(heavy=_heavy()), ALPHA, theta=theta, rng=2)
    np.testing.assert_array_equal(a.masks["heavy"], b.masks["heavy"])
    np.testing.assert_array_equal(a.heavy.y, b.heavy.y)
    # an unseeded family does depend on it
    plain = ("anchor_edge", {"component": 0})
    c = corrupt_pools(pools, Poolwise(heavy=plain), ALPHA, theta=theta, rng=1)
    d = corrupt_pools(pools, Poolwise(heavy=plain), ALPHA, theta=theta, rng=2)
    assert not np.array_equal(c.masks["heavy"], d.masks["heavy"])


def test_anchor_spread_groups_along_orthonormal_directions(problem):
    theta, pools = problem
    bad = corrupt_pools(pools, AnchorSpread(component=0, n_directions=3, shift=2.0, rss=1.0),
                        ALPHA, theta=theta, rng=0)
    sub = bad.heavy.subset(np.flatnonzero(bad.masks["heavy"]))
    A = np.stack([sub.X[sub.offsets[i]:sub.offsets[i + 1]].T
                  @ sub.X[sub.offsets[i]:sub.offsets[i + 1]] for i in range(sub.n_tasks)])
    np.testing.assert_allclose(A, np.broadcast_to(32 * np.eye(8), A.shape), atol=1e-9)
    b = sub.task_sums(sub.X * sub.y[:, None])
    shifts = np.linalg.solve(A, b[..., None])[..., 0] - theta.W[:, 0]
    np.testing.assert_allclose(np.linalg.norm(shifts, axis=1), 2.0 * theta.s[0] / np.sqrt(32))
    assert np.allclose(shifts @ theta.W, 0, atol=1e-9)              # ⊥ span(W)
    U = shifts[:3] / np.linalg.norm(shifts[:3], axis=1, keepdims=True)
    np.testing.assert_allclose(U @ U.T, np.eye(3), atol=1e-9)        # three directions
    np.testing.assert_allclose(shifts[3:6], shifts[:3], atol=1e-12)  # dealt in turn


def test_anchor_match_predicts_the_heavy_estimate_and_lands_on_its_target(problem):
    theta, pools = problem
    heavy = _heavy(rss=1.3)
    att = AnchorMatch(component=0, heavy=list(heavy), mode="aligned", level=0.5, cap=10.0)
    bad = corrupt_pools(pools, Poolwise(heavy=heavy, light2=att), ALPHA, theta=theta, rng=4)
    pred = att.predicted_
    # the rebuilt heavy pool is the corrupted one: the same heavy estimate
    W_h = predict_heavy(theta, bad.heavy, ALPHA)[0]
    np.testing.assert_allclose(pred["w_heavy"], W_h[:, 0], atol=1e-12)
    assert np.linalg.norm(pred["w_heavy"] - theta.W[:, 0]) > 0
    # least squares over the component's light tasks lands on the target
    keep = np.flatnonzero((pools.light2.components == 0) | bad.masks["light2"])
    sub = bad.light2.subset(keep)
    w = np.linalg.lstsq(sub.X, sub.y, rcond=None)[0]
    assert np.linalg.norm(w - pred["target"]) < 1e-6 * np.linalg.norm(pred["target"])
    assert pred["T"] == pytest.approx(0.5 * pred["q"])


def test_anchor_match_cap_bounds_every_task_fit(problem):
    theta, pools = problem
    att = AnchorMatch(component=0, mode="along", level=3.0, cap=0.3)
    bad = corrupt_pools(pools, att, ALPHA, theta=theta, rng=4)
    sub = bad.light2.subset(np.flatnonzero(bad.masks["light2"])[:5])
    for i in range(5):
        X = sub.X[sub.offsets[i]:sub.offsets[i + 1]]
        y = sub.y[sub.offsets[i]:sub.offsets[i + 1]]
        beta = np.linalg.lstsq(X, y, rcond=None)[0]
        assert np.linalg.norm(beta - theta.W[:, 0]) <= 0.3 * theta.s[0] + 1e-9


def test_bad_parameters(problem):
    theta, pools = problem
    with pytest.raises(ValidationError, match="mode"):
        AnchorMatch(mode="sideways")
    with pytest.raises(ValidationError, match="cap"):
        AnchorMatch(cap=0.0)
    with pytest.raises(ValidationError, match="n_directions"):
        AnchorSpread(n_directions=0)
    with pytest.raises(ValidationError, match="family"):
        Seeded(family=None)
    with pytest.raises(ValidationError, match="theta"):
        AnchorMatch(component=0)(pools.light2, ALPHA, 0)
    with pytest.raises(ValidationError, match="pools"):
        AnchorMatch(component=0)(pools.light2, ALPHA, 0, AttackContext(theta))


def _fits(data, tasks):
    sub = data.subset(tasks)
    A = np.stack([sub.X[sub.offsets[i]:sub.offsets[i + 1]].T
                  @ sub.X[sub.offsets[i]:sub.offsets[i + 1]] for i in range(sub.n_tasks)])
    return np.linalg.solve(A, sub.task_sums(sub.X * sub.y[:, None])[..., None])[..., 0]


def test_anchor_select_replaces_the_tasks_furthest_against_the_shift(problem):
    theta, pools = problem
    heavy = pools.heavy
    own = np.flatnonzero(heavy.components == 0)
    shift = _fits(heavy, own) - theta.W[:, 0]
    bad = corrupt_pools(pools, AnchorSelect(component=0, shift=1.0), ALPHA, theta=theta, rng=0)
    idx = np.flatnonzero(bad.masks["heavy"])
    assert set(idx) <= set(own)
    # u: the one direction the corrupted fits moved along
    u = (_fits(bad.heavy, idx[:1]) - theta.W[:, 0])[0]
    u /= np.linalg.norm(u)
    proj = shift @ u
    lowest = own[np.argsort(proj)[:idx.size]]
    np.testing.assert_array_equal(idx, np.sort(lowest))
    # the clean tasks left lean along u by about φ(z_ε)/(1 − ε) standard errors
    left = np.setdiff1d(own, idx)
    assert np.mean(proj[np.isin(own, left)]) > np.mean(proj) + 0.1 * theta.s[0] / np.sqrt(32)


def test_anchor_match_select_leaves_clean_tasks_that_lean_along_the_heavy_error(problem):
    theta, pools = problem
    att = AnchorMatch(component=0, mode="matched", select=True)
    bad = corrupt_pools(pools, att, ALPHA, theta=theta, rng=0)
    data, mask = pools.light2, bad.masks["light2"]
    u = att.predicted_["w_heavy"] - theta.W[:, 0]
    u /= np.linalg.norm(u)
    g = data.task_sums((data.X @ u) * (data.y - data.X @ theta.W[:, 0]))
    own = np.flatnonzero(data.components == 0)
    np.testing.assert_array_equal(np.flatnonzero(mask),
                                  np.sort(own[np.argsort(g[own])[:mask.sum()]]))
    assert np.mean(g[own[~mask[own]]]) > np.mean(g[own]) + 0.1 * np.std(g[own])
