"""The sixth red team's families: anchor starvation, anchor edge, covariate tilt."""

import numpy as np
import pytest

from robust_mlr import make_params, make_pools
from robust_mlr.adversary import AnchorEdge, AnchorStarve, CovariateTilt, Poolwise, corrupt_pools
from robust_mlr.covariates import estimate_second_moment, isotropy_test
from robust_mlr.exceptions import ValidationError


@pytest.fixture(scope="module")
def problem():
    theta = make_params(8, 2, rng=0)
    return theta, make_pools(theta, 2000, 2, 100, 32, 2000, 8, rng=1)


def test_anchor_starve_takes_the_fewest_component_out(problem):
    theta, pools = problem
    counts = np.bincount(pools.heavy.components, minlength=2)
    a = int(np.argmin(counts))
    bad = corrupt_pools(pools, AnchorStarve(), 0.1, theta=theta, rng=0)
    left = np.sum(bad.heavy.components == a)
    assert left == counts[a] - 10                    # ⌊0.1·100⌋ of its own tasks replaced
    # "degenerate": every replaced task's design is singular (one direction left out)
    bad = corrupt_pools(pools, AnchorStarve(kind="degenerate"), 0.1, theta=theta, rng=0)
    idx = np.flatnonzero(bad.masks["heavy"])
    sub = bad.heavy.subset(idx)
    ranks = [np.linalg.matrix_rank(sub.X[sub.offsets[i]:sub.offsets[i + 1]]) for i in range(3)]
    assert ranks == [7, 7, 7]


def test_anchor_edge_tasks_are_exact_fits_with_scaled_identity_designs(problem):
    theta, pools = problem
    bad = corrupt_pools(pools, AnchorEdge(component=0, shift=2.0, rss=1.0), 0.1, theta=theta,
                        rng=0)
    sub = bad.heavy.subset(np.flatnonzero(bad.masks["heavy"])[:1])
    X, y = sub.X, sub.y
    np.testing.assert_allclose(X.T @ X, 32 * np.eye(8), atol=1e-9)
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    u = beta - theta.W[:, 0]
    assert abs(np.linalg.norm(u) - 2.0 * theta.s[0] / np.sqrt(32)) < 1e-9
    assert np.allclose(u @ theta.W, 0, atol=1e-9)                # orthogonal to span(W)


def test_anchor_edge_calibrates_below_its_level(problem):
    theta, pools = problem
    att = AnchorEdge(component=0, level=0.9)
    corrupt_pools(pools, att, 0.1, theta=theta, rng=0)
    lo = att.calibrated_shift_
    att = AnchorEdge(component=0, level=1.3)
    corrupt_pools(pools, att, 0.1, theta=theta, rng=0)
    assert 0 < lo < att.calibrated_shift_


def test_covariate_tilt_flips_the_isotropy_test(problem):
    theta, pools = problem
    Sigma, _ = estimate_second_moment(pools, 0.125, n_rounds=2)
    assert isotropy_test(Sigma, 80_000)[0]
    # the eigenvalue along u rises by ≈ α(f·m − 1), m ≈ 1.1·d: 0.52 here (condition 1.79)
    t = ("covariate_tilt", {"frac": 0.7, "norm": 1.1})
    bad = corrupt_pools(pools, Poolwise(light1=t, heavy=t, light2=t), 0.1, theta=theta, rng=0)
    Sigma, _ = estimate_second_moment(bad, 0.125, n_rounds=2)
    assert not isotropy_test(Sigma, 80_000)[0]


def test_bad_parameters():
    with pytest.raises(ValidationError, match="kind"):
        AnchorStarve(kind="other")
    with pytest.raises(ValidationError, match="pick"):
        AnchorEdge(pick="all")
    with pytest.raises(ValidationError, match="frac"):
        CovariateTilt(frac=1.5)
