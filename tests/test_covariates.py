"""Covariate laws of the generator, the (trimmed) second-moment estimate and
the whitened learners."""

import numpy as np
import pytest

from robust_mlr import (MetaDataset, MetaLearner, MLRParams, ValidationError, make_params,
                        make_pools, make_tasks, metrics)
from robust_mlr.covariates import Whitening, estimate_second_moment
from robust_mlr.generator import covariate_moment
from robust_mlr.stages.prediction import task_parameters
from robust_mlr.stages.regression import refine

LAWS = ("gaussian", "student", "correlated", "correlated_student", "polynomial", "fourier")


@pytest.mark.parametrize("law", LAWS)
def test_laws_have_the_stated_second_moment(law):
    """200 000 draws: entries of the empirical moment have standard error
    ≤ sqrt(E x⁴)/sqrt(N) ≈ 0.005 (Student df = 5 has finite fourth moment);
    0.03 is about six standard errors."""
    X = make_tasks(make_params(6, 1, rng=0), 40_000, 5, x_dist=law, rng=1).X
    np.testing.assert_allclose(X.T @ X / X.shape[0], covariate_moment(law, 6), atol=0.03)


def test_gaussian_draws_unchanged():
    """The isotropic Gaussian law draws exactly what it drew before the
    other laws existed: covariates first, one standard-normal block."""
    theta = make_params(5, 2, rng=0)
    data = make_tasks(theta, 30, 3, rng=7)
    rng = np.random.default_rng(7)
    rng.choice(2, size=30, p=theta.p)
    np.testing.assert_array_equal(data.X, rng.standard_normal((90, 5)))


def test_plain_estimate_is_the_example_average():
    pools = make_pools(make_params(4, 2, rng=0), 50, 2, 5, 8, 30, 3, x_dist="correlated", rng=1)
    X = np.vstack([pools[n].X for n in pools.names])
    Sigma, kept = estimate_second_moment(pools)
    np.testing.assert_allclose(Sigma, X.T @ X / X.shape[0])
    assert kept.all()


def test_trimmed_estimate_resists_inflated_tasks():
    """5 % of the tasks carry covariates 6x larger along one direction: the
    plain moment's entry on that direction grows by ≈ 0.05·35 = 1.75, the
    trimmed one stays within sampling error (these tasks' whitened norms are
    far above d and are the first trimmed)."""
    rng = np.random.default_rng(0)
    data = make_tasks(make_params(6, 2, rng=0), 4000, 4, x_dist="correlated", rng=1)
    bad = rng.random(data.n_tasks) < 0.05
    X = data.X.copy()
    rows = np.repeat(bad, data.sizes)
    X[rows, 0] *= 6.0
    data = MetaDataset(X, data.y, data.offsets)
    truth = covariate_moment("correlated", 6)
    plain, _ = estimate_second_moment(data)
    robust, kept = estimate_second_moment(data, alpha=0.05)
    assert abs(plain[0, 0] - truth[0, 0]) > 1.0
    np.testing.assert_allclose(robust, truth, atol=0.1)
    assert kept[bad].mean() < 0.1      # a bad task whose x_0 happened to be small may stay


@pytest.mark.parametrize("cap", [None, 64])
def test_trimmed_estimate_rounds_on_a_share(monkeypatch, cap):
    """Above ROUNDS_SAMPLE_PER_DIM·d examples (lowered here to read a share of
    about 6 % of 16 000 examples) the rounds but the last read a random share
    of the tasks: the same rng gives the same estimate, and the last round,
    on every task, trims the inflated tasks as reading every task in every
    round does and lands within sampling error of it."""
    import robust_mlr.covariates as cov
    if cap is not None:
        monkeypatch.setattr(cov, "ROUNDS_SAMPLE_PER_DIM", cap)
    rng = np.random.default_rng(0)
    data = make_tasks(make_params(6, 2, rng=0), 4000, 4, x_dist="correlated", rng=1)
    bad = rng.random(data.n_tasks) < 0.05
    X = data.X.copy()
    X[np.repeat(bad, data.sizes), 0] *= 6.0
    data = MetaDataset(X, data.y, data.offsets)
    every, kept_every = estimate_second_moment(data, alpha=0.05)
    shared, kept = estimate_second_moment(data, alpha=0.05, rng=5)
    again, _ = estimate_second_moment(data, alpha=0.05, rng=5)
    np.testing.assert_array_equal(shared, again)
    # the rounds trim the tail the bulk's law does not predict (the ≈ 200
    # inflated tasks and a few more), never beyond 2αn
    assert 0.9 * bad.sum() <= (~kept).sum() <= np.ceil(0.1 * data.n_tasks)
    assert 0.9 * bad.sum() <= (~kept_every).sum() <= np.ceil(0.1 * data.n_tasks)
    assert kept[bad].mean() < 0.1
    np.testing.assert_allclose(shared, covariate_moment("correlated", 6), atol=0.1)
    if cap is None:                      # below the cap every round reads every task
        np.testing.assert_array_equal(shared, every)
    else:
        # the share's rounds ran (their trimmed set may end the same as every task's)
        drawn = []
        sample = cov._rounds_sample
        monkeypatch.setattr(cov, "_rounds_sample", lambda ds, r: drawn.append(sample(ds, r)) or
                            drawn[-1])
        estimate_second_moment(data, alpha=0.05, rng=5)
        assert drawn and drawn[0] is not None
        np.testing.assert_allclose(shared, every, atol=0.02)
        assert (kept == kept_every).mean() > 0.98


def test_trimmed_estimate_resists_tasks_written_into_its_share(monkeypatch):
    """The share the rounds read is drawn from the seed alone: an adversary
    who knows the seed can write all its tasks into it (here 200 inflated
    tasks, half of a share of 390), which steers the share's rounds beyond
    what they trim. The last round, on every task, then parts from the
    share's estimate, and the remaining rounds read every task: the estimate
    is that of every task in every round."""
    import robust_mlr.covariates as cov
    monkeypatch.setattr(cov, "ROUNDS_SAMPLE_PER_DIM", 256)
    data = make_tasks(make_params(6, 2, rng=0), 4000, 4, rng=1)
    share = np.random.default_rng(5).choice(
        data.n_tasks, int(np.ceil(256 * 6 / data.n_examples * data.n_tasks)), replace=False)
    bad = np.zeros(data.n_tasks, bool)
    bad[share[:200]] = True
    X = data.X.copy()
    X[np.repeat(bad, data.sizes), 0] *= 8.0
    data = MetaDataset(X, data.y, data.offsets)
    every, _ = estimate_second_moment(data, alpha=0.05)
    shared, kept = estimate_second_moment(data, alpha=0.05, rng=5)
    assert kept[bad].mean() < 0.1
    np.testing.assert_allclose(shared, every, atol=0.02)
    np.testing.assert_allclose(shared, np.eye(6), atol=0.1)


def test_trimmed_estimate_on_a_share_takes_a_pool_without_tasks(monkeypatch):
    import robust_mlr.covariates as cov
    monkeypatch.setattr(cov, "ROUNDS_SAMPLE_PER_DIM", 64)
    data = make_tasks(make_params(4, 2, rng=0), 2000, 4, rng=1)
    empty = MetaDataset(np.zeros((0, 4)), np.zeros(0), np.zeros(1, int))
    Sigma, kept = estimate_second_moment([data, empty], alpha=0.05, rng=0)
    assert kept.size == data.n_tasks
    np.testing.assert_allclose(Sigma, np.eye(4), atol=0.1)


def test_whitening_round_trip():
    Sigma = covariate_moment("fourier", 5)
    wh = Whitening.from_moment(Sigma)
    np.testing.assert_allclose(wh.root @ wh.inv_root, np.eye(5), atol=1e-12)
    np.testing.assert_allclose(wh.inv_root @ Sigma @ wh.inv_root, np.eye(5), atol=1e-12)
    W = np.arange(10.0).reshape(5, 2)
    np.testing.assert_allclose(wh.to_original(wh.root @ W), W)


def test_singular_covariates_rejected():
    with pytest.raises(ValidationError, match="second moment is singular"):
        Whitening.from_moment(np.diag([1.0, 1.0, 0.0]))


def test_covariates_option_checked():
    pools = make_pools(make_params(4, 2, rng=0), 200, 2, 20, 8, 200, 2, rng=1)
    with pytest.raises(ValidationError, match="covariates option .whiten. unknown .parameter covariates."):
        MetaLearner(2, covariates="whiten").fit(pools)


def _fourier_problem(seed):
    """Fourier features of a uniform input (d = 8, k = 2), with W chosen so
    that Σ_x^{1/2} W is the default orthonormal design: whitened, the problem
    has the default difficulty."""
    th0 = make_params(8, 2, rng=seed)
    vals, Q = np.linalg.eigh(covariate_moment("fourier", 8))
    theta = MLRParams((Q / np.sqrt(vals)) @ Q.T @ th0.W, th0.s, th0.p)
    pools = make_pools(theta, 20_000, 2, 200, 80, 10_000, 4, x_dist="fourier", rng=seed + 1)
    sup, Xq, yq = make_tasks(theta, 5000, 5, x_dist="fourier", rng=seed + 2).split_query()
    W, s2, p = refine(pools.light2, pools.light2.components, 2)      # the oracle
    oracle = metrics.prediction_mse(task_parameters(sup, W, s2, p), Xq, yq)
    return pools, (sup, Xq, yq), oracle


def _score(model, pools, test, oracle):
    sup, Xq, yq = test
    acc = metrics.clustering_accuracy(model.heavy_labels_, pools.heavy.components, 2)
    return acc, metrics.prediction_mse(model.task_parameters(sup), Xq, yq) / oracle


def test_icml_learner_whitened_on_fourier_features():
    """Seed 0: isotropic stages cluster at chance (measured 0.505, MSE 1.16x
    the oracle); whitened, 1.000 and 1.001x."""
    pools, test, oracle = _fourier_problem(0)
    acc, ratio = _score(MetaLearner(2, rng=3, covariates="estimate").fit(pools), pools, test,
                        oracle)
    assert acc >= 0.98 and ratio <= 1.10
    acc_iso, ratio_iso = _score(MetaLearner(2, rng=3, covariates="isotropic").fit(pools), pools,
                                test, oracle)
    assert acc_iso < 0.9 and ratio_iso > ratio
    # the default ("auto") finds Σ̂ anisotropic and whitens: the same fit
    auto = MetaLearner(2, rng=3).fit(pools)
    assert auto.covariance_ is not None and _score(auto, pools, test, oracle) == (acc, ratio)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 10])
def test_robust_learner_whitened_on_fourier_features(seed):
    """alpha = 0.02: the robust clustering sets 3-4 of the 200 clean heavy
    tasks aside (counted as errors), so accuracy is at most ≈ 0.985; measured
    0.980 / 0.985 and MSE 1.004x / 1.002x the oracle."""
    pools, test, oracle = _fourier_problem(seed)
    model = MetaLearner.robust(2, 0.02, rng=3, covariates="estimate").fit(pools)
    acc, ratio = _score(model, pools, test, oracle)
    assert acc >= 0.98 and ratio <= 1.10


def test_isotropic_gaussian_default_untouched_and_estimate_close(small_problem):
    """The default ("auto") finds these covariates isotropic and is the
    unwhitened pipeline bit for bit; on
    isotropic Gaussian data "estimate" only adds Σ̂'s sampling error
    (≈ sqrt(d/N) ≈ 0.02 on ~60 000 examples), so W moves by a few hundredths
    and the heavy clustering is unchanged."""
    theta, pools = small_problem
    a = MetaLearner(3, rng=0).fit(pools)
    b = MetaLearner(3, rng=0, covariates="isotropic").fit(pools)
    np.testing.assert_array_equal(a.W_, b.W_)
    c = MetaLearner(3, rng=0, covariates="estimate").fit(pools)
    np.testing.assert_array_equal(c.heavy_labels_, a.heavy_labels_)
    np.testing.assert_allclose(c.W_, a.W_, atol=0.05)
    assert c.covariance_.info["condition"] < 1.2


@pytest.mark.parametrize("x_dist, isotropic", [("gaussian", True), ("correlated", False)])
def test_auto_decides_on_a_sample_as_on_all_data(x_dist, isotropic):
    """covariates='auto' judges isotropy on a random sample of 2048·d examples
    when the pools hold more (the test's limit is at its floor there), and
    decides as the whole data do."""
    from robust_mlr.preprocess import AUTO_SAMPLE_PER_DIM, Whiten

    theta = make_params(8, 2, rng=0)
    pools = make_pools(theta, 6000, 2, 200, 32, 4000, 8, x_dist=x_dist, rng=1)
    total = sum(pools[name].n_examples for name in pools.names)
    assert total > 2 * AUTO_SAMPLE_PER_DIM * 8
    for seed in range(3):
        _, whitening = Whiten(only_if_anisotropic=True).apply(pools, rng=seed)
        assert (whitening is None) == isotropic


def test_extreme_covariates_do_not_overflow_the_trimmed_moment():
    """Three light-1 tasks with finite covariates ±1e236 (``extreme_values``,
    within the budget): their squares overflow, so a plain starting moment
    is infinite and the whitening estimate NaN (the fit then raised a
    ValidationError from the screen). They are left out before any sum is
    formed: Σ̂ stays within sampling error of the truth (as the clean
    pools' trimmed estimate does, ≈ sqrt(d/N) ≈ 0.01 per entry on ~60 000
    examples, 0.1 is far above it), and the whitened robust fit returns
    finite estimates."""
    from robust_mlr.adversary import ExtremeValues, Targeted, corrupt_pools

    theta = make_params(6, 2, rng=0)
    pools = make_pools(theta, 8000, 2, 100, 48, 4000, 8, x_dist="correlated", rng=1)
    attack = Targeted(ExtremeValues(exponent=236.0, channel="x", n_extreme=3), ["light1"])
    bad = corrupt_pools(pools, attack, 0.05, theta=theta, rng=2)
    assert np.abs(bad.light1.X).max() > 1e235
    truth = covariate_moment("correlated", 6)
    with np.errstate(all="raise"):                 # no overflow anywhere in the estimate
        Sigma, kept = estimate_second_moment(bad, 0.05)
    np.testing.assert_allclose(Sigma, truth, atol=0.1)
    np.testing.assert_allclose(Sigma, estimate_second_moment(pools, 0.05)[0], atol=0.05)
    assert not kept[:bad.light1.n_tasks][np.abs(bad.light1.X).max(axis=1)
                                         .reshape(-1, 2).max(axis=1) > 1e235].any()
    model = MetaLearner.robust(2, 0.05, rng=0, covariates="estimate").fit(bad)
    assert np.all(np.isfinite(model.W_)) and np.all(np.isfinite(model.s2_))


def test_whitening_keeps_extreme_rows_finite():
    """A row of ±1.5e308 times Σ̂^{-1/2} with entries above one overflows a
    plain product; whitened rows are scaled first and clipped to the largest
    float, so they stay finite (and extreme) for the screen."""
    wh = Whitening.from_moment(np.diag([0.25, 0.25, 1.0]))
    data = MetaDataset(np.array([[1.5e308, -1.5e308, 1.5e308], [1.0, 2.0, 3.0]]), np.zeros(2),
                       np.array([0, 1, 2]))
    Z = wh.whiten(data).X
    assert np.all(np.isfinite(Z)) and np.abs(Z[0]).min() > 1e306
    np.testing.assert_allclose(Z[1], [2.0, 4.0, 3.0])


def test_covariance_attribute_says_whether_the_fit_whitened():
    """``covariance_`` is None when the stages saw the covariates as given
    (an isotropic pool under "auto"), the Whitening when the fit applied one;
    it was absent (an AttributeError) in the first case."""
    pools = make_pools(make_params(8, 2, rng=0), 4000, 2, 100, 40, 2000, 8, rng=0)
    assert MetaLearner.icml(2, rng=0).fit(pools).covariance_ is None
    assert isinstance(MetaLearner.icml(2, rng=0, covariates="estimate").fit(pools).covariance_,
                      Whitening)
