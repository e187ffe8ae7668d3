"""The heavy anchor's weights: a task whose design has every eigenvalue at
the per-direction cap (XᵢᵀXᵢ = tI) must not outweigh the clean tasks it
replaces. Clean Gaussian designs (t = 128, d = 32) keep ≈ 0.79 of the cap
on average, so without a limit on the whole weight ⌊αn_H⌋ such tasks hold
≈ 1.27 times their count share of the heavy mean along the direction they
are shifted (Kong, Somani, Kakade, Oh 2020: the heavy tasks' robust
regression; docs/robust_pipeline.md, "Pooling the heavy tasks into ŵ")."""

import numpy as np
import pytest

from robust_mlr import make_params, make_tasks
from robust_mlr.stages.regression import FilterRegression
from robust_mlr.threat import ThreatModel

from anchor_helpers import exact_fit_heavy

ALPHA = 0.05
T_H, D = 128, 32


def make_problem():
    """θ, a clean light pool, a clean heavy pool and a unit u ⊥ span(W)."""
    theta = make_params(D, 4, rng=3)
    rng = np.random.default_rng(6)
    Q, _ = np.linalg.qr(np.column_stack([theta.W, rng.standard_normal((D, 1))]))
    return theta, make_tasks(theta, 20000, 8, rng=4), make_tasks(theta, 400, T_H, rng=5), Q[:, 4]


@pytest.fixture(scope="module")
def problem():
    return make_problem()


def _heavy_along(problem, delta):
    """Component 0's heavy estimate along u (units s/√t) with 20 of its tasks
    (the pool's ⌊αn_H⌋, chosen at random) replaced by exact fits at
    w₀ + δ·s·u/√t with XᵢᵀXᵢ = tI; and the anchor's record."""
    theta, light, heavy, u = problem
    own = np.flatnonzero(heavy.components == 0)
    idx = np.random.default_rng(8).choice(own, 20, replace=False)
    pool = exact_fit_heavy(heavy, idx, theta.W[:, 0], delta * u, theta.s[0], T_H,
                           np.random.default_rng(7))
    stage = FilterRegression().fit(light, light.components, 4, heavy=pool,
                                   threat=ThreatModel(ALPHA), rng=0)
    anchor = stage.info_["anchor"]
    w_h = anchor["W_heavy"][:, 0]
    return (w_h - theta.W[:, 0]) @ u / theta.s[0] * np.sqrt(T_H), anchor["heavy"][0]


def test_isotropic_designs_hold_about_their_count_share(problem):
    # the slope of the heavy mean in the replaced tasks' shift is their
    # weight share along u while no gate acts (nothing removed, no median
    # step): 1.20× their count share (20 of 108) with the per-direction cap
    # alone, 1.06× with the limit on each task's whole capped weight
    lo, rec_lo = _heavy_along(problem, 0.0)
    hi, rec_hi = _heavy_along(problem, 1.0)
    for rec in (rec_lo, rec_hi):
        assert rec["removed"] == 0 and rec["median_directions"] == 0 and rec["passed"]
    share = 20 / rec_hi["tasks"]
    assert hi - lo < 1.13 * share
