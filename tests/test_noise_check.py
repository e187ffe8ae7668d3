"""The heavy-task cross-check of ŝ² (robust_mlr.stages.regression.noise_check)."""

import numpy as np
from scipy.stats import norm

from robust_mlr import MetaLearner, make_params, make_pools, make_tasks, metrics
from robust_mlr.adversary import Poolwise, corrupt_pools
from robust_mlr.data import MetaDataset
from robust_mlr.stages.regression import cross_check_noise, heavy_noise_interval


def test_interval_covers_the_truth_at_its_nominal_rate():
    # z = 3 is a 99.7 % interval per component; 40 seeds x 2 components = 80
    # intervals, so a miss count above 3 has probability < 1e-3 (Binomial).
    theta = make_params(8, 2, rng=0)
    misses = 0
    for seed in range(40):
        data = make_tasks(theta, 120, 32, rng=seed)
        h, w = heavy_noise_interval(data, data.components, theta.W)
        misses += int(np.sum(np.abs(h - theta.s ** 2) > w))
    assert misses <= 3


def test_half_width_is_the_median_standard_error():
    # For equal sizes t the half-width is z·1.2533·h·√(2t)/median(χ²_t)/√n.
    from scipy.stats import chi2
    theta = make_params(8, 2, rng=0)
    data = make_tasks(theta, 100, 64, rng=3)
    h, w = heavy_noise_interval(data, data.components, theta.W, z=2.0)
    n = np.bincount(data.components, minlength=2)
    expect = 2.0 * np.sqrt(np.pi / 2) * h * np.sqrt(128) / chi2.median(64) / np.sqrt(n)
    np.testing.assert_allclose(w, expect, rtol=1e-12)


def test_corrupted_heavy_tasks_cannot_widen_or_drag_the_interval():
    # 10 % of the heavy pool replaced by tasks of component 0 with 4x the noise
    # variance, all in cluster 0 (≈ 20 % of it): the median moves by the clean
    # quantile gap of that share, Φ⁻¹(0.5/(1-ε)) sd of one ratio, not by 4x;
    # the half-width is model-based, so it does not grow with them.
    theta = make_params(8, 2, rng=0)
    clean = make_tasks(theta, 200, 128, rng=1)
    _, w0 = heavy_noise_interval(clean, clean.components, theta.W)
    rng = np.random.default_rng(2)
    tasks = []
    for _ in range(20):
        X = rng.standard_normal((128, 8))
        tasks.append((X, X @ theta.W[:, 0] + 2 * theta.s[0] * rng.standard_normal(128)))
    bad = MetaDataset.from_tasks([(clean.X[clean.offsets[i]:clean.offsets[i + 1]],
                                   clean.y[clean.offsets[i]:clean.offsets[i + 1]])
                                  for i in range(180)] + tasks)
    labels = np.concatenate([clean.components[:180], np.zeros(20, int)])
    h, w = heavy_noise_interval(bad, labels, theta.W)
    eps = 20 / np.sum(labels == 0)
    shift = norm.ppf(0.5 / (1 - eps)) * np.sqrt(2 / 128)       # quantile gap, relative
    assert abs(h[0] / theta.s[0] ** 2 - 1) < shift + 3 * np.sqrt(np.pi / 2) * np.sqrt(
        2 / 128) / np.sqrt(np.sum(labels == 0))
    assert w[0] < 1.2 * w0[0]


def test_light_estimate_is_clipped_into_the_interval():
    theta = make_params(8, 2, rng=0)
    data = make_tasks(theta, 150, 64, rng=4)
    h, w = heavy_noise_interval(data, data.components, theta.W)
    s2, info = cross_check_noise(data, data.components, theta.W, [10.0, h[1]])
    np.testing.assert_allclose(s2, [h[0] + w[0], h[1]])
    assert info["clipped"].tolist() == [True, False]
    # too few heavy tasks in a cluster: no check, the light value stands
    labels = np.where(np.arange(data.n_tasks) < 2, 1, 0)
    s2, info = cross_check_noise(data, labels, theta.W, [0.3, 7.0])
    assert s2[1] == 7.0 and np.isnan(info["heavy_centre"][1])


def test_robust_learner_stops_zero_gradient_variance_inflation():
    # The whole light-2 budget on one component, zero gradient at its w and
    # residuals just under the flagging limit: the light estimate of that
    # component's ŝ² grows (its weighted median by 0.16 here), which the
    # heavy tasks (t = 128) contradict. With the cross-check the error stays
    # within the heavy interval's half-width (≈ 0.05 relative, 3 standard
    # errors) plus the heavy median's own error (≈ 0.015 at 100 tasks).
    theta = make_params(12, 2, rng=0)
    pools = make_pools(theta, 6000, 2, 200, 128, 3000, 8, rng=1)
    att = Poolwise(light2=("variance_inflation", dict(component=0, fill=0.95,
                                                       pick="component")))
    bad = corrupt_pools(pools, att, 0.1, theta=theta, settings={"flag_level": 1e-3}, rng=2)
    m = MetaLearner.robust(2, 0.1, rng=3).fit(bad)
    nc = m.diagnostics_["regression"]["noise_check"]
    s2_light = nc["s2_light"] * m.diagnostics_["screen"]["sigma_y"] ** 2   # user units
    light_err = metrics.parameter_errors(m.W_, s2_light, m.p_, theta)["s2_err"]
    err = metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)["s2_err"]
    assert light_err > 0.12 and nc["clipped"].any()       # the attack works on light 2
    half = np.max(nc["heavy_half_width"] / nc["heavy_centre"])
    assert err < half + 0.02 < light_err / 2               # ≈ 0.05 + heavy median's own error


def test_default_assignment_ignores_a_wrong_heavy_clustering():
    # Two components' tasks merged into one cluster: with the cluster labels
    # the median mixes residuals ‖w_a − w_b‖² too large; assigned by the best
    # fitting ŵ (labels=None) every interval covers the truth again.
    theta = make_params(8, 2, rng=0)
    data = make_tasks(theta, 200, 64, rng=5)
    merged = np.zeros(data.n_tasks, int)
    h_bad, _ = heavy_noise_interval(data, merged, theta.W)
    h, w = heavy_noise_interval(data, None, theta.W)
    assert h_bad[0] > 1.2 * theta.s[0] ** 2           # half the tasks are the other w
    assert np.all(np.abs(h - theta.s ** 2) < w)
