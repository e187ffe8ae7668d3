"""The heavy anchor against a heavy spike and a light shift along one
direction: the heavy fits' spread is tested along the light–heavy
disagreement, and the consistency test's allowance for misclassification
bias is taken where the adversary's responses cannot inflate it
(docs/robust_pipeline.md, "Pooling the heavy tasks into ŵ")."""

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
    Q, _ = np.linalg.qr(np.column_stack([theta.W, rng.standard_normal(D)]))
    return (theta, make_tasks(theta, 20000, 8, rng=4), make_tasks(theta, 400, T_H, rng=5),
            Q[:, 4])


def _attacked(problem, delta, shift):
    """20 of component 0's heavy tasks (the pool's ⌊αn_H⌋) replaced by exact
    fits at w₀ + δ·s·u/√t with designs √t·Q (QᵀQ = I) and residuals at the
    clean median, orthogonal to the design (every whitened score the same
    point δ·u); 1000 of its light tasks (⌊αn⌋) noise-free at w₀ + shift·s·u.
    Returns the stage's fit."""
    theta, light, heavy, u = problem
    s, w = theta.s[0], theta.W[:, 0]
    idx = np.flatnonzero(heavy.components == 0)[:20]
    bad_heavy = exact_fit_heavy(heavy, idx, w, delta * u, s, T_H, np.random.default_rng(7))
    bad_light = noise_free_light(light, 0, 1000, w + shift * s * u)
    return FilterRegression().fit(bad_light, light.components, 4, heavy=bad_heavy,
                                  threat=ThreatModel(ALPHA), rng=0)


def _along(problem, w):
    theta, _, _, u = problem
    return (w - theta.W[:, 0]) @ u / theta.s[0]


def test_the_heavy_spike_is_removed_along_the_disagreement(problem):
    # δ = 2.8: the corrupted share (20 of 108 tasks) raises the top
    # eigenvalue of the whitened scores' covariance to 0.8 of the
    # Marchenko–Pastur stop level, and the heavy estimate moves 0.07·s
    # along u (clean: 0.02). The light estimate, moved the other way
    # (−0.14·s), reveals u: along the disagreement the clean spread is
    # χ²_m/m, and the spike is far above it. Without the directional test
    # no task was removed and the heavy estimate kept its 0.07.
    stage = _attacked(problem, 2.8, -0.8)
    anchor = stage.info_["anchor"]
    rec = anchor["heavy"][0]
    assert rec["direction_rounds"] >= 1 and rec["removed"] >= 20
    assert rec["passed"] and rec["top_eig_over_level"] < 1
    assert abs(_along(problem, anchor["W_heavy"][:, 0])) < 0.05
    # the light estimate is shown inconsistent: the anchor alone, and said so
    assert not anchor["passed"] and not stage.info_["passed"]
    np.testing.assert_array_equal(stage.W_[:, 0], anchor["W_heavy"][:, 0])


def test_a_clean_heavy_pool_is_not_filtered_along_the_disagreement(problem):
    # the light estimate moved (0.14·s along u) and the heavy pool clean:
    # the heavy fits' spread along u is the clean χ²_m/m, nothing is removed
    stage = _attacked(problem, 0.0, 0.8)
    rec = stage.info_["anchor"]["heavy"][0]
    assert rec["removed"] == 0 and rec["direction_over_level"] < 0.8


def test_the_bias_allowance_is_not_read_off_the_adversarys_responses(problem):
    # Light shifted 0.14·s along u and a small heavy spike (δ = 1, 0.036·s)
    # the same way: T = 124 > q = 67. The misclassification bias estimated
    # on the pool's responses counts the noise-free light tasks (their
    # posteriors and hard labels disagree) and read 3.7 in √T units, so
    # √T ≤ √q + 3.7 passed silently with the final estimate 0.078 from w₀;
    # on responses drawn from the fitted model it is the clean problem's
    # (≈ 1.7 on this problem, clean or attacked), and the test fails.
    stage = _attacked(problem, 1.0, 0.8)
    anchor = stage.info_["anchor"]
    T, q = anchor["statistic"][0], anchor["threshold"]
    data_norm, model_norm = anchor["bias_norm"][:, 0]
    assert T > q and data_norm > 3.0 and model_norm < 2.2
    assert anchor["bias_allowance"][0] == min(data_norm, model_norm)
    assert not anchor["passed"]
    theta = problem[0]
    assert np.linalg.norm(stage.W_[:, 0] - theta.W[:, 0]) / theta.s[0] < 0.065
