"""How far the light pool may move ŝ² from the heavy tasks' median
(``FilterRegression(noise_pull=...)``, :func:`cross_check_noise`'s ``pull``):
0 by default, the heavy median alone, so that no light pool adds to its
worst case (docs/robust_pipeline.md, "Noise levels")."""

import warnings

import numpy as np
import pytest

from robust_mlr import MetaDataset, MetaLearner, make_params, make_tasks
from robust_mlr.adversary import Poolwise, corrupt_pools
from robust_mlr.exceptions import ValidationError
from robust_mlr.generator import default_problem
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.classification import Likelihood
from robust_mlr.stages.regression import (FilterRegression, Huber, cross_check_noise,
                                          heavy_noise_interval)
from robust_mlr.threat import ThreatModel

ALPHA = 0.05


@pytest.fixture(scope="module")
def problem():
    theta = make_params(8, 2, rng=0)
    light = make_tasks(theta, 4000, 8, rng=1)
    heavy = make_tasks(theta, 200, 64, rng=2)
    return theta, light, heavy


def _inflated(theta, light, component, factor):
    """The light pool with the noise of ``component``'s tasks scaled by
    ``factor`` (their ŵ unchanged, their ŝ² × factor²)."""
    comp = np.repeat(light.components, light.sizes)
    fit = np.einsum("nd,nd->n", light.X, theta.W[:, comp].T)
    y = np.where(comp == component, fit + factor * (light.y - fit), light.y)
    return MetaDataset(light.X, y, light.offsets)


def _stage(light, labels, heavy, **options):
    return FilterRegression(**options).fit(light, labels, 2, heavy=heavy,
                                           threat=ThreatModel(ALPHA), rng=0)


def test_cross_check_pull_zero_is_the_heavy_median(problem):
    theta, _, heavy = problem
    h, half = heavy_noise_interval(heavy, None, theta.W)
    s2, info = cross_check_noise(heavy, None, theta.W, [10.0, 0.01], se_light=[0.01, 0.01],
                                 pull=0.0)
    np.testing.assert_array_equal(s2, h)
    assert info["shrunk"].all()
    # pull c: the light estimate beyond the radius moves h by c·σ_H²/σ_D exactly
    se_h, se_l = half / 3, np.array([0.01, 0.02])
    bound = se_h ** 2 / np.sqrt(se_h ** 2 + se_l ** 2)
    for c in (0.25, 1.0):
        s2, _ = cross_check_noise(heavy, None, theta.W, [10.0, 0.01], se_light=se_l, pull=c)
        np.testing.assert_allclose(s2 - h, [c * bound[0], -c * bound[1]], rtol=1e-12)


def test_default_stage_keeps_the_heavy_median_whatever_light_does(problem):
    theta, light, heavy = problem
    bad = _inflated(theta, light, 0, 1.3)            # light ŝ²₀ 1.69 × s²: far outside
    for data in (light, bad):
        st = _stage(data, light.components, heavy)
        nc = st.info_["noise_check"]
        np.testing.assert_array_equal(st.s2_, nc["heavy_centre"])
        np.testing.assert_array_equal(nc["heavy_centre"],
                                      heavy_noise_interval(heavy, None, st.W_)[0])
        assert "posterior_noise" not in st.info_      # the light estimate is not used
    assert nc["s2_light"][0] > 1.5 * theta.s[0] ** 2
    assert abs(st.s2_[0] / theta.s[0] ** 2 - 1) < nc["heavy_half_width"][0] / st.s2_[0]


def test_noise_pull_bounds_the_light_move(problem):
    # the inflated light estimate is shrunk onto the radius c·σ_D, so it
    # moves ŝ²₀ by c·σ_H²/σ_D: linear in the pull, zero at 0
    theta, light, heavy = problem
    bad = _inflated(theta, light, 0, 1.3)
    moves = []
    for c in (0.0, 0.3, 0.9):
        st = _stage(bad, light.components, heavy, noise_pull=c)
        nc = st.info_["noise_check"]
        se_h = nc["heavy_half_width"][0] / 3
        bound = se_h ** 2 / np.sqrt(se_h ** 2 + nc["light_se"][0] ** 2)
        move = st.s2_[0] - nc["heavy_centre"][0]
        np.testing.assert_allclose(move, c * bound, rtol=1e-12, atol=1e-15)
        moves.append(move)
    assert 0 == moves[0] < moves[1] < moves[2]


def test_a_positive_pull_pools_the_posterior_light_estimate():
    # hard classification keeps a component's quietest tasks: the classified
    # median is ≈ 4 % low at t = 8, k = 4; the estimate a pull pools is the
    # posterior-weighted one, which is not
    theta = make_params(16, 4, rng=0)
    light = make_tasks(theta, 20_000, 8, rng=10)
    heavy = make_tasks(theta, 400, 128, rng=11)
    labels = Likelihood().fit(light, theta.W, theta.s ** 2).labels_
    st = FilterRegression(noise_pull=0.5).fit(light, labels, 4, heavy=heavy,
                                              threat=ThreatModel(ALPHA), rng=0)
    post = st.info_["posterior_noise"]
    pooled_light = st.info_["noise_check"]["s2_light"] / theta.s ** 2 - 1
    classified = post["s2_classified"] / theta.s ** 2 - 1
    assert np.mean(classified) < -0.02 and abs(np.mean(pooled_light)) < 0.015


def test_a_noise_pull_without_the_cross_check_is_refused():
    pools = default_problem(rng=0, quick=True)[1]
    for stage in (FilterRegression(cross_check=False, noise_pull=0.5),
                  Huber(cross_check=False, noise_pull=0.5)):
        with pytest.raises(ValidationError, match=r"noise_pull=0\.5 has no effect with "
                                                  r"cross_check=False"):
            MetaLearner.robust(3, ALPHA, rng=0, regression=stage).fit(pools)
    with pytest.raises(ValidationError, match="noise_pull"):
        MetaLearner.robust(3, ALPHA, rng=0, regression=FilterRegression(noise_pull=-1)).fit(
            pools)


def test_learner_heavy_swap_and_light_midpoint_gain_nothing_from_light():
    """A fifth of component 0's heavy tasks, those of lowest noise ratio,
    replaced by noisy ones (its heavy median moves to the clean 0.7
    quantile) and light 2 at the ŝ² midpoint of component 0, which raises
    its light estimate: with the default pull ŝ²₀ is the heavy median (in
    the user's units); a pull of 0.674 adds up to 0.674·σ_H²/σ_D to it."""
    theta, pools = default_problem(rng=0, quick=True)
    attack = Poolwise(heavy=("quantile_swap", dict(component=0, level=0.95)),
                      light2=("midpoint", dict(estimate="s2", component=0, frac=1.0)))
    bad = corrupt_pools(pools, attack, ALPHA, theta=theta,
                        settings={"alpha": ALPHA, "flag_level": 1e-3}, rng=3)
    fits = {}
    for c in (0.0, 0.674):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits[c] = MetaLearner.robust(3, ALPHA, rng=0,
                                         regression=FilterRegression(noise_pull=c)).fit(bad)
    m = fits[0.0]
    nc = m.diagnostics_["regression"]["noise_check"]
    np.testing.assert_allclose(m.s2_, nc["heavy_centre"] * m.diagnostics_["screen"]["sigma_y"] ** 2,
                               rtol=1e-12)
    err = {c: parameter_errors(f.W_, f.s2_, f.p_, theta)["s2_err"] for c, f in fits.items()}
    assert err[0.674] > err[0.0] + 0.005            # 0.081 against 0.066 here
    np.testing.assert_allclose(fits[0.674].W_, m.W_, rtol=0, atol=1e-12)
