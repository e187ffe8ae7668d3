"""The heavy anchor against a truncation and a shift along one direction:
the adversary replaces the component's heavy tasks whose own fits lie
furthest against a direction u by exact fits shifted along u, under the
filter's eigenvalue stop level. The kept tasks' mean moves by the
selection and the shift together; the estimate's component along the
leading directions of the kept scores is a Huber location where their
median differs from the mean by more than the clean noise allows (docs/robust_pipeline.md,
"Pooling the heavy tasks into ŵ")."""

import numpy as np
import pytest

from robust_mlr import make_params, make_tasks
from robust_mlr.stages.regression import FilterRegression
from robust_mlr.threat import ThreatModel

from anchor_helpers import exact_fit_heavy, noise_free_light

ALPHA = 0.05
T_H, D = 128, 32


@pytest.fixture(scope="module")
def problem():
    theta = make_params(D, 4, rng=3)
    rng = np.random.default_rng(6)
    Q, _ = np.linalg.qr(np.column_stack([theta.W, rng.standard_normal((D, 2))]))
    return (theta, make_tasks(theta, 20000, 8, rng=4), make_tasks(theta, 400, T_H, rng=5),
            Q[:, 4], Q[:, 5])


def _fit(problem, delta, across=0.8):
    """Component 0's 20 heavy tasks (the pool's ⌊αn_H⌋) of smallest own fit
    along u replaced by exact fits at w₀ + δ·s·u/√t (designs √t·Q, QᵀQ = I,
    residuals at the clean median orthogonal to the design; δ = 0: the
    clean heavy pool), 1000 light tasks noise-free at w₀ + across·s·v. Returns the anchor's record."""
    theta, light, heavy, u, v = problem
    s, w = theta.s[0], theta.W[:, 0]
    pool = heavy
    if delta:
        own = np.flatnonzero(heavy.components == 0)
        X, y = heavy.X.reshape(400, T_H, D), heavy.y.reshape(400, T_H)
        beta = np.linalg.solve(np.einsum("ntd,nte->nde", X[own], X[own]),
                               np.einsum("ntd,nt->nd", X[own], y[own])[..., None])[..., 0]
        idx = own[np.argsort(beta @ u)[:20]]
        pool = exact_fit_heavy(heavy, idx, w, delta * u, s, T_H, np.random.default_rng(7))
    # the light estimate moved across u (along v ⊥ u): the light–heavy
    # disagreement, where the filter's directional test looks, is not u
    bad_light = noise_free_light(light, 0, 1000, w + across * s * v)
    stage = FilterRegression().fit(bad_light, light.components, 4, heavy=pool,
                                   threat=ThreatModel(ALPHA), rng=0)
    return stage.info_["anchor"]


def _along(problem, w):
    theta, _, _, u, _ = problem
    return (w - theta.W[:, 0]) @ u / theta.s[0]


def test_a_truncated_and_shifted_heavy_pool_is_held_to_the_median(problem):
    # δ = 3.8: the 20 replaced tasks raise the top eigenvalue of the kept
    # scores' second moment to 0.95 of the stop level, so nothing is
    # removed, and the light estimate moved across u keeps the directional
    # test quiet. The kept tasks' mean sat 0.076·s along u (the clean pool:
    # −0.024·s): the clean tasks left lean along u and the exact fits sit
    # beyond them. Along the top eigenvector the mean leads the median by
    # many times its clean standard error, and the Huber location, where
    # each exact fit pulls with a capped force, is 0.046·s along u.
    rec_anchor = _fit(problem, 3.8)
    rec = rec_anchor["heavy"][0]
    assert rec["removed"] == 0 and 0.9 < rec["top_eig_over_level"] < 1
    assert rec["median_directions"] >= 1
    assert _along(problem, rec_anchor["W_heavy"][:, 0]) < 0.06


def test_a_clean_heavy_pool_keeps_its_mean(problem):
    # the mean and the median agree within the clean noise in every
    # leading direction: the filter's estimate is kept as it is
    rec_anchor = _fit(problem, 0.0)
    assert all(r["median_directions"] == 0 and r["median_shift"] == 0
               for r in rec_anchor["heavy"])
