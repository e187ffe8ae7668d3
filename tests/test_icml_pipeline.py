"""The non-robust ICML 2020 pipeline against known answers."""
import numpy as np
import pytest

from robust_mlr import (EmptyClusterError, MetaLearner, ValidationError,
                        classify, distance_matrix, estimate_subspace, make_params,
                        make_pools, make_tasks, metrics, task_parameters)
from robust_mlr.exceptions import ConvergenceWarning
from robust_mlr.stages.regression import refine
from robust_mlr.stages.clustering import cluster_estimates
from robust_mlr.stages.subspace import moment_estimate


def _noiseless(d=10, k=3, n=3000, t=2, seed=0):
    theta = make_params(d, k, s=0.0, rng=seed)
    return theta, make_tasks(theta, n, t, rng=seed + 1)


def test_moment_estimate_is_unbiased():
    # average M̂ over 30 independent data sets; its sd shrinks by sqrt(30)
    theta = make_params(6, 2, s=1.0, rng=0)
    Ms = [moment_estimate(make_tasks(theta, 2000, 2, rng=s)) for s in range(30)]
    Ms = np.array(Ms)
    se = Ms.std(0, ddof=1) / np.sqrt(len(Ms))
    z = np.abs(Ms.mean(0) - theta.moment) / se
    # 21 distinct entries: a 4.5-sd bound fails by chance with prob. < 1e-4
    assert z.max() < 4.5, z.max()


def test_subspace_exact_from_noiseless_many_tasks():
    theta, ds = _noiseless(n=20000, t=4)
    U = estimate_subspace(ds, 3).U
    np.testing.assert_allclose(U.T @ U, np.eye(3), atol=1e-10)
    assert metrics.subspace_error(U, theta) < 0.05


def test_distance_matrix_is_unbiased_over_seeds():
    # E H_ij = ||U^T (w_zi - w_zj)||^2 ; with U spanning W that is ||w_zi - w_zj||^2
    theta = make_params(5, 2, rng=0)
    U = np.linalg.qr(theta.W)[0]
    acc_same, acc_diff = [], []
    for seed in range(40):
        ds = make_tasks(theta, 40, 8, rng=seed)
        H = distance_matrix(ds, U, L=1)
        z = ds.components
        same = (z[:, None] == z[None, :]) & ~np.eye(40, dtype=bool)
        acc_same.append(H[same].mean())
        acc_diff.append(H[z[:, None] != z[None, :]].mean())
    truth = np.sum((theta.W[:, 0] - theta.W[:, 1]) ** 2)
    assert abs(np.mean(acc_same)) < 0.02
    assert np.mean(acc_diff) == pytest.approx(truth, rel=0.05)


def test_distance_matrix_matches_double_loop():
    theta = make_params(4, 2, rng=0)
    ds = make_tasks(theta, 12, 8, rng=1)
    U = np.linalg.qr(theta.W)[0]
    H = distance_matrix(ds, U, L=2)
    B = ds.chunk_means(4) @ U
    ref = np.empty((2, 12, 12))
    for ell in range(2):
        for i in range(12):
            for j in range(12):
                ref[ell, i, j] = (B[ell, i] - B[ell, j]) @ (B[ell + 2, i] - B[ell + 2, j])
    np.testing.assert_allclose(H, np.median(ref, axis=0), atol=1e-12)


def test_classification_and_refinement_with_true_parameters():
    theta = make_params(8, 3, rng=0)
    ds = make_tasks(theta, 3000, 30, rng=1)
    labels, _ = classify(ds, theta.W, theta.s ** 2)
    assert metrics.clustering_accuracy(labels, ds.components) > 0.99
    W, s2, p = refine(ds, ds.components, 3)
    np.testing.assert_allclose(W, theta.W, atol=0.03)
    np.testing.assert_allclose(s2, theta.s ** 2, rtol=0.05)


def test_prediction_picks_the_true_component_for_large_tau():
    theta = make_params(8, 3, rng=0)
    ds = make_tasks(theta, 200, 100, rng=2)
    for method in ("map", "bayes"):
        beta = task_parameters(ds, theta.W, theta.s ** 2, theta.p, method)
        np.testing.assert_allclose(beta, theta.W.T[ds.components], atol=1e-6)


def test_bayes_posterior_weights_in_log_space_do_not_underflow():
    theta = make_params(4, 2, rng=0)
    ds = make_tasks(theta, 5, 5000, rng=1)     # log-likelihoods of order 1e3
    beta = task_parameters(ds, theta.W, theta.s ** 2, theta.p, "bayes")
    assert np.all(np.isfinite(beta))


def test_cluster_estimates_on_true_labels():
    theta = make_params(8, 2, rng=0)
    ds = make_tasks(theta, 400, 64, rng=1)
    U = np.linalg.qr(theta.W)[0]
    W, r2, p = cluster_estimates(ds, ds.components, U, 2)
    np.testing.assert_allclose(W, theta.W, atol=0.03)
    np.testing.assert_allclose(r2, theta.s ** 2, rtol=0.05)
    with pytest.raises(EmptyClusterError, match="cluster 1"):
        cluster_estimates(ds, np.zeros(400, int), U, 2)


def test_fit_recovers_parameters(small_problem):
    theta, pools = small_problem
    m = MetaLearner(3, rng=0).fit(pools)
    assert metrics.clustering_accuracy(m.heavy_labels_, pools.heavy.components) == 1.0
    assert metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"] < 0.15
    m2 = MetaLearner(3, clustering="average", rng=0).fit(pools)
    np.testing.assert_allclose(m2.W_, m.W_)


def test_predict_shapes_and_errors(small_problem):
    theta, pools = small_problem
    m = MetaLearner(3, rng=0).fit(pools)
    new = make_tasks(theta, 50, 6, rng=9)
    sup, Xq, yq = new.split_query()
    assert m.predict(sup, Xq).shape == (50,)
    with pytest.raises(ValidationError, match="X_query has shape"):
        m.predict(sup, Xq[:3])
    with pytest.raises(ValidationError, match="not fitted"):
        MetaLearner(3).predict(sup, Xq)


def test_bad_inputs_raise_named_errors(small_problem):
    theta, pools = small_problem
    with pytest.raises(ValidationError, match="k=13 exceeds the dimension d=12"):
        MetaLearner(13).fit(pools)
    with pytest.raises(ValidationError, match="alpha must be"):
        MetaLearner(3, alpha=0.7).fit(pools)
    with pytest.raises(ValidationError, match="subspace method 'nope' unknown"):
        MetaLearner(3, subspace="nope").fit(pools)
    one = make_tasks(theta, 50, 1, rng=0)
    with pytest.raises(ValidationError, match="t_i=1 < 2"):
        estimate_subspace(one, 2)
    with pytest.raises(ValidationError, match="L=60"):
        distance_matrix(pools.heavy, np.eye(12)[:, :3], L=60)
    with pytest.raises(EmptyClusterError, match="component 1 received 0 tasks"):
        refine(pools.light2, np.zeros(pools.light2.n_tasks, int), 3)


@pytest.mark.slow
def test_default_problem_over_ten_seeds():
    """Target of the ICML pipeline: accuracy 1.0 and w_err <= 0.1 in >= 9 of 10 seeds."""
    good = 0
    for seed in range(10):
        theta = make_params(32, 4, rng=seed)
        pools = make_pools(theta, 20000, 2, 400, 128, 20000, 8, rng=seed + 100)
        m = MetaLearner(4, rng=seed).fit(pools)
        acc = metrics.clustering_accuracy(m.heavy_labels_, pools.heavy.components)
        err = metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"]
        good += acc == 1.0 and err <= 0.1
    assert good >= 9


def test_least_squares_keeps_the_prior_for_an_unsupported_component():
    """Single linkage can leave a component without light tasks (the
    authors' sine waves: 1 of 10 clean fits raised before); with the
    clustering's estimates as prior the stage keeps them for that component
    and says so, instead of raising."""
    from robust_mlr.stages.regression import LeastSquares

    theta = make_params(8, 2, rng=0)
    ds = make_tasks(theta, 400, 8, rng=1)
    labels = np.zeros(ds.n_tasks, int)
    prior = (np.ones((8, 2)), np.array([1.0, 2.0]), np.array([0.5, 0.5]))
    with pytest.warns(ConvergenceWarning, match=r"components \[1\] received no light tasks"):
        stage = LeastSquares().fit(ds, labels, 2, prior=prior)
    np.testing.assert_array_equal(stage.W_[:, 1], prior[0][:, 1])
    assert stage.s2_[1] == 2.0 and np.all(np.isfinite(stage.W_))
    np.testing.assert_allclose(stage.W_[:, 0], LeastSquares().fit(ds, labels * 0, 1).W_[:, 0])
    with pytest.raises(EmptyClusterError, match="component 1"):
        LeastSquares().fit(ds, labels, 2)
