"""The blocked one-pass reductions of the ICML stages against direct references.

The refinement solves the normal equations of every component from one
blocked pass by Cholesky, with an SVD fallback; the moment estimate and the
classification likelihood sum per task over blocks with sparse operators.
Each is compared here with the plain computation on the same data: the
examples span several blocks of the passes (4 MB of rows each, 16 384 rows
at d = 32) and the task sizes vary, so blocks end at arbitrary task
boundaries.
"""
import numpy as np
import pytest

from robust_mlr import MetaDataset, make_params, make_tasks
from robust_mlr.stages.classification import task_neg_log_lik
from robust_mlr.stages.regression import refine
from robust_mlr.stages.subspace import moment_estimate
from robust_mlr.threat import size_cap

D, K = 32, 3


def _ragged(n=9000, s=1.0, seed=0):
    """Tasks of sizes 2..10 in random order (about 54 000 rows: four blocks)."""
    theta = make_params(D, K, s=s, rng=seed)
    sizes = np.random.default_rng(seed + 1).integers(2, 11, n)
    return theta, make_tasks(theta, n, sizes, rng=seed + 2)


def _reference_ls(data, labels, k):
    """Per-component numpy.linalg.lstsq (an SVD of the component's rows)."""
    rows_of = np.repeat(labels, data.sizes)
    W, s2 = np.empty((data.dim, k)), np.empty(k)
    for ell in range(k):
        X, y = data.X[rows_of == ell], data.y[rows_of == ell]
        W[:, ell] = np.linalg.lstsq(X, y, rcond=None)[0]
        s2[ell] = np.sum((y - X @ W[:, ell]) ** 2) / (X.shape[0] - data.dim)
    return W, s2


@pytest.fixture(scope="module")
def ragged():
    return _ragged()


def test_refine_equals_lstsq_on_well_conditioned_data(ragged):
    _, data = ragged
    labels = data.components.copy()
    labels[::7] = -1                              # excluded tasks
    W, s2, p = refine(data, labels, K)
    W_ref, s2_ref = _reference_ls(data, labels, K)
    # Cholesky on XᵀX (cond ≈ 1.2 here) and the SVD agree to rounding: 1e-10 is
    # a thousand times the differences measured (≈ 1e-13)
    np.testing.assert_allclose(W, W_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(s2, s2_ref, rtol=1e-10)
    counts = np.bincount(labels[labels >= 0], minlength=K)
    np.testing.assert_array_equal(p, counts / counts.sum())


def test_refine_falls_back_to_svd_on_rank_deficient_data(ragged):
    _, data = ragged
    X = data.X.copy()
    X[:, 5] = X[:, 4]                             # XᵀX exactly singular
    X[:, 7] = 2 * X[:, 6] + 1e-9 * X[:, 8]        # and nearly so: cond(XᵀX) ≈ 1e19
    bad = MetaDataset(X, data.y, data.offsets, data.components)
    labels = data.components
    W, s2, _ = refine(bad, labels, K)
    W_ref, s2_ref = _reference_ls(bad, labels, K)
    # the fallback is the same SVD on the same rows: the minimum-norm solution,
    # splitting the weight of duplicated columns equally
    np.testing.assert_allclose(W, W_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(W[4], W[5], rtol=1e-8)
    np.testing.assert_allclose(s2, s2_ref, rtol=1e-8)


def test_refine_noise_variance_at_high_signal_to_noise():
    # s = 1e-5: RSS / Σy² ≈ 1e-10, where the normal-equation form of the RSS
    # loses ten digits (measured: 8e-6 relative error); the residuals are
    # then summed directly
    _, data = _ragged(n=3000, s=1e-5, seed=3)
    W, s2, _ = refine(data, data.components, K)
    W_ref, s2_ref = _reference_ls(data, data.components, K)
    np.testing.assert_allclose(s2, s2_ref, rtol=1e-9)
    assert np.all(np.abs(s2 / 1e-10 - 1) < 0.1)


def test_moment_estimate_equals_chunk_means_reference(ragged):
    _, data = ragged
    b = data.chunk_means(2)                       # (2, n, d) halves' means of y·x
    C = b[0].T @ b[1] / data.n_tasks
    np.testing.assert_allclose(moment_estimate(data), (C + C.T) / 2, rtol=1e-12,
                               atol=1e-14)


def test_moment_estimate_needs_two_examples_per_task():
    data = MetaDataset(np.ones((3, 2)), np.ones(3), [0, 2, 3])
    with pytest.raises(ValueError, match="task 1 has t_i=1"):
        moment_estimate(data)


def test_task_likelihood_equals_per_task_sums(ragged):
    theta, data = ragged
    s2 = np.array([0.5, 1.0, 2.0])
    rss = data.task_sums((data.y[:, None] - data.X @ theta.W) ** 2)
    ref = rss / (2 * s2) + 0.5 * data.sizes[:, None] * np.log(s2)
    np.testing.assert_allclose(task_neg_log_lik(data, theta.W, s2), ref, rtol=1e-12)


def test_fits_restore_the_blas_thread_count():
    # the stages run pinned to one BLAS thread and must hand back the caller's
    # setting (2 here, whatever the test run's environment says)
    from threadpoolctl import threadpool_info, threadpool_limits
    from robust_mlr import MetaLearner, make_pools
    theta = make_params(8, 2, rng=0)
    pools = make_pools(theta, 2000, 2, 60, 64, 2000, 8, rng=1)
    def counts():
        return [(i["filepath"], i["num_threads"]) for i in threadpool_info()
                if i["user_api"] == "blas"]
    with threadpool_limits(limits=2, user_api="blas"):
        before = counts()
        MetaLearner(2, rng=0).fit(pools)
        after = counts()
    assert any(n == 2 for _, n in before)         # a library that honours the limit
    assert after == before


def test_screened_pools_equal_the_scaled_copy(ragged):
    """Screening scales the kept tasks as they are read, never copying X:
    every value, subset and blocked likelihood equals the scaled copy's."""
    from robust_mlr import Pools
    from robust_mlr.stages.screening import scale_dataset, screen_pools
    theta, data = ragged
    data = MetaDataset(data.X.copy(), data.y, data.offsets)
    data.X[5, 0] = 1e9                                     # task 0 is implausible
    pools = Pools(data, data.subset(np.arange(3000)), data)
    screened, (sx, sy), info = screen_pools(pools, 0.05)
    kept = info["light2"]["kept"]
    assert not kept[0] and kept.sum() == data.n_tasks - 1
    ref = scale_dataset(data.subset(kept), sx, sy)
    got = screened["light2"]
    np.testing.assert_array_equal(got.offsets, ref.offsets)
    W, s2 = theta.W / sx * sy, np.full(K, 2.0)
    np.testing.assert_array_equal(task_neg_log_lik(got, W, s2), task_neg_log_lik(ref, W, s2))
    idx = np.arange(0, ref.n_tasks, 7)
    np.testing.assert_array_equal(got.subset(idx).X, ref.subset(idx).X)
    np.testing.assert_array_equal(got.X, ref.X)
    np.testing.assert_array_equal(got.y, ref.y)


@pytest.fixture(scope="module")
def capped():
    """Tasks of sizes 2..10 and one in 50 of 60 examples: above the size cap,
    so the filter weighs examples by min(t_i, t_cap)/t_i < 1."""
    theta = make_params(D, K, rng=3)
    sizes = np.random.default_rng(4).integers(2, 11, 6000)
    sizes[::50] = 60
    data = make_tasks(theta, sizes.size, sizes, rng=5)
    assert size_cap(data.sizes) < 60
    return theta, data


@pytest.mark.parametrize("pool", ["ragged", "capped"])
def test_filter_components_first_round_equals_per_component_filter(pool, request):
    """The regression filter's first round, run for all components in two
    blocked passes, gives each component's own filter fit to rounding
    (unit example weights, and weights below one for tasks above the cap)."""
    from robust_mlr.stages.regression import filter_components, filter_regression
    theta, data = request.getfixturevalue(pool)
    labels = data.components.copy()
    labels[::50] = -1                                      # flagged tasks are left out
    W, s2, p, info = filter_components(data, labels, K, alpha=0.05, rng=0, example_clip=None)
    assert [c["iterations"] for c in info["components"]] == [1] * K
    for c in range(K):
        w, v, kept, one = filter_regression(data.subset(np.flatnonzero(labels == c)), 0.05,
                                            rng=0, budget=info["budget"], t_cap=info["t_cap"])
        np.testing.assert_allclose(W[:, c], w, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(s2[c], v, rtol=1e-12)
        # the stopping rule's statistic: the gradients' top eigenvalue over
        # the edge set by the per-example moment, summed in the same pass
        np.testing.assert_allclose(info["components"][c]["top_eig_over_edge"],
                                   one["top_eig_over_edge"], rtol=1e-12)
        assert kept.all()


@pytest.mark.parametrize("attack", [None, "component_shift"])
def test_weights_check_equals_a_fresh_classification(attack):
    """The robust fit checks p̂ against the shares of the light tasks
    classified at its final estimates, reading the residual sums its noise
    levels took at the same Ŵ (and, after a reclassification, the same);
    a fresh classification stage at (Ŵ, ŝ²) gives those shares exactly."""
    from robust_mlr import MetaLearner, make_pools
    from robust_mlr.adversary import corrupt_pools
    from robust_mlr.stages.classification import Likelihood
    from robust_mlr.threat import ThreatModel
    theta = make_params(D, K, rng=0)
    pools = make_pools(theta, 6000, 2, 150, 96, 9000, 8, rng=1)   # light 2: 5 blocks
    if attack:
        pools = corrupt_pools(pools, attack, 0.05, theta=theta, targets=["light2"], rng=4)
    # no screen and no whitening: the stages see the pools and (Ŵ, ŝ²) as given
    model = MetaLearner.robust(K, 0.05, rng=0, screen=None, covariates="isotropic").fit(pools)
    diag = model.diagnostics_
    assert ("reclassified" in diag["classification"]) == bool(attack)
    stage = Likelihood(flag_level=1e-3).fit(pools.light2, model.W_, model.s2_,
                                            threat=ThreatModel(0.05))
    labels = stage.labels_[stage.labels_ >= 0]
    weights = diag["regression"]["weights"]
    assert weights["tasks"] == labels.size
    np.testing.assert_array_equal(weights["final"], np.bincount(labels, minlength=K) / labels.size)


@pytest.mark.parametrize("sizes", ["equal", "capped"])
def test_regression_first_pass_summed_in_the_classification_pass(sizes):
    """Within the robust learner the classification's pass over L2 also sums
    the regression filter's first normal equations (the labels of each block
    are set from its own rows); the stages fitted on their own, each reading
    the pool itself, give the same fit bit for bit (one filter round on
    clean data, no random draw: the filter's fit before the anchor and its
    stopping statistic), with equal task sizes and with tasks above the size
    cap (example weights below one)."""
    from robust_mlr import MetaLearner, make_pools
    from robust_mlr.stages.classification import Likelihood
    from robust_mlr.stages.regression import FilterRegression
    from robust_mlr.threat import ThreatModel
    theta = make_params(D, K, rng=0)
    t2 = 8
    if sizes == "capped":
        t2 = np.random.default_rng(6).integers(2, 11, 9000)
        t2[::40] = 60
    pools = make_pools(theta, 6000, 2, 150, 96, 9000, t2, rng=1)   # light 2: several blocks
    if sizes == "capped":
        assert size_cap(pools.light2.sizes) < 60
    model = MetaLearner.robust(K, 0.05, rng=0, screen=None, covariates="isotropic").fit(pools)
    diag = model.diagnostics_
    assert "reclassified" not in diag["classification"]
    threat = ThreatModel(0.05)
    cls = Likelihood(flag_level=1e-3).fit(pools.light2, model.W_tilde_, model.r2_tilde_,
                                          threat=threat)
    np.testing.assert_array_equal(cls.flagged_, diag["classification"]["flagged"])
    reg = FilterRegression(anchor=False, cross_check=False).fit(
        pools.light2, cls.labels_, K, threat=threat, rng=0)
    assert [c["iterations"] for c in reg.info_["components"]] == [1] * K
    np.testing.assert_array_equal(reg.W_, diag["regression"]["anchor"]["W_light"])
    for mine, fit in zip(reg.info_["components"], diag["regression"]["components"]):
        assert mine["top_eig_over_edge"] == fit["top_eig_over_edge"]
