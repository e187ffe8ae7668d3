"""Full-learner baselines (EM, method of moments): known answers, interface,
bad inputs."""

import numpy as np
import pytest

from robust_mlr import MetaDataset, ValidationError, make_params, make_pools, make_tasks, metrics
from robust_mlr.baselines import METHODS, EMLearner, MomentLearner, em_step
from robust_mlr.stages.prediction import task_parameters
from robust_mlr.stages.regression import refine


def _matched(W_hat, W):
    perm = metrics.match_components(W_hat, W)
    return np.abs(W_hat[:, perm] - W).max()


def test_registry():
    assert METHODS == {"em": EMLearner, "moments": MomentLearner}


def test_em_noiseless_truth_is_exact_fixed_point():
    """Noiseless data, tiny s²: the posteriors at the truth are one-hot, so
    the M-step is least squares on exactly fitting examples and returns W."""
    theta = make_params(6, 3, s=0.0, rng=0)
    data = make_tasks(theta, 600, 6, rng=1)
    W, s2, p = em_step(data, theta.W, np.full(3, 1e-6), theta.p)
    np.testing.assert_allclose(W, theta.W, atol=1e-9)
    assert s2.max() < 1e-12


def test_em_step_at_truth_matches_oracle_least_squares():
    """With noise, one EM step from the truth equals the oracle per-component
    least squares up to the posterior mass on wrong components (t = 10,
    separation ≈ 1.4, s = 0.2: misassignment probabilities ~ e^-60), so the
    truth is a fixed point up to sampling error."""
    theta = make_params(6, 3, s=0.2, rng=0)
    data = make_tasks(theta, 3000, 10, rng=1)
    W, s2, p = em_step(data, theta.W, theta.s ** 2, theta.p)
    W_or, s2_or, p_or = refine(data, data.components, 3)
    np.testing.assert_allclose(W, W_or, atol=1e-8)
    np.testing.assert_allclose(p, p_or, atol=1e-12)
    # EM's s² is the ML (biased) estimate RSS/N, least squares' is RSS/(N - d)
    N = np.bincount(data.components, weights=data.sizes, minlength=3)
    np.testing.assert_allclose(s2, s2_or * (N - 6) / N, rtol=1e-6)


def test_em_noiseless_recovery_from_restarts():
    theta = make_params(8, 3, s=0.0, rng=2)
    data = make_tasks(theta, 1500, 6, rng=3)
    model = EMLearner(3, n_init=3, rng=4).fit(data)
    assert _matched(model.W_, theta.W) < 1e-6
    lls = [r["log_likelihood"] for r in model.diagnostics_["restarts"]]
    assert model.log_likelihood_ == max(lls)
    np.testing.assert_allclose(model.U_.T @ model.U_, np.eye(3), atol=1e-10)


def test_em_noisy_accuracy_and_prediction_interface():
    """d = 8, k = 2, s = 0.7 (ρ = 1): ≈ 48 000 examples give w errors of
    order s·sqrt(d/N_ℓ) ≈ 0.02 in absolute terms; 0.15 relative to s leaves a
    factor ~4 for the restarts' local optima."""
    theta = make_params(8, 2, rng=0)
    pools = make_pools(theta, 2000, 4, 100, 40, 2000, 4, rng=1)
    model = EMLearner(2, n_init=3, rng=2).fit(pools)
    assert metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"] < 0.15
    sup, Xq, _ = pools.light2.split_query()
    np.testing.assert_allclose(model.task_parameters(sup),
                               task_parameters(sup, model.W_, model.s2_, model.p_))
    assert model.predict(sup, Xq).shape == (sup.n_tasks,)


def test_moments_noiseless_recovery():
    """Noiseless: the projected regressions of a component coincide, k-means
    separates them exactly and the per-group least squares is exact."""
    theta = make_params(8, 3, s=0.0, rng=5)
    pools = make_pools(theta, 20_000, 2, 150, 12, 10, 2, rng=6)
    model = MomentLearner(3, rng=7).fit(pools)
    assert metrics.clustering_accuracy(model.heavy_labels_, pools.heavy.components) == 1.0
    assert _matched(model.W_, theta.W) < 1e-9
    assert model.s2_.max() < 1e-20


@pytest.mark.parametrize("cls", [EMLearner, MomentLearner])
def test_rank_above_dimension_and_missing(cls):
    pools = make_pools(make_params(4, 2, rng=0), 200, 2, 20, 8, 200, 2, rng=1)
    with pytest.raises(ValidationError, match="k=5 exceeds the dimension d=4"):
        cls(5).fit(pools)
    with pytest.raises(ValidationError, match="k .* is required"):
        cls(None).fit(pools)
    with pytest.raises(ValidationError, match="n_init must be >= 1"):
        cls(2, n_init=0).fit(pools)


@pytest.mark.parametrize("cls", [EMLearner, MomentLearner])
def test_not_fitted(cls):
    data = make_tasks(make_params(4, 2, rng=0), 10, 2, rng=1)
    with pytest.raises(ValidationError, match="not fitted"):
        cls(2).posterior(data)


def test_moments_heavy_tasks_too_small():
    pools = make_pools(make_params(6, 3, rng=0), 200, 2, 20, 2, 20, 2, rng=1)
    with pytest.raises(ValidationError, match="t_i=2 .* needs t_i >= k"):
        MomentLearner(3).fit(pools)


def test_em_too_few_examples_and_bad_init():
    data = MetaDataset(np.ones((3, 4)), np.ones(3), [0, 1, 3])
    with pytest.raises(ValidationError, match="more examples than d=4; got N=3"):
        EMLearner(2).fit(data)
    data = make_tasks(make_params(4, 2, rng=0), 50, 4, rng=1)
    with pytest.raises(ValidationError, match="init must be"):
        EMLearner(2, init="random").fit(data)
    with pytest.raises(ValidationError, match="init W has shape"):
        EMLearner(2, init=(np.zeros((3, 2)), np.ones(2), np.ones(2) / 2)).fit(data)
    with pytest.raises(ValidationError, match="must be a robust_mlr.Pools or MetaDataset"):
        EMLearner(2).fit("pools")


def test_a_misspelled_option_or_pool_is_one_line_with_the_closest_name():
    with pytest.raises(ValidationError, match=r"^EMLearner has no option 'n_inits' \(did you "
                                              r"mean 'n_init'\?\); valid options: k, n_init, "):
        EMLearner(2, n_inits=3)
    with pytest.raises(ValidationError, match=r"^MomentLearner has no option 'ninit' \(did you "
                                              r"mean 'n_init'\?\)"):
        MomentLearner(2, ninit=3)
    theta = make_params(6, 2, rng=0)
    pools = make_pools(theta, 200, 2, 20, 20, 100, 4, rng=1)
    with pytest.raises(ValidationError, match=r"^pools: 'hevy' is not a pool \(did you mean "
                                              r"'heavy'\?\); pools are light1, heavy, light2$"):
        EMLearner(2, pools=("light1", "hevy")).fit(pools)
    assert EMLearner(2, pools="heavy", n_init=1, rng=0).fit(pools).labels_.size == 20


def test_em_warns_at_iteration_cap():
    from robust_mlr import ConvergenceWarning
    data = make_tasks(make_params(6, 2, rng=0), 300, 3, rng=1)
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        EMLearner(2, n_init=1, max_iter=1, rng=0).fit(data)



def _student_pools(seed):
    """Clean pools with Student-t(5) correlated covariates, d = 8, k = 3,
    the parameters in the covariates' whitened frame (a new user's case)."""
    from robust_mlr import MLRParams
    from robust_mlr.generator import covariate_moment
    theta0 = make_params(8, 3, rng=0)
    ev, V = np.linalg.eigh(covariate_moment("correlated_student", 8))
    theta = MLRParams(V @ np.diag(ev ** -0.5) @ V.T @ theta0.W, theta0.s, theta0.p)
    pools = make_pools(theta, 20_000, 2, 300, 60, 10_000, 6, rng=seed,
                       x_dist="correlated_student", df=5)
    return theta, pools


def test_em_restarts_leave_a_component_on_one_far_task():
    """Heavy-tailed per-task statistics: the best-inertia k-means labelling
    held one far light task (t = 2 < d = 8) alone, every restart started
    there and EM stayed on that singular point (σ² → 0; w_err 3.8, log-lik
    −149 520 against −141 168 from the truth), silently. One k-means++ run
    per restart and degenerate restarts ranked last recover the mixture."""
    theta, pools = _student_pools(1)
    model = EMLearner(3, rng=2).fit(pools)
    runs = model.diagnostics_["restarts"]
    assert any(r["degenerate"] for r in runs) and not all(r["degenerate"] for r in runs)
    assert metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"] < 0.1
    assert model.p_.min() > 0.3


def test_em_warns_when_every_restart_is_degenerate():
    """Started (init tuple) with a component interpolating one task of t = 2 in
    d = 6 — σ² at the floor, its likelihood unbounded there — EM stays: the
    kept restart is degenerate and a ConvergenceWarning says so."""
    from robust_mlr import ConvergenceWarning
    theta = make_params(6, 2, rng=0)
    data = make_tasks(theta, 400, 2, rng=1)
    X, y = data.X[:2], data.y[:2]
    w_one = np.linalg.lstsq(X, y, rcond=None)[0]             # fits task 0 exactly
    W0 = np.column_stack([theta.W[:, 0], w_one])
    with pytest.warns(ConvergenceWarning, match="at most d=6 examples"):
        model = EMLearner(2, init=(W0, np.array([0.5, 1e-12]), np.array([0.999, 0.001])),
                          rng=0).fit(data)
    assert model.diagnostics_["restarts"][0]["degenerate"]

def test_moment_learner_whitened_on_correlated_covariates():
    """Correlated Gaussian covariates (AR(1), ρ = 0.8), noiseless: the raw
    moment subspace is far off (measured error 0.94: E[y² x xᵀ] is no longer
    isotropic plus span(W)); whitened it is at its usual level (measured
    0.21), and the W mapped back to raw coordinates is exact."""
    theta = make_params(8, 3, s=0.0, rng=5)
    pools = make_pools(theta, 20_000, 2, 150, 12, 10, 2, x_dist="correlated", rng=6)
    raw = MomentLearner(3, rng=7).fit(pools)
    model = MomentLearner(3, rng=7, covariates="estimate").fit(pools)
    assert metrics.subspace_error(raw.U_, theta) > 0.6
    assert metrics.subspace_error(model.U_, theta) < 0.35
    assert metrics.clustering_accuracy(model.heavy_labels_, pools.heavy.components) == 1.0
    assert _matched(model.W_, theta.W) < 1e-9
    with pytest.raises(ValidationError, match="covariates must be one of"):
        MomentLearner(3, covariates="white").fit(pools)
