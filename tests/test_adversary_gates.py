"""The eighth red team's families: heavy tasks placed by a scan over the
defender's own anchor (orthogonal leakage with decoy directions,
variance-neutral selection) and their pairing with the light-2 placement."""

import numpy as np
import pytest

from robust_mlr import make_params, make_pools
from robust_mlr.adversary import (AnchorLeak, GateMatch, GateSeeded, Poolwise, VarianceNeutral,
                                  corrupt_pools)
from robust_mlr.adversary.gate_attacks import predict_anchor, read_gates
from robust_mlr.exceptions import ValidationError

ALPHA = 0.1


@pytest.fixture(scope="module")
def problem():
    theta = make_params(8, 2, rng=0)
    return theta, make_pools(theta, 2000, 2, 100, 32, 2000, 8, rng=1)


def _fits(data):
    """Own least-squares fits and Grams of every task."""
    A = np.stack([data.X[data.offsets[i]:data.offsets[i + 1]].T
                  @ data.X[data.offsets[i]:data.offsets[i + 1]] for i in range(data.n_tasks)])
    b = data.task_sums(data.X * data.y[:, None])
    return np.linalg.solve(A, b[..., None])[..., 0], A


@pytest.mark.parametrize("strategy", [
    {"heavy": ("anchor_leak", {"component": 0})},
    {"heavy": ("variance_neutral", {"component": 1, "light": "away"})},
    {"heavy": ("gate_seeded", {"component": 0}), "light2": ("gate_match", {"component": 0})},
    {"heavy": ("gate_seeded", {"heavy_family": "variance_neutral", "light": "away"}),
     "light2": ("gate_match", {"heavy_family": "variance_neutral", "light": "away",
                               "mode": "split"})},
    {"heavy": ("gate_seeded", {"component": 0}),
     "light2": ("gate_match", {"component": 0, "inflate": 0.5})},
])
def test_budget_and_reproducible(problem, strategy):
    theta, pools = problem
    bad = corrupt_pools(pools, Poolwise(**strategy), ALPHA, theta=theta, rng=5)
    again = corrupt_pools(pools, Poolwise(**strategy), ALPHA, theta=theta, rng=5)
    for name in ("light1", "heavy", "light2"):
        want = int(ALPHA * pools[name].n_tasks) if name in strategy else 0
        assert bad.masks[name].sum() == want
        np.testing.assert_array_equal(bad[name].y, again[name].y)


def test_gate_match_predicts_the_paired_heavy_estimate(problem):
    theta, pools = problem
    key = {"heavy_family": "anchor_leak", "component": 0, "seed": 4}
    match = GateMatch(**key)
    bad = corrupt_pools(pools, Poolwise(heavy=GateSeeded(**key), light2=match), ALPHA,
                        theta=theta, rng=9)
    W_h, _ = predict_anchor(theta, bad.heavy, ALPHA)
    # the light placement rebuilt the heavy pool exactly (its seed, not the pools' generator)
    np.testing.assert_allclose(match.predicted_["w_heavy"], W_h[:, 0], atol=1e-10)


def test_anchor_leak_decoys_and_scan(problem):
    theta, pools = problem
    att = AnchorLeak(component=0, decoys=2, direction="orthogonal")
    bad = corrupt_pools(pools, Poolwise(heavy=att), ALPHA, theta=theta, rng=2)
    mask = bad.masks["heavy"]
    beta, A = _fits(bad.heavy.subset(np.flatnonzero(mask)))
    np.testing.assert_allclose(A, np.broadcast_to(32 * np.eye(8), A.shape), atol=1e-9)
    P = (beta - theta.W[:, 0]) * np.sqrt(32) / theta.s[0]          # whitened positions
    x = att.chosen_["scale"]
    u = P.mean(axis=0) / np.linalg.norm(P.mean(axis=0))
    np.testing.assert_allclose(P @ u, x, atol=1e-8)                  # every fit at x along u
    rest = P - np.outer(P @ u, u)
    np.testing.assert_allclose(rest.mean(axis=0), 0, atol=1e-8)      # decoys: no mean
    ev = np.linalg.eigvalsh(rest.T @ rest / len(P))
    assert np.sum(ev > 1e-8) == 2 and np.isclose(ev[-1], ev[-2])     # two equal decoy moments
    # the scan chose about the largest quiet error it saw, and the pool gives it
    quiet = [e for _, e, ok in att.scan_ if ok]
    assert att.chosen_["predicted_error"] == pytest.approx(max(quiet), rel=0.05)
    W_h, _ = predict_anchor(theta, bad.heavy, ALPHA, theta.W)
    assert np.linalg.norm(W_h[:, 0] - theta.W[:, 0]) / theta.s[0] == pytest.approx(
        att.chosen_["predicted_error"], rel=1e-9)


def test_variance_neutral_replaces_the_lowest_and_keeps_the_spread(problem):
    theta, pools = problem
    att = VarianceNeutral(component=0, direction="orthogonal", gate="any", scan_max=1.0)
    bad = corrupt_pools(pools, Poolwise(heavy=att), ALPHA, theta=theta, rng=3)
    heavy, mask = pools.heavy, bad.masks["heavy"]
    own = np.flatnonzero(heavy.components == 0)
    beta, A = _fits(heavy.subset(own))
    u = np.linalg.qr(np.column_stack([theta.W, np.eye(8)]))[0][:, 2]
    ainv_u = np.linalg.solve(A, np.broadcast_to(u, beta.shape)[..., None])[..., 0]
    x = (beta - theta.W[:, 0]) @ u / (theta.s[0] * np.sqrt(ainv_u @ u))
    lowest = own[np.argsort(x)[:int(mask.sum())]]
    np.testing.assert_array_equal(np.flatnonzero(mask), np.sort(lowest))
    # along u the kept sample (clean left + corrupted) has about the clean spread
    b2, _ = _fits(bad.heavy.subset(own))
    fake = np.isin(own, lowest)
    pos = np.where(fake, (b2 - theta.W[:, 0]) @ u * np.sqrt(32) / theta.s[0], x)
    assert 0.6 < pos.std() < 1.4
    assert pos.mean() > x.mean()


def test_read_gates_and_bad_parameters():
    g = read_gates(90, 32)
    assert g["stop"] > (1 + np.sqrt(32 / 90)) ** 2 and g["directions"] >= 1
    with pytest.raises(ValidationError, match="direction"):
        AnchorLeak(direction="sideways")
    with pytest.raises(ValidationError, match="decoys"):
        AnchorLeak(decoys=-1)
    with pytest.raises(ValidationError, match="spread"):
        VarianceNeutral(spread=0)
    with pytest.raises(ValidationError, match="heavy_family"):
        GateSeeded(heavy_family="nope")
    with pytest.raises(ValidationError, match="mode"):
        GateMatch(mode="nope")


def test_inflation_tasks_are_ambiguous_with_leverage_outside_span_w(problem):
    theta, pools = problem
    att = GateMatch(component=0, inflate=1.0, ambiguity=1.0)
    bad = corrupt_pools(pools, Poolwise(heavy=GateSeeded(component=0), light2=att), ALPHA,
                        theta=theta, rng=4)
    sub = bad.light2.subset(np.flatnonzero(bad.masks["light2"]))
    delta = theta.W[:, 1] - theta.W[:, 0]
    # Σ_j (x_jᵀδ)² / s² = ambiguity per task, up to the ⊥ noise (which is ⊥ span W)
    amb = sub.task_sums((sub.X @ delta) ** 2) / theta.s[0] ** 2
    np.testing.assert_allclose(amb, 1.0, rtol=1e-8)
    # and most of each row's norm lies outside span W
    Q = np.linalg.qr(theta.W)[0]
    inside = np.linalg.norm(sub.X @ Q, axis=1)
    assert np.median(inside / np.linalg.norm(sub.X, axis=1)) < 0.2
